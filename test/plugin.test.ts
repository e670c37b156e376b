/** The ts-patch entry itself: what it does with a TypeScript it does not support. */
import { expect } from "chai";
import ts from "typescript";
import tsjvpTransformer from "../transformer/plugin";

describe("the plugin entry", () => {
  it("reports TS97025 naming the supported release for another TypeScript, and leaves files as they are", () => {
    const reported: ts.Diagnostic[] = [];
    const other = { ...ts, version: "5.4.2", versionMajorMinor: "5.4" } as unknown as typeof ts;
    const program = ts.createProgram([], {});
    const factory = tsjvpTransformer(program, {}, { ts: other, addDiagnostic: (d) => reported.push(d) });
    expect(reported.map((d) => [d.code, d.messageText])).to.deep.equal([
      [97025, "tsjvp supports TypeScript 6.0.x; this build uses TypeScript 5.4.2. Install a supported release: npm install --save-dev typescript@6.0"],
    ]);
    const file = ts.createSourceFile("a.ts", "import { jvp } from 'tsjvp'; jvp((x: number) => x * x, [1], [1]);", ts.ScriptTarget.ES2022);
    const result = ts.transform(file, [factory]);
    expect(result.transformed[0]).to.equal(file);
    result.dispose();
  });
});
