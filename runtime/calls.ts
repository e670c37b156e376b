// Helpers for rewritten jvp call sites whose arguments are not visible at build time.
import type { Tangent } from "./tangent-types";

/**
 * Zeros with the structure of `primal`: 0 for numbers, zeroed Float64Arrays, the same nesting for
 * arrays and plain objects, null for what is not differentiable; function-valued fields are omitted.
 * (A constant whatever `primal` is: the second pass of hessian takes it as one.)
 * @tsjvpConstant
 */
// `const T`: a literal primal (`[1, 3]` returned as a `Pair`) keeps its tuple shape, so the zeros
// type-check against `Tangent<Pair>` (an inferred `number[]` would not).
export function zerosLike<const T>(primal: T): Tangent<T> {
  return zeros(primal) as Tangent<T>;
}

function zeros(primal: unknown): unknown {
  if (typeof primal === "number") return 0;
  if (primal instanceof Float64Array) return new Float64Array(primal.length);
  if (Array.isArray(primal)) return primal.map(zeros);
  if (isPlainObject(primal)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(primal)) {
      if (typeof primal[key] !== "function") out[key] = zeros(primal[key]);
    }
    return out;
  }
  return null;
}

/**
 * A tangent as the twins expect it (`Tangent<T>`): every null inside `tangent` (a symbolic zero,
 * "not differentiated here") becomes zeros of the matching part of `primal`.
 */
export function fillZeros<T>(tangent: unknown, primal: T): Tangent<T> {
  return fill(tangent, primal) as Tangent<T>;
}

function fill(tangent: unknown, primal: unknown): unknown {
  if (tangent === null || tangent === undefined) return zeros(primal);
  // A complete tangent is passed as it is: a twin writing an out-parameter's tangent writes the caller's object.
  if (isComplete(tangent, primal)) return tangent;
  if (Array.isArray(primal) && Array.isArray(tangent)) return primal.map((p, i) => fill(tangent[i], p));
  if (isPlainObject(primal) && isPlainObject(tangent)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(primal)) {
      if (typeof primal[key] !== "function") out[key] = fill(tangent[key], primal[key]);
    }
    return out;
  }
  return tangent;
}

/** Does `tangent` have a value wherever `primal` has a differentiable leaf (no null to fill)? */
function isComplete(tangent: unknown, primal: unknown): boolean {
  if (tangent === null || tangent === undefined) return zeros(primal) === null;
  if (Array.isArray(primal)) return Array.isArray(tangent) && primal.every((p, i) => isComplete(tangent[i], p));
  if (isPlainObject(primal)) {
    return isPlainObject(tangent) && Object.keys(primal).every((k) => typeof primal[k] === "function" || isComplete(tangent[k], primal[k]));
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || ArrayBuffer.isView(v) || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Calls a twin `f_jvp(x, x_dot, y, y_dot, ...)` with primals and tangents given as arrays;
 * a null tangent becomes zeros of its primal's shape. Parameters that are not differentiable
 * (`differentiable[i]` false) have no tangent parameter in the twin.
 */
export function applyTwin<R>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  twin: (...interleaved: any[]) => R,
  differentiable: readonly boolean[],
  primals: readonly unknown[],
  tangents: readonly unknown[],
): R {
  if (primals.length !== tangents.length) {
    throw new Error(`tsjvp: jvp got ${primals.length} primals but ${tangents.length} tangents`);
  }
  const args: unknown[] = [];
  for (let i = 0; i < primals.length; i++) {
    args.push(primals[i]);
    if (differentiable[i]) args.push(fill(tangents[i], primals[i]));
    else if (tangents[i] != null) throw new Error(`tsjvp: parameter ${i + 1} cannot be differentiated yet; pass a null tangent for it`);
  }
  return twin(...args);
}

/** Where a differentiable function object keeps its full twin (a global symbol: two copies of tsjvp agree). */
export const twinSymbol: unique symbol = Symbol.for("tsjvp.twin") as never;
const differentiableSymbol = Symbol.for("tsjvp.differentiable");

type Twin = ((...interleaved: never[]) => unknown) & { [differentiableSymbol]?: readonly boolean[] };

/** Attaches `twin` to `primal` for run-time dispatch; returns `primal`. */
export function registerTwin<F extends object>(primal: F, twin: (...interleaved: never[]) => unknown, differentiable: readonly boolean[]): F {
  Object.defineProperty(twin, differentiableSymbol, { value: differentiable, configurable: true });
  Object.defineProperty(primal, twinSymbol, { value: twin, configurable: true });
  return primal;
}

/** The full twin attached to `fun`, with which parameters take a tangent; undefined if none. */
export function twinOf(fun: unknown): { twin: (...args: never[]) => unknown; differentiable: readonly boolean[] } | undefined {
  const twin = (fun as { [twinSymbol]?: Twin } | null)?.[twinSymbol];
  return twin ? { twin, differentiable: twin[differentiableSymbol] ?? [] } : undefined;
}

/** Stands in for a jvp call the plugin could not differentiate (the build reported why). */
export function compileError(message: string): never {
  throw new Error(message);
}
