import type * as ts from "typescript";
import { Core } from "../core/context";
import { DiagnosticBag } from "../core/diagnostics";
import { withTwinsDeclared } from "./imported-twins";

/**
 * The module's emitted text as a new version of the file, type-checked with the rest of the
 * program as it was, except that the source modules it imports declare their first-pass twins.
 */
export function reparse(core: Core, text: string): Core {
  const { ts, program } = core;
  const options = program.getCompilerOptions();
  const own = core.file.fileName;
  const host = ts.sys ? ts.createCompilerHost(options, true) : programHost(core);
  // The emitted module imports what the source imports (tsjvp, the modules whose twins it calls):
  // each specifier resolves to the file the first program resolved it to, with or without a disk.
  const resolved = resolvedImports(core);
  const texts = new Map<string, string>([[own, text]]);
  for (const { resolvedFileName } of resolved.values()) {
    const module = program.getSourceFile(resolvedFileName);
    const declared = module && !module.isDeclarationFile ? withTwinsDeclared(core, module) : undefined;
    if (module && declared !== undefined && declared !== module.text) texts.set(module.fileName, declared);
  }
  // The first program's files first (an in-memory project, a bundler's unsaved text), then the disk.
  const known = (name: string) => texts.has(name) || program.getSourceFile(name) !== undefined;
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, onError, create) => {
    const changed = texts.get(name);
    return changed !== undefined ? ts.createSourceFile(name, changed, language, true) : (program.getSourceFile(name) ?? getSourceFile.call(host, name, language, onError, create));
  };
  host.fileExists = (name) => known(name) || fileExists.call(host, name);
  host.readFile = (name) => texts.get(name) ?? program.getSourceFile(name)?.text ?? readFile.call(host, name);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, compilerOptions) => literals.map((literal) => {
    const known = containingFile === own ? resolved.get(literal.text) : undefined;
    if (known) return { resolvedModule: known };
    return ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, undefined, redirected);
  });
  const next = ts.createProgram({ rootNames: program.getRootFileNames(), options, host, oldProgram: program });
  const file = next.getSourceFile(own)!;
  return { ...core, program: next, checker: next.getTypeChecker(), file, diags: new DiagnosticBag(ts, program.getCurrentDirectory()) };
}

/** What each module specifier of the file resolved to in the first program. */
function resolvedImports(core: Core): Map<string, ts.ResolvedModuleFull> {
  const { ts } = core;
  const found = new Map<string, ts.ResolvedModuleFull>();
  for (const s of core.file.statements) {
    const specifier = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier : undefined;
    const target = specifier && core.checker.getSymbolAtLocation(specifier)?.valueDeclaration?.getSourceFile();
    if (!specifier || !target) continue;
    const name = target.fileName;
    const extension = [ts.Extension.Dmts, ts.Extension.Dcts, ts.Extension.Dts, ts.Extension.Mts, ts.Extension.Cts, ts.Extension.Tsx, ts.Extension.Ts].find((e) => name.endsWith(e)) ?? ts.Extension.Ts;
    found.set(specifier.text, { resolvedFileName: name, extension, isExternalLibraryImport: /[\\/]node_modules[\\/]/.test(name) });
  }
  return found;
}

/**
 * Where TypeScript has no file system (the playground, in a browser): a host that serves the first
 * program's files. The second program has the same files and imports (module resolutions are
 * reused from the old program), so nothing else is asked for.
 */
function programHost(core: Core): ts.CompilerHost {
  const { ts, program } = core;
  const lib = program.getSourceFiles().find((f) => program.isSourceFileDefaultLibrary(f));
  const libDir = lib ? lib.fileName.slice(0, lib.fileName.lastIndexOf("/") + 1) : "/";
  return {
    getSourceFile: () => undefined,
    getDefaultLibFileName: (options) => libDir + ts.getDefaultLibFileName(options),
    writeFile: () => undefined,
    getCurrentDirectory: () => program.getCurrentDirectory(),
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: () => false,
    readFile: () => undefined,
  };
}
