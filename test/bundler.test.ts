/**
 * The bundler plugins as a user runs them: the packed package installed beside Vite and esbuild
 * (test/support/consumer.ts), an ES-module project configured from the README's snippets, built by
 * each bundler's own command or API in a child process. Each output must print what the tspc
 * build of the same sources prints; a tsjvp diagnostic must fail the build with its position; an
 * edit must reach the next build of a long-lived process (Vite's dev server, esbuild's rebuild).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { consumerRoot, expectMainOutput, installConsumer, lib, main, run } from "./support/consumer";

const dir = path.join(consumerRoot, "bundlers");
const bin = (relative: string) => path.join(consumerRoot, "node_modules", relative);

/** Runs a bundler command; returns its exit code and output instead of throwing. */
function attempt(args: string[]): { code: number; output: string } {
  try {
    return { code: 0, output: run(process.execPath, args, dir) };
  } catch (e) {
    const error = e as { status: number; stdout: string; stderr: string };
    return { code: error.status, output: `${error.stdout}${error.stderr}` };
  }
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

const badModule = [
  `import { jvp } from "tsjvp";`,
  `let hits = 0;`,
  `function counted(x: number): number {`,
  `  hits++;`,
  `  return x * x;`,
  `}`,
  `export const call = () => jvp(counted, [1], [1]);`,
  ``,
].join("\n");

describe("bundler plugins: Vite and esbuild builds of a project", function () {
  this.timeout(300000);
  let expected: string;

  before(() => {
    installConsumer();
    fs.rmSync(dir, { recursive: true, force: true });
    write("package.json", JSON.stringify({ name: "bundled-app", private: true, type: "module" }));
    write("tsconfig.json", JSON.stringify({
      compilerOptions: {
        target: "es2022", module: "nodenext", strict: true, rootDir: "src", outDir: "out-tspc", skipLibCheck: true, types: [],
        plugins: [{ transform: "tsjvp/transformer" }],
      },
      include: ["src"],
    }, null, 2));
    write("src/lib.ts", lib);
    write("src/main.ts", main(".js"));
    write("index.html", `<!doctype html>\n<script type="module" src="/src/main.ts"></script>\n`);
    write("vite.config.mjs", [
      `import tsjvp from "tsjvp/vite";`,
      // (No modulepreload polyfill: it needs a document, and the test runs the client bundle in node.)
      `export default { plugins: [tsjvp()], logLevel: "warn", build: { outDir: "out-vite", sourcemap: true, modulePreload: { polyfill: false } } };`,
      ``,
    ].join("\n"));
    write("esbuild.mjs", [
      `import * as esbuild from "esbuild";`,
      `import tsjvp from "tsjvp/esbuild";`,
      `await esbuild.build({ entryPoints: ["src/main.ts"], bundle: true, platform: "node", format: "esm", outfile: "out-esbuild/main.js", sourcemap: true, plugins: [tsjvp()] });`,
      ``,
    ].join("\n"));
    // The reference: the same sources built by tspc with the transformer.
    expect(attempt([bin("ts-patch/bin/tspc.js"), "-p", "."])).to.deep.equal({ code: 0, output: "" });
    expected = run(process.execPath, ["out-tspc/main.js"], dir);
    expectMainOutput(expected);
  });

  it("vite build: the client bundle prints the tspc build's derivatives", () => {
    expect(attempt([bin("vite/bin/vite.js"), "build"]).code).to.equal(0);
    const assets = fs.readdirSync(path.join(dir, "out-vite", "assets")).filter((f) => f.endsWith(".js"));
    expect(assets).to.have.length(1);
    expect(run(process.execPath, [path.join("out-vite", "assets", assets[0])], dir)).to.equal(expected);
    // The source map leads back to the TypeScript the user wrote.
    const map = JSON.parse(fs.readFileSync(path.join(dir, "out-vite", "assets", `${assets[0]}.map`), "utf8"));
    const libIndex = map.sources.findIndex((s: string) => s.endsWith("src/lib.ts"));
    expect(libIndex).to.be.at.least(0);
    expect(map.sourcesContent[libIndex]).to.equal(lib);
  });

  it("vite build --ssr: the server bundle (tsjvp left to node_modules) prints the same", () => {
    expect(attempt([bin("vite/bin/vite.js"), "build", "--ssr", "src/main.ts", "--outDir", "out-ssr"]).code).to.equal(0);
    const bundle = fs.readFileSync(path.join(dir, "out-ssr", "main.js"), "utf8");
    expect(bundle).to.contain(`from "tsjvp"`);
    expect(bundle).to.contain("function poly_jvp(");
    expect(run(process.execPath, ["out-ssr/main.js"], dir)).to.equal(expected);
  });

  it("esbuild: the bundle prints the same", () => {
    expect(attempt(["esbuild.mjs"])).to.deep.equal({ code: 0, output: "" });
    expect(run(process.execPath, ["out-esbuild/main.js"], dir)).to.equal(expected);
  });

  describe("a tsjvp diagnostic", () => {
    before(() => {
      write("src/bad.ts", badModule);
      write("src/entry-bad.ts", `import { call } from "./bad.js";\nconsole.log(call);\n`);
    });
    after(() => {
      for (const f of ["src/bad.ts", "src/entry-bad.ts"]) fs.rmSync(path.join(dir, f));
    });

    it("fails vite build with tspc's message and the position", () => {
      const result = attempt([bin("vite/bin/vite.js"), "build", "--ssr", "src/entry-bad.ts", "--outDir", "out-bad"]);
      expect(result.code).to.not.equal(0);
      expect(result.output).to.contain("[plugin tsjvp]");
      expect(result.output).to.contain(`${path.join(dir, "src", "bad.ts")}:4:2`);
      expect(result.output).to.contain("src/bad.ts(4,3): error TS97008: Differentiated code may write 'hits'");
    });

    it("fails esbuild with an error located at the construct", () => {
      write("esbuild-bad.mjs", [
        `import * as esbuild from "esbuild";`,
        `import tsjvp from "tsjvp/esbuild";`,
        `try {`,
        `  await esbuild.build({ entryPoints: ["src/entry-bad.ts"], bundle: true, platform: "node", format: "esm", write: false, logLevel: "silent", plugins: [tsjvp()] });`,
        `  console.log("built");`,
        `} catch (e) {`,
        `  console.log(JSON.stringify(e.errors.map((m) => ({ text: m.text, location: m.location && { file: m.location.file, line: m.location.line, column: m.location.column } }))));`,
        `}`,
        ``,
      ].join("\n"));
      const errors = JSON.parse(run(process.execPath, ["esbuild-bad.mjs"], dir));
      expect(errors).to.have.length(1);
      expect(errors[0].location).to.deep.equal({ file: "src/bad.ts", line: 4, column: 2 });
      expect(errors[0].text).to.match(/^src\/bad\.ts\(4,3\): error TS97008: Differentiated code may write 'hits'/);
    });
  });

  describe("an edit in a long-lived build process", () => {
    const original = lib;
    // poly(x, y) = x³·y + sin y after the edit: d/dx at (1.5, 3) is 3·1.5²·3 = 20.25, plus the 2x of model's second term.
    const edited = lib.replace("return x * x * y + Math.sin(y);", "return x * x * x * y + Math.sin(y);");
    afterEach(() => write("src/lib.ts", original));

    it("reaches the next module load of Vite's dev server: no stale twin", () => {
      write("dev.mjs", [
        `import * as fs from "node:fs";`,
        `import { createServer } from "vite";`,
        `import tsjvp from "tsjvp/vite";`,
        `const server = await createServer({ configFile: false, plugins: [tsjvp()], logLevel: "silent", server: { middlewareMode: true, hmr: false } });`,
        `const load = async () => (await server.ssrLoadModule("/src/main.ts")).modelJvp;`,
        `const before = await load();`,
        `const changed = new Promise((resolve) => server.watcher.once("change", resolve));`,
        `fs.writeFileSync("src/lib.ts", ${JSON.stringify(edited)});`,
        `await changed;`,
        // The server invalidates the module after its own change handler ran: poll (up to 30 s on a loaded machine).
        `let after = await load();`,
        `for (let i = 0; i < 300 && after[1] === before[1]; i++) after = (await new Promise((r) => setTimeout(r, 100)), await load());`,
        `console.log(JSON.stringify({ before, after }));`,
        `await server.close();`,
        ``,
      ].join("\n"));
      const { before, after } = JSON.parse(run(process.execPath, ["dev.mjs"], dir).trim().split("\n").pop()!);
      const x = 1.5;
      expect(before[1]).to.be.closeTo(2 * x * 3 + 4 * x, 1e-12);
      expect(after[1]).to.be.closeTo(3 * x * x * 3 + 4 * x, 1e-12);
    });

    it("in Vite's dev server, re-transforms the modules whose twins depend on the edited one", () => {
      // main.ts differentiates lib.ts's poly: once poly loses its tag, main.ts must be transformed again (TS97010), not served as it was.
      const untagged = lib.replace("twice too. @jvp hessian */", "twice too. */");
      expect(untagged).to.not.equal(lib);
      write("hot.mjs", [
        `import * as fs from "node:fs";`,
        `import { createServer } from "vite";`,
        `import tsjvp from "tsjvp/vite";`,
        `const server = await createServer({ configFile: false, plugins: [tsjvp()], logLevel: "silent", server: { middlewareMode: true, hmr: { port: 0 } } });`,
        `const main = async () => { try { return (await server.transformRequest("/src/main.ts")).code.includes("poly_jvp(") ? "twin" : "no twin"; } catch (e) { return e.message; } };`,
        `const before = await main();`,
        `const changed = new Promise((resolve) => server.watcher.once("change", resolve));`,
        `fs.writeFileSync("src/lib.ts", ${JSON.stringify(untagged)});`,
        `await changed;`,
        `let after = await main();`,
        `for (let i = 0; i < 300 && after === before; i++) after = (await new Promise((r) => setTimeout(r, 100)), await main());`,
        `console.log(JSON.stringify({ before, after }));`,
        `await server.close();`,
        ``,
      ].join("\n"));
      const { before, after } = JSON.parse(run(process.execPath, ["hot.mjs"], dir).trim().split("\n").pop()!);
      expect(before).to.equal("twin");
      expect(after).to.contain("error TS97010: 'poly' is declared in another module (./lib.ts) without a /** @jvp */ tag");
    });

    it("reaches esbuild's next rebuild of the same context", () => {
      write("rebuild.mjs", [
        `import * as fs from "node:fs";`,
        `import * as esbuild from "esbuild";`,
        `import tsjvp from "tsjvp/esbuild";`,
        `const context = await esbuild.context({ entryPoints: ["src/main.ts"], bundle: true, platform: "node", format: "esm", outfile: "out-rebuild/main.js", plugins: [tsjvp()] });`,
        `const load = async (n) => (await import(\`./out-rebuild/main.js?\${n}\`)).modelJvp;`,
        `await context.rebuild();`,
        `const before = await load(1);`,
        `fs.writeFileSync("src/lib.ts", ${JSON.stringify(edited)});`,
        `await context.rebuild();`,
        `console.log(JSON.stringify({ before, after: await load(2) }));`,
        `await context.dispose();`,
        ``,
      ].join("\n"));
      const { before, after } = JSON.parse(run(process.execPath, ["rebuild.mjs"], dir).trim().split("\n").pop()!);
      const x = 1.5;
      expect(before[1]).to.be.closeTo(2 * x * 3 + 4 * x, 1e-12);
      expect(after[1]).to.be.closeTo(3 * x * x * 3 + 4 * x, 1e-12);
    });
  });
});
