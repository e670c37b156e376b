// The JAX tutorial's first example: f(x) = [x0², x0·x1] at x = [2, 3] along v = [1, 0.5].
import { jvp } from "tsjvp";

function f(x: Float64Array): Float64Array {
  return Float64Array.of(x[0] ** 2, x[0] * x[1]);
}

export function tutorial(): void {
  const [y, yDot] = jvp(f, [Float64Array.of(2, 3)], [Float64Array.of(1, 0.5)]);
  console.log("tutorial   f(x) =", Array.from(y), " J(x)·v =", Array.from(yDot)); // [4, 6] and [4, 4]
}
