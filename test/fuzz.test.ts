/**
 * The differential fuzz test at the size `npm test` affords (about a minute here); `npm run fuzz --
 * --runs N` runs it at any size with a random seed. The seed is fixed here so that CI is
 * reproducible; a failure prints the shrunk program and the seed to replay it.
 */
import { expect } from "chai";
import fc from "fast-check";
import { fuzz, secondOrderPrograms } from "./fuzz/fuzz";
import { Oracle, D } from "./fuzz/oracle";
import { oracleMatchesCentralDifferences } from "./fuzz/differential";
import { inputsArbitrary, programArbitrary } from "./fuzz/generator";

describe("differential fuzzing against the oracle", function () {
  this.timeout(600000);

  it("the oracle itself differentiates correctly (x·sin x at 0.5)", () => {
    const oracle = new Oracle("function main(x: number): number { let s = 0; for (let i = 0; i < 2; i++) s += x * Math.sin(x); return s / 2; }");
    const out = oracle.call("main", [new D(0.5, 1)]) as D;
    expect(out.v).to.be.closeTo(0.5 * Math.sin(0.5), 1e-15);
    expect(out.d).to.be.closeTo(Math.sin(0.5) + 0.5 * Math.cos(0.5), 1e-15);
  });

  it("the oracle agrees with central differences where the programs are smooth (≥ 90% of 300)", () => {
    // (Programs holding a construct that must be rejected are not run, by the oracle either.)
    const runnable = programArbitrary.filter((source) => !source.includes("// @expect"));
    const samples = fc.sample(fc.tuple(runnable, inputsArbitrary), { numRuns: 300, seed: 7 });
    const agree = samples.filter(([source, inputs]) => oracleMatchesCentralDifferences(source, inputs)).length;
    expect(agree / samples.length).to.be.at.least(0.9);
  });

  it("500 random programs: twins agree with the oracle", () => {
    const details = fuzz(500, 20261127);
    expect(details.failed, details.failed ? fc.defaultReportMessage(details) : "").to.equal(false);
  });

  it("100 programs the second pass can differentiate: Hessians agree with the oracle's derivatives", () => {
    const details = fuzz(100, 20261128, undefined, secondOrderPrograms);
    expect(details.failed, details.failed ? fc.defaultReportMessage(details) : "").to.equal(false);
  });
});
