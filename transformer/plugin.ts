/**
 * The ts-patch entry: `{ "transform": "tsjvp/transformer" }` in compilerOptions.plugins. A thin
 * adapter: the differentiation core gets the `ts` instance ts-patch hands in (tsjvp itself depends
 * on no compiler), and its diagnostics go to the compiler, so tspc prints them like tsc errors and
 * exits non-zero.
 */
import type * as ts from "typescript";
import { transformFile, unsupportedTypeScript } from "./pipeline";
import { Messages } from "./core/diagnostics";

interface Extras {
  readonly ts: typeof ts;
  addDiagnostic(diagnostic: ts.Diagnostic): number;
}

export default function tsjvpTransformer(program: ts.Program, _config: unknown, extras: Extras): ts.TransformerFactory<ts.SourceFile> {
  const unsupported = unsupportedTypeScript(extras.ts);
  if (unsupported) {
    extras.addDiagnostic({ file: undefined, start: undefined, length: undefined, category: extras.ts.DiagnosticCategory.Error, code: Messages.typescriptVersion.code, messageText: unsupported });
    return () => (file) => file;
  }
  return (context) => (file) => {
    const result = transformFile(extras.ts, program, context, file);
    for (const diagnostic of result.diagnostics) extras.addDiagnostic(diagnostic);
    return result.file;
  };
}
