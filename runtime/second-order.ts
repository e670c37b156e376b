/**
 * `hessian` and `hvp`: second derivatives, forward over forward. When a module calls `hessian(f)`
 * or `hvp(f, …)`, tsjvp differentiates f's full twin `f_jvp` once more and attaches that twin of
 * the twin (`f_jvp_jvp`) to `f_jvp`, with its vector twin with respect to f's own parameters
 * (`f_jvp_jvp_wrt_x_v8`). One call of it, with the inner tangent of x set to u and the outer one to
 * w, gives wᵀ·H·u in the tangent of the tangent; the vector twin, eight outer seeds per call.
 */
import { twinOf, zerosLike } from "./calls";
import { hessianTwinOf } from "./vector";

export interface HessianOptions<N extends number = number> {
  /** Which argument to differentiate with respect to (default 0). */
  readonly argnums?: N;
  /**
   * Rows per pass: 1 takes one entry per pass of f_jvp_jvp, 8 (or more) eight per pass of the
   * vector twin, where f has one. Default: eight where that fills three quarters of the lanes.
   */
  readonly chunk?: number;
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
  const chunk = options.chunk;
  if (!(chunk === undefined || (Number.isInteger(chunk) && chunk >= 1))) throw new Error(`tsjvp: hessian's chunk must be a positive integer, not ${chunk}`);
  const f = fun as unknown as (...args: unknown[]) => unknown;
  const seeds = new Seeds();
  return (...args: A) => {
    const pass = new SecondPass(f, "hessian", args, argnum, seeds);
    const x = args[argnum];
    if (typeof x === "number") return pass.entry(1, 1) as SecondDerivative<A[N]>;
    const n = (x as Float64Array).length;
    const H = new Float64Array(n * n);
    const inner = seeds.inner(n);
    // Each entry of the upper triangle once, as a row of one column (mirrored into the other).
    const vector = pass.vectorFor((lanes) => ({ rows: (n * (n + 1)) / 2, passes: passesOf(seeds.columns(n, lanes), lanes) }), chunk);
    const columns = seeds.columns(n, vector?.lanes ?? 1);
    for (let j = 0; j < n; j++) {
      inner[j] = 1;
      if (vector) pass.rows(vector, inner, columns[j]!, (i, value) => (H[i * n + j] = H[j * n + i] = value));
      else {
        const outer = seeds.outer(1, n)[0]!;
        for (const i of columns[j]!) {
          outer[i] = 1;
          H[i * n + j] = H[j * n + i] = pass.entry(inner, outer);
          outer[i] = 0;
        }
      }
      inner[j] = 0;
    }
    return H as SecondDerivative<A[N]>;
  };
}

/**
 * The Hessian-vector product H(x)·v of a number-valued `fun` with respect to its first argument,
 * without forming H: `hvp(f, [x, ...rest], [v])`. A Float64Array of x's length (one entry per
 * lane of the twin of the twin: eight per call where it has a vector twin), a number for a number x.
 * @tsjvpApi hvp
 */
export function hvp<A extends readonly unknown[]>(
  fun: (...args: A) => number,
  primals: readonly [...A],
  tangents: readonly [SecondDerivative<A[0]>],
): SecondDerivative<A[0]> {
  const f = fun as unknown as (...args: unknown[]) => unknown;
  if (tangents.length !== 1) throw new Error(`tsjvp: hvp(${nameOf(f)}, primals, [v]) takes one tangent, for the first argument (it got ${tangents.length})`);
  // The seeds are reused from call to call (a call of hvp inside f gets its own).
  const seeds = spareSeeds ?? new Seeds();
  spareSeeds = undefined;
  try {
    return hvpWith(f, primals, tangents[0], seeds);
  } finally {
    spareSeeds = seeds;
  }
}

let spareSeeds: Seeds | undefined;

function hvpWith<A extends readonly unknown[]>(f: (...args: unknown[]) => unknown, primals: readonly [...A], v: SecondDerivative<A[0]>, seeds: Seeds): SecondDerivative<A[0]> {
  const pass = new SecondPass(f, "hvp", primals, 0, seeds);
  const x = primals[0];
  if (typeof x === "number") {
    if (typeof v !== "number") throw new Error(`tsjvp: hvp(${nameOf(f)}): the tangent of a number is a number`);
    return pass.entry(v, 1) as SecondDerivative<A[0]>;
  }
  const n = (x as Float64Array).length;
  if (!(v instanceof Float64Array) || v.length !== n) throw new Error(`tsjvp: hvp(${nameOf(f)}): v must be a Float64Array of x's length ${n}`);
  const Hv = new Float64Array(n);
  const vector = pass.vectorFor((lanes) => ({ rows: n, passes: Math.ceil(n / lanes) }));
  if (vector) pass.rows(vector, v, Array.from({ length: n }, (_, i) => i), (i, value) => (Hv[i] = value));
  else {
    const outer = seeds.outer(1, n)[0]!;
    for (let i = 0; i < n; i++) {
      outer[i] = 1;
      Hv[i] = pass.entry(v, outer);
      outer[i] = 0;
    }
  }
  return Hv as SecondDerivative<A[0]>;
}

/**
 * The rows each column of an n×n Hessian computes, so that every entry of the upper triangle is
 * computed once (as (i, j) or as (j, i)) in few passes of `lanes` rows of one column. Column j's
 * rows 0…j take Σ⌈(j+1)/lanes⌉ passes (24 for n = 16, eight lanes, where 17 would hold the 136
 * entries). Better, for the first m columns (m odd), column j takes the rows j, j+1, …, j+(m−1)/2
 * (mod m): each pair among them once, (m+1)/2 rows per column; the columns after m take rows 0…j.
 * With m = 15 and eight lanes, n = 16 takes 15 + 2 = 17 passes. The m with the fewest passes is taken.
 */
export function hessianColumns(n: number, lanes: number): number[][] {
  const triangle = (from: number) => Array.from({ length: n - from }, (_, k) => Array.from({ length: from + k + 1 }, (_, i) => i));
  let best = triangle(0);
  let fewest = passesOf(best, lanes);
  for (let m = 3; m <= n && lanes > 1; m += 2) {
    const half = (m - 1) / 2;
    let passes = m * Math.ceil((half + 1) / lanes);
    for (let j = m; j < n; j++) passes += Math.ceil((j + 1) / lanes);
    if (passes >= fewest) continue;
    fewest = passes;
    best = [...Array.from({ length: m }, (_, j) => Array.from({ length: half + 1 }, (_, d) => (j + d) % m)), ...triangle(m)];
  }
  return best;
}

function passesOf(columns: readonly (readonly number[])[], lanes: number): number {
  return columns.reduce((sum, rows) => sum + Math.ceil(rows.length / lanes), 0);
}

function nameOf(fun: (...args: never[]) => unknown): string {
  return fun.name || "the function";
}

/**
 * The twins of the twin for one point: `f_jvp_jvp`, one outer seed per call, and where the module
 * made one, the twin hessian and hvp take (`f_jvp_jvp_wrt_x_v8`: eight outer seeds per call; the
 * inner tangent is f_jvp's own parameter, held constant).
 */
class SecondPass {
  private readonly scalar: TwinCall;
  private readonly vector: (() => VectorCall) | undefined;
  private readonly lanes: number;

  constructor(f: (...args: unknown[]) => unknown, api: string, primals: readonly unknown[], argnum: number, private readonly seeds: Seeds) {
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
    const xAt = positionOf(first.differentiable, argnum);
    if (!second.differentiable[xAt]) throw new Error(`tsjvp: ${api}(${name}): argument ${argnum} is not differentiable twice`);
    // Which of f_jvp's parameters the twins may write: as the vector twin's registration says (the
    // same body), else any.
    const vector = hessianTwinOf(first.twin, xAt);
    this.scalar = new TwinCall(second.twin, 1, second.differentiable, vector?.writes, primals, first.differentiable, argnum);
    // Its argument list is made when a call takes it.
    this.vector = vector && typeof x !== "number" ? () => new VectorCall(vector.twin, vector.lanes, vector.mask, vector.writes, primals, first.differentiable, argnum) : undefined;
    this.lanes = vector?.lanes ?? 1;
  }

  /** wᵀ·H·u for inner seed u and outer seed w (numbers, or Float64Arrays of x's length), by the scalar twin. */
  entry(u: unknown, w: unknown): number {
    return this.scalar.entry(u, w);
  }

  /**
   * The vector twin, if one call of hessian or hvp (`counts`: its rows and its passes of so many
   * lanes) fills at least three quarters of its lanes: a pass of eight lanes costs about six scalar
   * passes (measured on Rosenbrock's). Else the scalar twin takes the rows one at a time. `chunk`
   * (hessian's option) decides instead when given.
   */
  vectorFor(counts: (lanes: number) => { rows: number; passes: number }, chunk?: number): VectorCall | undefined {
    if (!this.vector) return undefined;
    if (chunk !== undefined) return chunk >= this.lanes ? this.vector() : undefined;
    const { rows, passes } = counts(this.lanes);
    return 4 * rows >= 3 * passes * this.lanes ? this.vector() : undefined;
  }

  /** eᵢᵀ·H·u for the rows i of `rows`, `twin.lanes` per call of the vector twin, handed to `put`. */
  rows(twin: VectorCall, u: Float64Array, rows: readonly number[], put: (i: number, value: number) => void): void {
    const lanes = twin.lanes;
    // The seeds are e_i in the lanes in use, zeros past them.
    const seeds = this.seeds.outer(lanes, u.length);
    for (let start = 0; start < rows.length; start += lanes) {
      const width = Math.min(lanes, rows.length - start);
      for (let k = 0; k < width; k++) seeds[k]![rows[start + k]!] = 1;
      const values = twin.entries(u, seeds, width);
      for (let k = 0; k < width; k++) {
        seeds[k]![rows[start + k]!] = 0;
        put(rows[start + k]!, values[k]!);
      }
    }
  }
}

/**
 * Calls of one twin of the twin, with its argument list made once: f's arguments, f_jvp's (each
 * differentiable one followed by its tangent: zeros, or the inner seed for x), each of those
 * followed by its outer tangents where the twin takes them (one per lane: the outer seeds for x,
 * zeros for the others). Before each call, what the function could have written is put back: the
 * Float64Array arguments it may write as given, the zero tangents zero.
 */
class TwinCall {
  protected readonly args: unknown[] = [];
  protected readonly innerAt: number;
  protected readonly outerAt: number;
  protected readonly resets: (() => void)[] = [];
  /** Whether the function may write x (then each call gets copies of the seeds). */
  private readonly writesX: boolean;
  private readonly buffers: Float64Array[] = [];

  /**
   * `outer`: which of f_jvp's parameters take outer tangents; `writes`: which it may write
   * (undefined: any); `differentiable`: which of f's parameters take tangents in f_jvp.
   */
  constructor(protected readonly twin: (...args: never[]) => unknown, readonly lanes: number, outer: readonly boolean[], writes: readonly boolean[] | undefined,
    primals: readonly unknown[], differentiable: readonly boolean[], argnum: number) {
    // f_jvp's parameters (`like`: the shape of each), the inner seed's place among them.
    const inner: { kind: "primal" | "zero" | "seed"; like: unknown }[] = [];
    primals.forEach((arg, i) => {
      inner.push({ kind: "primal", like: arg });
      if (differentiable[i]) inner.push({ kind: i === argnum ? "seed" : "zero", like: arg });
    });
    const xAt = positionOf(differentiable, argnum);
    const written = (q: number) => writes?.[q] ?? true;
    let innerAt = -1;
    let outerAt = -1;
    inner.forEach((slot, q) => {
      if (slot.kind === "seed") innerAt = this.args.length;
      this.args.push(slot.kind === "primal" ? this.kept(slot.like, written(q)) : slot.kind === "zero" ? this.zeros(slot.like) : undefined);
      if (!outer[q]) return;
      if (q === xAt) outerAt = this.args.length;
      for (let k = 0; k < lanes; k++) this.args.push(q === xAt ? undefined : this.zeros(slot.like));
    });
    this.innerAt = innerAt;
    this.outerAt = outerAt;
    this.writesX = written(xAt);
  }

  /** wᵀ·H·u for inner seed u and outer seed w, by a twin of one lane (a call site of its own: the vector twins' results have another shape). */
  entry(u: unknown, w: unknown): number {
    const args = this.args;
    args[this.innerAt] = this.own(0, u);
    args[this.outerAt] = this.own(1, w);
    for (const reset of this.resets) reset();
    const result = (this.twin as (...args: unknown[]) => unknown).apply(undefined, args) as [[unknown, unknown], [unknown, unknown]];
    const value = result?.[1]?.[1];
    if (typeof value !== "number") throw new Error("tsjvp: hessian and hvp differentiate a function that returns a number");
    return value;
  }

  /** A function that writes x writes its tangents too: it gets copies of the seeds, in buffers of its own (slot 0 the inner seed, 1 + k lane k's). */
  protected own(slot: number, seed: unknown): unknown {
    if (!this.writesX || !(seed instanceof Float64Array)) return seed;
    let buffer = this.buffers[slot];
    if (buffer?.length !== seed.length) buffer = this.buffers[slot] = new Float64Array(seed.length);
    buffer.set(seed);
    return buffer;
  }

  /** A Float64Array argument the function may write, restored before each call. */
  private kept(arg: unknown, written: boolean): unknown {
    if (written && arg instanceof Float64Array) {
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

/** The vector twin's calls: a class of its own, so that the scalar calls' sites stay monomorphic when both run in one program. */
class VectorCall extends TwinCall {
  /** wᵀ·H·u for inner seed u and the outer seeds w of the first `count` lanes (numbers, or Float64Arrays of x's length). */
  entries(u: unknown, outer: readonly unknown[], count: number): number[] {
    const args = this.args;
    args[this.innerAt] = this.own(0, u);
    for (let k = 0; k < this.lanes; k++) args[this.outerAt + k] = this.own(1 + k, outer[k] ?? 0);
    for (const reset of this.resets) reset();
    // [primal, tangent of lane 0, …], each tangent the outer one of f_jvp's [y, y_dot]: [y_dot', y_dot_dot].
    const result = (this.twin as (...args: unknown[]) => unknown).apply(undefined, args) as unknown[];
    const values: number[] = [];
    for (let k = 0; k < count; k++) {
      const value = (result?.[1 + k] as unknown[] | undefined)?.[1];
      if (typeof value !== "number") throw new Error("tsjvp: hessian and hvp differentiate a function that returns a number");
      values.push(value);
    }
    return values;
  }
}

/**
 * The seeds of one hessian function, reused from call to call while x's length stays the same
 * (allocating typed arrays costs more than a pass of a small function). Handed out zero.
 */
class Seeds {
  private lanes: Float64Array[] = [];
  private column: Float64Array | undefined;
  private plan: { n: number; lanes: number; columns: number[][] } | undefined;

  /** hessianColumns(n, lanes), kept for the next call. */
  columns(n: number, lanes: number): number[][] {
    if (this.plan?.n !== n || this.plan.lanes !== lanes) this.plan = { n, lanes, columns: hessianColumns(n, lanes) };
    return this.plan.columns;
  }

  outer(count: number, n: number): Float64Array[] {
    if (this.lanes.length !== count || this.lanes[0]?.length !== n) this.lanes = Array.from({ length: count }, () => new Float64Array(n));
    else for (const seed of this.lanes) seed.fill(0);
    return this.lanes;
  }

  inner(n: number): Float64Array {
    if (this.column?.length !== n) this.column = new Float64Array(n);
    else this.column.fill(0);
    return this.column;
  }
}

/** Where argument `argnum` sits in its twin's parameter list (each differentiable parameter is followed by its tangent). */
function positionOf(differentiable: readonly boolean[], argnum: number): number {
  let at = 0;
  for (let i = 0; i < argnum; i++) at += differentiable[i] ? 2 : 1;
  return at;
}
