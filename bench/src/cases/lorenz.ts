// Lorenz-63 integrated with RK4 for 10^4 steps: the sensitivity of the final state to the initial
// state along one direction (a classic forward-mode use).
import { jvp } from "tsjvp";
import { Dual } from "../dual";
import { Case, fdStep, flat } from "../case";

export const sigma = 10;
export const rho = 28;
export const beta = 8 / 3;
export const steps = 10_000;
export const dt = 0.001;

function rhs(s: Float64Array, out: Float64Array): void {
  out[0] = sigma * (s[1] - s[0]);
  out[1] = s[0] * (rho - s[2]) - s[1];
  out[2] = s[0] * s[1] - beta * s[2];
}

function axpy(out: Float64Array, x: Float64Array, a: number, y: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i] + a * y[i];
}

function integrate(s0: Float64Array, h: number, n: number): Float64Array {
  const s = Float64Array.from(s0);
  const k1 = new Float64Array(3);
  const k2 = new Float64Array(3);
  const k3 = new Float64Array(3);
  const k4 = new Float64Array(3);
  const tmp = new Float64Array(3);
  for (let step = 0; step < n; step++) {
    rhs(s, k1);
    axpy(tmp, s, h / 2, k1);
    rhs(tmp, k2);
    axpy(tmp, s, h / 2, k2);
    rhs(tmp, k3);
    axpy(tmp, s, h, k3);
    rhs(tmp, k4);
    for (let i = 0; i < 3; i++) s[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  return s;
}

function rhsHand(s: Float64Array, ds: Float64Array, out: Float64Array, dout: Float64Array): void {
  out[0] = sigma * (s[1] - s[0]);
  dout[0] = sigma * (ds[1] - ds[0]);
  out[1] = s[0] * (rho - s[2]) - s[1];
  dout[1] = ds[0] * (rho - s[2]) - s[0] * ds[2] - ds[1];
  out[2] = s[0] * s[1] - beta * s[2];
  dout[2] = ds[0] * s[1] + s[0] * ds[1] - beta * ds[2];
}

function axpyHand(out: Float64Array, dout: Float64Array, x: Float64Array, dx: Float64Array, a: number, y: Float64Array, dy: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    out[i] = x[i] + a * y[i];
    dout[i] = dx[i] + a * dy[i];
  }
}

function integrateHand(s0: Float64Array, ds0: Float64Array, h: number, n: number): [Float64Array, Float64Array] {
  const s = Float64Array.from(s0);
  const ds = Float64Array.from(ds0);
  const k1 = new Float64Array(3), dk1 = new Float64Array(3);
  const k2 = new Float64Array(3), dk2 = new Float64Array(3);
  const k3 = new Float64Array(3), dk3 = new Float64Array(3);
  const k4 = new Float64Array(3), dk4 = new Float64Array(3);
  const tmp = new Float64Array(3), dtmp = new Float64Array(3);
  for (let step = 0; step < n; step++) {
    rhsHand(s, ds, k1, dk1);
    axpyHand(tmp, dtmp, s, ds, h / 2, k1, dk1);
    rhsHand(tmp, dtmp, k2, dk2);
    axpyHand(tmp, dtmp, s, ds, h / 2, k2, dk2);
    rhsHand(tmp, dtmp, k3, dk3);
    axpyHand(tmp, dtmp, s, ds, h, k3, dk3);
    rhsHand(tmp, dtmp, k4, dk4);
    for (let i = 0; i < 3; i++) {
      s[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      ds[i] += (h / 6) * (dk1[i] + 2 * dk2[i] + 2 * dk3[i] + dk4[i]);
    }
  }
  return [s, ds];
}

function rhsDual(s: Dual[], out: Dual[]): void {
  out[0] = s[1].sub(s[0]).scale(sigma);
  out[1] = s[0].mul(s[2].neg().addc(rho)).sub(s[1]);
  out[2] = s[0].mul(s[1]).sub(s[2].scale(beta));
}

function axpyDual(out: Dual[], x: Dual[], a: number, y: Dual[]): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i].add(y[i].scale(a));
}

function integrateDual(s0: Float64Array, ds0: Float64Array, h: number, n: number): Dual[] {
  const s = Array.from(s0, (v, i) => new Dual(v, ds0[i]));
  const zero = () => [Dual.c(0), Dual.c(0), Dual.c(0)];
  const k1 = zero(), k2 = zero(), k3 = zero(), k4 = zero(), tmp = zero();
  for (let step = 0; step < n; step++) {
    rhsDual(s, k1);
    axpyDual(tmp, s, h / 2, k1);
    rhsDual(tmp, k2);
    axpyDual(tmp, s, h / 2, k2);
    rhsDual(tmp, k3);
    axpyDual(tmp, s, h, k3);
    rhsDual(tmp, k4);
    for (let i = 0; i < 3; i++) s[i] = s[i].add(k1[i].add(k2[i].scale(2)).add(k3[i].scale(2)).add(k4[i]).scale(h / 6));
  }
  return s;
}

export function lorenzCase(): Case {
  return lorenzVariant("Lorenz-63 RK4 1e4 steps", integrate, (s0, ds0) => jvp(integrate, [s0, dt, steps], [ds0, null, null])[1]);
}

/** A case for `run`, an RK4 integration of Lorenz-63 however written, and `tangent`, its jvp. */
export function lorenzVariant(name: string, run: (s0: Float64Array, h: number, n: number) => Float64Array, tangent: (s0: Float64Array, ds0: Float64Array) => Float64Array): Case {
  const s0 = Float64Array.of(1, 1, 1);
  const ds0 = Float64Array.of(1, -0.5, 0.25);
  return {
    name,
    directions: 1,
    primal: () => run(s0, dt, steps),
    twin: () => tangent(s0, ds0),
    hand: () => integrateHand(s0, ds0, dt, steps)[1],
    dual: () => Float64Array.from(integrateDual(s0, ds0, dt, steps), (d) => d.d),
    fd: () => {
      const p = run(s0.map((v, i) => v + fdStep * ds0[i]), dt, steps);
      const m = run(s0.map((v, i) => v - fdStep * ds0[i]), dt, steps);
      return p.map((v, i) => (v - m[i]) / (2 * fdStep));
    },
  };
}

export { flat };
