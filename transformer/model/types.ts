import type * as ts from "typescript";
import { Core, isGlobal, PerChecker, symbolOf } from "../core/context";

/**
 * The type model: the one place that says which types carry a tangent.
 *
 * - `num`: number, numeric literals, and `number | null | undefined` (what an element read gives
 *   under noUncheckedIndexedAccess, an optional parameter): the tangent is a number (0 where the
 *   primal is null or undefined).
 * - `arr`: Float64Array, whose tangent is a Float64Array of the same length.
 * - `tree`: a pytree: plain object (interface, type alias, literal type), tuple or array whose
 *   leaves are numbers, Float64Arrays, nested pytrees or non-differentiable values.
 * - `none`: never carries a tangent: booleans, strings, integer arrays, functions, void, pytrees
 *   without a differentiable leaf. (Strings made from differentiated values are tracked apart, as
 *   text: analysis/activity.ts.)
 * - `other`: everything else: class instances, library objects (DataView, Map, ArrayBuffer),
 *   `any`/`unknown`, index signatures, unions mixing kinds. Such a value is never assumed constant:
 *   the analysis tracks what flows into it, and the fence reports differentiated data that reaches it.
 */
export type Kind = "num" | "arr" | "tree" | "none" | "other";

const intArrayNames = new Set([
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "BigInt64Array", "BigUint64Array",
]);

const kindCache = new WeakMap<ts.Type, Kind>();

export function kindOfType(core: Core, type: ts.Type): Kind {
  const cached = kindCache.get(type);
  if (cached) return cached;
  kindCache.set(type, "other"); // a recursive type is not a pytree
  const kind = computeKind(core, type);
  kindCache.set(type, kind);
  return kind;
}

function computeKind(core: Core, type: ts.Type): Kind {
  const { ts, checker } = core;
  const F = ts.TypeFlags;
  if (type.flags & F.NumberLike) return "num";
  if (type.flags & (F.BooleanLike | F.StringLike | F.BigIntLike | F.ESSymbolLike | F.Void | F.Undefined | F.Null | F.Never)) {
    return "none";
  }
  if (type.isUnion()) {
    const kinds = new Set(type.types.map((t) => kindOfType(core, t)));
    if (kinds.size === 1) return [...kinds][0];
    // number | null | undefined: a number that may be missing (its tangent is a number too).
    const present = type.types.filter((t) => !(t.flags & (F.Null | F.Undefined | F.Void)));
    return present.length > 0 && present.every((t) => kindOfType(core, t) === "num") ? "num" : "other";
  }
  const symbol = type.getSymbol();
  const name = symbol?.getName();
  if (name === "Float64Array") return "arr";
  if (name !== undefined && intArrayNames.has(name)) return "none";
  if (type.getCallSignatures().length > 0) return "none";
  if (!(type.flags & F.Object)) return "other";
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    return combine(checker.getTypeArguments(type as ts.TypeReference).map((t) => kindOfType(core, t)));
  }
  if (!isPlainObjectType(core, type)) return "other";
  // An index signature ({ [k: string]: number }, Record<string, number>) has no fixed shape to mirror.
  if (checker.getIndexInfosOfType(type).some((info) => kindOfType(core, info.type) !== "none")) return "other";
  return combine(checker.getPropertiesOfType(type).map((p) => kindOfType(core, checker.getTypeOfSymbol(p))));
}

/** A pytree if all parts are; `none` when nothing in it is differentiable. */
function combine(kinds: Kind[]): Kind {
  if (kinds.includes("other")) return "other";
  return kinds.some((k) => k !== "none") ? "tree" : "none";
}

/** Object literals, type literals and the user's interfaces / type aliases; not classes or library types. */
export function isPlainObjectType(core: Core, type: ts.Type): boolean {
  const symbol = type.getSymbol();
  if (!symbol) return false;
  if (symbol.flags & (core.ts.SymbolFlags.TypeLiteral | core.ts.SymbolFlags.ObjectLiteral)) return true;
  if (!(symbol.flags & core.ts.SymbolFlags.Interface) || symbol.flags & core.ts.SymbolFlags.Class) return false;
  const decls = symbol.getDeclarations() ?? [];
  return decls.length > 0 && !decls.some((d) => core.program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/** Reports a differentiated value of a type that cannot carry a tangent; class instances get their own code. */
export function reportUnsupportedType(core: Core, node: ts.Node, name: string, type: ts.Type): ts.Diagnostic {
  const isClass = isClassInstance(core, type);
  return core.diags.report(node, isClass ? "classInstance" : "unsupportedType", name, core.checker.typeToString(type));
}

// The type at a node does not change for one checker: asked often, computed once.
const nodeKinds = new PerChecker<Kind>();

export function kindOf(core: Core, node: ts.Node): Kind {
  const answers = nodeKinds.answersFor(core.checker);
  let kind = answers.get(node);
  if (kind === undefined) {
    kind = declaredKind(core, node) ?? numericKind(core, node) ?? kindOfType(core, core.checker.getTypeAtLocation(node));
    answers.set(node, kind);
  }
  return kind;
}

/**
 * Kinds that follow from the operands' kinds, without asking the checker to type the expression
 * again (a flow analysis of its whole subtree): arithmetic on numbers, comparisons, an element of
 * a Float64Array (number, or number | undefined: both `num`), a call of the global Math.
 */
function numericKind(core: Core, node: ts.Node): Kind | undefined {
  const { ts } = core;
  const K = ts.SyntaxKind;
  if (node.kind === K.NumericLiteral) return "num";
  if (ts.isParenthesizedExpression(node)) return kindOf(core, node.expression);
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op >= K.LessThanToken && op <= K.ExclamationEqualsEqualsToken) return "none"; // < > <= >= == != === !==
    const arithmetic = op === K.PlusToken || op === K.MinusToken || op === K.AsteriskToken || op === K.SlashToken || op === K.PercentToken || op === K.AsteriskAsteriskToken;
    return arithmetic && kindOf(core, node.left) === "num" && kindOf(core, node.right) === "num" ? "num" : undefined;
  }
  if (ts.isPrefixUnaryExpression(node) && (node.operator === K.MinusToken || node.operator === K.PlusToken)) return kindOf(core, node.operand) === "num" ? "num" : undefined;
  if (ts.isElementAccessExpression(node) && !node.questionDotToken) return kindOf(core, node.expression) === "arr" ? "num" : undefined;
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && !node.questionDotToken && !node.expression.questionDotToken && isGlobal(core, node.expression.expression, "Math")) return "num";
  return undefined;
}

/**
 * The kind of a variable or parameter read, from its declared type, when narrowing cannot change
 * it: flow analysis only narrows unions (and any, unknown, type parameters), so for any other
 * declared type the type at every read is the declared one. Asked once per symbol instead of a
 * flow analysis per read (the costliest question the transform asks the checker).
 */
function declaredKind(core: Core, node: ts.Node): Kind | undefined {
  const { ts } = core;
  if (!ts.isIdentifier(node) || (node.parent && ts.isShorthandPropertyAssignment(node.parent))) return undefined;
  const symbol = symbolOf(core, node);
  if (!symbol || !(symbol.flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Property)) || symbol.flags & ts.SymbolFlags.Alias) return undefined;
  let kind = symbolKinds.get(symbol);
  if (kind === undefined) {
    const type = core.checker.getTypeOfSymbol(symbol);
    const F = ts.TypeFlags;
    const narrowable = type.isUnion() || type.flags & (F.Any | F.Unknown | F.Instantiable | F.NonPrimitive) || (type.flags & F.Object && kindOfType(core, type) === "other");
    kind = narrowable ? null : kindOfType(core, type);
    symbolKinds.set(symbol, kind);
  }
  return kind ?? undefined;
}

// Symbols belong to one checker: a WeakMap per symbol is enough. null: ask at the read.
const symbolKinds = new WeakMap<ts.Symbol, Kind | null>();

export function differentiable(kind: Kind): boolean {
  return kind === "num" || kind === "arr" || kind === "tree";
}

/** Arrays, tuples and typed arrays: their properties (`.length`) are sizes and methods, never data. */
export function isIndexedCollection(core: Core, type: ts.Type): boolean {
  const { checker } = core;
  const name = type.getSymbol()?.getName();
  return checker.isArrayType(type) || checker.isTupleType(type) || name === "Float64Array" || (name !== undefined && intArrayNames.has(name));
}

/** A class instance (its own code, prototypes and invariants: never a pytree). */
export function isClassInstance(core: Core, type: ts.Type): boolean {
  // (The class itself, `typeof C`, has construct signatures: it is not an instance.)
  return ((type.getSymbol()?.flags ?? 0) & core.ts.SymbolFlags.Class) !== 0 && type.getConstructSignatures().length === 0 && !isIndexedCollection(core, type);
}
