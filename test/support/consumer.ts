/**
 * A consumer project as a user sets one up: this package packed from a fresh checkout and installed
 * from the tarball into build/e2e with the tools users pair it with (typescript, both ts-patch
 * majors, Vite, esbuild, unplugin), and the program the end-to-end tests build with each of them.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./compile";

export const consumerRoot = path.join(repoRoot, "build", "e2e");

export function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * What `npm pack` ships from a fresh clone after `npm ci`: the checkout's files (tracked, or new and
 * not ignored; no dist/) beside this repository's node_modules, packed, so that prepack builds.
 * (Packing this working copy itself would rebuild the dist/ these tests run from.)
 */
function packFreshCheckout(): { tarball: string; files: string[] } {
  const copy = path.join(consumerRoot, "checkout");
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], repoRoot).split("\0");
  for (const file of listed.filter((f) => f && fs.existsSync(path.join(repoRoot, f)))) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, file), path.join(copy, file));
  }
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(copy, "node_modules"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", consumerRoot], copy))[0];
  return { tarball: packed.filename, files: packed.files.map((f: { path: string }) => f.path) };
}

/** The version this repository's lockfile installed, so that the consumer's install hits npm's cache. */
function installedVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", name, "package.json"), "utf8")).version;
}

let installed: { tarball: string; files: string[] } | undefined;

/** build/e2e: the packed package installed with the build tools (once per run). */
export function installConsumer(): { tarball: string; files: string[] } {
  if (installed) return installed;
  fs.rmSync(consumerRoot, { recursive: true, force: true });
  fs.mkdirSync(consumerRoot, { recursive: true });
  const packed = packFreshCheckout();
  fs.writeFileSync(path.join(consumerRoot, "package.json"), JSON.stringify({
    name: "tsjvp-e2e", private: true,
    dependencies: { tsjvp: `file:./${packed.tarball}` },
    devDependencies: {
      typescript: "6.0.3", "ts-patch": "4.0.1", "ts-patch-3": "npm:ts-patch@3.3.0",
      ...Object.fromEntries(["vite", "esbuild", "unplugin"].map((name) => [name, installedVersion(name)])),
    },
  }));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], consumerRoot);
  return (installed = packed);
}

/** The program every consumer builds: a library module with tagged functions, and a main module differentiating through it and tsjvp/ops. */
export const lib = `
/** A library function other modules may differentiate, twice too. @jvp hessian */
export function poly(x: number, y: number): number {
  return x * x * y + Math.sin(y);
}

/** @jvp */
export function scaleInto(v: Float64Array, k: number, out: Float64Array): void {
  for (let i = 0; i < v.length; i++) out[i] = v[i] * k;
}

/** @jvp */
export const cube = (x: number): number => x * x * x;
`;

export const main = (ext: string) => `
import { hessian, jvp } from "tsjvp";
import { dot, softmax } from "tsjvp/ops";
import { poly, scaleInto } from "./lib${ext}";

function energy(x: Float64Array): number {
  return dot(x, x) + dot(softmax(x), x);
}

function f(x: Float64Array): Float64Array {
  return Float64Array.of(x[0] ** 2, x[0] * x[1]);
}

function model(x: number): number {
  const out = new Float64Array(2);
  scaleInto(Float64Array.of(x, 2 * x), x, out);
  return poly(x, 3) + out[1];
}

const [y, yDot] = jvp(f, [Float64Array.of(2, 3)], [Float64Array.of(1, 0.5)]);
const [m, mDot] = jvp(model, [1.5], [1]);
const [p, pDot] = jvp(poly, [2, 0.5], [null, 1]);
const [e, eDot] = jvp(energy, [Float64Array.of(0, 0)], [Float64Array.of(1, 0)]);
/** poly of a point: its Hessian calls the library's twin of poly's twin. */
function polyAt(v: Float64Array): number {
  return poly(v[0], v[1]);
}
const H = hessian(polyAt)(Float64Array.of(1.5, 0.5));
console.log(JSON.stringify({ y: Array.from(y), yDot: Array.from(yDot), m, mDot, p, pDot, e, eDot, H: Array.from(H) }));
export const modelJvp = [m, mDot];
`;

export function expectMainOutput(text: string): void {
  const r = JSON.parse(text);
  expect(r.y).to.deep.equal([4, 6]);
  expect(r.yDot).to.deep.equal([4, 4]);
  const x = 1.5;
  expect(r.m).to.be.closeTo(x * x * 3 + Math.sin(3) + 2 * x * x, 1e-12);
  expect(r.mDot).to.be.closeTo(2 * x * 3 + 4 * x, 1e-12);
  expect(r.pDot).to.be.closeTo(4 + Math.cos(0.5), 1e-12);
  // tsjvp/ops through its twins: at x = 0, d(x·x) = 0 and d(softmax(x)·x) = softmax(0)·dx = 0.5.
  expect(r.e).to.equal(0);
  expect(r.eDot).to.be.closeTo(0.5, 1e-15);
  // poly(x, y) = x²y + sin y at (1.5, 0.5): H = [[2y, 2x], [2x, -sin y]].
  const expected = [1, 3, 3, -Math.sin(0.5)];
  expected.forEach((h, i) => expect(r.H[i], `H[${i}]`).to.be.closeTo(h, 1e-12));
}

