import type * as ts from "typescript";
import { differentiable, Kind } from "../model/types";
import { assignsName, isGlobal, skipOuter, symbolOf } from "../core/context";
import { deriveCall } from "./calls";
import { applyRule, derive, visitInOrder } from "./expressions";
import { operatorRules } from "../model/rules";
import { BlockBuilder, Dual, TwinContext } from "./context";
import { adoptTemporaries } from "./adopt";

/**
 * The statement visitor: appends each statement's twin to `b`, the tangent step just before the
 * primal step it mirrors, each pointing back at the user's statement for source maps.
 */
export function visitStatements(cx: TwinContext, statements: readonly ts.Statement[], b: BlockBuilder): void {
  for (const s of statements) {
    const first = b.statements.length;
    visitStatement(cx, s, b);
    for (let i = first; i < b.statements.length; i++) cx.ts.setSourceMapRange(b.statements[i], s);
  }
}

function visitStatement(cx: TwinContext, s: ts.Statement, b: BlockBuilder): void {
  const { ts } = cx;
  const K = ts.SyntaxKind;
  switch (s.kind) {
    case K.VariableStatement:
      return visitVariables(cx, (s as ts.VariableStatement).declarationList, b);
    case K.ExpressionStatement:
      return visitExpressionStatement(cx, (s as ts.ExpressionStatement).expression, b);
    case K.ReturnStatement:
      return visitReturn(cx, (s as ts.ReturnStatement).expression, b);
    case K.IfStatement: {
      const node = s as ts.IfStatement;
      const condition = derive(cx, node.expression, b).primal;
      const elseBranch = node.elseStatement ? nested(cx, node.elseStatement) : undefined;
      return b.push(cx.f.createIfStatement(condition, nested(cx, node.thenStatement), elseBranch));
    }
    case K.Block:
      return b.push(nested(cx, s));
    case K.ForStatement:
      return visitFor(cx, s as ts.ForStatement, b);
    case K.WhileStatement: {
      const node = s as ts.WhileStatement;
      const condition = loopCondition(cx, node.expression);
      const body = nested(cx, node.statement);
      if (condition.steps.length === 0) return b.push(cx.f.createWhileStatement(condition.primal, body));
      return b.push(cx.f.createWhileStatement(cx.f.createTrue(), checkFirst(cx, condition, body)));
    }
    case K.DoStatement: {
      const node = s as ts.DoStatement;
      const body = nested(cx, node.statement);
      const condition = loopCondition(cx, node.expression);
      if (condition.steps.length === 0) return b.push(cx.f.createDoStatement(body, condition.primal));
      // `for (let again = false; ; again = true) { if (again) { steps; if (!c) break; } body }`: a
      // continue in the body goes through the update to the steps, as it goes to the condition.
      const again = cx.f.createIdentifier(cx.namer.unique("again"));
      const check = cx.f.createIfStatement(again, cx.f.createBlock([...condition.steps, exitUnless(cx, condition.primal)], true));
      return b.push(cx.f.createForStatement(
        cx.f.createVariableDeclarationList([cx.f.createVariableDeclaration(again, undefined, undefined, cx.f.createFalse())], ts.NodeFlags.Let),
        undefined, cx.f.createAssignment(again, cx.f.createTrue()), cx.f.createBlock([check, ...statementsOf(cx, body)], true)));
    }
    case K.ForOfStatement:
      return visitForOf(cx, s as ts.ForOfStatement, b);
    case K.LabeledStatement: {
      const node = s as ts.LabeledStatement;
      const inner = new BlockBuilder();
      visitStatement(cx, node.statement, inner);
      // The label stays on the loop (`continue outer` needs an iteration statement): what the
      // lowering computes first (a held iterable) goes before it.
      const last = inner.statements.length - 1;
      inner.statements.slice(0, last).forEach((st) => b.push(st, inner.impure > 0));
      return b.push(cx.f.createLabeledStatement(node.label, inner.statements[last]));
    }
    case K.SwitchStatement: {
      const node = s as ts.SwitchStatement;
      const subject = derive(cx, node.expression, b).primal;
      const clauses = node.caseBlock.clauses.map((c) => {
        const inner = new BlockBuilder();
        visitStatements(cx, c.statements, inner);
        return ts.isCaseClause(c) ? cx.f.createCaseClause(caseLabel(cx, c.expression, b), inner.statements) : cx.f.createDefaultClause(inner.statements);
      });
      return b.push(cx.f.createSwitchStatement(subject, cx.f.createCaseBlock(clauses)));
    }
    case K.BreakStatement:
    case K.ContinueStatement:
    case K.EmptyStatement:
      return b.push(s);
    case K.ThrowStatement: {
      const node = s as ts.ThrowStatement;
      return b.push(cx.f.createThrowStatement(derive(cx, node.expression, b).primal));
    }
    default:
      cx.unreachable(s, `a ${ts.SyntaxKind[s.kind]}`);
  }
}

/** A nested statement as a block (a body that became several statements needs braces). */
function nested(cx: TwinContext, s: ts.Statement): ts.Statement {
  const inner = new BlockBuilder();
  const isBlock = cx.ts.isBlock(s);
  visitStatements(cx, isBlock ? s.statements : [s], inner);
  if (!isBlock && inner.statements.length === 1) return inner.statements[0];
  return cx.f.createBlock(inner.statements, true);
}

/** A condition re-evaluated by a loop, and the steps (a call into a twin) it needs each time. */
function loopCondition(cx: TwinContext, e: ts.Expression): { primal: ts.Expression; steps: ts.Statement[] } {
  const inner = new BlockBuilder();
  const d = derive(cx, e, inner);
  return { primal: d.primal, steps: inner.statements };
}

/** `{ steps; if (!c) break; body }`: the loop's condition checked at the top of its body. */
function checkFirst(cx: TwinContext, condition: { primal: ts.Expression; steps: ts.Statement[] }, body: ts.Statement): ts.Block {
  return cx.f.createBlock([...condition.steps, exitUnless(cx, condition.primal), ...statementsOf(cx, body)], true);
}

function exitUnless(cx: TwinContext, condition: ts.Expression): ts.Statement {
  return cx.f.createIfStatement(cx.f.createLogicalNot(condition), cx.f.createBreakStatement());
}

function statementsOf(cx: TwinContext, s: ts.Statement): readonly ts.Statement[] {
  return cx.ts.isBlock(s) ? s.statements : [s];
}

/**
 * A case is evaluated only until one matches: its pure steps (temporaries) can go before the
 * switch; a call into a twin there is the fence's to reject.
 */
function caseLabel(cx: TwinContext, e: ts.Expression, b: BlockBuilder): ts.Expression {
  const inner = new BlockBuilder();
  const d = derive(cx, e, inner);
  if (inner.impure > 0) cx.unreachable(e, "a call into a twin in a case expression");
  for (const s of inner.statements) b.push(s);
  return d.primal;
}

function typeOfKind(cx: TwinContext, kind: Kind, declared: ts.TypeNode | undefined): ts.TypeNode | undefined {
  if (declared) return declared;
  return kind === "arr" ? cx.f.createTypeReferenceNode("Float64Array") : undefined;
}

function visitVariables(cx: TwinContext, list: ts.VariableDeclarationList, b: BlockBuilder): void {
  const { ts, f } = cx;
  const flags = list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const);
  const declare = (name: ts.Identifier, type: ts.TypeNode | undefined, init: ts.Expression | undefined) =>
    b.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, init)], flags)));
  for (const d of list.declarations) {
    if (!ts.isIdentifier(d.name)) {
      visitPattern(cx, d as ts.VariableDeclaration & { name: ts.BindingPattern }, flags, b);
      continue;
    }
    const name = d.name;
    const symbol = symbolOf(cx.core, name);
    const dot = symbol && cx.activity.isActiveSymbol(symbol) ? cx.dotOf(symbol) : undefined;
    const kind = cx.kind(name);
    if (!d.initializer) {
      declare(name, d.type, undefined);
      if (dot) declare(dot, cx.tangentType(d.type ?? typeOfKind(cx, kind, undefined) ?? cx.typeNodeOf(name), kind), undefined);
      continue;
    }
    const first = b.statements.length;
    const value = derive(cx, d.initializer, b);
    if (!dot && value.tangent) cx.unreachable(d.initializer, "a differentiated value for a variable without a tangent");
    const adopted = adoptTemporaries(cx, b, first, value, { name, dot, type: d.type, flags });
    if (adopted === "both") continue;
    if (adopted === "primal") {
      if (dot) declare(dot, cx.tangentType(d.type, kind), value.tangent ?? cx.zeroLike(name, kind));
      continue;
    }
    declare(name, d.type, value.primal);
    // A value without tangent (a fresh array, a constant) starts the variable's tangent at zero.
    if (dot) declare(dot, cx.tangentType(d.type, kind), value.tangent ?? cx.zeroLike(name, kind));
  }
}

/**
 * `const { w, b } = params` and `const [a, b] = pair`: the primal as written, then the same
 * pattern over the tangent for the bindings that are active: `const { w: w_dot, b: b_dot } = params_dot`.
 */
function visitPattern(cx: TwinContext, d: ts.VariableDeclaration & { name: ts.BindingPattern }, flags: ts.NodeFlags, b: BlockBuilder): void {
  const { f } = cx;
  let value = derive(cx, d.initializer!, b);
  const pattern = tangentPattern(cx, d.name);
  if (pattern && !value.tangent) value = cx.materialize(value, "tree", b);
  b.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(d.name, undefined, d.type, value.primal)], flags)));
  if (pattern) {
    b.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(pattern, undefined, undefined, value.tangent!)], flags)));
  }
}

/** The tangent counterpart of a flat binding pattern, binding `<name>_dot` for active bindings. */
export function tangentPattern(cx: TwinContext, name: ts.BindingPattern): ts.BindingPattern | undefined {
  const { ts, f } = cx;
  const dotOf = (id: ts.Identifier) => cx.dotOfNode(id);
  if (ts.isObjectBindingPattern(name)) {
    const elements = name.elements.flatMap((el) => {
      const dot = ts.isIdentifier(el.name) ? dotOf(el.name) : undefined;
      if (!dot) return [];
      const key = el.propertyName ?? (el.name as ts.Identifier);
      return [f.createBindingElement(undefined, ts.isIdentifier(key) ? key.text : key as ts.PropertyName, dot)];
    });
    return elements.length > 0 ? f.createObjectBindingPattern(elements) : undefined;
  }
  const elements = name.elements.map((el) => {
    const dot = !ts.isOmittedExpression(el) && ts.isIdentifier(el.name) ? dotOf(el.name) : undefined;
    return dot ? f.createBindingElement(undefined, undefined, dot) : f.createOmittedExpression();
  });
  while (elements.length > 0 && ts.isOmittedExpression(elements[elements.length - 1])) elements.pop();
  return elements.length > 0 ? f.createArrayBindingPattern(elements) : undefined;
}

function visitExpressionStatement(cx: TwinContext, e: ts.Expression, b: BlockBuilder): void {
  const { ts, f } = cx;
  const inner = skipOuter(cx.core, e);
  if (ts.isBinaryExpression(inner) && inner.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && inner.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
    return visitAssignment(cx, inner, b);
  }
  if (ts.isCallExpression(inner)) {
    const d = deriveCall(cx, inner, b, true);
    if (!ts.isVoidExpression(d.primal)) b.push(f.createExpressionStatement(d.primal));
    return;
  }
  // ++/-- on counters (a tangent is unchanged by ±1), and expressions evaluated for effect.
  b.push(f.createExpressionStatement(derive(cx, e, b).primal));
}

function visitReturn(cx: TwinContext, e: ts.Expression | undefined, b: BlockBuilder): void {
  const { f } = cx;
  const kind = cx.spec.fn.returnKind;
  if (kind === "void" || !e) {
    if (e) visitExpressionStatement(cx, e, b);
    return b.push(f.createReturnStatement());
  }
  let value = derive(cx, e, b);
  if (differentiable(kind)) value = cx.materialize(value, kind, b);
  else if (value.tangent) cx.unreachable(e, "a differentiated value returned without a tangent");
  b.push(f.createReturnStatement(f.createArrayLiteralExpression([value.primal, value.tangent ?? f.createNull()])));
}

/** The expression body of an arrow is its return statement. */
export function visitBody(cx: TwinContext, body: ts.ConciseBody, b: BlockBuilder): void {
  if (cx.ts.isBlock(body)) return visitStatements(cx, body.statements, b);
  const first = b.statements.length;
  visitReturn(cx, body, b);
  for (let i = first; i < b.statements.length; i++) cx.ts.setSourceMapRange(b.statements[i], body);
}

const compound: Partial<Record<string, "+" | "-" | "*" | "/" | "%" | "**">> = {
  "+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "**=": "**",
};

// x = e: x_dot = e_dot; x = e.   x op= e: as x = x op e, the tangent step first.
function visitAssignment(cx: TwinContext, e: ts.BinaryExpression, b: BlockBuilder): void {
  const { ts, f } = cx;
  const left = skipOuter(cx.core, e.left);
  const opText = ts.tokenToString(e.operatorToken.kind) ?? "";
  const op = compound[opText];
  if (opText !== "=" && !op) {
    if (cx.q.containsActive(left)) cx.unreachable(e, `'${opText}'`);
    return b.push(f.createExpressionStatement(e));
  }
  if ((ts.isArrayLiteralExpression(left) || ts.isObjectLiteralExpression(left)) && (cx.isActive(e.right) || cx.q.containsActive(left))) {
    cx.unreachable(e, "a destructuring assignment");
  }
  const target = assignmentTarget(cx, left, b);
  const at = b.statements.length;
  const impure = b.impure;
  const rhs = derive(cx, e.right, b);
  // `a[i] op= g(…)` reads a[i] before g runs, and g may write a: hold the old value first.
  if (op && b.impure > impure && !ts.isIdentifier(left)) return compoundAfterCall(cx, b, at, target, rhs, op, e.left);
  if (!target.tangent) {
    if (rhs.tangent) cx.unreachable(e, "a differentiated value written where no tangent is");
    return b.push(f.createExpressionStatement(f.createBinaryExpression(target.primal, e.operatorToken.kind as ts.BinaryOperator, rhs.primal)));
  }
  if (!op) {
    const value = cx.materialize(rhs, cx.kind(e.left), b);
    if (value.tangent !== target.tangent) b.push(f.createExpressionStatement(f.createAssignment(target.tangent, value.tangent!)));
    return b.push(f.createExpressionStatement(f.createAssignment(target.primal, value.primal)));
  }
  const operands: Dual[] = [target, rhs];
  const result = applyRule(cx, operatorRules[op], operands, (xs) => buildOp(cx, op, xs), b, [undefined, e.right]);
  if (result.tangent !== target.tangent) b.push(tangentUpdate(cx, target.tangent, result.tangent));
  // When the rule needed the result (x %= y), it is already computed: assign it.
  b.push(f.createExpressionStatement(ts.isIdentifier(result.primal)
    ? f.createAssignment(target.primal, result.primal)
    : f.createBinaryExpression(target.primal, e.operatorToken.kind as ts.BinaryOperator, operands[1].primal)));
}

function compoundAfterCall(cx: TwinContext, b: BlockBuilder, at: number, target: Dual, rhs: Dual, op: keyof typeof opToKind, left: ts.Expression): void {
  const { f } = cx;
  const before = new BlockBuilder();
  const old = cx.holdBeforeCall(target, before);
  b.statements.splice(at, 0, ...before.statements);
  b.lastImpure += before.statements.length;
  if (!target.tangent && rhs.tangent) cx.unreachable(left, "a differentiated value written where no tangent is");
  const result = applyRule(cx, operatorRules[op], [old, rhs], (xs) => buildOp(cx, op, xs), b, [undefined, undefined]);
  if (target.tangent) b.push(f.createExpressionStatement(f.createAssignment(target.tangent, result.tangent ?? cx.t.num(0))));
  b.push(f.createExpressionStatement(f.createAssignment(target.primal, result.primal)));
}

const opToKind = { "+": "PlusToken", "-": "MinusToken", "*": "AsteriskToken", "/": "SlashToken", "%": "PercentToken", "**": "AsteriskAsteriskToken" } as const;

function buildOp(cx: TwinContext, op: keyof typeof opToKind, [l, r]: ts.Expression[]): ts.Expression {
  return cx.f.createBinaryExpression(l, cx.ts.SyntaxKind[opToKind[op]] as ts.BinaryOperator, r);
}

/** `x_dot = t`, written `x_dot += u` when t is `x_dot + u` (likewise -, *, /); a symbolic zero is written 0. */
function tangentUpdate(cx: TwinContext, dot: ts.Expression, t: ts.Expression | null): ts.Statement {
  const { ts, f } = cx;
  if (t && ts.isBinaryExpression(t) && t.left === dot) {
    const k = t.operatorToken.kind;
    const K = ts.SyntaxKind;
    const compoundKind = ({ [K.PlusToken]: K.PlusEqualsToken, [K.MinusToken]: K.MinusEqualsToken, [K.AsteriskToken]: K.AsteriskEqualsToken, [K.SlashToken]: K.SlashEqualsToken } as Partial<Record<ts.SyntaxKind, ts.CompoundAssignmentOperator>>)[k];
    const right = ts.isParenthesizedExpression(t.right) ? t.right.expression : t.right;
    if (compoundKind) return f.createExpressionStatement(f.createBinaryExpression(dot, compoundKind, right));
  }
  return f.createExpressionStatement(f.createAssignment(dot, t ?? cx.t.num(0)));
}

/** The written place and its tangent place (`x`/`x_dot`, `a[i]`/`a_dot[i]`); no tangent when inactive. */
function assignmentTarget(cx: TwinContext, left: ts.Expression, b: BlockBuilder): Dual {
  const { ts, f } = cx;
  if (ts.isIdentifier(left)) return { primal: left, tangent: cx.dotOfNode(left) ?? null };
  if (ts.isPropertyAccessExpression(left)) {
    // p.b = v: p_dot.b = v_dot (a field that never holds differentiated data keeps its zero)
    const [object] = visitInOrder(cx, [left.expression], b);
    return {
      primal: f.createPropertyAccessExpression(object.primal, left.name.text),
      tangent: object.tangent && cx.isActive(left) ? f.createPropertyAccessExpression(object.tangent, left.name.text) : null,
    };
  }
  if (ts.isElementAccessExpression(left)) {
    const [array] = visitInOrder(cx, [left.expression], b);
    let index = derive(cx, left.argumentExpression, b).primal;
    if (!cx.isSimpleIndex(index)) index = cx.hoist({ primal: index, tangent: null }, b).primal;
    return {
      primal: f.createElementAccessExpression(array.primal, index),
      tangent: array.tangent ? f.createElementAccessExpression(array.tangent, index) : null,
    };
  }
  return { primal: left, tangent: null };
}

function visitFor(cx: TwinContext, s: ts.ForStatement, b: BlockBuilder): void {
  const { f } = cx;
  if ((s.initializer && cx.q.containsActiveWrite(s.initializer)) || (s.incrementor && cx.q.containsActiveWrite(s.incrementor))) {
    cx.unreachable(s, "a for-loop header writing differentiated values");
  }
  const condition = s.condition ? loopCondition(cx, s.condition) : undefined;
  const body = nested(cx, s.statement);
  if (!condition || condition.steps.length === 0) return b.push(f.createForStatement(s.initializer, condition?.primal, s.incrementor, body));
  b.push(f.createForStatement(s.initializer, undefined, s.incrementor, checkFirst(cx, condition, body)));
}

// for (const v of a) with an active a: an index loop, so v_dot = a_dot[i] follows v = a[i]
function visitForOf(cx: TwinContext, s: ts.ForOfStatement, b: BlockBuilder): void {
  const { ts, f } = cx;
  const list = s.initializer;
  const decl = ts.isVariableDeclarationList(list) ? list.declarations[0] : undefined;
  // `for (v of xs)` with `v` declared before the loop: assigned each iteration.
  const existing = !decl && ts.isIdentifier(skipOuter(cx.core, list as ts.Expression)) ? skipOuter(cx.core, list as ts.Expression) as ts.Identifier : undefined;
  const dot = decl ? (ts.isIdentifier(decl.name) ? cx.dotOfNode(decl.name) : tangentPattern(cx, decl.name)) : existing ? cx.dotOfNode(existing) : undefined;
  if (!dot) {
    if (!decl && !existing && (cx.q.containsActive(list) || cx.isActive(s.expression))) cx.unreachable(list, "a for…of target");
    const source = derive(cx, s.expression, b).primal;
    return b.push(f.createForOfStatement(s.awaitModifier, s.initializer, source, nested(cx, s.statement)));
  }
  let source = derive(cx, s.expression, b);
  // for…of iterates the object it started with: hold it when the body may rebind the name.
  const rebound = cx.ts.isIdentifier(source.primal) && assignsName(cx.core, s.statement, source.primal.text);
  if (rebound || !cx.isSimple(source.primal) || (source.tangent && !cx.isSimple(source.tangent))) source = cx.hoist(source, b, rebound);
  const i = f.createIdentifier(cx.namer.unique("i"));
  const element = (array: ts.Expression) => f.createElementAccessExpression(array, i);
  const kind = existing ? cx.kind(existing) : ts.isIdentifier(decl!.name) ? cx.kind(decl!.name) : "tree";
  const tangent = source.tangent ? element(source.tangent) : cx.zeroLike(element(source.primal), kind);
  let head: ts.Statement[];
  if (existing) {
    head = [
      f.createExpressionStatement(f.createAssignment(existing, element(source.primal))),
      f.createExpressionStatement(f.createAssignment(dot as ts.Identifier, tangent)),
    ];
  } else {
    const flags = (list as ts.VariableDeclarationList).flags & (ts.NodeFlags.Let | ts.NodeFlags.Const);
    head = [cx.constDecl(decl!.name, element(source.primal), flags), cx.constDecl(dot, tangent, flags)];
  }
  const inner = new BlockBuilder();
  visitStatements(cx, ts.isBlock(s.statement) ? s.statement.statements : [s.statement], inner);
  b.push(f.createForStatement(
    f.createVariableDeclarationList([f.createVariableDeclaration(i, undefined, undefined, cx.t.num(0))], ts.NodeFlags.Let),
    f.createLessThan(i, f.createPropertyAccessExpression(source.primal, "length")),
    f.createPostfixIncrement(i),
    f.createBlock([...head, ...inner.statements], true),
  ), inner.impure > 0);
}
