/**
 * Build-time benchmark of the bundler plugins: what `tsjvp()` adds to an esbuild build and a
 * `vite build --ssr` of the examples. "cold" is a whole build in a fresh process (it loads
 * TypeScript and type-checks the project, as tspc does); "rebuild" is a second build with the same
 * plugin in the same process (watch mode, a dev server: the language service is kept). Medians of
 * RUNS (default 5). Run: npm run bench:bundler. Results: bench/bundler-results.json.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const repo = path.resolve(__dirname, "..");
const work = path.join(repo, "build", "bundler-bench");
const runs = Number(process.env.RUNS ?? 5);

/** One build script: `node build.mjs <esbuild|vite> <0|1 plugin> <builds>` prints each build's milliseconds. */
const script = `
import * as esbuild from "esbuild";
import { build } from "vite";
const [tool, withPlugin, builds] = process.argv.slice(2);
const plugin = withPlugin === "1" ? (await import("tsjvp/" + tool)).default() : undefined;
const once = tool === "esbuild"
  ? () => esbuild.build({ entryPoints: ["src/main.ts"], bundle: true, platform: "node", format: "esm", outfile: "out/esbuild.js", logLevel: "silent", external: ["tsjvp"], plugins: plugin ? [plugin] : [] })
  : () => build({ configFile: false, logLevel: "silent", ssr: { external: ["tsjvp"] }, build: { ssr: "src/main.ts", outDir: "out/vite" }, plugins: plugin ? [plugin] : [] });
const times = [];
for (let i = 0; i < Number(builds); i++) {
  const start = performance.now();
  await once();
  times.push(performance.now() - start);
}
console.log(JSON.stringify(times));
`;

function setUp(): void {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, "node_modules"), { recursive: true });
  fs.cpSync(path.join(repo, "examples", "src"), path.join(work, "src"), { recursive: true });
  fs.symlinkSync(repo, path.join(work, "node_modules", "tsjvp"));
  fs.writeFileSync(path.join(work, "package.json"), JSON.stringify({ name: "bundler-bench", private: true, type: "module" }));
  const options = { target: "es2022", module: "esnext", moduleResolution: "bundler", strict: true, skipLibCheck: true, types: [] };
  fs.writeFileSync(path.join(work, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: ["src"] }));
  fs.writeFileSync(path.join(work, "build.mjs"), script);
}

function builds(tool: string, plugin: boolean, count: number): number[] {
  const r = spawnSync(process.execPath, ["build.mjs", tool, plugin ? "1" : "0", String(count)], { cwd: work, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${tool} build failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

setUp();
const rows: { bundler: string; coldWithout: number; coldWith: number; rebuildWithout: number; rebuildWith: number }[] = [];
for (const tool of ["esbuild", "vite"]) {
  const sample = (plugin: boolean) => Array.from({ length: runs }, () => builds(tool, plugin, 2));
  const without = sample(false);
  const withPlugin = sample(true);
  rows.push({
    bundler: tool === "vite" ? "vite build --ssr" : "esbuild",
    coldWithout: median(without.map((t) => t[0])),
    coldWith: median(withPlugin.map((t) => t[0])),
    rebuildWithout: median(without.map((t) => t[1])),
    rebuildWith: median(withPlugin.map((t) => t[1])),
  });
}

console.log(`bundler builds of examples/, median of ${runs} (milliseconds)\n`);
console.log("| bundler | cold, without | cold, with tsjvp() | rebuild, without | rebuild, with tsjvp() |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.bundler} | ${r.coldWithout.toFixed(0)} | ${r.coldWith.toFixed(0)} | ${r.rebuildWithout.toFixed(0)} | ${r.rebuildWith.toFixed(0)} |`);
fs.writeFileSync(path.join(repo, "bench", "bundler-results.json"), JSON.stringify({ runs, node: process.version, rows }, null, 2) + "\n");
