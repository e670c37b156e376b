// Three benchmark cases written the way other people write them (one expression with `**`,
// destructured locals, a formula inlined), against the same hand-written tangents as the
// originals: the twin should stay as lean as a careful hand-written tangent whatever the style.
import { jvp } from "tsjvp";
import { Case } from "../case";
import { rosenbrockVariant } from "./rosenbrock";
import { beta, dt, lorenzVariant, rho, sigma, steps } from "./lorenz";
import { blackScholesVariant } from "./black-scholes";

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
  return [
    rosenbrockVariant("Rosenbrock, written with ** (restyled)", rosenbrockPow, (x, v) => jvp(rosenbrockPow, [x], [v])[1]),
    lorenzVariant("Lorenz-63, locals and inline RK4 (restyled)", rk4, (s0, ds0) => jvp(rk4, [s0, dt, steps], [ds0, null, null])[1]),
    blackScholesVariant("Black–Scholes, formula inlined (restyled)", pricesInline, ({ spot, strike, vol, rate, years, out, ones, delta, vega }) => {
      jvp(pricesInline, [spot, strike, vol, rate, years, out], [ones, null, null, null, null, delta]);
      jvp(pricesInline, [spot, strike, vol, rate, years, out], [null, null, ones, null, null, vega]);
    }),
  ];
}
