/**
 * tsjvp/ops as plain functions (no plugin): each primitive against its formula, each twin against
 * 4th-order central differences in random directions (|fd − t| ≤ 1e-7·(1 + |t|)), null tangents
 * against zero tangents, in-place `out`, the errors for bad sizes and overlapping `out`, and
 * run-time dispatch through `jvp`.
 */
import { expect } from "chai";
import { jvp } from "../runtime/index";
import * as ops from "../runtime/ops";

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(7);
const vec = (n: number, lo = -1, hi = 1) => Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());
const flat = (v: number | Float64Array) => (typeof v === "number" ? [v] : Array.from(v));

/** 4th-order central difference of f along the directions, at step h. */
function differences(f: (...xs: (number | Float64Array)[]) => number | Float64Array, xs: (number | Float64Array)[], ds: (number | Float64Array | null)[], h = 1e-3): number[] {
  const at = (s: number) => flat(f(...xs.map((x, i) => {
    const d = ds[i];
    if (d === null) return typeof x === "number" ? x : x.slice();
    return typeof x === "number" ? x + s * (d as number) : x.map((v, j) => v + s * (d as Float64Array)[j]);
  })));
  const [p2, p1, m1, m2] = [at(2 * h), at(h), at(-h), at(-2 * h)];
  return p1.map((_, i) => (-p2[i] + 8 * p1[i] - 8 * m1[i] + m2[i]) / (12 * h));
}

function expectClose(actual: number[], expected: number[], tol: number, what: string): void {
  expect(actual.length, what).to.equal(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `${what}[${i}]: ${a} vs ${expected[i]}`).to.be.at.most(tol * (1 + Math.abs(expected[i]))));
}

/** Each primitive with arguments: data (random), sizes, and which argument positions are data. */
const cases: { name: keyof typeof ops; args: () => (number | Float64Array)[]; data: boolean[]; formula: (...xs: never[]) => number[] }[] = [
  { name: "sum", args: () => [vec(5)], data: [true], formula: (x: Float64Array) => [x.reduce((s, v) => s + v, 0)] },
  { name: "dot", args: () => [vec(5), vec(5)], data: [true, true], formula: (x: Float64Array, y: Float64Array) => [x.reduce((s, v, i) => s + v * y[i], 0)] },
  { name: "norm2", args: () => [vec(5)], data: [true], formula: (x: Float64Array) => [Math.hypot(...x)] },
  { name: "logsumexp", args: () => [vec(5, -3, 3)], data: [true], formula: (x: Float64Array) => [Math.log(x.reduce((s, v) => s + Math.exp(v), 0))] },
  { name: "axpy", args: () => [0.7, vec(4), vec(4)], data: [true, true, true], formula: (a: number, x: Float64Array, y: Float64Array) => Array.from(x, (v, i) => a * v + y[i]) },
  { name: "scale", args: () => [-1.3, vec(4)], data: [true, true], formula: (a: number, x: Float64Array) => Array.from(x, (v) => a * v) },
  { name: "add", args: () => [vec(4), vec(4)], data: [true, true], formula: (x: Float64Array, y: Float64Array) => Array.from(x, (v, i) => v + y[i]) },
  { name: "sub", args: () => [vec(4), vec(4)], data: [true, true], formula: (x: Float64Array, y: Float64Array) => Array.from(x, (v, i) => v - y[i]) },
  { name: "mul", args: () => [vec(4), vec(4)], data: [true, true], formula: (x: Float64Array, y: Float64Array) => Array.from(x, (v, i) => v * y[i]) },
  { name: "div", args: () => [vec(4), vec(4, 1, 2)], data: [true, true], formula: (x: Float64Array, y: Float64Array) => Array.from(x, (v, i) => v / y[i]) },
  { name: "exp", args: () => [vec(4)], data: [true], formula: (x: Float64Array) => Array.from(x, Math.exp) },
  { name: "log", args: () => [vec(4, 0.5, 2)], data: [true], formula: (x: Float64Array) => Array.from(x, Math.log) },
  { name: "tanh", args: () => [vec(4)], data: [true], formula: (x: Float64Array) => Array.from(x, Math.tanh) },
  { name: "sigmoid", args: () => [vec(4, -5, 5)], data: [true], formula: (x: Float64Array) => Array.from(x, (v) => 1 / (1 + Math.exp(-v))) },
  { name: "softplus", args: () => [vec(4, -5, 5)], data: [true], formula: (x: Float64Array) => Array.from(x, (v) => Math.log(1 + Math.exp(v))) },
  { name: "relu", args: () => [vec(6)], data: [true], formula: (x: Float64Array) => Array.from(x, (v) => Math.max(v, 0)) },
  { name: "softmax", args: () => [vec(5, -3, 3)], data: [true], formula: (x: Float64Array) => { const e = Array.from(x, Math.exp); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); } },
  { name: "matvec", args: () => [vec(6), 2, 3, vec(3)], data: [true, false, false, true], formula: (A: Float64Array, m: number, n: number, x: Float64Array) => Array.from({ length: m }, (_, i) => x.reduce((s, v, j) => s + A[i * n + j] * v, 0)) },
  { name: "matmul", args: () => [vec(6), vec(12), 2, 3, 4], data: [true, true, false, false, false], formula: (A: Float64Array, B: Float64Array, m: number, k: number, n: number) => Array.from({ length: m * n }, (_, ij) => { const [i, j] = [Math.floor(ij / n), ij % n]; let s = 0; for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j]; return s; }) },
  { name: "transpose", args: () => [vec(6), 2, 3], data: [true, false, false], formula: (A: Float64Array, m: number, n: number) => Array.from({ length: m * n }, (_, ji) => { const [j, i] = [Math.floor(ji / m), ji % m]; return A[i * n + j]; }) },
  { name: "outer", args: () => [vec(3), vec(2)], data: [true, true], formula: (x: Float64Array, y: Float64Array) => Array.from({ length: 6 }, (_, ij) => x[Math.floor(ij / 2)] * y[ij % 2]) },
];

type Fn = (...xs: unknown[]) => number | Float64Array;
const primal = (name: string) => (ops as unknown as Record<string, Fn>)[name];
const twin = (name: string) => (ops as unknown as Record<string, (...xs: unknown[]) => [number | Float64Array, number | Float64Array]>)[`${name}_jvp`];

/** The twin's interleaved arguments: a tangent after each data argument. */
function interleave(args: (number | Float64Array)[], data: boolean[], tangents: (number | Float64Array | null)[]): unknown[] {
  return args.flatMap((a, i) => (data[i] ? [a, tangents[i]] : [a]));
}

describe("tsjvp/ops: the primitives and their hand-written twins", () => {
  for (const c of cases) {
    it(`${c.name}: the formula, central differences, null tangents, run-time dispatch`, () => {
      const args = c.args();
      expectClose(flat(primal(c.name)(...args)), c.formula(...(args as never[])), 1e-12, `${c.name} primal`);
      const dirs = args.map((a, i) => (!c.data[i] ? null : typeof a === "number" ? rand() * 2 - 1 : vec(a.length)));
      const [value, tangent] = twin(c.name)(...interleave(args, c.data, dirs));
      expectClose(flat(value), c.formula(...(args as never[])), 1e-12, `${c.name} twin primal`);
      expectClose(flat(tangent), differences(primal(c.name) as never, args, dirs), 1e-7, `${c.name} tangent`);
      // A null tangent is a zero: the twin skips that work and gives what zeros give.
      const first = c.data.indexOf(true);
      const someNull = dirs.map((d, i) => (i === first ? null : d));
      const zeros = dirs.map((d, i) => (i === first ? (typeof d === "number" ? 0 : new Float64Array((d as Float64Array).length)) : d));
      expect(flat(twin(c.name)(...interleave(args, c.data, someNull))[1])).to.deep.equal(flat(twin(c.name)(...interleave(args, c.data, zeros))[1]));
      // jvp(primitive, …) without the plugin dispatches to the registered twin.
      const [dv, dt] = jvp(primal(c.name) as (...xs: unknown[]) => number | Float64Array, args as never, dirs as never);
      expect(flat(dv as number | Float64Array)).to.deep.equal(flat(value));
      expect(flat(dt as number | Float64Array)).to.deep.equal(flat(tangent));
    });
  }

  it("element-wise primitives and their twins work in place (out is an input)", () => {
    const x = vec(5);
    const dx = vec(5);
    const [y, dy] = ops.tanh_jvp(x, dx);
    const xi = x.slice();
    const dxi = dx.slice();
    const [yi, dyi] = ops.tanh_jvp(xi, dxi, xi, dxi);
    expect(yi).to.equal(xi);
    expect(Array.from(yi)).to.deep.equal(Array.from(y));
    expect(Array.from(dyi)).to.deep.equal(Array.from(dy));
    const a = vec(4);
    const b = vec(4);
    const [s, ds] = ops.softmax_jvp(a, b);
    const [si, dsi] = ops.softmax_jvp(a.slice(), b.slice(), a, b);
    expect(Array.from(si)).to.deep.equal(Array.from(s));
    expect(Array.from(dsi)).to.deep.equal(Array.from(ds));
    const z = vec(4);
    const w = vec(4);
    const expected = ops.axpy(2, z, w);
    expect(Array.from(ops.axpy(2, z, w, w))).to.deep.equal(Array.from(expected));
  });

  it("relu'(0) = 0 (JAX's convention); softplus and sigmoid do not overflow", () => {
    expect(Array.from(ops.relu_jvp(Float64Array.of(0, -1, 2), Float64Array.of(1, 1, 1))[1])).to.deep.equal([0, 0, 1]);
    expect(Array.from(ops.softplus(Float64Array.of(800, -800)))).to.deep.equal([800, 0]);
    expect(Array.from(ops.sigmoid(Float64Array.of(-800, 800)))).to.deep.equal([0, 1]);
    expect(ops.logsumexp(Float64Array.of(1000, 1000))).to.be.closeTo(1000 + Math.LN2, 1e-9);
  });

  it("throws a clear error for an out that overlaps an input, and for sizes that do not match", () => {
    const A = vec(6);
    const x = vec(3);
    expect(() => ops.matvec(A, 2, 3, x, A.subarray(0, 2))).to.throw("tsjvp/ops: matvec: out overlaps an input; pass a separate array");
    expect(() => ops.matmul(A, x, 2, 3, 2)).to.throw("tsjvp/ops: matmul: B has length 3, expected 3×2 = 6");
    expect(() => ops.transpose(A, 2, 3, A)).to.throw("tsjvp/ops: transpose: out overlaps an input");
    expect(() => ops.outer(x, x, x)).to.throw("tsjvp/ops: outer: out has length 3, expected 9");
    expect(() => ops.matvec(A, 3, 3, x)).to.throw("tsjvp/ops: matvec: A has length 6, expected 3×3 = 9");
    expect(() => ops.dot(x, A)).to.throw("tsjvp/ops: dot: lengths differ (3 and 6)");
  });
});
