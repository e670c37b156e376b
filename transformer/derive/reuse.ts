import type * as ts from "typescript";

/**
 * Reuses primal results in tangent code: within the steps generated for one source statement, a
 * `Math.f(args)` call that was already held in a temporary (`const _t1 = Math.cos(x)`) is replaced
 * by that temporary where the tangent code computes it again (d sin(x) = cos(x)·dx). Only steps
 * after the last call into a twin are considered (such a call may write arrays the arguments read),
 * and only the statement's own expressions, not nested blocks. No variable is assigned between a
 * hoist and its uses there: the tangent step writes `_dot` variables, the primal step comes last.
 */
export function reuseHeldMathCalls(tsi: typeof ts, context: ts.TransformationContext, statements: ts.Statement[], from: number): void {
  const printer = tsi.createPrinter({ removeComments: true });
  const text = (n: ts.Node) => printer.printNode(tsi.EmitHint.Expression, n, undefined as unknown as ts.SourceFile);
  const held = new Map<string, ts.Identifier>();
  const isMathCall = (n: ts.Node): n is ts.CallExpression =>
    tsi.isCallExpression(n) && tsi.isPropertyAccessExpression(n.expression) && tsi.isIdentifier(n.expression.expression) && n.expression.expression.text === "Math";
  for (let i = from; i < statements.length; i++) {
    const s = statements[i];
    if (held.size > 0 && (tsi.isVariableStatement(s) || tsi.isExpressionStatement(s) || tsi.isReturnStatement(s))) {
      const replace = (n: ts.Node): ts.Node => {
        if (isMathCall(n)) {
          const hit = held.get(text(n));
          if (hit) return hit;
        }
        return tsi.visitEachChild(n, replace, context);
      };
      statements[i] = tsi.visitEachChild(s, replace, context);
    }
    const d = tsi.isVariableStatement(s) && s.declarationList.declarations.length === 1 ? s.declarationList.declarations[0] : undefined;
    if (d && tsi.isIdentifier(d.name) && d.name.pos < 0 && d.initializer && isMathCall(d.initializer)) {
      held.set(text(d.initializer), d.name);
    }
  }
}
