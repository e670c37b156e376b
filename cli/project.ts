import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import { UsageError } from "./args";
import { unsupportedTypeScript } from "../transformer/pipeline";

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

/**
 * The `typescript` package the project installed (tsjvp depends on no compiler, so that a
 * production install of a program using its runtime pulls none): resolved from the project's
 * folder, then the working directory, then tsjvp's own location.
 */
export function loadTypeScript(projectDir: string): typeof TS {
  let resolved: string | undefined;
  for (const from of [projectDir, process.cwd(), __dirname]) {
    try {
      resolved = require.resolve("typescript", { paths: [from] });
      break;
    } catch {
      // try the next place
    }
  }
  if (!resolved) throw new UsageError("the tsjvp command needs TypeScript in your project: npm install --save-dev typescript@6.0");
  const ts = require(resolved) as typeof TS;
  const problem = unsupportedTypeScript(ts);
  if (problem) throw new UsageError(`${problem} (found at ${path.dirname(resolved)})`);
  return ts;
}

/** The parsed tsconfig: options and root files, or a usage error naming what is wrong with it. */
export function parseConfig(ts: typeof TS, configPath: string): TS.ParsedCommandLine {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  const shown = path.relative(process.cwd(), configPath) || configPath;
  if (read.error) throw new UsageError(`${shown} is not valid: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
  // 18003 "no inputs were found" is left to the commands (an empty project has nothing to report).
  const fatal = parsed.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003);
  if (fatal) throw new UsageError(`${shown}: ${ts.flattenDiagnosticMessageText(fatal.messageText, " ")}`);
  return parsed;
}

export function loadProject(configOption: string | undefined): LoadedProject {
  const configPath = configPathOf(configOption);
  const ts = loadTypeScript(path.dirname(configPath));
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
