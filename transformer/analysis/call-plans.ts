import type * as ts from "typescript";
import { Core, skipOuter } from "../core/context";
import { differentiable, Kind, kindOfType, reportUnsupportedType } from "../model/types";
import { Callee, describeUnresolved, FnInfo, hasTag, jvpTag, relativeModulePath, secondOrderTag, sparsityTag } from "../model/functions";
import { JvpCall } from "../marks/marks";
import { Spec } from "./activity";
import { fullMask, SpecRegistry } from "./specs";

/** How one `jvp(f, primals, tangents)` call is rewritten. */
export type CallPlan =
  | { readonly type: "twin"; readonly spec: Spec; readonly dynamic: boolean; readonly fill: readonly boolean[] }
  | {
      readonly type: "imported"; readonly name: string; readonly specifier: string; readonly qualifier: readonly string[];
      readonly mask: readonly boolean[]; readonly returnKind: Kind | "void"; readonly dynamic: boolean; readonly fill: readonly boolean[];
    }
  | { readonly type: "failed"; readonly diagnostic: ts.Diagnostic }
  /** `fun` is a value (a parameter, an element): left to run-time dispatch through its attached twin. */
  | { readonly type: "runtime" };

/** Decides the twin a jvp call uses: a literal `null` tangent selects a specialised twin. */
export function planCallSite(core: Core, c: JvpCall, registry: SpecRegistry, resolve: (e: ts.Expression) => Callee): CallPlan {
  const [funArg, primals, tangents] = c.call.arguments;
  let fn: FnInfo | undefined = c.inline;
  if (!fn) {
    const callee = resolve(funArg);
    if (callee.type === "error") return { type: "failed", diagnostic: core.diags.report(callee.node, callee.id, ...callee.args) };
    // A function with a custom rule: jvp calls the rule at run time (with the tangents as given).
    if (callee.type === "rule") return { type: "runtime" };
    if (callee.type === "unknown") {
      if (canHaveTwin(core, funArg)) return { type: "runtime" };
      const { what, instead } = describeUnresolved(core, funArg);
      return { type: "failed", diagnostic: core.diags.report(funArg, "unknownFunction", funArg.getText(), what, instead) };
    }
    if (callee.type === "imported") {
      // The same call-site checks as for a function of this module: the callee's parameter kinds are known.
      const mask = callee.paramKinds.map(differentiable);
      const literal = literalArgs(core, primals, tangents);
      const lost = callee.paramKinds.findIndex((k, i) => k === "other" && literal?.tangents[i] !== undefined && !isNull(core, literal.tangents[i]));
      if (lost >= 0 && literal) {
        const type = core.checker.getTypeAtLocation(literal.primals[lost] ?? literal.tangents[lost]);
        return { type: "failed", diagnostic: reportUnsupportedType(core, literal.tangents[lost], `parameter ${lost + 1} of ${callee.name}`, type) };
      }
      const nulls = !literal || literal.tangents.some((t, i) => mask[i] && isNull(core, t));
      return {
        type: "imported", name: callee.name, specifier: callee.specifier, qualifier: callee.qualifier, mask, returnKind: callee.returnKind,
        dynamic: nulls || !literal.direct, fill: literal?.fill ?? [],
      };
    }
    fn = callee.fn;
  }
  const literal = literalArgs(core, primals, tangents);
  // A tangent for a parameter that cannot carry one (a class instance, `any`) is an error, whether
  // or not the call can be interleaved in place.
  for (const [i, p] of fn.params.entries()) {
    const t = literal?.tangents[i];
    if (t !== undefined && !isNull(core, t) && p.kind === "other") {
      return { type: "failed", diagnostic: reportUnsupportedType(core, t, p.name, core.checker.getTypeAtLocation(p.node)) };
    }
  }
  if (!literal || !literal.direct) return { type: "twin", spec: registry.get(fn, fullMask(fn)), dynamic: true, fill: [] };
  const mask = fn.params.map((p, i) => {
    const t = literal.tangents[i];
    return t !== undefined && !isNull(core, t) && differentiable(p.kind);
  });
  return { type: "twin", spec: registry.get(fn, mask), dynamic: false, fill: literal.fill };
}

/**
 * `jacfwd(f, …)`: the function of this module whose full and vector twins the module emits and
 * attaches to it. Undefined when `f` is left to run-time dispatch (a value, another module's tagged
 * function, a function with a custom rule) or cannot have twins (then a diagnostic says why).
 * `kind`: the tag kind the call needs when f is another module's (`hessian` for hessian and hvp,
 * `sparsity` for a pattern): its module emits those twins only when f's tag says so, and a tag that
 * is visible without it is reported here (a declaration file without comments is left to the
 * run-time error, which names the tag).
 */
export function planJacobianSite(core: Core, call: ts.CallExpression, resolve: (e: ts.Expression) => Callee, api = "jacfwd", kind?: "hessian" | "sparsity"): { fn: FnInfo; argnum: number | undefined } | undefined {
  const { ts } = core;
  const funArg = call.arguments[0];
  const fun = skipOuter(core, funArg);
  if (ts.isArrowFunction(fun) || ts.isFunctionExpression(fun)) {
    return void core.diags.report(funArg, "inlineJacobian", api);
  }
  const callee = resolve(funArg);
  if (callee.type === "error") return void core.diags.report(callee.node, callee.id, ...callee.args);
  // hvp(f, primals, tangents) differentiates its first argument; jacfwd and hessian take { argnums }.
  if (callee.type === "local") return { fn: callee.fn, argnum: api === "hvp" ? 0 : literalArgnum(core, call.arguments[1]) };
  if (callee.type === "imported" && kind && !callee.op) {
    const statement = ts.isVariableDeclaration(callee.decl) ? callee.decl.parent.parent : callee.decl;
    const tag = kind === "hessian" ? secondOrderTag : sparsityTag;
    if (hasTag(core, statement, jvpTag) && !hasTag(core, statement, tag)) {
      core.diags.report(funArg, "missingKind", api, callee.name, kind, relativeModulePath(core.file.fileName, callee.decl.getSourceFile().fileName));
    }
  }
  if (callee.type === "unknown" && !canHaveTwin(core, funArg)) {
    const { what, instead } = describeUnresolved(core, funArg);
    core.diags.report(funArg, "unknownFunction", funArg.getText(), what, instead);
  }
  return undefined;
}

/** `argnums` of jacfwd's or hessian's options when the call spells it out (absent: 0); undefined when known only at run time. */
function literalArgnum(core: Core, options: ts.Expression | undefined): number | undefined {
  const { ts } = core;
  if (!options) return 0;
  const o = skipOuter(core, options);
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  if (o.properties.some((p) => !ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p))) return undefined;
  const prop = o.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === "argnums");
  if (!prop) return 0;
  const value = ts.isPropertyAssignment(prop) ? skipOuter(core, prop.initializer) : undefined;
  return value && ts.isNumericLiteral(value) ? Number(value.text) : undefined;
}

/**
 * Could this value be a function carrying a twin at run time? Parameters, elements and properties
 * can; a `let` function of this module or a library function cannot (a diagnostic says so now).
 */
function canHaveTwin(core: Core, fun: ts.Expression): boolean {
  const { ts } = core;
  const e = skipOuter(core, fun);
  if (ts.isPropertyAccessExpression(e)) {
    if (ts.isIdentifier(e.expression) && ["Math", "Number"].includes(e.expression.text)) return false;
    // A method written in this project can carry no twin (a @jvp tag on it is TS97022).
    const member = core.checker.getSymbolAtLocation(e.name)?.valueDeclaration;
    return !(member && !member.getSourceFile().isDeclarationFile && (ts.isMethodDeclaration(member) || ts.isGetAccessor(member)));
  }
  if (!ts.isIdentifier(e)) return true;
  const decl = core.checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl) return false;
  if (ts.isParameter(decl) || ts.isBindingElement(decl)) return true;
  // `const f = affine`: a const holding a function value (not a function written here) dispatches.
  if (ts.isVariableDeclaration(decl) && (decl.parent.flags & ts.NodeFlags.Const) !== 0 && decl.initializer) {
    const init = skipOuter(core, decl.initializer);
    return !ts.isArrowFunction(init) && !ts.isFunctionExpression(init);
  }
  return false;
}

function isNull(core: Core, e: ts.Expression): boolean {
  const inner = skipOuter(core, e);
  return inner.kind === core.ts.SyntaxKind.NullKeyword || (core.ts.isIdentifier(inner) && inner.text === "undefined");
}

/**
 * The primals and tangents when both are array literals. `direct` is false when the call cannot
 * interleave them in place: a tangent that may be null at run time, or arguments with side
 * effects (their order would change).
 */
function literalArgs(core: Core, primals: ts.Expression | undefined, tangents: ts.Expression | undefined) {
  const { ts } = core;
  if (!primals || !tangents) return undefined;
  const p = skipOuter(core, primals);
  const t = skipOuter(core, tangents);
  if (!ts.isArrayLiteralExpression(p) || !ts.isArrayLiteralExpression(t)) return undefined;
  const all = [...p.elements, ...t.elements];
  if (all.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) return undefined;
  const type = (e: ts.Expression) => core.checker.getTypeAtLocation(e);
  // A tangent that may hold null where the twin expects numbers gets zeros filled in at run time:
  // in place when its primal is a plain name, else through the run-time helper.
  const fill = t.elements.map((e, i) => i < p.elements.length && !isNull(core, e) && !isComplete(core, e) && needsFill(core, type(e), type(p.elements[i])));
  const inPlace = fill.every((f, i) => !f || ts.isIdentifier(skipOuter(core, p.elements[i])));
  const direct = inPlace && all.every((e) => !hasSideEffects(core, e)) && p.elements.length === t.elements.length;
  return { primals: p.elements, tangents: t.elements, direct, fill };
}

/** A tangent written out in full (numbers, new Float64Arrays, literals of them): no type question needed. */
function isComplete(core: Core, e: ts.Expression): boolean {
  const { ts } = core;
  const t = skipOuter(core, e);
  if (ts.isNumericLiteral(t) || (ts.isPrefixUnaryExpression(t) && ts.isNumericLiteral(t.operand))) return true;
  if (ts.isNewExpression(t) || ts.isCallExpression(t)) {
    const callee = ts.isCallExpression(t) && ts.isPropertyAccessExpression(t.expression) ? t.expression.expression : t.expression;
    return ts.isIdentifier(callee) && callee.text === "Float64Array";
  }
  if (ts.isArrayLiteralExpression(t)) return t.elements.every((el) => !ts.isSpreadElement(el) && isComplete(core, el));
  if (ts.isObjectLiteralExpression(t)) return t.properties.every((p) => ts.isPropertyAssignment(p) && isComplete(core, p.initializer));
  return false;
}

/** May `tangent` (a TangentIn of `primal`) be null or undefined at a differentiable leaf? */
function needsFill(core: Core, tangent: ts.Type, primal: ts.Type, depth = 0): boolean {
  const F = core.ts.TypeFlags;
  const kind = kindOfType(core, primal);
  if (kind === "none" || kind === "other" || depth > 8) return false;
  const parts = tangent.isUnion() ? tangent.types : [tangent];
  if (parts.some((part) => (part.flags & (F.Null | F.Undefined | F.Any | F.Unknown)) !== 0)) return true;
  if (kind !== "tree") return false;
  const { checker } = core;
  if (checker.isArrayType(primal) || checker.isTupleType(primal)) {
    const ps = checker.getTypeArguments(primal as ts.TypeReference);
    const ts_ = checker.isArrayType(tangent) || checker.isTupleType(tangent) ? checker.getTypeArguments(tangent as ts.TypeReference) : [];
    return ps.some((p, i) => ts_[Math.min(i, ts_.length - 1)] === undefined || needsFill(core, ts_[Math.min(i, ts_.length - 1)], p, depth + 1));
  }
  return checker.getPropertiesOfType(primal).some((prop) => {
    const tp = tangent.getProperty(prop.getName());
    return !tp ? kindOfType(core, checker.getTypeOfSymbol(prop)) !== "none" : needsFill(core, checker.getTypeOfSymbol(tp), checker.getTypeOfSymbol(prop), depth + 1);
  });
}

/** Calls (other than Float64Array construction), assignments and ++/-- may observe evaluation order. */
function hasSideEffects(core: Core, e: ts.Node): boolean {
  const { ts } = core;
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
    const callee = skipOuter(core, e.expression);
    const isFloat64 = ts.isIdentifier(callee) ? callee.text === "Float64Array"
      : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ["Float64Array", "Math"].includes(callee.expression.text);
    if (!isFloat64) return true;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  if ((ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) && [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(e.operator)) return true;
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return false;
  return ts.forEachChild(e, (c) => (hasSideEffects(core, c) ? true : undefined)) ?? false;
}
