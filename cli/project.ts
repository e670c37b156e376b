import * as fs from "node:fs";
import * as path from "node:path";
import { Project, ts as morphTs } from "ts-morph";
import type * as TS from "typescript";

/**
 * TypeScript as ts-morph bundles it (6.0.2; the same SyntaxKind values as the plugin's 6.0.3). The
 * core takes the instance it is given; the two declaration packages differ only in brands.
 */
export const ts = morphTs as unknown as typeof TS;
import { UsageError } from "./args";

/** The project a command works on: ts-morph loads it from its tsconfig. */
export interface LoadedProject {
  readonly program: TS.Program;
  readonly configPath: string;
  readonly rootDir: string;
  readonly options: TS.CompilerOptions;
}

export function loadProject(configOption: string | undefined): LoadedProject {
  const given = path.resolve(configOption ?? "tsconfig.json");
  const configPath = fs.existsSync(given) && fs.statSync(given).isDirectory() ? path.join(given, "tsconfig.json") : given;
  if (!fs.existsSync(configPath)) throw new UsageError(`cannot find ${path.relative(process.cwd(), configPath) || configPath}`);
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new UsageError(`${path.relative(process.cwd(), configPath)} is not valid: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath));
  const fatal = parsed.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003);
  if (fatal) throw new UsageError(`${path.relative(process.cwd(), configPath)}: ${ts.flattenDiagnosticMessageText(fatal.messageText, " ")}`);
  const project = new Project({ tsConfigFilePath: configPath });
  const program = project.getProgram().compilerObject as unknown as TS.Program;
  const options = program.getCompilerOptions();
  const rootDir = options.rootDir ?? commonDirectory(program.getRootFileNames()) ?? path.dirname(configPath);
  return { program, configPath, rootDir: path.resolve(rootDir), options };
}

function commonDirectory(files: readonly string[]): string | undefined {
  if (files.length === 0) return undefined;
  let common = path.dirname(path.resolve(files[0]));
  for (const f of files) {
    while (!path.resolve(f).startsWith(common + path.sep) && common !== path.dirname(common)) common = path.dirname(common);
  }
  return common;
}
