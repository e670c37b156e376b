// Helpers for rewritten jvp call sites whose arguments are not visible at build time.

/** Zeros with the structure of `primal`: 0 for numbers, a zeroed copy for Float64Arrays. */
export function zerosLike(primal: unknown): unknown {
  if (typeof primal === "number") return 0;
  if (primal instanceof Float64Array) return new Float64Array(primal.length);
  if (Array.isArray(primal)) return primal.map(zerosLike);
  return null;
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
    if (differentiable[i]) args.push(tangents[i] ?? zerosLike(primals[i]));
    else if (tangents[i] != null) throw new Error(`tsjvp: parameter ${i + 1} cannot be differentiated yet; pass a null tangent for it`);
  }
  return twin(...args);
}

/** Stands in for a jvp call the plugin could not differentiate (the build reported why). */
export function compileError(message: string): never {
  throw new Error(message);
}
