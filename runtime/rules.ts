// Tangent rules whose conventions (docs/architecture.md, "Conventions") are too long to inline in generated code.

/**
 * Math.max / Math.min: the tangent of the selected argument; ties (`===`, so -0 and +0 tie) split
 * evenly; NaN when no argument equals the result (a NaN argument). Called as
 * `extremumDot(result, a, a_dot, b, b_dot, c, c_dot, ...)` for three or more arguments (a twin writes the
 * choice between two out).
 */
export function extremumDot(result: number, ...valuesAndTangents: number[]): number {
  let sum = 0;
  let ties = 0;
  for (let i = 0; i < valuesAndTangents.length; i += 2) {
    if (valuesAndTangents[i] === result) {
      sum += valuesAndTangents[i + 1] ?? NaN;
      ties++;
    }
  }
  return ties === 0 ? NaN : sum / ties;
}
