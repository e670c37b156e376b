// Bundle-adjustment reprojection error as in ADBench (ba.h): camera [r(3) | C(3) | f | u0 v0 |
// k1 k2], point X(3), weight w. The Jacobian of each 2-output residual with respect to its 15
// inputs, for 10^4 observations, as 15 JVPs per observation.
import { jvp } from "tsjvp";
import { Dual } from "../dual";
import { Case, fdStep, random } from "../case";

function reprojection(cam: Float64Array, X: Float64Array, w: number, feat: Float64Array, out: Float64Array): void {
  const x0 = X[0] - cam[3];
  const x1 = X[1] - cam[4];
  const x2 = X[2] - cam[5];
  const r0 = cam[0];
  const r1 = cam[1];
  const r2 = cam[2];
  const theta2 = r0 * r0 + r1 * r1 + r2 * r2;
  let c0: number;
  let c1: number;
  let c2: number;
  if (theta2 !== 0) {
    const theta = Math.sqrt(theta2);
    const ct = Math.cos(theta);
    const st = Math.sin(theta);
    const v0 = r0 / theta;
    const v1 = r1 / theta;
    const v2 = r2 / theta;
    const k = (v0 * x0 + v1 * x1 + v2 * x2) * (1 - ct);
    c0 = x0 * ct + (v1 * x2 - v2 * x1) * st + v0 * k;
    c1 = x1 * ct + (v2 * x0 - v0 * x2) * st + v1 * k;
    c2 = x2 * ct + (v0 * x1 - v1 * x0) * st + v2 * k;
  } else {
    c0 = x0 + (r1 * x2 - r2 * x1);
    c1 = x1 + (r2 * x0 - r0 * x2);
    c2 = x2 + (r0 * x1 - r1 * x0);
  }
  const u = c0 / c2;
  const v = c1 / c2;
  const rsq = u * u + v * v;
  const L = 1 + cam[9] * rsq + cam[10] * rsq * rsq;
  out[0] = w * (u * L * cam[6] + cam[7] - feat[0]);
  out[1] = w * (v * L * cam[6] + cam[8] - feat[1]);
}

/** One tangent pass by hand, line by line, for the direction (dcam, dX, dw). */
function reprojectionHand(cam: Float64Array, dcam: Float64Array, X: Float64Array, dX: Float64Array, w: number, dw: number, feat: Float64Array, out: Float64Array, dout: Float64Array): void {
  const x0 = X[0] - cam[3], dx0 = dX[0] - dcam[3];
  const x1 = X[1] - cam[4], dx1 = dX[1] - dcam[4];
  const x2 = X[2] - cam[5], dx2 = dX[2] - dcam[5];
  const r0 = cam[0], dr0 = dcam[0];
  const r1 = cam[1], dr1 = dcam[1];
  const r2 = cam[2], dr2 = dcam[2];
  const theta2 = r0 * r0 + r1 * r1 + r2 * r2;
  const dtheta2 = 2 * (r0 * dr0 + r1 * dr1 + r2 * dr2);
  let c0: number, c1: number, c2: number, dc0: number, dc1: number, dc2: number;
  if (theta2 !== 0) {
    const theta = Math.sqrt(theta2);
    const dtheta = dtheta2 / (2 * theta);
    const ct = Math.cos(theta), dct = -Math.sin(theta) * dtheta;
    const st = Math.sin(theta), dst = ct * dtheta;
    const v0 = r0 / theta, dv0 = (dr0 - v0 * dtheta) / theta;
    const v1 = r1 / theta, dv1 = (dr1 - v1 * dtheta) / theta;
    const v2 = r2 / theta, dv2 = (dr2 - v2 * dtheta) / theta;
    const dot = v0 * x0 + v1 * x1 + v2 * x2;
    const ddot = dv0 * x0 + v0 * dx0 + dv1 * x1 + v1 * dx1 + dv2 * x2 + v2 * dx2;
    const k = dot * (1 - ct), dk = ddot * (1 - ct) - dot * dct;
    const q0 = v1 * x2 - v2 * x1, dq0 = dv1 * x2 + v1 * dx2 - dv2 * x1 - v2 * dx1;
    const q1 = v2 * x0 - v0 * x2, dq1 = dv2 * x0 + v2 * dx0 - dv0 * x2 - v0 * dx2;
    const q2 = v0 * x1 - v1 * x0, dq2 = dv0 * x1 + v0 * dx1 - dv1 * x0 - v1 * dx0;
    c0 = x0 * ct + q0 * st + v0 * k;
    dc0 = dx0 * ct + x0 * dct + dq0 * st + q0 * dst + dv0 * k + v0 * dk;
    c1 = x1 * ct + q1 * st + v1 * k;
    dc1 = dx1 * ct + x1 * dct + dq1 * st + q1 * dst + dv1 * k + v1 * dk;
    c2 = x2 * ct + q2 * st + v2 * k;
    dc2 = dx2 * ct + x2 * dct + dq2 * st + q2 * dst + dv2 * k + v2 * dk;
  } else {
    c0 = x0 + (r1 * x2 - r2 * x1);
    dc0 = dx0 + (dr1 * x2 + r1 * dx2 - dr2 * x1 - r2 * dx1);
    c1 = x1 + (r2 * x0 - r0 * x2);
    dc1 = dx1 + (dr2 * x0 + r2 * dx0 - dr0 * x2 - r0 * dx2);
    c2 = x2 + (r0 * x1 - r1 * x0);
    dc2 = dx2 + (dr0 * x1 + r0 * dx1 - dr1 * x0 - r1 * dx0);
  }
  const u = c0 / c2, du = (dc0 - u * dc2) / c2;
  const v = c1 / c2, dv = (dc1 - v * dc2) / c2;
  const rsq = u * u + v * v, drsq = 2 * (u * du + v * dv);
  const L = 1 + cam[9] * rsq + cam[10] * rsq * rsq;
  const dL = dcam[9] * rsq + cam[9] * drsq + dcam[10] * rsq * rsq + 2 * cam[10] * rsq * drsq;
  const p0 = u * L * cam[6] + cam[7] - feat[0];
  const dp0 = (du * L + u * dL) * cam[6] + u * L * dcam[6] + dcam[7];
  const p1 = v * L * cam[6] + cam[8] - feat[1];
  const dp1 = (dv * L + v * dL) * cam[6] + v * L * dcam[6] + dcam[8];
  out[0] = w * p0;
  dout[0] = dw * p0 + w * dp0;
  out[1] = w * p1;
  dout[1] = dw * p1 + w * dp1;
}

function reprojectionDual(cam: Dual[], X: Dual[], w: Dual, feat: Float64Array, out: Dual[]): void {
  const x0 = X[0].sub(cam[3]), x1 = X[1].sub(cam[4]), x2 = X[2].sub(cam[5]);
  const [r0, r1, r2] = cam;
  const theta2 = r0.mul(r0).add(r1.mul(r1)).add(r2.mul(r2));
  let c0: Dual, c1: Dual, c2: Dual;
  if (theta2.v !== 0) {
    const theta = theta2.sqrt();
    const ct = theta.cos(), st = theta.sin();
    const v0 = r0.div(theta), v1 = r1.div(theta), v2 = r2.div(theta);
    const k = v0.mul(x0).add(v1.mul(x1)).add(v2.mul(x2)).mul(Dual.c(1).sub(ct));
    c0 = x0.mul(ct).add(v1.mul(x2).sub(v2.mul(x1)).mul(st)).add(v0.mul(k));
    c1 = x1.mul(ct).add(v2.mul(x0).sub(v0.mul(x2)).mul(st)).add(v1.mul(k));
    c2 = x2.mul(ct).add(v0.mul(x1).sub(v1.mul(x0)).mul(st)).add(v2.mul(k));
  } else {
    c0 = x0.add(r1.mul(x2).sub(r2.mul(x1)));
    c1 = x1.add(r2.mul(x0).sub(r0.mul(x2)));
    c2 = x2.add(r0.mul(x1).sub(r1.mul(x0)));
  }
  const u = c0.div(c2), v = c1.div(c2);
  const rsq = u.mul(u).add(v.mul(v));
  const L = cam[9].mul(rsq).add(cam[10].mul(rsq).mul(rsq)).addc(1);
  out[0] = w.mul(u.mul(L).mul(cam[6]).add(cam[7]).addc(-feat[0]));
  out[1] = w.mul(v.mul(L).mul(cam[6]).add(cam[8]).addc(-feat[1]));
}

export function bundleAdjustmentCase(): Case {
  const count = 10_000;
  const rand = random(4);
  const cams: Float64Array[] = [];
  const points: Float64Array[] = [];
  const weights: number[] = [];
  const feats: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    cams.push(Float64Array.of(0.1 * rand(), 0.1 * rand(), 0.1 * rand(), rand(), rand(), rand(), 500 + 100 * rand(), rand(), rand(), 1e-3 * rand(), 1e-5 * rand()));
    points.push(Float64Array.of(rand() * 4 - 2, rand() * 4 - 2, 8 + 4 * rand()));
    weights.push(0.5 + rand());
    feats.push(Float64Array.of(rand() * 10, rand() * 10));
  }
  // The 15 unit directions: 11 of the camera, 3 of the point, 1 of the weight.
  const dirs = Array.from({ length: 15 }, (_, d) => ({
    cam: Float64Array.from({ length: 11 }, (_, j) => (j === d ? 1 : 0)),
    X: Float64Array.from({ length: 3 }, (_, j) => (j === d - 11 ? 1 : 0)),
    w: d === 14 ? 1 : 0,
  }));
  const out = new Float64Array(2);
  const jac = new Float64Array(count * 30);
  const plus = new Float64Array(2);
  const minus = new Float64Array(2);
  const camS = new Float64Array(11);
  const XS = new Float64Array(3);
  return {
    name: "bundle adjustment 1e4×15",
    directions: 15,
    primal: () => {
      for (let i = 0; i < count; i++) reprojection(cams[i], points[i], weights[i], feats[i], out);
      return out;
    },
    twin: () => {
      const dout = new Float64Array(2);
      for (let i = 0; i < count; i++) {
        for (let d = 0; d < 15; d++) {
          jvp(reprojection, [cams[i], points[i], weights[i], feats[i], out], [dirs[d].cam, dirs[d].X, dirs[d].w, null, dout]);
          jac[i * 30 + d * 2] = dout[0];
          jac[i * 30 + d * 2 + 1] = dout[1];
        }
      }
      return jac;
    },
    hand: () => {
      const dout = new Float64Array(2);
      for (let i = 0; i < count; i++) {
        for (let d = 0; d < 15; d++) {
          reprojectionHand(cams[i], dirs[d].cam, points[i], dirs[d].X, weights[i], dirs[d].w, feats[i], out, dout);
          jac[i * 30 + d * 2] = dout[0];
          jac[i * 30 + d * 2 + 1] = dout[1];
        }
      }
      return jac;
    },
    dual: () => {
      const o: Dual[] = [Dual.c(0), Dual.c(0)];
      for (let i = 0; i < count; i++) {
        for (let d = 0; d < 15; d++) {
          const cam = Array.from(cams[i], (v, j) => new Dual(v, dirs[d].cam[j]));
          const X = Array.from(points[i], (v, j) => new Dual(v, dirs[d].X[j]));
          reprojectionDual(cam, X, new Dual(weights[i], dirs[d].w), feats[i], o);
          jac[i * 30 + d * 2] = o[0].d;
          jac[i * 30 + d * 2 + 1] = o[1].d;
        }
      }
      return jac;
    },
    fd: () => {
      for (let i = 0; i < count; i++) {
        for (let d = 0; d < 15; d++) {
          for (let j = 0; j < 11; j++) camS[j] = cams[i][j] + fdStep * dirs[d].cam[j];
          for (let j = 0; j < 3; j++) XS[j] = points[i][j] + fdStep * dirs[d].X[j];
          reprojection(camS, XS, weights[i] + fdStep * dirs[d].w, feats[i], plus);
          for (let j = 0; j < 11; j++) camS[j] = cams[i][j] - fdStep * dirs[d].cam[j];
          for (let j = 0; j < 3; j++) XS[j] = points[i][j] - fdStep * dirs[d].X[j];
          reprojection(camS, XS, weights[i] - fdStep * dirs[d].w, feats[i], minus);
          jac[i * 30 + d * 2] = (plus[0] - minus[0]) / (2 * fdStep);
          jac[i * 30 + d * 2 + 1] = (plus[1] - minus[1]) / (2 * fdStep);
        }
      }
      return jac;
    },
  };
}
