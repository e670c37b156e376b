/**
 * `tsjvp check --numeric`: every twin and custom rule the project exports, run on sample inputs and
 * compared with 4th-order central differences in random directions (JAX's check_jvp, automatic).
 * The project is built with the plugin into node_modules/.cache/tsjvp-numeric (CommonJS, so that
 * its modules load here and resolve the project's packages), and the modules that hold twins or
 * rules are loaded: their top-level code runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import { LoadedProject } from "./project";
import { transformFile } from "../transformer/pipeline";
import { jvp } from "../runtime/index";

export interface NumericOptions {
  readonly tolerance: number;
  readonly seed: number;
}

export interface NumericReport {
  readonly checked: number;
  readonly skipped: number;
  readonly mismatches: readonly string[];
  readonly notes: readonly string[];
}

type Value = number | boolean | string | null | undefined | Float64Array | Value[] | { [key: string]: Value };
type AnyFunction = (...args: unknown[]) => unknown;

const twinKey = Symbol.for("tsjvp.twin");
const ruleKey = Symbol.for("tsjvp.rule");

export function checkNumeric(project: LoadedProject, options: NumericOptions): NumericReport {
  const { ts, program } = project;
  const outDir = path.join(path.dirname(project.configPath), "node_modules", ".cache", "tsjvp-numeric");
  fs.rmSync(outDir, { recursive: true, force: true });
  const withTwins = new Set<string>();
  const notes: string[] = [];
  const outputs = new Map<string, string>();
  const compilerOptions = program.getCompilerOptions();
  // Emit as CommonJS into the cache folder, whatever the project's own settings.
  const emitProgram = ts.createProgram({
    rootNames: program.getRootFileNames(),
    options: { ...compilerOptions, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Bundler, outDir, rootDir: project.rootDir, noEmit: false, declaration: false, sourceMap: false, emitDeclarationOnly: false, composite: false, incremental: false, noEmitOnError: false },
    oldProgram: program,
  });
  emitProgram.emit(undefined, (file, text, _bom, _onError, sources) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    if (sources?.[0] && file.endsWith(".js")) outputs.set(path.resolve(sources[0].fileName), file);
  }, undefined, false, {
    before: [(context) => (file) => {
      const result = transformFile(ts, emitProgram, context, file);
      for (const d of result.diagnostics) notes.push(`${ts.flattenDiagnosticMessageText(d.messageText, " ")} (${shown(file.fileName)}, in the build for --numeric)`);
      // Modules with twins, and modules that may define rules (loading one more module is harmless).
      if (result.file !== file || file.text.includes("defineJvp")) withTwins.add(path.resolve(file.fileName));
      return result.file;
    }],
  });
  fs.writeFileSync(path.join(outDir, "package.json"), JSON.stringify({ type: "commonjs" }));
  const rand = random(options.seed);
  const mismatches: string[] = [];
  let checked = 0;
  let skipped = 0;
  for (const source of [...withTwins].sort()) {
    const output = outputs.get(source);
    const file = emitProgram.getSourceFile(source);
    if (!output || !file) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exports = require(output) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== "function" || !((value as never)[twinKey] || (value as never)[ruleKey])) continue;
      const declaration = declarationOf(ts, file, name);
      const where = declaration ? position(file, declaration) : `${shown(source)}`;
      const samples = declaration ? samplesOf(ts, emitProgram.getTypeChecker(), declaration, rand) : undefined;
      if (!samples || samples.length === 0) {
        notes.push(`${where} ${name}: no sample inputs (add /** @jvpSample [arguments] */ to its declaration)`);
        continue;
      }
      for (const { args, fixed } of samples) {
        let outcome: ReturnType<typeof compare>;
        try {
          outcome = compare(value as AnyFunction, args, fixed, rand, options.tolerance);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          notes.push(`${where} ${name}: threw on a sample (${why}); not checked: give it inputs with /** @jvpSample [arguments] */`);
          continue;
        }
        if (outcome === "skipped") skipped++;
        else {
          checked++;
          if (outcome) mismatches.push(`${where} ${name}: jvp ${outcome.jvp} vs differences ${outcome.fd}`);
        }
      }
    }
  }
  return { checked, skipped, mismatches, notes };
}

function shown(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

function position(file: TS.SourceFile, node: TS.Node): string {
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return `${shown(file.fileName)}:${line + 1}:${character + 1}`;
}

/** The exported function declaration or const of `name` at the top level of `file`. */
function declarationOf(ts: typeof TS, file: TS.SourceFile, name: string): TS.Node | undefined {
  for (const s of file.statements) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === name) return s;
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return s;
  }
  return undefined;
}

interface Sample {
  readonly args: Value[];
  /** Arguments held constant: integers written in a @jvpSample tag (sizes, counts, indices). */
  readonly fixed: readonly boolean[];
}

/** `@jvpSample [args]` tags, else arguments generated from the parameter types (undefined when one cannot be). */
function samplesOf(ts: typeof TS, checker: TS.TypeChecker, statement: TS.Node, rand: () => number): Sample[] | undefined {
  const text = statement.getSourceFile().getFullText();
  const tagged: Sample[] = [];
  for (const r of ts.getLeadingCommentRanges(text, statement.pos) ?? []) {
    for (const m of text.slice(r.pos, r.end).matchAll(/@jvpSample\s+(\[[^\n]*\])/g)) {
      // The tag holds a JavaScript array literal of the arguments.
      // eslint-disable-next-line no-new-func
      const args = (new Function(`return ${m[1]};`) as () => Value[])();
      tagged.push({ args, fixed: args.map((a) => Number.isInteger(a)) });
    }
  }
  if (tagged.length > 0) return tagged;
  const generated = (args: (Value | typeof unknownSample)[]): Sample[] | undefined =>
    args.some((a) => a === unknownSample) ? undefined : [{ args: args as Value[], fixed: args.map(() => false) }];
  const fn = ts.isFunctionDeclaration(statement) ? statement : ts.isVariableStatement(statement) ? statement.declarationList.declarations[0]?.initializer : undefined;
  if (!fn || !(ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
    const type = ts.isVariableStatement(statement) ? checker.getTypeAtLocation(statement.declarationList.declarations[0].name) : undefined;
    const signature = type?.getCallSignatures()[0];
    if (!signature) return undefined;
    return generated(signature.getParameters().map((p) => sampleOf(ts, checker, checker.getTypeOfSymbol(p), rand, 0)));
  }
  return generated(fn.parameters.map((p) => (p.initializer || p.questionToken ? undefined : sampleOf(ts, checker, checker.getTypeAtLocation(p), rand, 0))));
}

const unknownSample = Symbol("no sample");

function sampleOf(ts: typeof TS, checker: TS.TypeChecker, type: TS.Type, rand: () => number, depth: number): Value | typeof unknownSample {
  const F = ts.TypeFlags;
  if (depth > 4) return unknownSample;
  if (type.flags & F.NumberLike) return Math.round((rand() * 2 - 1) * 1e6) / 1e6;
  if (type.flags & F.BooleanLike) return false;
  if (type.flags & F.StringLike) return "";
  if (type.isUnion()) {
    const present = type.types.filter((t) => !(t.flags & (F.Null | F.Undefined)));
    return present.length > 0 ? sampleOf(ts, checker, present[0], rand, depth) : null;
  }
  const name = type.getSymbol()?.getName();
  if (name === "Float64Array") return Float64Array.from({ length: 3 }, () => rand() * 2 - 1);
  if (checker.isTupleType(type)) {
    const items = checker.getTypeArguments(type as TS.TypeReference).map((t) => sampleOf(ts, checker, t, rand, depth + 1));
    return items.includes(unknownSample) ? unknownSample : (items as Value[]);
  }
  if (checker.isArrayType(type)) {
    const element = checker.getTypeArguments(type as TS.TypeReference)[0];
    const items = [0, 1, 2].map(() => sampleOf(ts, checker, element, rand, depth + 1));
    return items.includes(unknownSample) ? unknownSample : (items as Value[]);
  }
  if (type.flags & F.Object && type.getCallSignatures().length === 0 && type.getConstructSignatures().length === 0 && !((type.getSymbol()?.flags ?? 0) & ts.SymbolFlags.Class)) {
    const out: Record<string, Value> = {};
    for (const p of type.getProperties()) {
      const value = sampleOf(ts, checker, checker.getTypeOfSymbol(p), rand, depth + 1);
      if (value === unknownSample) return unknownSample;
      out[p.getName()] = value;
    }
    return out;
  }
  return unknownSample;
}

/** A random direction with the structure of `v`: null at what carries no tangent. */
function direction(v: Value, rand: () => number): Value {
  if (typeof v === "number") return rand() * 2 - 1;
  if (v instanceof Float64Array) return v.map(() => rand() * 2 - 1);
  if (Array.isArray(v)) return v.map((x) => direction(x, rand));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, direction(x, rand)]));
  return null;
}

function copy(v: Value): Value {
  if (v instanceof Float64Array) return v.slice();
  if (Array.isArray(v)) return v.map(copy);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  return v;
}

/** `v + h·d` at every differentiable leaf. */
function shift(v: Value, d: Value, h: number): Value {
  if (d === null || d === undefined) return v;
  if (typeof v === "number") return v + h * (d as number);
  if (v instanceof Float64Array) return v.map((x, i) => x + h * (d as Float64Array)[i]);
  if (Array.isArray(v)) return v.map((x, i) => shift(x, (d as Value[])[i], h));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shift(x, (d as Record<string, Value>)[k], h)]));
  return v;
}

/** The numbers of a value (its differentiable leaves, in a fixed order); the tangent alike, 0 for null. */
function numbers(v: unknown, shape: unknown = v): number[] {
  if (typeof shape === "number") return [typeof v === "number" ? v : 0];
  if (shape instanceof Float64Array) return v instanceof Float64Array ? Array.from(v) : Array.from(shape, () => 0);
  if (Array.isArray(shape)) return shape.flatMap((s, i) => numbers(Array.isArray(v) ? v[i] : null, s));
  if (shape && typeof shape === "object") return Object.keys(shape).sort().flatMap((k) => numbers(v && typeof v === "object" ? (v as Record<string, unknown>)[k] : null, (shape as Record<string, unknown>)[k]));
  return [];
}

/** jvp against 4th-order central differences (h = 1e-3) of the result and of the arguments after the call (out-parameters). */
function compare(f: AnyFunction, args: Value[], fixed: readonly boolean[], rand: () => number, tolerance: number): "skipped" | undefined | { jvp: string; fd: string } {
  const tangents = args.map((a, i) => (fixed[i] ? null : direction(a, rand)));
  const evaluate = (h: number): number[] => {
    const xs = args.map((a, i) => shift(copy(a), tangents[i], h));
    const result = f(...xs);
    return [...numbers(result), ...xs.flatMap((x) => numbers(x))];
  };
  const primals = args.map(copy);
  const dirs = tangents.map(copy);
  const [result, resultTangent] = jvp(f as never, primals as never, dirs as never) as [unknown, unknown];
  const t = [...numbers(resultTangent, result), ...dirs.flatMap((d, i) => numbers(d, primals[i]))];
  const h = 1e-3;
  const [p2, p1, m1, m2] = [evaluate(2 * h), evaluate(h), evaluate(-h), evaluate(-2 * h)];
  const fd = p1.map((_, i) => (-p2[i] + 8 * p1[i] - 8 * m1[i] + m2[i]) / (12 * h));
  if (![...t, ...fd, ...evaluate(0)].every(Number.isFinite)) return "skipped";
  const scale = Math.max(1, ...t.map(Math.abs));
  const worst = Math.max(0, ...t.map((v, i) => Math.abs(v - fd[i])));
  if (t.length === fd.length && worst <= tolerance * scale) return undefined;
  const show = (xs: number[]) => `[${xs.map((x) => Number(x.toPrecision(8))).join(", ")}]`;
  return { jvp: show(t), fd: show(fd) };
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
