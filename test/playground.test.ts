/**
 * The playground in a real browser: Debian's chromium driven by playwright-core, the page built
 * from playground/ and served by playground/serve.mjs. A `#code=` link loads its source; the twin,
 * the printed derivatives, a diagnostic for an unsupported construct, the plot and the time limit
 * are checked as a user sees them. Screenshots go to test/artifacts/ (ignored by git) for review.
 */
import { expect } from "chai";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { repoRoot } from "./support/compile";

const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
const artifacts = path.join(repoRoot, "test", "artifacts");

function encode(source: string): string {
  return Buffer.from(source, "utf8").toString("base64url");
}

const newtonSource = [
  `import { jvp } from "tsjvp";`,
  `// @plot 1 3`,
  `/** @jvp */`,
  `function cubic(x: number): number {`,
  `  return x * x * x - 2 * x - 5;`,
  `}`,
  `const [value, slope] = jvp(cubic, [2], [1]);`,
  `console.log("cubic", value, slope);`,
  ``,
].join("\n");

describe("the playground in a browser", function () {
  this.timeout(120000);
  let server: ChildProcess;
  let url: string;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!chromiumPath) throw new Error("the playground tests need Debian's chromium: apt-get install -y chromium (.ci/run installs it)");
    // As `npm run playground:build` does: its sources type-check (with the DOM's types), then esbuild bundles them.
    execFileSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(repoRoot, "playground", "tsconfig.json")], { stdio: "pipe" });
    execFileSync(process.execPath, [path.join(repoRoot, "playground", "build.mjs")], { stdio: "pipe" });
    server = spawn(process.execPath, [path.join(repoRoot, "playground", "serve.mjs"), "--no-build"], { env: { ...process.env, PORT: "0" } });
    url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on("data", (chunk: Buffer) => {
        const m = /http:\/\/\S+/.exec(chunk.toString());
        if (m) resolve(m[0]);
      });
      server.on("exit", (code) => reject(new Error(`serve.mjs exited with ${code}`)));
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    fs.mkdirSync(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.kill();
  });

  const text = (id: string) => page.textContent(`[data-testid="${id}"]`).then((t) => t ?? "");
  // Page-side expressions are strings: this project's tests compile without the DOM's types.
  const waitFor = (expression: string) => page.waitForFunction(expression, null, { timeout: 30000 });
  const outputContains = (fragment: string) => waitFor(`document.querySelector('[data-testid="output"]').textContent.includes(${JSON.stringify(fragment)})`);
  const setHash = (hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

  it("loads a #code= link: the twin, the printed derivative and the plot with its tangent", async () => {
    await page.goto(`${url}#code=${encode(newtonSource)}`);
    await outputContains("cubic");
    // f(2) = 8 − 4 − 5 = −1, f'(2) = 3·4 − 2 = 10.
    expect((await text("output")).trim()).to.equal("cubic -1 10");
    const twin = await text("twin");
    expect(twin).to.contain("function cubic_jvp(x: number, x_dot: number): [number, number] {");
    expect(twin).to.contain("tsjvp_runtime.registerTwin(cubic, cubic_jvp, [true]);");
    expect(twin).to.contain("const [value, slope] = cubic_jvp(2, 1);");
    await page.waitForSelector('svg[data-testid="plot"] path.function');
    const d = await page.getAttribute('svg[data-testid="plot"] path.function', "d");
    expect(d!.match(/[ML]/g)!.length).to.equal(241);
    const tangent = await page.$('svg[data-testid="plot"] line.tangent');
    expect(Number(await tangent!.getAttribute("x2"))).to.be.greaterThan(Number(await tangent!.getAttribute("x1")));
    // The slope shown is jvp's, next to a central difference that agrees with it.
    const shown = async () => {
      const label = await page.$('[data-testid="slope"]');
      const [x, slope, central] = await Promise.all(["data-x", "data-slope", "data-central"].map((a) => label!.getAttribute(a).then(Number)));
      return { x, slope, central, text: await label!.textContent() };
    };
    const { x, slope, central, text: label } = await shown();
    expect(label).to.match(/^cubic\(1\.666667\) = -3\.703704 +slope from jvp = 6\.333333 +central difference = 6\.333333$/);
    expect(slope).to.be.closeTo(3 * x * x - 2, 1e-12);
    expect(central).to.be.closeTo(slope, 1e-6);
    // Dragging moves the point to where the pointer is, and the slope with it.
    const box = (await page.$('svg[data-testid="plot"]'))!.boundingBox();
    const b = (await box)!;
    await page.mouse.move(b.x + b.width * 0.9, b.y + b.height / 2);
    await page.mouse.down();
    await page.mouse.up();
    const moved = await shown();
    expect(moved.x).to.be.closeTo(1 + (0.9 * 560 - 28) / 504 * 2, 0.01); // 90% across the 560-wide drawing, 28 of padding each side
    expect(moved.slope).to.be.closeTo(3 * moved.x * moved.x - 2, 1e-12);
    expect(await text("diagnostics")).to.equal("No diagnostics.");
    await page.screenshot({ path: path.join(artifacts, "playground-newton.png") });
  });

  it("shows an unsupported construct's diagnostic in the list and as a squiggle, and does not run", async () => {
    const bad = newtonSource.replace("  return x * x * x - 2 * x - 5;", "  hits++;\n  return x * x * x - 2 * x - 5;").replace("// @plot 1 3", "let hits = 0;\n// @plot 1 3");
    await page.goto(`${url}#code=${encode(bad)}`);
    await waitFor(`document.querySelector('[data-testid="diagnostics"]').textContent.includes("TS97008")`);
    expect(await text("diagnostics")).to.contain("6:3  TS97008: Differentiated code may write 'hits'");
    await page.waitForSelector('[data-testid="source"] .cm-lintRange-error');
    expect(await page.textContent('[data-testid="source"] .cm-lintRange-error')).to.equal("hits");
    expect(await text("output")).to.equal("Not run: fix the errors above.");
    await page.screenshot({ path: path.join(artifacts, "playground-diagnostic.png") });
  });

  it("recompiles as the user types, keeps the source in the URL, and follows hashchange", async () => {
    await page.goto(`${url}#code=${encode(newtonSource)}`);
    await outputContains("cubic -1 10");
    await page.click('[data-testid="source"] .cm-content');
    await page.keyboard.press("Control+End");
    await page.keyboard.type('console.log("typed", jvp(cubic, [3], [1])[1]);\n');
    // f'(3) = 27 − 2 = 25.
    await outputContains("typed 25");
    const hash = new URL(page.url()).hash;
    expect(Buffer.from(hash.replace(/^#code=/, ""), "base64url").toString("utf8")).to.contain('console.log("typed"');
    const other = `import { jvp } from "tsjvp";\nfunction sq(x: number): number { return x * x; }\nconsole.log("other", jvp(sq, [4], [1])[1]);\n`;
    await setHash(`#code=${encode(other)}`);
    await outputContains("other 8");
  });

  it("stops an endless loop at the time limit and stays usable", async () => {
    await page.goto(`${url}#code=${encode("while (true) {}\n")}`);
    await outputContains("time limit");
    await setHash(`#code=${encode(newtonSource)}`);
    await outputContains("cubic -1 10");
  });

  it("transforms every example, each in the browser's time", async () => {
    await page.goto(url);
    const options = await page.$$eval('[data-testid="examples"] option', (os) => os.map((o) => [o.getAttribute("value")!, o.textContent!]));
    // What each example prints, in the menu's order.
    const printed = ["J(x)·v = [4, 4]", "tangent = [30, 30]", "residual:", "central differences:", "delta =", "∂y/∂x0 =", "H = [1450, -480, 0, -480, 950"];
    expect(options).to.have.length(printed.length);
    const times: string[] = [];
    for (const [i, [value, title]] of options.entries()) {
      await page.selectOption('[data-testid="examples"]', value);
      await waitFor(`(() => { const out = document.querySelector('[data-testid="output"]').textContent; return out.length > 0 && !out.startsWith("Not run"); })()`);
      await outputContains(printed[i]);
      expect(await text("diagnostics"), title).to.equal("No diagnostics.");
      times.push(`${title}: ${await text("timing")}`);
    }
    fs.writeFileSync(path.join(artifacts, "playground-timings.txt"), times.join("\n") + "\n");
    await page.screenshot({ path: path.join(artifacts, "playground-example.png") });
  });
});
