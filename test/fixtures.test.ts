import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileFixture, emitFixture, repoRoot, typeCheckSnapshots } from "./support/compile";
import { expectClose, centralDifference } from "./support/numeric";
import type { JvpCheck } from "../fixtures/driver";

const fixturesDir = path.join(repoRoot, "fixtures");
const buildDir = path.join(repoRoot, "build", "fixtures");
const update = process.env.UPDATE_SNAPSHOTS === "1";
const ci = process.env.CI === "true" || process.env.CI === "1";

/**
 * Compares `actual` with the stored file: UPDATE_SNAPSHOTS=1 rewrites it; a missing file is
 * written locally but fails under CI.
 */
function expectSnapshot(file: string, actual: string): void {
  if (update || (!fs.existsSync(file) && !ci)) {
    fs.writeFileSync(file, actual);
    return;
  }
  expect(fs.existsSync(file), `missing snapshot ${path.relative(repoRoot, file)} (run UPDATE_SNAPSHOTS=1 npm test)`).to.equal(true);
  expect(actual).to.equal(fs.readFileSync(file, "utf8"));
}

function cases(): { group: string; name: string; dir: string }[] {
  return fs.readdirSync(fixturesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((g) =>
    fs.readdirSync(path.join(fixturesDir, g.name), { withFileTypes: true }).filter((d) => d.isDirectory())
      .map((c) => ({ group: g.name, name: c.name, dir: path.join(fixturesDir, g.name, c.name) })));
}

describe("fixtures", () => {
  for (const { group, name, dir } of cases()) {
    describe(`${group}/${name}`, () => {
      const compiled = compileFixture(dir);
      const errorsFile = path.join(dir, "errors.txt");
      // Error fixtures live in fixtures/errors/ (or hold an errors.txt); all others must compile cleanly.
      const expectsErrors = group === "errors" || fs.existsSync(errorsFile);

      if (expectsErrors) {
        it("reports the expected diagnostics", () => {
          expect(compiled.errors, "an error fixture must produce diagnostics").to.not.equal("");
          expectSnapshot(errorsFile, compiled.errors);
        });
      } else {
        it("compiles without diagnostics", () => expect(compiled.errors).to.equal(""));
        for (const [module, text] of compiled.printed) {
          it(`matches the snapshot of ${module}`, () => expectSnapshot(path.join(dir, module.replace(/\.ts$/, ".snap.ts")), text));
        }
        it("snapshots type-check under --strict", () => expect(typeCheckSnapshots(dir, compiled.printed)).to.equal(""));
      }

      const outDir = path.join(buildDir, group, name);
      it("runs: tangents match the analytic derivative and central differences", () => {
        emitFixture(compiled.program, outDir);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.join(outDir, "input.js")) as { checks?: JvpCheck[]; failing?: () => unknown };
        if (expectsErrors) {
          if (mod.failing) expect(mod.failing).to.throw(/error TS97\d\d\d/);
          return;
        }
        expect(mod.checks, "input.ts must export checks (fixtures/driver.ts)").to.be.an("array").that.is.not.empty;
        for (const check of mod.checks!) runCheck(check);
      });
    });
  }

  it("has no stale snapshots (a snapshot without its input module)", () => {
    for (const { dir } of cases()) {
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".snap.ts"))) {
        expect(fs.existsSync(path.join(dir, f.replace(/\.snap\.ts$/, ".ts"))), `${dir}/${f}`).to.equal(true);
      }
    }
  });
});

/** Tolerance for central differences (h = 1e-5): |fd − t| ≤ 1e-6·(1 + |t|). Analytic: 1e-12 relative. */
function runCheck(check: JvpCheck): void {
  const [primal, tangent] = check.jvp();
  expectClose(primal, check.along(0), 1e-12, `${check.name}: primal`);
  if (check.primal !== undefined) expectClose(primal, check.primal, 1e-12, `${check.name}: exact primal`);
  if (check.tangent !== undefined) expectClose(tangent, check.tangent, 1e-12, `${check.name}: analytic tangent`);
  if (check.smooth !== false) expectClose(tangent, centralDifference(check.along, 1e-5), 1e-6, `${check.name}: central differences`);
}
