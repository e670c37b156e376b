import type * as ts from "typescript";
import { Core, someNode } from "../core/context";
import { Spec } from "../analysis/activity";
import { localFunction, namespacesAround, FnInfo } from "../model/functions";
import { FileDifferentiator, FileTwins, PlacedTwin } from "../derive/differentiator";
import { findJvpCalls } from "../marks/marks";
import { tidyTwin } from "../tidy/tidy";
import { vectorTwins } from "../vector/vectorize";
import { rewriteFile } from "../emit/rewrite";
import { reparse } from "./program";
import { synthesized } from "./synthesize";

/**
 * The second-order stage: forward over forward, for `hessian(f)` and `hvp(f, …)` (and
 * `@jvp hessian`), and for a jvp of code that calls jvp itself. It runs the pipeline once more
 * on the module as the first pass emitted it: the emitted module, printed, is type-checked as a new
 * version of the file (the rest of the program reused), where the first pass's twins are ordinary
 * functions with types and the inner jvp calls are calls of twins. There it differentiates each
 * root's twin `f_jvp` (giving `f_jvp_jvp`, attached to `f_jvp` for the runtime's hessian and hvp)
 * and the outer jvp calls the first pass left. What it changed or added is printed, parsed back as
 * generated code of this file, and merged: the two files have the same top-level statements, one
 * for one. A failure is reported where it was asked for: TS97028 at the hessian or hvp call (or the
 * tag), TS97029 at the outer jvp call; those calls throw it when they run.
 */
export function addSecondOrderTwins(core: Core, emitted: ts.SourceFile, first: FileTwins, runtimeRef: (name: string) => ts.Expression): ts.SourceFile {
  const reported = core.diags.items.length;
  const merged = secondPass(core, emitted, first);
  return merged?.file ?? failedCalls(core, emitted, core.diags.items.slice(reported), runtimeRef);
}

/** The second pass's result: the merged module, and what it added (the CLI's companions take those). */
export interface SecondPass {
  readonly file: ts.SourceFile;
  readonly imports: readonly ts.Statement[];
  readonly added: readonly ts.Statement[];
}

export function secondPass(core: Core, emitted: ts.SourceFile, first: FileTwins): SecondPass | undefined {
  const { ts, f } = core;
  const roots = first.secondOrderRoots;
  const failRoot = (spec: Spec, reason: string) => {
    for (const at of roots.get(spec)!) core.diags.report(at, "secondOrder", apiOf(core, at), spec.fn.name, reason);
  };
  const failNested = (reason: string) => {
    for (const call of first.deferred) core.diags.report(call, "nestedFailed", reason);
  };
  const failAll = (reason: (spec: Spec | undefined) => string) => {
    for (const spec of roots.keys()) failRoot(spec, reason(spec));
    failNested(reason(undefined));
  };
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const second = reparse(core, printer.printFile(emitted));
  const fns = new Map<Spec, FnInfo>();
  for (const spec of roots.keys()) {
    const declaration = twinDeclaration(second, spec);
    const fn = declaration && localFunction(second, declaration);
    if (fn) fns.set(spec, fn);
    else failRoot(spec, `its twin '${spec.name}' is not a function declaration of the module or of a namespace (an inline arrow's is a function expression).`);
  }
  // The outer calls of nested jvps: what is left of jvp calls after the first pass (dispatched ones stay dispatched).
  const calls = first.deferred.length > 0 ? findJvpCalls(second).jvps : [];
  if (calls.some((c) => c.nested)) return void failNested("jvp nested three deep (or more) is not supported: differentiate twice at most.");
  // Never silent: an outer call the second program does not see as tsjvp's jvp would stay a run-time call.
  if (first.deferred.length > 0 && calls.length < first.deferred.length) {
    return void failNested("the second pass did not find this call as tsjvp's jvp (its module or tsjvp's declarations did not resolve there).");
  }
  if (fns.size === 0 && calls.length === 0) return undefined;
  // hessian and hvp take eight outer directions per pass: the vector twin of each root's twin with
  // respect to f's own Float64Array parameters (its tangent parameters, the inner seed, held
  // constant; a number has one direction).
  const vectorRoots = [...fns].flatMap(([spec, fn]) => {
    const tangents = first.twins.find((t) => t.spec === spec)?.tangentParams;
    const mask = fn.params.map((p, i) => p.kind === "arr" && !tangents?.[i]);
    return tangents && mask.some(Boolean) ? [{ fn, mask }] : [];
  });
  const twins = new FileDifferentiator(second, calls, [...fns.values()], [], [], [], vectorRoots).run();
  if (second.diags.items.length > 0) {
    // Each failure is blamed on what asked for it: a root whose twin holds it, else the outer jvp calls.
    const within = (d: ts.Diagnostic, fn: FnInfo) => d.start !== undefined && d.start >= fn.node.pos && d.start <= fn.node.end;
    let blamed = false;
    for (const [spec, fn] of fns) {
      const d = second.diags.items.find((x) => within(x, fn));
      if (d) {
        failRoot(spec, reasonOf(d, spec.name));
        blamed = true;
      }
    }
    const others = second.diags.items.filter((d) => ![...fns.values()].some((fn) => within(d, fn)));
    // The outer calls here are this file's deferred calls, in order (jvp calls left to run-time dispatch aside).
    const outer = calls.filter((c) => twins.plans.get(c.call)?.type !== "runtime").map((c) => c.call);
    const deferred = first.deferred;
    if (others.length > 0 && outer.length === deferred.length) {
      // A failure inside an outer call is its own; one in a twin it reaches (outside every call) is each call's that failed.
      const inside = (d: ts.Diagnostic, call: ts.Node) => d.start !== undefined && d.start >= call.pos && d.start <= call.end;
      const shared = others.find((d) => !outer.some((call) => inside(d, call)));
      outer.forEach((call, k) => {
        const d = others.find((x) => inside(x, call)) ?? (shared && failedOuter(twins, call) ? shared : undefined);
        if (d) core.diags.report(deferred[k], "nestedFailed", reasonOf(d, undefined));
      });
    } else if (others.length > 0) failNested(reasonOf(others[0], undefined));
    else if (!blamed) failAll((spec) => reasonOf(second.diags.items[0], spec?.name));
    return undefined;
  }
  const tidied = leanHessianTwins(second, twins.twins.map((t) => ({ ...t, declaration: tidyTwin(second, t.declaration) })), twins.jacobianRoots);
  const vectors = vectorTwins(second, tidied, twins.jacobianRoots, twins.imports.opsNamespaces());
  const placed = [...tidied, ...vectors.twins];
  const output = withoutUnusedTwins(core, rewriteFile(second, { ...twins, twins: placed, vectorRegistrations: vectors.registrations, jacobianWrites: vectors.writes, hessianTwins: true }), placed);
  // A namespace import the emitted module already has (tsjvp's runtime, a module whose twins are
  // called) is reused: its alias in the second program's code is renamed to the first one's.
  const existing = namespaceImports(core, emitted.statements);
  const renames = new Map<string, string>();
  const index = new Map<ts.Node, number>(second.file.statements.map((s, k) => [s, k]));
  const body: ts.Statement[] = [];
  const imports: ts.Statement[] = [];
  const added: ts.Statement[] = [];
  const pending: ts.Statement[] = [];
  const firstPass = new Map<ts.Statement, ts.Statement>();
  for (const s of output.statements) {
    const k = index.get(ts.getOriginalNode(s));
    if (k === undefined && ts.isImportDeclaration(s)) {
      const [specifier, alias] = namespaceImports(core, [s]).entries().next().value ?? [];
      const known = specifier !== undefined ? existing.get(specifier) : undefined;
      if (known && alias) renames.set(alias, known);
      if (!known) imports.push(s);
      continue;
    }
    if (k === undefined) added.push(s);
    else firstPass.set(s, emitted.statements[k]);
    // Statements without generated code in them are the first pass's own (positions and source
    // maps kept): rewriteFile updates every block it passes through, so identity does not tell.
    pending.push(k !== undefined && !holdsGenerated(core, s) ? emitted.statements[k] : s);
  }
  // Printed from the second program, parsed back: generated statements of this file.
  const fresh = new Set(pending.filter((s) => !emitted.statements.includes(s)));
  const generated = synthesized(core, printer, second, [...imports, ...fresh], renames);
  const map = new Map<ts.Node, ts.Statement>([...imports, ...fresh].map((s, i) => [s, grafted(core, firstPass.get(s), generated[i])]));
  for (const s of pending) body.push(map.get(s) ?? s);
  const newImports = imports.map((s) => map.get(s)!);
  const firstNonImport = body.findIndex((s) => !ts.isImportDeclaration(s) && !ts.isImportEqualsDeclaration(s));
  body.splice(firstNonImport < 0 ? body.length : firstNonImport, 0, ...newImports);
  return { file: f.updateSourceFile(emitted, body), imports: newImports, added: added.map((s) => map.get(s)!) };
}

/**
 * A namespace the second pass added to keeps the first pass's declaration (its name, modifiers and
 * original node) around the generated body: TypeScript's CommonJS transform exports a namespace
 * (`exports.Geo = Geo = {}`) by what it knows of the declaration, which a parsed-back one is not.
 */
function grafted(core: Core, first: ts.Statement | undefined, generated: ts.Statement): ts.Statement {
  const { ts, f } = core;
  if (!first || !ts.isModuleDeclaration(first) || !ts.isModuleDeclaration(generated) || !first.body || !generated.body) return generated;
  // `namespace A.B { … }`: A's body is B's declaration.
  const body = ts.isModuleDeclaration(first.body) && ts.isModuleDeclaration(generated.body) ? grafted(core, first.body, generated.body) as ts.ModuleDeclaration : generated.body;
  return f.updateModuleDeclaration(first, first.modifiers, first.name, body as ts.ModuleBody);
}

/** The statements of a module at its top level and inside its namespaces. */
function* moduleStatements(core: Core, statements: readonly ts.Statement[]): Generator<ts.Statement> {
  const { ts } = core;
  for (const s of statements) {
    yield s;
    let body = ts.isModuleDeclaration(s) ? s.body : undefined;
    while (body && ts.isModuleDeclaration(body)) body = body.body;
    if (body && ts.isModuleBlock(body)) yield* moduleStatements(core, body.statements);
  }
}

/** The declaration of a root's twin `f_jvp` in the second program: where f is, at the top level or in its namespaces. */
function twinDeclaration(core: Core, spec: Spec): ts.FunctionDeclaration | undefined {
  const { ts } = core;
  const path = (s: ts.Node) => namespacesAround(core, s).map((n) => n.name.text).join(".");
  const where = path(spec.fn.anchor);
  for (const s of moduleStatements(core, core.file.statements)) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === spec.name && path(s) === where) return s;
  }
  return undefined;
}

/**
 * hessian and hvp read one part of what the twin they take returns, `[[y, y_dot], [y_dot', y_dot_dot]]`:
 * y_dot_dot. In the twins made for them alone (nothing else calls them, not even themselves), the
 * other parts are returned as zeros, and tidy removes what only they read (a third of the work in
 * each lane of Rosenbrock's).
 */
function leanHessianTwins(core: Core, twins: readonly PlacedTwin[], roots: readonly Spec[]): PlacedTwin[] {
  const { ts, f } = core;
  const zero = () => f.createNumericLiteral(0);
  const pair = (e: ts.Expression) => (ts.isArrayLiteralExpression(e) && e.elements.length === 2 && !e.elements.some(ts.isSpreadElement) ? e.elements : undefined);
  const called = (name: string, self: PlacedTwin) => twins.some((t) => mentions(core, t === self ? (t.declaration as ts.FunctionDeclaration).body! : t.declaration, name));
  return twins.map((t) => {
    if (!roots.includes(t.spec) || !ts.isFunctionDeclaration(t.declaration) || called(t.spec.name, t)) return t;
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isFunctionLike(node)) return node;
      const [primal, tangent] = ts.isReturnStatement(node) && node.expression ? pair(node.expression) ?? [] : [];
      const [, yDotDot] = primal && pair(primal) && tangent ? pair(tangent) ?? [] : [];
      if (yDotDot) return f.createReturnStatement(f.createArrayLiteralExpression([f.createArrayLiteralExpression([zero(), zero()]), f.createArrayLiteralExpression([zero(), yDotDot])]));
      return ts.visitEachChild(node, visit, core.context);
    };
    const body = ts.visitEachChild(t.declaration.body!, visit, core.context);
    const d = t.declaration;
    return { ...t, declaration: tidyTwin(core, f.updateFunctionDeclaration(d, d.modifiers, d.asteriskToken, d.name, d.typeParameters, d.parameters, d.type, body)) };
  });
}

/** Does `node` name `name` anywhere? */
function mentions(core: Core, node: ts.Node, name: string): boolean {
  return someNode(core.ts, node, (n) => core.ts.isIdentifier(n) && n.text === name);
}

/**
 * The module without the twins nothing calls or attaches (at the top level and in namespaces): the
 * scalar twins the vector ones were made from (hessian and hvp take the vector twin), and the
 * callees only they reach.
 */
function withoutUnusedTwins(core: Core, output: ts.SourceFile, placed: readonly PlacedTwin[]): ts.SourceFile {
  const { ts, f } = core;
  const declarations = new Set(placed.map((t) => t.declaration));
  const twins = new Map<string, ts.Statement>();
  for (const s of moduleStatements(core, output.statements)) {
    if (declarations.has(s) && ts.isFunctionDeclaration(s) && s.name) twins.set(s.name.text, s);
  }
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && twins.has(n.text) && !used.has(n.text)) {
      used.add(n.text);
      ts.forEachChild(twins.get(n.text)!, visit);
    }
    // A twin's declaration is entered from where something calls or attaches it, not on its own.
    if (!declarations.has(n as ts.Statement)) ts.forEachChild(n, visit);
  };
  visit(output);
  const unused = new Set([...twins].filter(([name]) => !used.has(name)).map(([, s]) => s));
  if (unused.size === 0) return output;
  // (The same list where nothing goes: a namespace is rebuilt only around a twin left out.)
  const keep = <T extends ts.Statement>(statements: readonly T[]): readonly T[] => {
    const kept = statements.filter((s) => !unused.has(s)).map((s) => (ts.isModuleDeclaration(s) ? namespaceKept(s) as ts.Statement as T : s));
    return kept.length === statements.length && kept.every((s, i) => s === statements[i]) ? statements : kept;
  };
  const namespaceKept = (s: ts.ModuleDeclaration): ts.ModuleDeclaration => {
    if (!s.body) return s;
    const body = ts.isModuleBlock(s.body) ? f.updateModuleBlock(s.body, keep(s.body.statements)) : (keep([s.body as ts.ModuleDeclaration])[0] as ts.NamespaceDeclaration);
    return f.updateModuleDeclaration(s, s.modifiers, s.name, body);
  };
  return f.updateSourceFile(output, keep(output.statements));
}

/** Does `node` hold a node the second pass made (no position: a rewritten call, a twin)? */
function holdsGenerated(core: Core, node: ts.Node): boolean {
  return someNode(core.ts, node, (n) => n.pos < 0);
}

/** Did the second pass fail to rewrite this outer call (its plan failed, or a twin it reaches did)? */
function failedOuter(twins: FileTwins, call: ts.CallExpression): boolean {
  const plan = twins.plans.get(call);
  return plan?.type === "failed" || (plan?.type === "twin" && twins.failureOf(plan.spec) !== undefined);
}

/** A second-pass diagnostic as the reason of the first pass's: the runtime helpers without twins say what to write instead. */
function reasonOf(d: ts.Diagnostic, twin: string | undefined): string {
  const text = typeof d.messageText === "string" ? d.messageText : d.messageText.messageText;
  const helper = Object.keys(noSecondOrder).find((name) => text.includes(`'${name}'`));
  if (helper) return noSecondOrder[helper];
  return twin ? `in the twin '${twin}': ${text}` : text;
}

/** Tangent rules that call a runtime helper without a twin of its own: what to write instead. */
const noSecondOrder: Record<string, string> = {
  extremumDot: "Math.max and Math.min of three or more arguments have no second-order rule yet (their tangent picks an argument in a runtime helper). Nest them two at a time: Math.max(a, Math.max(b, c)).",
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
