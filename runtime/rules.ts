// Tangent rules whose conventions (docs/architecture.md, "Conventions") are too long to inline in generated code.

/**
 * Math.max / Math.min: the tangent of the selected argument; ties (`===`, so -0 and +0 tie) split
 * evenly; NaN when no argument equals the result (a NaN argument). Called as
 * `extremumDot(result, a, a_dot, b, b_dot, ...)`.
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

/**
 * x ** y with both operands active: y·x^(y−1)·dx + x^y·ln(x)·dy, where the dx term is 0 at
 * y = 0 and the dy term is 0 at x = 0.
 */
export function powDot(x: number, xDot: number, y: number, yDot: number, result: number): number {
  const dxTerm = y === 0 ? 0 : y * x ** (y - 1) * xDot;
  const dyTerm = x === 0 ? 0 : result * Math.log(x) * yDot;
  return dxTerm + dyTerm;
}
