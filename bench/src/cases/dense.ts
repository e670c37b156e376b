// A dense layer tanh(W x + b), 256×256: JVP with respect to {W, b} and with respect to x.
import { jvp } from "tsjvp";
import { Dual } from "../dual";
import { Case, fdStep, flat, random } from "../case";

interface Layer {
  W: Float64Array; // n×m, row-major
  b: Float64Array;
}

function dense(layer: Layer, x: Float64Array): Float64Array {
  const { W, b } = layer;
  const n = b.length;
  const m = x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let j = 0; j < m; j++) s += W[i * m + j] * x[j];
    y[i] = Math.tanh(s);
  }
  return y;
}

/** By hand, with respect to {W, b}. */
function denseHandParams(layer: Layer, dLayer: Layer, x: Float64Array): [Float64Array, Float64Array] {
  const { W, b } = layer;
  const { W: dW, b: db } = dLayer;
  const n = b.length;
  const m = x.length;
  const y = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    let ds = db[i];
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      s += W[k] * x[j];
      ds += dW[k] * x[j];
    }
    const t = Math.tanh(s);
    y[i] = t;
    dy[i] = (1 - t * t) * ds;
  }
  return [y, dy];
}

/** By hand, with respect to x. */
function denseHandX(layer: Layer, x: Float64Array, dx: Float64Array): [Float64Array, Float64Array] {
  const { W, b } = layer;
  const n = b.length;
  const m = x.length;
  const y = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    let ds = 0;
    for (let j = 0; j < m; j++) {
      const w = W[i * m + j];
      s += w * x[j];
      ds += w * dx[j];
    }
    const t = Math.tanh(s);
    y[i] = t;
    dy[i] = (1 - t * t) * ds;
  }
  return [y, dy];
}

function denseDual(W: Float64Array, dW: Float64Array | null, b: Float64Array, db: Float64Array | null, x: Float64Array, dx: Float64Array | null): Float64Array {
  const n = b.length;
  const m = x.length;
  const dy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = new Dual(b[i], db ? db[i] : 0);
    for (let j = 0; j < m; j++) s = s.add(new Dual(W[i * m + j], dW ? dW[i * m + j] : 0).mul(new Dual(x[j], dx ? dx[j] : 0)));
    dy[i] = s.tanh().d;
  }
  return dy;
}

export function denseCases(jax: typeof import("../jax") | undefined): Case[] {
  const n = 256;
  const rand = random(2);
  const r = (k: number) => Float64Array.from({ length: k }, () => (rand() * 2 - 1) / 16);
  const layer: Layer = { W: r(n * n), b: r(n) };
  const dLayer: Layer = { W: r(n * n), b: r(n) };
  const x = r(n).map((v) => v * 16);
  const dx = r(n).map((v) => v * 16);
  const shifted = (h: number): Layer => ({ W: layer.W.map((v, i) => v + h * dLayer.W[i]), b: layer.b.map((v, i) => v + h * dLayer.b[i]) });
  const fdPlus = shifted(fdStep);
  const fdMinus = shifted(-fdStep);
  const wrtParams: Case = {
    name: "dense 256×256 wrt {W,b}",
    directions: 1,
    primal: () => dense(layer, x),
    twin: () => jvp(dense, [layer, x], [dLayer, null])[1],
    hand: () => denseHandParams(layer, dLayer, x)[1],
    dual: () => denseDual(layer.W, dLayer.W, layer.b, dLayer.b, x, null),
    fd: () => {
      // Building the shifted parameters is part of central differences.
      fdPlus.W.set(layer.W.map((v, i) => v + fdStep * dLayer.W[i]));
      fdMinus.W.set(layer.W.map((v, i) => v - fdStep * dLayer.W[i]));
      const p = dense(fdPlus, x);
      const m = dense(fdMinus, x);
      return p.map((v, i) => (v - m[i]) / (2 * fdStep));
    },
    jaxjs: jax ? jax.denseParams(layer.W, layer.b, dLayer.W, dLayer.b, x) : undefined,
  };
  const xp = new Float64Array(n);
  const xm = new Float64Array(n);
  const wrtX: Case = {
    name: "dense 256×256 wrt x",
    directions: 1,
    primal: () => dense(layer, x),
    twin: () => jvp(dense, [layer, x], [null, dx])[1],
    hand: () => denseHandX(layer, x, dx)[1],
    dual: () => denseDual(layer.W, null, layer.b, null, x, dx),
    fd: () => {
      for (let i = 0; i < n; i++) {
        xp[i] = x[i] + fdStep * dx[i];
        xm[i] = x[i] - fdStep * dx[i];
      }
      const p = dense(layer, xp);
      const m = dense(layer, xm);
      return p.map((v, i) => (v - m[i]) / (2 * fdStep));
    },
    jaxjs: jax ? jax.denseX(layer.W, layer.b, x, dx) : undefined,
  };
  return [wrtParams, wrtX];
}
