/**
 * Compiles a fixture folder in memory with the plugin's core, as tspc would: the transformed
 * modules printed as TypeScript (the snapshots), the diagnostics in tsc's plain format, and the
 * JavaScript written under build/ so that the fixture can be run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { transformFile } from "../../transformer/pipeline";
import tsjvpTransformer from "../../transformer/plugin";
import { reindent } from "../../transformer/emit/format";

export const repoRoot = path.resolve(__dirname, "../../..");

export function fixtureOptions(): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2022.d.ts"],
    paths: { tsjvp: [path.join(repoRoot, "runtime/index.ts")], "tsjvp/ops": [path.join(repoRoot, "runtime/ops.ts")] },
  };
}

/** The fixture options, with the compiler options of the fixture's own options.json when it has one. */
export function fixtureOptionsFor(dir: string): ts.CompilerOptions {
  const file = path.join(dir, "options.json");
  return fs.existsSync(file) ? { ...fixtureOptions(), ...(JSON.parse(fs.readFileSync(file, "utf8")) as ts.CompilerOptions) } : fixtureOptions();
}

export interface CompiledFixture {
  /** Input module file name (relative) → the module as the plugin transforms it, printed. */
  readonly printed: Map<string, string>;
  /** Diagnostics in tsc's plain format, paths relative to the fixture. */
  readonly errors: string;
  readonly program: ts.Program;
}

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });

/** Input modules of a fixture: its .ts files except snapshots. */
export function inputModules(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".snap.ts")).sort();
}


/** Writes `files` (name → text) into a fresh `dir` and compiles them as a fixture. */
export function compileSources(dir: string, files: Readonly<Record<string, string>>): CompiledFixture {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return compileFixture(dir);
}

export function compileFixture(dir: string, options = fixtureOptionsFor(dir)): CompiledFixture {
  const roots = inputModules(dir).map((f) => path.join(dir, f));
  const program = ts.createProgram(roots, options);
  const printed = new Map<string, string>();
  const diagnostics: ts.Diagnostic[] = [];
  for (const root of roots) {
    const file = program.getSourceFile(root)!;
    const result = ts.transform(file, [(context) => (sf) => {
      const out = transformFile(ts, program, context, sf);
      diagnostics.push(...out.diagnostics);
      return out.file;
    }], options);
    printed.set(path.basename(root), reindent(printer.printFile(result.transformed[0]), file.text));
    result.dispose();
  }
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => dir,
    getNewLine: () => "\n",
  };
  const typeErrors = ts.getPreEmitDiagnostics(program);
  return { printed, errors: ts.formatDiagnostics([...typeErrors, ...diagnostics], host), program };
}

/** Emits the fixture as tspc with the plugin would, into `outDir`. */
export function emitFixture(program: ts.Program, outDir: string): void {
  const diagnostics: ts.Diagnostic[] = [];
  const transformer = tsjvpTransformer(program, {}, { ts, addDiagnostic: (d) => diagnostics.push(d) });
  const rootDir = path.dirname(program.getRootFileNames()[0]);
  program.emit(undefined, (fileName, text) => {
    if (!path.resolve(fileName).startsWith(rootDir + path.sep)) return;
    const target = path.join(outDir, path.relative(rootDir, fileName));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }, undefined, false, { before: [transformer] });
  // A declaration file stands for a library: its JavaScript (lib.js beside lib.d.ts) is copied as is.
  for (const f of fs.readdirSync(rootDir).filter((x) => x.endsWith(".js"))) fs.copyFileSync(path.join(rootDir, f), path.join(outDir, f));
}

/** Type-checks printed snapshots under --strict, each standing in for its input module. */
export function typeCheckSnapshots(dir: string, printed: Map<string, string>): string {
  const options = fixtureOptionsFor(dir);
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const replaced = (f: string) => (path.dirname(f) === dir ? printed.get(path.basename(f)) : undefined);
  host.readFile = (f) => replaced(f) ?? readFile(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = replaced(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, onError, create);
  };
  const program = ts.createProgram([...printed.keys()].map((f) => path.join(dir, f)), { ...options, noEmit: true }, host);
  const formatHost: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => "\n" };
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), formatHost);
}
