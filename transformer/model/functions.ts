import type * as ts from "typescript";
import { constantTag, opsParams, OpParam, opTag } from "./builtins";
import { Core, PerChecker, skipOuter, symbolOf } from "../core/context";
import { identifiersOf } from "../core/namer";
import { Kind, kindOf, kindOfType } from "./types";

export type FnNode = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

export interface ParamInfo {
  readonly node: ts.ParameterDeclaration;
  /** Its name, or `p<i>` for a destructured parameter. */
  readonly name: string;
  readonly symbol: ts.Symbol | undefined;
  /** The variables it binds: itself, or each binding of a destructuring pattern. */
  readonly symbols: readonly ts.Symbol[];
  readonly kind: Kind;
}

/** A function of this module that tsjvp may generate twins for. */
export interface FnInfo {
  readonly node: FnNode;
  /** Base of its twins' names: `f` gives `f_jvp`, `f_jvp_wrt_x`. */
  readonly name: string;
  readonly params: readonly ParamInfo[];
  readonly returnKind: Kind | "void";
  /** Twins are inserted after this statement (an inline arrow's: the statement holding it, for positions). */
  readonly anchor: ts.Statement;
  /** An inline arrow `jvp((x) => …, …)`: its twin is a function expression at the call, in the arrow's scope. */
  readonly inline: boolean;
  /** The namespaces around it, outermost first (`namespace A.B { … }`: ["A", "B"]); its twins live there too. */
  readonly namespaces: readonly ts.ModuleDeclaration[];
  readonly exported: boolean;
  readonly tagged: boolean;
}

/** Where a call or a jvp argument leads. */
export type Callee =
  | { readonly type: "local"; readonly fn: FnInfo }
  | {
      readonly type: "imported";
      readonly name: string;
      readonly decl: ts.Node;
      readonly specifier: string;
      /** The namespaces around it in its module (`A.f`: ["A"]): its twin is `A.f_jvp` there. */
      readonly qualifier: readonly string[];
      readonly paramKinds: readonly Kind[];
      readonly returnKind: Kind | "void";
      /** A primitive of tsjvp/ops: its parameters' roles (its twin takes null for a constant argument). */
      readonly op?: readonly OpParam[];
    }
  /** A function with a custom rule (`defineJvp(f, rule)` at the top level of its module): calls apply the rule. */
  | { readonly type: "rule"; readonly name: string; readonly paramKinds: readonly Kind[]; readonly returnKind: Kind | "void" }
  | { readonly type: "error"; readonly node: ts.Node; readonly id: "untaggedImport" | "notExported" | "reexport" | "twinNameTaken" | "twinWithoutHessian"; readonly args: string[] }
  | { readonly type: "unknown" };

/** True when the JSDoc comment right before `statement` holds the tag (`@jvp`, `@tsjvpApi jvp`). */
export function hasTag(core: Core, statement: ts.Node, tag: RegExp): boolean {
  const text = statement.getSourceFile().getFullText();
  // `{ /** @jvp */ export function f` puts the comment on the line of the `{`: a trailing comment there.
  const ranges = [...(core.ts.getTrailingCommentRanges(text, statement.pos) ?? []), ...(core.ts.getLeadingCommentRanges(text, statement.pos) ?? [])];
  return ranges.some((r) => text.startsWith("/**", r.pos) && tag.test(text.slice(r.pos, r.end)));
}

export const jvpTag = /@jvp(?![\w-])/;
/** `/** @jvp hessian *\/`: the module also emits the function's second-order twin (hessian and hvp from other modules). */
export const secondOrderTag = /@jvp(?:[ \t]+\w+)*?[ \t]+hessian\b/;
/**
 * The second program's declaration of another module's first-pass twin whose function's tag lacks
 * `hessian` (second-order/imported-twins.ts): that module emits no twin of the twin to call.
 */
export const twinWithoutHessianName = "tsjvpTwinWithoutHessian";
export const twinWithoutHessianTag = new RegExp(`@${twinWithoutHessianName}\\b`);
/** `/** @jvp sparsity *\/`: the module also emits the function's index-set and vector twins (sparsity, jacfwdSparse and jacfwd from other modules). */
export const sparsityTag = /@jvp(?:[ \t]+\w+)*?[ \t]+sparsity\b/;

/** Exported by an `export` modifier or by an `export { name }` clause of its own module. */
export function hasExport(core: Core, node: ts.Node, name?: string): boolean {
  const { ts } = core;
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  if ((mods ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
  // In a declaration file, a namespace without any export modifier exports all its members.
  if (node.getSourceFile().isDeclarationFile && ts.isModuleBlock(node.parent) && !node.parent.statements.some((s) =>
    ts.isExportDeclaration(s) || ts.isExportAssignment(s) || (ts.canHaveModifiers(s) && (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)))) return true;
  return name !== undefined && exportClauseNames(core, node.getSourceFile()).has(name);
}

/** Local names a module exports by `export { … }` clauses (asked once per function: read once per file). */
function exportClauseNames(core: Core, file: ts.SourceFile): ReadonlySet<string> {
  const { ts } = core;
  let names = exportClauses.get(file);
  if (!names) {
    names = new Set(file.statements.flatMap((s) =>
      ts.isExportDeclaration(s) && !s.moduleSpecifier && !s.isTypeOnly && s.exportClause !== undefined && ts.isNamedExports(s.exportClause)
        ? s.exportClause.elements.map((e) => (e.propertyName ?? e.name).getText()) : []));
    exportClauses.set(file, names);
  }
  return names;
}

const exportClauses = new WeakMap<ts.SourceFile, ReadonlySet<string>>();

/** `./lib.ts`: where another module is, seen from this one (messages stay machine-independent). */
export function relativeModulePath(from: string, to: string): string {
  const a = from.split("/").slice(0, -1);
  const b = to.split("/");
  let common = 0;
  while (common < a.length && common < b.length - 1 && a[common] === b[common]) common++;
  const up = a.length - common;
  return (up === 0 ? "./" : "../".repeat(up)) + b.slice(common).join("/");
}

function returnKindOf(core: Core, node: ts.SignatureDeclaration): Kind | "void" {
  const signature = core.checker.getSignatureFromDeclaration(node);
  if (!signature) return "other";
  const type = core.checker.getReturnTypeOfSignature(signature);
  if (type.flags & core.ts.TypeFlags.Void) return "void";
  return kindOfType(core, type);
}

function paramsOf(core: Core, node: FnNode): ParamInfo[] {
  const { ts } = core;
  return node.parameters.map((p, i) => {
    const symbol = ts.isIdentifier(p.name) ? symbolOf(core, p.name) : undefined;
    const bindings = ts.isIdentifier(p.name) ? [] : p.name.elements.flatMap((e) => (ts.isBindingElement(e) && ts.isIdentifier(e.name) ? [e.name] : []));
    const symbols = symbol ? [symbol] : bindings.flatMap((b) => symbolOf(core, b) ?? []);
    return { node: p, name: ts.isIdentifier(p.name) ? p.name.text : `p${i}`, symbol, symbols, kind: kindOf(core, p) };
  });
}

/** The namespace declarations enclosing `node`, outermost first. */
export function namespacesAround(core: Core, node: ts.Node): ts.ModuleDeclaration[] {
  const out: ts.ModuleDeclaration[] = [];
  for (let p = node.parent; p; p = p.parent) if (core.ts.isModuleDeclaration(p)) out.unshift(p);
  return out;
}

// Asked for a function at each call of it, and each answer asks the checker: one per declaration.
const localFunctions = new PerChecker<FnInfo | null>();

/** Describes a function declaration or `const f = (…) => …` of this module. */
export function localFunction(core: Core, decl: ts.Node): FnInfo | undefined {
  if (decl.getSourceFile() !== core.file) return undefined;
  const answers = localFunctions.answersFor(core.checker);
  let fn = answers.get(decl);
  if (fn === undefined) {
    fn = describeLocal(core, decl) ?? null;
    answers.set(decl, fn);
  }
  return fn ?? undefined;
}

function describeLocal(core: Core, decl: ts.Node): FnInfo | undefined {
  const { ts } = core;
  let fnNode: FnNode | undefined;
  let name: string | undefined;
  if (ts.isFunctionDeclaration(decl) && decl.body && decl.name) {
    fnNode = decl;
    name = decl.name.text;
  } else if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) && decl.initializer) {
    const init = skipOuter(core, decl.initializer);
    const isConst = (decl.parent.flags & ts.NodeFlags.Const) !== 0;
    if (isConst && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
      fnNode = init;
      name = decl.name.text;
    }
  }
  if (!fnNode || !name) return undefined;
  const anchor = (ts.isVariableDeclaration(decl) ? decl.parent.parent : decl) as ts.Statement;
  return {
    node: fnNode,
    name,
    params: paramsOf(core, fnNode),
    returnKind: returnKindOf(core, fnNode),
    anchor,
    inline: false,
    namespaces: namespacesAround(core, anchor),
    exported: hasExport(core, anchor, name),
    tagged: hasTag(core, anchor, jvpTag),
  };
}

/**
 * Describes an inline arrow `jvp((x) => …, …)`. Its twins go just before the statement holding the
 * call, in the same block, so that they see the same variables the arrow captures.
 */
export function inlineFunction(core: Core, node: ts.ArrowFunction | ts.FunctionExpression, index: number): FnInfo {
  const { ts } = core;
  let anchor: ts.Node = node;
  const isList = (n: ts.Node) => ts.isBlock(n) || ts.isSourceFile(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n);
  while (!isList(anchor.parent)) anchor = anchor.parent;
  return {
    node,
    name: `lambda_${index}`,
    params: paramsOf(core, node),
    returnKind: returnKindOf(core, node),
    anchor: anchor as ts.Statement,
    inline: true,
    namespaces: namespacesAround(core, anchor),
    exported: false,
    tagged: false,
  };
}

/** The import declaration that brings `alias` into this module, with its specifier text. */
function untaggedAdvice(decl: ts.Node): string {
  if (!decl.getSourceFile().isDeclarationFile) return "Tag its declaration with /** @jvp */ and export it to differentiate it from here.";
  return "If its source is tagged, the library was built without tsjvp's declarations entry ({ \"transform\": \"tsjvp/transformer\", \"afterDeclarations\": true }), which declares its twins there (comments, and so tags, may be stripped): rebuild it with that entry.";
}

/** An exported `declare function <name>_jvp` beside `statement` in a declaration file. */
function declaresTwin(core: Core, statement: ts.Node, name: string): boolean {
  const { ts } = core;
  const siblings = ts.isSourceFile(statement.parent) || ts.isModuleBlock(statement.parent) ? statement.parent.statements : [];
  return siblings.some((s) => ts.isFunctionDeclaration(s) && s.name?.text === `${name}_jvp` && hasExport(core, s));
}

function importSpecifierOf(core: Core, alias: ts.Symbol): ts.ImportDeclaration | undefined {
  let node: ts.Node | undefined = alias.getDeclarations()?.[0];
  while (node && !core.ts.isImportDeclaration(node)) node = node.parent;
  return node;
}

/** Resolves the function a call's callee (or a jvp argument) refers to. */
export function resolveCallee(core: Core, expr: ts.Expression): Callee {
  const { ts, checker } = core;
  const target = skipOuter(core, expr);
  const nameNode = ts.isPropertyAccessExpression(target) ? target.name : target;
  if (!ts.isIdentifier(nameNode)) return { type: "unknown" };
  const symbol = symbolOf(core, nameNode);
  if (!symbol) return { type: "unknown" };
  const isAlias = (symbol.flags & ts.SymbolFlags.Alias) !== 0;
  const resolved = isAlias ? checker.getAliasedSymbol(symbol) : symbol;
  if (hasRule(core, symbol) || (isAlias && hasRule(core, resolved))) return ruleCallee(core, target, nameNode.text);
  const decl = resolved.getDeclarations()?.[0];
  if (!decl) return { type: "unknown" };
  if (decl.getSourceFile() === core.file) {
    const fn = localFunction(core, decl);
    return fn ? { type: "local", fn } : { type: "unknown" };
  }
  if (isDefaultLibDeclaration(core, decl)) return { type: "unknown" };
  return importedCallee(core, target, symbol, isAlias, decl);
}

function isDefaultLibDeclaration(core: Core, decl: ts.Node): boolean {
  return core.program.isSourceFileDefaultLibrary(decl.getSourceFile());
}

function importedCallee(core: Core, target: ts.Expression, symbol: ts.Symbol, isAlias: boolean, decl: ts.Node): Callee {
  const { ts } = core;
  const isFunction = ts.isFunctionDeclaration(decl) || (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name));
  if (!isFunction) return { type: "unknown" };
  // Only a const binding keeps the function its twin was made from (`let f = …` may be reassigned).
  if (ts.isVariableDeclaration(decl) && !(decl.parent.flags & ts.NodeFlags.Const)) return { type: "unknown" };
  const name = ((decl as ts.FunctionDeclaration | ts.VariableDeclaration).name as ts.Identifier).text;
  const statement = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  // A runtime helper whose result is a constant (zerosLike): a library call without a derivative.
  if (hasTag(core, statement, constantTag)) return { type: "unknown" };
  const where = relativeModulePath(core.file.fileName, decl.getSourceFile().fileName);
  // A library's declaration file may have lost its comments (removeComments); the twin that
  // tsjvp declared next to the function there marks it as well. A primitive of tsjvp/ops has a
  // hand-written twin beside it.
  const op = hasTag(core, statement, opTag) && Object.prototype.hasOwnProperty.call(opsParams, name) ? opsParams[name] : undefined;
  const twinDeclared = op !== undefined || (decl.getSourceFile().isDeclarationFile && declaresTwin(core, statement, name));
  if (hasTag(core, statement, twinWithoutHessianTag)) return { type: "error", node: target, id: "twinWithoutHessian", args: [name.replace(/_jvp$/, ""), where] };
  if (!twinDeclared && !hasTag(core, statement, jvpTag)) return { type: "error", node: target, id: "untaggedImport", args: [name, where, untaggedAdvice(decl)] };
  if (!hasExport(core, statement, name)) return { type: "error", node: target, id: "notExported", args: [name, where] };
  // Its module names the twin exactly `<name>_jvp`, or reports why it cannot (the same rule there).
  if (!twinDeclared && identifiersOf(ts, decl.getSourceFile()).has(`${name}_jvp`)) return { type: "error", node: target, id: "twinNameTaken", args: [name, `${name}_jvp`] };
  // The namespace import must reach the declaring module itself: `import { f } from "./lib"`
  // or `import * as lib from "./lib"; lib.f`.
  let root: ts.Expression = target;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  const importSymbol = isAlias ? symbol : root !== target && ts.isIdentifier(root) ? symbolOf(core, root) : undefined;
  const importDecl = importSymbol ? importSpecifierOf(core, importSymbol) : undefined;
  if (!importDecl || !ts.isStringLiteral(importDecl.moduleSpecifier)) return { type: "unknown" };
  const moduleSymbol = symbolOf(core, importDecl.moduleSpecifier);
  if (moduleSymbol?.valueDeclaration?.getSourceFile() !== decl.getSourceFile()) {
    return { type: "error", node: target, id: "reexport", args: [name, where] };
  }
  const type = core.checker.getTypeAtLocation(target);
  const signature = type.getCallSignatures()[0];
  if (!signature) return { type: "unknown" };
  const returnType = signature.getReturnType();
  return {
    type: "imported",
    name,
    decl,
    specifier: importDecl.moduleSpecifier.text,
    qualifier: namespacesAround(core, statement).map((n) => n.name.getText()),
    // A primitive's dimensions take no tangent; its optional `out` is a Float64Array when given.
    paramKinds: signature.getParameters().map((p, i) => (op?.[i] === "size" ? "none" : op?.[i] === "out" ? "arr" : kindOfType(core, core.checker.getTypeOfSymbolAtLocation(p, target)))),
    returnKind: returnType.flags & ts.TypeFlags.Void ? "void" : kindOfType(core, returnType),
    op,
  };
}

/**
 * What a callee tsjvp cannot differentiate is, in the user's terms, and what to write instead:
 * for TS97009 (a call inside differentiated code) and TS97012 (jvp's first argument).
 */
export function describeUnresolved(core: Core, expr: ts.Expression, call?: ts.CallExpression): { readonly what: string; readonly instead: string } {
  const { ts } = core;
  const target = skipOuter(core, expr);
  const byName = "Call a function declared in this project by its name (a function declaration, a const arrow, or an exported @jvp function of another module), or keep its arguments constant";
  if (ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === "Math") {
    if (!call) return { what: "it is a built-in, not a function written in TypeScript", instead: `Differentiate an arrow that calls it: jvp((x: number) => ${target.getText()}(x), [x], [dx])` };
    return { what: `${target.getText()} has no derivative rule`, instead: "Write the function in TypeScript from Math functions that have one, or keep its arguments constant" };
  }
  const nameNode = ts.isPropertyAccessExpression(target) ? target.name : target;
  const symbol = ts.isIdentifier(nameNode) ? symbolOf(core, nameNode) : undefined;
  const resolved = symbol && symbol.flags & ts.SymbolFlags.Alias ? core.checker.getAliasedSymbol(symbol) : symbol;
  const decl = resolved?.getDeclarations()?.[0];
  if (!decl) return { what: "it is a function value tsjvp cannot trace to its declaration at build time", instead: byName };
  const file = decl.getSourceFile();
  if (file.isDeclarationFile) {
    if (core.program.isSourceFileDefaultLibrary(file)) {
      const callback = call?.arguments.some((a) => core.checker.getTypeAtLocation(a).getCallSignatures().length > 0);
      const loop = callback ? " (an indexed for loop instead of a method taking a callback)" : "";
      return { what: "it is a JavaScript built-in without a derivative rule", instead: `Write the computation out in TypeScript${loop}, or keep its arguments constant` };
    }
    const where = relativeModulePath(core.file.fileName, file.fileName);
    return { what: `it is declared in ${where} without source tsjvp can read, and has no derivative rule`, instead: "Write it in TypeScript in this project, or keep its arguments constant" };
  }
  if (ts.isFunctionDeclaration(decl) && !decl.body) {
    return { what: "it is declared without a body (declare function)", instead: "Write it in TypeScript in this project, or keep its arguments constant" };
  }
  if (ts.isParameter(decl) || ts.isBindingElement(decl)) {
    return { what: "it is a parameter holding a function: which function it holds is known only at run time", instead: byName };
  }
  if (ts.isVariableDeclaration(decl) && !(decl.parent.flags & ts.NodeFlags.Const)) {
    return { what: "it is declared with let or var, so the function it holds may change", instead: "Declare it with const (const f = (x: number) => …), or as a function declaration" };
  }
  if (ts.isVariableDeclaration(decl)) {
    return { what: "it is a const holding a function computed at run time, not a function written here", instead: "Declare the function itself (a function declaration or a const arrow) and call it by name" };
  }
  if (ts.isMethodDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl) || ts.isGetAccessor(decl)) {
    return { what: "it is a method: tsjvp differentiates functions, not methods", instead: "Write it as a function declaration (or a const arrow) of the module, taking its data as parameters" };
  }
  return { what: "it is not a function tsjvp can read", instead: byName };
}

/** `defineJvp` of tsjvp (the checker resolves it, so an alias or a local function of that name is told apart). */
export function isDefineJvp(core: Core, callee: ts.Expression): boolean {
  const { ts } = core;
  const e = skipOuter(core, callee);
  if (!ts.isIdentifier(e)) return false;
  const symbol = symbolOf(core, e);
  const resolved = symbol && symbol.flags & ts.SymbolFlags.Alias ? core.checker.getAliasedSymbol(symbol) : symbol;
  const decl = resolved?.getDeclarations()?.[0];
  return decl !== undefined && hasTag(core, decl, /@tsjvpApi defineJvp\b/);
}

const rulesPerFile = new WeakMap<ts.TypeChecker, WeakMap<ts.SourceFile, Set<ts.Symbol>>>();

/**
 * The functions of `file` with a custom rule: the `f` of each top-level `defineJvp(f, rule);`, and
 * both `g` and `f` of `const g = defineJvp(f, rule)`.
 */
export function rulesIn(core: Core, file: ts.SourceFile): ReadonlySet<ts.Symbol> {
  const { ts } = core;
  let perFile = rulesPerFile.get(core.checker);
  if (!perFile) rulesPerFile.set(core.checker, (perFile = new WeakMap()));
  let found = perFile.get(file);
  if (found) return found;
  found = new Set();
  // A file that never says defineJvp has no rules (most files): no tree walk.
  if (file.text.includes("defineJvp")) {
    const add = (e: ts.Expression | undefined) => {
      const id = e && skipOuter(core, e);
      const symbol = id && ts.isIdentifier(id) ? symbolOf(core, id) : undefined;
      if (symbol) found!.add(symbol);
    };
    for (const s of file.statements) {
      if (ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && isDefineJvp(core, s.expression.expression)) add(s.expression.arguments[0]);
      if (!ts.isVariableStatement(s) || !(s.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of s.declarationList.declarations) {
        const init = d.initializer && skipOuter(core, d.initializer);
        if (!init || !ts.isCallExpression(init) || !isDefineJvp(core, init.expression) || !ts.isIdentifier(d.name)) continue;
        add(d.name);
        add(init.arguments[0]);
      }
    }
  }
  perFile.set(file, found);
  return found;
}

function hasRule(core: Core, symbol: ts.Symbol): boolean {
  const file = symbol.getDeclarations()?.[0]?.getSourceFile();
  return file !== undefined && !file.isDeclarationFile && rulesIn(core, file).has(symbol);
}

function ruleCallee(core: Core, target: ts.Expression, name: string): Callee {
  const { ts } = core;
  const signature = core.checker.getTypeAtLocation(target).getCallSignatures()[0];
  if (!signature) return { type: "unknown" };
  const returnType = signature.getReturnType();
  return {
    type: "rule",
    name,
    paramKinds: signature.getParameters().map((p) => kindOfType(core, core.checker.getTypeOfSymbolAtLocation(p, target))),
    returnKind: returnType.flags & ts.TypeFlags.Void ? "void" : kindOfType(core, returnType),
  };
}
