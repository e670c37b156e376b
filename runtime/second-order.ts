/**
 * `hessian` and `hvp`: second derivatives, forward over forward. When a module calls `hessian(f)`
 * or `hvp(f, …)`, tsjvp differentiates f's full twin `f_jvp` once more and attaches that twin of
 * the twin (`f_jvp_jvp`) to `f_jvp`. One call of it, with the inner tangent of x set to u and the
 * outer one to w, gives wᵀ·H·u in the tangent of the tangent.
 */
import { twinOf, zerosLike } from "./calls";

export interface HessianOptions<N extends number = number> {
  /** Which argument to differentiate with respect to (default 0). */
  readonly argnums?: N;
}

/** A number for a number argument; for a Float64Array of length n, n·n entries row-major (hessian) or n (hvp). */
export type SecondDerivative<X> = X extends number ? number : Float64Array;

/**
 * The Hessian of a number-valued `fun` with respect to argument `argnums` (a number or a
 * Float64Array), as a function of `fun`'s arguments: `hessian(f)(x)`. For x of length n, a
 * Float64Array of n·n entries, row-major, `H[i*n + j] = ∂²f/∂xᵢ∂xⱼ` (symmetric: the upper
 * triangle is computed and mirrored). Other arguments are held constant.
 * @tsjvpApi hessian
 */
export function hessian<A extends readonly unknown[], N extends number = 0>(
  fun: (...args: A) => number,
  options: HessianOptions<N> = {},
): (...args: A) => SecondDerivative<A[N]> {
  const argnum = options.argnums ?? 0;
  const f = fun as unknown as (...args: unknown[]) => unknown;
  return (...args: A) => {
    const pass = new SecondPass(f, "hessian", args, argnum);
    const x = args[argnum];
    if (typeof x === "number") return pass.entry(1, 1) as SecondDerivative<A[N]>;
    const n = (x as Float64Array).length;
    const H = new Float64Array(n * n);
    const inner = new Float64Array(n);
    const outer = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      inner[j] = 1;
      for (let i = 0; i <= j; i++) {
        outer[i] = 1;
        H[i * n + j] = H[j * n + i] = pass.entry(inner, outer);
        outer[i] = 0;
      }
      inner[j] = 0;
    }
    return H as SecondDerivative<A[N]>;
  };
}

/**
 * The Hessian-vector product H(x)·v of a number-valued `fun` with respect to its first argument,
 * without forming H: `hvp(f, [x, ...rest], [v])`. A Float64Array of x's length (one pass of the
 * twin of the twin per entry), a number for a number x.
 * @tsjvpApi hvp
 */
export function hvp<A extends readonly unknown[]>(
  fun: (...args: A) => number,
  primals: readonly [...A],
  tangents: readonly [SecondDerivative<A[0]>],
): SecondDerivative<A[0]> {
  const f = fun as unknown as (...args: unknown[]) => unknown;
  if (tangents.length !== 1) throw new Error(`tsjvp: hvp(${nameOf(f)}, primals, [v]) takes one tangent, for the first argument (it got ${tangents.length})`);
  const pass = new SecondPass(f, "hvp", primals, 0);
  const x = primals[0];
  const v = tangents[0];
  if (typeof x === "number") {
    if (typeof v !== "number") throw new Error(`tsjvp: hvp(${nameOf(f)}): the tangent of a number is a number`);
    return pass.entry(v, 1) as SecondDerivative<A[0]>;
  }
  const n = (x as Float64Array).length;
  if (!(v instanceof Float64Array) || v.length !== n) throw new Error(`tsjvp: hvp(${nameOf(f)}): v must be a Float64Array of x's length ${n}`);
  const Hv = new Float64Array(n);
  const outer = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    outer[i] = 1;
    Hv[i] = pass.entry(v, outer);
    outer[i] = 0;
  }
  return Hv as SecondDerivative<A[0]>;
}

function nameOf(fun: (...args: never[]) => unknown): string {
  return fun.name || "the function";
}

/**
 * Calls of `f_jvp_jvp` for one point: f's arguments, f_jvp's (each differentiable one followed by
 * its tangent: zeros, or the inner seed for x) and f_jvp_jvp's (each followed by its tangent:
 * zeros, or the outer seed for x), in one argument list made once. Before each call, what a
 * function that writes its arguments could have changed is put back: the Float64Array arguments
 * as given, the zero tangents zero.
 */
class SecondPass {
  private readonly twin: (...args: unknown[]) => unknown;
  private readonly args: unknown[] = [];
  private readonly innerAt: number;
  private readonly outerAt: number;
  private readonly resets: (() => void)[] = [];

  constructor(f: (...args: unknown[]) => unknown, api: string, primals: readonly unknown[], argnum: number) {
    const name = nameOf(f);
    const first = twinOf(f);
    const second = first && twinOf(first.twin);
    if (!first || !second) {
      throw new Error(`tsjvp: ${api}(${name}) found no second-order twin for ${name}: tag its declaration /** @jvp hessian */ (or call ${api}(${name}) in the module that declares it), and build with the tsjvp plugin or companions`);
    }
    if (!Number.isInteger(argnum) || argnum < 0 || argnum >= primals.length) throw new Error(`tsjvp: ${api}(${name}) has no argument ${argnum} (it got ${primals.length})`);
    const x = primals[argnum];
    if (typeof x !== "number" && !(x instanceof Float64Array)) {
      throw new Error(`tsjvp: ${api}(${name}) differentiates with respect to a number or a Float64Array; argument ${argnum} is neither`);
    }
    if (!first.differentiable[argnum]) throw new Error(`tsjvp: ${api}(${name}): argument ${argnum} is not differentiable`);
    this.twin = second.twin as (...args: unknown[]) => unknown;
    // f_jvp's parameters (`like`: the shape of each), the inner seed's place among them.
    const inner: { kind: "primal" | "zero" | "seed"; like: unknown }[] = [];
    primals.forEach((arg, i) => {
      inner.push({ kind: "primal", like: arg });
      if (first.differentiable[i]) inner.push({ kind: i === argnum ? "seed" : "zero", like: arg });
    });
    // f_jvp_jvp's: each of those, then its tangent where f_jvp's twin takes one (the outer seed for x).
    const xAt = positionOf(first.differentiable, argnum);
    if (!second.differentiable[xAt]) throw new Error(`tsjvp: ${api}(${name}): argument ${argnum} is not differentiable twice`);
    let innerAt = -1;
    let outerAt = -1;
    inner.forEach((slot, q) => {
      if (slot.kind === "seed") innerAt = this.args.length;
      this.args.push(slot.kind === "primal" ? this.kept(slot.like) : slot.kind === "zero" ? this.zeros(slot.like) : undefined);
      if (!second.differentiable[q]) return;
      if (q === xAt) outerAt = this.args.length;
      this.args.push(q === xAt ? undefined : this.zeros(slot.like));
    });
    this.innerAt = innerAt;
    this.outerAt = outerAt;
  }

  /** wᵀ·H·u, for inner seed u and outer seed w (numbers, or Float64Arrays of x's length). */
  entry(u: unknown, w: unknown): number {
    this.args[this.innerAt] = u;
    this.args[this.outerAt] = w;
    for (const reset of this.resets) reset();
    const result = this.twin.apply(undefined, this.args) as [[unknown, unknown], [unknown, unknown]];
    const value = result?.[1]?.[1];
    if (typeof value !== "number") throw new Error("tsjvp: hessian and hvp differentiate a function that returns a number");
    return value;
  }

  /** A Float64Array argument, restored before each call. */
  private kept(arg: unknown): unknown {
    if (arg instanceof Float64Array) {
      const copy = Float64Array.from(arg);
      this.resets.push(() => arg.set(copy));
    }
    return arg;
  }

  /** A zero tangent of `like`'s shape for the next argument, zero again before each call (a pytree's made anew). */
  private zeros(like: unknown): unknown {
    const z: unknown = zerosLike(like);
    if (z instanceof Float64Array) this.resets.push(() => z.fill(0));
    else if (typeof z === "object" && z !== null) {
      const at = this.args.length;
      this.resets.push(() => (this.args[at] = zerosLike(like)));
    }
    return z;
  }
}

/** Where argument `argnum` sits in its twin's parameter list (each differentiable parameter is followed by its tangent). */
function positionOf(differentiable: readonly boolean[], argnum: number): number {
  let at = 0;
  for (let i = 0; i < argnum; i++) at += differentiable[i] ? 2 : 1;
  return at;
}
