/**
 * A real third-party code base for the "untouched" and robustness tests: rxjs 7.8.1, whose npm
 * package ships its TypeScript sources (src/, 251 modules). Compiled in memory, as tsc would
 * (CommonJS, declarations and source maps), with or without the plugin (both of its entries).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import tsjvpTransformer from "../../transformer/plugin";
import { repoRoot } from "./compile";

export const rxjsSrc = path.join(repoRoot, "node_modules", "rxjs", "src");

export function rxjsModules(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(full);
    }
  };
  walk(rxjsSrc);
  return out.sort();
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2018.d.ts", "lib.dom.d.ts"], strict: true, declaration: true, sourceMap: true, skipLibCheck: true, types: [],
  rootDir: rxjsSrc, outDir: path.join(repoRoot, "build", "rxjs-out"), noEmitOnError: false, importHelpers: false,
  paths: { tsjvp: [path.join(repoRoot, "runtime/index.ts")] },
};

export interface Emitted {
  readonly files: Map<string, string>;
  readonly diagnostics: ts.Diagnostic[];
}

/** Emits the code base; `replace` swaps some modules' text; `plugin` runs tsjvp's transformer. */
export function emitRxjs(plugin: boolean, replace: Map<string, string> = new Map()): Emitted {
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => replace.get(path.resolve(f)) ?? read(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = replace.get(path.resolve(f));
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, onError, create);
  };
  const program = ts.createProgram(rxjsModules(), options, host);
  const files = new Map<string, string>();
  const diagnostics: ts.Diagnostic[] = [];
  // Both plugin entries, as a library builds: the JavaScript transform and the declarations one.
  const entry = () => tsjvpTransformer(program, {}, { ts, addDiagnostic: (d) => diagnostics.push(d) });
  const transformers: ts.CustomTransformers = plugin ? { before: [entry()], afterDeclarations: [entry() as ts.TransformerFactory<ts.SourceFile | ts.Bundle>] } : {};
  program.emit(undefined, (f, text) => files.set(path.relative(options.outDir!, f), text), undefined, false, transformers);
  return { files, diagnostics };
}
