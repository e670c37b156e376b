import type * as ts from "typescript";
import { Core, symbolOf } from "../core/context";

/** A variable and a chain of fields / constant indices into it: `p.w` is (p, ".w"), `pair[0]` (pair, ".0"). */
export interface AccessPath {
  readonly symbol: ts.Symbol;
  readonly suffix: string;
}

/**
 * The access path an expression reads, when it is a variable or a field / constant index of one.
 * A computed index (`xs[i]`) has none: callers treat it as a read of the whole collection.
 */
export function accessPath(core: Core, e: ts.Expression): AccessPath | undefined {
  const { ts } = core;
  if (ts.isIdentifier(e)) {
    const symbol = symbolOf(core, e);
    return symbol && isVariable(core, symbol) ? { symbol, suffix: "" } : undefined;
  }
  if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) return accessPath(core, e.expression);
  const key = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isElementAccessExpression(e) ? constantKey(core, e.argumentExpression) : undefined;
  if (key === undefined) return undefined;
  const base = accessPath(core, (e as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression);
  return base && { symbol: base.symbol, suffix: `${base.suffix}.${key}` };
}

function constantKey(core: Core, e: ts.Expression): string | undefined {
  return core.ts.isStringLiteral(e) || core.ts.isNumericLiteral(e) || core.ts.isNoSubstitutionTemplateLiteral(e) ? e.text : undefined;
}

function isVariable(core: Core, s: ts.Symbol): boolean {
  return (s.flags & (core.ts.SymbolFlags.Variable | core.ts.SymbolFlags.FunctionScopedVariable)) !== 0;
}

/** Do two suffixes name overlapping parts (one inside the other)? */
export function overlaps(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return long.startsWith(short) && (long.length === short.length || long[short.length] === ".");
}

export function pathOf(symbol: ts.Symbol, suffix = ""): AccessPath {
  return { symbol, suffix };
}
