/**
 * The benchmark's code, built by tspc with the plugin as `npm run bench` builds it, computes what
 * it claims: on every case the twin agrees with the hand-written tangent (1e-9 relative) and with
 * the Dual class. No timing here: speed is measured by `npm run bench`, never asserted in a test.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "./support/compile";

describe("benchmark cases compute the same tangents", function () {
  this.timeout(180000);

  it("builds with tspc and the plugin; twin = hand-written = Dual on every case", () => {
    const tspc = path.join(repoRoot, "node_modules", "ts-patch", "bin", "tspc.js");
    expect(execFileSync(process.execPath, [tspc, "-p", path.join(repoRoot, "bench", "tsconfig.json")], { encoding: "utf8" })).to.equal("");
    const script = `
      const { flatten } = require("./bench/out/case.js");
      const cases = [
        ...require("./bench/out/cases/tutorial.js").tutorialCases(undefined),
        require("./bench/out/cases/rosenbrock.js").rosenbrockCase(undefined),
        ...require("./bench/out/cases/dense.js").denseCases(undefined),
        require("./bench/out/cases/lorenz.js").lorenzCase(),
        require("./bench/out/cases/black-scholes.js").blackScholesCase(),
        require("./bench/out/cases/bundle-adjustment.js").bundleAdjustmentCase(),
      ];
      const err = (a, b) => { let d = 0, n = 0; for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); n = Math.max(n, Math.abs(b[i])); } return a.length === b.length ? d / (n || 1) : Infinity; };
      console.log(JSON.stringify(cases.map((c) => { c.primal(); const hand = flatten(c.hand()); return [c.name, err(flatten(c.twin()), hand), err(flatten(c.dual()), hand)]; })));
    `;
    const results = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8" })) as [string, number, number][];
    expect(results).to.have.length(8);
    for (const [name, twinError, dualError] of results) {
      expect(twinError, `${name}: twin vs hand`).to.be.at.most(1e-9);
      expect(dualError, `${name}: Dual vs hand`).to.be.at.most(1e-9);
    }
  });
});
