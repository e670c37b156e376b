/**
 * `jacfwd`: the Jacobian of a function with respect to one argument, column by column in forward
 * mode: eight columns per pass of its vector twin (one primal evaluation per pass), else one pass
 * per column of the twin for that argument, else of the full twin.
 */
import { twinOf, zerosLike } from "./calls";
import { vectorTwinOf } from "./vector";
import { ruleOf } from "./custom";

export interface JacfwdOptions<N extends number = number> {
  /** Which argument to differentiate with respect to (default 0). */
  readonly argnums?: N;
  /** Columns per pass at most (default: the vector twin's eight; below eight, one column per pass). */
  readonly chunk?: number;
}

/**
 * The Jacobian's shape: for an output leaf `y` and the argument `x`, a number when both are
 * numbers, else a Float64Array: ∂y/∂x (x a number, y of length m: m entries), the gradient
 * (y a number, x of length n: n entries), or m·n entries row-major, `J[i*n + j] = ∂yᵢ/∂xⱼ`.
 * Arrays and plain objects of leaves keep their structure.
 */
export type Jacobian<Y, X> = Y extends number
  ? X extends number ? number : Float64Array
  : Y extends Float64Array
    ? Float64Array
    : Y extends readonly unknown[]
      ? { -readonly [K in keyof Y]: Jacobian<Y[K], X> }
      : Y extends (...args: never[]) => unknown
        ? null
        : Y extends object
          ? { -readonly [K in keyof Y]: Jacobian<Y[K], X> }
          : null;

/**
 * The Jacobian of `fun` with respect to argument `argnums` (a number or a Float64Array), as a
 * function of `fun`'s arguments: `jacfwd(f)(x)`. The tsjvp plugin (or a companion) gives `fun` its
 * twins; other arguments are held constant.
 * @tsjvpApi jacfwd
 */
export function jacfwd<A extends readonly unknown[], R, N extends number = 0>(
  fun: (...args: A) => R,
  options: JacfwdOptions<N> = {},
): (...args: A) => Jacobian<R, A[N]> {
  const argnum = options.argnums ?? 0;
  const chunk = options.chunk ?? Infinity;
  if (!(chunk === Infinity || (Number.isInteger(chunk) && chunk >= 1))) throw new Error(`tsjvp: jacfwd's chunk must be a positive integer, not ${chunk}`);
  const f = fun as unknown as (...args: unknown[]) => unknown;
  // Which twin computes the columns is decided at the first call (twins attach when their module loads).
  let engine: Engine | undefined;
  return (...args: A) => {
    if (!Number.isInteger(argnum) || argnum < 0 || argnum >= args.length) throw new Error(`tsjvp: jacfwd(${nameOf(f)}) has no argument ${argnum} (it got ${args.length})`);
    // A number argument has one column: a pass of one lane.
    engine ??= engineOf(f, argnum, typeof args[argnum] === "number" ? 1 : chunk);
    return assemble(engine, args, argnum, nameOf(f)) as Jacobian<R, A[N]>;
  };
}

function nameOf(fun: (...args: never[]) => unknown): string {
  return fun.name || "the function";
}

/** How columns are computed: `lanes` per call of `twin`, whose parameters take tangents where `mask` says. */
export interface Engine {
  readonly lanes: number;
  readonly mask: readonly boolean[] | undefined;
  /** The twin's result: [primal, tangent of lane 0, …]; a rule's: [primal, tangent]. */
  readonly twin: (...interleaved: never[]) => unknown;
  readonly rule: boolean;
  /** Which parameters the function may write (undefined: not known, any array or object). */
  readonly writes: readonly boolean[] | undefined;
  /** The seeds of the last Jacobian's passes, reused while the argument's length stays the same (allocating typed arrays is costly next to a pass of a small function). */
  seeds?: Float64Array[];
}

function engineOf(fun: (...args: unknown[]) => unknown, argnum: number, chunk: number): Engine {
  const name = nameOf(fun);
  const full = twinOf(fun);
  // A function with a custom rule (and no twin): its rule, one column per call.
  const rule = ruleOf(fun);
  if (!full && rule) return { lanes: 1, mask: undefined, twin: rule as (...args: never[]) => unknown, rule: true, writes: undefined };
  if (!full) throw new Error(`tsjvp: jacfwd(${name}) found no twin for ${name}: mark it with /** @jvp */, or differentiate it in its own module (jacfwd(${name}) there), and build with the tsjvp plugin or companions`);
  if (!full.differentiable[argnum]) throw new Error(`tsjvp: jacfwd(${name}, { argnums: ${argnum} }): that parameter is not differentiable (a number, a Float64Array or a pytree of them)`);
  const vector = vectorTwinOf(fun, argnum, chunk);
  return vector ? { lanes: vector.lanes, mask: vector.mask, twin: vector.twin, rule: false, writes: vector.writes }
    : { lanes: 1, mask: full.differentiable, twin: full.twin, rule: false, writes: undefined };
}

/**
 * One pass: the twin called with each argument followed, where the mask says it takes tangents, by
 * one tangent per lane: the seeds for `argnum`, zeros for the others (fresh: a twin may write them).
 * Returns the twin's result, [primal, column of lane 0, column of lane 1, …].
 */
function pass(engine: Engine, args: readonly unknown[], argnum: number, seeds: readonly unknown[]): unknown[] {
  if (engine.rule) {
    const tangents: unknown[] = [];
    for (let i = 0; i < args.length; i++) tangents.push(i === argnum ? seeds[0] : null);
    return (engine.twin as unknown as (p: readonly unknown[], t: readonly unknown[]) => unknown[])(args, tangents);
  }
  const interleaved: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    interleaved.push(args[i]);
    if (!engine.mask![i]) continue;
    for (let k = 0; k < engine.lanes; k++) interleaved.push(i === argnum ? seeds[k] : zerosLike(args[i]));
  }
  return engine.twin(...(interleaved as never[])) as unknown[];
}

/** How `jacfwdSparse` takes its compressed columns: the engine jacfwd would use. */
export function columnEngine(fun: (...args: unknown[]) => unknown, argnum: number, chunk: number): Engine {
  return engineOf(fun, argnum, chunk);
}

/**
 * The output tangent for each of `seeds` (directions in argument `argnum`), `engine.lanes` per
 * pass; each pass starts from the arguments as given.
 */
export function directionalDerivatives(engine: Engine, args: readonly unknown[], argnum: number, seeds: readonly unknown[]): unknown[] {
  const lanes = engine.lanes;
  const kept = seeds.length > lanes ? keep(args, engine.writes) : undefined;
  // Lanes past the last seed get zeros of their own (a function writing its argument writes them;
  // one that does not shares one array of zeros).
  const x = args[argnum];
  let shared: Float64Array | undefined;
  const zero = () => {
    if (typeof x === "number") return 0;
    const n = (x as Float64Array).length;
    if (engine.writes?.[argnum] !== false) return new Float64Array(n);
    return (shared ??= new Float64Array(n));
  };
  const out: unknown[] = [];
  for (let start = 0; start < seeds.length; start += lanes) {
    if (kept && start > 0) restore(args, kept);
    const chunk: unknown[] = [];
    for (let k = 0; k < lanes; k++) chunk.push(start + k < seeds.length ? seeds[start + k] : zero());
    const result = pass(engine, args, argnum, chunk);
    // (Each pass's tangents are fresh arrays of the twin's: kept as they are.)
    for (let k = 0; k < lanes && start + k < seeds.length; k++) out.push(result[1 + k]);
  }
  return out;
}

/** The Jacobian, `engine.lanes` columns per pass (one column for a number argument). */
function assemble(engine: Engine, args: readonly unknown[], argnum: number, name: string): unknown {
  const x = args[argnum];
  if (typeof x === "number") {
    const seeds: number[] = [];
    for (let k = 0; k < engine.lanes; k++) seeds.push(k === 0 ? 1 : 0);
    return pass(engine, args, argnum, seeds)[1];
  }
  if (!(x instanceof Float64Array)) throw new Error(`tsjvp: jacfwd(${name}) differentiates with respect to a number or a Float64Array; argument ${argnum} is neither (differentiate a pytree's leaves one argument at a time)`);
  const n = x.length;
  const lanes = engine.lanes;
  // The seeds of a pass (e_j for its columns, zeros in lanes past the last column), reused from pass to pass.
  if (engine.seeds?.[0]?.length !== n) {
    engine.seeds = [];
    for (let k = 0; k < lanes; k++) engine.seeds.push(new Float64Array(n));
  }
  const seeds = engine.seeds;
  // A function that writes its arguments would see its own writes in a later pass: each pass
  // starts from the arguments as given (and leaves them as one call of f leaves them).
  const kept = n > lanes ? keep(args, engine.writes) : undefined;
  let result: Assembly | undefined;
  for (let start = 0; start < n; start += lanes) {
    if (kept && start > 0) restore(args, kept);
    const count = Math.min(lanes, n - start);
    seeds.forEach((seed, k) => {
      seed.fill(0);
      if (k < count) seed[start + k] = 1;
    });
    // (A twin reads its seeds and never keeps them: the result holds copies, made before the next pass.)
    const out = pass(engine, args, argnum, seeds);
    result ??= assembly(out[1], n);
    for (let k = 0; k < count; k++) result.put(out[1 + k], start + k);
  }
  return (result ?? assembly(undefined, 0)).value;
}

/** Copies of the arguments a function may write (`writes` unknown: every array and object). */
function keep(args: readonly unknown[], writes: readonly boolean[] | undefined): Map<number, unknown> | undefined {
  let kept: Map<number, unknown> | undefined;
  args.forEach((a, i) => {
    if ((writes ? writes[i] : true) && a !== null && typeof a === "object") (kept ??= new Map()).set(i, copy(a));
  });
  return kept;
}

/** A deep copy of an argument (Float64Arrays, arrays, plain objects; other values as they are). */
export function copy(v: unknown): unknown {
  if (v instanceof Float64Array) return v.slice();
  if (Array.isArray(v)) return v.map(copy);
  if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, copy(e)]));
  return v;
}

/** Writes the kept contents back into the arguments themselves (their identity is the caller's). */
function restore(args: readonly unknown[], kept: Map<number, unknown>): void {
  for (const [i, saved] of kept) into(args[i], saved);
}

function into(target: unknown, saved: unknown): void {
  if (target instanceof Float64Array) return target.set(saved as Float64Array);
  if (Array.isArray(target)) {
    const s = saved as unknown[];
    target.length = s.length;
    s.forEach((e, k) => (e !== null && typeof e === "object" && target[k] !== null && typeof target[k] === "object" ? into(target[k], e) : (target[k] = e)));
    return;
  }
  if (target !== null && typeof target === "object") {
    const t = target as Record<string, unknown>;
    for (const [k, e] of Object.entries(saved as Record<string, unknown>)) {
      if (e !== null && typeof e === "object" && t[k] !== null && typeof t[k] === "object") into(t[k], e);
      else t[k] = e;
    }
  }
}


/** The Jacobian being filled column by column, shaped like the output. */
interface Assembly {
  readonly value: unknown;
  put(column: unknown, j: number): void;
}

function assembly(sample: unknown, n: number): Assembly {
  if (typeof sample === "number") {
    const value = new Float64Array(n);
    return { value, put: (c, j) => void (value[j] = c as number) };
  }
  if (sample instanceof Float64Array) {
    const m = sample.length;
    const value = new Float64Array(m * n);
    return { value, put: (c, j) => { for (let i = 0; i < m; i++) value[i * n + j] = (c as Float64Array)[i]!; } };
  }
  if (Array.isArray(sample)) {
    const parts = sample.map((s) => assembly(s, n));
    return { value: parts.map((p) => p.value), put: (c, j) => parts.forEach((p, i) => p.put((c as unknown[])[i], j)) };
  }
  if (sample !== null && typeof sample === "object") {
    const parts = Object.entries(sample).map(([k, s]) => [k, assembly(s, n)] as const);
    return { value: Object.fromEntries(parts.map(([k, p]) => [k, p.value])), put: (c, j) => parts.forEach(([k, p]) => p.put((c as Record<string, unknown>)[k], j)) };
  }
  return { value: null, put: () => undefined };
}
