/**
 * hessian and hvp (forward over forward): the twin of each function's twin, made by a second pass
 * of the pipeline over the emitted module. Hessians against analytic ones (Rosenbrock, two test
 * functions of Moré, Garbow and Hillstrom, every Math rule and operator), hvp against hessian·v
 * and the symmetry of the entries computed in the other order, through the plugin, across modules
 * (`@jvp hessian`), and through `tsjvp emit` companions run by tsx.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileSources, emitFixture, repoRoot } from "./support/compile";
import { hessianColumns } from "../runtime/second-order";

const dir = path.join(repoRoot, "build", "second-order-test");

const lib = `
/** Powell's singular function (MGH 13), tagged for hessian from other modules. @jvp hessian */
export function powell(x: Float64Array): number {
  const a = x[0] + 10 * x[1];
  const b = x[2] - x[3];
  const c = x[1] - 2 * x[2];
  const d = x[0] - x[3];
  return a * a + 5 * b * b + c ** 4 + 10 * d ** 4;
}

/** Tagged for first order only. @jvp */
export function plain(x: number): number {
  return x * x * x;
}

/** One bond's energy, called by a function another module differentiates twice. @jvp hessian */
export function bond(a: number, b: number, k: number): number {
  const d = a - b;
  return k * d ** 4 + Math.sin(a * b);
}
`;

/** Σ bond(xᵢ, xᵢ₊₁, 0.5) + powell(x): functions of another module inside a local one. */
const energy = `export function energy(x: Float64Array): number {
  let s = powell(x);
  for (let i = 0; i + 1 < x.length; i++) s += bond(x[i], x[i + 1], 0.5);
  return s;
}`;

/** The analytic Hessian of energy (x of length 4). */
function energyHessian(x: Float64Array): number[][] {
  const c2 = 12 * (x[1] - 2 * x[2]) ** 2;
  const d2 = 120 * (x[0] - x[3]) ** 2;
  const H = [
    [2 + d2, 20, 0, -d2],
    [20, 200 + c2, -2 * c2, 0],
    [0, -2 * c2, 10 + 4 * c2, -10],
    [-d2, 0, -10, 10 + d2],
  ];
  for (let i = 0; i + 1 < x.length; i++) {
    const [a, b] = [x[i], x[i + 1]];
    const quartic = 12 * 0.5 * (a - b) ** 2;
    H[i][i] += quartic - b * b * Math.sin(a * b);
    H[i + 1][i + 1] += quartic - a * a * Math.sin(a * b);
    const mixed = -quartic + Math.cos(a * b) - a * b * Math.sin(a * b);
    H[i][i + 1] += mixed;
    H[i + 1][i] += mixed;
  }
  return H;
}

/** Every Math rule and operator: [name, body in x, point, analytic second derivative there]. */
const rules: [string, string, number, (x: number) => number][] = [
  ["sin", "Math.sin(x)", 0.7, (x) => -Math.sin(x)],
  ["cos", "Math.cos(x)", 0.7, (x) => -Math.cos(x)],
  ["tan", "Math.tan(x)", 0.7, (x) => 2 * Math.tan(x) * (1 + Math.tan(x) ** 2)],
  ["asin", "Math.asin(x)", 0.3, (x) => x / (1 - x * x) ** 1.5],
  ["acos", "Math.acos(x)", 0.3, (x) => -x / (1 - x * x) ** 1.5],
  ["atan", "Math.atan(x)", 0.3, (x) => (-2 * x) / (1 + x * x) ** 2],
  ["atan2", "Math.atan2(x, 2)", 0.3, (x) => (-4 * x) / (x * x + 4) ** 2],
  ["sinh", "Math.sinh(x)", 0.7, (x) => Math.sinh(x)],
  ["cosh", "Math.cosh(x)", 0.7, (x) => Math.cosh(x)],
  ["tanh", "Math.tanh(x)", 0.7, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)],
  ["asinh", "Math.asinh(x)", 0.7, (x) => -x / (x * x + 1) ** 1.5],
  ["acosh", "Math.acosh(x)", 1.7, (x) => -x / (x * x - 1) ** 1.5],
  ["atanh", "Math.atanh(x)", 0.3, (x) => (2 * x) / (1 - x * x) ** 2],
  ["exp", "Math.exp(x)", 0.7, (x) => Math.exp(x)],
  ["expm1", "Math.expm1(x)", 0.7, (x) => Math.exp(x)],
  ["log", "Math.log(x)", 1.3, (x) => -1 / (x * x)],
  ["log1p", "Math.log1p(x)", 1.3, (x) => -1 / (1 + x) ** 2],
  ["log2", "Math.log2(x)", 1.3, (x) => -1 / (x * x * Math.LN2)],
  ["log10", "Math.log10(x)", 1.3, (x) => -1 / (x * x * Math.LN10)],
  ["sqrt", "Math.sqrt(x)", 1.3, (x) => -0.25 * x ** -1.5],
  ["cbrt", "Math.cbrt(x)", 1.3, (x) => (-2 / 9) * x ** (-5 / 3)],
  ["hypot", "Math.hypot(x, 2)", 0.7, (x) => 4 / (x * x + 4) ** 1.5],
  ["abs", "Math.abs(x) * x", -0.7, (x) => 2 * Math.sign(x)],
  ["pow", "Math.pow(x, 2.5)", 1.3, (x) => 2.5 * 1.5 * x ** 0.5],
  ["powBase", "2 ** x", 0.7, (x) => Math.LN2 ** 2 * 2 ** x],
  ["fround", "Math.fround(x) * x", 0.7, () => 2],
  ["max", "Math.max(x * x, 3 * x)", 4, () => 2],
  ["min", "Math.min(x * x * x, 2 * x)", 0.5, (x) => 6 * x],
  ["powBoth", "x ** x", 1.3, (x) => x ** x * ((Math.log(x) + 1) ** 2 + 1 / x)],
  // An exponent of exactly 0 (the fuzzer found a wrong 0 there): f = e^g, g = sin(x)·ln(2 + x), f''(0) = g'(0)² + g''(0).
  ["powAtZeroExponent", "(2 + x) ** Math.sin(x)", 0, () => Math.log(2) ** 2 + 1],
  ["powBothMath", "Math.pow(1 + x * x, x)", 0.8, (x) => {
    // f = e^g, g = x ln(1 + x²): f'' = f (g'² + g'')
    const g1 = Math.log(1 + x * x) + (2 * x * x) / (1 + x * x);
    const g2 = (2 * x) / (1 + x * x) + (4 * x) / (1 + x * x) ** 2;
    return (1 + x * x) ** x * (g1 * g1 + g2);
  }],
  ["product", "x * x * x", 0.7, (x) => 6 * x],
  ["quotient", "1 / x", 1.3, (x) => 2 / x ** 3],
  ["remainder", "(x % 0.5) * x", 1.3, () => 2],
];

const main = `
import { hessian, hvp, jvp } from "tsjvp";
import { bond, powell, plain } from "./lib";

export function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/** Wood's function (MGH 14). */
export function wood(x: Float64Array): number {
  const [x1, x2, x3, x4] = [x[0], x[1], x[2], x[3]];
  return 100 * (x2 - x1 * x1) ** 2 + (1 - x1) ** 2 + 90 * (x4 - x3 * x3) ** 2 + (1 - x3) ** 2 +
    10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2) + 19.8 * (x2 - 1) * (x4 - 1);
}

/** Two arguments: with respect to the number k (argnums 1). */
export function scaled(x: Float64Array, k: number): number {
  return Math.exp(k * x[0]) * Math.sin(k) + x[1] * k * k * k;
}

${rules.map(([name, body]) => `function r_${name}(x: number): number {\n  return ${body};\n}`).join("\n")}

export const second = {
  rosenbrock: hessian(rosenbrock),
  rosenbrockEight: hessian(rosenbrock, { chunk: 8 }),
  rosenbrockOne: hessian(rosenbrock, { chunk: 1 }),
  wood: hessian(wood),
  powell: hessian(powell),
  scaledK: hessian(scaled, { argnums: 1 }),
  // A function value: dispatched at run time (a static hessian(plain) is TS97031).
  plain: (t: number) => hessian(([plain] as const)[0])(t),
  rules: { ${rules.map(([name]) => `${name}: hessian(r_${name})`).join(", ")} },
};
/** jvp of code that calls jvp (forward over forward in the user's code). */
export const nested = {
  sin: (t: number) => jvp((s: number) => jvp(r_sin, [s], [1])[1], [t], [1]),
  curvature: (x: Float64Array, v: Float64Array, w: Float64Array) => jvp((y: Float64Array) => jvp(rosenbrock, [y], [v])[1], [x], [w]),
  named: (t: number) => jvp(slopeOfWave, [t], [1]),
};

function slopeOfWave(t: number): number {
  return jvp(r_tanh, [t], [1])[1];
}

/** Writes its argument (x[i] becomes x[i]²): f = Σ xᵢ⁴, H = diag(12 xᵢ²). */
export function squaresInPlace(x: Float64Array): number {
  for (let i = 0; i < x.length; i++) x[i] = x[i] * x[i];
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}
export const inPlace = { hessian: hessian(squaresInPlace), hvp: (x: Float64Array, v: Float64Array) => hvp(squaresInPlace, [x], [v]) };

export const hessianOf = (chunk: number) => hessian(rosenbrock, { chunk });

${energy}
export const acrossModules = {
  hessian: hessian(energy),
  hvp: (x: Float64Array, v: Float64Array) => hvp(energy, [x], [v]),
  // d²/dt² bond(t, 2t, 0.5), nesting jvp by hand.
  nested: (t: number) => jvp((s: number) => jvp(bondAlong, [s], [1])[1], [t], [1]),
};

function bondAlong(t: number): number {
  return bond(t, 2 * t, 0.5);
}

export const products = {
  rosenbrock: (x: Float64Array, v: Float64Array) => hvp(rosenbrock, [x], [v]),
  scaled: (x: Float64Array, k: number, v: Float64Array) => hvp(scaled, [x, k], [v]),
};
`;

type Fn = (...args: unknown[]) => unknown;

interface Compiled {
  readonly second: Record<string, Fn> & { rules: Record<string, Fn> };
  readonly inPlace: Record<string, Fn>;
  readonly hessianOf: Fn;
  readonly products: Record<string, Fn>;
  readonly nested: Record<string, Fn>;
  readonly acrossModules: Record<string, Fn>;
}

function expectClose(actual: number, expected: number, what: string, rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${what}: ${actual}, expected ${expected}`).to.be.at.most(rel * (1 + Math.abs(expected)));
}

function expectMatrix(H: Float64Array, expected: number[][], what: string): void {
  const n = expected.length;
  expect(H.length, `${what}: size`).to.equal(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expectClose(H[i * n + j], expected[i][j], `${what}[${i}, ${j}]`);
}

function rosenbrockHessian(x: Float64Array): number[][] {
  const n = x.length;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i + 1 < n; i++) {
    H[i][i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
    H[i + 1][i + 1] += 200;
    H[i][i + 1] -= 400 * x[i];
    H[i + 1][i] -= 400 * x[i];
  }
  return H;
}

describe("hessian and hvp (forward over forward)", function () {
  this.timeout(120000);
  let mod: Compiled;

  before(() => {
    const compiled = compileSources(dir, { "lib.ts": lib, "main.ts": main });
    expect(compiled.errors).to.equal("");
    // The twins of the twins: of the functions hessian differentiates here, and of the tagged powell.
    expect(compiled.printed.get("main.ts")).to.contain("function rosenbrock_jvp_jvp(");
    expect(compiled.printed.get("lib.ts")).to.contain("function powell_jvp_jvp(").and.not.contain("plain_jvp_jvp");
    emitFixture(compiled.program, path.join(dir, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path.join(dir, "out", "main.js")) as Compiled;
  });

  it("Rosenbrock's Hessian is the analytic one", () => {
    const x = Float64Array.from({ length: 7 }, (_, k) => 0.3 * k - 0.9);
    expectMatrix(mod.second.rosenbrock(x) as Float64Array, rosenbrockHessian(x), "rosenbrock");
  });

  it("Wood's and Powell's (another module, tagged @jvp hessian) are the analytic ones", () => {
    const x = Float64Array.of(-3, -1, -3, -1);
    const [x1, x2, x3, x4] = x;
    expectMatrix(mod.second.wood(x) as Float64Array, [
      [1200 * x1 * x1 - 400 * x2 + 2, -400 * x1, 0, 0],
      [-400 * x1, 220.2, 0, 19.8],
      [0, 0, 1080 * x3 * x3 - 360 * x4 + 2, -360 * x3],
      [0, 19.8, -360 * x3, 200.2],
    ], "wood");
    const p = Float64Array.of(3, -1, 0, 1);
    const c2 = 12 * (p[1] - 2 * p[2]) ** 2;
    const d2 = 120 * (p[0] - p[3]) ** 2;
    expectMatrix(mod.second.powell(p) as Float64Array, [
      [2 + d2, 20, 0, -d2],
      [20, 200 + c2, -2 * c2, 0],
      [0, -2 * c2, 10 + 4 * c2, -10],
      [-d2, 0, -10, 10 + d2],
    ], "powell");
  });

  it("every Math rule and operator has its analytic second derivative", () => {
    for (const [name, , x0, second] of rules) expectClose(mod.second.rules[name](x0) as number, second(x0), name, 1e-10);
  });

  it("with respect to a number argument (argnums 1)", () => {
    const x = Float64Array.of(0.4, 1.5);
    const k = 0.8;
    // d²/dk² of e^(k x0) sin k + x1 k³
    const e = Math.exp(k * x[0]);
    const expected = x[0] * x[0] * e * Math.sin(k) + 2 * x[0] * e * Math.cos(k) - e * Math.sin(k) + 6 * x[1] * k;
    expectClose(mod.second.scaledK(x, k) as number, expected, "d²/dk²");
  });

  it("eight rows per pass (the vector twin, where its lanes are three quarters full: n = 24) give the analytic Hessian and H·v", () => {
    const x = Float64Array.from({ length: 24 }, (_, k) => 0.1 * k - 1.1);
    const H = rosenbrockHessian(x);
    expectMatrix(mod.second.rosenbrock(x) as Float64Array, H, "rosenbrock, n = 24");
    // chunk decides instead of the lanes' fill: one row per pass at n = 24, eight at n = 5.
    expectMatrix(mod.second.rosenbrockOne(x) as Float64Array, H, "rosenbrock, n = 24, chunk 1");
    const short = Float64Array.of(0.3, -0.7, 1.2, 0.1, -1.4);
    expectMatrix(mod.second.rosenbrockEight(short) as Float64Array, rosenbrockHessian(short), "rosenbrock, n = 5, chunk 8");
    expect(() => (mod.hessianOf as (chunk: number) => unknown)(0)).to.throw(/hessian's chunk must be a positive integer, not 0/);
    const v = Float64Array.from({ length: 24 }, (_, k) => Math.cos(3 * k));
    const Hv = mod.products.rosenbrock(x, v) as Float64Array;
    for (let i = 0; i < 24; i++) expectClose(Hv[i], H[i].reduce((s, h, j) => s + h * v[j], 0), `(Hv)[${i}], n = 24`);
    // A function that writes its argument: each pass starts from x as given, and the seeds are not written.
    for (const n of [3, 24]) {
      const y = Float64Array.from({ length: n }, (_, k) => 0.05 * k + 0.3);
      const given = Float64Array.from(y);
      const diagonal = given.map((t) => 12 * t * t);
      expectMatrix(mod.inPlace.hessian(y) as Float64Array, Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? diagonal[i] : 0))), `squaresInPlace, n = ${n}`);
      y.set(given);
      const w = Float64Array.from({ length: n }, (_, k) => k - 1);
      const Hw = mod.inPlace.hvp(y, w) as Float64Array;
      for (let i = 0; i < n; i++) expectClose(Hw[i], diagonal[i] * (i - 1), `squaresInPlace hvp[${i}], n = ${n}`);
      expect(Array.from(w), "hvp leaves v as given").to.deep.equal(Array.from({ length: n }, (_, k) => k - 1));
    }
  });

  it("hvp is H·v, and its entries (computed in the other order) match the Hessian's: symmetry", () => {
    const x = Float64Array.from({ length: 9 }, (_, k) => Math.cos(k) * 0.8);
    const v = Float64Array.from({ length: 9 }, (_, k) => Math.sin(2 * k + 1));
    const H = mod.second.rosenbrock(x) as Float64Array;
    const Hv = mod.products.rosenbrock(x, v) as Float64Array;
    const n = x.length;
    for (let i = 0; i < n; i++) expectClose(Hv[i], H.slice(i * n, i * n + n).reduce((s, h, j) => s + h * v[j], 0), `(Hv)[${i}]`);
    // hvp(e_j)[i] is computed with the inner direction e_j and the outer e_i; hessian computes the upper triangle the other way round.
    for (let j = 0; j < n; j++) {
      const column = mod.products.rosenbrock(x, Float64Array.from({ length: n }, (_, k) => (k === j ? 1 : 0))) as Float64Array;
      for (let i = 0; i < n; i++) expectClose(column[i], H[i * n + j], `H[${i}, ${j}] both ways`);
    }
    // Other arguments held constant.
    const w = Float64Array.of(0.5, -1);
    const Hs = [[0.8 * 0.8 * Math.exp(0.8 * 0.4) * Math.sin(0.8), 0], [0, 0]];
    const hs = mod.products.scaled(Float64Array.of(0.4, 1.5), 0.8, w) as Float64Array;
    expectClose(hs[0], Hs[0][0] * w[0], "scaled hvp[0]");
    expectClose(hs[1], 0, "scaled hvp[1]");
  });

  it("jvp of code that calls jvp: second derivatives, wᵀ·H·v, through a named function", () => {
    const [d1, d2] = mod.nested.sin(0.7) as [number, number];
    expectClose(d1, Math.cos(0.7), "d/dt sin");
    expectClose(d2, -Math.sin(0.7), "d²/dt² sin");
    const x = Float64Array.from({ length: 6 }, (_, k) => 0.2 * k - 0.5);
    const v = Float64Array.from({ length: 6 }, (_, k) => Math.cos(k));
    const w = Float64Array.from({ length: 6 }, (_, k) => Math.sin(k + 0.5));
    const H = mod.second.rosenbrock(x) as Float64Array;
    let wHv = 0;
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) wHv += w[i] * H[i * 6 + j] * v[j];
    expectClose((mod.nested.curvature(x, v, w) as [number, number])[1], wHv, "wᵀHv");
    const t = Math.tanh(0.3);
    expectClose((mod.nested.named(0.3) as [number, number])[1], -2 * t * (1 - t * t), "d²/dt² tanh through a named function");
  });

  it("hessian's passes: every entry of the upper triangle once, in fewer passes of eight lanes than column by column", () => {
    for (const n of [1, 2, 5, 8, 9, 12, 15, 16, 17, 24, 31, 100]) {
      const columns = hessianColumns(n, 8);
      const pairs = columns.flatMap((rows, j) => rows.map((i) => `${Math.min(i, j)},${Math.max(i, j)}`));
      expect(new Set(pairs).size, `n = ${n}: distinct entries`).to.equal((n * (n + 1)) / 2);
      expect(pairs.length, `n = ${n}: entries`).to.equal((n * (n + 1)) / 2);
      const passes = columns.reduce((s, rows) => s + Math.ceil(rows.length / 8), 0);
      let byColumn = 0;
      for (let j = 0; j < n; j++) byColumn += Math.ceil((j + 1) / 8);
      expect(passes, `n = ${n}`).to.be.at.most(byColumn);
    }
    // Full lanes would take ⌈n(n+1)/16⌉ passes: 17 at n = 16 (column by column: 24), 632 at n = 100 (676).
    const passes = (n: number) => hessianColumns(n, 8).reduce((s, rows) => s + Math.ceil(rows.length / 8), 0);
    expect([passes(15), passes(16), passes(100)]).to.deep.equal([15, 17, 634]);
  });

  it("a local function calling another module's functions (tagged @jvp hessian): that module's twins of twins are called", () => {
    const x = Float64Array.of(0.4, -1.1, 0.7, 1.3);
    const H = energyHessian(x);
    expectMatrix(mod.acrossModules.hessian(x) as Float64Array, H, "energy");
    const v = Float64Array.of(0.3, 1, -2, 0.5);
    const Hv = mod.acrossModules.hvp(x, v) as Float64Array;
    for (let i = 0; i < 4; i++) expectClose(Hv[i], H[i].reduce((s, h, j) => s + h * v[j], 0), `(Hv)[${i}]`);
    // bond(t, 2t): d = -t, so f = 0.5 t⁴ + sin(2t²), f'' = 6t² + 4cos(2t²) - 16t² sin(2t²).
    const t = 0.6;
    expectClose((mod.acrossModules.nested(t) as [number, number])[1], 6 * t * t + 4 * Math.cos(2 * t * t) - 16 * t * t * Math.sin(2 * t * t), "d²/dt² bond(t, 2t)");
  });

  it("another module's functions inside its namespaces (Geo.g, A.B.h, tagged @jvp hessian): their twins of twins are called there", () => {
    const dir = path.join(repoRoot, "build", "second-order-lib-namespaces");
    const compiled = compileSources(dir, {
      "lib.ts": `export namespace Geo {
  /** @jvp hessian */
  export function g(t: number): number {
    return t * Math.sin(t);
  }
}
export namespace A.B {
  /** x₀²x₁: @jvp hessian */
  export function h(x: Float64Array): number {
    return x[0] * x[0] * x[1];
  }
}
`,
      "main.ts": `import { hessian } from "tsjvp";
import { A, Geo } from "./lib";
/** g(x₀)·x₁ + x₀²x₁ */
function f(x: Float64Array): number {
  return Geo.g(x[0]) * x[1] + A.B.h(x);
}
export const H = hessian(f);
`,
    });
    expect(compiled.errors).to.equal("");
    expect(compiled.printed.get("main.ts")).to.contain("lib_twins.Geo.g_jvp_jvp(").and.contain("lib_twins.A.B.h_jvp_jvp(");
    emitFixture(compiled.program, path.join(dir, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path.join(dir, "out", "main.js")) as Record<string, Fn>;
    const x = Float64Array.of(0.8, -1.3);
    const g1 = Math.sin(x[0]) + x[0] * Math.cos(x[0]);
    const g2 = 2 * Math.cos(x[0]) - x[0] * Math.sin(x[0]);
    // ∂²/∂x₀² = g''x₁ + 2x₁, ∂²/∂x₀∂x₁ = g' + 2x₀, ∂²/∂x₁² = 0.
    expectMatrix(m.H(x) as Float64Array, [[g2 * x[1] + 2 * x[1], g1 + 2 * x[0]], [g1 + 2 * x[0], 0]], "f");
  });

  it("a function of another module tagged for first order only: TS97031 at a static use, a run-time error naming the tag at a dispatched one", () => {
    expect(() => mod.second.plain(0.5)).to.throw(/hessian\(plain\) found no second-order twin for plain: tag its declaration \/\*\* @jvp hessian \*\//);
    const compiled = compileSources(path.join(repoRoot, "build", "second-order-kind"), {
      "lib.ts": `/** @jvp */
export function plain(x: Float64Array): number {
  return x[0] * x[0] * x[1];
}
/** Tagged for both. @jvp sparsity hessian */
export function both(x: Float64Array): number {
  return x[0] * x[1];
}
`,
      "main.ts": `import { hessian, hvp } from "tsjvp";
import { both, plain } from "./lib";
export const H = hessian(plain);
export const Hv = (x: Float64Array) => hvp(plain, [x], [x]);
export const fine = hessian(both);
/** Calls plain, whose module emits no twin of its twin. */
function twice(x: Float64Array): number {
  return 2 * plain(x);
}
export const H2 = hessian(twice);
`,
    });
    expect(compiled.errors).to.match(/main\.ts\(3,26\): error TS97031: hessian\(plain\) needs the hessian twins of 'plain', which its module \(\.\/lib\.ts\) emits only for a function tagged \/\*\* @jvp hessian \*\/\. Add 'hessian' to the tag of its declaration there/);
    expect(compiled.errors).to.match(/main\.ts\(4,44\): error TS97031: hvp\(plain\)/);
    expect(compiled.errors).to.match(/main\.ts\(10,19\): error TS97028: hessian\(twice\) needs the twin of twice's twin, which tsjvp could not generate: in the twin 'twice_jvp': it calls 'plain' of \.\/lib\.ts, whose twin of its twin that module emits only for a function tagged \/\*\* @jvp hessian \*\/: add 'hessian' to the tag of 'plain' there/);
    expect(compiled.errors.match(/error TS/g)).to.have.length(3);
  });

  it("functions inside namespaces: their twins of twins are placed there (a helper, a root, a jvp of a jvp)", () => {
    const dir = path.join(repoRoot, "build", "second-order-namespace");
    const compiled = compileSources(dir, { "main.ts": `import { hessian, jvp } from "tsjvp";
namespace Geo {
  export function g(t: number): number {
    return t * Math.sin(t);
  }
}
/** f(x) = Σ g(xᵢ)·x₍ᵢ₊₁₎ mod n. */
function cyclic(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Geo.g(x[i]) * x[(i + 1) % x.length];
  return s;
}
export const H = hessian(cyclic);
export const d2 = (t: number) => jvp((s: number) => jvp(Geo.g, [s], [1])[1], [t], [1]);
namespace Geo.Inner {
  /** x₀²x₁ + x₁²x₂ + …: a root in a namespace. */
  export function chain(x: Float64Array): number {
    let s = 0;
    for (let i = 0; i + 1 < x.length; i++) s += x[i] * x[i] * x[i + 1];
    return s;
  }
}
export const Hchain = hessian(Geo.Inner.chain);
` });
    expect(compiled.errors).to.equal("");
    expect(compiled.printed.get("main.ts")).to.match(/namespace Geo \{[^]*function g_jvp_jvp\(/);
    emitFixture(compiled.program, path.join(dir, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path.join(dir, "out", "main.js")) as Record<string, Fn>;
    const g1 = (t: number) => Math.sin(t) + t * Math.cos(t);
    const g2 = (t: number) => 2 * Math.cos(t) - t * Math.sin(t);
    const x = Float64Array.of(0.3, -0.8, 1.1);
    // H_kk = g''(x_k)·x_(k+1); H_k,(k+1) = g'(x_k); symmetric.
    const expected = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? g2(x[i]) * x[(i + 1) % 3] : j === (i + 1) % 3 ? g1(x[i]) : i === (j + 1) % 3 ? g1(x[j]) : 0)));
    expectMatrix(m.H(x) as Float64Array, expected, "cyclic");
    // H_ii = 2x₍ᵢ₊₁₎, H_i,(i+1) = 2xᵢ.
    expectMatrix(m.Hchain(x) as Float64Array, [[2 * x[1], 2 * x[0], 0], [2 * x[0], 2 * x[2], 2 * x[1]], [0, 2 * x[1], 0]], "Geo.Inner.chain");
    const [first, second] = m.d2(0.7) as [number, number];
    expectClose(first, g1(0.7), "g'");
    expectClose(second, g2(0.7), "g''");
  });

  it("what the second pass cannot differentiate is TS97028 at the hessian call", () => {
    const compiled = compileSources(path.join(repoRoot, "build", "second-order-bad"), { "main.ts": `import { hessian, jvp } from "tsjvp";
function peak(x: Float64Array): number {
  return Math.max(x[0] * x[1], x[1], 0.5);
}
export const H = hessian(peak);
export const slope = (t: number) => jvp((s: number) => jvp(Math.max, [s, 1], [1, 0])[1] + jvp(peakOf, [s], [1])[1], [t], [1]);
function peakOf(s: number): number {
  return Math.max(s * s, 1, s);
}
` });
    expect(compiled.errors).to.match(/main\.ts\(5,18\): error TS97028: hessian\(peak\) needs the twin of peak's twin, which tsjvp could not generate: Math\.max and Math\.min of three or more arguments have no second-order rule yet/);
    // A jvp of code calling jvp: the inner jvp of Math.max is TS97012 already; the outer is TS97029.
    expect(compiled.errors).to.match(/main\.ts\(6,37\): error TS97029: This jvp differentiates code that calls jvp itself \(forward over forward\); tsjvp could not differentiate it: Math\.max and Math\.min/);
  });

  it("through tsjvp emit companions, run by tsx (no plugin)", () => {
    const cli = path.join(repoRoot, "build", "second-order-cli");
    fs.rmSync(cli, { recursive: true, force: true });
    fs.mkdirSync(path.join(cli, "src"), { recursive: true });
    fs.mkdirSync(path.join(cli, "node_modules"), { recursive: true });
    fs.symlinkSync(repoRoot, path.join(cli, "node_modules", "tsjvp"));
    fs.writeFileSync(path.join(cli, "src", "lib.ts"), lib);
    fs.writeFileSync(path.join(cli, "src", "main.ts"), `import "./jvp/index";
import { hessian, hvp } from "tsjvp";
import { bond, powell } from "./lib";
${energy}
const p = Float64Array.of(3, -1, 0, 1);
const x = Float64Array.of(0.4, -1.1, 0.7, 1.3);
console.log(JSON.stringify([Array.from(hessian(powell)(p)), Array.from(hvp(powell, [p], [Float64Array.of(1, 0, 0, 0)])), Array.from(hessian(energy)(x))]));
`);
    fs.writeFileSync(path.join(cli, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "es2022", module: "commonjs", strict: true, rootDir: "src", outDir: "out", skipLibCheck: true, types: [] }, include: ["src"] }));
    const emit = spawnSync(process.execPath, [path.join(repoRoot, "dist", "cli", "main.js"), "emit", "--out-dir", "src/jvp"], { cwd: cli, encoding: "utf8" });
    expect(emit.stdout + emit.stderr).to.equal("");
    expect(emit.status).to.equal(0);
    expect(fs.readFileSync(path.join(cli, "src", "jvp", "lib.jvp.ts"), "utf8")).to.contain("export function powell_jvp_jvp(");
    const tsc = spawnSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", ".", "--noEmit"], { cwd: cli, encoding: "utf8" });
    expect(tsc.stdout).to.equal("");
    const r = spawnSync(process.execPath, [path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), "src/main.ts"], { cwd: cli, encoding: "utf8" });
    expect(r.stderr).to.equal("");
    const [H, Hv, He] = JSON.parse(r.stdout) as [number[], number[], number[]];
    expect(fs.readFileSync(path.join(cli, "src", "jvp", "main.jvp.ts"), "utf8")).to.contain("lib_twins.bond_jvp_jvp(");
    energyHessian(Float64Array.of(0.4, -1.1, 0.7, 1.3)).forEach((row, i) => row.forEach((h, j) => expectClose(He[i * 4 + j], h, `energy H[${i}, ${j}]`)));
    const d2 = 120 * 2 ** 2;
    [2 + d2, 20, 0, -d2].forEach((h, j) => {
      expectClose(H[j], h, `H[0, ${j}]`);
      expectClose(Hv[j], h, `(H e_0)[${j}]`);
    });
  });
});
