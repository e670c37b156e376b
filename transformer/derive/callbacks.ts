import type * as ts from "typescript";
import { callbackResults } from "../analysis/activity";
import { derive } from "./expressions";
import { BlockBuilder, Dual, TwinContext } from "./context";
import { assignsName, someNode } from "../core/context";

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
    cx.unreachable(fn, "a callback with several returns");
  }
  const declared = namesDeclaredIn(cx, fn);
  let xs = derive(cx, receiver, b);
  // The callback's own names (parameters, locals) would shadow the receiver inside the loop.
  const shadowed = mentionsAny(cx, xs.primal, declared) || (xs.tangent !== null && mentionsAny(cx, xs.tangent, declared));
  if (shadowed || !cx.isSimple(xs.primal) || (xs.tangent && !cx.isSimple(xs.tangent))) xs = cx.hoist(xs, b, shadowed);
  const [first, second, third, fourth] = fn.parameters;
  const element = name === "map" ? first : second;
  const indexParam = name === "map" ? second : third;
  const wholeParam = name === "map" ? third : fourth;
  const assigned = (p: ts.ParameterDeclaration | undefined) => p !== undefined && assignsName(cx.core, fn.body, (p.name as ts.Identifier).text);
  // The loop counter is the index parameter itself, unless the callback assigns it.
  const i = indexParam && !assigned(indexParam) ? (indexParam.name as ts.Identifier) : f.createIdentifier(cx.namer.unique("i"));

  const body = new BlockBuilder();
  if (indexParam && i !== indexParam.name) body.push(cx.constDecl(indexParam.name, i, ts.NodeFlags.Let));
  if (element) {
    // Each parameter keeps its own binding: `let` when the callback assigns it.
    const v = element.name as ts.Identifier;
    const flags = assigned(element) ? ts.NodeFlags.Let : ts.NodeFlags.Const;
    body.push(cx.constDecl(v, f.createElementAccessExpression(xs.primal, i), flags));
    const dot = cx.dotOfNode(v);
    if (dot) body.push(cx.constDecl(dot, xs.tangent ? f.createElementAccessExpression(xs.tangent, i) : cx.zeroLike(v, cx.kind(v)), flags));
  }
  if (wholeParam) {
    const all = wholeParam.name as ts.Identifier;
    const flags = assigned(wholeParam) ? ts.NodeFlags.Let : ts.NodeFlags.Const;
    body.push(cx.constDecl(all, xs.primal, flags));
    const dot = cx.dotOfNode(all);
    if (dot) body.push(cx.constDecl(dot, xs.tangent ?? cx.zeroLike(xs.primal, cx.kind(receiver)), flags));
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
  return lowerReduce(cx, call, fn, result, active, loop, body, b, declared);
}

function lowerReduce(
  cx: TwinContext, call: ts.CallExpression, fn: Callback, result: Dual, active: boolean,
  loop: (statements: ts.Statement[]) => ts.Statement, body: BlockBuilder, b: BlockBuilder, declared: ReadonlySet<string>,
): Dual {
  const { f, ts } = cx;
  const param = fn.parameters[0];
  // A callback without parameters still has an accumulator: a temporary holds it.
  const acc = param ? (param.name as ts.Identifier) : cx.temp();
  const accDot = param ? cx.dotOfNode(acc) : result.tangent ? f.createIdentifier(cx.namer.unique(`${acc.text}_dot`)) : undefined;
  const kind = param ? cx.kind(acc) : cx.kind(call.arguments[1]);
  // Without a parameter, the accumulator has the type of the result (not of a literal initial value).
  const type = param?.type ?? cx.typeNodeOf(param ? acc : call);
  let init = derive(cx, call.arguments[1], b);
  if (mentionsAny(cx, init.primal, declared) || (init.tangent && mentionsAny(cx, init.tangent, declared))) init = cx.hoist(init, b, true);
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

/** Every name a callback binds: its parameters and the variables declared in its body. */
function namesDeclaredIn(cx: TwinContext, fn: Callback): Set<string> {
  const { ts } = cx;
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if ((ts.isParameter(n) || ts.isVariableDeclaration(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name)) names.add(n.name.text);
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return names;
}

/** Does the generated expression read any of `names`? */
function mentionsAny(cx: TwinContext, e: ts.Node, names: ReadonlySet<string>): boolean {
  return someNode(cx.ts, e, (n) => cx.ts.isIdentifier(n) && names.has(n.text));
}

function isFinalReturn(cx: TwinContext, body: ts.Block, value: ts.Expression): boolean {
  const last = body.statements[body.statements.length - 1];
  return last !== undefined && cx.ts.isReturnStatement(last) && last.expression === value;
}
