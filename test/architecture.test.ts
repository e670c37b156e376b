/**
 * The pipeline is visible in the tree (docs/architecture.md): one folder per stage, each stage
 * importing only the stages below it, and no import cycles among the transformer's files (type-only
 * imports included: a cycle of types is a cycle of concepts).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { repoRoot } from "./support/compile";

const transformerDir = path.join(repoRoot, "transformer");
/** Stages from the bottom up; the files at the top of transformer/ orchestrate them. */
const stages = ["core", "model", "marks", "analysis", "fence", "derive", "tidy", "vector", "sparsity", "emit", "second-order"];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(path.join(dir, d.name)) : d.name.endsWith(".ts") ? [path.join(dir, d.name)] : []);
}

/** Relative imports of a file, resolved to files of the transformer. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
  return source.statements.flatMap((s) => {
    const specifier = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
    return specifier?.startsWith(".") ? [path.resolve(path.dirname(file), specifier) + ".ts"] : [];
  });
}

function rank(file: string): number {
  const folder = path.relative(transformerDir, file).split(path.sep);
  return folder.length === 1 ? stages.length : stages.indexOf(folder[0]);
}

describe("architecture", () => {
  const files = sourceFiles(transformerDir);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const name = (f: string) => path.relative(transformerDir, f);

  it("every file of the transformer is in a stage folder or orchestrates them", () => {
    for (const f of files) expect(rank(f), name(f)).to.be.at.least(0);
  });

  it("each stage imports only itself and the stages below it", () => {
    const violations = files.flatMap((f) => graph.get(f)!.filter((g) => rank(g) > rank(f)).map((g) => `${name(f)} → ${name(g)}`));
    expect(violations).to.deep.equal([]);
  });

  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, "open");
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (state.get(g) === "open") cycles.push([...stack.slice(stack.indexOf(g)), g].map(name).join(" → "));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).to.deep.equal([]);
  });

  it("the fence decides what is supported: derive reports nothing but internal errors", () => {
    const derive = files.filter((f) => name(f).startsWith(`derive${path.sep}`));
    const reports = derive.flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/\.report\((?:[^,]+), "(\w+)"/g)].map((m) => `${name(f)}: ${m[1]}`));
    expect(reports.filter((r) => !r.endsWith(": internalError"))).to.deep.equal([]);
    expect(reports.length, "the differentiator's internal errors").to.be.greaterThan(0);
  });

  it("the CLI and the tests reach the transformer through its entry points and the emit stage", () => {
    const outside = [...sourceFiles(path.join(repoRoot, "cli")), ...sourceFiles(path.join(repoRoot, "test"))];
    const allowed = (g: string) => rank(g) >= stages.indexOf("emit") || /analysis[/\\]activity|core[/\\]diagnostics/.test(g);
    const violations = outside.flatMap((f) => importsOf(f).filter((g) => g.startsWith(transformerDir + path.sep) && !allowed(g))
      .map((g) => `${path.relative(repoRoot, f)} → ${name(g)}`));
    expect(violations).to.deep.equal([]);
  });
});
