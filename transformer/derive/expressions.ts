import type * as ts from "typescript";
import { binary, Tan } from "../model/algebra";
import { isGlobal, skipOuter } from "../core/context";
import { operatorRules, Rule } from "../model/rules";
import { BlockBuilder, Dual, TwinContext } from "./context";
import { libraryRole } from "../model/builtins";
import { isLogical } from "../analysis/queries";
import { isClassInstance, Kind } from "../model/types";

/**
 * The expression visitor: returns the primal and tangent of `expr`, appending to `b` whatever
 * must be computed first (temporaries, calls into twins). Inactive expressions come back as they
 * are, with a symbolic-zero tangent.
 */
export function derive(cx: TwinContext, expr: ts.Expression, b: BlockBuilder): Dual {
  const { ts } = cx;
  if (!cx.q.isVisited(expr)) {
    let primal = expr;
    while (ts.isParenthesizedExpression(primal)) primal = primal.expression; // the factory re-adds needed ones
    return { primal, tangent: null };
  }
  const e = skipOuter(cx.core, expr);
  return e === expr ? deriveBare(cx, e, b) : rewrap(cx, expr, e, deriveBare(cx, e, b));
}

/**
 * Puts back the assertions `skipOuter` looked through (`v!`, `v as T`, `v satisfies T`), so that the
 * twin type-checks as the source did; a tangent gets `!` where its primal could be undefined.
 */
function rewrap(cx: TwinContext, outer: ts.Expression, inner: ts.Expression, d: Dual): Dual {
  const { ts, f } = cx;
  const chain: ts.Expression[] = [];
  for (let n: ts.Node = inner.parent; n && n !== outer.parent; n = n.parent) chain.push(n as ts.Expression);
  let { primal, tangent } = d;
  let below: ts.Expression = inner;
  for (const n of chain) {
    if (ts.isNonNullExpression(n)) {
      if (!ts.isNonNullExpression(primal)) primal = f.createNonNullExpression(primal);
      if (tangent && !ts.isNonNullExpression(tangent) && mayBeUndefined(cx, below)) tangent = f.createNonNullExpression(tangent);
    } else if (ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) {
      primal = f.createAsExpression(primal, n.type);
      // A pytree's tangent is asserted alike (`[x_dot, 2 * x_dot] as Tangent<Pair>`).
      const type = tangent && cx.kind(n) === "tree" ? cx.tangentType(n.type, "tree") : undefined;
      if (tangent && type) tangent = f.createAsExpression(tangent, type);
    } else if (ts.isSatisfiesExpression(n)) {
      primal = f.createSatisfiesExpression(primal, n.type);
    }
    below = n;
  }
  return { primal, tangent };
}

function deriveBare(cx: TwinContext, e: ts.Expression, b: BlockBuilder): Dual {
  const { ts } = cx;
  const K = ts.SyntaxKind;
  switch (e.kind) {
    case K.Identifier:
      // d(x) = x_dot
      return { primal: e, tangent: cx.dotOfNode(e as ts.Identifier) ?? null };
    case K.ElementAccessExpression:
      return visitElementRead(cx, e as ts.ElementAccessExpression, b);
    case K.PropertyAccessExpression:
      return visitFieldRead(cx, e as ts.PropertyAccessExpression, b);
    case K.ObjectLiteralExpression:
      return visitObjectLiteral(cx, e as ts.ObjectLiteralExpression, b);
    case K.ArrayLiteralExpression:
      return cx.kind(e) === "tree" ? visitArrayLiteral(cx, e as ts.ArrayLiteralExpression, b) : visitInactive(cx, e, b);
    case K.BinaryExpression:
      return visitBinary(cx, e as ts.BinaryExpression, b);
    case K.PrefixUnaryExpression:
      return visitPrefix(cx, e as ts.PrefixUnaryExpression, b);
    case K.ConditionalExpression:
      return visitConditional(cx, e as ts.ConditionalExpression, b);
    case K.CallExpression:
      return cx.visitors.call(cx, e as ts.CallExpression, b, false);
    case K.NewExpression:
      return visitNew(cx, e as ts.NewExpression, b);
    default:
      return visitInactive(cx, e, b);
  }
}

/** Visits operands left to right; if a later one runs a call, earlier reads are held before it. */
export function visitInOrder(cx: TwinContext, exprs: readonly ts.Expression[], b: BlockBuilder): Dual[] {
  const duals: Dual[] = [];
  for (const e of exprs) {
    const at = b.statements.length;
    const impure = b.impure;
    const d = derive(cx, e, b);
    if (b.impure > impure) {
      const pending = new BlockBuilder();
      duals.forEach((earlier, i) => {
        if (!cx.isStable(earlier.primal) || (earlier.tangent && !cx.isStable(earlier.tangent))) duals[i] = cx.holdBeforeCall(earlier, pending);
      });
      b.statements.splice(at, 0, ...pending.statements);
      b.lastImpure += pending.statements.length;
    }
    duals.push(d);
  }
  return duals;
}

/** Applies a derivative rule: operands held on demand, the result held when the rule uses it. */
export function applyRule(
  cx: TwinContext,
  rule: Rule,
  operands: Dual[],
  build: (primals: ts.Expression[]) => ts.Expression,
  b: BlockBuilder,
  literals: readonly (ts.Expression | undefined)[] = [],
): Dual {
  let result: ts.Expression | undefined;
  // Only the primal is held: each tangent is used once, by the rule, and nothing impure runs between.
  const x = (i: number): ts.Expression => {
    if (!cx.isSimple(operands[i].primal)) operands[i] = { ...operands[i], primal: cx.hoist({ primal: operands[i].primal, tangent: null }, b).primal };
    return operands[i].primal;
  };
  const r = (): ts.Expression => {
    if (!result) {
      operands.forEach((_, i) => x(i));
      result = cx.hoist({ primal: build(operands.map((o) => o.primal)), tangent: null }, b).primal;
    }
    return result;
  };
  const literal = (i: number): number | undefined => {
    const node = literals[i] ? skipOuter(cx.core, literals[i]!) : undefined;
    if (!node) return undefined;
    if (cx.ts.isNumericLiteral(node)) return Number(node.text);
    if (cx.ts.isPrefixUnaryExpression(node) && node.operator === cx.ts.SyntaxKind.MinusToken && cx.ts.isNumericLiteral(node.operand)) {
      return -Number(node.operand.text);
    }
    return undefined;
  };
  const dx: Tan[] = operands.map((o) => o.tangent);
  const same = (i: number, j: number) => sameRead(cx, operands[i].primal, operands[j].primal) && sameRead(cx, operands[i].tangent, operands[j].tangent);
  const scaled = (i: number, j: number) => scaledRead(cx, operands[i], operands[j]);
  const tangent = rule({ x, dx, r, literal, count: operands.length, t: cx.t, same, scaled });
  return { primal: result ?? build(operands.map((o) => o.primal)), tangent };
}

/** Structurally equal plain reads (`x`, `a[i]`, `p.w[j]`): evaluating one twice gives the same value. */
function sameRead(cx: TwinContext, a: ts.Expression | null, b: ts.Expression | null): boolean {
  const { ts } = cx;
  if (!a || !b) return a === b;
  if (ts.isIdentifier(a) && ts.isIdentifier(b)) return a.text === b.text;
  if (ts.isNumericLiteral(a) && ts.isNumericLiteral(b)) return a.text === b.text;
  if (ts.isStringLiteral(a) && ts.isStringLiteral(b)) return a.text === b.text;
  if (ts.isPropertyAccessExpression(a) && ts.isPropertyAccessExpression(b)) return a.name.text === b.name.text && sameRead(cx, a.expression, b.expression);
  if (ts.isElementAccessExpression(a) && ts.isElementAccessExpression(b)) {
    return sameRead(cx, a.expression, b.expression) && sameRead(cx, a.argumentExpression, b.argumentExpression);
  }
  if (ts.isBinaryExpression(a) && ts.isBinaryExpression(b)) {
    return a.operatorToken.kind === b.operatorToken.kind && sameRead(cx, a.left, b.left) && sameRead(cx, a.right, b.right);
  }
  if (ts.isParenthesizedExpression(a) || ts.isParenthesizedExpression(b)) {
    return sameRead(cx, ts.isParenthesizedExpression(a) ? a.expression : a, ts.isParenthesizedExpression(b) ? b.expression : b);
  }
  if (ts.isPrefixUnaryExpression(a) && ts.isPrefixUnaryExpression(b)) return a.operator === b.operator && sameRead(cx, a.operand, b.operand);
  // A Math function (not Math.random) of the same reads: Math.sinh(d) * Math.sinh(d).
  if (ts.isCallExpression(a) && ts.isCallExpression(b) && isPureMath(cx, a) && isPureMath(cx, b)) {
    return sameRead(cx, a.expression, b.expression) && a.arguments.length === b.arguments.length && a.arguments.every((x, i) => sameRead(cx, x, b.arguments[i]));
  }
  return false;
}

function isPureMath(cx: TwinContext, call: ts.CallExpression): boolean {
  const { ts } = cx;
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Math" && callee.name.text !== "random";
}

/** Operand i is a literal times operand j (`100 * a` and `a`), primal and tangent alike. */
function scaledRead(cx: TwinContext, scaled: Dual, base: Dual): boolean {
  const { ts } = cx;
  const factor = (e: ts.Expression | null, of: ts.Expression | null): string | undefined => {
    if (!e || !of) return undefined;
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.AsteriskToken) return undefined;
    if (ts.isNumericLiteral(e.left) && sameRead(cx, e.right, of)) return e.left.text;
    if (ts.isNumericLiteral(e.right) && sameRead(cx, e.left, of)) return e.right.text;
    return undefined;
  };
  const c = factor(scaled.primal, base.primal);
  return c !== undefined && c === factor(scaled.tangent, base.tangent);
}

// d(a[i]) = a_dot[i]
function visitElementRead(cx: TwinContext, e: ts.ElementAccessExpression, b: BlockBuilder): Dual {
  const [array] = visitInOrder(cx, [e.expression], b);
  let index = derive(cx, e.argumentExpression, b).primal;
  if (!cx.isSimpleIndex(index)) index = cx.hoist({ primal: index, tangent: null }, b).primal;
  const primal: ts.Expression = cx.f.createElementAccessExpression(array.primal, index);
  let tangent: ts.Expression | null = array.tangent ? cx.f.createElementAccessExpression(array.tangent, index) : null;
  // Under noUncheckedIndexedAccess a read is `number | undefined`: the user asserts it with `!`
  // or narrows it; the twin's arithmetic on the tangent needs the same assertion (no code in JS).
  if (tangent && mayBeUndefined(cx, e)) tangent = cx.f.createNonNullExpression(tangent);
  return { primal, tangent };
}

function mayBeUndefined(cx: TwinContext, e: ts.Expression): boolean {
  // Without the option a Float64Array's element is a number: no need to ask the checker (costly).
  if (cx.ts.isElementAccessExpression(e) && !cx.core.program.getCompilerOptions().noUncheckedIndexedAccess && cx.kind(e.expression) === "arr") return false;
  const type = cx.core.checker.getTypeAtLocation(e);
  return type.isUnion() && type.types.some((t) => (t.flags & cx.ts.TypeFlags.Undefined) !== 0);
}

// d(p.w) = p_dot.w
function visitFieldRead(cx: TwinContext, e: ts.PropertyAccessExpression, b: BlockBuilder): Dual {
  if (cx.kind(e.expression) !== "tree") return visitInactive(cx, e, b);
  const [object] = visitInOrder(cx, [e.expression], b);
  const primal = cx.f.createPropertyAccessExpression(object.primal, e.name.text);
  const tangent = object.tangent && cx.isActive(e) ? cx.f.createPropertyAccessExpression(object.tangent, e.name.text) : null;
  return { primal, tangent };
}

/** A value's tangent, with zeros of its shape where it has none (null where not differentiable). */
export function tangentOrZero(cx: TwinContext, d: Dual, node: ts.Node, b: BlockBuilder): Dual {
  const kind = cx.kind(node);
  if (d.tangent || kind === "none" || kind === "other") return { primal: d.primal, tangent: d.tangent ?? cx.f.createNull() };
  return cx.materialize(d, kind, b);
}

// d({ w: a, b: c, ...p }) = { w: da, b: dc, ...dp }, zeros for constant fields
function visitObjectLiteral(cx: TwinContext, e: ts.ObjectLiteralExpression, b: BlockBuilder): Dual {
  const { ts, f } = cx;
  const values: ts.Expression[] = [];
  for (const p of e.properties) {
    if (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name)) values.push(p.initializer);
    else if (ts.isShorthandPropertyAssignment(p)) values.push(p.name);
    else if (ts.isSpreadAssignment(p)) values.push(p.expression);
    else cx.unreachable(p, "a method, accessor or computed key");
  }
  const visited = visitInOrder(cx, values, b);
  if (visited.every((d) => !d.tangent)) return { primal: rebuildObject(cx, e, visited), tangent: null };
  const duals = visited.map((d, i) => tangentOrZero(cx, d, values[i], b));
  const primals: ts.ObjectLiteralElementLike[] = [];
  const tangents: ts.ObjectLiteralElementLike[] = [];
  e.properties.forEach((p, i) => {
    const { primal, tangent } = duals[i];
    if (ts.isSpreadAssignment(p)) {
      primals.push(f.createSpreadAssignment(primal));
      tangents.push(f.createSpreadAssignment(tangent!));
      return;
    }
    const name = (p as ts.PropertyAssignment | ts.ShorthandPropertyAssignment).name as ts.PropertyName;
    primals.push(ts.isShorthandPropertyAssignment(p) && primal === p.name ? f.createShorthandPropertyAssignment(p.name) : f.createPropertyAssignment(name, primal));
    tangents.push(f.createPropertyAssignment(name, tangent!));
  });
  const multiLine = e.getSourceFile() !== undefined && e.getText().includes("\n");
  return { primal: f.createObjectLiteralExpression(primals, multiLine), tangent: f.createObjectLiteralExpression(tangents, multiLine) };
}

/** An object literal rebuilt from its values' primals (none of them differentiated). */
function rebuildObject(cx: TwinContext, e: ts.ObjectLiteralExpression, values: Dual[]): ts.Expression {
  const { ts, f } = cx;
  return f.createObjectLiteralExpression(e.properties.map((p, i) => {
    if (ts.isSpreadAssignment(p)) return f.createSpreadAssignment(values[i].primal);
    if (ts.isShorthandPropertyAssignment(p) && values[i].primal === p.name) return f.createShorthandPropertyAssignment(p.name);
    return f.createPropertyAssignment((p as ts.PropertyAssignment).name, values[i].primal);
  }), e.getText().includes("\n"));
}

// d([a, b]) = [da, db], zeros for constant elements
function visitArrayLiteral(cx: TwinContext, e: ts.ArrayLiteralExpression, b: BlockBuilder): Dual {
  const visited = visitInOrder(cx, e.elements, b);
  if (visited.every((d) => !d.tangent)) return { primal: cx.f.createArrayLiteralExpression(visited.map((d) => d.primal)), tangent: null };
  const duals = visited.map((d, i) => tangentOrZero(cx, d, e.elements[i], b));
  return {
    primal: cx.f.createArrayLiteralExpression(duals.map((d) => d.primal)),
    tangent: cx.f.createArrayLiteralExpression(duals.map((d) => d.tangent!)),
  };
}

const operatorText: Partial<Record<number, keyof typeof operatorRules>> = {};

function operatorOf(cx: TwinContext, kind: ts.SyntaxKind): keyof typeof operatorRules | undefined {
  if (Object.keys(operatorText).length === 0) {
    const K = cx.ts.SyntaxKind;
    Object.assign(operatorText, {
      [K.PlusToken]: "+", [K.MinusToken]: "-", [K.AsteriskToken]: "*", [K.SlashToken]: "/",
      [K.PercentToken]: "%", [K.AsteriskAsteriskToken]: "**",
    });
  }
  return operatorText[kind];
}

function visitBinary(cx: TwinContext, e: ts.BinaryExpression, b: BlockBuilder): Dual {
  if (e.operatorToken.kind === cx.ts.SyntaxKind.QuestionQuestionToken && cx.kind(e) === "num") return visitNullish(cx, e, b);
  const op = operatorOf(cx, e.operatorToken.kind);
  // An active - * / % ** is a number (activity says so without asking the checker).
  if (!op || (op === "+" || !cx.isActive(e) ? cx.kind(e) !== "num" : false)) return visitInactive(cx, e, b);
  const operands = visitInOrder(cx, [e.left, e.right], b);
  const build = ([l, r]: ts.Expression[]) => binary(cx.ts, cx.f, l, e.operatorToken.kind as ts.BinaryOperator, r);
  return applyRule(cx, operatorRules[op], operands, build, b, [e.left, e.right]);
}

// d(a ?? b) = a == null ? db : da (the operand taken; b is evaluated only when a is missing)
function visitNullish(cx: TwinContext, e: ts.BinaryExpression, b: BlockBuilder): Dual {
  const { f, ts } = cx;
  let left = derive(cx, e.left, b);
  if (!cx.isSimple(left.primal)) left = cx.hoist(left, b);
  const fallback = new BlockBuilder();
  const right = derive(cx, e.right, fallback);
  const missing = f.createBinaryExpression(left.primal, ts.SyntaxKind.EqualsEqualsToken, f.createNull());
  // The right operand needs steps (a call into a twin): they run only when the left is missing.
  if (fallback.statements.length > 0) return lowerBranches(cx, "num", missing, right, fallback, left, new BlockBuilder(), b);
  const primal = f.createBinaryExpression(left.primal, ts.SyntaxKind.QuestionQuestionToken, right.primal);
  return { primal, tangent: cx.t.cond(missing, right.tangent, left.tangent) };
}

function visitPrefix(cx: TwinContext, e: ts.PrefixUnaryExpression, b: BlockBuilder): Dual {
  const K = cx.ts.SyntaxKind;
  if ((e.operator === K.PlusToken || e.operator === K.MinusToken) && cx.activity.isDerivedText(e.operand)) cx.unreachable(e, "text turned into a number");
  if (e.operator !== K.MinusToken && e.operator !== K.PlusToken) return visitInactive(cx, e, b);
  const d = derive(cx, e.operand, b);
  const primal = cx.f.createPrefixUnaryExpression(e.operator, d.primal);
  // d(-a) = -da, d(+a) = da
  return { primal, tangent: e.operator === K.MinusToken ? cx.t.neg(d.tangent) : d.tangent };
}

// d(c ? a : b) = c ? da : db (the branch taken)
function visitConditional(cx: TwinContext, e: ts.ConditionalExpression, b: BlockBuilder): Dual {
  let condition = derive(cx, e.condition, b).primal;
  const whenTrue = new BlockBuilder();
  const whenFalse = new BlockBuilder();
  const kind = cx.kind(e);
  let yes = derive(cx, e.whenTrue, whenTrue);
  let no = derive(cx, e.whenFalse, whenFalse);
  if (whenTrue.statements.length === 0 && whenFalse.statements.length === 0) {
    if (!cx.isSimple(condition)) condition = cx.hoist({ primal: condition, tangent: null }, b).primal;
    if ((kind === "arr" || kind === "tree") && (yes.tangent || no.tangent)) {
      yes = cx.materialize(yes, kind, b);
      no = cx.materialize(no, kind, b);
    }
    const primal = cx.f.createConditionalExpression(condition, undefined, yes.primal, undefined, no.primal);
    return { primal, tangent: cx.t.cond(condition, yes.tangent, no.tangent) };
  }
  return lowerBranches(cx, kind, condition, yes, whenTrue, no, whenFalse, b);
}

/** `let _t0; if (c) { …; _t0 = a; } else { …; _t0 = b; }`: a choice whose branches need statements of their own. */
function lowerBranches(cx: TwinContext, kind: Kind, condition: ts.Expression, yes: Dual, whenTrue: BlockBuilder, no: Dual, whenFalse: BlockBuilder, b: BlockBuilder): Dual {
  const active = yes.tangent !== null || no.tangent !== null;
  const primal = cx.temp();
  const tangent = active ? cx.f.createIdentifier(cx.namer.unique(`${primal.text}_dot`)) : undefined;
  const type = cx.f.createTypeReferenceNode(kind === "arr" ? "Float64Array" : "number");
  const declare = (name: ts.Identifier) =>
    cx.f.createVariableStatement(undefined, cx.f.createVariableDeclarationList(
      [cx.f.createVariableDeclaration(name, undefined, kind === "arr" ? type : cx.f.createKeywordTypeNode(cx.ts.SyntaxKind.NumberKeyword))],
      cx.ts.NodeFlags.Let));
  b.push(declare(primal));
  if (tangent) b.push(declare(tangent));
  const branch = (d: Dual, inner: BlockBuilder) => {
    const full = tangent ? cx.materialize(d, kind, inner) : d;
    if (tangent) inner.push(cx.f.createExpressionStatement(cx.f.createAssignment(tangent, full.tangent!)));
    inner.push(cx.f.createExpressionStatement(cx.f.createAssignment(primal, full.primal)));
    return cx.f.createBlock(inner.statements, true);
  };
  b.push(cx.f.createIfStatement(condition, branch(yes, whenTrue), branch(no, whenFalse)), whenTrue.impure + whenFalse.impure > 0);
  return { primal, tangent: tangent ?? null };
}

function visitNew(cx: TwinContext, e: ts.NewExpression, b: BlockBuilder): Dual {
  const args = e.arguments ?? [];
  // new Error("bad x: " + x): text for a message.
  if (libraryRole(cx.core, e.expression) === "sink") return visitInactive(cx, e, b, false);
  const type = cx.core.checker.getTypeAtLocation(e);
  if (!isGlobal(cx.core, e.expression, "Float64Array") && isClassInstance(cx.core, type) && args.some((a) => cx.isActive(a))) {
    cx.unreachable(e, "a class instance made from differentiated values");
  }
  if (!isGlobal(cx.core, e.expression, "Float64Array") || args.length !== 1) return visitInactive(cx, e, b);
  const arg = skipOuter(cx.core, args[0]);
  const make = (x: ts.Expression) => cx.f.createNewExpression(cx.f.createIdentifier("Float64Array"), undefined, [x]);
  if (cx.ts.isArrayLiteralExpression(arg)) {
    // d(new Float64Array([a, b])) = new Float64Array([da, db])
    const elements = visitInOrder(cx, arg.elements, b);
    return {
      primal: make(cx.f.createArrayLiteralExpression(elements.map((d) => d.primal))),
      tangent: elements.some((d) => d.tangent) ? make(cx.f.createArrayLiteralExpression(elements.map((d) => cx.t.orZero(d.tangent)))) : null,
    };
  }
  if (cx.kind(arg) === "num") return visitInactive(cx, e, b, false); // new Float64Array(n): zeros
  // d(new Float64Array(a)) = new Float64Array(a_dot): a copy
  const source = derive(cx, arg, b);
  return { primal: make(source.primal), tangent: source.tangent ? make(source.tangent) : null };
}

/**
 * An expression whose value carries no tangent (a comparison, Math.floor, a string) but which
 * reads active values: rebuilt from its operands' primals. Differentiated data flowing into an
 * object or a plain array would lose its tangent silently, so that is reported instead.
 */
export function visitInactive(cx: TwinContext, e: ts.Expression, b: BlockBuilder, checkKind = true): Dual {
  const { ts } = cx;
  const kind = cx.kind(e);
  // Numbers reaching here are piecewise constant (bitwise ops, Math.floor, .length); objects and
  // plain arrays would drop the tangents they hold, and so would `a || b` on numbers.
  const logical = ts.isBinaryExpression(e) && isLogical(cx.core, e);
  if (checkKind && ((kind === "num" && logical && cx.q.containsActive(e)) || kind === "other" || kind === "arr")) {
    cx.unreachable(e, "differentiated values in a value without a tangent");
  }
  const shortCircuit = logical;
  const visit = (child: ts.Node): ts.Node => {
    if (!ts.isExpression(child) || ts.isFunctionLike(child) || !cx.q.needsRewrite(child)) return child;
    const inner = new BlockBuilder();
    const d = derive(cx, child, inner);
    // Pure steps may run before a short-circuit operand; a call into a twin may not (the fence said so).
    if (inner.impure > 0 && (shortCircuit || ts.isConditionalExpression(e))) cx.unreachable(child, "a call into a twin in a short-circuit operand");
    for (const s of inner.statements) b.push(s);
    if (inner.impure > 0) {
      b.impure += inner.impure;
      b.lastImpure = b.statements.length - 1;
    }
    return d.primal;
  };
  return { primal: ts.visitEachChild(e, visit, cx.core.context), tangent: null };
}

