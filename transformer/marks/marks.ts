import type * as ts from "typescript";
import { Core, skipOuter, someNode } from "../core/context";
import { FnInfo, hasTag, inlineFunction, isDefineJvp, jvpTag, localFunction, rulesIn } from "../model/functions";

/** A `jvp(fun, primals, tangents)` call resolved to tsjvp's own declaration. */
export interface JvpCall {
  readonly call: ts.CallExpression;
  /** The inline arrow's description, when `fun` is one. */
  readonly inline: FnInfo | undefined;
  /**
   * `fun` (an inline arrow, or a function of this module) itself calls jvp: forward over forward.
   * The first pass differentiates the inner calls; this one waits for the second pass, which sees
   * them as calls of twins.
   */
  readonly nested: boolean;
}

/** The functions of tsjvp's API that mark the function they are given. */
type Api = "jvp" | "jacfwd" | "hessian" | "hvp" | "jacfwdSparse" | "sparsity";
const apis: readonly string[] = ["jvp", "jacfwd", "hessian", "hvp", "jacfwdSparse", "sparsity"];

/** True when `call` resolves, through the checker, to tsjvp's own `jvp` (aliases included). */
export function isTsjvpJvp(core: Core, call: ts.CallExpression): boolean {
  return apiOf(core, call) === "jvp";
}

/** Which of tsjvp's own marking functions `call` resolves to, through the checker (aliases included). */
function apiOf(core: Core, call: ts.CallExpression): Api | undefined {
  const name = mayBeApi(core, call.expression);
  if (!name) return undefined;
  const declaration = core.checker.getResolvedSignature(call)?.declaration;
  if (!declaration || !core.ts.isFunctionDeclaration(declaration) || declaration.name?.text !== name) return undefined;
  return hasTag(core, declaration, new RegExp(`@tsjvpApi ${name}\\b`)) ? name : undefined;
}

/**
 * A cheap filter before resolving signatures (costly on every call): the callee must be an
 * imported binding of something named `jvp` or `jacfwd` (`J` from `import { jvp as J }`), or `ns.jvp`.
 */
function mayBeApi(core: Core, callee: ts.Expression): Api | undefined {
  const { ts } = core;
  const e = skipOuter(core, callee);
  const api = (name: string): Api | undefined => (apis.includes(name) ? name as Api : undefined);
  if (ts.isPropertyAccessExpression(e)) return api(e.name.text);
  if (!ts.isIdentifier(e) || !importedNames(core).has(e.text)) return undefined;
  const symbol = core.checker.getSymbolAtLocation(e);
  if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return undefined;
  return api(core.checker.getAliasedSymbol(symbol).getName());
}

/** Names the file's import declarations bind (only those can be aliases of tsjvp's API), read once per file. */
function importedNames(core: Core): ReadonlySet<string> {
  const { ts } = core;
  const known = importNames.get(core.file);
  if (known) return known;
  const names = new Set<string>();
  const add = (name: ts.Identifier | undefined) => name && names.add(name.text);
  const scan = (statements: readonly ts.Statement[]): void => {
    for (const s of statements) {
      if (ts.isImportEqualsDeclaration(s)) add(s.name);
      else if (ts.isModuleDeclaration(s) && s.body && ts.isModuleBlock(s.body)) scan(s.body.statements);
      else if (ts.isImportDeclaration(s) && s.importClause) {
        const { name, namedBindings } = s.importClause;
        add(name);
        if (namedBindings && ts.isNamespaceImport(namedBindings)) add(namedBindings.name);
        else if (namedBindings) namedBindings.elements.forEach((e) => add(e.name));
      }
    }
  };
  scan(core.file.statements);
  importNames.set(core.file, names);
  return names;
}

const importNames = new WeakMap<ts.SourceFile, ReadonlySet<string>>();

/**
 * The marks of a file's calls: its jvp calls, the calls of jacfwd (which need the function's vector
 * twin), and those of hessian and hvp (which need the twin of its twin).
 */
export interface CallMarks {
  readonly jvps: JvpCall[];
  readonly jacobians: ts.CallExpression[];
  readonly secondOrders: SecondOrderCall[];
  /** Calls of sparsity and jacfwdSparse (among the jacobians too): they need the function's index-set twin. */
  readonly sparse: SparseCall[];
}

/** A call of sparsity or jacfwdSparse; `needsPattern`: no `pattern` is given, so the call computes one. */
export interface SparseCall {
  readonly call: ts.CallExpression;
  readonly api: "sparsity" | "jacfwdSparse";
  readonly needsPattern: boolean;
}

/** A call of hessian or hvp. */
export interface SecondOrderCall {
  readonly call: ts.CallExpression;
  readonly api: "hessian" | "hvp";
}

/** Every call of jvp, jacfwd, hessian and hvp in the file in source order; inline arrows numbered in that order. */
export function findJvpCalls(core: Core): CallMarks {
  const { ts } = core;
  const found: JvpCall[] = [];
  const jacobians: ts.CallExpression[] = [];
  const secondOrders: SecondOrderCall[] = [];
  const sparse: SparseCall[] = [];
  let inlineCount = 0;
  const visit = (node: ts.Node): void => {
    const api = ts.isCallExpression(node) && node.arguments.length > 0 ? apiOf(core, node) : undefined;
    if (api === "jvp") {
      const call = node as ts.CallExpression;
      const fun = skipOuter(core, call.arguments[0]);
      const inline = ts.isArrowFunction(fun) || ts.isFunctionExpression(fun) ? inlineFunction(core, fun, ++inlineCount) : undefined;
      found.push({ call, inline, nested: callsJvp(core, inline?.node ?? localBody(core, fun)) });
    } else if (api === "jacfwd") {
      jacobians.push(node as ts.CallExpression);
    } else if (api === "jacfwdSparse" || api === "sparsity") {
      const call = node as ts.CallExpression;
      jacobians.push(call);
      sparse.push({ call, api, needsPattern: api === "sparsity" || !givesPattern(core, call.arguments[1]) });
    } else if (api === "hessian" || api === "hvp") {
      secondOrders.push({ call: node as ts.CallExpression, api });
    } else if (ts.isCallExpression(node) && !atModuleLevel(core, node) && mayBeDefineJvp(core, node.expression) && isDefineJvp(core, node.expression)) {
      core.diags.report(node, "misplacedRule");
    }
    ts.forEachChild(node, visit);
  };
  visit(core.file);
  return { jvps: found, jacobians, secondOrders, sparse };
}

/** Options written `{ …, pattern: p }` (anything else may compute the pattern at run time). */
function givesPattern(core: Core, options: ts.Expression | undefined): boolean {
  const { ts } = core;
  const o = options && skipOuter(core, options);
  return o !== undefined && ts.isObjectLiteralExpression(o) && o.properties.some((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === "pattern");
}

/** The function a name of this module refers to (a declaration or a const arrow), for its body. */
function localBody(core: Core, fun: ts.Expression): ts.Node | undefined {
  const { ts } = core;
  if (!ts.isIdentifier(fun)) return undefined;
  const decl = core.checker.getSymbolAtLocation(fun)?.valueDeclaration;
  if (!decl || decl.getSourceFile() !== core.file) return undefined;
  if (ts.isFunctionDeclaration(decl)) return decl.body;
  const init = ts.isVariableDeclaration(decl) && decl.initializer ? skipOuter(core, decl.initializer) : undefined;
  return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init.body : undefined;
}

/** Does `node` hold a call of tsjvp's jvp? */
function callsJvp(core: Core, node: ts.Node | undefined): boolean {
  return node !== undefined && someNode(core.ts, node, (n) => core.ts.isCallExpression(n) && n.arguments.length > 0 && isTsjvpJvp(core, n));
}

function mayBeDefineJvp(core: Core, callee: ts.Expression): boolean {
  const e = skipOuter(core, callee);
  return core.ts.isIdentifier(e) && e.text.toLowerCase().includes("jvp");
}

/** `defineJvp(f, rule);` or `const g = defineJvp(f, rule)` at the top level: where tsjvp finds rules. */
function atModuleLevel(core: Core, call: ts.CallExpression): boolean {
  const { ts } = core;
  const p = call.parent;
  if (ts.isExpressionStatement(p)) return ts.isSourceFile(p.parent);
  return ts.isVariableDeclaration(p) && p.initializer === call && ts.isVariableStatement(p.parent.parent) && ts.isSourceFile(p.parent.parent.parent) &&
    (p.parent.flags & ts.NodeFlags.Const) !== 0;
}

/** Functions of this file tagged `/** @jvp *\/` (their full twins are always emitted). */
export function findTaggedFunctions(core: Core): FnInfo[] {
  const { ts } = core;
  const found: FnInfo[] = [];
  // Most files tag nothing: no walk.
  if (!jvpTag.test(core.file.text)) return found;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && hasTag(core, node, jvpTag)) {
      const fn = localFunction(core, node);
      if (fn) found.push(fn);
      else if (node.body) misplaced(core, node, "this function", "Give it a name.");
    } else if (ts.isVariableStatement(node) && hasTag(core, node, jvpTag)) {
      for (const d of node.declarationList.declarations) {
        const fn = localFunction(core, d);
        if (fn) found.push(fn);
        else if (!(node.declarationList.flags & ts.NodeFlags.Const)) misplaced(core, d, `'${d.name.getText()}', declared with let or var`, "Declare it with const: a twin is made from the function the binding holds when the module loads.");
        else misplaced(core, d, `'${d.name.getText()}', which is not an arrow or function expression`, "Tag the function itself.");
      }
    } else if ((ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node) || ts.isConstructorDeclaration(node)) && hasTag(core, node, jvpTag)) {
      misplaced(core, node, "a method", "Write it as a function declaration taking the instance's data as a plain object, and call that.");
    }
    ts.forEachChild(node, visit);
  };
  visit(core.file);
  // A function with a custom rule is differentiated by its rule: it needs no twin of its own.
  const rules = rulesIn(core, core.file);
  return rules.size === 0 ? found : found.filter((fn) => {
    const name = ts.isFunctionDeclaration(fn.node) ? fn.node.name : ts.isVariableDeclaration(fn.node.parent) ? fn.node.parent.name : undefined;
    const symbol = name ? core.checker.getSymbolAtLocation(name) : undefined;
    return !symbol || !rules.has(symbol);
  });
}

function misplaced(core: Core, node: ts.Node, what: string, instead: string): void {
  core.diags.report(node, "misplacedTag", what, instead);
}
