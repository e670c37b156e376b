/**
 * Jacobians of functions of 16 inputs: jacfwd (vector twins, eight columns per pass) against n
 * separate jvp calls (one specialised twin per column, as a user writes the loop by hand), the
 * primal, and jax-js's jit(jacfwd) where its array API expresses the function. Target: jacfwd at
 * most 0.5× the n jvps, and at least 10× faster than jax-js.
 */
import { hessian, hvp, jacfwd, jvp } from "tsjvp";
import { random } from "./case";
import * as jax from "./jax";

export interface JacobianRow {
  readonly case: string;
  readonly n: number;
  readonly jac_over_primal: number;
  readonly jac_over_jvps: number;
  readonly jaxjs_over_jac: number | undefined;
  readonly medians_ms: { primal: number; jac: number; jvps: number; jaxjs?: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A dense layer tanh(W·x + b), 16×16, differentiated with respect to x. */
function dense(W: Float64Array, b: Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) {
    let s = b[i];
    for (let j = 0; j < n; j++) s += W[i * n + j] * x[j];
    y[i] = Math.tanh(s);
  }
  return y;
}

/** Rosenbrock's function (MGH 1, extended): the gradient. */
function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/** Broyden's tridiagonal function (MGH 30): 16 residuals of 16 unknowns. */
function broyden(x: Float64Array): Float64Array {
  const n = x.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const left = i > 0 ? x[i - 1] : 0;
    const right = i + 1 < n ? x[i + 1] : 0;
    r[i] = (3 - 2 * x[i]) * x[i] - left - 2 * right + 1;
  }
  return r;
}

/** Wood's function (MGH 14), n = 4. */
function wood(x: Float64Array): number {
  const [x1, x2, x3, x4] = [x[0], x[1], x[2], x[3]];
  return 100 * (x2 - x1 * x1) ** 2 + (1 - x1) ** 2 + 90 * (x4 - x3 * x3) ** 2 + (1 - x3) ** 2 +
    10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2) + 19.8 * (x2 - 1) * (x4 - 1);
}

const denseJacobian = jacfwd(dense, { argnums: 2 });
const rosenbrockHessian = hessian(rosenbrock);
const woodHessian = hessian(wood);
const rosenbrockGradient = jacfwd(rosenbrock);
const broydenJacobian = jacfwd(broyden);

/** The n columns one jvp call each, the loop a user writes without jacfwd. */
function columns(n: number, column: (e: Float64Array) => Float64Array | number): Float64Array {
  let out: Float64Array | undefined;
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const c = column(e);
    const m = typeof c === "number" ? 1 : c.length;
    out ??= new Float64Array(m * n);
    for (let i = 0; i < m; i++) out[i * n + j] = typeof c === "number" ? c : c[i];
  }
  return out!;
}

export function time(variants: Record<string, () => Float64Array | number>, samples: number, batchCost?: number): Record<string, number> {
  const names = Object.keys(variants);
  const flat = (v: Float64Array | number) => (typeof v === "number" ? [v] : Array.from(v));
  const reference = flat(variants.jac());
  // jax-js's tanh differs from Math.tanh in the eighth digit: its Jacobian is compared to 1e-6.
  for (const [other, tolerance] of ([["jvps", 1e-12], ["hvps", 1e-12], ["jaxjs", 1e-6]] as const).filter(([n]) => n in variants)) {
    const got = flat(variants[other]());
    if (got.length !== reference.length || got.some((v, i) => Math.abs(v - reference[i]) > tolerance * (1 + Math.abs(reference[i])))) {
      throw new Error(`jacobian bench: ${other} and jacfwd disagree`);
    }
  }
  const times: Record<string, number[]> = {};
  // Each sample times a batch of calls (one Jacobian of 16 inputs takes microseconds), from a
  // collected heap when node runs with --expose-gc (npm run bench does): typed arrays are costly to
  // allocate and collect, and one variant's garbage would otherwise be collected in another's time.
  const batch = Math.max(1, Math.round(500 * Math.min(1, 1 / (batchCost ?? 1))));
  const collect = (globalThis as { gc?: () => void }).gc;
  for (let s = 0; s < samples; s++) {
    names.forEach((_, k) => {
      const n = names[(s + k) % names.length];
      collect?.();
      const start = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) variants[n]();
      (times[n] ??= []).push(Number(process.hrtime.bigint() - start) / 1e6 / batch);
    });
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n])]));
}

export function jacobianRows(samples: number, withJax: boolean): JacobianRow[] {
  const rand = random(5);
  const n = 16;
  const vec = (k: number) => Float64Array.from({ length: k }, () => rand() * 2 - 1);
  const W = vec(n * n).map((v) => v * 0.3);
  const b = vec(n);
  const x = vec(n);
  const rows: JacobianRow[] = [];
  const row = (name: string, m: Record<string, number>) => rows.push({
    case: name, n, jac_over_primal: m.jac / m.primal, jac_over_jvps: m.jac / m.jvps,
    jaxjs_over_jac: m.jaxjs !== undefined ? m.jaxjs / m.jac : undefined, medians_ms: m as JacobianRow["medians_ms"],
  });
  const denseJax = withJax ? jax.denseJacobian(W, b, x) : undefined;
  row("dense layer 16×16, ∂y/∂x", time({
    primal: () => dense(W, b, x),
    jac: () => denseJacobian(W, b, x),
    jvps: () => columns(n, (e) => jvp(dense, [W, b, x], [null, null, e])[1]),
    ...(denseJax ? { jaxjs: denseJax } : {}),
  }, samples));
  row("Rosenbrock n = 16, gradient", time({
    primal: () => rosenbrock(x),
    jac: () => rosenbrockGradient(x),
    jvps: () => columns(n, (e) => jvp(rosenbrock, [x], [e])[1]),
  }, samples));
  row("Broyden tridiagonal n = 16", time({
    primal: () => broyden(x),
    jac: () => broydenJacobian(x),
    jvps: () => columns(n, (e) => jvp(broyden, [x], [e])[1]),
  }, samples));
  return rows;
}

export interface HessianRow {
  readonly case: string;
  readonly n: number;
  /** hessian's time over the primal's. */
  readonly hess_over_primal: number;
  /** n hvp calls (one Hessian column each) over hessian. */
  readonly hvps_over_hess: number;
  readonly jaxjs_over_hess: number | undefined;
  readonly medians_ms: { primal: number; jac: number; hvps: number; jaxjs?: number };
}

/**
 * hessian (forward over forward: one pass of the twin of the twin per entry of the upper
 * triangle) against n hvp calls (a column each) and jax-js's jit(hessian) (reverse over forward).
 * Target: at least 10× faster than jax-js at n ≤ 16; n = 100 and 400 reported as they are.
 */
export function hessianRows(samples: number, withJax: boolean): HessianRow[] {
  const rand = random(7);
  const rows: HessianRow[] = [];
  const row = (name: string, n: number, m: Record<string, number>) => rows.push({
    case: name, n, hess_over_primal: m.jac / m.primal, hvps_over_hess: m.hvps / m.jac,
    jaxjs_over_hess: m.jaxjs !== undefined ? m.jaxjs / m.jac : undefined, medians_ms: m as HessianRow["medians_ms"],
  });
  for (const n of [16, 100, 400]) {
    const x = Float64Array.from({ length: n }, () => rand() * 2 - 1);
    const hvps = () => columns(n, (e) => hvp(rosenbrock, [x], [e]));
    const jaxjs = withJax ? jax.rosenbrockHessian(x) : undefined;
    // A Hessian of n = 400 takes ~10⁵ passes: fewer calls per timed batch.
    row(`Rosenbrock n = ${n}, hessian`, n, time({ primal: () => rosenbrock(x), jac: () => rosenbrockHessian(x), hvps, ...(jaxjs ? { jaxjs } : {}) }, n > 16 ? Math.max(3, Math.round(samples / 4)) : samples, (n / 16) ** 3));
  }
  const w = Float64Array.of(-3, -1, -3, -1);
  row("Wood (MGH 14) n = 4, hessian", 4, time({ primal: () => wood(w), jac: () => woodHessian(w), hvps: () => columns(4, (e) => hvp(wood, [w], [e])) }, samples));
  return rows;
}
