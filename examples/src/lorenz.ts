// Sensitivity of the Lorenz-63 system: how the state after 1000 RK4 steps moves when the initial
// state moves along a direction. The right-hand side writes into an out-parameter; its tangent
// follows.
import { jvp } from "tsjvp";

const sigma = 10;
const rho = 28;
const beta = 8 / 3;

function rhs(s: Float64Array, out: Float64Array): void {
  out[0] = sigma * (s[1] - s[0]);
  out[1] = s[0] * (rho - s[2]) - s[1];
  out[2] = s[0] * s[1] - beta * s[2];
}

function axpy(out: Float64Array, x: Float64Array, a: number, y: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i] + a * y[i];
}

function integrate(s0: Float64Array, dt: number, steps: number): Float64Array {
  const s = Float64Array.from(s0);
  const k1 = new Float64Array(3);
  const k2 = new Float64Array(3);
  const k3 = new Float64Array(3);
  const k4 = new Float64Array(3);
  const tmp = new Float64Array(3);
  for (let n = 0; n < steps; n++) {
    rhs(s, k1);
    axpy(tmp, s, dt / 2, k1);
    rhs(tmp, k2);
    axpy(tmp, s, dt / 2, k2);
    rhs(tmp, k3);
    axpy(tmp, s, dt, k3);
    rhs(tmp, k4);
    for (let i = 0; i < 3; i++) s[i] += (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  return s;
}

export function lorenz(): void {
  const s0 = Float64Array.of(1, 1, 1);
  const direction = Float64Array.of(1, 0, 0);
  const [s, sDot] = jvp(integrate, [s0, 0.001, 1000], [direction, null, null]);
  const h = 1e-6;
  const plus = integrate(Float64Array.of(1 + h, 1, 1), 0.001, 1000);
  const minus = integrate(Float64Array.of(1 - h, 1, 1), 0.001, 1000);
  const fd = plus.map((p, i) => (p - minus[i]) / (2 * h));
  console.log("lorenz     s(1) =", Array.from(s).map((v) => +v.toFixed(6)));
  console.log("           ∂s(1)/∂s0[0] =", Array.from(sDot).map((v) => +v.toFixed(6)), " central differences:", Array.from(fd).map((v) => +v.toFixed(6)));
}
