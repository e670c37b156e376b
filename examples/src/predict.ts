// The JAX tutorial's second example: a linear model differentiated with respect to its { w, b }
// parameters (a pytree) while the inputs are constant (a null tangent).
import { jvp } from "tsjvp";

interface Params {
  w: Float64Array[]; // rows of a 2×2 matrix
  b: Float64Array;
}

function predict(params: Params, inputs: Float64Array): Float64Array {
  const { w, b } = params;
  const out = new Float64Array(b.length);
  for (let j = 0; j < b.length; j++) {
    let s = b[j];
    for (let i = 0; i < inputs.length; i++) s += inputs[i] * w[i][j];
    out[j] = s;
  }
  return out;
}

export function linearModel(): void {
  const params: Params = { w: [Float64Array.of(1, 2), Float64Array.of(3, 4)], b: Float64Array.of(0.1, -0.1) };
  const inputs = Float64Array.of(10, 20);
  const tangents = { w: [Float64Array.of(1, 1), Float64Array.of(1, 1)], b: Float64Array.of(0, 0) };
  const [y, yDot] = jvp(predict, [params, inputs], [tangents, null]);
  console.log("predict    primal =", Array.from(y), " tangent =", Array.from(yDot)); // [70.1, 99.9] and [30, 30]
}
