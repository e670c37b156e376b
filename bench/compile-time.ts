/**
 * Compile-time benchmark: how much the plugin adds to a tsc build. Generated modules of 1k, 5k and
 * 10k lines (100, 500, 1,000 functions, each marked by a jvp call) and the examples project are
 * built with tspc --extendedDiagnostics, with and without the plugin; each figure is the median of
 * five builds. `transformTime` includes TypeScript's own transforms (the build without the plugin
 * shows their share). Run: npm run bench:compile. Results: bench/compile-results.json.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const repo = path.resolve(__dirname, "..");
const tspc = path.join(repo, "node_modules", "ts-patch", "bin", "tspc.js");
const work = path.join(repo, "build", "compile-bench");
const runs = Number(process.env.RUNS ?? 5);

function module(functions: number): string {
  const lines = ['import { jvp } from "tsjvp";', ""];
  for (let i = 0; i < functions; i++) {
    lines.push(
      `function f${i}(x: Float64Array, y: number): number {`,
      "  let s = 0;",
      "  for (let k = 0; k < x.length; k++) {",
      `    const a = x[k] * y + ${(i % 7) + 1};`,
      "    s += Math.sin(a) * a - Math.exp(-a * a) / (1 + y * y);",
      "  }",
      `  return s * ${(i % 3) + 1} + Math.sqrt(1 + s * s);`,
      "}",
      `export const r${i} = jvp(f${i}, [Float64Array.of(1, 2), 0.5], [Float64Array.of(1, 0), 1]);`,
      "",
    );
  }
  return lines.join("\n");
}

function project(name: string, source: string): string {
  const dir = path.join(work, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "src"), { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(repo, path.join(dir, "node_modules", "tsjvp"));
  fs.writeFileSync(path.join(dir, "src", "big.ts"), source);
  const options = { target: "es2022", module: "commonjs", strict: true, skipLibCheck: true, types: [], rootDir: "src", outDir: "out" };
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: ["src"] }));
  fs.writeFileSync(path.join(dir, "plugin.json"), JSON.stringify({
    extends: "./tsconfig.json",
    compilerOptions: { plugins: [{ transform: path.join(repo, "dist", "transformer", "plugin.js") }] },
  }));
  return dir;
}

interface Times { check: number; transform: number }

function build(config: string): Times {
  const r = spawnSync(process.execPath, [tspc, "-p", config, "--extendedDiagnostics"], { encoding: "utf8" });
  const seconds = (label: string) => Number(new RegExp(`^${label}:\\s+([\\d.]+)s`, "m").exec(r.stdout)?.[1] ?? NaN);
  return { check: seconds("Check time"), transform: seconds("transformTime time") };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(configWith: string, configWithout: string): { check: number; transform: number; baseline: number } {
  const withPlugin: Times[] = [];
  const without: Times[] = [];
  for (let i = 0; i < runs; i++) {
    withPlugin.push(build(configWith));
    without.push(build(configWithout));
  }
  return { check: median(withPlugin.map((t) => t.check)), transform: median(withPlugin.map((t) => t.transform)), baseline: median(without.map((t) => t.transform)) };
}

const rows: { name: string; lines: number; check: number; transform: number; baseline: number; ratio: number }[] = [];
for (const functions of [100, 500, 1000]) {
  const source = module(functions);
  const dir = project(`n${functions}`, source);
  const m = measure(path.join(dir, "plugin.json"), path.join(dir, "tsconfig.json"));
  rows.push({ name: `generated, ${functions} functions`, lines: source.split("\n").length, ...m, ratio: m.transform / m.check });
}
{
  // The examples, as `npm run example` builds them (its own tsconfig with the plugin).
  const examples = path.join(repo, "examples", "tsconfig.json");
  const bare = path.join(work, "examples.json");
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(bare, JSON.stringify({ extends: examples, compilerOptions: { plugins: [] }, include: [path.join(repo, "examples", "src")] }));
  const m = measure(examples, bare);
  const lines = fs.readdirSync(path.join(repo, "examples", "src")).reduce((n, f) => n + fs.readFileSync(path.join(repo, "examples", "src", f), "utf8").split("\n").length, 0);
  rows.push({ name: "examples/", lines, ...m, ratio: m.transform / m.check });
}

console.log(`compile time, median of ${runs} builds (seconds)\n`);
console.log("| program | lines | check | transform (plugin) | transform (no plugin) | transform / check |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.name} | ${r.lines} | ${r.check.toFixed(2)} | ${r.transform.toFixed(2)} | ${r.baseline.toFixed(2)} | ${r.ratio.toFixed(2)} |`);
fs.writeFileSync(path.join(repo, "bench", "compile-results.json"), JSON.stringify({ runs, node: process.version, rows }, null, 2) + "\n");
