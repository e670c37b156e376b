/**
 * The ts-patch entry: `{ "transform": "tsjvp/transformer" }` in compilerOptions.plugins, and for
 * declaration files a second entry with `"afterDeclarations": true`. A thin adapter: the
 * differentiation core gets the `ts` instance ts-patch hands in (tsjvp itself depends on no
 * compiler), and its diagnostics go to the compiler, so tspc prints them like tsc errors and exits
 * non-zero.
 */
import type * as ts from "typescript";
import { declareFile, transformFile, unsupportedTypeScript } from "./pipeline";
import { Messages } from "./core/diagnostics";

interface Extras {
  readonly ts: typeof ts;
  addDiagnostic(diagnostic: ts.Diagnostic): number;
}

export default function tsjvpTransformer(program: ts.Program, _config: unknown, extras: Extras): ts.TransformerFactory<ts.SourceFile> {
  const tsi = extras.ts;
  const unsupported = unsupportedTypeScript(tsi);
  if (unsupported) {
    extras.addDiagnostic({ file: undefined, start: undefined, length: undefined, category: tsi.DiagnosticCategory.Error, code: Messages.typescriptVersion.code, messageText: unsupported });
    return () => (file) => file;
  }
  return (context) => (node) => {
    // ts-patch hands an entry its kind nowhere in its arguments; what it transforms says it: the
    // afterDeclarations entry sees declaration trees (an outFile Bundle is left alone).
    if (!tsi.isSourceFile(node)) return node;
    if (node.isDeclarationFile) {
      const source = program.getSourceFile(node.fileName);
      return source ? declareFile(tsi, program, context, source, node) : node;
    }
    const result = transformFile(tsi, program, context, node);
    for (const diagnostic of result.diagnostics) extras.addDiagnostic(diagnostic);
    return result.file;
  };
}
