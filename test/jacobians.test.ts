/**
 * jacfwd through every path it takes: vector twins (eight columns per pass) for functions it
 * differentiates in their module, one full-twin pass per column for what has no vector twin (a
 * primitive of tsjvp/ops inside, a tagged function of another module), and a custom rule. Vector
 * mode must give the Jacobian of the column-by-column twin bit for bit; every Jacobian is checked
 * against central differences (h = 1e-6, |fd − J| ≤ 1e-6·(1 + |J|)).
 */
import { expect } from "chai";
import * as path from "node:path";
import { compileSources, emitFixture, repoRoot } from "./support/compile";

const dir = path.join(repoRoot, "build", "jacobians-test");

const lib = `
/** @jvp */
export function poly(x: Float64Array): Float64Array {
  return Float64Array.of(x[0] * x[1] * x[1], Math.exp(x[2]) - x[0]);
}
`;

const main = `
import { jacfwd, defineJvp } from "tsjvp";
import { dot, softmax, tanh } from "tsjvp/ops";
import { poly } from "./lib";

export function dense(W: Float64Array, b: Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) {
    let s = b[i];
    for (let j = 0; j < n; j++) s += W[i * n + j] * x[j];
    y[i] = Math.tanh(s);
  }
  return y;
}

export function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

function sq(v: number): number {
  return v * Math.sin(v) + Math.sqrt(1 + v * v);
}

export function chained(x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = sq(x[i] * k) + (i > 0 ? x[i - 1] * x[i] : Math.pow(x[0], 3));
  return out;
}

export function withOps(x: Float64Array): number {
  return dot(softmax(x), x);
}

export function withOut(x: Float64Array): number {
  const out = new Float64Array(x.length);
  tanh(x, out);
  return dot(out, x);
}

/** Writes its argument: x ← 2x, after reading it. */
export function scaleInPlace(x: Float64Array): number {
  let s = 0;
  let q = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
    q += x[i];
  }
  for (let i = 0; i < x.length; i++) x[i] = 2 * x[i];
  return s + q * q * q;
}

export function square(t: number): number {
  return t * t;
}

export function hinge(x: number, y: number): number {
  return Math.max(x, 0) * y;
}
defineJvp(hinge, ([x, y], [dx, dy]) => [hinge(x, y), (x > 0 ? (dx ?? 0) * y : 0) + Math.max(x, 0) * (dy ?? 0)]);

export { poly };
export const jacobians = {
  dense: jacfwd(dense, { argnums: 2 }),
  denseColumns: jacfwd(dense, { argnums: 2, chunk: 1 }),
  rosenbrock: jacfwd(rosenbrock),
  rosenbrockColumns: jacfwd(rosenbrock, { chunk: 1 }),
  chained: jacfwd(chained),
  chainedColumns: jacfwd(chained, { chunk: 1 }),
  chainedK: jacfwd(chained, { argnums: 1 }),
  withOps: jacfwd(withOps),
  withOut: jacfwd(withOut),
  square: jacfwd(square),
  scaleInPlace: jacfwd(scaleInPlace),
  poly: jacfwd(poly),
  hinge: jacfwd(hinge),
};
`;

type Fn = (...args: unknown[]) => unknown;

interface Compiled {
  readonly jacobians: Record<string, Fn>;
  readonly dense: Fn;
  readonly rosenbrock: Fn;
  readonly chained: Fn;
  readonly withOps: Fn;
  readonly withOut: Fn;
  readonly poly: Fn;
  readonly hinge: Fn;
}

/** Column j of the Jacobian of f at x by central differences, flattened like jacfwd's blocks. */
function centralColumns(f: (x: Float64Array) => number | Float64Array, x: Float64Array): number[][] {
  const h = 1e-6;
  return Array.from(x, (_, j) => {
    const plus = Float64Array.from(x);
    const minus = Float64Array.from(x);
    plus[j] += h;
    minus[j] -= h;
    const [a, b] = [f(plus), f(minus)];
    return typeof a === "number" ? [(a - (b as number)) / (2 * h)] : Array.from(a, (v, i) => (v - (b as Float64Array)[i]) / (2 * h));
  });
}

/** Compares a row-major Jacobian (m × n) with columns from central differences. */
function expectJacobian(J: number | Float64Array, columns: number[][], what: string): void {
  const n = columns.length;
  const m = columns[0].length;
  const flat = typeof J === "number" ? [J] : Array.from(J);
  expect(flat.length, `${what}: size`).to.equal(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const value = flat[i * n + j];
      expect(Math.abs(columns[j][i] - value), `${what}[${i}, ${j}] = ${value}, central difference ${columns[j][i]}`).to.be.at.most(1e-6 * (1 + Math.abs(value)));
    }
  }
}

function expectBitwiseEqual(a: Float64Array | number, b: Float64Array | number, what: string): void {
  const [x, y] = [typeof a === "number" ? [a] : Array.from(a), typeof b === "number" ? [b] : Array.from(b)];
  expect(x.length, what).to.equal(y.length);
  x.forEach((v, i) => expect(Object.is(v, y[i]), `${what}[${i}]: ${v} and ${y[i]}`).to.equal(true));
}

describe("jacfwd", () => {
  let mod: Compiled;

  before(() => {
    const compiled = compileSources(dir, { "lib.ts": lib, "main.ts": main });
    expect(compiled.errors).to.equal("");
    // Which functions got a vector twin: those whose twins call only twins of their module.
    const printed = compiled.printed.get("main.ts")!;
    for (const name of ["dense_jvp_wrt_x", "rosenbrock_jvp", "chained_jvp_wrt_x", "chained_jvp_wrt_k", "sq_jvp", "square_jvp", "withOps_jvp"]) expect(printed, name).to.contain(`function ${name}_v8(`);
    // A primitive writing an out (which may be one of its inputs) is not repeated per direction.
    expect(printed).to.not.contain("withOut_jvp_v8");
    emitFixture(compiled.program, path.join(dir, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path.join(dir, "out", "main.js")) as Compiled;
  });

  const W = Float64Array.from({ length: 3 * 19 }, (_, k) => Math.sin(k + 1) * 0.3);
  const b = Float64Array.of(0.1, -0.2, 0.05);
  const x = Float64Array.from({ length: 19 }, (_, k) => 0.1 * k - 0.8);

  it("vector mode (eight columns per pass) equals one full-twin pass per column, bit for bit", () => {
    // The functions carry their vector twins (else both Jacobians would come from the full twin).
    const twins = (f: Fn) => (f as unknown as Record<symbol, { lanes: number }[] | undefined>)[Symbol.for("tsjvp.vectorTwin")] ?? [];
    const lanes = (f: Fn) => (twins(f).length > 0 ? Math.max(...twins(f).map((t) => t.lanes)) : undefined);
    expect([mod.dense, mod.rosenbrock, mod.chained].map(lanes)).to.deep.equal([8, 8, 8]);
    // chained: for x and for k, each one lane (chunk: 1) and eight.
    expect(twins(mod.chained).map((t) => t.lanes)).to.deep.equal([1, 8, 1, 8]);
    expect(lanes(mod.withOut)).to.equal(1); // its twin for x, one direction per pass
    expectBitwiseEqual(mod.jacobians.dense(W, b, x) as Float64Array, mod.jacobians.denseColumns(W, b, x) as Float64Array, "dense");
    expectBitwiseEqual(mod.jacobians.rosenbrock(x) as Float64Array, mod.jacobians.rosenbrockColumns(x) as Float64Array, "rosenbrock");
    expectBitwiseEqual(mod.jacobians.chained(x, 1.3) as Float64Array, mod.jacobians.chainedColumns(x, 1.3) as Float64Array, "chained");
  });

  it("matches central differences: m × n row-major, gradients, a twin calling another's vector twin", () => {
    expectJacobian(mod.jacobians.dense(W, b, x) as Float64Array, centralColumns((v) => mod.dense(W, b, v) as Float64Array, x), "dense");
    expectJacobian(mod.jacobians.rosenbrock(x) as Float64Array, centralColumns((v) => mod.rosenbrock(v) as number, x), "rosenbrock");
    expectJacobian(mod.jacobians.chained(x, 1.3) as Float64Array, centralColumns((v) => mod.chained(v, 1.3) as Float64Array, x), "chained");
    // With respect to the number k: a Float64Array(m), the derivative of each output.
    const dk = mod.jacobians.chainedK(x, 1.3) as Float64Array;
    const h = 1e-6;
    const [plus, minus] = [mod.chained(x, 1.3 + h) as Float64Array, mod.chained(x, 1.3 - h) as Float64Array];
    dk.forEach((v, i) => expect(Math.abs(v - (plus[i] - minus[i]) / (2 * h))).to.be.at.most(1e-6 * (1 + Math.abs(v))));
  });

  it("calls a primitive's twin once per direction; takes one pass per column where there is no vector twin", () => {
    const small = Float64Array.of(0.3, -0.7, 1.2);
    expectJacobian(mod.jacobians.withOps(small) as Float64Array, centralColumns((v) => mod.withOps(v) as number, small), "withOps");
    expectJacobian(mod.jacobians.withOut(small) as Float64Array, centralColumns((v) => mod.withOut(v) as number, small), "withOut");
    expectJacobian(mod.jacobians.poly(small) as Float64Array, centralColumns((v) => mod.poly(v) as Float64Array, small), "poly");
  });

  it("takes every column at the arguments given, for a function that writes them (several passes)", () => {
    // scaleInPlace writes x: each pass must start from the x it was given, and x ends as one call leaves it.
    const xs = Float64Array.from({ length: 11 }, (_, k) => 0.2 * k - 1);
    const before = Float64Array.from(xs);
    const J = mod.jacobians.scaleInPlace(xs) as Float64Array;
    const expected = new Float64Array(11);
    before.forEach((v, j) => (expected[j] = 2 * v + 3 * before.reduce((s, w) => s + w, 0) ** 2));
    Array.from(J).forEach((g, j) => expect(g).to.be.closeTo(expected[j], 1e-9 * (1 + Math.abs(expected[j]))));
    expect(Array.from(xs)).to.deep.equal(Array.from(before, (v) => 2 * v));
  });

  it("uses a custom rule, and gives a number for a number of a number", () => {
    expect(mod.jacobians.square(3)).to.equal(6);
    expect(mod.jacobians.hinge(2, 5)).to.equal(5);
    expect(mod.jacobians.hinge(-2, 5)).to.equal(0);
  });

  it("says what is wrong with an argument it cannot differentiate", () => {
    expect(() => mod.jacobians.rosenbrock({ a: 1 })).to.throw(/with respect to a number or a Float64Array; argument 0 is neither/);
    const jacfwd = (require(path.join(repoRoot, "dist", "runtime", "index.js")) as { jacfwd: (f: Fn, o?: object) => Fn }).jacfwd;
    expect(() => jacfwd(mod.rosenbrock, { argnums: 3 })(x)).to.throw(/has no argument 3/);
    expect(() => jacfwd(mod.rosenbrock, { chunk: 0 })).to.throw(/chunk must be a positive integer/);
    expect(() => jacfwd(((v: number) => v) as Fn)(1)).to.throw(/found no twin/);
  });
});
