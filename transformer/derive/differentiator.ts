import type * as ts from "typescript";
import { Core } from "../core/context";
import { identifiersOf, Namer } from "../core/namer";
import { Callee, FnInfo, hasTag, resolveCallee, secondOrderTag, sparsityTag } from "../model/functions";
import { JvpCall, SecondOrderCall, SparseCall } from "../marks/marks";
import { Spec } from "../analysis/activity";
import { fullMask, SpecRegistry } from "../analysis/specs";
import { planCallSite, planJacobianSite, CallPlan } from "../analysis/call-plans";
import { ModuleImports, runtimeSpecifierOf } from "./imports";
import { buildTwin, TwinControl } from "./twin";
import { FileFence } from "../fence/file-fence";
import { fenceNesting } from "../fence/fence";

/** A generated twin (or the throwing stub of a tagged function that failed) and its function. */
export interface PlacedTwin {
  readonly spec: Spec;
  readonly declaration: ts.Statement;
  /** Per parameter of the declaration: is it a tangent? */
  readonly tangentParams: readonly boolean[];
}

/** What asks for an index-set twin: a sparsity or jacfwdSparse call, or a `@jvp sparsity` tag (where a failure is reported). */
export interface SparseRequest {
  readonly node: ts.Node;
  readonly api: string;
}

/** A twin asked for by mask rather than by a jacfwd call: the second-order stage's vector twins of `f_jvp` for hessian and hvp. */
export interface VectorRoot {
  readonly fn: FnInfo;
  /** Which parameters take tangents. */
  readonly mask: readonly boolean[];
}

/** What differentiating one file produced. */
export interface FileTwins {
  readonly twins: readonly PlacedTwin[];
  /** Full twins attached to their primal functions for run-time dispatch. */
  readonly registered: readonly Spec[];
  /** Full twins `jacfwd` differentiates in this module: they get a vector twin too, when one can be made. */
  readonly jacobianRoots: readonly Spec[];
  /** The vector twin attached to each of those that has one (filled in by the vector stage). */
  readonly vectorRegistrations?: ReadonlyMap<Spec, string>;
  /** The vector twins are the second-order stage's, for hessian and hvp: attached as such (registerHessianTwin), without their one-lane twins. */
  readonly hessianTwins?: boolean;
  /** Which parameters each of those twins may write (filled in by the vector stage). */
  readonly jacobianWrites?: ReadonlyMap<Spec, readonly boolean[]>;
  /** The index-set twin attached to each sparse root that has one (filled in by the sparsity stage). */
  readonly sparsityRegistrations?: ReadonlyMap<Spec, string>;
  /**
   * Full twins the second-order stage differentiates once more: of functions `hessian` or `hvp`
   * differentiates in this module, and of those tagged `@jvp hessian`; with where to report a
   * failure (those calls, or the tagged function).
   */
  readonly secondOrderRoots: ReadonlyMap<Spec, readonly ts.Node[]>;
  /** Twins sparsity and jacfwdSparse differentiate in this module (with their calls): they get an index-set twin too, when one can be made. */
  readonly sparseRoots: ReadonlyMap<Spec, readonly SparseRequest[]>;
  /** Per twin: what the index-set stage needs to know of derive's work. */
  readonly controls: ReadonlyMap<Spec, TwinControl>;
  /** Outer calls of nested jvps (forward over forward), left for the second pass. */
  readonly deferred: readonly ts.CallExpression[];
  readonly plans: ReadonlyMap<ts.CallExpression, CallPlan>;
  readonly imports: ModuleImports;
  readonly failureOf: (spec: Spec) => ts.Diagnostic | undefined;
}

/**
 * Generates every twin one file needs: plans the jvp calls, converges the activity of every
 * requested specialisation, then builds twins (and the throwing stubs of tagged functions that failed).
 */
export class FileDifferentiator {
  private readonly namer: Namer;
  private readonly registry: SpecRegistry;
  private readonly fence: FileFence;
  private readonly imports: ModuleImports;
  private readonly twins = new Map<Spec, ts.FunctionDeclaration | undefined>();
  private readonly tangentParams = new Map<Spec, readonly boolean[]>();
  /** The first diagnostic each failed function produced: the run-time message of its call sites. */
  private readonly failures = new Map<Spec, ts.Diagnostic>();
  /** The twins each generated twin calls. */
  private readonly callees = new Map<Spec, readonly Spec[]>();
  private readonly sparseRoots = new Map<Spec, SparseRequest[]>();
  private readonly controls = new Map<Spec, TwinControl>();

  constructor(private readonly core: Core, private readonly calls: JvpCall[], private readonly tagged: FnInfo[], private readonly jacobians: readonly ts.CallExpression[],
    private readonly secondOrders: readonly SecondOrderCall[] = [], private readonly sparse: readonly SparseCall[] = [], private readonly vectorRoots: readonly VectorRoot[] = []) {
    this.namer = new Namer(identifiersOf(core.ts, core.file));
    this.fence = new FileFence(core, (spec, from) => this.registry.reference(spec, from));
    this.registry = new SpecRegistry(core, this.namer, (fn) => this.fence.gate(fn));
    const first = calls[0]?.call ?? jacobians[0] ?? secondOrders[0]?.call;
    const jvpDecl = first ? core.checker.getResolvedSignature(first)?.declaration : undefined;
    this.imports = new ModuleImports(core, this.namer, runtimeSpecifierOf(core, jvpDecl), this.registry);
  }

  run(): FileTwins {
    const taggedSpecs = this.tagged.map((fn) => this.registry.get(fn, fullMask(fn)));
    const plans = new Map<ts.CallExpression, CallPlan>();
    // The outer call of a nested jvp waits for the second pass (the inner calls are planned here).
    const { deferred, tooDeep } = fenceNesting(this.core, this.calls.filter((c) => c.nested).map((c) => c.call));
    for (const [call, diagnostic] of tooDeep) plans.set(call, { type: "failed", diagnostic });
    for (const c of this.calls) if (!c.nested) plans.set(c.call, planCallSite(this.core, c, this.registry, (e) => this.callee(e)));
    // jacfwd(f, { argnums: k }): the twin with a tangent for parameter k alone (no work for the others).
    const sparseByCall = new Map(this.sparse.map((c) => [c.call, c] as const));
    const jacobianRoots = [...new Set(this.jacobians.flatMap((call) => {
      const sparse = sparseByCall.get(call);
      const plan = planJacobianSite(this.core, call, (e) => this.callee(e), sparse?.api, sparse?.needsPattern ? "sparsity" : undefined);
      if (!plan) return [];
      const full = fullMask(plan.fn);
      const only = full.map((m, i) => m && i === plan.argnum);
      const spec = this.registry.get(plan.fn, only.some(Boolean) ? only : full);
      // sparsity(f) and jacfwdSparse(f) without a pattern: the index-set twin of that same twin.
      if (sparse?.needsPattern) this.sparseRoots.set(spec, [...(this.sparseRoots.get(spec) ?? []), { node: call, api: sparse.api }]);
      return [spec];
    }))];
    for (const { fn, mask } of this.vectorRoots) {
      const spec = this.registry.get(fn, mask);
      if (!jacobianRoots.includes(spec)) jacobianRoots.push(spec);
    }
    // /** @jvp sparsity */: the full twin's index-set and vector twins, for other modules and function values.
    for (const fn of this.tagged.filter((f) => hasTag(this.core, f.anchor, sparsityTag))) {
      const spec = this.registry.get(fn, fullMask(fn));
      if (!jacobianRoots.includes(spec)) jacobianRoots.push(spec);
      this.sparseRoots.set(spec, [...(this.sparseRoots.get(spec) ?? []), { node: fn.anchor, api: "sparsity" }]);
    }
    // hessian(f) and hvp(f, …): f's full twin, which the second-order stage differentiates again.
    const secondOrderRoots = new Map<Spec, ts.Node[]>();
    for (const fn of this.tagged) if (hasTag(this.core, fn.anchor, secondOrderTag)) secondOrderRoots.set(this.registry.get(fn, fullMask(fn)), [fn.anchor]);
    for (const { call, api } of this.secondOrders) {
      const plan = planJacobianSite(this.core, call, (e) => this.callee(e), api, "hessian");
      if (!plan) continue;
      const spec = this.registry.get(plan.fn, fullMask(plan.fn));
      secondOrderRoots.set(spec, [...(secondOrderRoots.get(spec) ?? []), call]);
    }
    const roots = [...taggedSpecs, ...jacobianRoots, ...secondOrderRoots.keys(), ...[...plans.values()].flatMap((p) => (p.type === "twin" ? [p.spec] : []))];
    // Every marked function also carries its full twin, for run-time dispatch (jvp(f) with f a value).
    const marked = [...new Map(roots.map((s) => [s.fn.node, s.fn] as const)).values()].filter((fn) => !fn.inline);
    const dispatch = marked.map((fn) => this.registry.get(fn, fullMask(fn)));
    if (!this.guard(roots, () => this.registry.converge())) return this.result(plans, taggedSpecs, [], [], new Map(), deferred);
    for (const spec of roots) this.generate(spec);
    const working = new Map([...secondOrderRoots].filter(([spec]) => !this.failureOf(spec)));
    return this.result(plans, taggedSpecs, dispatch.filter((spec) => this.generateOptional(spec)), jacobianRoots.filter((spec) => !this.failureOf(spec)), working, deferred);
  }

  /**
   * A full twin nobody asked for statically (only for run-time dispatch): if it cannot be
   * generated, it is left out silently, with whatever it alone produced; the build does not fail.
   */
  private generateOptional(spec: Spec): boolean {
    if (this.twins.has(spec)) return !this.failureOf(spec);
    const diagnostics = this.core.diags.items.length;
    const known = new Set(this.twins.keys());
    this.generate(spec);
    if (!this.failureOf(spec)) return true;
    this.core.diags.items.length = diagnostics;
    for (const s of [...this.twins.keys()]) if (!known.has(s)) this.twins.delete(s);
    return false;
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
    // The fence decides; derive builds only what it admitted.
    const verdict = this.fence.check(spec);
    if (verdict.diagnostic) {
      this.failures.set(spec, verdict.diagnostic);
      for (const callee of verdict.callees) this.generate(callee);
      return;
    }
    let calls: readonly Spec[] = [];
    this.guard([spec], () => {
      const result = buildTwin(this.core, spec, this.namer.fork(), this.imports);
      this.twins.set(spec, result.declaration);
      this.tangentParams.set(spec, result.tangentParams);
      this.controls.set(spec, result.control);
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

  private result(plans: Map<ts.CallExpression, CallPlan>, taggedSpecs: Spec[], registered: Spec[], jacobianRoots: Spec[],
    secondOrderRoots: ReadonlyMap<Spec, readonly ts.Node[]>, deferred: readonly ts.CallExpression[]): FileTwins {
    const twins: PlacedTwin[] = [];
    for (const [spec, twin] of this.twins) {
      if (twin && !this.failureOf(spec)) twins.push({ spec, declaration: this.core.ts.setSourceMapRange(twin, spec.fn.node), tangentParams: this.tangentParams.get(spec)! });
    }
    for (const spec of taggedSpecs) {
      const failure = this.failureOf(spec);
      if (failure) twins.push({ spec, declaration: this.stub(spec, failure), tangentParams: [] });
    }
    const sparseRoots = new Map([...this.sparseRoots].filter(([spec]) => !this.failureOf(spec)));
    return { twins, registered, jacobianRoots, secondOrderRoots, sparseRoots, controls: this.controls, deferred, plans, imports: this.imports, failureOf: (spec) => this.failureOf(spec) };
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

