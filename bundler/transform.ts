/**
 * One module through the same core as the tsc plugin, for a bundler's transform hook: the module is
 * emitted as JavaScript by its program with tsjvp's transformer, exactly as `tspc` would emit it
 * (twins inserted, jvp calls rewritten), with a source map back to the TypeScript the user wrote.
 */
import * as path from "node:path";
import type * as TS from "typescript";
import { emitModule } from "../transformer/pipeline";
import type { BundlerProject } from "./project";

export interface SourceMapObject {
  version: number;
  file?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

/** Where a diagnostic points, as bundlers take it: a 1-based line, a 0-based column. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type ModuleResult =
  | { readonly kind: "unchanged" }
  | { readonly kind: "transformed"; readonly code: string; readonly map: SourceMapObject }
  | { readonly kind: "failed"; readonly message: string; readonly location: Location | undefined };

export function transformModule(project: BundlerProject, file: string, code: string): ModuleResult {
  const { ts } = project;
  const program = project.programWith(file, code);
  const source = program?.getSourceFile(path.resolve(file));
  if (!program || !source) return { kind: "unchanged" };
  const { outputs, transformed, diagnostics } = emitModule(ts, program, source);
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) return { kind: "failed", message: format(ts, errors), location: locationOf(ts, errors[0]) };
  const js = [...outputs].find(([name]) => !name.endsWith(".map"))?.[1] ?? "";
  const map = [...outputs].find(([name]) => name.endsWith(".map"))?.[1];
  if (transformed === source || map === undefined) return { kind: "unchanged" };
  const parsed = JSON.parse(map) as SourceMapObject;
  return {
    kind: "transformed",
    code: js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"),
    map: { ...parsed, file: path.basename(file), sources: [path.resolve(file)], sourcesContent: [code] },
  };
}

/** The diagnostics as tspc prints them: `src/main.ts(3,7): error TS97003: …`, paths from the working directory. */
function format(ts: typeof TS, diagnostics: readonly TS.Diagnostic[]): string {
  const host: TS.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" };
  return ts.formatDiagnostics(diagnostics, host).trimEnd();
}

function locationOf(ts: typeof TS, d: TS.Diagnostic): Location | undefined {
  if (!d.file || d.start === undefined) return undefined;
  const { line, character } = ts.getLineAndCharacterOfPosition(d.file, d.start);
  return { file: d.file.fileName, line: line + 1, column: character };
}
