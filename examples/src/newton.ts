// Newton's method on x³ − 2x − 5 = 0, the derivative from a JVP with tangent 1.
import { jvp } from "tsjvp";

/** @jvp */
export function cubic(x: number): number {
  return x * x * x - 2 * x - 5;
}

export function newton(): void {
  let x = 2;
  for (let i = 0; i < 6; i++) {
    const [value, slope] = jvp(cubic, [x], [1]);
    x -= value / slope;
  }
  console.log("newton     root of x³ − 2x − 5:", x, " residual:", cubic(x));
}
