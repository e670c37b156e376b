// Black–Scholes call prices for 10^5 options: delta and vega through two JVPs (2 directions).
import { jvp } from "tsjvp";
import { Dual } from "../dual";
import { Case, fdStep, flat, random } from "../case";

/** Standard normal CDF through erf (Abramowitz–Stegun 7.1.26). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  const y = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

function callPrice(spot: number, strike: number, vol: number, rate: number, years: number): number {
  const sqrtT = Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (rate + 0.5 * vol * vol) * years) / (vol * sqrtT);
  const d2 = d1 - vol * sqrtT;
  return spot * normCdf(d1) - strike * Math.exp(-rate * years) * normCdf(d2);
}

function prices(spot: Float64Array, strike: Float64Array, vol: Float64Array, rate: number, years: number, out: Float64Array): void {
  for (let i = 0; i < spot.length; i++) out[i] = callPrice(spot[i], strike[i], vol[i], rate, years);
}

/** d normCdf, line by line. */
function normCdfHand(x: number, dx: number): [number, number] {
  const sign = x >= 0 ? 1 : -1;
  const z = Math.abs(x) / Math.SQRT2;
  const dz = (sign * dx) / Math.SQRT2;
  const q = 1 + 0.3275911 * z;
  const t = 1 / q;
  const dt = (-t * 0.3275911 * dz) / q;
  const p4 = 1.061405429 * t - 1.453152027;
  const p3 = p4 * t + 1.421413741;
  const p2 = p3 * t - 0.284496736;
  const p1 = p2 * t + 0.254829592;
  const poly = p1 * t;
  const dp4 = 1.061405429 * dt;
  const dp3 = dp4 * t + p4 * dt;
  const dp2 = dp3 * t + p3 * dt;
  const dp1 = dp2 * t + p2 * dt;
  const dpoly = dp1 * t + p1 * dt;
  const e = Math.exp(-z * z);
  const de = e * (-2 * z * dz);
  const y = 1 - poly * e;
  const dy = -(dpoly * e + poly * de);
  return x >= 0 ? [0.5 * (1 + y), 0.5 * dy] : [0.5 * (1 - y), -0.5 * dy];
}

function callPriceHand(spot: number, dspot: number, strike: number, vol: number, dvol: number, rate: number, years: number): [number, number] {
  const sqrtT = Math.sqrt(years);
  const ratio = spot / strike;
  const num = Math.log(ratio) + (rate + 0.5 * vol * vol) * years;
  const dnum = dspot / strike / ratio + vol * dvol * years;
  const den = vol * sqrtT;
  const d1 = num / den;
  const dd1 = (dnum - d1 * dvol * sqrtT) / den;
  const d2 = d1 - vol * sqrtT;
  const dd2 = dd1 - dvol * sqrtT;
  const [n1, dn1] = normCdfHand(d1, dd1);
  const [n2, dn2] = normCdfHand(d2, dd2);
  const disc = strike * Math.exp(-rate * years);
  return [spot * n1 - disc * n2, dspot * n1 + spot * dn1 - disc * dn2];
}

function pricesHand(spot: Float64Array, dspot: Float64Array, strike: Float64Array, vol: Float64Array, dvol: Float64Array, rate: number, years: number, out: Float64Array, dout: Float64Array): void {
  for (let i = 0; i < spot.length; i++) {
    const [p, dp] = callPriceHand(spot[i], dspot[i], strike[i], vol[i], dvol[i], rate, years);
    out[i] = p;
    dout[i] = dp;
  }
}

function normCdfDual(x: Dual): Dual {
  const z = (x.v >= 0 ? x : x.neg()).scale(1 / Math.SQRT2);
  const t = Dual.c(1).div(z.scale(0.3275911).addc(1));
  const poly = t.scale(1.061405429).addc(-1.453152027).mul(t).addc(1.421413741).mul(t).addc(-0.284496736).mul(t).addc(0.254829592).mul(t);
  const y = Dual.c(1).sub(poly.mul(z.mul(z).neg().exp()));
  return x.v >= 0 ? y.addc(1).scale(0.5) : Dual.c(1).sub(y).scale(0.5);
}

function callPriceDual(spot: Dual, strike: number, vol: Dual, rate: number, years: number): Dual {
  const sqrtT = Math.sqrt(years);
  const d1 = spot.scale(1 / strike).log().add(vol.mul(vol).scale(0.5).addc(rate).scale(years)).div(vol.scale(sqrtT));
  const d2 = d1.sub(vol.scale(sqrtT));
  return spot.mul(normCdfDual(d1)).sub(normCdfDual(d2).scale(strike * Math.exp(-rate * years)));
}

export function blackScholesCase(): Case {
  return blackScholesVariant("Black–Scholes 1e5 (delta, vega)", prices, ({ spot, strike, vol, rate, years, out, ones, delta, vega }) => {
    jvp(prices, [spot, strike, vol, rate, years, out], [ones, null, null, null, null, delta]);
    jvp(prices, [spot, strike, vol, rate, years, out], [null, null, ones, null, null, vega]);
  });
}

/** The arrays a Black–Scholes twin reads and writes: `ones` seeds the direction, delta and vega receive the tangents. */
export interface Options {
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly vol: Float64Array;
  readonly rate: number;
  readonly years: number;
  readonly out: Float64Array;
  readonly ones: Float64Array;
  readonly delta: Float64Array;
  readonly vega: Float64Array;
}

type Prices = (spot: Float64Array, strike: Float64Array, vol: Float64Array, rate: number, years: number, out: Float64Array) => void;

/** A case for `run`, the prices however written, and `twin`, which fills delta and vega through two jvps. */
export function blackScholesVariant(name: string, run: Prices, twin: (o: Options) => void): Case {
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
    name,
    directions: 2,
    primal: () => run(spot, strike, vol, rate, years, out),
    twin: () => {
      twin({ spot, strike, vol, rate, years, out, ones, delta, vega });
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
      run(shifted, strike, vol, rate, years, plus);
      for (let i = 0; i < n; i++) shifted[i] = spot[i] - fdStep;
      run(shifted, strike, vol, rate, years, minus);
      for (let i = 0; i < n; i++) delta[i] = (plus[i] - minus[i]) / (2 * fdStep);
      for (let i = 0; i < n; i++) shifted[i] = vol[i] + fdStep;
      run(spot, strike, shifted, rate, years, plus);
      for (let i = 0; i < n; i++) shifted[i] = vol[i] - fdStep;
      run(spot, strike, shifted, rate, years, minus);
      for (let i = 0; i < n; i++) vega[i] = (plus[i] - minus[i]) / (2 * fdStep);
      return flat(delta, vega);
    },
  };
}
