/**
 * `tsjvp/ops`: differentiable numeric primitives over Float64Array, row-major, dimensions passed
 * explicitly. Each primitive is a plain function (it works without the plugin) and has a
 * hand-written twin `<name>_jvp` in the twins' convention (primal and tangent interleaved for each
 * differentiable parameter, `[result, tangent]` back); a tangent may be `null` ("not
 * differentiated"), and the twin then skips its work. Differentiated code that calls a primitive
 * calls its twin instead of differentiating its body, and `jvp(dot, …)` dispatches to it.
 *
 * `out` (optional, the result is returned either way) avoids an allocation. It may be the same
 * array as an input of the element-wise ops (in place); for matvec, matmul, transpose and outer an
 * `out` that overlaps an input throws.
 *
 * Every primitive's declaration carries `@tsjvpOp`: the plugin recognises them by it.
 */
import { registerTwin } from "./calls";
import { unionSets } from "./sparse";

type Vec = Float64Array;
type Dot = Float64Array | null | undefined;

function fail(message: string): never {
  throw new Error(`tsjvp/ops: ${message}`);
}

function sameLength(name: string, x: Vec, y: Vec): void {
  if (x.length !== y.length) fail(`${name}: lengths differ (${x.length} and ${y.length})`);
}

function output(name: string, out: Vec | undefined, length: number): Vec {
  if (out === undefined) return new Float64Array(length);
  if (out.length !== length) fail(`${name}: out has length ${out.length}, expected ${length}`);
  return out;
}

/** Throws when `out` shares memory with an input (matvec, matmul, transpose, outer read inputs after writing). */
function disjoint(name: string, out: Vec, ...inputs: Vec[]): void {
  for (const input of inputs) {
    if (out.buffer !== input.buffer) continue;
    const [a0, a1] = [out.byteOffset, out.byteOffset + out.byteLength];
    const [b0, b1] = [input.byteOffset, input.byteOffset + input.byteLength];
    if (a0 < b1 && b0 < a1) fail(`${name}: out overlaps an input; pass a separate array`);
  }
}

function dims(name: string, A: Vec, rows: number, cols: number, what = "A"): void {
  if (A.length !== rows * cols) fail(`${name}: ${what} has length ${A.length}, expected ${rows}×${cols} = ${rows * cols}`);
}

// ---------------------------------------------------------------- reductions

/** Σ xᵢ. @tsjvpOp */
export function sum(x: Vec): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

export function sum_jvp(x: Vec, x_dot: Dot): [number, number] {
  let s = 0;
  let ds = 0;
  if (x_dot) {
    sameLength("sum", x, x_dot);
    for (let i = 0; i < x.length; i++) {
      s += x[i];
      ds += x_dot[i];
    }
  } else {
    s = sum(x);
  }
  return [s, ds];
}

/** Σ xᵢ yᵢ. @tsjvpOp */
export function dot(x: Vec, y: Vec): number {
  sameLength("dot", x, y);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export function dot_jvp(x: Vec, x_dot: Dot, y: Vec, y_dot: Dot): [number, number] {
  sameLength("dot", x, y);
  let s = 0;
  let ds = 0;
  if (x_dot && y_dot) {
    for (let i = 0; i < x.length; i++) {
      s += x[i] * y[i];
      ds += x_dot[i] * y[i] + x[i] * y_dot[i];
    }
  } else if (x_dot) {
    for (let i = 0; i < x.length; i++) {
      s += x[i] * y[i];
      ds += x_dot[i] * y[i];
    }
  } else if (y_dot) {
    for (let i = 0; i < x.length; i++) {
      s += x[i] * y[i];
      ds += x[i] * y_dot[i];
    }
  } else {
    s = dot(x, y);
  }
  return [s, ds];
}

/** The Euclidean norm √(Σ xᵢ²); its tangent is ⟨x, dx⟩ / ‖x‖ (NaN at 0, like Math.hypot's). @tsjvpOp */
export function norm2(x: Vec): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

export function norm2_jvp(x: Vec, x_dot: Dot): [number, number] {
  if (!x_dot) return [norm2(x), 0];
  sameLength("norm2", x, x_dot);
  let s = 0;
  let d = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
    d += x[i] * x_dot[i];
  }
  const r = Math.sqrt(s);
  return [r, d / r];
}

function max(x: Vec): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  return m;
}

/** log Σ exp(xᵢ), shifted by the maximum (no overflow); −Infinity for an empty x. @tsjvpOp */
export function logsumexp(x: Vec): number {
  if (x.length === 0) return -Infinity;
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

/** d logsumexp = Σ softmax(x)ᵢ dxᵢ. */
export function logsumexp_jvp(x: Vec, x_dot: Dot): [number, number] {
  if (!x_dot || x.length === 0) return [logsumexp(x), 0];
  sameLength("logsumexp", x, x_dot);
  const m = max(x);
  let s = 0;
  let d = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.exp(x[i] - m);
    s += e;
    d += e * x_dot[i];
  }
  return [m + Math.log(s), d / s];
}

// ---------------------------------------------------------------- element-wise (in place allowed)

/** a·x + y. @tsjvpOp */
export function axpy(a: number, x: Vec, y: Vec, out?: Vec): Vec {
  sameLength("axpy", x, y);
  const o = output("axpy", out, x.length);
  for (let i = 0; i < x.length; i++) o[i] = a * x[i] + y[i];
  return o;
}

export function axpy_jvp(a: number, a_dot: number | null, x: Vec, x_dot: Dot, y: Vec, y_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  sameLength("axpy", x, y);
  const o = output("axpy", out, x.length);
  const d = output("axpy", out_dot ?? undefined, x.length);
  const withA = a_dot !== null && a_dot !== undefined;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const t = (withA ? a_dot * xi : 0) + (x_dot ? a * x_dot[i] : 0) + (y_dot ? y_dot[i] : 0);
    o[i] = a * xi + y[i];
    d[i] = t;
  }
  return [o, d];
}

/** a·x. @tsjvpOp */
export function scale(a: number, x: Vec, out?: Vec): Vec {
  const o = output("scale", out, x.length);
  for (let i = 0; i < x.length; i++) o[i] = a * x[i];
  return o;
}

export function scale_jvp(a: number, a_dot: number | null, x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = output("scale", out, x.length);
  const d = output("scale", out_dot ?? undefined, x.length);
  if (x_dot) sameLength("scale", x, x_dot);
  const withA = a_dot !== null && a_dot !== undefined;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    d[i] = (withA ? a_dot * xi : 0) + (x_dot ? a * x_dot[i] : 0);
    o[i] = a * xi;
  }
  return [o, d];
}

/** xᵢ + yᵢ. @tsjvpOp */
export function add(x: Vec, y: Vec, out?: Vec): Vec {
  sameLength("add", x, y);
  const o = output("add", out, x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] + y[i];
  return o;
}

export function add_jvp(x: Vec, x_dot: Dot, y: Vec, y_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  sameLength("add", x, y);
  const o = output("add", out, x.length);
  const d = output("add", out_dot ?? undefined, x.length);
  // Each element's inputs are read before its outputs are written: out may be x or y.
  if (x_dot && y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a + b;
      d[i] = x_dot[i] + y_dot![i];
      o[i] = r;
    }
  } else if (x_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a + b;
      d[i] = x_dot[i];
      o[i] = r;
    }
  } else if (y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a + b;
      d[i] = y_dot[i];
      o[i] = r;
    }
  } else {
    add(x, y, o);
    d.fill(0);
  }
  return [o, d];
}

/** xᵢ − yᵢ. @tsjvpOp */
export function sub(x: Vec, y: Vec, out?: Vec): Vec {
  sameLength("sub", x, y);
  const o = output("sub", out, x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] - y[i];
  return o;
}

export function sub_jvp(x: Vec, x_dot: Dot, y: Vec, y_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  sameLength("sub", x, y);
  const o = output("sub", out, x.length);
  const d = output("sub", out_dot ?? undefined, x.length);
  // Each element's inputs are read before its outputs are written: out may be x or y.
  if (x_dot && y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a - b;
      d[i] = x_dot[i] - y_dot![i];
      o[i] = r;
    }
  } else if (x_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a - b;
      d[i] = x_dot[i];
      o[i] = r;
    }
  } else if (y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a - b;
      d[i] = -y_dot[i];
      o[i] = r;
    }
  } else {
    sub(x, y, o);
    d.fill(0);
  }
  return [o, d];
}

/** xᵢ · yᵢ. @tsjvpOp */
export function mul(x: Vec, y: Vec, out?: Vec): Vec {
  sameLength("mul", x, y);
  const o = output("mul", out, x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] * y[i];
  return o;
}

export function mul_jvp(x: Vec, x_dot: Dot, y: Vec, y_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  sameLength("mul", x, y);
  const o = output("mul", out, x.length);
  const d = output("mul", out_dot ?? undefined, x.length);
  // Each element's inputs are read before its outputs are written: out may be x or y.
  if (x_dot && y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a * b;
      d[i] = x_dot[i] * b + a * y_dot![i];
      o[i] = r;
    }
  } else if (x_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a * b;
      d[i] = x_dot[i] * b;
      o[i] = r;
    }
  } else if (y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a * b;
      d[i] = a * y_dot[i];
      o[i] = r;
    }
  } else {
    mul(x, y, o);
    d.fill(0);
  }
  return [o, d];
}

/** xᵢ / yᵢ. @tsjvpOp */
export function div(x: Vec, y: Vec, out?: Vec): Vec {
  sameLength("div", x, y);
  const o = output("div", out, x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] / y[i];
  return o;
}

export function div_jvp(x: Vec, x_dot: Dot, y: Vec, y_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  sameLength("div", x, y);
  const o = output("div", out, x.length);
  const d = output("div", out_dot ?? undefined, x.length);
  // Each element's inputs are read before its outputs are written: out may be x or y.
  if (x_dot && y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a / b;
      d[i] = (x_dot[i] - r * y_dot![i]) / b;
      o[i] = r;
    }
  } else if (x_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a / b;
      d[i] = x_dot[i] / b;
      o[i] = r;
    }
  } else if (y_dot) {
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      const r = a / b;
      d[i] = -(r * y_dot[i]) / b;
      o[i] = r;
    }
  } else {
    div(x, y, o);
    d.fill(0);
  }
  return [o, d];
}

function sigmoidOf(a: number): number {
  return a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a));
}

/** eˣ element-wise. @tsjvpOp */
export function exp(x: Vec, out?: Vec): Vec {
  const o = output("exp", out, x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    o[i] = Math.exp(a);
  }
  return o;
}

export function exp_jvp(x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = output("exp", out, x.length);
  const d = output("exp", out_dot ?? undefined, x.length);
  if (!x_dot) {
    exp(x, o);
    d.fill(0);
    return [o, d];
  }
  sameLength("exp", x, x_dot);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const r = Math.exp(a);
    d[i] = r * x_dot[i];
    o[i] = r;
  }
  return [o, d];
}

/** log x element-wise. @tsjvpOp */
export function log(x: Vec, out?: Vec): Vec {
  const o = output("log", out, x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    o[i] = Math.log(a);
  }
  return o;
}

export function log_jvp(x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = output("log", out, x.length);
  const d = output("log", out_dot ?? undefined, x.length);
  if (!x_dot) {
    log(x, o);
    d.fill(0);
    return [o, d];
  }
  sameLength("log", x, x_dot);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const r = Math.log(a);
    d[i] = x_dot[i] / a;
    o[i] = r;
  }
  return [o, d];
}

/** tanh x element-wise. @tsjvpOp */
export function tanh(x: Vec, out?: Vec): Vec {
  const o = output("tanh", out, x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    o[i] = Math.tanh(a);
  }
  return o;
}

export function tanh_jvp(x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = output("tanh", out, x.length);
  const d = output("tanh", out_dot ?? undefined, x.length);
  if (!x_dot) {
    tanh(x, o);
    d.fill(0);
    return [o, d];
  }
  sameLength("tanh", x, x_dot);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const r = Math.tanh(a);
    d[i] = (1 - r * r) * x_dot[i];
    o[i] = r;
  }
  return [o, d];
}

/** 1 / (1 + e⁻ˣ) element-wise, without overflow. @tsjvpOp */
export function sigmoid(x: Vec, out?: Vec): Vec {
  const o = output("sigmoid", out, x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    o[i] = sigmoidOf(a);
  }
  return o;
}

export function sigmoid_jvp(x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = output("sigmoid", out, x.length);
  const d = output("sigmoid", out_dot ?? undefined, x.length);
  if (!x_dot) {
    sigmoid(x, o);
    d.fill(0);
    return [o, d];
  }
  sameLength("sigmoid", x, x_dot);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const r = sigmoidOf(a);
    d[i] = r * (1 - r) * x_dot[i];
    o[i] = r;
  }
  return [o, d];
}

/** log(1 + eˣ) element-wise, computed as max(x, 0) + log1p(e^−|x|) (no overflow); its derivative is sigmoid(x). @tsjvpOp */
export function softplus(x: Vec, out?: Vec): Vec {
  const o = output("softplus", out, x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    o[i] = Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
  }
  return o;
}

export function softplus_jvp(x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = output("softplus", out, x.length);
  const d = output("softplus", out_dot ?? undefined, x.length);
  if (!x_dot) {
    softplus(x, o);
    d.fill(0);
    return [o, d];
  }
  sameLength("softplus", x, x_dot);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const r = Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
    d[i] = sigmoidOf(a) * x_dot[i];
    o[i] = r;
  }
  return [o, d];
}

/** max(x, 0) element-wise; relu'(0) = 0 (JAX's convention). @tsjvpOp */
export function relu(x: Vec, out?: Vec): Vec {
  const o = output("relu", out, x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    o[i] = a > 0 ? a : 0;
  }
  return o;
}

export function relu_jvp(x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = output("relu", out, x.length);
  const d = output("relu", out_dot ?? undefined, x.length);
  if (!x_dot) {
    relu(x, o);
    d.fill(0);
    return [o, d];
  }
  sameLength("relu", x, x_dot);
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const r = a > 0 ? a : 0;
    d[i] = a > 0 ? x_dot[i] : 0;
    o[i] = r;
  }
  return [o, d];
}

/** exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x). @tsjvpOp */
export function softmax(x: Vec, out?: Vec): Vec {
  const n = x.length;
  const o = output("softmax", out, n);
  const s = shiftedExp(x, o, n);
  for (let i = 0; i < n; i++) o[i] /= s;
  return o;
}

/** o = exp(x − max x) (o may be x); returns Σ o. */
function shiftedExp(x: Vec, o: Vec, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
  let s = 0;
  for (let i = 0; i < n; i++) s += o[i] = Math.exp(x[i] - m);
  return s;
}

/** d softmax = y ⊙ (dx − ⟨y, dx⟩), with ⟨y, dx⟩ summed in the normalising pass. */
export function softmax_jvp(x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const n = x.length;
  const y = output("softmax", out, n);
  const d = output("softmax", out_dot ?? undefined, n);
  if (!x_dot) {
    softmax(x, y);
    d.fill(0);
    return [y, d];
  }
  sameLength("softmax", x, x_dot);
  const s = shiftedExp(x, y, n);
  let t = 0;
  for (let i = 0; i < n; i++) t += (y[i] /= s) * x_dot[i];
  for (let i = 0; i < n; i++) d[i] = y[i] * (x_dot[i] - t);
  return [y, d];
}

// ---------------------------------------------------------------- linear algebra (out must not overlap)

/** A·x, A m×n row-major: out has length m. @tsjvpOp */
export function matvec(A: Vec, m: number, n: number, x: Vec, out?: Vec): Vec {
  dims("matvec", A, m, n);
  if (x.length !== n) fail(`matvec: x has length ${x.length}, expected n = ${n}`);
  const o = output("matvec", out, m);
  disjoint("matvec", o, A, x);
  let k = 0; // A's index: row i, column j
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++, k++) s += A[k] * x[j];
    o[i] = s;
  }
  return o;
}

/** d(A·x) = dA·x + A·dx, in the same pass over A as the primal. */
export function matvec_jvp(A: Vec, A_dot: Dot, m: number, n: number, x: Vec, x_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  dims("matvec", A, m, n);
  if (x.length !== n) fail(`matvec: x has length ${x.length}, expected n = ${n}`);
  if (A_dot) dims("matvec", A_dot, m, n, "A's tangent");
  if (x_dot && x_dot.length !== n) fail(`matvec: x's tangent has length ${x_dot.length}, expected n = ${n}`);
  const o = output("matvec", out, m);
  const d = output("matvec", out_dot ?? undefined, m);
  disjoint("matvec", o, A, x);
  disjoint("matvec", d, A, x, ...(A_dot ? [A_dot] : []), ...(x_dot ? [x_dot] : []));
  for (let i = 0; i < m; i++) {
    let s = 0;
    let t = 0;
    const row = i * n;
    if (A_dot && x_dot) {
      for (let j = 0; j < n; j++) {
        const a = A[row + j];
        s += a * x[j];
        t += A_dot[row + j] * x[j] + a * x_dot[j];
      }
    } else if (x_dot) {
      for (let j = 0; j < n; j++) {
        const a = A[row + j];
        s += a * x[j];
        t += a * x_dot[j];
      }
    } else if (A_dot) {
      for (let j = 0; j < n; j++) {
        const xj = x[j];
        s += A[row + j] * xj;
        t += A_dot[row + j] * xj;
      }
    } else {
      for (let j = 0; j < n; j++) s += A[row + j] * x[j];
    }
    o[i] = s;
    d[i] = t;
  }
  return [o, d];
}

/** C = A·B, A m×k, B k×n, C m×n (row-major). @tsjvpOp */
export function matmul(A: Vec, B: Vec, m: number, k: number, n: number, out?: Vec): Vec {
  dims("matmul", A, m, k);
  dims("matmul", B, k, n, "B");
  const C = output("matmul", out, m * n);
  disjoint("matmul", C, A, B);
  C.fill(0);
  accumulate(A, B, m, k, n, C);
  return C;
}

/** C += A·B, in i-p-j order (rows of B read contiguously). */
function accumulate(A: Vec, B: Vec, m: number, k: number, n: number, C: Vec): void {
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      if (a === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
    }
  }
}

/** d(A·B) = dA·B + A·dB, in the same pass over B as the primal. */
export function matmul_jvp(A: Vec, A_dot: Dot, B: Vec, B_dot: Dot, m: number, k: number, n: number, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  dims("matmul", A, m, k);
  dims("matmul", B, k, n, "B");
  if (A_dot) dims("matmul", A_dot, m, k, "A's tangent");
  if (B_dot) dims("matmul", B_dot, k, n, "B's tangent");
  const C = output("matmul", out, m * n);
  const dC = output("matmul", out_dot ?? undefined, m * n);
  disjoint("matmul", C, A, B);
  disjoint("matmul", dC, A, B, ...(A_dot ? [A_dot] : []), ...(B_dot ? [B_dot] : []));
  C.fill(0);
  dC.fill(0);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      const da = A_dot ? A_dot[i * k + p] : 0;
      const bp = p * n;
      if (A_dot && B_dot) {
        for (let j = 0; j < n; j++) {
          const b = B[bp + j];
          C[ci + j] += a * b;
          dC[ci + j] += da * b + a * B_dot[bp + j];
        }
      } else if (A_dot) {
        for (let j = 0; j < n; j++) {
          const b = B[bp + j];
          C[ci + j] += a * b;
          dC[ci + j] += da * b;
        }
      } else if (B_dot) {
        for (let j = 0; j < n; j++) {
          C[ci + j] += a * B[bp + j];
          dC[ci + j] += a * B_dot[bp + j];
        }
      } else {
        for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
      }
    }
  }
  return [C, dC];
}

/** Aᵀ, A m×n: out is n×m. @tsjvpOp */
export function transpose(A: Vec, m: number, n: number, out?: Vec): Vec {
  dims("transpose", A, m, n);
  const T = output("transpose", out, m * n);
  disjoint("transpose", T, A);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

export function transpose_jvp(A: Vec, A_dot: Dot, m: number, n: number, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const T = transpose(A, m, n, out);
  const d = output("transpose", out_dot ?? undefined, m * n);
  if (A_dot) {
    disjoint("transpose", d, A, A_dot);
    transpose(A_dot, m, n, d);
  } else {
    d.fill(0);
  }
  return [T, d];
}

/** x yᵀ: out is x.length × y.length. @tsjvpOp */
export function outer(x: Vec, y: Vec, out?: Vec): Vec {
  const m = x.length;
  const n = y.length;
  const o = output("outer", out, m * n);
  disjoint("outer", o, x, y);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) o[i * n + j] = x[i] * y[j];
  return o;
}

/** d(x yᵀ) = dx yᵀ + x dyᵀ. */
export function outer_jvp(x: Vec, x_dot: Dot, y: Vec, y_dot: Dot, out?: Vec, out_dot?: Dot): [Vec, Vec] {
  const o = outer(x, y, out);
  const m = x.length;
  const n = y.length;
  const d = output("outer", out_dot ?? undefined, m * n);
  disjoint("outer", d, x, y, ...(x_dot ? [x_dot] : []), ...(y_dot ? [y_dot] : []));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) d[i * n + j] = (x_dot ? x_dot[i] * y[j] : 0) + (y_dot ? x[i] * y_dot[j] : 0);
  }
  return [o, d];
}

// Run-time dispatch (jvp(dot, …) on a value): which parameters take a tangent.
const V = true;
const S = false;
registerTwin(sum, sum_jvp, [V]);
registerTwin(dot, dot_jvp, [V, V]);
registerTwin(norm2, norm2_jvp, [V]);
registerTwin(logsumexp, logsumexp_jvp, [V]);
registerTwin(axpy, axpy_jvp, [V, V, V, V]);
registerTwin(scale, scale_jvp, [V, V, V]);
for (const [f, t] of [[add, add_jvp], [sub, sub_jvp], [mul, mul_jvp], [div, div_jvp]] as const) registerTwin(f, t, [V, V, V]);
for (const [f, t] of [[exp, exp_jvp], [log, log_jvp], [tanh, tanh_jvp], [sigmoid, sigmoid_jvp], [softplus, softplus_jvp], [relu, relu_jvp], [softmax, softmax_jvp]] as const) registerTwin(f, t, [V, V]);
registerTwin(matvec, matvec_jvp, [V, S, S, V, V]);
registerTwin(matmul, matmul_jvp, [V, V, S, S, S, V]);
registerTwin(transpose, transpose_jvp, [V, S, S, V]);
registerTwin(outer, outer_jvp, [V, V, V]);

// ---- index sets: each primitive's pattern (what sparsity(f) runs through a primitive) ----------
//
// `<name>_sp` takes the primitive's arguments with, after each data and out argument, its index
// sets (ids from the runtime's table, as in an index-set twin; null for a constant) and returns
// [the primitive's result, the sets of each entry of it].

type Sets = Float64Array | null | undefined;

/** The union of every entry's set (a reduction reads them all). */
function allOf(s: Sets): number {
  let id = 0;
  if (s) for (let i = 0; i < s.length; i++) id = unionSets(id, s[i]);
  return id;
}

function at(s: Sets, i: number): number {
  return s ? s[i]! : 0;
}

/** Writes `sets` into out's sets (after the primitive ran: an in-place call may share them with an input's). */
function setsOut(out: Vec, out_sets: Sets, sets: Float64Array): [Vec, Vec] {
  const d = out_sets ?? new Float64Array(sets.length);
  d.set(sets);
  return [out, d];
}

export function sum_sp(x: Vec, x_sets: Sets): [number, number] {
  return [sum(x), allOf(x_sets)];
}
export function dot_sp(x: Vec, x_sets: Sets, y: Vec, y_sets: Sets): [number, number] {
  return [dot(x, y), unionSets(allOf(x_sets), allOf(y_sets))];
}
export function norm2_sp(x: Vec, x_sets: Sets): [number, number] {
  return [norm2(x), allOf(x_sets)];
}
export function logsumexp_sp(x: Vec, x_sets: Sets): [number, number] {
  return [logsumexp(x), allOf(x_sets)];
}
export function axpy_sp(a: number, a_sets: number | null, x: Vec, x_sets: Sets, y: Vec, y_sets: Sets, out?: Vec, out_sets?: Sets): [Vec, Vec] {
  return setsOut(axpy(a, x, y, out), out_sets, Float64Array.from(x, (_, i) => unionSets(a_sets, at(x_sets, i), at(y_sets, i))));
}
export function scale_sp(a: number, a_sets: number | null, x: Vec, x_sets: Sets, out?: Vec, out_sets?: Sets): [Vec, Vec] {
  return setsOut(scale(a, x, out), out_sets, Float64Array.from(x, (_, i) => unionSets(a_sets, at(x_sets, i))));
}

/** Element-wise primitives of two arguments: entry i reads entry i of each. */
function pairwise(op: (x: Vec, y: Vec, out?: Vec) => Vec): (x: Vec, x_sets: Sets, y: Vec, y_sets: Sets, out?: Vec, out_sets?: Sets) => [Vec, Vec] {
  return (x, x_sets, y, y_sets, out, out_sets) => setsOut(op(x, y, out), out_sets, Float64Array.from(x, (_, i) => unionSets(at(x_sets, i), at(y_sets, i))));
}
export const add_sp = pairwise(add);
export const sub_sp = pairwise(sub);
export const mul_sp = pairwise(mul);
export const div_sp = pairwise(div);

/** Element-wise primitives of one argument: entry i reads entry i. */
function elementwise(op: (x: Vec, out?: Vec) => Vec): (x: Vec, x_sets: Sets, out?: Vec, out_sets?: Sets) => [Vec, Vec] {
  return (x, x_sets, out, out_sets) => setsOut(op(x, out), out_sets, Float64Array.from(x, (_, i) => at(x_sets, i)));
}
export const exp_sp = elementwise(exp);
export const log_sp = elementwise(log);
export const tanh_sp = elementwise(tanh);
export const sigmoid_sp = elementwise(sigmoid);
export const softplus_sp = elementwise(softplus);
export const relu_sp = elementwise(relu);

export function softmax_sp(x: Vec, x_sets: Sets, out?: Vec, out_sets?: Sets): [Vec, Vec] {
  const all = allOf(x_sets);
  return setsOut(softmax(x, out), out_sets, new Float64Array(x.length).fill(all));
}
export function matvec_sp(A: Vec, A_sets: Sets, m: number, n: number, x: Vec, x_sets: Sets, out?: Vec, out_sets?: Sets): [Vec, Vec] {
  const sets = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sets[i] = unionSets(sets[i], at(A_sets, i * n + j), at(x_sets, j));
  return setsOut(matvec(A, m, n, x, out), out_sets, sets);
}
export function matmul_sp(A: Vec, A_sets: Sets, B: Vec, B_sets: Sets, m: number, k: number, n: number, out?: Vec, out_sets?: Sets): [Vec, Vec] {
  const sets = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) sets[i * n + j] = unionSets(sets[i * n + j], at(A_sets, i * k + l), at(B_sets, l * n + j));
  return setsOut(matmul(A, B, m, k, n, out), out_sets, sets);
}
export function transpose_sp(A: Vec, A_sets: Sets, m: number, n: number, out?: Vec, out_sets?: Sets): [Vec, Vec] {
  const sets = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sets[j * m + i] = at(A_sets, i * n + j);
  return setsOut(transpose(A, m, n, out), out_sets, sets);
}
export function outer_sp(x: Vec, x_sets: Sets, y: Vec, y_sets: Sets, out?: Vec, out_sets?: Sets): [Vec, Vec] {
  const sets = new Float64Array(x.length * y.length);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) sets[i * y.length + j] = unionSets(at(x_sets, i), at(y_sets, j));
  return setsOut(outer(x, y, out), out_sets, sets);
}
