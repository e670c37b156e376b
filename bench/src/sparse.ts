/**
 * A whole bundle-adjustment problem (ADBench's reprojection error, ba.h): cameras [r(3) | C(3) |
 * f | u0 v0 | k1 k2], points X(3) and one weight per observation, all in one parameter vector;
 * two residuals per observation. Its full sparse Jacobian by jacfwdSparse with the pattern computed
 * once beforehand (sparsity), against the objective's time. Target: at most 6.5× (ADBench's C++
 * hand-written Jacobian 6.5–7.4×, a hand-written JavaScript 15-wide tangent 9.5×).
 */
import { jacfwdSparse, sparsity, type SparsityPattern } from "tsjvp";
import { random } from "./case";
import { time } from "./jacobians";

export interface SparseRow {
  readonly case: string;
  /** Rows and columns of the Jacobian, its nonzeros, and the colours of its columns (forward directions). */
  readonly m: number;
  readonly n: number;
  readonly nonzeros: number;
  readonly colors: number;
  readonly jac_over_primal: number;
  readonly medians_ms: { primal: number; jac: number; pattern: number };
}

/**
 * All residuals: observation k sees point pts[k] from camera cams[k], weighted by params[11·nCams +
 * 3·nPts + k]. (The per-observation case's formula, with offsets into one array: that case keeps its
 * constant indices, which its hand-written tangent has too; offsets there cost its twin a fifth.)
 */
export function baResiduals(params: Float64Array, cams: Int32Array, pts: Int32Array, feats: Float64Array, nCams: number, nPts: number): Float64Array {
  const nObs = cams.length;
  const out = new Float64Array(2 * nObs);
  for (let k = 0; k < nObs; k++) {
    const c = 11 * cams[k];
    const p = 11 * nCams + 3 * pts[k];
    const w = params[11 * nCams + 3 * nPts + k];
    const x0 = params[p] - params[c + 3];
    const x1 = params[p + 1] - params[c + 4];
    const x2 = params[p + 2] - params[c + 5];
    const r0 = params[c];
    const r1 = params[c + 1];
    const r2 = params[c + 2];
    const theta2 = r0 * r0 + r1 * r1 + r2 * r2;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    if (theta2 !== 0) {
      const theta = Math.sqrt(theta2);
      const ct = Math.cos(theta);
      const st = Math.sin(theta);
      const v0 = r0 / theta;
      const v1 = r1 / theta;
      const v2 = r2 / theta;
      const d = (v0 * x0 + v1 * x1 + v2 * x2) * (1 - ct);
      c0 = x0 * ct + (v1 * x2 - v2 * x1) * st + v0 * d;
      c1 = x1 * ct + (v2 * x0 - v0 * x2) * st + v1 * d;
      c2 = x2 * ct + (v0 * x1 - v1 * x0) * st + v2 * d;
    } else {
      c0 = x0 + (r1 * x2 - r2 * x1);
      c1 = x1 + (r2 * x0 - r0 * x2);
      c2 = x2 + (r0 * x1 - r1 * x0);
    }
    const u = c0 / c2;
    const v = c1 / c2;
    const rsq = u * u + v * v;
    const L = 1 + params[c + 9] * rsq + params[c + 10] * rsq * rsq;
    out[2 * k] = w * (u * L * params[c + 6] + params[c + 7] - feats[2 * k]);
    out[2 * k + 1] = w * (v * L * params[c + 6] + params[c + 8] - feats[2 * k + 1]);
  }
  return out;
}

export function sparseRows(samples: number): SparseRow[] {
  const rand = random(11);
  // ADBench's ba1 has 49 cameras, 7,776 points and 31,843 observations; this is a third of it.
  const nCams = 16;
  const nPts = 2_500;
  const nObs = 10_000;
  const cams = Int32Array.from({ length: nObs }, (_, k) => k % nCams);
  const pts = Int32Array.from({ length: nObs }, (_, k) => (k < nPts ? k : Math.floor(rand() * nPts)));
  const params = new Float64Array(11 * nCams + 3 * nPts + nObs);
  for (let c = 0; c < nCams; c++) {
    params.set([0.1 * rand(), 0.1 * rand(), 0.1 * rand(), rand(), rand(), rand(), 500 + 100 * rand(), rand(), rand(), 1e-3 * rand(), 1e-5 * rand()], 11 * c);
  }
  for (let p = 0; p < nPts; p++) params.set([rand() * 4 - 2, rand() * 4 - 2, 8 + 4 * rand()], 11 * nCams + 3 * p);
  for (let k = 0; k < nObs; k++) params[11 * nCams + 3 * nPts + k] = 0.5 + rand();
  const feats = Float64Array.from({ length: 2 * nObs }, () => rand() * 10);
  const started = process.hrtime.bigint();
  const pattern: SparsityPattern = sparsity(baResiduals)(params, cams, pts, feats, nCams, nPts);
  const patternMs = Number(process.hrtime.bigint() - started) / 1e6;
  const jac = jacfwdSparse(baResiduals, { pattern });
  // Each sample times a batch of 12 calls (one call alone, 0.4–5 ms, measured a tier-up or a
  // collection as often as the objective: its median moved tenfold between runs).
  const m = time({
    primal: () => baResiduals(params, cams, pts, feats, nCams, nPts),
    jac: () => jac(params, cams, pts, feats, nCams, nPts).values,
  }, Math.max(9, Math.round(samples / 2)), 40);
  return [{
    case: `bundle adjustment, ${nCams} cameras, ${nPts} points, ${nObs} observations`,
    m: pattern.m, n: pattern.n, nonzeros: pattern.colIdx.length, colors: pattern.colorCount,
    jac_over_primal: m.jac / m.primal, medians_ms: { primal: m.primal, jac: m.jac, pattern: patternMs },
  }];
}
