import type * as ts from "typescript";
import { Core, someNode } from "../core/context";
import { rewriteBlocks } from "./blocks";

/**
 * Applies reuseHeldMathCalls to every block of a twin, one source statement's steps at a time
 * (derive points each step at the user's statement it mirrors, for source maps), from the last
 * step that may write memory: a call other than Math's and Float64Array.of/from.
 */
export function reuseInBlocks(core: Core, body: ts.Block): ts.Block {
  return rewriteBlocks(core, body, (input) => reuseInStatements(core, input));
}

/** reuseInBlocks for one block's statements (the same list when nothing is reused). */
export function reuseInStatements(core: Core, input: readonly ts.Statement[]): readonly ts.Statement[] {
  const { ts } = core;
  const statements = [...input];
  let changed = false;
  for (let start = 0; start < statements.length;) {
    const source = ts.getSourceMapRange(statements[start]);
    let end = start + 1;
    while (end < statements.length && ts.getSourceMapRange(statements[end]) === source) end++;
    const group = statements.slice(start, end);
    let from = 0;
    group.forEach((s, i) => {
      if (writesMemory(core, s)) from = i + 1;
    });
    reuseHeldMathCalls(ts, core.context, group, from);
    group.forEach((s, i) => {
      if (s !== statements[start + i]) {
        statements[start + i] = ts.setSourceMapRange(s, source);
        changed = true;
      }
    });
    start = end;
  }
  return changed ? statements : input;
}

/** Does `node` call anything that may write memory (anything but Math's functions and Float64Array.of/from)? */
function writesMemory(core: Core, node: ts.Node): boolean {
  const { ts } = core;
  return someNode(ts, node, (n) => {
    if (!ts.isCallExpression(n)) return false;
    const c = n.expression;
    const pure = ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) &&
      (c.expression.text === "Math" || (c.expression.text === "Float64Array" && (c.name.text === "of" || c.name.text === "from")));
    return !pure;
  });
}

/**
 * Reuses primal results in tangent code: within the steps generated for one source statement, a
 * `Math.f(args)` call that was already held in a temporary (`const _t1 = Math.cos(x)`) is replaced
 * by that temporary where the tangent code computes it again (d sin(x) = cos(x)·dx). Only steps
 * after the last call into a twin are considered (such a call may write arrays the arguments read),
 * and only the statement's own expressions, not nested blocks. No variable is assigned between a
 * hoist and its uses there: the tangent step writes `_dot` variables, the primal step comes last.
 */
function reuseHeldMathCalls(tsi: typeof ts, context: ts.TransformationContext, statements: ts.Statement[], from: number): void {
  const held = new Map<string, ts.Identifier>();
  if (!statements.slice(from).some((s) => tsi.isVariableStatement(s))) return;
  const text = (n: ts.Node) => keyOf(tsi, n);
  const isMathCall = (n: ts.Node): n is ts.CallExpression =>
    tsi.isCallExpression(n) && tsi.isPropertyAccessExpression(n.expression) && tsi.isIdentifier(n.expression.expression) && n.expression.expression.text === "Math";
  for (let i = from; i < statements.length; i++) {
    const s = statements[i];
    if (held.size > 0 && (tsi.isVariableStatement(s) || tsi.isExpressionStatement(s) || tsi.isReturnStatement(s))) {
      const replace = (n: ts.Node): ts.Node => {
        if (isMathCall(n)) {
          const key = text(n);
          const hit = key === undefined ? undefined : held.get(key);
          if (hit) return hit;
        }
        return tsi.visitEachChild(n, replace, context);
      };
      statements[i] = tsi.visitEachChild(s, replace, context);
    }
    const d = tsi.isVariableStatement(s) && s.declarationList.declarations.length === 1 ? s.declarationList.declarations[0] : undefined;
    if (d && tsi.isIdentifier(d.name) && d.name.pos < 0 && d.initializer && isMathCall(d.initializer)) {
      const key = text(d.initializer);
      if (key !== undefined) held.set(key, d.name);
    }
  }
}

/** A structural key for reads, literals, arithmetic and calls (undefined for anything else: never reused). */
function keyOf(tsi: typeof ts, n: ts.Node): string | undefined {
  if (tsi.isIdentifier(n)) return n.text;
  if (tsi.isNumericLiteral(n) || tsi.isStringLiteral(n)) return `#${n.text}`;
  if (tsi.isParenthesizedExpression(n)) return keyOf(tsi, n.expression);
  const parts = (...xs: (ts.Node | string)[]): string | undefined => {
    const keys = xs.map((x) => (typeof x === "string" ? x : keyOf(tsi, x)));
    return keys.every((k) => k !== undefined) ? `(${keys.join(" ")})` : undefined;
  };
  if (tsi.isPropertyAccessExpression(n)) return parts(n.expression, ".", n.name.text);
  if (tsi.isElementAccessExpression(n)) return parts(n.expression, "[", n.argumentExpression);
  if (tsi.isBinaryExpression(n)) return parts(n.left, String(n.operatorToken.kind), n.right);
  if (tsi.isPrefixUnaryExpression(n)) return parts(String(n.operator), n.operand);
  if (tsi.isCallExpression(n)) return parts(n.expression, "(", ...n.arguments);
  return undefined;
}
