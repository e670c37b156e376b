import type * as ts from "typescript";
import { Dual, TwinContext, BlockBuilder } from "./context";

interface Target {
  readonly name: ts.Identifier;
  readonly dot: ts.Identifier | undefined;
  readonly type: ts.TypeNode | undefined;
  readonly flags: ts.NodeFlags;
}

/**
 * `const t = 1 / u` rather than `const _t1 = 1 / u; const t = _t1;`, and `const [y, y_dot] =
 * g_jvp(x, x_dot)` rather than unpacking into temporaries: when the value of a declaration is a
 * temporary declared while computing it, the user's names take the temporaries' places. Returns
 * which of primal and tangent were adopted ("none", "primal", or "both").
 */
export function adoptTemporaries(cx: TwinContext, b: BlockBuilder, first: number, value: Dual, target: Target): "none" | "primal" | "both" {
  const { ts } = cx;
  const declaring = (id: ts.Expression) => (ts.isIdentifier(id) && id.pos < 0 ? findDeclaration(cx, b.statements, first, id) : undefined);
  const primalAt = declaring(value.primal);
  if (primalAt === undefined) return "none";
  const tangentAt = value.tangent && target.dot ? declaring(value.tangent) : undefined;
  if (value.tangent && !target.dot) return "none";
  const renames = new Map<ts.Node, ts.Identifier>([[value.primal, target.name]]);
  if (tangentAt !== undefined) renames.set(value.tangent!, target.dot!);
  const rename = (n: ts.Node): ts.Node => renames.get(n) ?? ts.visitEachChild(n, rename, cx.core.context);
  for (let i = first; i < b.statements.length; i++) {
    let s = rename(b.statements[i]) as ts.Statement;
    if (i === primalAt) s = withUserDeclaration(cx, s, target);
    b.statements[i] = s;
  }
  value.primal = target.name;
  if (tangentAt !== undefined) {
    value.tangent = target.dot!;
    return "both";
  }
  if (value.tangent) value.tangent = rename(value.tangent) as ts.Expression;
  return "primal";
}

/** Index of the top-level statement declaring `id` (directly or in an array pattern). */
function findDeclaration(cx: TwinContext, statements: ts.Statement[], first: number, id: ts.Identifier): number | undefined {
  const { ts } = cx;
  for (let i = first; i < statements.length; i++) {
    const s = statements[i];
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      if (d.name === id) return i;
      if (ts.isArrayBindingPattern(d.name) && d.name.elements.some((e) => ts.isBindingElement(e) && e.name === id)) return i;
    }
  }
  return undefined;
}

/** The adopted declaration takes the user's `let`/`const` (a temporary's `let` stays) and type. */
function withUserDeclaration(cx: TwinContext, s: ts.Statement, target: Target): ts.Statement {
  const { ts, f } = cx;
  if (!ts.isVariableStatement(s)) return s;
  const list = s.declarationList;
  const flags = (list.flags & ts.NodeFlags.Let) !== 0 ? ts.NodeFlags.Let : target.flags;
  const declarations = list.declarations.map((d) =>
    d.name === target.name && target.type ? f.updateVariableDeclaration(d, d.name, d.exclamationToken, target.type, d.initializer) : d);
  return f.createVariableStatement(s.modifiers, f.createVariableDeclarationList(declarations, flags));
}
