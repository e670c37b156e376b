import { expect } from "chai";
import type { Value } from "../../fixtures/driver";

/** Flattens numbers, Float64Arrays and nested arrays into one list of numbers. */
export function flatten(v: Value): number[] {
  if (v === undefined) return [];
  if (typeof v === "number") return [v];
  if (v instanceof Float64Array) return Array.from(v);
  return (v as readonly Value[]).flatMap(flatten);
}

/** Elementwise |a − b| ≤ tol·(1 + |b|); NaN and ±Infinity must match exactly. */
export function expectClose(actual: Value, expected: Value, tol: number, what: string): void {
  const a = flatten(actual);
  const b = flatten(expected);
  expect(a.length, `${what}: length`).to.equal(b.length);
  a.forEach((x, i) => {
    if (!Number.isFinite(b[i]) || !Number.isFinite(x)) {
      expect(Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])), `${what}[${i}]: ${x} vs ${b[i]}`).to.equal(true);
      return;
    }
    expect(Math.abs(x - b[i]), `${what}[${i}]: ${x} vs ${b[i]}`).to.be.at.most(tol * (1 + Math.abs(b[i])));
  });
}

/** (f(h) − f(−h)) / 2h, elementwise. */
export function centralDifference(along: (h: number) => Value, h: number): number[] {
  const plus = flatten(along(h));
  const minus = flatten(along(-h));
  return plus.map((p, i) => (p - minus[i]) / (2 * h));
}
