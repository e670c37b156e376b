import type * as ts from "typescript";
import { Core } from "../core/context";
import { differentiable, kindOf, kindOfType } from "../model/types";
import { identifiersOf } from "../core/namer";
import { hasExport, hasTag, jvpTag, secondOrderTag, twinWithoutHessianName } from "../model/functions";

/**
 * A twin of a twin that calls another module's function calls that module's twin of its twin
 * (`lib_twins.g_jvp(…)` becomes `lib_twins.g_jvp_jvp(…)`). The second program sees the other
 * modules as their sources, where the first pass's twins do not exist yet: this declares them
 * there, after the source's own text, with the types the twin has, `g_jvp(p0, p0_dot, …)`
 * returning `[ReturnType<typeof g>, …]`. A module emits `g_jvp_jvp` only for a function tagged
 * `@jvp hessian`; the declaration of any other's twin says so, and a call of it is reported with
 * the tag to add (model/functions.ts: importedCallee).
 *
 * Exported functions of a source file, at its top level and in its exported namespaces (declared
 * in `export namespace A.B { … }`, which merges with the module's own). A library's declaration
 * file declares its first-pass twins itself (not yet their twins: such a call fails, reported).
 */
export function withTwinsDeclared(core: Core, module: ts.SourceFile): string {
  const taken = identifiersOf(core.ts, module);
  const declarations = declare(core, module.statements, [], taken);
  return declarations.length > 0 ? `${module.text}\n${declarations.join("\n")}\n` : module.text;
}

/**
 * The declarations for the functions among `statements`, inside the exported namespaces `path`
 * (`export namespace Geo.Inner { … }`, which merges with the module's own).
 */
function declare(core: Core, statements: readonly ts.Statement[], path: readonly string[], taken: ReadonlySet<string>): string[] {
  const { ts } = core;
  const qualified = (name: string) => [...path, name].join(".");
  const inside: string[] = [];
  const nested: string[] = [];
  for (const s of statements) {
    if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name) && hasExport(core, s, s.name.text)) {
      // `namespace A.B { … }` nests its body: A holds B.
      let body = s.body;
      const names = [s.name.text];
      while (body && ts.isModuleDeclaration(body)) {
        names.push(body.name.text);
        body = body.body;
      }
      if (body && ts.isModuleBlock(body)) nested.push(...declare(core, body.statements, [...path, ...names], taken));
      continue;
    }
    const fn = exportedFunction(core, s);
    if (!fn || taken.has(`${fn.name}_jvp`)) continue;
    const declaration = twinDeclaration(core, qualified(fn.name), fn.name, fn.node);
    if (!declaration) continue;
    const tag = hasTag(core, s, secondOrderTag) ? "@jvp" : `@${twinWithoutHessianName}`;
    inside.push(`/** ${tag} */\nexport declare ${declaration}`);
  }
  const block = path.length === 0 || inside.length === 0 ? inside : [`export namespace ${path.join(".")} {\n${inside.join("\n")}\n}`];
  return [...block, ...nested];
}

interface ExportedFunction {
  readonly name: string;
  readonly node: ts.SignatureDeclaration & { readonly parameters: ts.NodeArray<ts.ParameterDeclaration> };
}

/** `export function g(…)` or `export const g = (…) => …`, tagged @jvp. */
function exportedFunction(core: Core, s: ts.Statement): ExportedFunction | undefined {
  const { ts } = core;
  if (!hasTag(core, s, jvpTag)) return undefined;
  if (ts.isFunctionDeclaration(s) && s.name && s.body) return hasExport(core, s, s.name.text) ? { name: s.name.text, node: s } : undefined;
  if (!ts.isVariableStatement(s) || !(s.declarationList.flags & ts.NodeFlags.Const) || s.declarationList.declarations.length !== 1) return undefined;
  const d = s.declarationList.declarations[0];
  const init = d.initializer;
  if (!ts.isIdentifier(d.name) || !init || !(ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return undefined;
  return hasExport(core, s, d.name.text) ? { name: d.name.text, node: init } : undefined;
}

/**
 * `export declare function g_jvp<T>(p0: Parameters<typeof g<T>>[0], p0_dot: …): [ReturnType<typeof g<T>>, …];`:
 * each parameter followed by its tangent when it is differentiable (the full twin's order).
 */
function twinDeclaration(core: Core, qualified: string, name: string, node: ExportedFunction["node"]): string | undefined {
  const { ts } = core;
  if (node.parameters.some((p) => p.dotDotDotToken)) return undefined;
  const typeParams = node.typeParameters ?? [];
  const instance = typeParams.length > 0 ? `typeof ${qualified}<${typeParams.map((t) => t.name.text).join(", ")}>` : `typeof ${qualified}`;
  const params: string[] = [];
  node.parameters.forEach((p, i) => {
    const optional = p.questionToken || p.initializer ? "?" : "";
    const type = `Parameters<${instance}>[${i}]`;
    params.push(`p${i}${optional}: ${type}`);
    if (differentiable(kindOf(core, p))) params.push(`p${i}_dot${optional}: ${type}`);
  });
  const signature = core.checker.getSignatureFromDeclaration(node);
  const returned = signature && core.checker.getReturnTypeOfSignature(signature);
  if (!returned) return undefined;
  const result = `ReturnType<${instance}>`;
  const returns = returned.flags & ts.TypeFlags.Void ? "void" : differentiable(kindOfType(core, returned)) ? `[${result}, ${result}]` : `[${result}, null]`;
  const generics = typeParams.length > 0 ? `<${typeParams.map((t) => t.getText()).join(", ")}>` : "";
  return `function ${name}_jvp${generics}(${params.join(", ")}): ${returns};`;
}
