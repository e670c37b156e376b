/**
 * tsjvp runtime: what user code imports (`jvp`, `Tangent`, `TangentIn`) and the few helpers the
 * generated twins call. A `jvp` call is rewritten at build time by the tsjvp plugin; reaching the
 * function below at run time means the call was not compiled.
 */
export type { Tangent, TangentIn } from "./tangent-types";
import type { Tangent, TangentIn } from "./tangent-types";
export { extremumDot, powDot } from "./rules";
export { applyTwin, compileError, fillZeros, zerosLike } from "./calls";

/**
 * Forward-mode Jacobian-vector product, as `jax.jvp`: returns `[fun(...primals), J·tangents]`.
 * `primals` and `tangents` hold one entry per parameter of `fun`; a `null` tangent means
 * "not differentiated". Rewritten at build time by the tsjvp plugin.
 * @tsjvpApi jvp
 */
export function jvp<A extends readonly unknown[], R>(
  fun: (...args: A) => R,
  primals: readonly [...A],
  tangents: { readonly [K in keyof A]: TangentIn<A[K]> },
): [R, Tangent<R>] {
  void primals;
  void tangents;
  const name = fun.name || "an anonymous function";
  throw new Error(
    `tsjvp: jvp(${name}, ...) ran without being compiled. Add { "transform": "tsjvp/transformer" } ` +
      `to compilerOptions.plugins in tsconfig.json and build with tspc (ts-patch) instead of tsc.`,
  );
}
