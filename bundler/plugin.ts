/**
 * The bundler plugin, one implementation for Vite, esbuild, Rollup and webpack (unplugin adapts it
 * to each): every TypeScript module that mentions jvp is emitted by the project's program with
 * tsjvp's transformer, the way `tspc` emits it, and handed on as JavaScript with a source map.
 * tsjvp's diagnostics fail the build as the bundler's errors, with file, line and column.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import type { UnpluginInstance, UnpluginOptions } from "unplugin";
import { loadTypeScript, SetupError } from "../host/typescript";
import { BundlerProjects } from "./project";
import { transformModule } from "./transform";

type Pattern = string | RegExp;

export interface TsjvpPluginOptions {
  /** The tsconfig.json whose options and files the modules are compiled with (default: tsconfig.json in the bundler's root, else the nearest one above it). */
  readonly tsconfig?: string;
  /** Modules to differentiate (globs or regular expressions; default: every .ts, .tsx, .mts and .cts file). */
  readonly include?: Pattern | Pattern[];
  /** Modules to leave alone (default: node_modules and declaration files). */
  readonly exclude?: Pattern | Pattern[];
}

const typescriptModules = /\.[cm]?tsx?(\?.*)?$/;
const leftAlone = [/[\\/]node_modules[\\/]/, /\.d\.[cm]?ts(\?.*)?$/];

function factory(options: TsjvpPluginOptions = {}): UnpluginOptions {
  let root = process.cwd();
  let projects: BundlerProjects | undefined;
  const transformed = new Set<string>();
  const projectsOf = (): BundlerProjects => {
    if (projects) return projects;
    const ts = loadTypeScript(root, "tsjvp's bundler plugin");
    return (projects = new BundlerProjects(ts, configPath(ts, root, options.tsconfig)));
  };
  return {
    name: "tsjvp",
    // Before the bundler's own TypeScript transform: tsjvp reads the types it strips.
    enforce: "pre",
    transform: {
      filter: { id: { include: options.include ?? typescriptModules, exclude: [...leftAlone, ...[options.exclude ?? []].flat()] }, code: /jvp/i },
      handler(code, id) {
        const file = path.resolve(id.replace(/\?.*$/, ""));
        const result = transformModule(projectsOf().projectFor(file), file, code);
        if (result.kind === "unchanged") return transformed.delete(file), null;
        if (result.kind === "failed") {
          this.error({ id: file, message: result.message + handedOver(file, code), loc: result.location });
          // esbuild and webpack collect the error and go on: the module stays as it was, the build fails.
          return { code, map: null };
        }
        transformed.add(file);
        return { code: result.code, map: result.map };
      },
    },
    vite: {
      configResolved(config) {
        root = config.root;
      },
      // A module's twins can depend on other modules (their types, their @jvp tags): an edit of any
      // module reloads the ones tsjvp transformed too, so that none keeps a stale twin.
      handleHotUpdate({ file, modules, server }) {
        if (!typescriptModules.test(file) || transformed.size === 0) return undefined;
        const others = [...transformed].filter((t) => t !== path.resolve(file)).flatMap((t) => [...(server.moduleGraph.getModulesByFile(t) ?? [])]);
        return others.length > 0 ? [...modules, ...others] : undefined;
      },
    },
    esbuild: {
      setup(build) {
        root = build.initialOptions.absWorkingDir ?? root;
      },
    },
  };
}

/** When an earlier plugin had changed the module, tsjvp may have analysed JavaScript without its types: say so. */
function handedOver(file: string, code: string): string {
  if (fs.readFileSync(file, "utf8") === code) return "";
  return `\n(tsjvp was handed ${path.relative(process.cwd(), file)} already changed by an earlier plugin; it needs the TypeScript you wrote: put tsjvp() before the TypeScript plugin, or, with Rollup, use rollup-plugin-esbuild, since @rollup/plugin-typescript compiles modules before any transform runs)`;
}

function configPath(ts: typeof TS, root: string, given: string | undefined): string {
  if (given) {
    const resolved = path.resolve(root, given);
    if (!ts.sys.fileExists(resolved)) throw new SetupError(`tsjvp: cannot find the tsconfig ${given} (from ${root})`);
    return resolved;
  }
  const found = ts.findConfigFile(root, ts.sys.fileExists);
  if (!found) throw new SetupError(`tsjvp: no tsconfig.json in ${root} or above it: create one, or pass tsjvp({ tsconfig: "path/to/tsconfig.json" })`);
  return found;
}

/** unplugin is an optional peer: only bundler users install it, so a program's production install stays tsjvp alone. */
function unplugin(): typeof import("unplugin") {
  try {
    return require("unplugin") as typeof import("unplugin");
  } catch {
    throw new Error("tsjvp's bundler plugins need unplugin: npm install --save-dev unplugin");
  }
}

export const tsjvpUnplugin: UnpluginInstance<TsjvpPluginOptions | undefined, false> = unplugin().createUnplugin<TsjvpPluginOptions | undefined, false>(factory);

/**
 * A bundler's entry (`tsjvp/vite`, …): the factory itself, so that `require("tsjvp/vite")` and
 * `import tsjvp from "tsjvp/vite"` (Node hands an ES module the CommonJS exports as its default)
 * both give it, with `.default` set for transpiled interop.
 */
export function entry<F extends (...args: never[]) => unknown>(plugin: F): F & { default: F } {
  return Object.assign(plugin, { default: plugin });
}
