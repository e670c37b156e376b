/** One benchmark case: the same computation as primal, twin (tsjvp), hand-written tangent, Dual class and central differences. */
export interface Case {
  readonly name: string;
  /** JVPs per run (Black–Scholes: 2; bundle adjustment: 15 per observation): ratios are per direction. */
  readonly directions: number;
  readonly primal: () => unknown;
  /** Each returns the tangent(s) it computed, for the error check (flattened outside the timing). */
  readonly twin: () => Out;
  readonly hand: () => Out;
  readonly dual: () => Out;
  readonly fd: () => Out;
  /** jax-js (jit on), timed until the result is read back; `jaxjsScale` multiplies its time (fewer calls run). */
  readonly jaxjs?: () => Out;
  readonly jaxjsScale?: number;
}

export type Out = number | ArrayLike<number> | readonly (number | ArrayLike<number>)[];

/** Groups results without copying them inside the timed region. */
export function flat(...parts: (number | ArrayLike<number>)[]): Out {
  return parts;
}

export function flatten(out: Out): Float64Array {
  if (typeof out === "number") return Float64Array.of(out);
  if (Array.isArray(out)) {
    const parts = (out as (number | ArrayLike<number>)[]).map((p) => (typeof p === "number" ? Float64Array.of(p) : Float64Array.from(p)));
    const total = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      total.set(p, at);
      at += p.length;
    }
    return total;
  }
  return Float64Array.from(out as ArrayLike<number>);
}

/** A deterministic generator (mulberry32), so every run measures the same inputs. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const fdStep = 1e-6;
