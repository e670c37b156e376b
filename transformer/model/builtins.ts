import type * as ts from "typescript";
import { Core, skipOuter, symbolOf } from "../core/context";
import { kindOf } from "./types";

/**
 * The one table of built-ins that differentiated code may use, other than Math (whose rows are
 * model/rules.ts: a derivative rule per function, or piecewise constant). Each row says what a
 * call does to activity (is its result differentiated data?), to aliasing (does its result share
 * the receiver's storage? does it write the receiver?), and how derive handles it. The fence, the
 * analysis and the visitors read these rows; a built-in that is in no row and receives
 * differentiated data is a diagnostic (TS97009), never a silent zero.
 */

/** What a method's result is, for activity and aliasing. */
export type MethodResult =
  /** Differentiated data of the receiver's kind, a new value (slice, at, map, reduce). */
  | "data"
  /** The receiver itself or a view sharing its storage (subarray, fill returns its receiver). */
  | "view"
  /** A position or a count: never differentiated (indexOf, findIndex). */
  | "index"
  /** A boolean about the data: never differentiated (includes). */
  | "predicate"
  /** Text made from the data (join, toString): allowed in messages, not back into numbers. */
  | "text"
  /** Nothing (push returns a length). */
  | "none";

export interface MethodRow {
  readonly result: MethodResult;
  /** Writes differentiated data into its receiver (the tangent is written alike). */
  readonly writes: boolean;
  /** Takes a callback that tsjvp lowers to a loop (an inline arrow only). */
  readonly lowered?: boolean;
}

function row(result: MethodResult, writes: boolean, lowered = false): MethodRow {
  return { result, writes, lowered };
}

/** Methods that Float64Arrays and plain arrays share: callbacks lowered to loops, searches, text. */
const sharedMethods: Readonly<Record<string, MethodRow>> = {
  map: row("data", false, true),
  reduce: row("data", false, true),
  indexOf: row("index", false),
  lastIndexOf: row("index", false),
  includes: row("predicate", false),
  join: row("text", false),
  toString: row("text", false),
  toLocaleString: row("text", false),
};

/** Methods of Float64Array that differentiated code may call on differentiated data. */
export const float64ArrayMethods: Readonly<Record<string, MethodRow>> = {
  ...sharedMethods,
  slice: row("data", false),
  subarray: row("view", false),
  at: row("data", false),
  fill: row("view", true),
  set: row("none", true),
};

/** Methods of plain arrays and tuples (pytrees) that differentiated code may call on differentiated data. */
export const arrayMethods: Readonly<Record<string, MethodRow>> = {
  ...sharedMethods,
  push: row("none", true),
};

/** Methods that write into their receiver, whatever its type: the fence checks where they write. */
export const receiverWriters = new Set(["fill", "set", "copyWithin", "sort", "reverse", "push", "pop", "shift", "unshift", "splice"]);

/**
 * Library functions without a derivative that may still receive differentiated numbers, and
 * what comes out: `sink` observes them and returns nothing differentiable (console.log, the
 * constructors of errors, which take a message), `text` makes text
 * (String(x), x.toFixed(2), JSON.stringify(p)), `predicate` answers a question (Number.isFinite).
 * Keys are `Global.name` for functions of a global object, `.name` for methods of a number.
 */
export const libraryFunctions: Readonly<Record<string, "sink" | "text" | "predicate">> = {
  "console.log": "sink", "console.info": "sink", "console.warn": "sink", "console.error": "sink",
  "console.debug": "sink", "console.trace": "sink", "console.dir": "sink", "console.table": "sink", "console.assert": "sink",
  "Error": "sink", "RangeError": "sink", "TypeError": "sink",
  "String": "text", "JSON.stringify": "text",
  ".toString": "text", ".toFixed": "text", ".toPrecision": "text", ".toExponential": "text", ".toLocaleString": "text",
  "isFinite": "predicate", "isNaN": "predicate", "Number.isFinite": "predicate", "Number.isNaN": "predicate",
  "Number.isInteger": "predicate", "Number.isSafeInteger": "predicate",
};

/** Row of a method on a receiver of kind `arr` (Float64Array) or `tree` (array or tuple). */
export function methodRow(receiverKind: string, name: string): MethodRow | undefined {
  const table = receiverKind === "arr" ? float64ArrayMethods : receiverKind === "tree" ? arrayMethods : undefined;
  return table && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

/**
 * The inline callback of `xs.map(…)` or `xs.reduce(…, init)`, which derive lowers to a loop (the
 * rows marked `lowered`): its body is differentiated with the function around it.
 */
export function isLoweredCallback(core: Core, node: ts.ArrowFunction | ts.FunctionExpression): boolean {
  const { ts } = core;
  const call = node.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== node || !ts.isPropertyAccessExpression(call.expression)) return false;
  const name = call.expression.name.text;
  return (name === "map" && call.arguments.length === 1) || (name === "reduce" && call.arguments.length === 2);
}

/** The row of `libraryFunctions` a callee is, when it is that library function (not a user's own of that name). */
export function libraryRole(core: Core, callee: ts.Expression): "sink" | "text" | "predicate" | "constant" | undefined {
  const { ts } = core;
  const e = skipOuter(core, callee);
  if (isConstantHelper(core, e)) return "constant";
  const lookup = (key: string) => (Object.prototype.hasOwnProperty.call(libraryFunctions, key) ? libraryFunctions[key] : undefined);
  if (ts.isIdentifier(e)) return isAmbient(core, e) ? lookup(e.text) : undefined;
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  if (ts.isIdentifier(e.expression) && isAmbient(core, e.expression)) {
    const role = lookup(`${e.expression.text}.${e.name.text}`);
    if (role) return role;
  }
  return kindOf(core, e.expression) === "num" ? lookup(`.${e.name.text}`) : undefined;
}

/**
 * A function of tsjvp's runtime tagged `@tsjvpConstant` (`zerosLike`): its result is a constant
 * whatever its argument (zeros of the argument's shape). Twins call it; the second pass (hessian)
 * differentiates twins, where its argument varies.
 */
export function isConstantHelper(core: Core, callee: ts.Expression): boolean {
  const { ts } = core;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  if (!ts.isIdentifier(name)) return false;
  let symbol = symbolOf(core, name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = core.checker.getAliasedSymbol(symbol);
  const decl = symbol?.getDeclarations()?.[0];
  if (!decl || !ts.isFunctionDeclaration(decl)) return false;
  const text = decl.getSourceFile().getFullText();
  return (ts.getLeadingCommentRanges(text, decl.pos) ?? []).some((r) => constantTag.test(text.slice(r.pos, r.end)));
}

export const constantTag = /@tsjvpConstant\b/;

/** Declared only in declaration files (the default library, @types/node): a global, not the user's code. */
function isAmbient(core: Core, id: ts.Identifier): boolean {
  const decls = symbolOf(core, id)?.getDeclarations() ?? [];
  return decls.length > 0 && decls.every((d) => d.getSourceFile().isDeclarationFile);
}

/**
 * The primitives of `tsjvp/ops` (declarations tagged `@tsjvpOp`): the role of each parameter.
 * `data` takes a tangent (null when constant: the primitive's twin then skips that work), `size`
 * is a dimension (never differentiated), `out` is written with the result (and its tangent with the
 * result's tangent). Each primitive's hand-written twin `<name>_jvp` is declared beside it.
 */
export type OpParam = "data" | "size" | "out";

export const opsParams: Readonly<Record<string, readonly OpParam[]>> = {
  sum: ["data"], dot: ["data", "data"], norm2: ["data"], logsumexp: ["data"],
  axpy: ["data", "data", "data", "out"], scale: ["data", "data", "out"],
  add: ["data", "data", "out"], sub: ["data", "data", "out"], mul: ["data", "data", "out"], div: ["data", "data", "out"],
  exp: ["data", "out"], log: ["data", "out"], tanh: ["data", "out"], sigmoid: ["data", "out"], softplus: ["data", "out"],
  relu: ["data", "out"], softmax: ["data", "out"],
  matvec: ["data", "size", "size", "data", "out"], matmul: ["data", "data", "size", "size", "size", "out"],
  transpose: ["data", "size", "size", "out"], outer: ["data", "data", "out"],
};

export const opTag = /@tsjvpOp\b/;
