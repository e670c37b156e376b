/**
 * Unmarked code is untouched: a real code base (rxjs's 251 TypeScript modules) emits
 * byte-identical JavaScript, declarations and source maps with and without the plugin; and with
 * one module marked, every other file is still byte-identical.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { emitRxjs, rxjsSrc } from "./support/third-party";

describe("unmarked code is untouched (rxjs, 251 modules)", function () {
  this.timeout(300000);
  let plain: Map<string, string>;

  before(() => {
    plain = emitRxjs(false).files;
  });

  it("emits byte-identical JavaScript, declarations and source maps with the plugin", () => {
    const withPlugin = emitRxjs(true);
    expect(withPlugin.diagnostics).to.deep.equal([]);
    expect(plain.size).to.be.greaterThan(700); // .js, .d.ts and .js.map for each module
    expect([...withPlugin.files.keys()].sort()).to.deep.equal([...plain.keys()].sort());
    const differing = [...plain].filter(([f, text]) => withPlugin.files.get(f) !== text).map(([f]) => f);
    expect(differing).to.deep.equal([]);
  });

  it("with one module marked, every other file is byte-identical", () => {
    const marked = path.join(rxjsSrc, "internal", "util", "isFunction.ts");
    const text = fs.readFileSync(marked, "utf8") + `
import { jvp } from "tsjvp";
/** @jvp */
export function smoothStep(x: number): number {
  return x * x * (3 - 2 * x);
}
export const smoothStepSlope = (x: number) => jvp(smoothStep, [x], [1])[1];
`;
    const withMark = emitRxjs(true, new Map([[marked, text]]));
    expect(withMark.diagnostics).to.deep.equal([]);
    const changed = [...plain].filter(([f, t]) => withMark.files.get(f) !== t).map(([f]) => f).sort();
    expect(changed).to.deep.equal(["internal/util/isFunction.d.ts", "internal/util/isFunction.js", "internal/util/isFunction.js.map"]);
    expect(withMark.files.get("internal/util/isFunction.js")).to.contain("function smoothStep_jvp(x, x_dot)");
  });
});
