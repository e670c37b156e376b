/** The examples menu: the jax.jvp tutorial's two, the programs of examples/, and second derivatives, each a module of its own. */

export interface Example {
  readonly title: string;
  readonly source: string;
}

const tutorial = `// The JAX tutorial's first example: f(x) = [x0², x0·x1] at x = [2, 3] along v = [1, 0.5].
import { jvp } from "tsjvp";

function f(x: Float64Array): Float64Array {
  return Float64Array.of(x[0] ** 2, x[0] * x[1]);
}

const [y, yDot] = jvp(f, [Float64Array.of(2, 3)], [Float64Array.of(1, 0.5)]);
console.log("f(x) =", Array.from(y), " J(x)·v =", Array.from(yDot)); // [4, 6] and [4, 4]

// A function of one number is plotted below with its tangent line: drag the point.
// @plot -2 2
/** @jvp */
function wave(t: number): number {
  return Math.sin(3 * t) * Math.exp(-t * t / 2);
}
console.log("wave'(0.5) =", jvp(wave, [0.5], [1])[1]);
`;

const linearModel = `// The JAX tutorial's second example: a linear model differentiated with respect to its { w, b }
// parameters (a pytree) while the inputs stay constant (a null tangent).
import { jvp } from "tsjvp";

interface Params {
  w: Float64Array[]; // rows of a 2×2 matrix
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

const params: Params = { w: [Float64Array.of(1, 2), Float64Array.of(3, 4)], b: Float64Array.of(0.1, -0.1) };
const inputs = Float64Array.of(10, 20);
const tangents = { w: [Float64Array.of(1, 1), Float64Array.of(1, 1)], b: Float64Array.of(0, 0) };
const [y, yDot] = jvp(predict, [params, inputs], [tangents, null]);
console.log("primal =", Array.from(y), " tangent =", Array.from(yDot)); // [70.1, 99.9] and [30, 30]
`;

const newton = `// Newton's method on x³ − 2x − 5 = 0, the derivative from a JVP with tangent 1.
import { jvp } from "tsjvp";

// @plot 1 3
/** @jvp */
function cubic(x: number): number {
  return x * x * x - 2 * x - 5;
}

let x = 2;
for (let i = 0; i < 6; i++) {
  const [value, slope] = jvp(cubic, [x], [1]);
  x -= value / slope;
  console.log("step", i + 1, "x =", x);
}
console.log("root of x³ − 2x − 5:", x, " residual:", cubic(x));
`;

const lorenz = `// Sensitivity of the Lorenz-63 system: how the state after 1000 RK4 steps moves when the initial
// state moves along a direction, next to central differences.
import { jvp } from "tsjvp";

const sigma = 10;
const rho = 28;
const beta = 8 / 3;

function rhs(s: Float64Array, out: Float64Array): void {
  out[0] = sigma * (s[1] - s[0]);
  out[1] = s[0] * (rho - s[2]) - s[1];
  out[2] = s[0] * s[1] - beta * s[2];
}

function axpy(out: Float64Array, x: Float64Array, a: number, y: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i] + a * y[i];
}

function integrate(s0: Float64Array, dt: number, steps: number): Float64Array {
  const s = Float64Array.from(s0);
  const k1 = new Float64Array(3);
  const k2 = new Float64Array(3);
  const k3 = new Float64Array(3);
  const k4 = new Float64Array(3);
  const tmp = new Float64Array(3);
  for (let n = 0; n < steps; n++) {
    rhs(s, k1);
    axpy(tmp, s, dt / 2, k1);
    rhs(tmp, k2);
    axpy(tmp, s, dt / 2, k2);
    rhs(tmp, k3);
    axpy(tmp, s, dt, k3);
    rhs(tmp, k4);
    for (let i = 0; i < 3; i++) s[i] += (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  return s;
}

const [s, sDot] = jvp(integrate, [Float64Array.of(1, 1, 1), 0.001, 1000], [Float64Array.of(1, 0, 0), null, null]);
const h = 1e-6;
const plus = integrate(Float64Array.of(1 + h, 1, 1), 0.001, 1000);
const minus = integrate(Float64Array.of(1 - h, 1, 1), 0.001, 1000);
console.log("s(1) =", Array.from(s));
console.log("∂s(1)/∂s0[0] =", Array.from(sDot));
console.log("central differences:", Array.from(plus, (p, i) => (p - minus[i]) / (2 * h)));
`;

const blackScholes = `// Black–Scholes call price; delta (∂/∂spot) and vega (∂/∂volatility) as two JVPs.
import { jvp } from "tsjvp";

/** Standard normal CDF (Abramowitz–Stegun 26.2.17, |error| < 7.5e-8). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)) * poly;
  return x >= 0 ? 1 - tail : tail;
}

function callPrice(spot: number, strike: number, rate: number, vol: number, years: number): number {
  const sqrtT = Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (rate + 0.5 * vol * vol) * years) / (vol * sqrtT);
  const d2 = d1 - vol * sqrtT;
  return spot * normalCdf(d1) - strike * Math.exp(-rate * years) * normalCdf(d2);
}

// The price as a function of the spot alone, plotted with its delta.
// @plot 60 140
/** @jvp */
function priceAtSpot(spot: number): number {
  return callPrice(spot, 95, 0.03, 0.2, 0.5);
}

const [price, delta] = jvp(callPrice, [100, 95, 0.03, 0.2, 0.5], [1, null, null, null, null]);
const [, vega] = jvp(callPrice, [100, 95, 0.03, 0.2, 0.5], [null, null, null, 1, null]);
console.log("price =", price, " delta =", delta, " vega =", vega);
`;

const denseLayer = `// A dense layer y = tanh(W·x + b) (3 outputs, 4 inputs), its JVP along v with respect to x.
import { jvp } from "tsjvp";

function dense(W: Float64Array, b: Float64Array, x: Float64Array): Float64Array {
  const m = b.length;
  const n = x.length;
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let j = 0; j < n; j++) s += W[i * n + j] * x[j];
    y[i] = Math.tanh(s);
  }
  return y;
}

const W = Float64Array.of(0.5, -0.2, 0.1, 0.3, -0.4, 0.6, 0.2, -0.1, 0.3, 0.3, -0.5, 0.2);
const b = Float64Array.of(0.1, 0, -0.1);
const x = Float64Array.of(1, 0.5, -0.5, 2);
const v = Float64Array.of(1, 0, 0, 0);
const [y, yDot] = jvp(dense, [W, b, x], [null, null, v]);
console.log("y =", Array.from(y));
console.log("∂y/∂x0 =", Array.from(yDot));

// @plot -3 3
/** @jvp */
function softplus(z: number): number {
  return Math.log(1 + Math.exp(z));
}
`;

const secondOrder = `// Second derivatives, forward over forward: hessian, hvp, and jvp of code that calls jvp.
import { hessian, hvp, jvp } from "tsjvp";

function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

const x = Float64Array.of(1.2, 0.7, -0.4);
console.log("H =", Array.from(hessian(rosenbrock)(x))); // [1450, -480, 0, -480, 950, -280, 0, -280, 200]
console.log("H·v =", Array.from(hvp(rosenbrock, [x], [Float64Array.of(1, 2, 3)])));

// @plot -3 3
function bump(t: number): number {
  return t * Math.exp(-t * t);
}
console.log("bump''(0.5) =", jvp((t: number) => jvp(bump, [t], [1])[1], [0.5], [1])[1]);
`;

export const examples: readonly Example[] = [
  { title: "Tutorial: f(x) = [x0², x0·x1]", source: tutorial },
  { title: "Tutorial: a linear model (pytree)", source: linearModel },
  { title: "Newton's method", source: newton },
  { title: "Lorenz-63 sensitivity", source: lorenz },
  { title: "Black–Scholes delta and vega", source: blackScholes },
  { title: "A dense layer", source: denseLayer },
  { title: "Second derivatives: hessian, hvp, nested jvp", source: secondOrder },
];
