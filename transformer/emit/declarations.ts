import type * as ts from "typescript";
import { Core } from "../core/context";
import type { FileTwins } from "../derive/differentiator";

/**
 * A declaration file with the exported twins declared after their primals
 * (`export declare function f_jvp(x: number, x_dot: number): [number, number];`), so that
 * `import { f_jvp } from "lib"` type-checks, and so that importers find the twin even when
 * `removeComments` stripped the `@jvp` tag. `dts` is the tree TypeScript's declaration emit made
 * from `core.file`: its statements keep their source statements as original nodes.
 */
export function declareTwins(core: Core, result: FileTwins, dts: ts.SourceFile): ts.SourceFile {
  const { ts, f } = core;
  const after = new Map<ts.Node, ts.FunctionDeclaration[]>();
  for (const { spec, declaration } of result.twins) {
    if (spec.fn.inline || !ts.isFunctionDeclaration(declaration) || !isExported(core, declaration)) continue;
    after.set(spec.fn.anchor, [...(after.get(spec.fn.anchor) ?? []), declaration]);
  }
  if (after.size === 0) return dts;
  const list = (statements: readonly ts.Statement[], ambient: boolean): ts.Statement[] => statements.flatMap((s) => {
    const source = ts.getOriginalNode(s);
    const twins = after.get(source) ?? [];
    // Top level: `export declare`. Inside a namespace (already ambient) a twin is exported like its
    // primal: an `export` there would make every member without one private.
    const modifiers = ambient ? (ts.canHaveModifiers(s) ? ts.getModifiers(s) ?? [] : []).filter((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : [f.createModifier(ts.SyntaxKind.ExportKeyword), f.createModifier(ts.SyntaxKind.DeclareKeyword)];
    return [visit(s), ...twins.map((t) => declared(core, t, modifiers))];
  });
  const visit = (s: ts.Statement): ts.Statement => {
    if (!ts.isModuleDeclaration(s) || !s.body || !ts.isModuleBlock(s.body)) return s;
    return f.updateModuleDeclaration(s, s.modifiers, s.name, f.updateModuleBlock(s.body, list(s.body.statements, true)));
  };
  const body = list(dts.statements, false);
  // Every exported primal is in the declaration file; a twin whose primal is not would have no type to refer to.
  const firstNonImport = body.findIndex((s) => !ts.isImportDeclaration(s) && !ts.isImportEqualsDeclaration(s));
  const imports = result.imports.declarations().map((d) => typeOnly(core, d as ts.ImportDeclaration));
  body.splice(firstNonImport < 0 ? body.length : firstNonImport, 0, ...imports);
  return f.updateSourceFile(dts, body);
}

function isExported(core: Core, d: ts.FunctionDeclaration): boolean {
  return (core.ts.getModifiers(d) ?? []).some((m) => m.kind === core.ts.SyntaxKind.ExportKeyword);
}

/** The twin without its body; parameters with a default become optional. */
function declared(core: Core, d: ts.FunctionDeclaration, modifiers: readonly ts.ModifierLike[]): ts.FunctionDeclaration {
  const { ts, f } = core;
  const parameters = d.parameters.map((p) => f.updateParameterDeclaration(p, undefined, p.dotDotDotToken, p.name,
    p.initializer ? f.createToken(ts.SyntaxKind.QuestionToken) : p.questionToken, p.type, undefined));
  return f.createFunctionDeclaration(modifiers, undefined, d.name, d.typeParameters, parameters, d.type, undefined);
}

/** `import type * as tsjvp_runtime from "tsjvp"`: types only, in a declaration file. */
function typeOnly(core: Core, d: ts.ImportDeclaration): ts.ImportDeclaration {
  const { f } = core;
  const clause = d.importClause!;
  const clauseTypeOnly = f.updateImportClause(clause, core.ts.SyntaxKind.TypeKeyword, clause.name, clause.namedBindings);
  return f.updateImportDeclaration(d, d.modifiers, clauseTypeOnly, d.moduleSpecifier, d.attributes);
}
