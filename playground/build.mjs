// Builds playground/dist/: index.html, style.css, app.js (the page, TypeScript and tsjvp's core)
// and worker.js (the runtime that runs programs). Static files, no server needed beyond serving them.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { virtualFiles } from "./files.mjs";

const here = import.meta.dirname;
const out = path.join(here, "dist");

export async function buildPlayground() {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const files = virtualFiles();
  const virtual = {
    name: "virtual-files",
    setup(build) {
      build.onResolve({ filter: /^virtual:files$/ }, () => ({ path: "files", namespace: "virtual" }));
      build.onLoad({ filter: /.*/, namespace: "virtual" }, () => ({ contents: JSON.stringify(files), loader: "json" }));
    },
  };
  const common = { bundle: true, minify: true, platform: "browser", target: "es2022", logLevel: "warning", legalComments: "none" };
  await esbuild.build({ ...common, entryPoints: [path.join(here, "src", "main.ts")], outfile: path.join(out, "app.js"), format: "iife", plugins: [virtual] });
  await esbuild.build({ ...common, entryPoints: [path.join(here, "src", "worker.ts")], outfile: path.join(out, "worker.js"), format: "iife" });
  for (const f of ["index.html", "style.css"]) fs.copyFileSync(path.join(here, f), path.join(out, f));
  return Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.statSync(path.join(out, f)).size]));
}

if (process.argv[1] === import.meta.filename) {
  const sizes = await buildPlayground();
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  for (const [f, n] of Object.entries(sizes)) console.log(`playground/dist/${f}  ${(n / 1024).toFixed(0)} KB`);
  console.log(`total ${(total / 1024 / 1024).toFixed(2)} MB`);
}
