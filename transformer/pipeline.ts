/**
 * The pipeline for one source file, in order (docs/architecture.md describes each stage):
 *
 *   marks     find jvp calls and @jvp-tagged functions                  marks/
 *   fence     reject what tsjvp does not positively understand:         fence/
 *             the syntax of each function first, then
 *   analysis  call plans, specialisations, activity and aliasing        analysis/
 *   fence     what that activity makes unsupported, per specialisation  fence/
 *   derive    build each twin the fence admitted, from the rule table   derive/
 *   tidy      remove what a twin computes and nothing reads             tidy/
 *   vector    twins carrying eight directions, for jacfwd               vector/
 *   sparsity  twins carrying index sets, for sparsity and jacfwdSparse  sparsity/
 *   emit      insert twins, rewrite jvp calls, add imports              emit/
 *   second    twins of twins, for hessian and hvp: the pipeline again   second-order/
 *             over the emitted module
 *
 * The fence runs lazily (the first time analysis asks for a function's specialisation), so only
 * functions that are differentiated are checked. What a file emits depends on that file alone,
 * so --incremental, --watch and tsc -b stay correct.
 */
import type * as ts from "typescript";
import { Core } from "./core/context";
import { DiagnosticBag } from "./core/diagnostics";
import { findJvpCalls, findTaggedFunctions } from "./marks/marks";
import { FileDifferentiator, FileTwins } from "./derive/differentiator";

export type { FileTwins, Core };
// What the CLI's companions share with the core: one rule for what a name refers to and what is exported.
export { hasExport, rulesIn } from "./model/functions";
export { symbolOf } from "./core/context";
export { supportedTypeScript, unsupportedTypeScript } from "./core/support";
import { rewriteFile } from "./emit/rewrite";
import { declareTwins } from "./emit/declarations";
import { tidyTwin } from "./tidy/tidy";
import { vectorTwins } from "./vector/vectorize";
import { sparsityTwins } from "./sparsity/sparsify";
import { addSecondOrderTwins } from "./second-order/second-order";

export interface FileResult {
  readonly file: ts.SourceFile;
  readonly diagnostics: readonly ts.Diagnostic[];
}

/** The plugin's entry: the file with twins inserted after their primals and jvp calls rewritten. */
export function transformFile(tsi: typeof ts, program: ts.Program, context: ts.TransformationContext, file: ts.SourceFile): FileResult {
  const result = differentiateFile(tsi, program, context, file);
  if (!result) return { file, diagnostics: [] };
  const { secondOrderRoots, deferred } = result.twins;
  const second = secondOrderRoots.size > 0 || deferred.length > 0;
  // The second pass may make a call throw its diagnostic through the runtime: import it.
  if (second) result.twins.imports.runtimeNamespace();
  const emitted = rewriteFile(result.core, result.twins);
  return { file: second ? addSecondOrderTwins(result.core, emitted, result.twins, (name) => result.twins.imports.runtimeRef(name)) : emitted, diagnostics: result.core.diags.items };
}

/** Marks, fence, analysis and derive for one file: its twins, not yet placed (the CLI's companions place them). */
export function differentiateFile(tsi: typeof ts, program: ts.Program, context: ts.TransformationContext, file: ts.SourceFile): { core: Core; twins: FileTwins } | undefined {
  // Cheap exit: a file that never mentions jvp (or defineJvp) has no marks.
  if (file.isDeclarationFile || !/jvp/i.test(file.text)) return undefined;
  const core: Core = { ts: tsi, f: context.factory, program, checker: program.getTypeChecker(), file, diags: new DiagnosticBag(tsi, program.getCurrentDirectory()), context };
  const { jvps, jacobians, secondOrders, sparse } = findJvpCalls(core);
  const tagged = findTaggedFunctions(core);
  // Marking can fail without a mark (a @jvp tag on a method): those diagnostics still count.
  if (jvps.length === 0 && jacobians.length === 0 && secondOrders.length === 0 && tagged.length === 0 && core.diags.items.length === 0) return undefined;
  const twins = new FileDifferentiator(core, jvps, tagged, jacobians, secondOrders, sparse).run();
  const tidied = twins.twins.map((t) => ({ ...t, declaration: tidyTwin(core, t.declaration) }));
  const vectors = vectorTwins(core, tidied, twins.jacobianRoots, twins.imports.opsNamespaces());
  const sets = sparsityTwins(core, tidied, twins.sparseRoots, twins.controls, twins.imports.opsNamespaces(), (name) => twins.imports.runtimeRef(name));
  return {
    core,
    twins: { ...twins, twins: [...tidied, ...vectors.twins, ...sets.twins], vectorRegistrations: vectors.registrations, jacobianWrites: vectors.writes, sparsityRegistrations: sets.registrations },
  };
}

/**
 * The plugin's afterDeclarations entry: `dts`, the declaration tree made from `file`, with the
 * exported twins declared. Its diagnostics are the JavaScript transform's, reported there.
 */
export function declareFile(tsi: typeof ts, program: ts.Program, context: ts.TransformationContext, file: ts.SourceFile, dts: ts.SourceFile): ts.SourceFile {
  const result = differentiateFile(tsi, program, context, file);
  return result ? declareTwins(result.core, result.twins, dts) : dts;
}

/** One module emitted by its program with its twins, as the plugin would emit it (the bundler plugins, the playground). */
export interface EmittedModule {
  /** The files the emit wrote (JavaScript, source map), by the name the compiler options give them. */
  readonly outputs: ReadonlyMap<string, string>;
  /** The module after tsjvp, before TypeScript's own transforms (the same object when nothing was differentiated). */
  readonly transformed: ts.SourceFile;
  readonly diagnostics: readonly ts.Diagnostic[];
}

export function emitModule(tsi: typeof ts, program: ts.Program, file: ts.SourceFile): EmittedModule {
  const outputs = new Map<string, string>();
  let transformed = file;
  let diagnostics: readonly ts.Diagnostic[] = [];
  program.emit(file, (name, text) => outputs.set(name, text), undefined, false, {
    before: [(context) => (sf) => {
      if (sf !== file) return sf;
      const result = transformFile(tsi, program, context, sf);
      diagnostics = result.diagnostics;
      transformed = result.file;
      return result.file;
    }],
  });
  return { outputs, transformed, diagnostics };
}

/** tsjvp's diagnostics for one file without a compiler transformation of its own (the CLI's check, the editor): a transformation that changes nothing provides the context the core needs. */
export function fileDiagnostics(tsi: typeof ts, program: ts.Program, file: ts.SourceFile): readonly ts.Diagnostic[] {
  let found: readonly ts.Diagnostic[] = [];
  const result = tsi.transform(file, [(context) => (sf) => ((found = transformFile(tsi, program, context, sf).diagnostics), sf)], program.getCompilerOptions());
  result.dispose();
  return found;
}
