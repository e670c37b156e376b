import type * as ts from "typescript";
import { Core } from "../core/context";

/**
 * Clean-ups of a generated twin that derive cannot see while it writes one statement at a time:
 * self-assignments (`acc = acc`, left by a lowered reduce whose callback returns its accumulator),
 * expression statements that only read a name (`_t0;`), and temporaries (`_t0`, `_t0_dot`) or
 * tangents (`x_dot`) that are written but never read, with their writes, when what is written is a
 * plain read (no call, no side effect). Repeated until nothing changes; user variables and
 * parameters are kept.
 */
export function tidyTwin(core: Core, declaration: ts.Statement): ts.Statement {
  const { ts } = core;
  if (!ts.isFunctionDeclaration(declaration) || !declaration.body) return declaration;
  let body = declaration.body;
  for (let round = 0; round < 4; round++) {
    const next = tidyBlock(core, body);
    if (next === body) break;
    body = next;
  }
  if (body === declaration.body) return declaration;
  const f = core.f;
  return f.updateFunctionDeclaration(declaration, declaration.modifiers, declaration.asteriskToken, declaration.name, declaration.typeParameters, declaration.parameters, declaration.type, body);
}

function tidyBlock(core: Core, body: ts.Block): ts.Block {
  const { ts, f } = core;
  const unread = unreadGenerated(core, body);
  let changed = false;
  const visit = (node: ts.Node): ts.Node | undefined => {
    if (ts.isExpressionStatement(node) && removable(core, node, unread)) {
      changed = true;
      return undefined;
    }
    if (ts.isVariableStatement(node)) {
      const kept = node.declarationList.declarations.filter((d) => !(ts.isIdentifier(d.name) && unread.has(d.name.text) && (!d.initializer || plainRead(core, d.initializer))));
      if (kept.length !== node.declarationList.declarations.length) {
        changed = true;
        if (kept.length === 0) return undefined;
        return f.updateVariableStatement(node, node.modifiers, f.updateVariableDeclarationList(node.declarationList, kept));
      }
    }
    // Nested functions (a lowered callback's twin) have their own names: not entered.
    if (ts.isFunctionLike(node)) return node;
    return ts.visitEachChild(node, visit, core.context);
  };
  const next = ts.visitEachChild(body, visit, core.context);
  return changed ? next : body;
}

/** `x = x;`, `_t0;`, and `t = read;` for an unread generated name t. */
function removable(core: Core, s: ts.ExpressionStatement, unread: ReadonlySet<string>): boolean {
  const { ts } = core;
  const e = s.expression;
  if (ts.isIdentifier(e)) return true;
  if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isIdentifier(e.left)) return false;
  if (ts.isIdentifier(e.right) && e.right.text === e.left.text) return true;
  return unread.has(e.left.text) && plainRead(core, e.right);
}

/** An expression without effects: reads, literals, arithmetic, conditionals, Math functions (not random). */
function plainRead(core: Core, e: ts.Expression): boolean {
  const { ts } = core;
  const K = ts.SyntaxKind;
  if (ts.isIdentifier(e) || ts.isNumericLiteral(e) || e.kind === K.NullKeyword || e.kind === K.TrueKeyword || e.kind === K.FalseKeyword) return true;
  if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) return plainRead(core, e.expression);
  if (ts.isPropertyAccessExpression(e)) return plainRead(core, e.expression);
  if (ts.isElementAccessExpression(e)) return plainRead(core, e.expression) && plainRead(core, e.argumentExpression);
  if (ts.isPrefixUnaryExpression(e)) return (e.operator === K.MinusToken || e.operator === K.PlusToken || e.operator === K.ExclamationToken) && plainRead(core, e.operand);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const arithmetic = [K.PlusToken, K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken, K.LessThanToken, K.GreaterThanToken,
      K.LessThanEqualsToken, K.GreaterThanEqualsToken, K.EqualsEqualsEqualsToken, K.ExclamationEqualsEqualsToken, K.AmpersandAmpersandToken, K.BarBarToken, K.QuestionQuestionToken];
    return arithmetic.includes(op) && plainRead(core, e.left) && plainRead(core, e.right);
  }
  if (ts.isConditionalExpression(e)) return plainRead(core, e.condition) && plainRead(core, e.whenTrue) && plainRead(core, e.whenFalse);
  if (ts.isCallExpression(e)) {
    const c = e.expression;
    const math = ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === "Math" && c.name.text !== "random";
    return math && e.arguments.every((a) => plainRead(core, a));
  }
  return false;
}

/**
 * Names tsjvp generated (temporaries `_tN`, tangents `…_dot` it declared: not the user's, not
 * parameters) that are written in `body` but never read. Generated nodes have no parent pointers:
 * the walk carries the parent.
 */
function unreadGenerated(core: Core, body: ts.Block): Set<string> {
  const { ts } = core;
  const declared = new Set<string>();
  // Read, or written with something that must still run (a call): kept.
  const kept = new Set<string>();
  const walk = (node: ts.Node, parent: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.pos < 0 && /^_t\d+$|_dot$/.test(node.name.text)) {
      declared.add(node.name.text);
      if (node.initializer && !plainRead(core, node.initializer)) kept.add(node.name.text);
    }
    if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && !plainRead(core, node.right)) kept.add(node.left.text);
    if (ts.isIdentifier(node) && isRead(core, node, parent)) kept.add(node.text);
    ts.forEachChild(node, (child) => walk(child, node));
  };
  walk(body, body);
  return new Set([...declared].filter((n) => !kept.has(n)));
}

/** Any use of a name other than as the declared name or the target of a plain `=` assignment. */
function isRead(core: Core, id: ts.Identifier, p: ts.Node): boolean {
  const { ts } = core;
  if (ts.isVariableDeclaration(p) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.name === id) return false;
  if (ts.isBinaryExpression(p) && p.left === id && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  // A bare `_t0;` statement reads nothing that matters (it is removed).
  if (ts.isExpressionStatement(p)) return false;
  return true;
}
