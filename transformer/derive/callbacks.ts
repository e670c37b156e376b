import type * as ts from "typescript";
import { callbackResults } from "../analysis/activity";
import { derive } from "./expressions";
import { BlockBuilder, Dual, TwinContext } from "./context";

type Callback = ts.ArrowFunction | ts.FunctionExpression;

/**
 * `xs.map((v, i) => …)` and `xs.reduce((acc, v, i) => …, init)` as loops, so that the callback's
 * body is differentiated like any other code:
 *   const _t0 = []; const _t0_dot = [];
 *   for (let i = 0; i < xs.length; i++) { const v = xs[i]; const v_dot = xs_dot[i]; …; _t0_dot.push(r_dot); _t0.push(r); }
 */
export function lowerCallback(cx: TwinContext, call: ts.CallExpression, receiver: ts.Expression, name: "map" | "reduce", b: BlockBuilder, typed = false): Dual {
  const { f, ts } = cx;
  const fn = call.arguments[0] as Callback;
  const results = callbackResults(cx.core, fn);
  if (ts.isBlock(fn.body) && (results.length !== 1 || !isFinalReturn(cx, fn.body, results[0]))) {
    cx.report(fn, "unsupportedSyntax", "A callback that does not end in its only return", cx.spec.fn.name, "Write the callback as an expression, or with one return at its end.");
    return { primal: call, tangent: null };
  }
  let xs = derive(cx, receiver, b);
  if (!cx.isSimple(xs.primal) || (xs.tangent && !cx.isSimple(xs.tangent))) xs = cx.hoist(xs, b);
  const [first, second, third] = fn.parameters;
  const element = name === "map" ? first : second;
  const indexParam = name === "map" ? second : third;
  const i = indexParam ? (indexParam.name as ts.Identifier) : f.createIdentifier(cx.namer.unique("i"));

  const body = new BlockBuilder();
  if (element) {
    const v = element.name as ts.Identifier;
    body.push(cx.constDecl(v, f.createElementAccessExpression(xs.primal, i)));
    const dot = cx.dotOfNode(v);
    if (dot) body.push(cx.constDecl(dot, xs.tangent ? f.createElementAccessExpression(xs.tangent, i) : cx.zeroLike(v, cx.kind(v))));
  }
  if (ts.isBlock(fn.body)) cx.visitors.statements(cx, fn.body.statements.slice(0, -1), body);
  const result = derive(cx, results[0], body);
  const active = cx.isActive(call);
  const loop = (statements: ts.Statement[]) => f.createForStatement(
    f.createVariableDeclarationList([f.createVariableDeclaration(i, undefined, undefined, cx.t.num(0))], ts.NodeFlags.Let),
    f.createLessThan(i, f.createPropertyAccessExpression(xs.primal, "length")),
    f.createPostfixIncrement(i),
    f.createBlock([...body.statements, ...statements], true),
  );
  const type = cx.typeNodeOf(call);
  if (name === "map") {
    const out = cx.temp();
    const outDot = active ? f.createIdentifier(cx.namer.unique(`${out.text}_dot`)) : undefined;
    // A Float64Array's map makes a Float64Array of the same length, written by index; an array's, pushed.
    const empty = () => (typed
      ? f.createNewExpression(f.createIdentifier("Float64Array"), undefined, [f.createPropertyAccessExpression(xs.primal, "length")])
      : f.createArrayLiteralExpression([]));
    b.push(declare(cx, out, typed ? undefined : type, empty(), ts.NodeFlags.Const));
    if (outDot) b.push(declare(cx, outDot, typed ? undefined : cx.tangentType(type, "tree"), empty(), ts.NodeFlags.Const));
    const r = active ? cx.materialize(result, cx.kind(results[0]), body) : result;
    const store = (array: ts.Expression, value: ts.Expression) => f.createExpressionStatement(typed
      ? f.createAssignment(f.createElementAccessExpression(array, i), value)
      : f.createCallExpression(f.createPropertyAccessExpression(array, "push"), undefined, [value]));
    b.push(loop([...(outDot ? [store(outDot, r.tangent ?? f.createNull())] : []), store(out, r.primal)]), body.impure > 0);
    return { primal: out, tangent: outDot ?? null };
  }
  return lowerReduce(cx, call, fn, result, active, loop, body, b);
}

function lowerReduce(
  cx: TwinContext, call: ts.CallExpression, fn: Callback, result: Dual, active: boolean,
  loop: (statements: ts.Statement[]) => ts.Statement, body: BlockBuilder, b: BlockBuilder,
): Dual {
  const { f, ts } = cx;
  const acc = fn.parameters[0].name as ts.Identifier;
  const accDot = cx.dotOfNode(acc);
  const kind = cx.kind(acc);
  const type = fn.parameters[0].type ?? cx.typeNodeOf(acc);
  let init = derive(cx, call.arguments[1], b);
  if (accDot) init = cx.materialize(init, kind, b);
  const out = cx.temp();
  const outDot = active && accDot ? f.createIdentifier(cx.namer.unique(`${out.text}_dot`)) : undefined;
  b.push(declare(cx, out, type, undefined, ts.NodeFlags.Let));
  if (outDot) b.push(declare(cx, outDot, cx.tangentType(type, kind), undefined, ts.NodeFlags.Let));
  const r = accDot ? cx.materialize(result, kind, body) : result;
  const assign = (target: ts.Expression, value: ts.Expression) => f.createExpressionStatement(f.createAssignment(target, value));
  // A block of its own: the accumulator's name is the callback's, and may repeat in the function.
  const block = f.createBlock([
    declare(cx, acc, type, init.primal, ts.NodeFlags.Let),
    ...(accDot ? [declare(cx, accDot, cx.tangentType(type, kind), init.tangent!, ts.NodeFlags.Let)] : []),
    loop([...(accDot ? [assign(accDot, r.tangent!)] : []), assign(acc, r.primal)]),
    ...(outDot && accDot ? [assign(outDot, accDot)] : []),
    assign(out, acc),
  ], true);
  b.push(block, body.impure > 0);
  return { primal: out, tangent: outDot ?? null };
}

function declare(cx: TwinContext, name: ts.Identifier, type: ts.TypeNode | undefined, init: ts.Expression | undefined, flags: ts.NodeFlags): ts.Statement {
  const f = cx.f;
  return f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, init)], flags));
}

function isFinalReturn(cx: TwinContext, body: ts.Block, value: ts.Expression): boolean {
  const last = body.statements[body.statements.length - 1];
  return last !== undefined && cx.ts.isReturnStatement(last) && last.expression === value;
}
