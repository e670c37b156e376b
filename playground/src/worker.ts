/**
 * Runs a compiled module (CommonJS) in a Web Worker: `require` knows tsjvp and tsjvp/ops, `console`
 * posts its lines to the page, and the plotted function is sampled with its derivative from jvp
 * next to a central-difference estimate. The page terminates the worker at its time limit.
 */
import * as runtime from "../../runtime/index";
import * as ops from "../../runtime/ops";

export interface RunRequest {
  readonly javascript: string;
  readonly plotted: string | undefined;
  readonly interval: readonly [number, number];
}

export interface Sample {
  readonly x: number;
  readonly y: number;
  /** f'(x) from jvp(f, [x], [1]). */
  readonly slope: number;
  /** (f(x + h) − f(x − h)) / 2h. */
  readonly central: number;
}

export type RunMessage =
  | { readonly kind: "log"; readonly text: string }
  | { readonly kind: "error"; readonly text: string }
  | { readonly kind: "done"; readonly samples: readonly Sample[] | undefined; readonly milliseconds: number };

const post = (message: RunMessage) => (self as unknown as Worker).postMessage(message);
const modules: Record<string, unknown> = { tsjvp: runtime, "tsjvp/ops": ops };

function show(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Float64Array) return `Float64Array(${value.length}) [${Array.from(value).join(", ")}]`;
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value && typeof value === "object") return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).join(", ")} }`;
  return String(value);
}

function sample(f: (x: number) => number, [a, b]: readonly [number, number]): Sample[] {
  const count = 241;
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const x = a + ((b - a) * i) / (count - 1);
    const h = 1e-6 * Math.max(1, Math.abs(x));
    const [y, slope] = runtime.jvp(f, [x], [1]);
    samples.push({ x, y, slope, central: (f(x + h) - f(x - h)) / (2 * h) });
  }
  return samples;
}

self.onmessage = (event: MessageEvent<RunRequest>) => {
  const { javascript, plotted, interval } = event.data;
  const start = performance.now();
  const log = (...args: unknown[]) => post({ kind: "log", text: args.map(show).join(" ") });
  const fakeConsole = { log, error: log, warn: log, info: log };
  const require = (name: string) => {
    if (name in modules) return modules[name];
    throw new Error(`the playground has no module '${name}' (only tsjvp and tsjvp/ops)`);
  };
  let target: ((x: number) => number) | undefined;
  try {
    const module = { exports: {} };
    const body = plotted ? `${javascript}\n;__plot(${plotted});` : javascript;
    new Function("require", "exports", "module", "console", "__plot", body)(require, module.exports, module, fakeConsole, (f: (x: number) => number) => (target = f));
  } catch (error) {
    post({ kind: "error", text: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
  let samples: Sample[] | undefined;
  try {
    samples = target ? sample(target, interval) : undefined;
  } catch (error) {
    post({ kind: "error", text: `plot: ${error instanceof Error ? error.message : String(error)}` });
  }
  post({ kind: "done", samples, milliseconds: performance.now() - start });
};
