/**
 * The differential check: compile a generated program in process through the plugin's own entry
 * (a compiler host in memory, CommonJS emit with the transformer in `before`), run its twin, run
 * the oracle on the same inputs, and compare; and main's gradient from its vector twin against one
 * pass per direction (bit for bit). Tolerance: |twin − oracle| ≤ 1e-8·(1 + |oracle|)
 * for every primal and tangent component (the two evaluate equivalent formulas in different
 * orders); NaN and ±Infinity must match exactly.
 */
import * as path from "node:path";
import ts from "typescript";
import tsjvpTransformer from "../../transformer/plugin";
import { repoRoot } from "../support/compile";
import { D, DArray, Oracle } from "./oracle";
import type { Inputs } from "./generator";

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true, skipLibCheck: true, types: [], lib: ["lib.es2022.d.ts"], noEmitOnError: false,
  paths: { tsjvp: [path.join(repoRoot, "runtime/index.ts")], "tsjvp/ops": [path.join(repoRoot, "runtime/ops.ts")] },
};
const fileName = path.join(repoRoot, "build", "fuzz", "program.ts");
const libName = path.join(repoRoot, "build", "fuzz", "lib.ts");
/** A program's second module follows this line (helpers imported from "./lib"). */
export const libMarker = "\n\n// @module lib\n\n";
const cache = new Map<string, ts.SourceFile>();
const baseHost = ts.createCompilerHost(options);

/** The driver each program gets: JVPs of main with full and with null tangents. */
const driver = `
import { jvp, jacfwd } from "tsjvp";
export const gradient = jacfwd(main, { argnums: 2 });
export const gradientByColumns = jacfwd(main, { argnums: 2, chunk: 1 });
export function run(x: number, dx: number, y: number, dy: number | null, a: Float64Array, da: Float64Array, out: Float64Array, dout: Float64Array | null, p: P, dp: P | null): [number, number] {
  if (dp === null) {
    if (dy === null && dout === null) return jvp(main, [x, y, a, out, p], [dx, null, da, null, null]);
    if (dy === null) return jvp(main, [x, y, a, out, p], [dx, null, da, dout, null]);
    if (dout === null) return jvp(main, [x, y, a, out, p], [dx, dy, da, null, null]);
    return jvp(main, [x, y, a, out, p], [dx, dy, da, dout, null]);
  }
  if (dy === null && dout === null) return jvp(main, [x, y, a, out, p], [dx, null, da, null, dp]);
  return jvp(main, [x, y, a, out, p], [dx, dy, da, dout, dp]);
}
`;

export interface Compiled {
  readonly diagnostics: string;
  readonly run?: (...args: unknown[]) => [number, number];
  /** jacfwd(main, { argnums: 2 }): eight directions per pass (its vector twin, when it has one), and one per pass. */
  readonly gradient?: (...args: unknown[]) => Float64Array;
  readonly gradientByColumns?: (...args: unknown[]) => Float64Array;
  /** hessian(main) and hessian(main, { argnums: 2 }), for programs the second pass can differentiate. */
  readonly hessianX?: (...args: unknown[]) => number;
  readonly hessianA?: (...args: unknown[]) => Float64Array;
  /** The same, eight rows per pass of the vector twin of the twin. */
  readonly hessianA8?: (...args: unknown[]) => Float64Array;
  /** sparsity(main, { argnums: 2 }) and jacfwdSparse(main, { argnums: 2 }), when compiled with `sparse`. */
  readonly patternA?: (...args: unknown[]) => { colIdx: Int32Array };
  readonly sparseA?: (...args: unknown[]) => { colIdx: Int32Array; values: Float64Array };
  readonly js: string;
}

let oldProgram: ts.Program | undefined;

/** The driver's sparse part: main's pattern and sparse gradient with respect to a. */
const sparseDriver = `
import { jacfwdSparse, sparsity } from "tsjvp";
export const patternA = sparsity(main, { argnums: 2 });
export const sparseA = jacfwdSparse(main, { argnums: 2 });
`;

/** `// @dispatch`: the driver reaches main through a function value (run-time dispatch). */
function driverFor(source: string, sparse: boolean): string {
  if (sparse) return `${driver}${sparseDriver}`;
  const first = source.includes("// @dispatch") ? driver.replace(/jvp\(main, /g, "jvp(target, ").replace("export function run(", "const target: typeof main = [main][0]!;\nexport function run(") : driver;
  return secondOrderEligible(source) ? `${first}\nimport { hessian } from "tsjvp";\nexport const hessianX = hessian(main);\nexport const hessianA = hessian(main, { argnums: 2 });\nexport const hessianA8 = hessian(main, { argnums: 2, chunk: 8 });\n` : first;
}

/**
 * Programs whose Hessian the second pass can make: no primitive of tsjvp/ops (their hand-written
 * twins have none), and no Math.min of three arguments (its tangent is a runtime helper; Math.max
 * of two and powers with both operands varying are written out, and checked). Helpers in
 * namespaces get theirs there; the second module's helpers (in its namespace too) are then tagged
 * `@jvp hessian`, so that it emits the twins of their twins main's twin of its twin calls.
 */
export function secondOrderEligible(source: string): boolean {
  return !source.includes("// @expect") && !/(?<![.\w])(axpy|dot|logsumexp|mul|scale|softmax|sum|tanh)\(|Math\.min\(/.test(source);
}

/** `sparse`: the driver also asks for main's sparsity pattern and sparse gradient (sparseMismatch). */
export function compileProgram(source: string, sparse = false): Compiled {
  const [mainText, libSource] = source.split(libMarker);
  const libText = libSource !== undefined && secondOrderEligible(source) ? libSource.replace(/\/\*\* @jvp \*\//g, "/** @jvp hessian */") : libSource;
  const text = `${driverFor(source, sparse)}\n${mainText}\n`;
  const files = new Map([[fileName, text], ...(libText !== undefined ? [[libName, `${libText}\n`] as const] : [])]);
  const host: ts.CompilerHost = {
    ...baseHost,
    getSourceFile: (f, lang) => {
      const own = files.get(f);
      if (own !== undefined) return ts.createSourceFile(f, own, lang);
      let sf = cache.get(f);
      if (!sf) {
        sf = baseHost.getSourceFile(f, lang);
        if (sf) cache.set(f, sf);
      }
      return sf;
    },
    fileExists: (f) => files.has(f) || baseHost.fileExists(f),
    directoryExists: (d) => d === path.dirname(fileName) || (baseHost.directoryExists?.(d) ?? true),
    readFile: (f) => files.get(f) ?? baseHost.readFile(f),
    writeFile: () => undefined,
  };
  // `// @unchecked`: the program is compiled with noUncheckedIndexedAccess.
  const program = ts.createProgram([fileName], text.includes("// @unchecked") ? { ...options, noUncheckedIndexedAccess: true } : options, host, oldProgram);
  oldProgram = program;
  const sources = [...files.keys()].map((f) => program.getSourceFile(f)).filter((f): f is ts.SourceFile => f !== undefined);
  const diagnostics: ts.Diagnostic[] = [...program.getSyntacticDiagnostics(), ...sources.flatMap((f) => program.getSemanticDiagnostics(f))];
  const emitted = new Map<string, string>();
  const transformer = tsjvpTransformer(program, {}, { ts, addDiagnostic: (d) => diagnostics.push(d) });
  for (const f of sources) {
    program.emit(f, (out, t) => {
      if (out.endsWith(".js")) emitted.set(f.fileName, t);
    }, undefined, false, { before: [transformer] });
  }
  const js = emitted.get(fileName) ?? "";
  const formatHost = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => path.dirname(fileName), getNewLine: () => "\n" };
  const formatted = ts.formatDiagnostics(diagnostics, formatHost);
  if (formatted) return { diagnostics: formatted, js };
  const loaded = new Map<string, Record<string, unknown>>();
  const evaluate = (f: string): Record<string, unknown> => {
    const module = { exports: {} as Record<string, unknown> };
    loaded.set(f, module.exports);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = (id: string) => (id === "tsjvp" ? require(path.join(repoRoot, "dist", "runtime", "index.js")) : id === "tsjvp/ops" ? require(path.join(repoRoot, "dist", "runtime", "ops.js"))
      : id === "./lib" ? loaded.get(libName) ?? evaluate(libName) : require(id));
    new Function("exports", "require", "module", emitted.get(f) ?? "")(module.exports, load, module);
    return module.exports;
  };
  const exported = evaluate(fileName);
  return {
    diagnostics: "", run: exported.run as Compiled["run"], gradient: exported.gradient as Compiled["gradient"], gradientByColumns: exported.gradientByColumns as Compiled["gradientByColumns"],
    hessianX: exported.hessianX as Compiled["hessianX"], hessianA: exported.hessianA as Compiled["hessianA"], hessianA8: exported.hessianA8 as Compiled["hessianA8"], patternA: exported.patternA as Compiled["patternA"], sparseA: exported.sparseA as Compiled["sparseA"], js,
  };
}

export interface Outcome {
  readonly twin: number[];
  readonly oracle: number[];
  /** Some primal inside the oracle's run was not finite. */
  readonly overflowed?: boolean;
}

/** Runs twin and oracle on the same inputs: [primal, tangent, out…, out tangent…] from each. */
export function runBoth(source: string, compiled: Compiled, inputs: Inputs): Outcome {
  const f64 = (xs: number[]) => Float64Array.from(xs);
  const a = f64(inputs.a);
  const out = f64(inputs.out);
  const da = f64(inputs.da);
  const dout = inputs.dout ? f64(inputs.dout) : null;
  // With dy null but dout given and dp given, the driver passes dy as a tangent of 0 (full twin).
  const dy = inputs.dp && inputs.dy === null && inputs.dout !== null ? 0 : inputs.dy;
  const p = { s: inputs.ps, v: f64(inputs.pv) };
  const dp = inputs.dp ? { s: inputs.dp.s, v: f64(inputs.dp.v) } : null;
  const [primal, t] = compiled.run!(inputs.x, inputs.dx, inputs.y, dy, a, da, out, dout, p, dp);
  const twin = [primal, t, ...a, ...da, ...out, ...(dout ?? []), p.s, ...p.v, ...(dp ? [dp.s, ...dp.v] : [])];

  const oa = new DArray(f64(inputs.a), f64(inputs.da));
  const oout = new DArray(f64(inputs.out), inputs.dout ? f64(inputs.dout) : new Float64Array(3));
  const op: Record<string, D | DArray> = { s: new D(inputs.ps, inputs.dp?.s ?? 0), v: new DArray(f64(inputs.pv), inputs.dp ? f64(inputs.dp.v) : new Float64Array(3)) };
  D.sawNonFinite = false;
  const result = new Oracle(source).call("main", [new D(inputs.x, inputs.dx), new D(inputs.y, dy ?? 0), oa, oout, op]) as D;
  const os = op.s as D;
  const ov = op.v as DArray;
  const oracle = [result.v, result.d, ...oa.v, ...oa.d, ...oout.v, ...(inputs.dout ? oout.d : []), os.v, ...ov.v, ...(inputs.dp ? [os.d, ...ov.d] : [])];
  return { twin, oracle, overflowed: D.sawNonFinite };
}

/**
 * Vector mode against one direction per pass: main's gradient with respect to `a` from its vector
 * twin (all of a's directions in one pass) and from its one-lane twin (a pass per direction), each
 * on fresh copies of the inputs (main may write them). They must agree bit for bit.
 */
export function vectorMismatch(compiled: Compiled, inputs: Inputs): string | undefined {
  const args = () => [inputs.x, inputs.y, Float64Array.from(inputs.a), Float64Array.from(inputs.out), { s: inputs.ps, v: Float64Array.from(inputs.pv) }];
  const lanes = Array.from(compiled.gradient!(...args()));
  const columns = Array.from(compiled.gradientByColumns!(...args()));
  if (lanes.length !== columns.length) return `vector mode: lengths ${lanes.length} and ${columns.length}`;
  const i = lanes.findIndex((v, k) => !Object.is(v, columns[k]));
  return i < 0 ? undefined : `vector mode: ∂main/∂a[${i}] is ${lanes[i]} from the vector twin and ${columns[i]} from one pass per direction`;
}

/**
 * The sparse check: main's pattern with respect to a holds every entry of its gradient that is
 * finite and nonzero, at the inputs and at two other values of a (a pattern holds for every
 * value); jacfwdSparse's values are jacfwd's at the pattern's columns, and 0 is jacfwd's elsewhere.
 */
export function sparseMismatch(compiled: Compiled, inputs: Inputs): string | undefined {
  if (!compiled.patternA || !compiled.sparseA) return undefined;
  const args = (a: readonly number[]) => [inputs.x, inputs.y, Float64Array.from(a), Float64Array.from(inputs.out), { s: inputs.ps, v: Float64Array.from(inputs.pv) }];
  const columns = new Set(compiled.patternA(...args(inputs.a)).colIdx);
  for (const a of [inputs.a, inputs.a.map((v) => -1.3 * v + 0.7), inputs.a.map((v, k) => v + 0.5 * (k + 1))]) {
    const dense = compiled.gradient!(...args(a));
    const j = dense.findIndex((v, k) => Number.isFinite(v) && v !== 0 && !columns.has(k));
    if (j >= 0) return `sparsity: ∂main/∂a[${j}] is ${dense[j]} at a = ${JSON.stringify(a)}, outside the pattern [${[...columns]}]`;
  }
  const dense = compiled.gradient!(...args(inputs.a));
  const sparse = compiled.sparseA(...args(inputs.a));
  const got = new Float64Array(dense.length);
  sparse.colIdx.forEach((j, k) => (got[j] = sparse.values[k]));
  const k = Array.from(dense).findIndex((v, i) => !(Object.is(v, got[i]) || Math.abs(v - got[i]) <= 1e-12 * (1 + Math.abs(v)) || (!columns.has(i) && v === 0)));
  return k < 0 ? undefined : `jacfwdSparse: ∂main/∂a[${k}] is ${got[k]}, jacfwd's ${dense[k]}`;
}

/** The first component where twin and oracle disagree, or undefined. */
export function mismatch({ twin, oracle }: Outcome): string | undefined {
  if (twin.length !== oracle.length) return `lengths ${twin.length} vs ${oracle.length}`;
  for (let i = 0; i < twin.length; i++) {
    const [t, o] = [twin[i], oracle[i]];
    if (Number.isNaN(o) || !Number.isFinite(o)) {
      if (!Object.is(t, o) && !(Number.isNaN(t) && Number.isNaN(o))) return `component ${i}: twin ${t}, oracle ${o}`;
    } else if (!(Math.abs(t - o) <= 1e-8 * (1 + Math.abs(o)))) return `component ${i}: twin ${t}, oracle ${o}`;
  }
  return undefined;
}

/** Programs whose primal overflows test IEEE arithmetic, not derivatives: the property skips them. */
export function finite(outcome: Outcome): boolean {
  return outcome.oracle.every(Number.isFinite) && !outcome.overflowed;
}

/**
 * The oracle's own sanity check: its tangent of main against central differences of its primal
 * (h = 1e-6) along the same direction. Piecewise programs (branches, abs, floor, min/max) have
 * kinks, so this holds where the function is smooth at the point — almost always for random inputs.
 */
export function oracleMatchesCentralDifferences(source: string, inputs: Inputs): boolean {
  const h = 1e-6;
  const at = (step: number) => {
    const shift = (xs: number[], ds: number[] | null) => Float64Array.from(xs, (v, i) => v + step * (ds ? ds[i] : 0));
    const zeros = new Float64Array(3);
    const p = { s: new D(inputs.ps + step * (inputs.dp?.s ?? 0), 0), v: new DArray(shift(inputs.pv, inputs.dp?.v ?? null), zeros.slice()) };
    const args = [new D(inputs.x + step * inputs.dx, 0), new D(inputs.y + step * (inputs.dy ?? 0), 0),
      new DArray(shift(inputs.a, inputs.da), zeros.slice()), new DArray(shift(inputs.out, inputs.dout), zeros.slice()), p];
    return (new Oracle(source).call("main", args) as D).v;
  };
  const oa = new DArray(Float64Array.from(inputs.a), Float64Array.from(inputs.da));
  const oout = new DArray(Float64Array.from(inputs.out), inputs.dout ? Float64Array.from(inputs.dout) : new Float64Array(3));
  const op = { s: new D(inputs.ps, inputs.dp?.s ?? 0), v: new DArray(Float64Array.from(inputs.pv), inputs.dp ? Float64Array.from(inputs.dp.v) : new Float64Array(3)) };
  const tangent = (new Oracle(source).call("main", [new D(inputs.x, inputs.dx), new D(inputs.y, inputs.dy ?? 0), oa, oout, op]) as D).d;
  const fd = (at(h) - at(-h)) / (2 * h);
  return Number.isFinite(tangent) && Math.abs(fd - tangent) <= 1e-5 * (1 + Math.abs(tangent));
}

/**
 * Second derivatives against the oracle: main's second derivative in x and its Hessian with respect
 * to `a` (twins of its twin) against the oracle's hyper-dual numbers seeded along two directions
 * (x and x, or eⱼ and eᵢ of a): their second-derivative part is Hᵢⱼ, worked out from the oracle's
 * own second derivatives of each rule. Tolerance 1e-8·(1 + |H|), as for first derivatives (the
 * two evaluate equivalent formulas in different orders). Not judged: a point where a comparison
 * ties (a branch switches there: the Hessian is the taken branch's, the oracle may average), and an
 * entry the oracle finds not finite.
 */
export function secondOrderMismatch(source: string, compiled: Compiled, inputs: Inputs): string | undefined {
  if (!compiled.hessianX || !compiled.hessianA) return undefined;
  const args = () => [inputs.x, inputs.y, Float64Array.from(inputs.a), Float64Array.from(inputs.out), { s: inputs.ps, v: Float64Array.from(inputs.pv) }];
  const n = inputs.a.length;
  const unit = (k: number) => Float64Array.from({ length: n }, (_, m) => (m === k ? 1 : 0));
  // The oracle's ∂²main/∂x² (i < 0), or ∂²main/∂aᵢ∂aⱼ; undefined where a primal overflowed.
  const exact = (i: number, j: number): number | undefined => {
    const x = new D(inputs.x, i < 0 ? 1 : 0, i < 0 ? 1 : 0);
    const a = new DArray(Float64Array.from(inputs.a), i < 0 ? new Float64Array(n) : unit(j), i < 0 ? new Float64Array(n) : unit(i));
    const p = { s: new D(inputs.ps, 0), v: new DArray(Float64Array.from(inputs.pv), new Float64Array(3)) };
    const overflowed = D.sawNonFinite;
    D.sawNonFinite = false;
    try {
      const result = new Oracle(source).call("main", [x, new D(inputs.y, 0), a, new DArray(Float64Array.from(inputs.out), new Float64Array(3)), p]) as D;
      return D.sawNonFinite ? undefined : result.de;
    } finally {
      D.sawNonFinite = overflowed;
    }
  };
  const judge = (i: number, j: number, value: number, what: string): string | undefined => {
    const reference = exact(i, j);
    if (reference === undefined || !Number.isFinite(reference)) return undefined;
    return Math.abs(value - reference) <= 1e-8 * (1 + Math.abs(reference)) ? undefined : `second order: ${what} is ${value} from hessian, ${reference} from the oracle's hyper-dual numbers`;
  };
  D.sawTie = false;
  exact(-1, -1);
  if (D.sawTie) return undefined;
  const xx = judge(-1, -1, compiled.hessianX(...args()), "∂²main/∂x²");
  if (xx) return xx;
  const H = compiled.hessianA(...args());
  // Eight rows per pass (the vector twin of the twin) against one per pass: the same numbers, up to rounding.
  const H8 = compiled.hessianA8?.(...args());
  const lanes = H8 && [...H].findIndex((h, k) => !(Math.abs(h - H8[k]) <= 1e-10 * (1 + Math.abs(h)) || (Number.isNaN(h) && Number.isNaN(H8[k]))));
  if (lanes !== undefined && lanes >= 0) return `second order: H[${lanes}] is ${H[lanes]} one row per pass, ${H8![lanes]} eight rows per pass`;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const problem = judge(i, j, H[i * n + j], `∂²main/∂a[${i}]∂a[${j}]`);
      if (problem) return problem;
    }
  }
  return undefined;
}
