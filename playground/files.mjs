// The in-memory file system the playground compiles against: the standard library (ES2022, no DOM:
// the worker has a console and nothing else) and tsjvp's declarations, built from dist/.
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";

const repo = path.resolve(import.meta.dirname, "..");
const libDir = path.dirname(createRequire(import.meta.url).resolve("typescript"));

function libFiles(name, into) {
  if (into[`/lib/${name}`] !== undefined) return;
  const text = fs.readFileSync(path.join(libDir, name), "utf8");
  into[`/lib/${name}`] = text;
  for (const m of text.matchAll(/\/\/\/\s*<reference lib="([^"]+)"\s*\/>/g)) libFiles(`lib.${m[1].toLowerCase()}.d.ts`, into);
}

export function virtualFiles() {
  const files = {};
  libFiles("lib.es2022.d.ts", files);
  files["/globals.d.ts"] = "declare var console: { log(...data: unknown[]): void; error(...data: unknown[]): void; warn(...data: unknown[]): void };\n";
  const runtime = path.join(repo, "dist", "runtime");
  if (!fs.existsSync(runtime)) throw new Error("playground: build tsjvp first (npm run build)");
  for (const f of fs.readdirSync(runtime).filter((f) => f.endsWith(".d.ts"))) {
    files[`/node_modules/tsjvp/dist/runtime/${f}`] = fs.readFileSync(path.join(runtime, f), "utf8");
  }
  files["/node_modules/tsjvp/package.json"] = JSON.stringify({
    name: "tsjvp",
    types: "./dist/runtime/index.d.ts",
    exports: { ".": { types: "./dist/runtime/index.d.ts" }, "./ops": { types: "./dist/runtime/ops.d.ts" } },
  });
  return files;
}
