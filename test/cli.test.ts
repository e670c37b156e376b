/**
 * The `tsjvp` command as a user runs it (a child process of the built CLI): every command, bad
 * input, determinism, and companions that type-check under plain `tsc --strict` and, run by tsx
 * (no plugin), give the same numbers as the plugin's twins.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./support/compile";

const cli = path.join(repoRoot, "dist", "cli", "main.js");
const root = path.join(repoRoot, "build", "cli");
const tsx = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
const tspc = path.join(repoRoot, "node_modules", "ts-patch", "bin", "tspc.js");

function run(args: string[], cwd: string, script = cli): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, script ? [script, ...args] : args, { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const files: Record<string, string> = {
  "src/lib.ts": `
/** @jvp */
export function cubic(x: number): number {
  return x * x * x - 2 * x - 5;
}

/** Kepler's equation, e = 0.3, M = 1. @jvp */
export const kepler = (e: number): number => e - eccentricity * Math.sin(e) - 1;

const eccentricity = 0.3;
`,
  "src/model.ts": `
import { jvp } from "tsjvp";
import { cubic } from "./lib";

interface Params { w: Float64Array; b: number }

const scale = 2;

function square(v: number): number {
  return v * v;
}

/** @jvp */
export function predict(p: Params, x: Float64Array): number {
  let s = p.b;
  for (let i = 0; i < x.length; i++) s += p.w[i] * x[i];
  return scale * square(s) + cubic(s);
}

// Not exported: run-time dispatch cannot reach it, but its twin is importable from the companion.
function hidden(x: number): number {
  return Math.exp(x) * square(3);
}

export const hiddenSlope = (x: number) => jvp(hidden, [x], [1]);
`,
  "src/main.ts": `
import "./jvp/index";
import { jvp } from "tsjvp";
import { cubic, kepler } from "./lib";
import { predict } from "./model";

function newton(f: (x: number) => number, x0: number): number {
  let x = x0;
  for (let i = 0; i < 20; i++) {
    const [value, slope] = jvp(f, [x], [1]);
    x -= value / slope;
  }
  return x;
}

const p = { w: Float64Array.of(0.5, -1), b: 0.25 };
const x = Float64Array.of(2, 1);
const out = {
  roots: [cubic, kepler].map((g) => newton(g, 1.5)),
  slopes: [cubic, kepler].map((g) => jvp(g, [0.5], [1])),
  predict: jvp(predict, [p, x], [{ w: Float64Array.of(1, 0), b: 1 }, null]),
};
console.log(JSON.stringify(out));
`,
  "tsconfig.json": JSON.stringify({ compilerOptions: { target: "es2022", module: "commonjs", strict: true, rootDir: "src", outDir: "out", skipLibCheck: true, types: [] }, include: ["src"] }),
};

function writeProject(dir: string, extra: Record<string, string> = {}): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries({ ...files, ...extra })) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(repoRoot, path.join(dir, "node_modules", "tsjvp"));
}

describe("the tsjvp CLI", function () {
  this.timeout(120000);
  const dir = path.join(root, "project");
  before(() => writeProject(dir));

  it("prints help, command help and the version", () => {
    expect(run(["--help"], dir).stdout).to.contain("Usage: tsjvp <command>");
    expect(run(["emit", "--help"], dir).stdout).to.contain("--out-dir DIR");
    expect(run(["check", "--help"], dir).stdout).to.contain("tspc --noEmit runs no transformer");
    const version = run(["--version"], dir);
    expect(version.code).to.equal(0);
    expect(version.stdout.trim()).to.equal(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version);
  });

  const bad: [string, string[], RegExp, (d: string) => void][] = [
    ["an unknown flag", ["emit", "--bogus"], /unknown option --bogus/, () => undefined],
    ["an unknown command", ["frobnicate"], /unknown command 'frobnicate'/, () => undefined],
    ["a missing tsconfig", ["check", "-p", "nope.json"], /cannot find nope\.json/, () => undefined],
    ["a malformed tsconfig", ["check", "-p", "broken.json"], /broken\.json is not valid/, (d) => fs.writeFileSync(path.join(d, "broken.json"), "{ compilerOptions: ")],
    ["a file that does not exist", ["emit", "src/none.ts", "--out-dir", "x"], /src\/none\.ts does not exist/, () => undefined],
    ["an out-dir that is a file", ["emit", "--out-dir", "afile"], /--out-dir afile is a file/, (d) => fs.writeFileSync(path.join(d, "afile"), "")],
    ["a missing --out-dir", ["emit"], /needs --out-dir/, () => undefined],
    ["no command", [], /Usage: tsjvp <command>/, () => undefined],
    ["a flag of another command", ["check", "--watch"], /--watch is an option of tsjvp emit/, () => undefined],
    ["files given to check", ["check", "src/lib.ts"], /tsjvp check takes no files/, () => undefined],
  ];
  for (const [what, args, message, setup] of bad) {
    it(`rejects ${what} with a one-line error`, () => {
      setup(dir);
      const r = run(args, dir);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(message);
      if (args.length > 0) expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr).to.not.match(/\n\s+at /);
    });
  }

  it("reports syntax errors like tsc and exits 1 (check and emit)", () => {
    const d = path.join(root, "syntax");
    writeProject(d, { "src/broken.ts": "export function f(x: number { return x; }\n" });
    for (const args of [["check"], ["emit", "--out-dir", "src/jvp"]]) {
      const r = run(args, d);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain("src/broken.ts(1,29): error TS1005: ',' expected.");
    }
    expect(fs.existsSync(path.join(d, "src", "jvp"))).to.equal(false);
  });

  it("emits companions and an index, byte-identical on a second run", () => {
    const r = run(["emit", "--out-dir", "src/jvp"], dir);
    expect(r.stderr).to.equal("");
    expect(r.code).to.equal(0);
    const names = fs.readdirSync(path.join(dir, "src", "jvp")).sort();
    expect(names).to.deep.equal(["index.ts", "lib.jvp.ts", "model.jvp.ts"]);
    const first = names.map((n) => fs.readFileSync(path.join(dir, "src", "jvp", n), "utf8"));
    expect(run(["emit", "--out-dir", "src/jvp"], dir).code).to.equal(0);
    expect(names.map((n) => fs.readFileSync(path.join(dir, "src", "jvp", n), "utf8"))).to.deep.equal(first);
    const model = first[2];
    expect(model).to.match(/^\/\/ Generated by tsjvp emit from model\.ts/);
    expect(model).to.contain("/** Twin of predict (model.ts:14). */");
    expect(model).to.contain("export function hidden_jvp(");
    expect(model).to.contain("function square(v: number): number"); // an unexported helper, copied
    expect(model).to.contain("const scale = 2;");
    expect(model).to.contain('import * as lib_twins from "./lib.jvp";');
    expect(model).to.contain('import { predict } from "../model";');
    expect(model).to.contain("tsjvp_runtime.registerTwin(predict, predict_jvp, [true, true]);");
  });

  it("companions type-check under plain tsc --strict", () => {
    const r = run(["-p", ".", "--noEmit"], dir, tsc);
    expect(r.stdout + r.stderr).to.equal("");
    expect(r.code).to.equal(0);
  });

  it("under tsx (no plugin) the program gives the same numbers as the plugin's twins", () => {
    const withCompanions = run([path.join("src", "main.ts")], dir, tsx);
    expect(withCompanions.stderr).to.equal("");
    const plugin = path.join(root, "plugin");
    writeProject(plugin, { "src/main.ts": files["src/main.ts"].replace('import "./jvp/index";\n', "") });
    const config = JSON.parse(files["tsconfig.json"]);
    config.compilerOptions.plugins = [{ transform: path.join(repoRoot, "dist", "transformer", "plugin.js") }];
    fs.writeFileSync(path.join(plugin, "tsconfig.json"), JSON.stringify(config));
    const built = run(["-p", "."], plugin, tspc);
    expect(built.stdout + built.stderr).to.equal("");
    const withPlugin = run([path.join("out", "main.js")], plugin, "");
    expect(withCompanions.stdout).to.equal(withPlugin.stdout);
    const out = JSON.parse(withCompanions.stdout);
    expect(out.roots[0]).to.be.closeTo(2.0945514815423265, 1e-12);
    expect(out.slopes[0]).to.deep.equal([0.125 - 1 - 5, 3 * 0.25 - 2]);
    expect(out.predict[1]).to.be.closeTo((2 * 2 * (0.25 + 1 - 1) + (3 * 0.25 ** 2 - 2)) * (2 + 1), 1e-12);
  });

  it("an unexported marked function's twin is importable from its companion", () => {
    fs.writeFileSync(path.join(dir, "src", "direct.ts"), `import { hidden_jvp } from "./jvp/model.jvp";\nconsole.log(JSON.stringify(hidden_jvp(0.5, 1)));\n`);
    const r = run([path.join("src", "direct.ts")], dir, tsx);
    expect(r.stderr).to.equal("");
    expect(JSON.parse(r.stdout)).to.deep.equal([Math.exp(0.5) * 9, Math.exp(0.5) * 9]);
    const miss = run(["-e", `require("tsjvp").jvp(function hidden(x) { return x; }, [1], [1])`], dir, "");
    expect(miss.stderr).to.contain("found no derivative twin for hidden. Only a function declaration or a const arrow or function expression can have one (not a method, a bound function or a let binding): tag its declaration with /** @jvp */");
  });

  it("prints one companion with --stdout, and never overwrites a file it did not write", () => {
    const r = run(["emit", "src/lib.ts", "--stdout"], dir);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain("export function cubic_jvp(x: number, x_dot: number): [number, number]");
    expect(r.stdout).to.contain("const eccentricity = 0.3;");
    // A folder outside the project's files (so the file below is not a source of the project).
    fs.mkdirSync(path.join(dir, "generated"), { recursive: true });
    fs.writeFileSync(path.join(dir, "generated", "model.jvp.ts"), "// my own file\n");
    const refused = run(["emit", "--out-dir", "generated"], dir);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/refusing to overwrite generated\/model\.jvp\.ts: it was not generated by tsjvp/);
    expect(fs.readFileSync(path.join(dir, "generated", "model.jvp.ts"), "utf8")).to.equal("// my own file\n");
    fs.rmSync(path.join(dir, "generated"), { recursive: true });
  });

  it("refuses an out-dir that holds the project's sources (exit 2), writing nothing", () => {
    const before = fs.readdirSync(path.join(dir, "src")).sort();
    const r = run(["emit", "--out-dir", "src"], dir);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^tsjvp: --out-dir src holds the project's source src\/\w+\.ts: give the companions a folder of their own \(for example src\/jvp\)\n$/);
    expect(fs.readdirSync(path.join(dir, "src")).sort()).to.deep.equal(before);
  });

  it("check: exit 0 when clean; every diagnostic and exit 1 otherwise", () => {
    run(["emit", "--out-dir", "src/jvp"], dir);
    const clean = run(["check"], dir);
    expect(clean.stderr).to.equal("");
    expect(clean.code).to.equal(0);
    const d = path.join(root, "check");
    writeProject(d, { "src/bad.ts": `import { jvp } from "tsjvp";\nlet hits = 0;\nfunction f(x: number): number {\n  hits++;\n  return x;\n}\nexport const g = () => jvp(f, [1], [1]);\nexport const typeError: number = "no";\n` });
    fs.writeFileSync(path.join(d, "src", "main.ts"), "export {};\n");
    const r = run(["check"], d);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("src/bad.ts(4,3): error TS97008");
    expect(r.stderr).to.contain("src/bad.ts(8,14): error TS2322");
  });

  it("reports unexported module state a companion cannot share", () => {
    const d = path.join(root, "state");
    writeProject(d, { "src/state.ts": `/** @jvp */\nexport function f(x: number): number {\n  return x * weights[0];\n}\nconst weights = new Float64Array([2]);\n` });
    fs.writeFileSync(path.join(d, "src", "main.ts"), "export {};\n");
    const r = run(["emit", "--out-dir", "src/jvp"], d);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("src/state.ts(5,7): error TS97019: 'weights' is module state");
  });
});

/** Companions that cannot be silently stale: fingerprints, check, emit --check, orphans, --watch. */
describe("the tsjvp CLI keeps companions current", function () {
  this.timeout(120000);
  const cubicSlope = (d: string) => JSON.parse(run([path.join("src", "main.ts")], d, tsx).stdout).slopes[0];

  it("an edited source makes its companion stale for check and emit --check until emit runs (tsx end to end)", () => {
    const d = path.join(root, "stale");
    writeProject(d);
    expect(run(["emit", "--out-dir", "src/jvp"], d).code).to.equal(0);
    const companion = fs.readFileSync(path.join(d, "src", "jvp", "lib.jvp.ts"), "utf8");
    expect(companion.split("\n")[1]).to.match(/^\/\/ tsjvp \d+\.\d+\.\d+, source sha256:[0-9a-f]{16}$/);
    expect(cubicSlope(d)).to.deep.equal([0.125 - 1 - 5, 3 * 0.25 - 2]);
    // Edit the tagged function, do not re-emit.
    const lib = path.join(d, "src", "lib.ts");
    fs.writeFileSync(lib, fs.readFileSync(lib, "utf8").replace("x * x * x - 2 * x - 5", "x * x * x - 3 * x - 5"));
    for (const args of [["check"], ["emit", "--out-dir", "src/jvp", "--check"]]) {
      const r = run(args, d);
      expect(r.stderr).to.equal("tsjvp: src/jvp/lib.jvp.ts is stale (lib.ts changed since it was generated): run tsjvp emit\n");
      expect(r.code).to.equal(1);
    }
    expect(fs.readFileSync(path.join(d, "src", "jvp", "lib.jvp.ts"), "utf8")).to.equal(companion); // --check writes nothing
    expect(run(["emit", "--out-dir", "src/jvp"], d).code).to.equal(0);
    expect(run(["check"], d)).to.deep.include({ code: 0, stderr: "" });
    expect(cubicSlope(d)).to.deep.equal([0.125 - 1.5 - 5, 3 * 0.25 - 3]);
  });

  it("a missing companion, and one left by a deleted module (orphaned): reported, then emit removes the orphan", () => {
    const d = path.join(root, "orphan");
    writeProject(d, { "src/extra.ts": "/** @jvp */\nexport function twice(x: number): number {\n  return 2 * x;\n}\n" });
    expect(run(["emit", "--out-dir", "src/jvp"], d).code).to.equal(0);
    fs.rmSync(path.join(d, "src", "jvp", "model.jvp.ts"));
    fs.rmSync(path.join(d, "src", "extra.ts"));
    const r = run(["check", "--out-dir", "src/jvp"], d);
    expect(r.stderr.split("\n").sort().join("\n")).to.equal([
      "",
      "tsjvp: src/jvp/extra.jvp.ts is orphaned (no module needs it any more): run tsjvp emit to remove it",
      "tsjvp: src/jvp/index.ts is stale (the set of companions changed): run tsjvp emit",
      "tsjvp: src/jvp/model.jvp.ts is missing: run tsjvp emit",
    ].join("\n"));
    expect(r.code).to.equal(1);
    expect(run(["emit", "--out-dir", "src/jvp"], d).code).to.equal(0);
    expect(fs.readdirSync(path.join(d, "src", "jvp")).sort()).to.deep.equal(["index.ts", "lib.jvp.ts", "model.jvp.ts"]);
    expect(fs.readFileSync(path.join(d, "src", "jvp", "index.ts"), "utf8")).to.not.contain("extra");
    expect(run(["check"], d)).to.deep.include({ code: 0, stderr: "" });
  });

  it("a module with errors gets a companion that throws them on import, never a twin that pretends to work", () => {
    const d = path.join(root, "failing");
    writeProject(d, { "src/state.ts": `/** @jvp */\nexport function f(x: number): number {\n  return x * weights[0];\n}\nconst weights = new Float64Array([2]);\n`, "src/main.ts": `import "./jvp/index";\n` });
    const r = run(["emit", "--out-dir", "src/jvp"], d);
    expect(r.code).to.equal(1);
    const stub = fs.readFileSync(path.join(d, "src", "jvp", "state.jvp.ts"), "utf8");
    expect(stub).to.not.contain("f_jvp");
    expect(run(["-p", ".", "--noEmit"], d, tsc)).to.deep.include({ code: 0, stdout: "" });
    const ran = run([path.join("src", "main.ts")], d, tsx);
    expect(ran.code).to.not.equal(0);
    expect(ran.stderr).to.contain("tsjvp: state.ts has no companion because of this error:\nsrc/state.ts(5,7): error TS97019: 'weights' is module state");
    expect(run(["check"], d).code).to.equal(1);
  });

  it("emit --watch rewrites a companion when its source changes", async () => {
    const d = path.join(root, "watch");
    writeProject(d);
    const child = spawn(process.execPath, [cli, "emit", "--out-dir", "src/jvp", "--watch"], { cwd: d, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.on("data", (b) => (log += String(b)));
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 300 && !what(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(what(), log).to.equal(true);
    };
    try {
      await until(() => /2 companions current \(3 files changed\); watching/.test(log));
      const lib = path.join(d, "src", "lib.ts");
      fs.writeFileSync(lib, fs.readFileSync(lib, "utf8").replace("x * x * x - 2 * x - 5", "x * x * x - 4 * x - 5"));
      await until(() => fs.readFileSync(path.join(d, "src", "jvp", "lib.jvp.ts"), "utf8").includes("4 * x"));
      await until(() => /\(1 file changed\); watching/.test(log));
    } finally {
      child.kill();
    }
    expect(cubicSlope(d)).to.deep.equal([0.125 - 2 - 5, 3 * 0.25 - 4]);
  });

  it("uses the project's TypeScript, and says what to install when there is none or an unsupported one", () => {
    // A copy of the command outside this repository, so that no typescript is found above it.
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "tsjvp-no-ts-"));
    try {
      fs.cpSync(path.join(repoRoot, "dist", "cli"), path.join(base, "pkg", "dist", "cli"), { recursive: true });
      fs.cpSync(path.join(repoRoot, "dist", "transformer"), path.join(base, "pkg", "dist", "transformer"), { recursive: true });
      fs.cpSync(path.join(repoRoot, "dist", "runtime"), path.join(base, "pkg", "dist", "runtime"), { recursive: true });
      fs.cpSync(path.join(repoRoot, "dist", "host"), path.join(base, "pkg", "dist", "host"), { recursive: true });
      fs.copyFileSync(path.join(repoRoot, "package.json"), path.join(base, "pkg", "package.json"));
      fs.mkdirSync(path.join(base, "app", "src"), { recursive: true });
      fs.writeFileSync(path.join(base, "app", "tsconfig.json"), files["tsconfig.json"]);
      fs.writeFileSync(path.join(base, "app", "src", "lib.ts"), files["src/lib.ts"]);
      const copy = path.join(base, "pkg", "dist", "cli", "main.js");
      const none = run(["check"], path.join(base, "app"), copy);
      expect(none.stderr).to.equal("tsjvp: the tsjvp command needs TypeScript in your project: npm install --save-dev typescript@6.0\n");
      expect(none.code).to.equal(2);
      const fake = path.join(base, "app", "node_modules", "typescript");
      fs.mkdirSync(fake, { recursive: true });
      fs.writeFileSync(path.join(fake, "package.json"), JSON.stringify({ name: "typescript", version: "5.4.2", main: "index.js" }));
      fs.writeFileSync(path.join(fake, "index.js"), `module.exports = { version: "5.4.2", versionMajorMinor: "5.4" };`);
      const old = run(["check"], path.join(base, "app"), copy);
      expect(old.stderr).to.match(/^tsjvp: tsjvp supports TypeScript 6\.0\.x; this build uses TypeScript 5\.4\.2\. Install a supported release: npm install --save-dev typescript@6\.0 \(found at .*app\/node_modules\/typescript\)\n$/);
      expect(old.code).to.equal(2);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});

/** `tsjvp check --numeric`: twins and custom rules against central differences. */
describe("tsjvp check --numeric", function () {
  this.timeout(120000);
  const lib = (rule: string) => `
import { defineJvp } from "tsjvp";
import { matvec } from "tsjvp/ops";

/** @jvp */
export function poly(x: number, p: { a: number; v: Float64Array }): number {
  return p.a * x * x + p.v[0] * Math.sin(x);
}

/** @jvp */
export function scaleInto(v: Float64Array, k: number, out: Float64Array): void {
  for (let i = 0; i < v.length; i++) out[i] = v[i] * k;
}

/**
 * @jvpSample [Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3, Float64Array.of(0.5, -1, 2)]
 * @jvp
 */
export function layer(W: Float64Array, m: number, n: number, x: Float64Array): Float64Array {
  return matvec(W, m, n, x);
}

export function softClip(x: number): number {
  return Math.tanh(x);
}
defineJvp(softClip, ([x], [dx]) => [Math.tanh(x), ${rule} * (dx ?? 0)]);
`;

  it("catches a deliberately wrong custom rule, with its position, and passes once it is right", () => {
    const d = path.join(root, "numeric");
    // The wrong rule: d tanh(x) is 1 − tanh²(x), not 1 − x².
    writeProject(d, { "src/lib.ts": lib("(1 - x * x)"), "src/main.ts": "export {};\n", "src/model.ts": "export {};\n" });
    const wrong = run(["check", "--numeric"], d);
    expect(wrong.stdout).to.equal("tsjvp check --numeric: 4 checked, 1 mismatch\n");
    expect(wrong.stderr).to.match(/^tsjvp: src\/lib\.ts:23:1 softClip: jvp \[-?[\d.e-]+, -?[\d.e-]+\] vs differences \[-?[\d.e-]+, -?[\d.e-]+\]\n$/);
    expect(wrong.code).to.equal(1);
    fs.writeFileSync(path.join(d, "src", "lib.ts"), lib("(1 - Math.tanh(x) ** 2)"));
    const right = run(["check", "--numeric"], d);
    expect(right).to.deep.include({ code: 0, stderr: "", stdout: "tsjvp check --numeric: 4 checked, 0 mismatches\n" });
    // A tolerance too tight for central differences reports the twins too.
    expect(run(["check", "--numeric", "--tolerance", "1e-16"], d).code).to.equal(1);
  });
});

/**
 * Cross-module call sites through companions (`tsjvp emit`, run by tsx): the same numbers as the
 * plugin's (fixtures/cross-module/call-sites), or an emit that fails with the plugin's diagnostic.
 */
describe("the tsjvp CLI across modules", function () {
  this.timeout(120000);
  // The library of the plugin's fixture (fixtures/cross-module/call-sites), now through companions.
  const lib = fs.readFileSync(path.join(repoRoot, "fixtures", "cross-module", "call-sites", "lib.ts"), "utf8");
  const main = `
import "./jvp/index";
import { jvp, type TangentIn } from "tsjvp";
import { evaluate, maybe, update, type Layer, type Model } from "./lib";
const model: Model = { scale: 2, offsets: Float64Array.of(1, 3) };
const partial: TangentIn<Model> = { scale: 1, offsets: null };
const out: number[] = [...jvp(evaluate, [model, 1.5], [partial, 0]), ...jvp(maybe, [3], [1])];
for (const t of [0, null]) {
  const l: Layer = { w: Float64Array.of(1), b: 3 };
  const dl = { w: Float64Array.of(0), b: 1 };
  jvp(update, [l, 0.5], [dl, t]);
  out.push(l.b, dl.b);
}
console.log(JSON.stringify(out));
`;
  const project = (name: string, sources: Record<string, string>): string => {
    const d = path.join(root, name);
    fs.rmSync(d, { recursive: true, force: true });
    const all = { ...sources, "tsconfig.json": files["tsconfig.json"] };
    for (const [file, text] of Object.entries(all)) {
      fs.mkdirSync(path.dirname(path.join(d, file)), { recursive: true });
      fs.writeFileSync(path.join(d, file), text);
    }
    fs.mkdirSync(path.join(d, "node_modules"), { recursive: true });
    fs.symlinkSync(repoRoot, path.join(d, "node_modules", "tsjvp"));
    return d;
  };

  it("null inside a TangentIn variable, number | undefined, object out-parameters", () => {
    const d = project("call-sites", { "src/lib.ts": lib, "src/main.ts": main });
    expect(run(["emit", "--out-dir", "src/jvp"], d).code).to.equal(0);
    const r = run([tsx, "src/main.ts"], d, "");
    expect(r.stderr).to.equal("");
    expect(JSON.parse(r.stdout)).to.deep.equal([9, 1.5, 9, 6, 1.5, 0.5, 1.5, 0.5]);
  });

  const failing: [string, Record<string, string>, RegExp][] = [
    ["a user function named like an exported twin", { "src/lib.ts": "/** @jvp */\nexport function f(x: number): number { return x * x; }\nexport function f_jvp(a: number, b: number): [number, number] { return [a, b]; }\n" }, /lib\.ts\(2,1\): error TS97021/],
    ["a tagged let function", { "src/lib.ts": "/** @jvp */\nexport let scale = (x: number): number => 2 * x;\n" }, /lib\.ts\(2,12\): error TS97022/],
    ["tagged namespace members", { "src/lib.ts": "export namespace A {\n  /** @jvp */ export function f(x: number): number { return 2 * x; }\n}\n" }, /lib\.ts\(2,15\): error TS97023/],
  ];
  for (const [what, sources, message] of failing) {
    it(`reports ${what} and exits 1`, () => {
      const d = project(what.replace(/\W+/g, "-"), sources);
      const r = run(["emit", "--out-dir", "src/jvp"], d);
      expect(r.code).to.equal(1);
      expect(r.stdout + r.stderr).to.match(message);
    });
  }
});

/**
 * The promise fixtures (programs that once broke "right or diagnosed") through companions: each
 * emits without a diagnostic, and its companions type-check under plain `tsc --strict`. Their
 * twins are the plugin's (both come from the same pipeline); the numbers are checked by the
 * fixture test through the plugin, and across modules through companions above.
 */
describe("the tsjvp CLI on every fixture", function () {
  this.timeout(300000);
  const groups = fs.readdirSync(path.join(repoRoot, "fixtures"), { withFileTypes: true }).filter((g) => g.isDirectory() && g.name !== "errors");
  const all = groups.flatMap((g) => fs.readdirSync(path.join(repoRoot, "fixtures", g.name)).map((n) => `${g.name}/${n}`))
    .filter((n) => !fs.existsSync(path.join(repoRoot, "fixtures", n, "errors.txt")));
  for (const name of all) {
    it(`${name}: companions are written and type-check`, () => {
      const d = path.join(root, "fixtures", name);
      fs.rmSync(d, { recursive: true, force: true });
      fs.mkdirSync(path.join(d, "src"), { recursive: true });
      const source = path.join(repoRoot, "fixtures", name);
      const own = fs.existsSync(path.join(source, "options.json")) ? JSON.parse(fs.readFileSync(path.join(source, "options.json"), "utf8")) : {};
      for (const f of fs.readdirSync(source).filter((f) => f.endsWith(".ts") && !f.endsWith(".snap.ts"))) {
        // Exported, so that companions register their twins (the fixture's own checks call jvp).
        const text = fs.readFileSync(path.join(source, f), "utf8").replace(/^function /gm, "export function ").replace(/"\.\.\/\.\.\/driver"/, '"./driver"');
        fs.writeFileSync(path.join(d, "src", f), text);
      }
      fs.copyFileSync(path.join(repoRoot, "fixtures", "driver.ts"), path.join(d, "src", "driver.ts"));
      const options = { target: "es2022", module: "commonjs", strict: true, skipLibCheck: true, types: [], lib: ["es2022"], noEmit: true, ...own };
      fs.writeFileSync(path.join(d, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: ["src"] }));
      fs.mkdirSync(path.join(d, "node_modules"), { recursive: true });
      fs.symlinkSync(repoRoot, path.join(d, "node_modules", "tsjvp"));
      const emitted = run(["emit", "--out-dir", "src/jvp"], d);
      if (/namespaces$/.test(name)) {
        // Namespace members need the plugin: emit says so (TS97023) and fails.
        expect(emitted.stdout + emitted.stderr).to.match(/error TS97023/);
        expect(emitted.code).to.equal(1);
        return;
      }
      if (/nested-jvp$/.test(name)) {
        // A nested jvp is a call site, which companions do not rewrite: emit says so (TS97029).
        expect(emitted.stdout + emitted.stderr).to.match(/error TS97029: .*tsjvp emit companions hold twins, not call sites/);
        expect(emitted.code).to.equal(1);
        return;
      }
      expect(emitted.stdout + emitted.stderr).to.not.match(/error TS/);
      expect(emitted.code).to.equal(0);
      const checked = run([tsc, "-p", "tsconfig.json"], d, "");
      expect(checked.stdout + checked.stderr).to.equal("");
    });
  }
});
