/**
 * The primitives of tsjvp/ops against the loops a person writes: each primitive against a plain
 * loop computing the same thing, and its twin (through `jvp` in a function the plugin compiled,
 * so the twin calls the primitive's hand-written tangent) against a hand-written tangent loop.
 * Targets: primitive ≤ 1.1× the loop, tangent ≤ 1.2× the hand-written tangent.
 */
import { jvp } from "tsjvp";
import { logsumexp, matmul, matvec, softmax } from "tsjvp/ops";
import { random } from "./case";

export interface OpsRow {
  readonly case: string;
  readonly primitive_over_loop: number;
  readonly tangent_over_hand: number;
  readonly medians_ms: { primitive: number; loop: number; tangent: number; hand: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Rotating samples of the four variants (noise hits them alike); medians in ms; results compared. */
function time(variants: Record<"primitive" | "loop" | "tangent" | "hand", () => ArrayLike<number> | number>, samples: number): OpsRow["medians_ms"] {
  const names = Object.keys(variants) as (keyof typeof variants)[];
  const values = (v: ArrayLike<number> | number): number[] => (typeof v === "number" ? [v] : Array.from(v));
  const out = Object.fromEntries(names.map((n) => [n, values(variants[n]())])) as Record<string, number[]>;
  const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-9 * (1 + Math.abs(b[i])));
  if (!close(out.primitive, out.loop) || !close(out.tangent, out.hand)) throw new Error("ops bench: a primitive and its loop disagree");
  const times: Record<string, number[]> = {};
  for (let s = 0; s < samples; s++) {
    names.forEach((_, k) => {
      const n = names[(s + k) % names.length];
      const start = process.hrtime.bigint();
      variants[n]();
      (times[n] ??= []).push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return { primitive: median(times.primitive), loop: median(times.loop), tangent: median(times.tangent), hand: median(times.hand) };
}

// Functions the plugin differentiates: each calls one primitive.
function layer(A: Float64Array, x: Float64Array, m: number, n: number, out: Float64Array): Float64Array {
  return matvec(A, m, n, x, out);
}
function product(A: Float64Array, B: Float64Array, n: number, out: Float64Array): Float64Array {
  return matmul(A, B, n, n, n, out);
}
function probabilities(x: Float64Array, out: Float64Array): Float64Array {
  return softmax(x, out);
}
function normaliser(x: Float64Array): number {
  return logsumexp(x);
}

export function opsRows(samples: number): OpsRow[] {
  const rand = random(11);
  const vec = (n: number) => Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const rows: OpsRow[] = [];
  const row = (name: string, m: OpsRow["medians_ms"]) => rows.push({ case: name, primitive_over_loop: m.primitive / m.loop, tangent_over_hand: m.tangent / m.hand, medians_ms: m });

  {
    const [m, n] = [512, 512];
    const A = vec(m * n);
    const x = vec(n);
    const dx = vec(n);
    const y = new Float64Array(m);
    const dy = new Float64Array(m);
    row("matvec 512×512 (x differentiated)", time({
      primitive: () => matvec(A, m, n, x, y),
      loop: () => {
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
          y[i] = s;
        }
        return y;
      },
      tangent: () => jvp(layer, [A, x, m, n, y], [null, dx, null, null, dy])[1],
      hand: () => {
        for (let i = 0; i < m; i++) {
          let s = 0;
          let d = 0;
          for (let j = 0; j < n; j++) {
            s += A[i * n + j] * x[j];
            d += A[i * n + j] * dx[j];
          }
          y[i] = s;
          dy[i] = d;
        }
        return dy;
      },
    }, samples));
  }
  {
    const n = 128;
    const A = vec(n * n);
    const B = vec(n * n);
    const dA = vec(n * n);
    const C = new Float64Array(n * n);
    const dC = new Float64Array(n * n);
    row("matmul 128³ (A differentiated)", time({
      primitive: () => matmul(A, B, n, n, n, C),
      loop: () => {
        C.fill(0);
        for (let i = 0; i < n; i++) for (let p = 0; p < n; p++) {
          const a = A[i * n + p];
          for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * n + j];
        }
        return C;
      },
      tangent: () => jvp(product, [A, B, n, C], [dA, null, null, dC])[1],
      hand: () => {
        C.fill(0);
        dC.fill(0);
        for (let i = 0; i < n; i++) for (let p = 0; p < n; p++) {
          const a = A[i * n + p];
          const da = dA[i * n + p];
          for (let j = 0; j < n; j++) {
            C[i * n + j] += a * B[p * n + j];
            dC[i * n + j] += da * B[p * n + j];
          }
        }
        return dC;
      },
    }, samples));
  }
  {
    const n = 100_000;
    const x = vec(n);
    const dx = vec(n);
    const y = new Float64Array(n);
    const dy = new Float64Array(n);
    row("softmax 1e5", time({
      primitive: () => softmax(x, y),
      loop: () => {
        let m = -Infinity;
        for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
        let s = 0;
        for (let i = 0; i < n; i++) s += y[i] = Math.exp(x[i] - m);
        for (let i = 0; i < n; i++) y[i] /= s;
        return y;
      },
      tangent: () => jvp(probabilities, [x, y], [dx, dy])[1],
      hand: () => {
        let m = -Infinity;
        for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
        let s = 0;
        for (let i = 0; i < n; i++) s += y[i] = Math.exp(x[i] - m);
        let d = 0;
        for (let i = 0; i < n; i++) {
          y[i] /= s;
          d += y[i] * dx[i];
        }
        for (let i = 0; i < n; i++) dy[i] = y[i] * (dx[i] - d);
        return dy;
      },
    }, samples));
    row("logsumexp 1e5", time({
      primitive: () => logsumexp(x),
      loop: () => {
        let m = -Infinity;
        for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
        let s = 0;
        for (let i = 0; i < n; i++) s += Math.exp(x[i] - m);
        return m + Math.log(s);
      },
      tangent: () => jvp(normaliser, [x], [dx])[1],
      hand: () => {
        let m = -Infinity;
        for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
        let s = 0;
        let d = 0;
        for (let i = 0; i < n; i++) {
          const e = Math.exp(x[i] - m);
          s += e;
          d += e * dx[i];
        }
        return d / s;
      },
    }, samples));
  }
  return rows;
}
