/**
 * Vector twins: `f_jvp_v8(x, x_dot0, …, x_dot7, …)` carries eight tangent directions through one
 * evaluation of f and returns `[f(x), t0, …, t7]`. The plugin attaches them to a function that
 * `jacfwd` differentiates in its module: the twin for the parameter it differentiates as a vector
 * twin of one lane (`f_jvp_wrt_x`, for `jacfwd(f, { argnums: 2 })`) and its vector twin of eight
 * (`f_jvp_wrt_x_v8`).
 */

const vectorSymbol = Symbol.for("tsjvp.vectorTwin");

export interface VectorTwin {
  readonly twin: (...interleaved: never[]) => unknown;
  readonly lanes: number;
  /** Which parameters take `lanes` tangents each. */
  readonly mask: readonly boolean[];
  /** Which parameters the function may write. */
  readonly writes: readonly boolean[];
}

/**
 * Attaches a vector twin of `lanes` directions (tangents for the parameters of `mask`; `writes`:
 * the parameters the function may write) to `primal`; returns `primal`.
 */
export function registerVectorTwin<F extends object>(primal: F, twin: (...interleaved: never[]) => unknown, lanes: number, mask: readonly boolean[], writes: readonly boolean[]): F {
  return attach(vectorSymbol, primal, { twin, lanes, mask, writes });
}

/**
 * Attaches to a twin `f_jvp` the vector twin hessian and hvp take (`f_jvp_jvp_wrt_x_v8`): like a
 * vector twin of f_jvp, but only the tangent of its tangent is computed (the other parts of its
 * result are zeros), so it is kept apart from the vector twins jacfwd takes.
 */
export function registerHessianTwin<F extends object>(twin: F, hessianTwin: (...interleaved: never[]) => unknown, lanes: number, mask: readonly boolean[], writes: readonly boolean[]): F {
  return attach(hessianSymbol, twin, { twin: hessianTwin, lanes, mask, writes });
}

const hessianSymbol = Symbol.for("tsjvp.hessianTwin");

function attach<F extends object>(symbol: symbol, fun: F, twin: VectorTwin): F {
  Object.defineProperty(fun, symbol, { value: [...twinsOf(symbol, fun), twin], configurable: true });
  return fun;
}

function twinsOf(symbol: symbol, fun: unknown): readonly VectorTwin[] {
  return (fun as { [key: symbol]: readonly VectorTwin[] | undefined } | null)?.[symbol] ?? [];
}

/**
 * The twin of `fun` for differentiating parameter `argnum` with `lanes` directions per pass at most:
 * the one with the fewest other tangents, then the most lanes.
 */
export function vectorTwinOf(fun: unknown, argnum: number, lanes: number): VectorTwin | undefined {
  return best(twinsOf(vectorSymbol, fun), argnum, lanes);
}

/** The same choice among the twins hessian and hvp take (attached to f's twin). */
export function hessianTwinOf(twin: unknown, argnum: number): VectorTwin | undefined {
  return best(twinsOf(hessianSymbol, twin), argnum, Infinity);
}

function best(twins: readonly VectorTwin[], argnum: number, lanes: number): VectorTwin | undefined {
  const others = (t: VectorTwin) => t.mask.filter(Boolean).length;
  return twins.filter((t) => t.mask[argnum] && t.lanes <= lanes).sort((a, b) => others(a) - others(b) || b.lanes - a.lanes)[0];
}
