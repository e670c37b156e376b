/**
 * Custom JVP rules: `defineJvp(f, rule)` tells tsjvp to use `rule` for `f` instead of
 * differentiating `f`'s body (or instead of failing, when `f` has no source tsjvp can read). The
 * plugin finds module-level `defineJvp` calls statically and calls the rule (`applyRule`) where
 * differentiated code calls `f`; `jvp(f, …)` at run time calls it too.
 */
import type { Tangent } from "./tangent-types";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/**
 * A rule for `F`: given the primals and the tangents (in `F`'s parameter order, `null` where an
 * argument is not differentiated), the result and its tangent.
 */
export type JvpRule<F extends AnyFunction> = (primals: Parameters<F>, tangents: TangentsOf<Parameters<F>>) => [ReturnType<F>, Tangent<ReturnType<F>>];

/** The tangents of a parameter list (a tuple stays a tuple): null where not differentiated. */
export type TangentsOf<P extends readonly unknown[]> = { [K in keyof P]: Tangent<P[K]> | null };

const ruleSymbol = Symbol.for("tsjvp.rule");

/**
 * Attaches `rule` to `f` and returns `f` itself. Call it at the top level of a module (the plugin
 * finds it there); `export const erf = defineJvp(libErf, rule)` gives a library's function a rule
 * for the modules that import `erf`.
 * @tsjvpApi defineJvp
 */
export function defineJvp<F extends AnyFunction>(f: F, rule: JvpRule<F>): F {
  if (typeof f !== "function") throw new Error("tsjvp: defineJvp(f, rule) needs a function as f");
  if (typeof rule !== "function") throw new Error(`tsjvp: defineJvp(${f.name || "f"}, rule) needs a function as rule`);
  Object.defineProperty(f, ruleSymbol, { value: rule, configurable: true });
  return f;
}

/** The rule attached to `f` by defineJvp, or undefined. */
export function ruleOf(f: unknown): AnyFunction | undefined {
  return (f as { [ruleSymbol]?: AnyFunction } | null)?.[ruleSymbol];
}

/** What a twin calls where differentiated code calls a function with a rule. */
export function applyRule<F extends AnyFunction>(f: F, primals: Parameters<F>, tangents: TangentsOf<Parameters<F>>): [ReturnType<F>, Tangent<ReturnType<F>>] {
  const rule = ruleOf(f);
  if (!rule) throw new Error(`tsjvp: ${f.name || "a function"} has no rule: its defineJvp call must run (at the top level of its module) before differentiated code calls it`);
  return rule(primals, tangents);
}
