/**
 * jvp is typed with TangentIn / Tangent: tsc rejects tangents whose shape does not match the
 * primals, and types the result [R, Tangent<R>]; defineJvp's rule is typed JvpRule<typeof f>. Each bad call below must fail to type-check on
 * its own line; the good ones must not.
 */
import { expect } from "chai";
import * as path from "node:path";
import ts from "typescript";
import { fixtureOptions, repoRoot } from "./support/compile";

const source = `
import { defineJvp, jvp, type Tangent, type TangentIn } from "tsjvp";

interface Params { w: Float64Array; b: number; tag: string; layers: { scale: number }[] }
function model(p: Params, x: number): { y: number; label: string } {
  return { y: p.b * x, label: p.tag };
}
function pair(t: [number, number]): number {
  return t[0] * t[1];
}
const p: Params = { w: Float64Array.of(1), b: 2, tag: "t", layers: [{ scale: 1 }] };
const dp: Tangent<Params> = { w: Float64Array.of(1), b: 1, tag: null, layers: [{ scale: 0 }] };

// good
const [out, dOut] = jvp(model, [p, 3], [dp, null]);
const y: number = out.y;
const dy: number = dOut.y;
const dLabel: null = dOut.label;
const partial: TangentIn<Params> = { w: null, b: 1, tag: null, layers: null };
jvp(model, [p, 3], [partial, 1]);
jvp(pair, [[1, 2]], [[0.5, null]]);
void [y, dy, dLabel];
function scaled(x: number, v: Float64Array): number {
  return x * v[0];
}
defineJvp(scaled, ([x, v], [dx, dv]) => [x * v[0], (dx ?? 0) * v[0] + (dv ? x * dv[0] : 0)]);
const modelWithRule: typeof model = defineJvp(model, ([q, x], [dq]) => [model(q, x), { y: dq ? dq.b * x : 0, label: null }]);
void modelWithRule;

// bad
jvp(model, [p, 3], [{ ...dp, b: "one" }, null]); // @error wrong leaf type
jvp(model, [p, 3], [{ w: Float64Array.of(1), tag: null, layers: [] }, null]); // @error missing field
jvp(pair, [[1, 2]], [[0.5, 1, 2]]); // @error wrong tuple length
jvp(model, [p, 3], [dp, Float64Array.of(1)]); // @error a Float64Array tangent for a number
jvp(model, [p, 3], [dp]); // @error too few tangents
const wrong: string = jvp(model, [p, 3], [dp, null])[1].y; // @error the result's tangent is a number
const tagTangent: string = dOut.label; // @error a string's tangent is null
defineJvp(scaled, ([x, v]: [string, Float64Array], [dx]) => [x.length * v[0], dx ?? 0]); // @error a rule whose parameters do not match
defineJvp(scaled, ([x, v], [dx]) => [x * v[0], Float64Array.of(dx ?? 0)]); // @error a rule whose tangent does not match the result
defineJvp(scaled, ([x], [dx, dv]) => [x, (dv ?? 0) + (dx ?? 0)]); // @error a tangent of a Float64Array used as a number
defineJvp(model, ([q, x]) => [model(q, x), { y: 0 }]); // @error a result tangent missing a field
`;

describe("types: jvp with TangentIn and Tangent, defineJvp with JvpRule", () => {
  const file = path.join(repoRoot, "build", "types", "input.ts");
  const options = fixtureOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => (f === file ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, onError, create));
  host.fileExists = ((exists) => (f: string) => f === file || exists(f))(host.fileExists.bind(host));
  const program = ts.createProgram([file], { ...options, noEmit: true, noUnusedLocals: false }, host);
  const sf = program.getSourceFile(file)!;
  const lines = new Map<number, ts.Diagnostic[]>();
  for (const d of ts.getPreEmitDiagnostics(program, sf)) {
    const line = sf.getLineAndCharacterOfPosition(d.start ?? 0).line;
    lines.set(line, [...(lines.get(line) ?? []), d]);
  }
  const sourceLines = source.split("\n");

  sourceLines.forEach((text, i) => {
    const marker = /\/\/ @error (.*)$/.exec(text);
    if (marker) {
      it(`rejects: ${marker[1]}`, () => expect(lines.get(i), `line ${i + 1}: ${text}`).to.not.equal(undefined));
    }
  });

  it("accepts the good calls and types their results", () => {
    const unexpected = [...lines.entries()].filter(([i]) => !/\/\/ @error/.test(sourceLines[i]));
    expect(unexpected.map(([i, ds]) => `${i + 1}: ${ts.flattenDiagnosticMessageText(ds[0].messageText, "\n")}`)).to.deep.equal([]);
  });
});
