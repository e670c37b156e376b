/**
 * Timing: every variant of a case is warmed up, then sampled in rotating order within the same
 * run (so that drift and noise hit all of them alike), and summarised by medians.
 */
import { Case, flatten } from "./case";

export const variants = ["primal", "twin", "hand", "dual", "fd", "jaxjs"] as const;
export type Variant = (typeof variants)[number];

export interface Measured {
  readonly medians: Partial<Record<Variant, number>>; // milliseconds per run
  readonly twinError: number; // ‖twin − hand‖∞ / ‖hand‖∞
  readonly dualError: number;
  readonly fdError: number;
  readonly jaxjsError?: number;
}

function relError(a: Float64Array, reference: Float64Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - reference[i]));
    norm = Math.max(norm, Math.abs(reference[i]));
  }
  return a.length === reference.length ? diff / (norm || 1) : Infinity;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function measure(c: Case, samples: number, warmup: number): Measured {
  const run: Partial<Record<Variant, () => unknown>> = { primal: c.primal, twin: c.twin, hand: c.hand, dual: c.dual, fd: c.fd, jaxjs: c.jaxjs };
  const active = variants.filter((v) => run[v]);
  const results: Partial<Record<Variant, Float64Array>> = {};
  for (const v of active) {
    const out = run[v]!();
    if (v !== "primal") results[v] = flatten(out as never);
    for (let i = 1; i < warmup; i++) run[v]!();
  }
  const times: Partial<Record<Variant, number[]>> = {};
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < active.length; k++) {
      const v = active[(s + k) % active.length];
      const start = process.hrtime.bigint();
      run[v]!();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      (times[v] ??= []).push(v === "jaxjs" ? ms * (c.jaxjsScale ?? 1) : ms);
    }
  }
  const medians: Partial<Record<Variant, number>> = {};
  for (const v of active) medians[v] = median(times[v]!);
  const hand = results.hand!;
  return {
    medians,
    twinError: relError(results.twin!, hand),
    dualError: relError(results.dual!, hand),
    fdError: relError(results.fd!, hand),
    // The tiny tutorial cases sum tangents over many calls; jax-js returns one call's: no comparison there.
    jaxjsError: results.jaxjs && results.jaxjs.length === hand.length ? relError(results.jaxjs, hand) : undefined,
  };
}
