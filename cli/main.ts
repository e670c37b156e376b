#!/usr/bin/env node
/**
 * `tsjvp`: the command line. `emit` writes the twins as companion modules for builds that run no
 * tsc plugin (tsx, esbuild, vite); `check` reports every diagnostic and every companion that no
 * longer matches its source. The same differentiation core as the plugin, on a program built by
 * the project's own TypeScript. Bad input is a one-line error, never a stack trace.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import { Args, parseArgs, usage, UsageError } from "./args";
import { configPathOf, loadProject, LoadedProject, projectOf } from "./project";
import { loadTypeScript, parseConfig, SetupError } from "../host/typescript";
import { buildCompanion, CompanionLayout, failingCompanion, generatedHeader } from "./companion";
import { apply, drift, Drift, fingerprint, Planned } from "./out-dir";
import { fileDiagnostics } from "../transformer/pipeline";
import { checkNumeric } from "./numeric";

function main(argv: readonly string[]): number {
  const args = parseArgs(argv);
  if (args.version) return print(`${packageVersion()}\n`), 0;
  if (args.help) return print(usage[args.command ?? "main"]), 0;
  if (!args.command) {
    process.stderr.write(usage.main);
    return 2;
  }
  const pretty = args.pretty ?? process.stdout.isTTY === true;
  if (args.command === "emit" && args.watch) return watch(args, pretty);
  const project = loadProject(args.project);
  return args.command === "check" ? check(project, args, pretty) : emit(project, args, pretty);
}

function print(text: string): void {
  process.stdout.write(text);
}

function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
}

/** The project's own source files (not declarations, not node_modules, not generated companions). */
function sourceFiles(project: LoadedProject): TS.SourceFile[] {
  return project.program.getSourceFiles().filter((f) =>
    !f.isDeclarationFile && !f.fileName.includes("/node_modules/") && !f.text.startsWith(generatedHeader) &&
    !project.program.isSourceFileDefaultLibrary(f));
}

/** Runs the core over `file` inside a real transformation (it needs a TransformationContext). */
function withContext<T>(ts: typeof TS, file: TS.SourceFile, work: (context: TS.TransformationContext) => T): T {
  let out: T | undefined;
  const result = ts.transform(file, [(context) => (sf) => ((out = work(context)), sf)]);
  result.dispose();
  return out as T;
}

/** Diagnostics printed like tsc's, file names relative to `cwd`. */
function formatHost(cwd: string): TS.FormatDiagnosticsHost {
  return { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => "\n" };
}

function report(ts: typeof TS, diagnostics: readonly TS.Diagnostic[], pretty: boolean): void {
  if (diagnostics.length === 0) return;
  const host = formatHost(process.cwd());
  process.stderr.write(pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host));
}

function reportDrift(found: readonly Drift[]): void {
  for (const d of found) {
    const what = d.state === "orphaned" ? `${shown(d.file)} is orphaned (${d.why}): run tsjvp emit to remove it`
      : d.state === "missing" ? `${shown(d.file)} is missing: run tsjvp emit`
      : `${shown(d.file)} is stale (${d.why}): run tsjvp emit`;
    process.stderr.write(`tsjvp: ${what}\n`);
  }
}

function shown(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/** Shows `k/n` on a terminal for large projects; silent when piped. */
function progress(total: number): (done: number) => void {
  if (!process.stderr.isTTY || total < 50) return () => undefined;
  return (done) => process.stderr.write(done < total ? `\rtsjvp: ${done}/${total} files` : "\r\x1b[K");
}

function syntaxErrors(project: LoadedProject): TS.Diagnostic[] {
  return project.program.getSourceFiles().flatMap((f) => (f.isDeclarationFile ? [] : project.program.getSyntacticDiagnostics(f)));
}

function check(project: LoadedProject, args: Args, pretty: boolean): number {
  const { ts } = project;
  const syntax = syntaxErrors(project);
  // The core needs well-formed trees: syntax errors are reported alone.
  if (syntax.length > 0) return report(ts, syntax, pretty), 1;
  const diagnostics: TS.Diagnostic[] = [...ts.getPreEmitDiagnostics(project.program)];
  const outDirs = args.outDir ? [path.resolve(args.outDir)] : companionFolders(project);
  let found: Drift[] = [];
  if (outDirs.length > 0) {
    for (const outDir of outDirs) {
      const { plan, diagnostics: own } = planCompanions(project, outDir, undefined);
      diagnostics.push(...own);
      found = found.concat(drift(outDir, plan, (f) => project.program.getSourceFile(f)?.text, packageVersion()));
    }
  } else {
    const files = sourceFiles(project);
    const tick = progress(files.length);
    files.forEach((file, i) => {
      diagnostics.push(...fileDiagnostics(ts, project.program, file));
      tick(i + 1);
    });
  }
  // TypeScript's errors inside a companion that is out of date are explained by the line that says so.
  const outdated = new Set(found.map((d) => d.file));
  const shownDiagnostics = diagnostics.filter((d) => !d.file || !outdated.has(path.resolve(d.file.fileName)));
  report(ts, shownDiagnostics, pretty);
  reportDrift(found);
  if (diagnostics.length > 0 || found.length > 0) return 1;
  return args.numeric ? numeric(project, args.tolerance) : 0;
}

function numeric(project: LoadedProject, tolerance: number): number {
  const result = checkNumeric(project, { tolerance, seed: 20261128 });
  for (const line of [...result.notes, ...result.mismatches]) process.stderr.write(`tsjvp: ${line}\n`);
  const skipped = result.skipped > 0 ? `, ${result.skipped} skipped (not finite)` : "";
  print(`tsjvp check --numeric: ${result.checked} checked, ${result.mismatches.length} mismatch${result.mismatches.length === 1 ? "" : "es"}${skipped}\n`);
  return result.mismatches.length > 0 ? 1 : 0;
}

/** Folders that hold an index.ts generated by `tsjvp emit` among the project's files. */
function companionFolders(project: LoadedProject): string[] {
  return project.program.getSourceFiles()
    .filter((f) => path.basename(f.fileName) === "index.ts" && f.text.startsWith(`${generatedHeader}.`))
    .map((f) => path.dirname(path.resolve(f.fileName)));
}

function emit(project: LoadedProject, args: Args, pretty: boolean): number {
  const { ts } = project;
  if (!args.stdout && !args.outDir) throw new UsageError("emit needs --out-dir DIR (or --stdout with one file)");
  if (args.stdout && args.files.length !== 1) throw new UsageError("--stdout prints the companion of exactly one file");
  const outDir = path.resolve(args.outDir ?? ".");
  if (!args.stdout) checkOutDir(project, outDir, args.outDir!);
  const files = args.files.length > 0 ? args.files.map((g) => selectFile(project, g)) : undefined;
  const syntax = syntaxErrors(project);
  if (syntax.length > 0) return report(ts, syntax, pretty), 1;
  const { plan, diagnostics } = planCompanions(project, outDir, files);
  report(ts, diagnostics, pretty);
  const status = diagnostics.length > 0 ? 1 : 0;
  if (args.stdout) {
    const text = [...plan.sources.keys()].map((c) => plan.outputs.get(c))[0];
    if (text === undefined) throw new UsageError(`${args.files[0]} has no marked or @jvp-tagged function`);
    print(text);
    return status;
  }
  if (args.check) {
    const found = drift(outDir, plan, (f) => project.program.getSourceFile(f)?.text, packageVersion());
    reportDrift(found);
    return found.length > 0 ? 1 : status;
  }
  for (const file of plan.outputs.keys()) refuseForeign(file);
  apply(outDir, plan);
  return status;
}

/**
 * The companions (and the index) of `files` (default: every source), as `emit` would write them
 * into `outDir`. A module whose twins have errors gets a companion that throws them.
 */
function planCompanions(project: LoadedProject, outDir: string, files: readonly TS.SourceFile[] | undefined): { plan: Planned; diagnostics: TS.Diagnostic[] } {
  const { ts } = project;
  const selected = files ?? sourceFiles(project);
  const extension = usesExtensions(project) ? ".js" : "";
  const outputs = new Map<string, string>();
  const sources = new Map<string, string>();
  const diagnostics: TS.Diagnostic[] = [];
  const tick = progress(selected.length);
  const version = packageVersion();
  selected.forEach((file, i) => {
    const target = companionPath(project, outDir, file.fileName);
    const layout: CompanionLayout = { companionDir: path.dirname(target), extension, fingerprint: fingerprint(file.text, version) };
    const companion = withContext(ts, file, (context) => buildCompanion(ts, project.program, context, file, layout));
    tick(i + 1);
    if (!companion) return;
    diagnostics.push(...companion.diagnostics);
    const errors = companion.diagnostics.map((d) => ts.formatDiagnostics([d], formatHost(path.dirname(project.configPath))).trim());
    const text = errors.length > 0 ? failingCompanion(file, layout, errors) : companion.text;
    if (text === undefined) return;
    outputs.set(target, text);
    sources.set(target, file.fileName);
  });
  if (!files) outputs.set(path.join(outDir, "index.ts"), indexText([...sources.keys()].sort(), outDir, extension));
  return { plan: { outputs, sources, complete: !files }, diagnostics };
}

/** `tsjvp emit --watch`: a watch program over the tsconfig; each new program re-plans the folder. */
function watch(args: Args, pretty: boolean): number {
  if (!args.outDir) throw new UsageError("emit --watch needs --out-dir DIR");
  if (args.files.length > 0) throw new UsageError("emit --watch keeps the whole project's companions current: give no files");
  const configPath = configPathOf(args.project);
  const ts = loadTypeScript(path.dirname(configPath), "the tsjvp command");
  parseConfig(ts, configPath);
  const outDir = path.resolve(args.outDir);
  const status = (text: string) => process.stderr.write(`tsjvp: ${text}\n`);
  const host = ts.createWatchCompilerHost(configPath, {}, ts.sys, ts.createSemanticDiagnosticsBuilderProgram,
    (d) => report(ts, [d], pretty), () => undefined);
  host.afterProgramCreate = (builder) => {
    const project = projectOf(ts, builder.getProgram(), configPath);
    try {
      checkOutDir(project, outDir, args.outDir!);
      const syntax = syntaxErrors(project);
      if (syntax.length > 0) return report(ts, syntax, pretty), status("syntax errors; companions left as they were");
      const { plan, diagnostics } = planCompanions(project, outDir, undefined);
      report(ts, diagnostics, pretty);
      for (const file of plan.outputs.keys()) refuseForeign(file);
      const changed = apply(outDir, plan);
      status(`${plan.sources.size} companion${plan.sources.size === 1 ? "" : "s"} current (${changed} file${changed === 1 ? "" : "s"} changed); watching`);
    } catch (error) {
      status(error instanceof Error ? error.message : String(error));
    }
  };
  ts.createWatchProgram(host);
  return 0;
}

function checkOutDir(project: LoadedProject, outDir: string, given: string): void {
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new UsageError(`--out-dir ${given} is a file`);
  const inside = sourceFiles(project).find((f) => !path.relative(outDir, path.resolve(f.fileName)).startsWith(".."));
  if (inside) throw new UsageError(`--out-dir ${given} holds the project's source ${shown(inside.fileName)}: give the companions a folder of their own (for example ${path.join(given, "jvp")})`);
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
  const { ts } = project;
  const kind = project.options.moduleResolution;
  return kind === ts.ModuleResolutionKind.Node16 || kind === ts.ModuleResolutionKind.NodeNext ||
    project.options.module === ts.ModuleKind.Node16 || project.options.module === ts.ModuleKind.NodeNext;
}

function indexText(companions: readonly string[], outDir: string, extension: string): string {
  const imports = companions.map((c) => {
    const rel = path.relative(outDir, c).split(path.sep).join("/").replace(/\.ts$/, extension);
    return `import "./${rel}";`;
  });
  return [`${generatedHeader}. Do not edit: \`tsjvp emit\` rewrites it. Import it once from your entry module.`, ...imports, ...(imports.length === 0 ? ["export {};"] : []), ""].join("\n");
}

/** The CLI never writes outside --out-dir, nor over a file it did not generate. */
function refuseForeign(file: string): void {
  if (fs.existsSync(file) && !fs.readFileSync(file, "utf8").startsWith(generatedHeader)) {
    throw new UsageError(`refusing to overwrite ${shown(file)}: it was not generated by tsjvp`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof UsageError || error instanceof SetupError ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`tsjvp: ${message}\n`);
  process.exitCode = 2;
}
