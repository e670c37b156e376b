import type * as ts from "typescript";
import { DiagnosticBag } from "./diagnostics";

/** What every part of the core shares for one source file. */
export interface Core {
  readonly ts: typeof ts;
  readonly f: ts.NodeFactory;
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly file: ts.SourceFile;
  readonly diags: DiagnosticBag;
  readonly context: ts.TransformationContext;
}

/**
 * How a value takes part in differentiation: `num` and `arr` (Float64Array) carry tangents;
 * `none` never does (booleans, strings, integer arrays, functions, void); `other` (objects,
 * number[], any) is allowed only while it holds no differentiated data.
 */
export type Kind = "num" | "arr" | "none" | "other";

const intArrayNames = new Set([
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "BigInt64Array", "BigUint64Array",
]);

export function kindOfType(core: Core, type: ts.Type): Kind {
  const { ts } = core;
  const F = ts.TypeFlags;
  if (type.flags & F.NumberLike) return "num";
  if (type.flags & (F.BooleanLike | F.StringLike | F.BigIntLike | F.ESSymbolLike | F.Void | F.Undefined | F.Null | F.Never)) {
    return "none";
  }
  if (type.isUnion()) {
    const kinds = new Set(type.types.map((t) => kindOfType(core, t)));
    return kinds.size === 1 ? [...kinds][0] : "other";
  }
  const name = type.getSymbol()?.getName();
  if (name === "Float64Array") return "arr";
  if (name !== undefined && intArrayNames.has(name)) return "none";
  if (type.getCallSignatures().length > 0) return "none";
  return "other";
}

export function kindOf(core: Core, node: ts.Node): Kind {
  return kindOfType(core, core.checker.getTypeAtLocation(node));
}

export function differentiable(kind: Kind): boolean {
  return kind === "num" || kind === "arr";
}

/** Strips parentheses and type-only wrappers (`as`, `!`, `satisfies`, `<T>x`). */
export function skipOuter(core: Core, e: ts.Expression): ts.Expression {
  const { ts } = core;
  while (
    ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) ||
    ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}

/** The symbol an identifier refers to (the local, for an import alias). */
export function symbolOf(core: Core, node: ts.Node): ts.Symbol | undefined {
  return core.checker.getSymbolAtLocation(node);
}

/** True when `id` names a global of the default library (`Math`, `Float64Array`), not a user's own. */
export function isGlobal(core: Core, id: ts.Expression, name: string): boolean {
  const { ts } = core;
  if (!ts.isIdentifier(id) || id.text !== name) return false;
  const decls = symbolOf(core, id)?.getDeclarations() ?? [];
  return decls.length > 0 && decls.every((d) => core.program.isSourceFileDefaultLibrary(d.getSourceFile()));
}
