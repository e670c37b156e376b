/**
 * Robustness: real-world TypeScript with its functions marked, and generated programs with
 * syntax outside the subset, always end in a twin or a positioned TS97xxx diagnostic — never an
 * exception, never an internal error (TS97001), never a hang.
 */
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import ts from "typescript";
import { compileProgram } from "./fuzz/differential";
import { programArbitrary } from "./fuzz/generator";
import { emitRxjs, rxjsModules } from "./support/third-party";

/** Diagnostics must be tsjvp's (or tsc's own), positioned, and never an internal error. */
function expectWellFormed(diagnostics: readonly ts.Diagnostic[]): void {
  for (const d of diagnostics) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
    expect(d.code, text).to.not.equal(97001);
    if (d.code >= 97000 && d.code < 98000) {
      expect(d.file, text).to.not.equal(undefined);
      expect(d.start, text).to.be.a("number");
    }
  }
}

describe("robustness", function () {
  this.timeout(300000);

  it("rxjs with every exported function tagged @jvp: twins or positioned diagnostics", () => {
    const tagged = new Map<string, string>();
    for (const file of rxjsModules()) {
      const text = fs.readFileSync(file, "utf8").replace(/^export function /gm, "/** @jvp */\nexport function ");
      tagged.set(file, text);
    }
    const { files, diagnostics } = emitRxjs(true, tagged);
    expectWellFormed(diagnostics);
    expect(diagnostics.filter((d) => d.code >= 97002).length).to.be.greaterThan(0);
    // Functions that could be differentiated got twins; the rest throw their diagnostic if called.
    const js = [...files.values()].join("\n");
    expect(js).to.match(/function \w+_jvp\(/);
  });

  const unsupported = [
    "try { x = x * 2; } catch { x = 0; }",
    "for (const k in a) x += 1;",
    "const f = () => x * 2;\n  x = f();",
    "const o: any = { v: x };\n  x = o.v;",
    "x = (x, y);",
    "let q = x++ + 1;\n  x = q;",
    "x = [x, y].length * x;",
    "x = Math.max(...a);",
    "x = a.map((v) => v * x).reduce((s, v) => s + v, 0);",
    "x = eval('1') * x;",
    "x = (x || 1) * 2;",
    "x = Number(x) * y;",
    "x = JSON.parse(String(x)) * y;",
    "label: for (;;) { break label; }",
    "switch (Math.sign(x)) { case 1: x *= 2; break; default: x = -x; }",
    "x = typeof x === 'number' ? x : 0;",
    "do { x *= 0.5; } while (x > 10);",
  ];

  it("generated programs with syntax outside the subset: a twin or a positioned diagnostic", () => {
    const hostile = fc.tuple(programArbitrary, fc.array(fc.constantFrom(...unsupported), { minLength: 1, maxLength: 3 }))
      .map(([program, extra]) => program.replace(/(function main\([^)]*\): number \{\n)/, `$1  ${extra.join("\n  ")}\n`));
    fc.assert(fc.property(hostile, (source) => {
      const compiled = compileProgram(source);
      const codes = [...compiled.diagnostics.matchAll(/error TS(\d+)/g)].map((m) => Number(m[1]));
      expect(codes, compiled.diagnostics).to.not.include(97001);
      if (compiled.run) {
        const a = Float64Array.of(0.5, 1, 1.5);
        const pytree = { s: 0.5, v: Float64Array.of(1, 2, 3) };
        const [p, t] = compiled.run(0.3, 1, 0.7, 0.5, a, Float64Array.of(1, 0, 0), Float64Array.of(0, 0, 0), null, pytree, null);
        expect(typeof p).to.equal("number");
        expect(typeof t).to.equal("number");
      }
    }), { numRuns: 150, seed: 20261127 });
  });
});
