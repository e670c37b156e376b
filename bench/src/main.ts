/**
 * `npm run bench [-- --quick]`: every case as primal, twin (tsjvp), hand-written tangent, Dual
 * class, central differences and, where its array API can express the case, jax-js — in one
 * process and run. Prints a table and writes bench/results.json and bench/results.svg.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Case } from "./case";
import { barChart } from "./chart";
import { measure } from "./harness";
import * as jax from "./jax";
import { blackScholesCase } from "./cases/black-scholes";
import { bundleAdjustmentCase } from "./cases/bundle-adjustment";
import { denseCases } from "./cases/dense";
import { lorenzCase } from "./cases/lorenz";
import { rosenbrockCase } from "./cases/rosenbrock";
import { tutorialCases } from "./cases/tutorial";
import { restyledCases } from "./cases/restyled";
import { opsRows } from "./ops";
import { hessianRows, jacobianRows } from "./jacobians";
import { sparseRows } from "./sparse";

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const samples = quick ? 5 : 21;
  const warmup = quick ? 2 : 5;
  const withJax = !process.argv.includes("--no-jax") && (await jax.loadJax());
  const j = withJax ? jax : undefined;
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const all: Case[] = [...tutorialCases(j), rosenbrockCase(j), ...denseCases(j), lorenzCase(), blackScholesCase(), bundleAdjustmentCase(), ...restyledCases()];
  // --only=rosenbrock,lorenz: a subset, printed but not written to results.json.
  const cases = only ? all.filter((c) => only.split(",").some((o) => c.name.toLowerCase().includes(o.toLowerCase()))) : all;
  const results = [];
  const header = ["case", "primal ms", "twin ms", "hand ms", "dual ms", "fd ms", "jax-js ms", "twin/primal", "twin/hand", "dual/twin", "fd/twin", "fd err", "jax/twin"];
  console.log(header.join(" | "));
  for (const c of cases) {
    const m = measure(c, samples, warmup);
    const t = m.medians;
    if (m.twinError > 1e-9) throw new Error(`${c.name}: the twin and the hand-written tangent disagree (${m.twinError})`);
    const row = {
      case: c.name,
      directions: c.directions,
      twin_over_primal: t.twin! / c.directions / t.primal!,
      twin_over_hand: t.twin! / t.hand!,
      dual_over_twin: t.dual! / t.twin!,
      fd_over_twin: t.fd! / t.twin!,
      fd_rel_error: m.fdError,
      jaxjs_over_twin: t.jaxjs !== undefined ? t.jaxjs / t.twin! : undefined,
      twin_rel_error: m.twinError,
      dual_rel_error: m.dualError,
      jaxjs_rel_error: m.jaxjsError,
      medians_ms: t,
    };
    results.push(row);
    const f = (x: number | undefined, d = 3) => (x === undefined ? "—" : x.toFixed(d));
    console.log([c.name, f(t.primal), f(t.twin), f(t.hand), f(t.dual), f(t.fd), f(t.jaxjs), f(row.twin_over_primal, 2), f(row.twin_over_hand, 2),
      f(row.dual_over_twin, 2), f(row.fd_over_twin, 2), row.fd_rel_error.toExponential(1), f(row.jaxjs_over_twin, 2)].join(" | "));
  }
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const machine = `${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${quick ? "quick, " : ""}${samples} samples, medians (${new Date().toISOString().slice(0, 10)})`;
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  if (results.length > 0) console.log(`\nmedian twin/hand over the suite: ${medianOf(results.map((r) => r.twin_over_hand)).toFixed(3)}`);
  console.log(machine);
  const ops = only && !"ops".includes(only) ? [] : opsRows(samples);
  if (ops.length > 0) {
    console.log(`\n${["tsjvp/ops", "primitive ms", "loop ms", "tangent ms", "hand ms", "primitive/loop", "tangent/hand"].join(" | ")}`);
    for (const r of ops) {
      const m = r.medians_ms;
      console.log([r.case, m.primitive.toFixed(3), m.loop.toFixed(3), m.tangent.toFixed(3), m.hand.toFixed(3), r.primitive_over_loop.toFixed(2), r.tangent_over_hand.toFixed(2)].join(" | "));
    }
  }
  const jacobians = only && !"jacobians".includes(only) ? [] : jacobianRows(samples, Boolean(withJax));
  if (jacobians.length > 0) {
    printRows(["jacfwd", "primal ms", "jacfwd ms", "n jvps ms", "jax-js ms", "jac/primal", "jac/jvps", "jax-js/jac"], jacobians.map((r) => {
      const m = r.medians_ms;
      return [r.case, fixed(m.primal), fixed(m.jac), fixed(m.jvps), fixed(m.jaxjs), fixed(r.jac_over_primal, 2), fixed(r.jac_over_jvps, 2), fixed(r.jaxjs_over_jac, 1)];
    }));
  }
  const hessians = only && !"hessians".includes(only) ? [] : hessianRows(samples, Boolean(withJax));
  if (hessians.length > 0) {
    printRows(["hessian", "primal ms", "hessian ms", "n hvps ms", "jax-js ms", "hessian/primal", "hvps/hessian", "jax-js/hessian"], hessians.map((r) => {
      const m = r.medians_ms;
      return [r.case, fixed(m.primal), fixed(m.jac), fixed(m.hvps), fixed(m.jaxjs), fixed(r.hess_over_primal, 1), fixed(r.hvps_over_hess, 2), fixed(r.jaxjs_over_hess, 2)];
    }));
  }
  const sparse = only && !"sparse".includes(only) ? [] : sparseRows(samples);
  if (sparse.length > 0) {
    printRows(["jacfwdSparse", "m × n", "nonzeros", "colours", "pattern ms (once)", "primal ms", "jacobian ms", "jac/primal"], sparse.map((r) => {
      const m = r.medians_ms;
      return [r.case, `${r.m} × ${r.n}`, String(r.nonzeros), String(r.colors), fixed(m.pattern), fixed(m.primal), fixed(m.jac), fixed(r.jac_over_primal, 2)];
    }));
  }
  if (only) return;
  const dir = path.resolve(__dirname, "..");
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify({ machine, results, ops, jacobians, hessians, sparse }, null, 2) + "\n");
  const series = ["twin / primal (per direction)", "twin / hand-written", "dual / twin", "finite differences / twin", "jax-js / twin"];
  const rows = results.map((r) => ({ name: r.case, ratios: [r.twin_over_primal, r.twin_over_hand, r.dual_over_twin, r.fd_over_twin, r.jaxjs_over_twin] }));
  fs.writeFileSync(path.join(dir, "results.svg"), barChart(rows, series, "tsjvp: time ratios (log scale; lower twin/… is better)", machine));
  if (jacobians.length > 0) {
    const jacobianSeries = ["jacfwd / 16 jvps", "jax-js jit(jacfwd or hessian) / tsjvp", "jacfwd or hessian / primal"];
    const jacobianRows = [
      ...jacobians.map((r) => ({ name: r.case, ratios: [r.jac_over_jvps, r.jaxjs_over_jac, r.jac_over_primal] })),
      ...hessians.map((r) => ({ name: r.case, ratios: [undefined, r.jaxjs_over_hess, r.hess_over_primal] })),
      ...sparse.map((r) => ({ name: `${r.case}, jacfwdSparse`, ratios: [undefined, undefined, r.jac_over_primal] })),
    ];
    fs.writeFileSync(path.join(dir, "results-jacobians.svg"), barChart(jacobianRows, jacobianSeries, "tsjvp jacfwd: time ratios (log scale; jacfwd / 16 jvps below 1 is better)", machine));
  }
}

/** A table of one row per case, printed as `a | b | …` under its header. */
function printRows(header: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(`\n${header.join(" | ")}`);
  for (const row of rows) console.log(row.join(" | "));
}

function fixed(x: number | undefined, digits = 4): string {
  return x === undefined ? "—" : x.toFixed(digits);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
