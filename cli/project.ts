import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import { UsageError } from "./args";
import { loadTypeScript, parseConfig } from "../host/typescript";

/** The project a command works on, compiled by the project's own TypeScript. */
export interface LoadedProject {
  readonly ts: typeof TS;
  readonly program: TS.Program;
  readonly configPath: string;
  readonly rootDir: string;
  readonly options: TS.CompilerOptions;
}

/** The tsconfig.json a `-p` option names (a file, or a directory holding tsconfig.json). */
export function configPathOf(configOption: string | undefined): string {
  const given = path.resolve(configOption ?? "tsconfig.json");
  const configPath = fs.existsSync(given) && fs.statSync(given).isDirectory() ? path.join(given, "tsconfig.json") : given;
  if (!fs.existsSync(configPath)) throw new UsageError(`cannot find ${path.relative(process.cwd(), configPath) || configPath}`);
  return configPath;
}

export function loadProject(configOption: string | undefined): LoadedProject {
  const configPath = configPathOf(configOption);
  const ts = loadTypeScript(path.dirname(configPath), "the tsjvp command");
  const parsed = parseConfig(ts, configPath);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
  return projectOf(ts, program, configPath);
}

export function projectOf(ts: typeof TS, program: TS.Program, configPath: string): LoadedProject {
  const options = program.getCompilerOptions();
  const rootDir = options.rootDir ?? commonDirectory(program.getRootFileNames()) ?? path.dirname(configPath);
  return { ts, program, configPath, rootDir: path.resolve(rootDir), options };
}

function commonDirectory(files: readonly string[]): string | undefined {
  if (files.length === 0) return undefined;
  let common = path.dirname(path.resolve(files[0]));
  for (const f of files) {
    while (!path.resolve(f).startsWith(common + path.sep) && common !== path.dirname(common)) common = path.dirname(common);
  }
  return common;
}
