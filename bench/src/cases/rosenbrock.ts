// Extended Rosenbrock, n = 10^5, JVP in a random direction.
import { jvp } from "tsjvp";
import { Dual } from "../dual";
import { Case, fdStep, flat, random } from "../case";

function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

function rosenbrockHand(x: Float64Array, v: Float64Array): [number, number] {
  let s = 0;
  let ds = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const da = v[i + 1] - 2 * x[i] * v[i];
    const b = 1 - x[i];
    const db = -v[i];
    s += 100 * a * a + b * b;
    ds += 200 * a * da + 2 * b * db;
  }
  return [s, ds];
}

function rosenbrockDual(x: Float64Array, v: Float64Array): Dual {
  let s = Dual.c(0);
  for (let i = 0; i < x.length - 1; i++) {
    const xi = new Dual(x[i], v[i]);
    const a = new Dual(x[i + 1], v[i + 1]).sub(xi.mul(xi));
    const b = Dual.c(1).sub(xi);
    s = s.add(a.mul(a).scale(100)).add(b.mul(b));
  }
  return s;
}

export function rosenbrockCase(jax: typeof import("../jax") | undefined): Case {
  return rosenbrockVariant("Rosenbrock n=1e5", rosenbrock, (x, v) => jvp(rosenbrock, [x], [v])[1], jax);
}

/** A case for `f`, the Rosenbrock function however written, and `tangent`, its jvp (a twin the plugin compiled). */
export function rosenbrockVariant(name: string, f: (x: Float64Array) => number, tangent: (x: Float64Array, v: Float64Array) => number, jax?: typeof import("../jax")): Case {
  const n = 100_000;
  const rand = random(1);
  const x = Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const v = Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const xp = new Float64Array(n);
  const xm = new Float64Array(n);
  return {
    name,
    directions: 1,
    primal: () => f(x),
    twin: () => flat(tangent(x, v)),
    hand: () => flat(rosenbrockHand(x, v)[1]),
    dual: () => flat(rosenbrockDual(x, v).d),
    fd: () => {
      for (let i = 0; i < n; i++) {
        xp[i] = x[i] + fdStep * v[i];
        xm[i] = x[i] - fdStep * v[i];
      }
      return flat((f(xp) - f(xm)) / (2 * fdStep));
    },
    jaxjs: jax ? jax.rosenbrock(x, v) : undefined,
  };
}
