#!/usr/bin/env node
/**
 * `tsjvp`: the command line. `emit` writes the twins as companion modules for builds that run no
 * tsc plugin (tsx, esbuild, vite); `check` reports every diagnostic. The same differentiation core
 * as the plugin, on a project loaded by ts-morph. Bad input is a one-line error, never a stack trace.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import { parseArgs, usage, UsageError } from "./args";
import { loadProject, LoadedProject, ts } from "./project";
import { buildCompanion, CompanionLayout, generatedHeader } from "./companion";
import { transformFile } from "../transformer/pipeline";

function main(argv: readonly string[]): number {
  const args = parseArgs(argv);
  if (args.version) return print(`${packageVersion()}\n`), 0;
  if (args.help || !args.command) {
    process.stdout.write(usage[args.command ?? "main"]);
    return args.help ? 0 : 1;
  }
  const project = loadProject(args.project);
  const syntax = project.program.getSourceFiles().flatMap((f) => (f.isDeclarationFile ? [] : project.program.getSyntacticDiagnostics(f)));
  if (syntax.length > 0) {
    report(syntax, false);
    throw new UsageError(`${syntax.length === 1 ? "a file has a syntax error" : `${syntax.length} syntax errors`}; fix ${syntax.length === 1 ? "it" : "them"} first`);
  }
  const pretty = args.pretty ?? process.stdout.isTTY === true;
  return args.command === "check" ? check(project, pretty) : emit(project, args.files, args.outDir, args.stdout, pretty);
}

function print(text: string): void {
  process.stdout.write(text);
}

function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
}

/** The project's own source files (not declarations, not node_modules, not generated companions). */
function sourceFiles(project: LoadedProject, outDir: string | undefined): TS.SourceFile[] {
  return project.program.getSourceFiles().filter((f) =>
    !f.isDeclarationFile && !f.fileName.includes("/node_modules/") && !f.fileName.endsWith(".jvp.ts") &&
    !(outDir && path.resolve(f.fileName).startsWith(outDir + path.sep)) && !project.program.isSourceFileDefaultLibrary(f));
}

/** Runs the core over `file` inside a real transformation (it needs a TransformationContext). */
function withContext<T>(file: TS.SourceFile, work: (context: TS.TransformationContext) => T): T {
  let out: T | undefined;
  const result = ts.transform(file, [(context) => (sf) => ((out = work(context)), sf)]);
  result.dispose();
  return out as T;
}

function report(diagnostics: readonly TS.Diagnostic[], pretty: boolean): void {
  if (diagnostics.length === 0) return;
  const host: TS.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" };
  process.stderr.write(pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host));
}

/** Shows `k/n` on a terminal for large projects; silent when piped. */
function progress(total: number): (done: number) => void {
  if (!process.stderr.isTTY || total < 50) return () => undefined;
  return (done) => process.stderr.write(done < total ? `\rtsjvp: ${done}/${total} files` : "\r\x1b[K");
}

function check(project: LoadedProject, pretty: boolean): number {
  const files = sourceFiles(project, undefined);
  const diagnostics: TS.Diagnostic[] = [...ts.getPreEmitDiagnostics(project.program)];
  const tick = progress(files.length);
  files.forEach((file, i) => {
    diagnostics.push(...withContext(file, (context) => transformFile(ts, project.program, context, file).diagnostics));
    tick(i + 1);
  });
  report(diagnostics, pretty);
  return diagnostics.length > 0 ? 1 : 0;
}

function emit(project: LoadedProject, given: readonly string[], outOption: string | undefined, toStdout: boolean, pretty: boolean): number {
  if (!toStdout && !outOption) throw new UsageError("emit needs --out-dir DIR (or --stdout with one file)");
  if (toStdout && given.length !== 1) throw new UsageError("--stdout prints the companion of exactly one file");
  const outDir = path.resolve(outOption ?? ".");
  if (!toStdout && fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new UsageError(`--out-dir ${outOption} is a file`);
  const files = given.length > 0 ? given.map((g) => selectFile(project, g)) : sourceFiles(project, outDir);
  const extension = usesExtensions(project) ? ".js" : "";
  const outputs = new Map<string, string>();
  const diagnostics: TS.Diagnostic[] = [];
  const tick = progress(files.length);
  files.forEach((file, i) => {
    const target = companionPath(project, outDir, file.fileName);
    const layout: CompanionLayout = { companionDir: path.dirname(target), extension };
    const companion = withContext(file, (context) => buildCompanion(ts, project.program, context, file, layout));
    tick(i + 1);
    if (!companion) return;
    diagnostics.push(...companion.diagnostics);
    if (companion.text !== undefined) outputs.set(target, companion.text);
  });
  report(diagnostics, pretty);
  if (toStdout) {
    const text = [...outputs.values()][0];
    if (text === undefined) throw new UsageError(`${given[0]} has no marked or @jvp-tagged function`);
    print(text);
    return diagnostics.length > 0 ? 1 : 0;
  }
  outputs.set(path.join(outDir, "index.ts"), indexText([...outputs.keys()].sort(), outDir, extension));
  for (const file of outputs.keys()) refuseForeign(file, outDir);
  for (const [file, text] of outputs) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) fs.writeFileSync(file, text);
  }
  return diagnostics.length > 0 ? 1 : 0;
}

function selectFile(project: LoadedProject, given: string): TS.SourceFile {
  const full = path.resolve(given);
  if (!fs.existsSync(full)) throw new UsageError(`${given} does not exist`);
  const file = project.program.getSourceFile(full);
  if (!file) throw new UsageError(`${given} is not part of the project ${path.relative(process.cwd(), project.configPath)}`);
  return file;
}

/** DIR/<module path relative to rootDir>.jvp.ts */
function companionPath(project: LoadedProject, outDir: string, moduleFile: string): string {
  const rel = path.relative(project.rootDir, path.resolve(moduleFile));
  if (rel.startsWith("..")) throw new UsageError(`${moduleFile} is outside rootDir ${project.rootDir}`);
  return path.join(outDir, rel.replace(/\.(m|c)?tsx?$/, ".jvp.ts"));
}

/** ES modules resolved by Node need `.js` in relative imports. */
function usesExtensions(project: LoadedProject): boolean {
  const kind = project.options.moduleResolution;
  return kind === ts.ModuleResolutionKind.Node16 || kind === ts.ModuleResolutionKind.NodeNext ||
    project.options.module === ts.ModuleKind.Node16 || project.options.module === ts.ModuleKind.NodeNext;
}

function indexText(companions: readonly string[], outDir: string, extension: string): string {
  const imports = companions.map((c) => {
    const rel = path.relative(outDir, c).split(path.sep).join("/").replace(/\.ts$/, extension);
    return `import "./${rel}";`;
  });
  return [`${generatedHeader}. Do not edit: \`tsjvp emit\` rewrites it. Import it once from your entry module.`, ...imports, ""].join("\n");
}

/** The CLI never writes outside --out-dir, nor over a file it did not generate. */
function refuseForeign(file: string, outDir: string): void {
  if (path.relative(outDir, file).startsWith("..")) throw new UsageError(`refusing to write ${file}: outside --out-dir`);
  if (fs.existsSync(file) && !fs.readFileSync(file, "utf8").startsWith(generatedHeader)) {
    throw new UsageError(`refusing to overwrite ${path.relative(process.cwd(), file)}: it was not generated by tsjvp`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof UsageError ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`tsjvp: ${message}\n`);
  process.exitCode = 2;
}
