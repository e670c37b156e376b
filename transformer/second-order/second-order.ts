import type * as ts from "typescript";
import { Core } from "../core/context";
import { DiagnosticBag } from "../core/diagnostics";
import { Spec } from "../analysis/activity";
import { localFunction, FnInfo } from "../model/functions";
import { FileDifferentiator } from "../derive/differentiator";
import { tidyTwin } from "../tidy/tidy";
import { registration } from "../emit/rewrite";

/**
 * The second-order stage, for `hessian(f)` and `hvp(f, …)`: forward over forward. It
 * differentiates f's full twin `f_jvp` once more, with the same core, by running the pipeline on
 * the module as the first pass emitted it: the emitted module, printed, is type-checked as a new
 * version of the file (the rest of the program reused), where `f_jvp` is an ordinary function with
 * types. Its full twin `f_jvp_jvp` (and the twins of the twins it calls) is printed, parsed back
 * as generated code, and placed after `f_jvp`, attached to it for the runtime's hessian and hvp.
 * What the second pass cannot differentiate is reported at the hessian or hvp call (TS97028).
 */
export function addSecondOrderTwins(core: Core, emitted: ts.SourceFile, roots: ReadonlyMap<Spec, readonly ts.Node[]>, runtimeRef: (name: string) => ts.Expression): ts.SourceFile {
  const { ts, f } = core;
  const reported = core.diags.items.length;
  const added = secondOrderStatements(core, emitted, roots);
  if (!added) return failedCalls(core, emitted, core.diags.items.slice(reported), runtimeRef);
  // Placed after the first root's twin: function declarations are hoisted, and the attachments
  // run before any later top-level code calls hessian or hvp.
  const names = new Set([...roots.keys()].map((spec) => spec.name));
  const at = emitted.statements.findIndex((s) => ts.isFunctionDeclaration(s) && s.name !== undefined && names.has(s.name.text));
  const body = [...emitted.statements];
  body.splice(at + 1, 0, ...added.twins);
  const firstNonImport = body.findIndex((s) => !ts.isImportDeclaration(s) && !ts.isImportEqualsDeclaration(s));
  body.splice(firstNonImport < 0 ? body.length : firstNonImport, 0, ...added.imports);
  return f.updateSourceFile(emitted, body);
}

/**
 * The statements the second pass adds to the emitted module: imports it needs that the module
 * lacks, and the twins of the twins (with those of the twins they call), each root attached to its
 * own. Undefined when it failed (diagnostics reported at the roots' calls or tags).
 */
export function secondOrderStatements(core: Core, emitted: ts.SourceFile, roots: ReadonlyMap<Spec, readonly ts.Node[]>): { imports: ts.Statement[]; twins: ts.Statement[] } | undefined {
  const { ts, f } = core;
  const fail = (spec: Spec, reason: string) => {
    for (const at of roots.get(spec)!) core.diags.report(at, "secondOrder", apiOf(core, at), spec.fn.name, reason);
  };
  if (!ts.sys) {
    for (const spec of roots.keys()) fail(spec, "the second pass needs a file system (tsc, the CLI or a bundler), not this host.");
    return undefined;
  }
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const second = reparse(core, printer.printFile(emitted));
  const fns = new Map<Spec, FnInfo>();
  for (const spec of roots.keys()) {
    const declaration = second.file.statements.find((s) => ts.isFunctionDeclaration(s) && s.name?.text === spec.name);
    const fn = declaration && localFunction(second, declaration);
    if (fn) fns.set(spec, fn);
    else fail(spec, `its twin '${spec.name}' is not at the top level of the module (a function in a namespace or an inline arrow).`);
  }
  if (fns.size === 0) return undefined;
  const twins = new FileDifferentiator(second, [], [...fns.values()], [], []).run();
  // Twins are placed at module level: a callee inside a namespace would need its twin of the twin there.
  const namespaced = twins.twins.find((t) => t.spec.fn.namespaces.length > 0);
  if (namespaced) {
    const name = namespaced.spec.fn.name.replace(/_jvp.*$/, "");
    for (const spec of fns.keys()) fail(spec, `it calls '${name}', which is inside a namespace, where second-order twins are not placed yet. Declare '${name}' at module level.`);
    return undefined;
  }
  const errors = second.diags.items;
  if (errors.length > 0) {
    const first = errors[0];
    const text = typeof first.messageText === "string" ? first.messageText : first.messageText.messageText;
    const helper = Object.keys(noSecondOrder).find((name) => text.includes(`'${name}'`));
    for (const spec of fns.keys()) fail(spec, helper ? noSecondOrder[helper] : `in the twin '${spec.name}': ${text}`);
    return undefined;
  }
  // Printed from the second program, parsed back: the statements are generated code of this file.
  // A namespace import the emitted module already has (tsjvp's runtime, a module whose twins are
  // called) is reused: its alias in the second program's code is renamed to the first one's.
  const existing = namespaceImports(core, emitted.statements);
  const renames = new Map<string, string>();
  const newImports = twins.imports.declarations().filter((d) => {
    const [specifier, alias] = namespaceImports(core, [d]).entries().next().value ?? [];
    const known = specifier !== undefined ? existing.get(specifier) : undefined;
    if (known && alias) renames.set(alias, known);
    return !known;
  });
  const statements = (nodes: readonly ts.Node[]) => synthesized(core, printer, second, nodes, renames);
  const attachments = twins.registered.map((r) => f.createExpressionStatement(registration(second, twins, r, f.createIdentifier(r.fn.name))));
  return { imports: statements(newImports), twins: statements([...twins.twins.map((t) => tidyTwin(second, t.declaration)), ...attachments]) };
}

/** Tangent rules that call a runtime helper without a twin of its own: what to write instead. */
const noSecondOrder: Record<string, string> = {
  extremumDot: "Math.max and Math.min have no second-order rule yet (their tangent picks an argument in a runtime helper). Write the choice as a conditional: a > b ? a : b.",
  powDot: "x ** y with both operands differentiated has no second-order rule yet (its tangent is a runtime helper). Write Math.exp(y * Math.log(x)) for x > 0.",
};

/** A hessian or hvp call whose twin of the twin failed throws its diagnostic when it runs, as a failed jvp call does. */
function failedCalls(core: Core, emitted: ts.SourceFile, diagnostics: readonly ts.Diagnostic[], runtimeRef: (name: string) => ts.Expression): ts.SourceFile {
  const { ts, f } = core;
  const byStart = new Map(diagnostics.map((d) => [d.start, d] as const));
  const visit = (node: ts.Node): ts.Node => {
    const original = ts.getOriginalNode(node);
    const failure = ts.isCallExpression(original) && original.pos >= 0 && original.getSourceFile() === core.file ? byStart.get(original.getStart(core.file)) : undefined;
    if (failure && ts.isCallExpression(node)) {
      return f.createCallExpression(runtimeRef("compileError"), undefined, [f.createStringLiteral(core.diags.describe(failure))]);
    }
    return ts.visitEachChild(node, visit, core.context);
  };
  return diagnostics.length > 0 ? ts.visitEachChild(emitted, visit, core.context) : emitted;
}

/** The module's emitted text as a new version of the file, type-checked with the rest of the program as it was. */
function reparse(core: Core, text: string): Core {
  const { ts, program } = core;
  const options = program.getCompilerOptions();
  const host = ts.createCompilerHost(options, true);
  const own = core.file.fileName;
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, language, onError, create) =>
    name === own ? ts.createSourceFile(name, text, language, true) : (program.getSourceFile(name) ?? getSourceFile.call(host, name, language, onError, create));
  const next = ts.createProgram({ rootNames: program.getRootFileNames(), options, host, oldProgram: program });
  const file = next.getSourceFile(own)!;
  return { ...core, program: next, checker: next.getTypeChecker(), file, diags: new DiagnosticBag(ts, program.getCurrentDirectory()) };
}

/**
 * Nodes of the second program as generated statements of this file: printed, parsed, marked as
 * synthesized (this program's checker knows nothing of the second one's nodes). A name the second
 * program resolved to a module-level binding of the file (an import, an exported const) points at
 * a reference to it here, so that TypeScript's module transforms rewrite it as they rewrite the
 * user's own references (in CommonJS, `lib_1.f`, `exports.scale`).
 */
function synthesized(core: Core, printer: ts.Printer, second: Core, nodes: readonly ts.Node[], renames: ReadonlyMap<string, string>): ts.Statement[] {
  const { ts } = core;
  const moduleNames = namesOfModuleBindings(second, nodes);
  let text = nodes.map((n) => printer.printNode(ts.EmitHint.Unspecified, n, second.file)).join("\n");
  // Generated aliases are unique words of the file (the namer avoids every word in it): renamed as text.
  for (const [from, to] of renames) text = text.replace(new RegExp(`\\b${from}\\b`, "g"), to);
  const parsed = ts.createSourceFile(core.file.fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const references = referencesByName(core);
  const strip = (node: ts.Node): void => {
    ts.forEachChild(node, strip);
    if (ts.isIdentifier(node) && moduleNames.has(node.text) && isReference(core, node)) {
      const reference = references.get(node.text);
      if (reference) ts.setOriginalNode(node, reference);
    }
    ts.setTextRange(node, { pos: -1, end: -1 });
    // Without positions the printer would break tuple and object types over lines.
    if (ts.isTupleTypeNode(node) || ts.isTypeLiteralNode(node)) ts.setEmitFlags(node, ts.EmitFlags.SingleLine);
    (node as { flags: ts.NodeFlags }).flags |= ts.NodeFlags.Synthesized;
  };
  parsed.statements.forEach(strip);
  return [...parsed.statements];
}

/** Names in `nodes` that the second program resolves to a binding at the top level of its file (or an import). */
function namesOfModuleBindings(second: Core, nodes: readonly ts.Node[]): Set<string> {
  const { ts } = second;
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.pos >= 0 && node.getSourceFile() === second.file) {
      const declaration = second.checker.getSymbolAtLocation(node)?.declarations?.[0];
      if (declaration && atModuleLevel(second, declaration)) names.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  nodes.forEach(visit);
  return names;
}

function atModuleLevel(core: Core, declaration: ts.Node): boolean {
  const { ts } = core;
  if (ts.isImportSpecifier(declaration) || ts.isNamespaceImport(declaration) || ts.isImportClause(declaration) || ts.isImportEqualsDeclaration(declaration)) return true;
  if (ts.isVariableDeclaration(declaration)) return ts.isSourceFile(declaration.parent.parent.parent);
  return ts.isSourceFile(declaration.parent);
}

/** A reference in this file to each module-level binding, by name (the first read of it). */
function referencesByName(core: Core): Map<string, ts.Identifier> {
  const { ts } = core;
  const found = new Map<string, ts.Identifier>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && !found.has(node.text) && isReference(core, node)) {
      const declaration = core.checker.getSymbolAtLocation(node)?.declarations?.[0];
      if (declaration && atModuleLevel(core, declaration)) found.set(node.text, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(core.file);
  return found;
}

/** An identifier read as a value: not a declared name, a property name or a type. */
function isReference(core: Core, id: ts.Identifier): boolean {
  const { ts } = core;
  const p = id.parent;
  if (!p) return false;
  if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isPropertyAssignment(p) && p.name === id)) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isBindingElement(p)) && p.name === id) return false;
  if (ts.isTypeReferenceNode(p) || ts.isQualifiedName(p) || ts.isImportSpecifier(p) || ts.isNamespaceImport(p) || ts.isImportClause(p)) return false;
  return true;
}

/** Specifier → alias of the namespace imports among `statements` (`import * as alias from "specifier"`). */
function namespaceImports(core: Core, statements: readonly ts.Statement[]): Map<string, string> {
  const { ts } = core;
  const found = new Map<string, string>();
  for (const s of statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const bindings = s.importClause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) found.set(s.moduleSpecifier.text, bindings.name.text);
  }
  return found;
}

/** How the report names what asked for the twin of the twin: the call's function, or the tag's `hessian`. */
function apiOf(core: Core, at: ts.Node): string {
  const e = core.ts.isCallExpression(at) ? at.expression : undefined;
  return e && core.ts.isIdentifier(e) ? e.text : e && core.ts.isPropertyAccessExpression(e) ? e.name.text : "hessian";
}
