/**
 * End to end, as a user would: `npm pack` this package, install the tarball with typescript and
 * ts-patch into fresh consumer projects, build them with `tspc` and the plugin (CommonJS and ES
 * modules), run the output with node, and rebuild incrementally and under --watch.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./support/compile";
import { consumerRoot as root, expectMainOutput, installConsumer, lib, main, run } from "./support/consumer";

const tspc = path.join(root, "node_modules", "ts-patch", "bin", "tspc.js");

/** Runs tspc (or `bin`, another one); returns its exit code and output instead of throwing. */
function build(cwd: string, bin = tspc, ...args: string[]): { code: number; output: string } {
  try {
    return { code: 0, output: run(process.execPath, [bin, "-p", ".", ...args], cwd) };
  } catch (e) {
    const error = e as { status: number; stdout: string; stderr: string };
    return { code: error.status, output: `${error.stdout}${error.stderr}` };
  }
}

function writeProject(dir: string, module: "commonjs" | "nodenext", extra: Record<string, unknown> = {}): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "src"), { recursive: true });
  const esm = module === "nodenext";
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: path.basename(dir), private: true, ...(esm ? { type: "module" } : {}) }));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "es2022", module, strict: true, rootDir: "src", outDir: "out", skipLibCheck: true, types: [],
      plugins: [{ transform: "tsjvp/transformer" }], ...extra,
    },
    include: ["src"],
  }, null, 2));
  fs.writeFileSync(path.join(dir, "src", "lib.ts"), lib);
  fs.writeFileSync(path.join(dir, "src", "main.ts"), main(esm ? ".js" : ""));
}

/** The supported ts-patch majors on this Node (both kept in the lockfile; 3.3 through an npm alias). */
const tspcs = { "ts-patch 4.0": tspc, "ts-patch 3.3": path.join(root, "node_modules", "ts-patch-3", "bin", "tspc.js") };

describe("end to end: npm pack, a consumer project, tspc with the plugin", function () {
  this.timeout(300000);
  let packed: { tarball: string; files: string[] };

  before(() => {
    packed = installConsumer();
  });

  it("packs the built runtime, plugin, CLI and their declarations, and nothing else", () => {
    const files = packed.files;
    for (const f of ["package.json", "README.md", "dist/runtime/index.js", "dist/runtime/index.d.ts", "dist/transformer/plugin.js",
      "dist/transformer/plugin.d.ts", "dist/transformer/emit/declarations.js", "dist/cli/main.js"]) expect(files).to.include(f);
    expect(files).to.include("language-service/index.js");
    for (const bundler of ["vite", "esbuild", "rollup", "webpack"]) expect(files).to.include(`dist/bundler/${bundler}.js`);
    expect(files.filter((f) => !/^dist\/(runtime|transformer|cli|host|bundler)\/.*\.(js|d\.ts)$/.test(f) && !["package.json", "README.md", "language-service/index.js"].includes(f))).to.deep.equal([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "node_modules", "tsjvp", "package.json"), "utf8"));
    expect(manifest.dependencies ?? {}).to.deep.equal({});
    // Only the bundler plugins need unplugin, and their users install it: an optional peer.
    expect(Object.keys(manifest.peerDependencies ?? {})).to.deep.equal(["unplugin"]);
    expect(manifest.peerDependenciesMeta).to.deep.equal({ unplugin: { optional: true } });
  });

  for (const [patch, bin] of Object.entries(tspcs)) {
    for (const module of ["commonjs", "nodenext"] as const) {
      it(`builds and runs a ${module === "commonjs" ? "CommonJS" : "ES module"} consumer (TypeScript 6.0, ${patch})`, () => {
        const dir = path.join(root, `${module}-${patch.replace(/\W+/g, "")}`);
        writeProject(dir, module);
        const result = build(dir, bin);
        expect(result.output).to.equal("");
        expect(result.code).to.equal(0);
        expectMainOutput(run(process.execPath, ["out/main.js"], dir));
      });
    }
  }

  it("a production install of the built program (npm ci --omit=dev) has tsjvp's runtime and no compiler", () => {
    const dir = path.join(root, "production");
    writeProject(dir, "commonjs");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({
      name: "app", private: true, dependencies: { tsjvp: `file:../${packed.tarball}` },
      devDependencies: { typescript: "6.0.3", "ts-patch": "4.0.1" },
    }));
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], dir);
    expect(build(dir, path.join(dir, "node_modules", "ts-patch", "bin", "tspc.js"))).to.deep.equal({ code: 0, output: "" });
    run("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], dir);
    expect(fs.readdirSync(path.join(dir, "node_modules")).filter((n) => !n.startsWith("."))).to.deep.equal(["tsjvp"]);
    expectMainOutput(run(process.execPath, ["out/main.js"], dir));
  });

  it("a library's declaration files declare its twins, and mark its functions for importers without comments", () => {
    const lib = path.join(root, "declarations", "lib");
    const app = path.join(root, "declarations", "app");
    for (const d of [lib, app]) fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(path.join(lib, "src"), { recursive: true });
    fs.mkdirSync(path.join(app, "src"), { recursive: true });
    fs.writeFileSync(path.join(lib, "package.json"), JSON.stringify({ name: "mylib", version: "1.0.0", main: "out/index.js", types: "out/index.d.ts" }));
    fs.writeFileSync(path.join(lib, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "es2022", module: "commonjs", strict: true, rootDir: "src", outDir: "out", types: [], declaration: true, removeComments: true,
        plugins: [{ transform: "tsjvp/transformer" }, { transform: "tsjvp/transformer", afterDeclarations: true }],
      },
      include: ["src"],
    }));
    fs.writeFileSync(path.join(lib, "src", "index.ts"), [
      "export interface Model { w: Float64Array; b: number }",
      "/** @jvp */",
      "export function predict(m: Model, x: number, k = 2): number {",
      "  return m.w[0] * x * k + m.b;",
      "}",
      "export namespace Geo {",
      "  /** @jvp */",
      "  export function area(r: number): number { return Math.PI * r * r; }",
      "}",
      "/** @jvp */",
      "export const cube = (x: number): number => x * x * x;",
      "",
    ].join("\n"));
    expect(build(lib)).to.deep.equal({ code: 0, output: "" });
    const dts = fs.readFileSync(path.join(lib, "out", "index.d.ts"), "utf8");
    expect(dts).to.not.contain("@jvp");
    expect(dts).to.contain('import type * as tsjvp_runtime from "tsjvp";');
    expect(dts).to.contain("export declare function predict_jvp(m: Model, m_dot: tsjvp_runtime.Tangent<Model>, x: number, x_dot: number, k?: number, k_dot?: number): [number, number];");
    expect(dts).to.match(/export declare namespace Geo \{\n\s+function area\(r: number\): number;\n\s+function area_jvp\(r: number, r_dot: number\): \[number, number\];/);
    expect(dts).to.contain("export declare function cube_jvp(x: number, x_dot: number): [number, number];");
    fs.mkdirSync(path.join(app, "node_modules"), { recursive: true });
    fs.symlinkSync(lib, path.join(app, "node_modules", "mylib"));
    fs.writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "es2022", module: "commonjs", strict: true, rootDir: "src", outDir: "out", types: [], plugins: [{ transform: "tsjvp/transformer" }] },
      include: ["src"],
    }));
    fs.writeFileSync(path.join(app, "src", "main.ts"), [
      `import { jvp } from "tsjvp";`,
      `import { predict, predict_jvp, cube, cube_jvp, Geo, type Model } from "mylib";`,
      `const m: Model = { w: Float64Array.of(3), b: 1 };`,
      `function g(x: number, model: Model): number {`,
      `  return predict(model, x) + cube(x) + Geo.area(x);`,
      `}`,
      `const direct = [predict_jvp(m, { w: Float64Array.of(1), b: 0 }, 2, 1), cube_jvp(2, 1), Geo.area_jvp(1, 1)];`,
      `console.log(JSON.stringify([...direct, jvp(g, [2, m], [1, null])]));`,
      ``,
    ].join("\n"));
    expect(build(app)).to.deep.equal({ code: 0, output: "" });
    const [p, c, a, g] = JSON.parse(run(process.execPath, ["out/main.js"], app));
    expect(p).to.deep.equal([13, 2 * 2 + 3 * 2]);
    expect(c).to.deep.equal([8, 12]);
    expect(a).to.deep.equal([Math.PI, 2 * Math.PI]);
    expect(g[0]).to.be.closeTo(13 + 8 + 4 * Math.PI, 1e-12);
    expect(g[1]).to.be.closeTo(3 * 2 + 12 + 4 * Math.PI, 1e-12);
  });

  it("installs the tsjvp command", () => {
    const bin = path.join(root, "node_modules", ".bin", "tsjvp");
    expect(run(bin, ["--version"], root).trim()).to.equal(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version);
  });

  it("prints diagnostics like tsc, fails the build, and emits a call that throws", () => {
    const dir = path.join(root, "diagnostics");
    writeProject(dir, "commonjs");
    fs.writeFileSync(path.join(dir, "src", "bad.ts"), [
      `import { jvp } from "tsjvp";`,
      `let hits = 0;`,
      `function counted(x: number): number {`,
      `  hits++;`,
      `  return x * x;`,
      `}`,
      `export const call = () => jvp(counted, [1], [1]);`,
      ``,
    ].join("\n"));
    const result = build(dir);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.contain("src/bad.ts(4,3): error TS97008: Differentiated code may write 'hits'");
    const pretty = build(dir, tspc, "--pretty");
    // eslint-disable-next-line no-control-regex
    expect(pretty.output.replace(/\x1b\[[0-9;]*m/g, "")).to.contain("src/bad.ts:4:3 - error TS97008");
    const script = `try { require("./out/bad.js").call(); console.log("no error"); } catch (e) { console.log(e.message); }`;
    expect(run(process.execPath, ["-e", script], dir)).to.contain("error TS97008");
  });

  for (const module of ["commonjs", "nodenext"] as const) {
    it(`adds a new cross-module mark and rebuilds with --incremental (${module})`, () => {
      const dir = path.join(root, `incremental-${module}`);
      writeProject(dir, module, { incremental: true });
      expect(build(dir).code).to.equal(0);
      expectMainOutput(run(process.execPath, ["out/main.js"], dir));
      // Only main.ts changes: lib.js is not re-emitted, and its full twins are already there.
      const libBefore = fs.statSync(path.join(dir, "out", "lib.js")).mtimeMs;
      const ext = module === "nodenext" ? ".js" : "";
      fs.appendFileSync(path.join(dir, "src", "main.ts"), `\nimport { cube } from "./lib${ext}";\nconsole.log(JSON.stringify(jvp(cube, [2], [1])));\n`);
      expect(build(dir).output).to.equal("");
      expect(fs.statSync(path.join(dir, "out", "lib.js")).mtimeMs).to.equal(libBefore);
      const lines = run(process.execPath, ["out/main.js"], dir).trim().split("\n");
      expectMainOutput(lines[0]);
      expect(JSON.parse(lines[1])).to.deep.equal([8, 12]);
    });
  }

  it("maps a run-time error inside a twin back to the user's line (source maps)", () => {
    const dir = path.join(root, "sourcemaps");
    writeProject(dir, "commonjs", { sourceMap: true });
    fs.writeFileSync(path.join(dir, "src", "checked.ts"), [
      `import { jvp } from "tsjvp";`,
      `function checkedLog(x: number): number {`,
      `  const y = x * 2;`,
      `  if (y <= 0) {`,
      `    throw new Error("checkedLog needs a positive argument");`,
      `  }`,
      `  return Math.log(y);`,
      `}`,
      `export const run = () => jvp(checkedLog, [-1], [1]);`,
      ``,
    ].join("\n"));
    expect(build(dir).output).to.equal("");
    const script = `try { require("./out/checked.js").run(); } catch (e) { console.log(e.stack); }`;
    const stack = run(process.execPath, ["--enable-source-maps", "-e", script], dir);
    expect(stack).to.contain("checkedLog needs a positive argument");
    expect(stack).to.match(/src\/checked\.ts:5:\d+/);
  });

  it("rebuilds under --watch when a new mark is added", async () => {
    const dir = path.join(root, "watch");
    writeProject(dir, "commonjs");
    const child = spawn(process.execPath, [tspc, "-p", ".", "--watch", "--preserveWatchOutput"], { cwd: dir });
    let output = "";
    child.stdout.on("data", (d) => (output += String(d)));
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 60000;
      while ((output.match(/Found 0 errors/g) ?? []).length < count) {
        if (Date.now() > deadline) throw new Error(`watch did not finish a build: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(1);
      expectMainOutput(run(process.execPath, ["out/main.js"], dir));
      fs.appendFileSync(path.join(dir, "src", "main.ts"), `\nimport { cube } from "./lib";\nconsole.log(JSON.stringify(jvp(cube, [3], [1])));\n`);
      await waitFor(2);
      const lines = run(process.execPath, ["out/main.js"], dir).trim().split("\n");
      expect(JSON.parse(lines[1])).to.deep.equal([27, 27]);
    } finally {
      child.kill();
    }
  });
});

/**
 * The README's "Using it in a project" and CLI walkthroughs, followed literally: every block marked
 * `<!-- readme-test: <project>/<file> -->` is written to that project (`stdout` is what running it
 * must print), built with the packed package as the README says, and run.
 */
describe("the README's walkthroughs", function () {
  this.timeout(300000);
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const blocks = new Map<string, string>();
  for (const m of readme.matchAll(/<!-- readme-test: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) blocks.set(m[1], m[2]);
  const tsx = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
  before(() => installConsumer());

  /** Writes the README's files of `project` under build/e2e/readme (its packages come from build/e2e/node_modules). */
  function project(name: string, packageJson: object, extra: Record<string, string> = {}): string {
    const dir = path.join(root, "readme", name);
    fs.rmSync(dir, { recursive: true, force: true });
    const files = [...blocks].filter(([k]) => k.startsWith(`${name}/`) && k !== `${name}/stdout`);
    expect(files.length, `README blocks of ${name}`).to.be.greaterThan(0);
    for (const [key, text] of [...files, ...Object.entries(extra).map(([k, v]) => [`${name}/${k}`, v] as const)]) {
      const file = path.join(root, "readme", key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `readme-${name}`, private: true, ...packageJson }));
    return dir;
  }

  for (const [name, packageJson] of [["cjs", {}], ["esm", { type: "module" }]] as const) {
    it(`${name === "cjs" ? "CommonJS" : "ES modules"}: npx tspc, node out/main.js prints what the README shows`, () => {
      const dir = project(name, packageJson);
      expect(build(dir)).to.deep.equal({ code: 0, output: "" });
      expect(run(process.execPath, ["out/main.js"], dir)).to.equal(blocks.get(`${name}/stdout`));
    });
  }

  it("the tsjvp command: emit writes the companion the README shows, and tsx runs it", () => {
    const config = JSON.parse(blocks.get("cjs/tsconfig.json")!);
    delete config.compilerOptions.plugins;
    const dir = project("cli", {}, { "tsconfig.json": JSON.stringify(config, null, 2) });
    fs.rmSync(path.join(dir, "src", "jvp"), { recursive: true, force: true }); // written by emit, not from the README
    run(path.join(root, "node_modules", ".bin", "tsjvp"), ["emit", "--out-dir", "src/jvp"], dir);
    expect(fs.readFileSync(path.join(dir, "src", "jvp", "lib.jvp.ts"), "utf8")).to.equal(blocks.get("cli/src/jvp/lib.jvp.ts"));
    expect(run(process.execPath, [tsx, "src/main.ts"], dir)).to.equal(blocks.get("cli/stdout"));
    expect(run(path.join(root, "node_modules", ".bin", "tsjvp"), ["check"], dir)).to.equal("");
  });
});

/** A tsserver client over its stdio protocol (Content-Length framed JSON), as editors talk to it. */
class TsServer {
  private readonly child: ReturnType<typeof spawn>;
  private buffer = "";
  private seq = 0;
  private readonly waiting = new Map<number, (body: unknown) => void>();

  constructor(tsserver: string, cwd: string) {
    this.child = spawn(process.execPath, [tsserver, "--disableAutomaticTypingAcquisition"], { cwd, stdio: ["pipe", "pipe", "ignore"] });
    this.child.stdout!.on("data", (chunk) => this.receive(String(chunk)));
  }

  private receive(text: string): void {
    this.buffer += text;
    for (;;) {
      const header = /Content-Length: (\d+)\r\n\r\n/.exec(this.buffer);
      if (!header) return;
      const start = header.index + header[0].length;
      const length = Number(header[1]);
      if (Buffer.byteLength(this.buffer.slice(start)) < length) return;
      const body = Buffer.from(this.buffer.slice(start)).subarray(0, length).toString();
      this.buffer = Buffer.from(this.buffer.slice(start)).subarray(length).toString();
      const message = JSON.parse(body);
      if (message.type === "response") this.waiting.get(message.request_seq)?.(message.body);
    }
  }

  request(command: string, args: unknown): Promise<unknown> {
    const seq = ++this.seq;
    this.child.stdin!.write(JSON.stringify({ seq, type: "request", command, arguments: args }) + "\n");
    return new Promise((resolve) => this.waiting.set(seq, resolve));
  }

  notify(command: string, args: unknown): void {
    this.child.stdin!.write(JSON.stringify({ seq: ++this.seq, type: "request", command, arguments: args }) + "\n");
  }

  close(): void {
    this.child.kill();
  }
}

describe("the language-service plugin in tsserver", function () {
  this.timeout(120000);
  before(() => installConsumer());

  it("shows tsjvp's diagnostic as the editor asks for it, at tspc's position, and drops it once fixed", async () => {
    const dir = path.join(root, "editor");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "src"), { recursive: true });
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "es2022", module: "commonjs", strict: true, rootDir: "src", outDir: "out", types: [], plugins: [{ name: "tsjvp/language-service" }, { transform: "tsjvp/transformer" }] },
      include: ["src"],
    }));
    const file = path.join(dir, "src", "bad.ts");
    const bad = ["import { jvp } from \"tsjvp\";", "let hits = 0;", "function counted(x: number): number {", "  hits++;", "  return x * x;", "}", "export const call = () => jvp(counted, [1], [1]);", ""].join("\n");
    fs.writeFileSync(file, bad);
    // tspc's report of the same file, for comparison.
    const built = build(dir);
    expect(built.output).to.contain("src/bad.ts(4,3): error TS97008:");
    // The typescript package the editor runs: tsserver resolves plugins next to it (build/e2e/node_modules).
    const server = new TsServer(path.join(root, "node_modules", "typescript", "lib", "tsserver.js"), dir);
    try {
      server.notify("open", { file, fileContent: bad });
      const diagnostics = (await server.request("semanticDiagnosticsSync", { file })) as { code: number; text: string; start: { line: number; offset: number } }[];
      const ours = diagnostics.filter((d) => d.code === 97008);
      expect(ours).to.have.length(1);
      expect(ours[0].start).to.deep.equal({ line: 4, offset: 3 });
      expect(built.output).to.contain(ours[0].text);
      const fixed = bad.replace("  hits++;\n", "");
      server.notify("close", { file });
      server.notify("open", { file, fileContent: fixed });
      const after = (await server.request("semanticDiagnosticsSync", { file })) as unknown[];
      expect(after).to.deep.equal([]);
      // Nothing else changes: a quick-info request still answers with the function's type.
      const info = (await server.request("quickinfo", { file, line: 3, offset: 10 })) as { displayString: string };
      expect(info.displayString).to.equal("function counted(x: number): number");
    } finally {
      server.close();
    }
  });
});
