import type * as ts from "typescript";
import { Core } from "../core/context";
import { Namer } from "../core/namer";
import { ModuleServices } from "./context";
import type { Spec } from "../analysis/activity";
import type { SpecRegistry } from "../analysis/specs";

/**
 * The imports generated code needs: one namespace import per module whose twins it calls
 * (`import * as lib_twins from "./lib"`, the user's own specifier, which works in CommonJS and ES
 * modules alike) and one of tsjvp's runtime, added only when used.
 */
export class ModuleImports implements ModuleServices {
  private readonly namespaces = new Map<string, ts.Identifier>();
  private runtime: ts.Identifier | undefined;

  constructor(
    private readonly core: Core,
    private readonly namer: Namer,
    private readonly runtimeSpecifier: string,
    private readonly registry: SpecRegistry,
  ) {}

  twinReference(spec: Spec, from: ts.Node): ts.Expression | undefined {
    const parts = this.registry.reference(spec, from);
    return parts && this.qualified(parts);
  }

  importedTwin(specifier: string, qualifier: readonly string[], name: string, op = false): ts.Expression {
    const { f } = this.core;
    const namespace = this.importNamespace(specifier);
    if (op) this.ops.add(namespace.text);
    return [...qualifier, `${name}_jvp`].reduce<ts.Expression>((e, part) => f.createPropertyAccessExpression(e, part), namespace);
  }

  /** The namespaces through which twins call primitives of tsjvp/ops (whose twins vector mode may call once per direction). */
  opsNamespaces(): ReadonlySet<string> {
    return this.ops;
  }

  private readonly ops = new Set<string>();

  private qualified(parts: readonly string[]): ts.Expression {
    const { f } = this.core;
    return parts.slice(1).reduce<ts.Expression>((e, part) => f.createPropertyAccessExpression(e, part), f.createIdentifier(parts[0]));
  }

  importNamespace(specifier: string): ts.Identifier {
    let id = this.namespaces.get(specifier);
    if (!id) {
      const base = (specifier.split("/").pop() ?? "module").replace(/\.[cm]?[jt]sx?$/, "").replace(/[^\w$]/g, "_");
      id = this.core.f.createIdentifier(this.namer.unique(`${/^\d/.test(base) ? "_" + base : base}_twins`));
      this.namespaces.set(specifier, id);
    }
    return id;
  }

  runtimeRef(name: string): ts.Expression {
    return this.core.f.createPropertyAccessExpression(this.runtimeNamespace(), name);
  }

  runtimeNamespace(): ts.Identifier {
    this.runtime ??= this.core.f.createIdentifier(this.namer.unique("tsjvp_runtime"));
    return this.runtime;
  }

  /**
   * The import declarations to add, in a stable order. `twinModule` maps the specifier of a module
   * whose twins are called to where those twins live (the module itself, for the plugin).
   */
  declarations(twinModule: (specifier: string) => string = (s) => s): ts.Statement[] {
    const { f } = this.core;
    const make = (id: ts.Identifier, specifier: string) =>
      f.createImportDeclaration(undefined, f.createImportClause(undefined, undefined, f.createNamespaceImport(id)), f.createStringLiteral(specifier));
    const out = [...this.namespaces].map(([specifier, id]) => make(id, twinModule(specifier)));
    if (this.runtime) out.unshift(make(this.runtime, this.runtimeSpecifier));
    return out;
  }
}

/** The specifier this file uses for tsjvp (`"tsjvp"` unless it imports it otherwise). */
export function runtimeSpecifierOf(core: Core, jvpDeclaration: ts.Node | undefined): string {
  const { ts } = core;
  if (!jvpDeclaration) return "tsjvp";
  for (const s of core.file.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const moduleSymbol = core.checker.getSymbolAtLocation(s.moduleSpecifier);
    if (moduleSymbol?.valueDeclaration?.getSourceFile() === jvpDeclaration.getSourceFile()) return s.moduleSpecifier.text;
  }
  return "tsjvp";
}
