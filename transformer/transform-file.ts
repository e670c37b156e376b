import type * as ts from "typescript";
import { Core } from "./core-context";
import { DiagnosticBag } from "./diagnostics";
import { Callee, FnInfo, resolveCallee } from "./functions";
import { findJvpCalls, findTaggedFunctions, JvpCall } from "./marks";
import { ModuleImports, runtimeSpecifierOf } from "./module-services";
import { identifiersIn, Namer } from "./namer";
import { fullMask, Spec, SpecRegistry } from "./specs";
import { buildTwin } from "./twin";
import { planCallSite, CallPlan, rewriteCallSite } from "./call-sites";

export interface FileResult {
  readonly file: ts.SourceFile;
  readonly diagnostics: readonly ts.Diagnostic[];
}

/**
 * Differentiates one source file: finds the marks (jvp calls, @jvp tags), analyses and generates
 * the twins, and returns the file with twins inserted after their primals and jvp calls rewritten.
 * What it emits depends on this file alone (DESIGN §6). A file without marks comes back as it is.
 */
export function transformFile(tsi: typeof ts, program: ts.Program, context: ts.TransformationContext, file: ts.SourceFile): FileResult {
  if (file.isDeclarationFile || !file.text.includes("jvp")) return { file, diagnostics: [] };
  const core: Core = { ts: tsi, f: context.factory, program, checker: program.getTypeChecker(), file, diags: new DiagnosticBag(tsi, program.getCurrentDirectory()), context };
  const calls = findJvpCalls(core);
  const tagged = findTaggedFunctions(core);
  if (calls.length === 0 && tagged.length === 0) return { file, diagnostics: [] };
  return { file: new FileDifferentiator(core, calls, tagged).run(), diagnostics: core.diags.items };
}

class FileDifferentiator {
  private readonly namer: Namer;
  private readonly registry: SpecRegistry;
  private readonly imports: ModuleImports;
  private readonly twins = new Map<Spec, ts.FunctionDeclaration | undefined>();
  /** The first diagnostic each failed function produced: the run-time message of its call sites. */
  private readonly failures = new Map<Spec, ts.Diagnostic>();
  /** The twins each generated twin calls. */
  private readonly callees = new Map<Spec, readonly Spec[]>();

  constructor(private readonly core: Core, private readonly calls: JvpCall[], private readonly tagged: FnInfo[]) {
    this.namer = new Namer(identifiersIn(core.file.text));
    this.registry = new SpecRegistry(core, this.namer);
    const jvpDecl = calls.length > 0 ? core.checker.getResolvedSignature(calls[0].call)?.declaration : undefined;
    this.imports = new ModuleImports(core, this.namer, runtimeSpecifierOf(core, jvpDecl));
  }

  run(): ts.SourceFile {
    const taggedSpecs = this.tagged.map((fn) => this.registry.get(fn, fullMask(fn)));
    const plans = new Map<ts.CallExpression, CallPlan>();
    for (const c of this.calls) plans.set(c.call, planCallSite(this.core, c, this.registry, (e) => this.callee(e)));
    const roots = [...taggedSpecs, ...[...plans.values()].flatMap((p) => (p.type === "twin" ? [p.spec] : []))];
    if (!this.guard(roots, () => this.registry.converge())) return this.emit(plans, taggedSpecs);
    for (const spec of roots) this.generate(spec);
    return this.emit(plans, taggedSpecs);
  }

  private callee(e: ts.Expression): Callee {
    return resolveCallee(this.core, e);
  }

  /** tsjvp's one exception boundary: an internal error becomes a diagnostic at each root. */
  private guard(roots: Spec[], work: () => void): boolean {
    try {
      work();
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const spec of roots) {
        this.failures.set(spec, this.core.diags.report(spec.fn.anchor, "internalError", spec.fn.name, message));
        this.twins.set(spec, undefined);
      }
      return false;
    }
  }

  private generate(spec: Spec): void {
    if (this.twins.has(spec)) return;
    this.twins.set(spec, undefined);
    const before = this.core.diags.items.length;
    if (!spec.ok) {
      this.failures.set(spec, this.firstDiagnosticOf(spec));
      return;
    }
    let calls: readonly Spec[] = [];
    this.guard([spec], () => {
      const result = buildTwin(this.core, spec, this.namer.fork(), this.imports);
      this.twins.set(spec, result.declaration);
      calls = result.calls;
    });
    this.callees.set(spec, calls);
    if (!this.twins.get(spec) && !this.failures.has(spec)) this.failures.set(spec, this.core.diags.items[before] ?? this.firstDiagnosticOf(spec));
    for (const callee of calls) this.generate(callee);
  }

  private firstDiagnosticOf(spec: Spec): ts.Diagnostic {
    const node = spec.fn.node;
    return this.core.diags.items.find((d) => d.file === this.core.file && d.start! >= node.pos && d.start! <= node.end)
      ?? this.core.diags.report(spec.fn.anchor, "internalError", spec.fn.name, "no diagnostic was recorded");
  }

  /** The failure that makes `spec` unusable: its own, or one of a twin it calls. */
  private failureOf(spec: Spec, seen = new Set<Spec>()): ts.Diagnostic | undefined {
    if (seen.has(spec)) return undefined;
    seen.add(spec);
    const own = this.failures.get(spec);
    if (own) return own;
    const twin = this.twins.get(spec);
    if (!twin) return undefined;
    for (const callee of this.callees.get(spec) ?? []) {
      const failure = this.failureOf(callee, seen);
      if (failure) return failure;
    }
    return undefined;
  }

  private emit(plans: Map<ts.CallExpression, CallPlan>, taggedSpecs: Spec[]): ts.SourceFile {
    const after = new Map<ts.Node, ts.Statement[]>();
    const before = new Map<ts.Node, ts.Statement[]>();
    const place = (spec: Spec, declaration: ts.Statement) => {
      const map = spec.fn.insertBefore ? before : after;
      const list = map.get(spec.fn.anchor) ?? [];
      list.push(this.core.ts.setSourceMapRange(declaration, spec.fn.node));
      map.set(spec.fn.anchor, list);
    };
    for (const [spec, twin] of this.twins) {
      if (twin && !this.failureOf(spec)) place(spec, twin);
    }
    for (const spec of taggedSpecs) {
      const failure = this.failureOf(spec);
      if (failure) place(spec, this.stub(spec, failure));
    }
    const failureOf = (spec: Spec) => this.failureOf(spec);
    return rewriteFile(this.core, plans, { after, before }, this.imports, (plan, call) =>
      rewriteCallSite(this.core, plan, call, this.imports, failureOf));
  }

  /** A tagged function whose twin failed still exports `f_jvp`, which throws the diagnostic. */
  private stub(spec: Spec, failure: ts.Diagnostic): ts.FunctionDeclaration {
    const { f, ts } = this.core;
    const rest = f.createParameterDeclaration(undefined, f.createToken(ts.SyntaxKind.DotDotDotToken), "_args", undefined,
      f.createArrayTypeNode(f.createKeywordTypeNode(ts.SyntaxKind.UnknownKeyword)));
    const error = f.createNewExpression(f.createIdentifier("Error"), undefined, [f.createStringLiteral(this.core.diags.describe(failure))]);
    const modifiers = spec.fn.exported ? [f.createModifier(ts.SyntaxKind.ExportKeyword)] : undefined;
    return f.createFunctionDeclaration(modifiers, undefined, spec.name, undefined, [rest], f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword),
      f.createBlock([f.createThrowStatement(error)], true));
  }
}

interface Placement {
  readonly after: Map<ts.Node, ts.Statement[]>;
  readonly before: Map<ts.Node, ts.Statement[]>;
}

/** Inserts twins around their anchors, rewrites jvp calls, and adds the imports twins need. */
function rewriteFile(
  core: Core,
  plans: Map<ts.CallExpression, CallPlan>,
  placement: Placement,
  imports: ModuleImports,
  rewriteCall: (plan: CallPlan, visited: ts.CallExpression) => ts.Expression,
): ts.SourceFile {
  const { ts, f, context } = core;
  const list = (statements: ts.NodeArray<ts.Statement>): ts.Statement[] =>
    statements.flatMap((s) => [
      ...(placement.before.get(s) ?? []),
      ts.visitNode(s, visit) as ts.Statement,
      ...(placement.after.get(s) ?? []),
    ]);
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isCallExpression(node) && plans.has(node)) {
      return rewriteCall(plans.get(node)!, ts.visitEachChild(node, visit, context));
    }
    if (ts.isBlock(node)) return f.updateBlock(node, list(node.statements));
    if (ts.isModuleBlock(node)) return f.updateModuleBlock(node, list(node.statements));
    if (ts.isCaseClause(node)) return f.updateCaseClause(node, ts.visitNode(node.expression, visit) as ts.Expression, list(node.statements));
    if (ts.isDefaultClause(node)) return f.updateDefaultClause(node, list(node.statements));
    return ts.visitEachChild(node, visit, context);
  };
  const body = list(core.file.statements);
  const firstNonImport = body.findIndex((s) => !ts.isImportDeclaration(s) && !ts.isImportEqualsDeclaration(s));
  const at = firstNonImport < 0 ? body.length : firstNonImport;
  body.splice(at, 0, ...imports.declarations());
  return f.updateSourceFile(core.file, body);
}
