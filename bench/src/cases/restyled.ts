// Three benchmark cases written the way other people write them (one expression with `**`,
// destructured locals, a formula inlined), against the same hand-written tangents as the
// originals: the twin should stay as lean as a careful hand-written tangent whatever the style.
import { jvp } from "tsjvp";
import { Case, fdStep, flat, random } from "../case";
import { Dual } from "../dual";
import { rosenbrockDual, rosenbrockHand } from "./rosenbrock";
import { beta, dt, integrateDual, integrateHand, rho, sigma, steps } from "./lorenz";
import { callPriceDual, pricesHand } from "./black-scholes";

function rosenbrockPow(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
}

function lorenzRhs(s: Float64Array, out: Float64Array): void {
  const x = s[0];
  const y = s[1];
  const z = s[2];
  out[0] = sigma * (y - x);
  out[1] = x * (rho - z) - y;
  out[2] = x * y - beta * z;
}

function rk4(s0: Float64Array, h: number, n: number): Float64Array {
  const s = Float64Array.from(s0);
  const k1 = new Float64Array(3);
  const k2 = new Float64Array(3);
  const k3 = new Float64Array(3);
  const k4 = new Float64Array(3);
  const tmp = new Float64Array(3);
  for (let step = 0; step < n; step++) {
    lorenzRhs(s, k1);
    for (let i = 0; i < 3; i++) tmp[i] = s[i] + 0.5 * h * k1[i];
    lorenzRhs(tmp, k2);
    for (let i = 0; i < 3; i++) tmp[i] = s[i] + 0.5 * h * k2[i];
    lorenzRhs(tmp, k3);
    for (let i = 0; i < 3; i++) tmp[i] = s[i] + h * k3[i];
    lorenzRhs(tmp, k4);
    for (let i = 0; i < 3; i++) s[i] = s[i] + h * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]) / 6;
  }
  return s;
}

/** The normal CDF of the original, as a nested (Horner) polynomial and a sign. */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return 0.5 * (1 + Math.sign(x) * y);
}

function callPriceInline(spot: number, strike: number, vol: number, rate: number, years: number): number {
  const volT = vol * Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (rate + vol ** 2 / 2) * years) / volT;
  return spot * phi(d1) - strike * Math.exp(-rate * years) * phi(d1 - volT);
}

function pricesInline(spot: Float64Array, strike: Float64Array, vol: Float64Array, rate: number, years: number, out: Float64Array): void {
  for (let i = 0; i < spot.length; i++) out[i] = callPriceInline(spot[i], strike[i], vol[i], rate, years);
}

export function restyledCases(): Case[] {
  return [rosenbrockPowCase(), lorenzLocalsCase(), blackScholesInlineCase()];
}

function rosenbrockPowCase(): Case {
  const n = 100_000;
  const rand = random(1);
  const x = Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const v = Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const xp = new Float64Array(n);
  const xm = new Float64Array(n);
  return {
    name: "Rosenbrock, written with ** (restyled)",
    directions: 1,
    primal: () => rosenbrockPow(x),
    twin: () => flat(jvp(rosenbrockPow, [x], [v])[1]),
    hand: () => flat(rosenbrockHand(x, v)[1]),
    dual: () => flat(rosenbrockDual(x, v).d),
    fd: () => {
      for (let i = 0; i < n; i++) {
        xp[i] = x[i] + fdStep * v[i];
        xm[i] = x[i] - fdStep * v[i];
      }
      return flat((rosenbrockPow(xp) - rosenbrockPow(xm)) / (2 * fdStep));
    },
  };
}

function lorenzLocalsCase(): Case {
  const s0 = Float64Array.of(1, 1, 1);
  const ds0 = Float64Array.of(1, -0.5, 0.25);
  return {
    name: "Lorenz-63, locals and inline RK4 (restyled)",
    directions: 1,
    primal: () => rk4(s0, dt, steps),
    twin: () => jvp(rk4, [s0, dt, steps], [ds0, null, null])[1],
    hand: () => integrateHand(s0, ds0, dt, steps)[1],
    dual: () => Float64Array.from(integrateDual(s0, ds0, dt, steps), (d) => d.d),
    fd: () => {
      const p = rk4(s0.map((v, i) => v + fdStep * ds0[i]), dt, steps);
      const m = rk4(s0.map((v, i) => v - fdStep * ds0[i]), dt, steps);
      return p.map((v, i) => (v - m[i]) / (2 * fdStep));
    },
  };
}

function blackScholesInlineCase(): Case {
  const n = 100_000;
  const rand = random(3);
  const spot = Float64Array.from({ length: n }, () => 80 + 40 * rand());
  const strike = Float64Array.from({ length: n }, () => 80 + 40 * rand());
  const vol = Float64Array.from({ length: n }, () => 0.1 + 0.4 * rand());
  const rate = 0.03;
  const years = 0.75;
  const ones = new Float64Array(n).fill(1);
  const zeros = new Float64Array(n);
  const out = new Float64Array(n);
  const delta = new Float64Array(n);
  const vega = new Float64Array(n);
  const shifted = new Float64Array(n);
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  return {
    name: "Black–Scholes, formula inlined (restyled)",
    directions: 2,
    primal: () => pricesInline(spot, strike, vol, rate, years, out),
    twin: () => {
      jvp(pricesInline, [spot, strike, vol, rate, years, out], [ones, null, null, null, null, delta]);
      jvp(pricesInline, [spot, strike, vol, rate, years, out], [null, null, ones, null, null, vega]);
      return flat(delta, vega);
    },
    hand: () => {
      pricesHand(spot, ones, strike, vol, zeros, rate, years, out, delta);
      pricesHand(spot, zeros, strike, vol, ones, rate, years, out, vega);
      return flat(delta, vega);
    },
    dual: () => {
      for (let i = 0; i < n; i++) {
        delta[i] = callPriceDual(new Dual(spot[i], 1), strike[i], Dual.c(vol[i]), rate, years).d;
        vega[i] = callPriceDual(Dual.c(spot[i]), strike[i], new Dual(vol[i], 1), rate, years).d;
      }
      return flat(delta, vega);
    },
    fd: () => {
      for (let i = 0; i < n; i++) shifted[i] = spot[i] + fdStep;
      pricesInline(shifted, strike, vol, rate, years, plus);
      for (let i = 0; i < n; i++) shifted[i] = spot[i] - fdStep;
      pricesInline(shifted, strike, vol, rate, years, minus);
      for (let i = 0; i < n; i++) delta[i] = (plus[i] - minus[i]) / (2 * fdStep);
      for (let i = 0; i < n; i++) shifted[i] = vol[i] + fdStep;
      pricesInline(spot, strike, shifted, rate, years, plus);
      for (let i = 0; i < n; i++) shifted[i] = vol[i] - fdStep;
      pricesInline(spot, strike, shifted, rate, years, minus);
      for (let i = 0; i < n; i++) vega[i] = (plus[i] - minus[i]) / (2 * fdStep);
      return flat(delta, vega);
    },
  };
}
