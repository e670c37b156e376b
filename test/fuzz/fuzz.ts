/**
 * The property: for every generated program and inputs, the transformer compiles it without a
 * diagnostic, its twin agrees with the oracle, its vector twin with its one-direction twin, and
 * (where the second pass applies) its Hessian with the oracle's hyper-dual numbers; a program holding a construct the fence must
 * reject (`// @expect TS970xx`) gets exactly that diagnostic. fast-check shrinks a counterexample to a small
 * program, printed in full; each one fixed becomes a regression fixture under fixtures/fuzz/.
 */
import fc from "fast-check";
import { compileProgram, finite, mismatch, runBoth, secondOrderEligible, secondOrderMismatch, sparseMismatch, vectorMismatch } from "./differential";
import { inputsArbitrary, programArbitrary } from "./generator";

/** Programs the second pass can differentiate: their Hessians are checked too. */
export const secondOrderPrograms = programArbitrary.filter(secondOrderEligible);

export function fuzzProperty(programs = programArbitrary): fc.IProperty<[string, Parameters<typeof runBoth>[2]]> {
  return fc.property(programs, inputsArbitrary, (source, inputs) => {
    const compiled = compileProgram(source);
    // A program holding a construct that must be rejected: exactly its diagnostic, nothing to run.
    const expected = /\/\/ @expect (TS\d+)/.exec(source)?.[1];
    if (expected) {
      const codes = new Set([...compiled.diagnostics.matchAll(/error (TS\d+)/g)].map((m) => m[1]));
      if (codes.size !== 1 || !codes.has(expected)) throw new Error(`expected ${expected} alone, got:\n${compiled.diagnostics || "no diagnostic"}`);
      return;
    }
    if (compiled.diagnostics) throw new Error(`the transformer rejected a supported program:\n${compiled.diagnostics}`);
    const outcome = runBoth(source, compiled, inputs);
    fc.pre(finite(outcome));
    const problem = mismatch(outcome);
    if (problem) throw new Error(`twin and oracle disagree (${problem})\ninputs: ${JSON.stringify(inputs)}`);
    const vector = vectorMismatch(compiled, inputs);
    if (vector) throw new Error(`${vector}\ninputs: ${JSON.stringify(inputs)}`);
    const second = secondOrderMismatch(source, compiled, inputs);
    if (second) throw new Error(`${second}\ninputs: ${JSON.stringify(inputs)}`);
    // One program in four is compiled again asking for main's sparsity pattern: it either gets it
    // (and it must hold) or TS97030 alone (a construct the index-set pass cannot follow).
    if (hash(source) % 4 === 0) {
      const sparse = compileProgram(source, true);
      const codes = new Set([...sparse.diagnostics.matchAll(/error (TS\d+)/g)].map((m) => m[1]));
      if (codes.size > 0 && (codes.size > 1 || !codes.has("TS97030"))) throw new Error(`asking for the sparsity pattern: ${sparse.diagnostics}`);
      const problem = sparseMismatch(sparse, inputs);
      if (problem) throw new Error(`${problem}\ninputs: ${JSON.stringify(inputs)}`);
    }
  });
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

export function fuzz(runs: number, seed?: number, path?: string, programs = programArbitrary): fc.RunDetails<[string, Parameters<typeof runBoth>[2]]> {
  return fc.check(fuzzProperty(programs), { numRuns: runs, seed, path, maxSkipsPerRun: 100, endOnFailure: false, verbose: fc.VerbosityLevel.None });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--runs");
  const runs = at >= 0 ? Number(args[at + 1]) : 1000;
  const seedAt = args.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : undefined;
  const pathAt = args.indexOf("--path");
  const started = Date.now();
  // --second-order: only programs whose Hessians the second pass can make.
  const details = fuzz(runs, seed, pathAt >= 0 ? args[pathAt + 1] : undefined, args.includes("--second-order") ? secondOrderPrograms : programArbitrary);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    console.log(fc.defaultReportMessage(details));
    process.exitCode = 1;
  } else {
    console.log(`tsjvp fuzz: ${details.numRuns} programs passed (${details.numSkips} skipped: non-finite primal) in ${seconds} s, seed ${details.seed}`);
  }
}
