// The tutorial's two examples: tiny functions, so these measure call overhead.
import { jvp } from "tsjvp";
import { Dual } from "../dual";
import { Case, fdStep, flat } from "../case";

const N = 100_000;

function f(x: Float64Array): Float64Array {
  return Float64Array.of(x[0] ** 2, x[0] * x[1]);
}

function fHand(x: Float64Array, v: Float64Array): [Float64Array, Float64Array] {
  return [Float64Array.of(x[0] ** 2, x[0] * x[1]), Float64Array.of(2 * x[0] * v[0], v[0] * x[1] + x[0] * v[1])];
}

function fDual(x: Dual[]): Dual[] {
  return [x[0].square(), x[0].mul(x[1])];
}

interface Params {
  w: Float64Array[];
  b: Float64Array;
}

function predict(params: Params, inputs: Float64Array): Float64Array {
  const { w, b } = params;
  const out = new Float64Array(b.length);
  for (let j = 0; j < b.length; j++) {
    let s = b[j];
    for (let i = 0; i < inputs.length; i++) s += inputs[i] * w[i][j];
    out[j] = s;
  }
  return out;
}

function predictHand(params: Params, dParams: Params, inputs: Float64Array): [Float64Array, Float64Array] {
  const { w, b } = params;
  const { w: dw, b: db } = dParams;
  const out = new Float64Array(b.length);
  const dOut = new Float64Array(b.length);
  for (let j = 0; j < b.length; j++) {
    let s = b[j];
    let ds = db[j];
    for (let i = 0; i < inputs.length; i++) {
      s += inputs[i] * w[i][j];
      ds += inputs[i] * dw[i][j];
    }
    out[j] = s;
    dOut[j] = ds;
  }
  return [out, dOut];
}

function predictDual(w: Dual[][], b: Dual[], inputs: Float64Array): Dual[] {
  const out: Dual[] = [];
  for (let j = 0; j < b.length; j++) {
    let s = b[j];
    for (let i = 0; i < inputs.length; i++) s = s.add(w[i][j].scale(inputs[i]));
    out.push(s);
  }
  return out;
}

export function tutorialCases(jax: typeof import("../jax") | undefined): Case[] {
  const x = Float64Array.of(2, 3);
  const v = Float64Array.of(1, 0.5);
  const first: Case = {
    name: "tutorial 1 (R²→R²)",
    directions: 1,
    primal: () => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        x[0] = 2 + i * 1e-9;
        s += f(x)[1];
      }
      return s;
    },
    twin: () => {
      let s = 0;
      let t = 0;
      for (let i = 0; i < N; i++) {
        x[0] = 2 + i * 1e-9;
        const [y, yDot] = jvp(f, [x], [v]);
        s += y[1];
        t += yDot[0] + yDot[1];
      }
      return flat(t + 0 * s);
    },
    hand: () => {
      let s = 0;
      let t = 0;
      for (let i = 0; i < N; i++) {
        x[0] = 2 + i * 1e-9;
        const [y, yDot] = fHand(x, v);
        s += y[1];
        t += yDot[0] + yDot[1];
      }
      return flat(t + 0 * s);
    },
    dual: () => {
      let t = 0;
      let s = 0;
      for (let i = 0; i < N; i++) {
        const y = fDual([new Dual(2 + i * 1e-9, v[0]), new Dual(x[1], v[1])]);
        s += y[1].v;
        t += y[0].d + y[1].d;
      }
      return flat(t + 0 * s);
    },
    fd: () => {
      let t = 0;
      const xp = new Float64Array(2);
      const xm = new Float64Array(2);
      for (let i = 0; i < N; i++) {
        const x0 = 2 + i * 1e-9;
        xp[0] = x0 + fdStep * v[0];
        xp[1] = x[1] + fdStep * v[1];
        xm[0] = x0 - fdStep * v[0];
        xm[1] = x[1] - fdStep * v[1];
        const p = f(xp);
        const m = f(xm);
        t += (p[0] - m[0]) / (2 * fdStep) + (p[1] - m[1]) / (2 * fdStep);
      }
      return flat(t);
    },
    jaxjs: jax ? jax.tutorialFirst(N / 1000) : undefined,
    jaxjsScale: 1000,
  };

  const params: Params = { w: [Float64Array.of(1, 2), Float64Array.of(3, 4)], b: Float64Array.of(0.1, -0.1) };
  const dParams: Params = { w: [Float64Array.of(1, 1), Float64Array.of(1, 1)], b: Float64Array.of(0, 0) };
  const inputs = Float64Array.of(10, 20);
  const second: Case = {
    name: "tutorial 2 (pytree)",
    directions: 1,
    primal: () => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        inputs[0] = 10 + i * 1e-9;
        s += predict(params, inputs)[0];
      }
      return s;
    },
    twin: () => {
      let t = 0;
      for (let i = 0; i < N; i++) {
        inputs[0] = 10 + i * 1e-9;
        const [, yDot] = jvp(predict, [params, inputs], [dParams, null]);
        t += yDot[0] + yDot[1];
      }
      return flat(t);
    },
    hand: () => {
      let t = 0;
      for (let i = 0; i < N; i++) {
        inputs[0] = 10 + i * 1e-9;
        const [, yDot] = predictHand(params, dParams, inputs);
        t += yDot[0] + yDot[1];
      }
      return flat(t);
    },
    dual: () => {
      let t = 0;
      for (let i = 0; i < N; i++) {
        inputs[0] = 10 + i * 1e-9;
        const w = params.w.map((row, r) => Array.from(row, (value, c) => new Dual(value, dParams.w[r][c])));
        const b = Array.from(params.b, (value, c) => new Dual(value, dParams.b[c]));
        const y = predictDual(w, b, inputs);
        t += y[0].d + y[1].d;
      }
      return flat(t);
    },
    fd: () => {
      let t = 0;
      const shifted = (h: number): Params => ({
        w: params.w.map((row, r) => row.map((value, c) => value + h * dParams.w[r][c])),
        b: params.b.map((value, c) => value + h * dParams.b[c]),
      });
      for (let i = 0; i < N; i++) {
        inputs[0] = 10 + i * 1e-9;
        const p = predict(shifted(fdStep), inputs);
        const m = predict(shifted(-fdStep), inputs);
        t += (p[0] - m[0]) / (2 * fdStep) + (p[1] - m[1]) / (2 * fdStep);
      }
      return flat(t);
    },
    jaxjs: jax ? jax.tutorialSecond(N / 1000) : undefined,
    jaxjsScale: 1000,
  };
  return [first, second];
}
