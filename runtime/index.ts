/**
 * tsjvp runtime: what user code imports (`jvp`, `Tangent`, `TangentIn`) and the few helpers the
 * generated twins call. A `jvp` call is rewritten at build time by the tsjvp plugin; reaching the
 * function below at run time means the call was not compiled.
 */
export type { Tangent, TangentIn } from "./tangent-types";
import type { Tangent, TangentIn } from "./tangent-types";
export { extremumDot } from "./rules";
export { applyTwin, compileError, fillZeros, registerTwin, twinSymbol, zerosLike } from "./calls";
export { applyRule, defineJvp, type JvpRule, type TangentsOf } from "./custom";
export { jacfwd, type Jacobian, type JacfwdOptions } from "./jacobian";
export { registerHessianTwin, registerVectorTwin } from "./vector";
export { jacfwdSparse, registerSparsityTwin, sparsity, unionSets, type JacfwdSparseOptions, type SparseJacobian, type SparsityOptions, type SparsityPattern } from "./sparse";
export { hessian, hvp, type HessianOptions, type SecondDerivative } from "./second-order";
import { applyTwin, twinOf } from "./calls";
import { ruleOf } from "./custom";

/**
 * Forward-mode Jacobian-vector product, as `jax.jvp`: returns `[fun(...primals), J·tangents]`.
 * `primals` and `tangents` hold one entry per parameter of `fun`; a `null` tangent means
 * "not differentiated". Rewritten at build time by the tsjvp plugin; a call it could not rewrite
 * (`fun` is a value: a parameter, an array element) dispatches to the twin attached to `fun`.
 * @tsjvpApi jvp
 */
export function jvp<A extends readonly unknown[], R>(
  fun: (...args: A) => R,
  primals: readonly [...A],
  tangents: { readonly [K in keyof A]: TangentIn<A[K]> },
): [R, Tangent<R>] {
  // A custom rule gets the tangents as given (null where not differentiated).
  const rule = ruleOf(fun);
  if (rule) return rule(primals, tangents);
  const found = twinOf(fun);
  if (!found) throw new Error(missingTwin(fun));
  const result = applyTwin(found.twin as (...args: unknown[]) => unknown, found.differentiable, primals, tangents);
  return (result === undefined ? [undefined, undefined] : result) as [R, Tangent<R>];
}

function missingTwin(fun: unknown): string {
  const name = typeof fun === "function" && fun.name ? fun.name : "an anonymous function";
  return (
    `tsjvp: jvp(${name}, ...) found no derivative twin for ${name}. Only a function declaration or a const ` +
    `arrow or function expression can have one (not a method, a bound function or a let binding): tag its ` +
    `declaration with /** @jvp */ (and export it to use it from other modules), then build with the tsjvp plugin ` +
    `({ "transform": "tsjvp/transformer" } in compilerOptions.plugins, built with tspc), or generate ` +
    `twins with \`tsjvp emit\` and import the generated index once. Inline arrows need the plugin.`
  );
}
