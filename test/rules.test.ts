/**
 * Every derivative rule against shared/vectors/math-jvp.json (193 vectors computed independently
 * from the rule conventions in Python), through the real pipeline: a generated module with one function per
 * operation, compiled by the plugin's core and run.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileFixture, emitFixture, repoRoot } from "./support/compile";

interface Vector { fn: string; args: (number | string)[]; tangents: (number | string)[]; value: number | string; tangent: number | string; note?: string }

// A copy of shared/vectors/math-jvp.json, kept in the repository so CI runs it from a clean clone.
const vectorsFile = path.join(repoRoot, "test/vectors/math-jvp.json");
const vectors: Vector[] = JSON.parse(fs.readFileSync(vectorsFile, "utf8")).vectors;

const num = (v: number | string): number =>
  typeof v === "number" ? v : v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v === "-0" ? -0 : Number(v);

const inactive = new Set(["sign", "floor", "ceil", "round", "trunc"]);

const operators: Record<string, string> = { "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "**": "pow_op" };

/** The source of a function computing `fn` with `arity` arguments, and its name. */
function source(fn: string, arity: number): { name: string; text: string } {
  const params = Array.from({ length: arity }, (_, i) => `a${i}`);
  const name = `${operators[fn] ?? fn}_${arity}`;
  const body = operators[fn] ? `${params[0]} ${fn} ${params[1]}` : `Math.${fn}(${params.join(", ")})`;
  return { name, text: `function ${name}(${params.map((p) => `${p}: number`).join(", ")}): number {\n  return ${body};\n}` };
}

describe("derivative rules (shared vectors)", () => {
  const dir = path.join(repoRoot, "build", "rules");
  const functions = new Map<string, string>();
  for (const v of vectors) {
    const s = source(v.fn, v.args.length);
    functions.set(s.name, s.text);
  }
  const calls = [...functions.keys()].map((name) => {
    const arity = Number(name.split("_").pop());
    const ps = Array.from({ length: arity }, (_, i) => `p[${i}]`).join(", ");
    const ts = Array.from({ length: arity }, (_, i) => `t[${i}]`).join(", ");
    return `  ${name}: (p: number[], t: number[]) => jvp(${name}, [${ps}], [${ts}]),`;
  });
  const text = [
    `import { jvp } from "tsjvp";`,
    ...functions.values(),
    `export const run: Record<string, (p: number[], t: number[]) => [number, number]> = {`,
    ...calls,
    `};`,
    `/** An inactive exponent: a symbolic zero, no dy term. */`,
    `export const powInactiveExponent = (x: number, dx: number, y: number) => jvp(pow_2, [x, y], [dx, null]);`,
    "",
  ].join("\n");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "input.ts"), text);
  const compiled = compileFixture(dir);
  let mod: { run: Record<string, (p: number[], t: number[]) => [number, number]>; powInactiveExponent: (x: number, dx: number, y: number) => [number, number] };

  before(() => {
    expect(compiled.errors).to.equal("");
    emitFixture(compiled.program, path.join(dir, "out"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path.join(dir, "out", "input.js"));
  });

  for (const v of vectors) {
    const label = `${v.fn}(${v.args.join(", ")}) with tangents (${v.tangents.join(", ")})`;
    it(label, () => {
      const [value, tangent] = mod.run[source(v.fn, v.args.length).name](v.args.map(num), v.tangents.map(num));
      expectMatch(value, num(v.value), `${label}: value`);
      // sign/floor/ceil/round/trunc have a symbolic-zero tangent (piecewise constant: "0 (inactive)"); the
      // vectors write 0·dx, whose sign follows dx, so only those compare without the zero's sign.
      const expected = num(v.tangent);
      const symbolicZero = inactive.has(v.fn) && expected === 0 && tangent === 0;
      if (!symbolicZero) expectMatch(tangent, expected, `${label}: tangent`);
    });
  }

  it("an inactive exponent contributes no dy term: d(x ** 2) at -8 is -16, not NaN", () => {
    expect(mod.powInactiveExponent(-8, 1, 2)).to.deep.equal([64, -16]);
  });
});

/** Exact for special values (NaN, ±Infinity, ±0 with its sign); else within 4 ulp or 1e-15 relative. */
function expectMatch(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected) || expected === 0) {
    expect(Object.is(actual, expected), `${what}: got ${Object.is(actual, -0) ? "-0" : actual}, expected ${Object.is(expected, -0) ? "-0" : expected}`).to.equal(true);
    return;
  }
  const ulp = Math.abs(expected) * Number.EPSILON;
  expect(Math.abs(actual - expected), `${what}: got ${actual}, expected ${expected}`).to.be.at.most(Math.max(4 * ulp, 1e-15 * Math.abs(expected)));
}
