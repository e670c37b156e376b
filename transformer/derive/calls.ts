import type * as ts from "typescript";
import { differentiable, Kind } from "../model/types";
import { isGlobal, skipOuter } from "../core/context";
import { applyRule, derive, tangentOrZero, visitInactive, visitInOrder } from "./expressions";
import { inactiveMath, mathRules } from "../model/rules";
import { BlockBuilder, Dual, TwinContext } from "./context";
import { lowerCallback } from "./callbacks";
import { isLoweredCallback, libraryRole, methodRow } from "../model/builtins";

/**
 * Calls: Math functions through the rule table, Float64Array constructors and methods, functions
 * of this module through their twins, tagged functions of other modules through their full twins.
 * `asStatement`: the value is unused, so a twin's result need not be named.
 */
export function deriveCall(cx: TwinContext, call: ts.CallExpression, b: BlockBuilder, asStatement: boolean): Dual {
  const { ts } = cx;
  const callee = skipOuter(cx.core, call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const name = callee.name.text;
    if (isGlobal(cx.core, callee.expression, "Math")) return mathCall(cx, call, name, b);
    if (isGlobal(cx.core, callee.expression, "Float64Array") && (name === "of" || name === "from")) {
      return float64ArrayOf(cx, call, name, b);
    }
    const receiverKind = cx.kind(callee.expression);
    const row = methodRow(receiverKind, name);
    const callback = call.arguments[0];
    if (row?.lowered && callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) && isLoweredCallback(cx.core, callback)) {
      return lowerCallback(cx, call, callee.expression, name as "map" | "reduce", b, receiverKind === "arr");
    }
    if (row?.lowered && (cx.isActive(callee.expression) || call.arguments.some((a) => cx.isActive(a)))) cx.unreachable(call, `.${name}() without an inline callback`);
    if (row && (row.result === "index" || row.result === "predicate" || row.result === "text")) return visitInactive(cx, call, b, false);
    if (receiverKind === "arr") return arrayMethod(cx, call, callee, b);
    if (receiverKind === "tree" && name === "push") return pushCall(cx, call, callee, b);
  }
  // A method's receiver is an input too: `x.valueOf()` on a differentiated x.
  const receiverActive = ts.isPropertyAccessExpression(callee) && cx.isActive(callee.expression);
  const anyActive = receiverActive || call.arguments.some((a) => cx.isActive(a));
  const target = cx.activity.callee(call.expression);
  if (target.type === "local" || target.type === "imported") {
    const kinds = target.type === "local" ? target.fn.params.map((p) => p.kind) : target.paramKinds;
    if (call.arguments.some((a, i) => cx.isActive(a) && (kinds[i] ?? "other") === "other")) cx.unreachable(call, "differentiated data for a parameter without a tangent");
  }
  if (target.type === "local") {
    const spec = cx.activity.calleeSpec(call);
    if (!spec) return visitInactive(cx, call, b, false);
    cx.requests.push(spec);
    const ref = cx.services.twinReference(spec, call);
    if (!ref) return cx.unreachable(call.expression, "a call of a shadowed twin");
    const kinds = target.fn.params.map((p) => p.kind);
    return callTwin(cx, call, ref, kinds, spec.mask, target.fn.returnKind, spec.activity.returnsActive, b, asStatement);
  }
  if (target.type === "imported" && anyActive) {
    const ref = cx.services.importedTwin(target.specifier, target.qualifier, target.name, target.op !== undefined);
    const mask = target.paramKinds.map(differentiable);
    return callTwin(cx, call, ref, target.paramKinds, mask, target.returnKind, differentiable(target.returnKind as Kind), b, asStatement, target.op !== undefined);
  }
  if (target.type === "rule" && anyActive) return callRule(cx, call, target.paramKinds, target.returnKind, b, asStatement);
  if (target.type === "error" && anyActive) cx.unreachable(call, "a call without a resolvable callee");
  return libraryCall(cx, call, anyActive, b);
}

/**
 * A call without source and without a rule. The built-in table lets through what only observes
 * differentiated data (console.log), makes text of it (String(x)), or answers a question about it
 * (Number.isFinite); the fence rejected anything else that receives it.
 */
function libraryCall(cx: TwinContext, call: ts.CallExpression, anyActive: boolean, b: BlockBuilder): Dual {
  const { ts } = cx;
  const callee = skipOuter(cx.core, call.expression);
  const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
  if (libraryRole(cx.core, callee)) return visitInactive(cx, call, b, false);
  if (anyActive) cx.unreachable(call, "differentiated data passed to a call without a rule");
  return visitInactive(cx, call, b, false);
}

function mathCall(cx: TwinContext, call: ts.CallExpression, name: string, b: BlockBuilder): Dual {
  if (inactiveMath.has(name)) return visitInactive(cx, call, b);
  const rule = Object.prototype.hasOwnProperty.call(mathRules, name) ? mathRules[name] : undefined;
  if (!rule) return cx.unreachable(call, `Math.${name}`);
  const operands = visitInOrder(cx, call.arguments, b);
  return applyRule(cx, rule, operands, (xs) => cx.t.math(name, ...xs), b, call.arguments);
}

// d(Float64Array.of(a, b)) = Float64Array.of(da, db); .from([…]) likewise, .from(x) copies x_dot
function float64ArrayOf(cx: TwinContext, call: ts.CallExpression, name: "of" | "from", b: BlockBuilder): Dual {
  const { f, ts } = cx;
  const make = (args: ts.Expression[]) =>
    f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("Float64Array"), name), undefined, args);
  const first = call.arguments[0] ? skipOuter(cx.core, call.arguments[0]) : undefined;
  if (name === "of" || (first && ts.isArrayLiteralExpression(first) && call.arguments.length === 1)) {
    const elements = name === "of" ? call.arguments : (first as ts.ArrayLiteralExpression).elements;
    const duals = visitInOrder(cx, elements, b);
    const wrap = (xs: ts.Expression[]) => (name === "of" ? xs : [f.createArrayLiteralExpression(xs)]);
    return {
      primal: make(wrap(duals.map((d) => d.primal))),
      tangent: duals.some((d) => d.tangent) ? make(wrap(duals.map((d) => cx.t.orZero(d.tangent)))) : null,
    };
  }
  if (first && call.arguments.length === 1 && cx.kind(first) === "arr") {
    const source = derive(cx, first, b);
    return { primal: make([source.primal]), tangent: source.tangent ? make([source.tangent]) : null };
  }
  return visitInactive(cx, call, b);
}

// list.push(v, …) also pushes v_dot (or zeros) onto list_dot
function pushCall(cx: TwinContext, call: ts.CallExpression, callee: ts.PropertyAccessExpression, b: BlockBuilder): Dual {
  const { f } = cx;
  const [list, ...values] = visitInOrder(cx, [callee.expression, ...call.arguments], b);
  const push = (target: ts.Expression, args: ts.Expression[]) =>
    f.createCallExpression(f.createPropertyAccessExpression(target, "push"), undefined, args);
  if (!list.tangent) {
    if (values.some((v) => v.tangent)) cx.unreachable(call, "a push of differentiated values into an array without a tangent");
    return { primal: push(list.primal, values.map((v) => v.primal)), tangent: null };
  }
  const full = values.map((v, i) => tangentOrZero(cx, v, call.arguments[i], b));
  b.push(f.createExpressionStatement(push(list.tangent, full.map((v) => v.tangent!))));
  return { primal: push(list.primal, full.map((v) => v.primal)), tangent: null };
}

/** Float64Array methods on a value that may carry a tangent. */
function arrayMethod(cx: TwinContext, call: ts.CallExpression, callee: ts.PropertyAccessExpression, b: BlockBuilder): Dual {
  const { f } = cx;
  const name = callee.name.text;
  const [receiver, ...args] = visitInOrder(cx, [callee.expression, ...call.arguments], b);
  // Writing a differentiated value into a fresh array (new Float64Array(n).fill(x)) gives it a tangent.
  let array = receiver;
  if ((name === "fill" || name === "set") && args[0]?.tangent && !receiver.tangent) {
    const primal = cx.hoist({ primal: receiver.primal, tangent: null }, b).primal as ts.Identifier;
    const tangent = f.createIdentifier(cx.namer.unique(`${primal.text}_dot`));
    b.push(cx.constDecl(tangent, cx.zeroLike(primal, "arr")));
    array = { primal, tangent };
  }
  const held = args.map((a, i) => (i === 0 && name !== "slice" && name !== "subarray" && name !== "at") ? a : holdSimple(cx, a, b));
  const method = (target: ts.Expression, xs: ts.Expression[]) =>
    f.createCallExpression(f.createPropertyAccessExpression(target, name), undefined, xs);
  const primal = method(array.primal, held.map((a) => a.primal));
  switch (name) {
    case "slice": // d(a.slice(i, j)) = a_dot.slice(i, j); subarray shares storage, and so does its tangent
    case "subarray":
    case "at":
      return { primal, tangent: array.tangent ? method(array.tangent, held.map((a) => a.primal)) : null };
    case "fill": {
      // a.fill(v, s, e) also fills a_dot with dv (or 0)
      if (array.tangent) {
        const rest = held.slice(1).map((a) => holdSimple(cx, a, b).primal);
        // A write: operands read before it in the same expression are held first (visitInOrder).
        b.push(f.createExpressionStatement(method(array.tangent, [cx.t.orZero(held[0]?.tangent ?? null), ...rest])), true);
      }
      return { primal: method(array.primal, [held[0]?.primal ?? f.createIdentifier("undefined"), ...held.slice(1).map((a) => a.primal)]), tangent: array.tangent };
    }
    case "set": {
      // a.set(src, offset) copies src_dot into a_dot (zeros for a constant src)
      if (array.tangent && held[0]) {
        const source = holdSimple(cx, held[0], b);
        held[0] = source;
        const offset = held[1]?.primal;
        const dot = source.tangent
          ? method(array.tangent, [source.tangent, ...(offset ? [offset] : [])])
          : f.createCallExpression(f.createPropertyAccessExpression(array.tangent, "fill"), undefined, [
              cx.t.num(0), offset ?? cx.t.num(0),
              offset ? cx.t.op(offset, "+", f.createPropertyAccessExpression(source.primal, "length")) : f.createPropertyAccessExpression(source.primal, "length"),
            ]);
        b.push(f.createExpressionStatement(dot), true);
      }
      return { primal: method(array.primal, held.map((a) => a.primal)), tangent: null };
    }
    default:
      return cx.unreachable(call, `Float64Array method .${name}()`);
  }
}

function holdSimple(cx: TwinContext, d: Dual, b: BlockBuilder): Dual {
  return cx.isSimple(d.primal) && (!d.tangent || cx.isSimple(d.tangent)) ? d : cx.hoist(d, b);
}

/** Emits `g_jvp(x, x_dot, …)`; a result is held in `const [_t0, _t0_dot] = …`. */
/** `const [y, y_dot] = tsjvp_runtime.applyRule(f, [a, b], [a_dot, null])`: a custom rule, null for constants. */
function callRule(cx: TwinContext, call: ts.CallExpression, kinds: readonly Kind[], returnKind: Kind | "void", b: BlockBuilder, asStatement: boolean): Dual {
  const { f } = cx;
  const duals = visitInOrder(cx, [call.expression, ...call.arguments], b);
  const [fn, ...args] = duals;
  const tangents = args.map((d, i) => (d.tangent && differentiable(kinds[i] ?? "other") ? d.tangent : f.createNull()));
  const ruleCall = f.createCallExpression(cx.services.runtimeRef("applyRule"), undefined, [
    fn.primal, f.createArrayLiteralExpression(args.map((d) => d.primal)), f.createArrayLiteralExpression(tangents),
  ]);
  return bindResult(cx, ruleCall, returnKind, true, b, asStatement);
}

/** `const [y, y_dot] = call` (just `call;` when its result is not used or void). */
function bindResult(cx: TwinContext, pairCall: ts.Expression, returnKind: Kind | "void", returnsActive: boolean, b: BlockBuilder, asStatement: boolean): Dual {
  const { f } = cx;
  if (returnKind === "void" || asStatement) {
    b.push(f.createExpressionStatement(pairCall), true);
    return { primal: f.createVoidZero(), tangent: null };
  }
  const primal = cx.temp();
  const names = [f.createBindingElement(undefined, undefined, primal)];
  let tangent: ts.Identifier | null = null;
  if (returnsActive && differentiable(returnKind)) {
    tangent = f.createIdentifier(cx.namer.unique(`${primal.text}_dot`));
    names.push(f.createBindingElement(undefined, undefined, tangent));
  }
  b.push(cx.constDecl(f.createArrayBindingPattern(names), pairCall), true);
  return { primal, tangent };
}

function callTwin(
  cx: TwinContext, call: ts.CallExpression, ref: ts.Expression, kinds: readonly Kind[], mask: readonly boolean[],
  returnKind: Kind | "void", returnsActive: boolean, b: BlockBuilder, asStatement: boolean, nullForConstants = false,
): Dual {
  const { f } = cx;
  const duals = visitInOrder(cx, call.arguments, b);
  const args: ts.Expression[] = [];
  duals.forEach((d, i) => {
    if (!mask[i]) return void args.push(d.primal);
    // A primitive's twin takes null for a constant argument and skips its work.
    if (nullForConstants && !d.tangent) return void args.push(d.primal, f.createNull());
    const full = cx.materialize(d, kinds[i], b);
    args.push(full.primal, full.tangent!);
  });
  return bindResult(cx, f.createCallExpression(ref, undefined, args), returnKind, returnsActive, b, asStatement);
}
