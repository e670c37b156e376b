import type * as ts from "typescript";
import { Core, skipOuter } from "../core/context";
import { FnInfo, hasTag, inlineFunction, isDefineJvp, jvpTag, localFunction, rulesIn } from "../model/functions";

/** A `jvp(fun, primals, tangents)` call resolved to tsjvp's own declaration. */
export interface JvpCall {
  readonly call: ts.CallExpression;
  /** The inline arrow's description, when `fun` is one. */
  readonly inline: FnInfo | undefined;
}

/** True when `call` resolves, through the checker, to tsjvp's own `jvp` (aliases included). */
export function isTsjvpJvp(core: Core, call: ts.CallExpression): boolean {
  if (!mayBeJvp(core, call.expression)) return false;
  const declaration = core.checker.getResolvedSignature(call)?.declaration;
  if (!declaration || !core.ts.isFunctionDeclaration(declaration) || declaration.name?.text !== "jvp") return false;
  return hasTag(core, declaration, /@tsjvpApi jvp\b/);
}

/**
 * A cheap filter before resolving signatures (costly on every call): the callee must be an
 * imported binding of something named `jvp` (`jvp`, `J` from `import { jvp as J }`) or `ns.jvp`.
 */
function mayBeJvp(core: Core, callee: ts.Expression): boolean {
  const { ts } = core;
  const e = skipOuter(core, callee);
  if (ts.isPropertyAccessExpression(e)) return e.name.text === "jvp";
  if (!ts.isIdentifier(e)) return false;
  const symbol = core.checker.getSymbolAtLocation(e);
  if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return false;
  return core.checker.getAliasedSymbol(symbol).getName() === "jvp";
}

/** Every jvp call of the file in source order; inline arrows numbered in that order. */
export function findJvpCalls(core: Core): JvpCall[] {
  const { ts } = core;
  const found: JvpCall[] = [];
  let inlineCount = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length > 0 && isTsjvpJvp(core, node)) {
      const fun = skipOuter(core, node.arguments[0]);
      const inline = ts.isArrowFunction(fun) || ts.isFunctionExpression(fun) ? inlineFunction(core, fun, ++inlineCount) : undefined;
      found.push({ call: node, inline });
    } else if (ts.isCallExpression(node) && !atModuleLevel(core, node) && mayBeDefineJvp(core, node.expression) && isDefineJvp(core, node.expression)) {
      core.diags.report(node, "misplacedRule");
    }
    ts.forEachChild(node, visit);
  };
  visit(core.file);
  return found;
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
