/**
 * The project's own TypeScript, and its tsconfig, for the tools that compile a project themselves
 * (the CLI and the bundler plugins; the tsc plugin is handed its `ts` by ts-patch). tsjvp depends
 * on no compiler, so that a production install of a program using its runtime pulls none.
 */
import * as path from "node:path";
import type * as TS from "typescript";
import { unsupportedTypeScript } from "../transformer/pipeline";

/** A project tsjvp cannot work on as it is set up: the message says what to change. */
export class SetupError extends Error {}

/**
 * The `typescript` package the project installed: resolved from the project's folder, then the
 * working directory, then tsjvp's own location. `tool` names who needs it in the message.
 */
export function loadTypeScript(projectDir: string, tool: string): typeof TS {
  let resolved: string | undefined;
  for (const from of [projectDir, process.cwd(), __dirname]) {
    try {
      resolved = require.resolve("typescript", { paths: [from] });
      break;
    } catch {
      // try the next place
    }
  }
  if (!resolved) throw new SetupError(`${tool} needs TypeScript in your project: npm install --save-dev typescript@6.0`);
  const ts = require(resolved) as typeof TS;
  const problem = unsupportedTypeScript(ts);
  if (problem) throw new SetupError(`${problem} (found at ${path.dirname(resolved)})`);
  return ts;
}

/** The parsed tsconfig: options, root files and references, or an error naming what is wrong with it. */
export function parseConfig(ts: typeof TS, configPath: string): TS.ParsedCommandLine {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  const shown = path.relative(process.cwd(), configPath) || configPath;
  if (read.error) throw new SetupError(`${shown} is not valid: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
  // 18003 "no inputs were found" is left to the callers (an empty project has nothing to report).
  const fatal = parsed.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003);
  if (fatal) throw new SetupError(`${shown}: ${ts.flattenDiagnosticMessageText(fatal.messageText, " ")}`);
  return parsed;
}
