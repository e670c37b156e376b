// Black–Scholes call price; delta (∂/∂spot) and vega (∂/∂volatility) as two JVPs.
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

export function blackScholes(): void {
  const [price, delta] = jvp(callPrice, [100, 95, 0.03, 0.2, 0.5], [1, null, null, null, null]);
  const [, vega] = jvp(callPrice, [100, 95, 0.03, 0.2, 0.5], [null, null, null, 1, null]);
  console.log("bs         price =", price.toFixed(6), " delta =", delta.toFixed(6), " vega =", vega.toFixed(6));
}
