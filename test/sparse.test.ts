/**
 * Sparse Jacobians: `sparsity` (the pattern, from the index-set twin) and `jacfwdSparse` (CSR values
 * from compressed forward passes), against dense Jacobians from jacfwd and central differences, on
 * functions with known patterns: a banded ODE right-hand side and a small bundle adjustment (with
 * its small-angle branch); patterns hold for every value (both sides of a branch on the data); what
 * the index-set pass cannot follow is TS97030.
 */
import { expect } from "chai";
import * as path from "node:path";
import { compileSources, emitFixture, repoRoot } from "./support/compile";

const dir = path.join(repoRoot, "build", "sparse-test");

const main = `
import { jacfwd, jacfwdSparse, sparsity, type SparsityPattern } from "tsjvp";
import { sum } from "tsjvp/ops";

/** A banded right-hand side (method of lines): u_i' = u_{i-1} - 2 u_i + u_{i+1} + u_i². */
export function heat(u: Float64Array): Float64Array {
  const n = u.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const left = i > 0 ? u[i - 1] : 0;
    const right = i + 1 < n ? u[i + 1] : 0;
    out[i] = left - 2 * u[i] + right + u[i] * u[i];
  }
  return out;
}

/** A branch on the data: the pattern has both sides, wherever x[0] is. */
export function branchy(x: Float64Array): Float64Array {
  const y = new Float64Array(3);
  if (x[0] > 0) {
    y[0] = x[1] * 2;
  } else {
    y[0] = Math.sin(x[2]);
  }
  y[1] = Math.max(x[3], x[0]);
  y[2] = x[2] > 0 ? x[3] : 1;
  return y;
}

/**
 * Bundle adjustment's residuals: camera c = (w: a rotation vector, t: a translation), point p; the
 * rotation by Rodrigues' formula, its first-order form where the angle is (nearly) zero.
 */
export function residuals(params: Float64Array, cams: Int32Array, pts: Int32Array, obs: Float64Array, nCams: number): Float64Array {
  const r = new Float64Array(obs.length);
  for (let k = 0; k < cams.length; k++) {
    const c = 6 * cams[k];
    const p = 6 * nCams + 3 * pts[k];
    const w0 = params[c], w1 = params[c + 1], w2 = params[c + 2];
    const X0 = params[p], X1 = params[p + 1], X2 = params[p + 2];
    const theta2 = w0 * w0 + w1 * w1 + w2 * w2;
    let R0 = 0, R1 = 0, R2 = 0;
    if (theta2 > 1e-12) {
      const theta = Math.sqrt(theta2);
      const cs = Math.cos(theta), sn = Math.sin(theta);
      const k0 = w0 / theta, k1 = w1 / theta, k2 = w2 / theta;
      const dot = (k0 * X0 + k1 * X1 + k2 * X2) * (1 - cs);
      R0 = X0 * cs + (k1 * X2 - k2 * X1) * sn + k0 * dot;
      R1 = X1 * cs + (k2 * X0 - k0 * X2) * sn + k1 * dot;
      R2 = X2 * cs + (k0 * X1 - k1 * X0) * sn + k2 * dot;
    } else {
      R0 = X0 + w1 * X2 - w2 * X1;
      R1 = X1 + w2 * X0 - w0 * X2;
      R2 = X2 + w0 * X1 - w1 * X0;
    }
    const z = R2 + params[c + 5] + 5;
    r[2 * k] = (R0 + params[c + 3]) / z - obs[2 * k];
    r[2 * k + 1] = (R1 + params[c + 4]) / z - obs[2 * k + 1];
  }
  return r;
}

/** A primitive's result chosen by Math.max (found by the fuzzer: at x = 0 the pattern was empty). */
export function clipped(x: Float64Array): number {
  return Math.max(sum(x), x.length);
}

/** A number argument: a column of one. */
export function curve(t: number): Float64Array {
  return Float64Array.of(Math.sin(t), t * t, 3);
}

export const patternOf = {
  heat: (u: Float64Array) => sparsity(heat)(u),
  branchy: (x: Float64Array) => sparsity(branchy)(x),
  clipped: (x: Float64Array) => sparsity(clipped)(x),
  residuals: (params: Float64Array, cams: Int32Array, pts: Int32Array, obs: Float64Array, nCams: number) => sparsity(residuals)(params, cams, pts, obs, nCams),
};
export const sparse = {
  heat: (u: Float64Array) => jacfwdSparse(heat)(u),
  residuals: (params: Float64Array, cams: Int32Array, pts: Int32Array, obs: Float64Array, nCams: number, pattern: SparsityPattern) =>
    jacfwdSparse(residuals, { pattern })(params, cams, pts, obs, nCams),
  curve: (t: number) => jacfwdSparse(curve)(t),
  heatWith: (u: Float64Array, pattern: SparsityPattern) => jacfwdSparse(heat, { pattern })(u),
};
export const dense = {
  heat: (u: Float64Array) => jacfwd(heat)(u),
  residuals: (params: Float64Array, cams: Int32Array, pts: Int32Array, obs: Float64Array, nCams: number) => jacfwd(residuals)(params, cams, pts, obs, nCams),
};
`;

type Fn = (...args: unknown[]) => unknown;
interface Pattern { m: number; n: number; rowPtr: Int32Array; colIdx: Int32Array; colors: Int32Array; colorCount: number }
interface Sparse { m: number; n: number; rowPtr: Int32Array; colIdx: Int32Array; values: Float64Array }
interface Compiled { patternOf: Record<string, Fn>; sparse: Record<string, Fn>; dense: Record<string, Fn>; residuals: Fn; heat: Fn }

function rows(p: { m: number; rowPtr: Int32Array; colIdx: Int32Array }): number[][] {
  return Array.from({ length: p.m }, (_, i) => Array.from(p.colIdx.subarray(p.rowPtr[i], p.rowPtr[i + 1])));
}

/** The CSR matrix as a dense row-major one. */
function densify(s: Sparse): Float64Array {
  const out = new Float64Array(s.m * s.n);
  for (let i = 0; i < s.m; i++) for (let k = s.rowPtr[i]; k < s.rowPtr[i + 1]; k++) out[i * s.n + s.colIdx[k]] = s.values[k];
  return out;
}

/** Columns of one colour share no row. */
function expectValidColouring(p: Pattern): void {
  for (const row of rows(p)) {
    const colours = row.map((j) => p.colors[j]);
    expect(new Set(colours).size, `colours of row ${row}`).to.equal(colours.length);
  }
}

describe("sparse Jacobians: sparsity and jacfwdSparse", function () {
  this.timeout(120000);
  let mod: Compiled;

  before(() => {
    const compiled = compileSources(dir, { "main.ts": main });
    expect(compiled.errors).to.equal("");
    const printed = compiled.printed.get("main.ts")!;
    expect(printed).to.contain("function heat_jvp_sp(").and.contain("function residuals_jvp_wrt_params_sp(");
    emitFixture(compiled.program, path.join(dir, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path.join(dir, "out", "main.js")) as Compiled;
  });

  it("a banded right-hand side: the tridiagonal pattern, three colours, values equal to the dense Jacobian's", () => {
    const u = Float64Array.from({ length: 9 }, (_, i) => Math.cos(i) + 0.5);
    const p = mod.patternOf.heat(u) as Pattern;
    expect([p.m, p.n]).to.deep.equal([9, 9]);
    expect(rows(p)).to.deep.equal(Array.from({ length: 9 }, (_, i) => [i - 1, i, i + 1].filter((j) => j >= 0 && j < 9)));
    expect(p.colorCount).to.equal(3);
    expectValidColouring(p);
    const s = mod.sparse.heat(u) as Sparse;
    expect(Array.from(densify(s))).to.deep.equal(Array.from(mod.dense.heat(u) as Float64Array));
    // Analytic: ∂out_i/∂u_i = -2 + 2u_i, neighbours 1.
    for (let i = 0; i < 9; i++) expect(s.values[s.rowPtr[i] + (i > 0 ? 1 : 0)]).to.be.closeTo(-2 + 2 * u[i], 1e-14);
  });

  it("a branch on the data: both sides are in the pattern, wherever the point is", () => {
    const expected = [[1, 2], [0, 3], [3]];
    expect(rows(mod.patternOf.branchy(Float64Array.of(1, 2, 3, 4)) as Pattern)).to.deep.equal(expected);
    expect(rows(mod.patternOf.branchy(Float64Array.of(-1, 2, -3, -4)) as Pattern)).to.deep.equal(expected);
    // Math.max(sum(x), 3) takes the constant at x = 0 and sum(x) elsewhere: all three columns.
    expect(rows(mod.patternOf.clipped(new Float64Array(3)) as Pattern)).to.deep.equal([[0, 1, 2]]);
  });

  it("bundle adjustment: each residual reads its camera's rotation, two of its translations and its point, through either rotation branch", () => {
    const nCams = 3;
    const nPts = 4;
    const cams = Int32Array.of(0, 1, 2, 0, 1, 2, 1);
    const pts = Int32Array.of(0, 1, 2, 3, 3, 0, 2);
    const params = Float64Array.from({ length: 6 * nCams + 3 * nPts }, (_, i) => 0.3 * Math.sin(1.7 * i + 0.4));
    // Camera 1 does not rotate: its residuals take the small-angle branch.
    params.fill(0, 6, 9);
    const obs = Float64Array.from({ length: 2 * cams.length }, (_, i) => 0.1 * Math.cos(i));
    const p = mod.patternOf.residuals(params, cams, pts, obs, nCams) as Pattern;
    expect([p.m, p.n]).to.deep.equal([14, 30]);
    rows(p).forEach((row, i) => {
      const k = i >> 1;
      // u (even rows) reads the rotation, t0 and t2; v (odd rows) the rotation, t1 and t2.
      const camera = [0, 1, 2, i % 2 === 0 ? 3 : 4, 5].map((e) => 6 * cams[k] + e);
      const point = [0, 1, 2].map((e) => 6 * nCams + 3 * pts[k] + e);
      expect(row, `row ${i}`).to.deep.equal([...camera, ...point].sort((a, b) => a - b));
    });
    expectValidColouring(p);
    expect(p.colorCount).to.be.lessThan(30);
    const s = mod.sparse.residuals(params, cams, pts, obs, nCams, p) as Sparse;
    const J = mod.dense.residuals(params, cams, pts, obs, nCams) as Float64Array;
    const D = densify(s);
    for (let e = 0; e < J.length; e++) expect(D[e], `entry ${e}`).to.be.closeTo(J[e], 1e-12 * (1 + Math.abs(J[e])));
    // Central differences (h = 1e-6, tolerance 1e-6), column by column.
    for (let j = 0; j < 30; j++) {
      const step = (h: number) => { const q = params.slice(); q[j] += h; return mod.residuals(q, cams, pts, obs, nCams) as Float64Array; };
      const [plus, minus] = [step(1e-6), step(-1e-6)];
      for (let i = 0; i < 14; i++) expect(D[i * 30 + j], `∂r${i}/∂p${j}`).to.be.closeTo((plus[i] - minus[i]) / 2e-6, 1e-6);
    }
  });

  it("a number argument, and a reused pattern that does not fit: a clear error", () => {
    const s = mod.sparse.curve(0.7) as Sparse;
    expect([s.m, s.n, Array.from(s.colIdx)]).to.deep.equal([3, 1, [0, 0]]);
    expect(Array.from(s.values)).to.deep.equal([Math.cos(0.7), 1.4]);
    const p = mod.patternOf.heat(new Float64Array(4)) as Pattern;
    expect(() => mod.sparse.heatWith(new Float64Array(5), p)).to.throw(/the pattern has 4 columns, argument 0 has 5 entries/);
    expect(Array.from(densify(mod.sparse.heatWith(Float64Array.of(1, 2, 3, 4), p) as Sparse))).to.deep.equal(Array.from(mod.dense.heat(Float64Array.of(1, 2, 3, 4)) as Float64Array));
  });

  it("another module's function: /** @jvp sparsity */ gives it its index-set twin; without the tag, a run-time error naming it", () => {
    const other = path.join(repoRoot, "build", "sparse-modules");
    const compiled = compileSources(other, {
      "lib.ts": `/** @jvp sparsity */
export function band(u: Float64Array): Float64Array {
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = u[i] * (i > 0 ? u[i - 1] : 1);
  return out;
}
/** @jvp */
export function plain(u: Float64Array): Float64Array {
  return u.map((v) => v * v);
}
`,
      "main.ts": `import { jacfwdSparse, sparsity } from "tsjvp";
import { band, plain } from "./lib";
export const pattern = (u: Float64Array) => sparsity(band)(u);
export const values = (u: Float64Array) => jacfwdSparse(band)(u);
// A function value: dispatched at run time.
export const untagged = (u: Float64Array) => sparsity(([plain] as const)[0])(u);
`,
    });
    expect(compiled.errors).to.equal("");
    expect(compiled.printed.get("lib.ts")).to.contain("function band_jvp_sp(").and.contain("function band_jvp_v8(").and.not.contain("plain_jvp_sp");
    emitFixture(compiled.program, path.join(other, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require(path.join(other, "out", "main.js")) as Record<string, Fn>;
    const u = Float64Array.of(2, 3, 5);
    expect(rows(lib.pattern(u) as Pattern)).to.deep.equal([[0], [0, 1], [1, 2]]);
    // ∂out_i/∂u_i = u_{i-1} (1 for i = 0), ∂out_i/∂u_{i-1} = u_i.
    expect(Array.from((lib.values(u) as Sparse).values)).to.deep.equal([1, 3, 2, 5, 3]);
    expect(() => lib.untagged(u)).to.throw(/found no index-set twin for plain .*tag its declaration \/\*\* @jvp sparsity \*\//);
    // A static use without the kind is TS97031 at the build; with a pattern, the plain tag's vector twin is enough.
    const statics = compileSources(path.join(repoRoot, "build", "sparse-kind"), {
      "lib.ts": `/** @jvp */
export function plain(u: Float64Array): Float64Array {
  return u.map((v) => v * v);
}
`,
      "main.ts": `import { jacfwdSparse, sparsity, type SparsityPattern } from "tsjvp";
import { plain } from "./lib";
export const pattern = (u: Float64Array) => sparsity(plain)(u);
export const values = (u: Float64Array) => jacfwdSparse(plain)(u);
export const reused = (u: Float64Array, pattern: SparsityPattern) => jacfwdSparse(plain, { pattern })(u);
`,
    });
    expect(statics.errors).to.match(/main\.ts\(3,54\): error TS97031: sparsity\(plain\) needs the sparsity twins of 'plain', which its module \(\.\/lib\.ts\) emits only for a function tagged \/\*\* @jvp sparsity \*\//);
    expect(statics.errors).to.match(/main\.ts\(4,57\): error TS97031: jacfwdSparse\(plain\)/);
    expect(statics.errors.match(/error TS/g)).to.have.length(2);
  });

  it("helpers inside namespaces, called qualified: their vector and index-set twins are placed and exported there", () => {
    const dir = path.join(repoRoot, "build", "sparse-namespaces");
    const compiled = compileSources(dir, { "main.ts": `import { jacfwd, jacfwdSparse, sparsity } from "tsjvp";
namespace Geo {
  export function g(t: number, s: number): number {
    return t * Math.sin(s);
  }
  export namespace Inner {
    export function h(u: Float64Array, i: number): number {
      return u[i] * u[i + 1];
    }
  }
}
/** out_i = x_i·sin(x_(i+1)) + x_i·x_(i+1). */
function chain(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length - 1);
  for (let i = 0; i + 1 < x.length; i++) out[i] = Geo.g(x[i], x[i + 1]) + Geo.Inner.h(x, i);
  return out;
}
export const dense = jacfwd(chain);
export const pattern = sparsity(chain);
export const values = jacfwdSparse(chain);
` });
    expect(compiled.errors).to.equal("");
    // Eight directions per pass through the helpers (not one pass per column), and index sets through them.
    expect(compiled.printed.get("main.ts")).to.contain("Geo.g_jvp_v8(").and.contain("Geo.Inner.h_jvp_wrt_u_v8(").and.contain("Geo.g_jvp_sp(").and.contain("Geo.Inner.h_jvp_wrt_u_sp(");
    emitFixture(compiled.program, path.join(dir, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path.join(dir, "out", "main.js")) as Record<string, Fn>;
    const x = Float64Array.from({ length: 11 }, (_, k) => 0.2 * k - 0.9);
    const n = x.length;
    const expected = new Float64Array((n - 1) * n);
    for (let i = 0; i + 1 < n; i++) {
      expected[i * n + i] = Math.sin(x[i + 1]) + x[i + 1];
      expected[i * n + i + 1] = x[i] * Math.cos(x[i + 1]) + x[i];
    }
    const J = m.dense(x) as Float64Array;
    J.forEach((v, k) => expect(Math.abs(v - expected[k]), `J[${k}]`).to.be.at.most(1e-12 * (1 + Math.abs(expected[k]))));
    const p = m.pattern(x) as Pattern;
    expect(rows(p)).to.deep.equal(Array.from({ length: n - 1 }, (_, i) => [i, i + 1]));
    expect(p.colorCount).to.equal(2);
    // (−0 and 0 alike: the dense Jacobian's structural zeros may be −0.)
    expect(Array.from(densify(m.values(x) as Sparse), (v) => v + 0)).to.deep.equal(Array.from(J, (v) => v + 0));
  });

  it("what the index-set pass cannot follow is TS97030 at the call", () => {
    const compiled = compileSources(path.join(repoRoot, "build", "sparse-bad"), { "main.ts": `import { jacfwdSparse, sparsity } from "tsjvp";
function untilLarge(x: Float64Array): Float64Array {
  const y = new Float64Array(1);
  let s = 0;
  while (s < x[0]) s += 1 + x[1] * x[1];
  y[0] = s;
  return y;
}
export const trips = sparsity(untilLarge);
function twice(v: number): number {
  return 2 * v;
}
function picks(x: Float64Array): Float64Array {
  const y = new Float64Array(1);
  const t = twice(x[1]);
  let k = 1;
  if (x[0] > 0) k = 2;
  y[0] = x[k] + t;
  return y;
}
export const picked = jacfwdSparse(picks);
export const given = (p: Parameters<typeof jacfwdSparse>[1]) => jacfwdSparse(picks, { pattern: p!.pattern });
` });
    expect(compiled.errors).to.match(/main\.ts\(9,22\): error TS97030: sparsity\(untilLarge\) needs the index-set twin of untilLarge, which tsjvp could not generate: a loop whose condition reads differentiated values/);
    expect(compiled.errors).to.match(/main\.ts\(21,23\): error TS97030: jacfwdSparse\(picks\) needs the index-set twin of picks, which tsjvp could not generate: 'k', which holds no differentiated value, is written under a condition on differentiated values/);
    // With a pattern given, jacfwdSparse needs no index-set twin.
    expect(compiled.errors.match(/TS97030/g)).to.have.length(2);
    // The index-set twin of twice, made before picks failed, is not emitted: nothing would call it.
    expect(compiled.printed.get("main.ts")).to.not.match(/_sp\(/);
  });
});
