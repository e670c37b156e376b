import type * as ts from "typescript";
import { Core, someNode } from "../core/context";
import { reuseInBlocks, reuseInStatements } from "./reuse";
import { rewriteBlocks } from "./blocks";

/**
 * Clean-ups of a generated twin that derive cannot see while it writes one statement at a time
 * (docs/architecture.md, "tidy/"), in three steps: tangent steps reuse the Math calls the primal
 * step holds (reuse.ts); dead code goes — self-assignments (`acc = acc`, left by a lowered reduce
 * whose callback returns its accumulator), bare reads (`_t0;`), and temporaries (`_t0`, `_t0_dot`)
 * or tangents (`x_dot`) written but never read, with their writes when what is written is a plain
 * read (no call, no side effect), repeated until nothing changes (user variables and parameters are
 * kept); then tangents that start at zero take their first value where it is written
 * (foldZeroStarts).
 */
export function tidyTwin(core: Core, declaration: ts.Statement): ts.Statement {
  const { ts } = core;
  if (!ts.isFunctionDeclaration(declaration) || !declaration.body) return declaration;
  let body = declaration.body;
  // One walk tells which steps have work (most twins need few of them; each step is a rewrite).
  let found = scan(core, body);
  if (found.unread.size === 0 && !found.bare) {
    // Nothing to remove (the common case; reuse makes nothing unread): reuse and fold in one rewrite.
    if (!found.heldMath && !found.zeroStart) return declaration;
    const { heldMath, zeroStart } = found;
    body = rewriteBlocks(core, body, (statements) => {
      const reused = heldMath ? reuseInStatements(core, statements) : statements;
      return zeroStart ? foldStatements(core, reused) : reused;
    });
    return body === declaration.body ? declaration : withBody(core, declaration, body);
  }
  if (found.heldMath) {
    const reused = reuseInBlocks(core, body);
    // A temporary the tangent now reads is no longer unread.
    if (reused !== body) found = scan(core, (body = reused));
  }
  for (let round = 0; round < 4 && (found.unread.size > 0 || found.bare); round++) {
    const next = tidyBlock(core, body, found.unread);
    if (next === body) break;
    body = next;
    found = scan(core, body);
  }
  if (found.zeroStart) body = foldZeroStarts(core, body);
  return body === declaration.body ? declaration : withBody(core, declaration, body);
}

function withBody(core: Core, d: ts.FunctionDeclaration, body: ts.Block): ts.FunctionDeclaration {
  return core.f.updateFunctionDeclaration(d, d.modifiers, d.asteriskToken, d.name, d.typeParameters, d.parameters, d.type, body);
}

function tidyBlock(core: Core, body: ts.Block, unread: ReadonlySet<string>): ts.Block {
  const { ts, f } = core;
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
  if (!ts.isBinaryExpression(e) || !ts.isIdentifier(e.left)) return false;
  if (compound(core, e.operatorToken.kind)) return unread.has(e.left.text) && plainRead(core, e.right);
  if (e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  if (ts.isIdentifier(e.right) && e.right.text === e.left.text) return true;
  return unread.has(e.left.text) && plainRead(core, e.right);
}

/** `+=`, `*=`, …: the target's only read is for its own next value. */
function compound(core: Core, kind: ts.SyntaxKind): boolean {
  const K = core.ts.SyntaxKind;
  return kind >= K.FirstCompoundAssignment && kind <= K.LastCompoundAssignment;
}

/** The operators of a plain read (made once: plainRead is asked of every assignment of every twin). */
let plainOperators: Set<ts.SyntaxKind> | undefined;

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
    plainOperators ??= new Set([K.PlusToken, K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken, K.LessThanToken, K.GreaterThanToken,
      K.LessThanEqualsToken, K.GreaterThanEqualsToken, K.EqualsEqualsEqualsToken, K.ExclamationEqualsEqualsToken, K.AmpersandAmpersandToken, K.BarBarToken, K.QuestionQuestionToken]);
    return plainOperators.has(e.operatorToken.kind) && plainRead(core, e.left) && plainRead(core, e.right);
  }
  if (ts.isConditionalExpression(e)) return plainRead(core, e.condition) && plainRead(core, e.whenTrue) && plainRead(core, e.whenFalse);
  if (ts.isCallExpression(e)) {
    const c = e.expression;
    const math = ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === "Math" && c.name.text !== "random";
    return math && e.arguments.every((a) => plainRead(core, a));
  }
  return false;
}

/** What one walk of a twin finds for the tidy steps. */
interface Scan {
  /** Names tsjvp generated (temporaries `_tN`, tangents `…_dot` it declared: not the user's, not parameters) written but never read. */
  readonly unread: ReadonlySet<string>;
  /** A bare read (`_t0;`) or a self-assignment (`acc = acc;`). */
  readonly bare: boolean;
  /** A temporary holding a Math call (`const _t1 = Math.cos(x)`): reuse.ts may have work. */
  readonly heldMath: boolean;
  /** A tangent declared `let x_dot = 0`: foldZeroStarts may have work. */
  readonly zeroStart: boolean;
}

/** Generated nodes have no parent pointers: the walk carries the parent. */
function scan(core: Core, body: ts.Block): Scan {
  const { ts } = core;
  const declared = new Set<string>();
  // Read, or written with something that must still run (a call): kept.
  const kept = new Set<string>();
  let bare = false;
  let heldMath = false;
  let zeroStarts = false;
  const K = ts.SyntaxKind;
  let parent: ts.Node = body;
  const walk = (node: ts.Node): void => {
    switch (node.kind) {
      case K.Identifier:
        if (isRead(core, node as ts.Identifier, parent)) kept.add((node as ts.Identifier).text);
        return;
      case K.VariableDeclaration: {
        const d = node as ts.VariableDeclaration;
        // (`_t0_2`, `x_dot_2`: the names of a twin of a twin.)
        if (ts.isIdentifier(d.name) && d.name.pos < 0 && /^_t\d+(_\d+)?$|_dot(_\d+)?$/.test(d.name.text)) {
          declared.add(d.name.text);
          if (d.initializer && !plainRead(core, d.initializer)) kept.add(d.name.text);
        }
        if (d.name.pos < 0 && d.initializer && isMathCall(core, d.initializer)) heldMath = true;
        break;
      }
      case K.VariableStatement:
        if (zeroStart(core, node as ts.Statement)) zeroStarts = true;
        break;
      case K.ExpressionStatement:
        if (removable(core, node as ts.ExpressionStatement, none)) bare = true;
        break;
      case K.BinaryExpression: {
        // An assignment whose value is used, or whose right side must run, keeps its target.
        const e = node as ts.BinaryExpression;
        const assigns = ts.isIdentifier(e.left) && (e.operatorToken.kind === K.EqualsToken || compound(core, e.operatorToken.kind));
        if (assigns && (!plainRead(core, e.right) || !ts.isExpressionStatement(parent))) kept.add((e.left as ts.Identifier).text);
        break;
      }
    }
    const outer = parent;
    parent = node;
    ts.forEachChild(node, walk);
    parent = outer;
  };
  walk(body);
  return { unread: new Set([...declared].filter((n) => !kept.has(n))), bare, heldMath, zeroStart: zeroStarts };
}

const none: ReadonlySet<string> = new Set();

function isMathCall(core: Core, e: ts.Expression): boolean {
  const { ts } = core;
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression) && e.expression.expression.text === "Math";
}

/** Any use of a name other than as the declared name or the target of an assignment (`x += e` reads x only to write it). */
function isRead(core: Core, id: ts.Identifier, p: ts.Node): boolean {
  const { ts } = core;
  if (ts.isVariableDeclaration(p) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.name === id) return false;
  if (ts.isBinaryExpression(p) && p.left === id && (p.operatorToken.kind === ts.SyntaxKind.EqualsToken || compound(core, p.operatorToken.kind))) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  // A bare `_t0;` statement reads nothing that matters (it is removed).
  if (ts.isExpressionStatement(p)) return false;
  return true;
}

/**
 * A tangent declared `let x_dot = 0` (a variable or a parameter whose tangent starts at zero) and
 * first written by a later statement of the same block: `x_dot += e` or `x_dot = e` becomes the
 * declaration `let x_dot = e` there, and `x_dot *= c` or `x_dot /= c` (zero stays zero) goes.
 * Statements in between do not mention the tangent; a write inside a nested block or loop stops
 * the fold (the tangent is then read or written in more than one way).
 */
function foldZeroStarts(core: Core, body: ts.Block): ts.Block {
  return rewriteBlocks(core, body, (statements) => foldStatements(core, statements));
}

function foldStatements(core: Core, input: readonly ts.Statement[]): readonly ts.Statement[] {
  const { ts, f } = core;
  const statements: (ts.Statement | undefined)[] = [...input];
  let changed = false;
  for (let i = 0; i < statements.length; i++) {
    const start = statements[i];
    const d = start && zeroStart(core, start);
    if (!d) continue;
    const name = (d.name as ts.Identifier).text;
    for (let j = i + 1; j < statements.length; j++) {
      const s = statements[j];
      if (!s || !mentions(core, s, name)) continue;
      const write = firstWrite(core, s, name);
      if (write === "stays-zero") {
        statements[j] = undefined;
        changed = true;
        continue;
      }
      if (write) {
        const list = (start as ts.VariableStatement).declarationList;
        const declaration = f.updateVariableDeclaration(d, d.name, d.exclamationToken, d.type, write);
        statements[j] = ts.setSourceMapRange(f.createVariableStatement(undefined, f.updateVariableDeclarationList(list, [declaration])), ts.getSourceMapRange(s));
        statements[i] = undefined;
        changed = true;
      }
      break;
    }
  }
  return changed ? statements.filter((s): s is ts.Statement => s !== undefined) : input;
}

/** `let x_dot = 0;`: one generated tangent, declared with `let`, starting at zero. */
function zeroStart(core: Core, s: ts.Statement): ts.VariableDeclaration | undefined {
  const { ts } = core;
  if (!ts.isVariableStatement(s) || (s.declarationList.flags & ts.NodeFlags.Let) === 0 || s.declarationList.declarations.length !== 1) return undefined;
  const d = s.declarationList.declarations[0];
  const zero = d.initializer && ts.isNumericLiteral(d.initializer) && d.initializer.text === "0";
  return zero && ts.isIdentifier(d.name) && d.name.pos < 0 && /_dot$/.test(d.name.text) ? d : undefined;
}

/**
 * What statement `s`, the first to mention `name` (zero until then), does with it: the value it
 * gives it (`name += e`, `name = e`, with the zero put in: `name = name * c + e` gives e),
 * "stays-zero" (`name *= c`, `name = name * c`), or undefined (anything else).
 */
function firstWrite(core: Core, s: ts.Statement, name: string): ts.Expression | "stays-zero" | undefined {
  const { ts } = core;
  const K = ts.SyntaxKind;
  if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression)) return undefined;
  const { left, operatorToken, right } = s.expression;
  if (!ts.isIdentifier(left) || left.text !== name) return undefined;
  switch (operatorToken.kind) {
    case K.PlusEqualsToken:
      return mentions(core, right, name) ? undefined : right;
    case K.AsteriskEqualsToken:
    case K.SlashEqualsToken:
      return plainRead(core, right) && !mentions(core, right, name) ? "stays-zero" : undefined;
    case K.EqualsToken:
      return withZero(core, right, name);
    default:
      return undefined;
  }
}

/**
 * `e` with `name` replaced by zero and the zero folded away: products and quotients by it vanish
 * (what they drop must be a plain read), sums lose it. Undefined when `name` is used another way.
 */
function withZero(core: Core, e: ts.Expression, name: string): ts.Expression | "stays-zero" | undefined {
  const { ts } = core;
  const K = ts.SyntaxKind;
  if (!mentions(core, e, name)) return e;
  if (ts.isIdentifier(e)) return "stays-zero";
  if (ts.isParenthesizedExpression(e)) return withZero(core, e.expression, name);
  if (!ts.isBinaryExpression(e)) return undefined;
  const op = e.operatorToken.kind;
  const l = withZero(core, e.left, name);
  const r = withZero(core, e.right, name);
  if (l === undefined || r === undefined) return undefined;
  if (op === K.AsteriskToken || op === K.SlashToken) {
    if (l === "stays-zero" && plainRead(core, e.right)) return "stays-zero";
    if (op === K.AsteriskToken && r === "stays-zero" && plainRead(core, e.left)) return "stays-zero";
    return undefined;
  }
  if (op !== K.PlusToken) return undefined;
  if (l === "stays-zero") return r;
  if (r === "stays-zero") return l;
  return core.f.updateBinaryExpression(e, l, e.operatorToken, r);
}

function mentions(core: Core, node: ts.Node, name: string): boolean {
  return someNode(core.ts, node, (n) => core.ts.isIdentifier(n) && n.text === name);
}
