import type * as ts from "typescript";
import { Core } from "../core/context";

/**
 * How a value takes part in differentiation: `num`, `arr` (Float64Array) and `tree` (a pytree:
 * plain object, tuple or array whose leaves are numbers, Float64Arrays, nested pytrees or
 * non-differentiable values) carry tangents; `none` never does (booleans, strings, integer
 * arrays, functions, void, pytrees without a differentiable leaf); `other` (class instances,
 * library objects, any, unions of kinds) is allowed only while it holds no differentiated data.
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
    return kinds.size === 1 ? [...kinds][0] : "other";
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
  const isClass = ((type.getSymbol()?.flags ?? 0) & core.ts.SymbolFlags.Class) !== 0;
  return core.diags.report(node, isClass ? "classInstance" : "unsupportedType", name, core.checker.typeToString(type));
}

export function kindOf(core: Core, node: ts.Node): Kind {
  return kindOfType(core, core.checker.getTypeAtLocation(node));
}

export function differentiable(kind: Kind): boolean {
  return kind === "num" || kind === "arr" || kind === "tree";
}
