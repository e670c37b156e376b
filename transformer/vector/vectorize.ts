import type * as ts from "typescript";
import { Core } from "../core/context";
import { identifiersOf, Namer } from "../core/namer";
import type { Spec } from "../analysis/activity";
import type { PlacedTwin } from "../derive/differentiator";
import { opsParams } from "../model/builtins";

/** Directions per vector twin: eight lanes keep the unrolled tangent code small and fill a pass well. */
export const vectorLanes = 8;

/** The vector twins a module emits: of each function jacfwd differentiates, and of the twins they call. */
export interface ModuleVectors {
  /** Each placed after the scalar twin it comes from (same spec). */
  readonly twins: readonly PlacedTwin[];
  /** The vector twin's name for each root, to attach it to the function. */
  readonly registrations: ReadonlyMap<Spec, string>;
  /** Per root, which of its function's parameters it may write (jacfwd restores them between passes). */
  readonly writes: ReadonlyMap<Spec, readonly boolean[]>;
}

export function vectorTwins(core: Core, scalar: readonly PlacedTwin[], roots: readonly Spec[], opsNamespaces: ReadonlySet<string>): ModuleVectors {
  const empty: ModuleVectors = { twins: [], registrations: new Map(), writes: new Map() };
  if (roots.length === 0) return empty;
  const { namer, byName } = scalarTwinsOf(core, scalar);
  const vectorizer = new Vectorizer(core, namer, byName, vectorLanes, opsNamespaces);
  const registrations = new Map<Spec, string>();
  const writes = new Map<Spec, readonly boolean[]>();
  for (const root of roots) {
    const made = vectorizer.vectorOf(root.name);
    if (made) registrations.set(root, made.name);
    const scalarTwin = byName.get(root.name);
    if (scalarTwin) writes.set(root, writtenParameters(core, scalarTwin));
  }
  const specOf = new Map([...byName.values()].map((t) => [t.name, t.spec]));
  const twins = vectorizer.all().map((v) => ({ spec: specOf.get(v.of)!, declaration: v.declaration, tangentParams: [] }));
  return { twins, registrations, writes };
}

/** A module's scalar twins by name (what a twin's calls name), and a namer that knows them: for the stages that make twins of twins. */
export function scalarTwinsOf(core: Core, scalar: readonly PlacedTwin[]): { namer: Namer; byName: Map<string, ScalarTwin & { spec: Spec }> } {
  const namer = new Namer(identifiersOf(core.ts, core.file));
  const byName = new Map<string, ScalarTwin & { spec: Spec }>();
  for (const t of scalar) {
    namer.reserve(t.spec.name);
    if (core.ts.isFunctionDeclaration(t.declaration)) {
      byName.set(t.spec.name, { name: t.spec.name, declaration: t.declaration, tangentParams: t.tangentParams, namespaces: t.spec.fn.namespaces.map((n) => n.name.text), spec: t.spec });
    }
  }
  return { namer, byName };
}

/** The variable an access path starts from: `a` of `a`, `a.b[i]`, `(a as T)!`. */
function accessRoot(tsi: typeof ts, e: ts.Expression): string | undefined {
  if (tsi.isIdentifier(e)) return e.text;
  if (tsi.isPropertyAccessExpression(e) || tsi.isElementAccessExpression(e) || tsi.isParenthesizedExpression(e) || tsi.isNonNullExpression(e) || tsi.isAsExpression(e)) {
    return accessRoot(tsi, e.expression);
  }
  return undefined;
}

/**
 * The storage an argument passes to a callee (which may write it): its root, or for a pytree built
 * at the call (`{ s: a[0], v: out }`, `[u, w]`) the roots of its fields (found by the fuzzer: eight
 * directions shared one `out_dot` passed inside a literal).
 */
function storageRoots(tsi: typeof ts, e: ts.Expression): string[] {
  const inner = tsi.isParenthesizedExpression(e) || tsi.isAsExpression(e) ? e.expression : e;
  if (inner !== e) return storageRoots(tsi, inner);
  if (tsi.isObjectLiteralExpression(e)) {
    return e.properties.flatMap((p) => (tsi.isPropertyAssignment(p) ? storageRoots(tsi, p.initializer) : tsi.isShorthandPropertyAssignment(p) ? [p.name.text] : []));
  }
  if (tsi.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => storageRoots(tsi, el));
  const root = accessRoot(tsi, e);
  return root ? [root] : [];
}

/**
 * Which of the function's parameters its twin may write: assigned through, written by a method,
 * or passed to any call but Math's (a callee may write it). jacfwd restores those between passes,
 * so that every column is taken at the arguments it was given.
 */
function writtenParameters(core: Core, twin: ScalarTwin): boolean[] {
  const { ts } = core;
  const params = twin.declaration.parameters.filter((_, i) => !twin.tangentParams[i]).map((p) => (ts.isIdentifier(p.name) ? p.name.text : undefined));
  const written = new Set<string>();
  // Aliases of a parameter (`const w = out`, `const t = { v: out }`) write it too: followed to it.
  const aliasOf = new Map<string, string[]>();
  const write = (name: string, seen = new Set<string>()): void => {
    if (seen.has(name)) return;
    seen.add(name);
    written.add(name);
    for (const r of aliasOf.get(name) ?? []) write(r, seen);
  };
  const writeAll = (e: ts.Expression) => storageRoots(ts, e).forEach((r) => write(r));
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) aliasOf.set(n.name.text, storageRoots(ts, n.initializer));
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && !ts.isIdentifier(n.left)) writeAll(n.left);
    const increments = (k: ts.SyntaxKind) => k === ts.SyntaxKind.PlusPlusToken || k === ts.SyntaxKind.MinusMinusToken;
    // (`-x[i]` reads x; `x[i]++` writes it.)
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && increments(n.operator) && !ts.isIdentifier(n.operand)) writeAll(n.operand);
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const isMath = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Math";
      if (ts.isPropertyAccessExpression(callee) && !isMath) writeAll(callee.expression);
      // (Storage inside a pytree built at the call too: found by the fuzzer, a pass wrote `out`
      // through `{ v: out }` and the next column started from its writes.)
      if (!isMath) n.arguments.forEach(writeAll);
    }
    ts.forEachChild(n, visit);
  };
  visit(twin.declaration.body!);
  return params.map((p) => p !== undefined && written.has(p));
}

/**
 * Vector mode: from a tidied twin `f_jvp(x, x_dot, …): [y, y_dot]`, the twin that carries `lanes`
 * tangent directions through one evaluation of f, `f_jvp_v8(x, x_dot0, …, x_dot7, …): [y,
 * y_dot0, …, y_dot7]`. The derivative knowledge stays in derive: this pass only sorts the twin's
 * statements into primal ones (kept once) and tangent ones (written once per lane, with every
 * tangent variable renamed for the lane), after hoisting the primal factors a tangent step reads
 * (`Math.cos(x)` in `y_dot = Math.cos(x) * x_dot`) so that each is computed once. Calls of other
 * twins call their vector twins; a primitive of tsjvp/ops (pure: it writes only its `out`, never
 * an input) is called once per direction. A twin with anything else (a rule, a twin of another
 * module, run-time dispatch) gets no vector twin: jacfwd then takes one pass per column, which is
 * slower and as exact.
 */

/** A scalar twin as vectorize reads it. */
export interface ScalarTwin {
  readonly name: string;
  readonly declaration: ts.FunctionDeclaration;
  /** Per parameter of the declaration: is it a tangent? */
  readonly tangentParams: readonly boolean[];
  /** The namespaces around it (`A.B.g_jvp`: ["A", "B"]). */
  readonly namespaces: readonly string[];
}

/**
 * The module's twin a call names, `g_jvp(…)` or, for a twin inside namespaces, `A.B.g_jvp(…)`
 * (the qualifier must be its namespaces), and how to call another twin beside it (`A.B.g_jvp_v8`).
 */
export function calledTwin(core: Core, call: ts.CallExpression, twins: ReadonlyMap<string, ScalarTwin>): { twin: ScalarTwin; callee(name: string): ts.Expression } | undefined {
  const { ts, f } = core;
  const e = call.expression;
  if (ts.isIdentifier(e)) {
    const twin = twins.get(e.text);
    return twin && { twin, callee: (name) => f.createIdentifier(name) };
  }
  if (!ts.isPropertyAccessExpression(e) || !ts.isIdentifier(e.name)) return undefined;
  const qualifier: string[] = [];
  for (let q: ts.Expression = e.expression; ; q = q.expression) {
    if (ts.isIdentifier(q)) {
      qualifier.unshift(q.text);
      break;
    }
    if (!ts.isPropertyAccessExpression(q) || !ts.isIdentifier(q.name)) return undefined;
    qualifier.unshift(q.name.text);
  }
  const twin = twins.get(e.name.text);
  if (!twin || twin.namespaces.join(".") !== qualifier.join(".")) return undefined;
  return { twin, callee: (name) => f.updatePropertyAccessExpression(e, e.expression, f.createIdentifier(name)) };
}

/** A twin made beside `scalar` is exported as it is when both are inside a namespace (code outside reaches it qualified). */
export function exportedBeside(core: Core, scalar: ScalarTwin): ts.ModifierLike[] | undefined {
  const exported = scalar.namespaces.length > 0 && scalar.declaration.modifiers?.some((m) => m.kind === core.ts.SyntaxKind.ExportKeyword);
  return exported ? [core.f.createModifier(core.ts.SyntaxKind.ExportKeyword)] : undefined;
}

export interface VectorTwin {
  readonly name: string;
  /** The scalar twin it comes from. */
  readonly of: string;
  readonly declaration: ts.FunctionDeclaration;
}

/** Vector twins of one module, made on demand (a twin's callees first). */
export class Vectorizer {
  private readonly made = new Map<string, VectorTwin | undefined>();
  private readonly order: VectorTwin[] = [];

  constructor(
    private readonly core: Core,
    private readonly namer: Namer,
    /** The module's scalar twins by name (`g_jvp` called inside a twin → its ScalarTwin). */
    private readonly twins: ReadonlyMap<string, ScalarTwin>,
    readonly lanes: number,
    /** Namespaces of tsjvp/ops twins (`ops_twins.dot_jvp`): pure, so vector mode calls them once per direction. */
    readonly opsNamespaces: ReadonlySet<string>,
  ) {}

  /** The vector twin of `name` and of every twin it calls, or undefined when one cannot have one. */
  vectorOf(name: string): VectorTwin | undefined {
    if (this.made.has(name)) return this.made.get(name);
    this.made.set(name, undefined); // recursion: a twin calling itself is not vectorised
    const scalar = this.twins.get(name);
    const made = scalar ? new TwinVectorizer(this.core, this, scalar, this.namer).run() : undefined;
    this.made.set(name, made);
    if (made) this.order.push(made);
    return made;
  }

  /** Every vector twin made, callees before callers. */
  all(): readonly VectorTwin[] {
    return this.order;
  }

  /** The module's twin a call names (see calledTwin). */
  called(call: ts.CallExpression): ReturnType<typeof calledTwin> {
    return calledTwin(this.core, call, this.twins);
  }

  /** The names that hold tangents in the twin `name` (what the index-set stage rewrites), undefined when they cannot be sorted out. */
  tangentNames(name: string): ReadonlySet<string> | undefined {
    const scalar = this.twins.get(name);
    return scalar ? new TwinVectorizer(this.core, this, scalar, this.namer).tangentNames() : undefined;
  }
}

class Unsupported extends Error {}

class TwinVectorizer {
  private readonly ts: typeof ts;
  private readonly f: ts.NodeFactory;
  /** Names holding tangents (parameters, results of twin calls, what is written from them). */
  private readonly tangents = new Set<string>();
  private readonly local: Namer;
  private readonly laneNames = new Map<string, string[]>();
  private readonly module: Namer;

  constructor(private readonly core: Core, private readonly owner: Vectorizer, private readonly scalar: ScalarTwin, namer: Namer) {
    this.ts = core.ts;
    this.f = core.f;
    this.local = namer.fork();
    this.module = namer;
    this.visitAll(scalar.declaration, (n) => this.ts.isIdentifier(n) && this.local.reserve(n.text));
  }

  run(): VectorTwin | undefined {
    const { f, ts } = this;
    const d = this.scalar.declaration;
    if (!d.body || !d.type) return undefined;
    try {
      this.classify(d);
      const params: ts.ParameterDeclaration[] = [];
      d.parameters.forEach((p, i) => {
        if (!this.scalar.tangentParams[i]) return void params.push(p);
        if (!ts.isIdentifier(p.name)) throw new Unsupported();
        for (let k = 0; k < this.owner.lanes; k++) {
          params.push(f.createParameterDeclaration(undefined, undefined, this.laneName(p.name.text, k), p.questionToken, p.type, p.initializer && (this.lane(p.initializer, k) as ts.Expression)));
        }
      });
      const body = f.createBlock(this.statements(d.body.statements), true);
      const name = this.module.unique(`${this.scalar.name}_v${this.owner.lanes}`);
      return { name, of: this.scalar.name, declaration: f.createFunctionDeclaration(exportedBeside(this.core, this.scalar), undefined, name, d.typeParameters, params, this.returnType(d.type), body) };
    } catch (error) {
      if (error instanceof Unsupported) return undefined;
      throw error;
    }
  }

  // ---- which names hold tangents ------------------------------------------------------------

  tangentNames(): ReadonlySet<string> | undefined {
    try {
      this.classify(this.scalar.declaration);
      return this.tangents;
    } catch (error) {
      if (error instanceof Unsupported) return undefined;
      throw error;
    }
  }

  /** Tangent parameters, twin-call results and tangent arguments, then whatever is written from a tangent, to a fixpoint. */
  private classify(d: ts.FunctionDeclaration): void {
    const { ts } = this;
    d.parameters.forEach((p, i) => {
      if (this.scalar.tangentParams[i] && ts.isIdentifier(p.name)) this.tangents.add(p.name.text);
    });
    this.visitAll(d.body!, (n) => {
      const call = ts.isCallExpression(n) ? this.twinCall(n) : undefined;
      call?.args.forEach((a, i) => {
        if (call.callee.tangentParams[i]) for (const root of storageRoots(ts, a)) this.tangents.add(root);
      });
      const op = ts.isCallExpression(n) ? this.opCall(n) : undefined;
      if (op) (n as ts.CallExpression).arguments.forEach((a, i) => {
        if (op.tangentArgs[i]) for (const root of storageRoots(ts, a)) this.tangents.add(root);
      });
      // What a twin call returns second is a tangent: `const [y, y_dot] = g_jvp(…)`.
      const result = ts.isVariableDeclaration(n) && n.initializer ? [n.name, n.initializer] as const : undefined;
      if (!result) return;
      const value = this.unwrap(result[1]);
      if (!ts.isCallExpression(value) || (!this.twinCall(value) && !this.opCall(value))) return;
      const target = result[0];
      const second = ts.isArrayBindingPattern(target) ? target.elements[1] : undefined;
      if (second && ts.isBindingElement(second) && ts.isIdentifier(second.name)) this.tangents.add(second.name.text);
    });
    // What is written from a tangent holds one; and what a tangent is read out of (`r_dot = m_dot[1]`)
    // holds its storage: a container of zeros that is written only through an alias is a tangent too.
    const add = (name: string) => {
      if (this.tangents.has(name)) return false;
      this.tangents.add(name);
      return true;
    };
    for (let changed = true; changed;) {
      changed = false;
      this.visitAll(d.body!, (n) => {
        for (const [target, value] of this.writes(n)) {
          if (!this.tangents.has(target) && this.mentionsTangent(value)) changed = add(target) || changed;
          if (this.tangents.has(target) && this.isPlainWrite(n)) for (const root of this.aliasRoots(value)) changed = add(root) || changed;
        }
      });
    }
    // Every tangent is a tangent parameter or a variable of the twin: a primal parameter or a name
    // from outside found holding one would have no lanes (the sorting went wrong: stay scalar).
    const declared = new Set<string>();
    d.parameters.forEach((p, i) => this.scalar.tangentParams[i] && ts.isIdentifier(p.name) && declared.add(p.name.text));
    this.visitAll(d.body!, (n) => {
      if ((ts.isVariableDeclaration(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name)) declared.add(n.name.text);
    });
    for (const name of this.tangents) if (!declared.has(name)) throw new Unsupported();
  }

  /** A declaration or a plain `=` (what it writes may then be the value's storage), not `+=` and the like. */
  private isPlainWrite(n: ts.Node): boolean {
    const { ts } = this;
    if (ts.isVariableDeclaration(n)) return true;
    return ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken;
  }

  /** The variables whose storage a value may be (`m_dot` of `m_dot[1]`, `c ? a_dot : b_dot`, `a_dot.subarray(1)`). */
  private aliasRoots(e: ts.Node): string[] {
    const { ts } = this;
    // (NaN: the tangent of Math.max at a NaN argument, a number and no storage.)
    if (ts.isIdentifier(e)) return e.text === "NaN" || e.text === "undefined" ? [] : [e.text];
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) {
      return this.aliasRoots(e.expression);
    }
    if (ts.isConditionalExpression(e)) return [...this.aliasRoots(e.whenTrue), ...this.aliasRoots(e.whenFalse)];
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(e.operatorToken.kind)) {
      return [...this.aliasRoots(e.left), ...this.aliasRoots(e.right)];
    }
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "subarray") return this.aliasRoots(e.expression.expression);
    // A pytree literal holds its fields' storage (`_t0_dot = { s: a_dot[0], v: out_dot }`).
    if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) return storageRoots(ts, e);
    return [];
  }

  /** (root name written, value written) pairs of a node: declarations, assignments, push/fill/set on a name. */
  private writes(n: ts.Node): [string, ts.Node][] {
    const { ts } = this;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) return [[n.name.text, n.initializer]];
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const root = this.root(n.left);
      return root ? [[root, n.right]] : [];
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ["push", "fill", "set", "unshift"].includes(n.expression.name.text)) {
      const root = this.root(n.expression.expression);
      return root ? n.arguments.map((a) => [root, a] as [string, ts.Node]) : [];
    }
    return [];
  }

  private root(e: ts.Expression): string | undefined {
    return accessRoot(this.ts, e);
  }

  private mentionsTangent(n: ts.Node): boolean {
    let found = false;
    this.visitAll(n, (c) => {
      if (this.ts.isIdentifier(c) && this.isName(c) && this.tangents.has(c.text)) found = true;
    });
    return found;
  }

  /** An identifier that names a variable (not a property name after a dot or before a colon). */
  private isName(id: ts.Identifier): boolean {
    const { ts } = this;
    const p = id.parent;
    if (!p) return true;
    if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
    if (ts.isBindingElement(p) && p.propertyName === id) return false;
    if (ts.isPropertyAssignment(p) && p.name === id) return false;
    return true;
  }

  /** A call of one of this module's twins: the callee, its arguments, and how to call its vector twin. */
  private twinCall(call: ts.CallExpression): { callee: ScalarTwin; args: readonly ts.Expression[]; beside(name: string): ts.Expression } | undefined {
    const called = this.owner.called(call);
    return called ? { callee: called.twin, args: call.arguments, beside: called.callee } : undefined;
  }

  /** A call of a primitive's twin (`ops_twins.matvec_jvp(A, null, m, n, x, x_dot)`): which arguments are tangents. */
  private opCall(call: ts.CallExpression): { tangentArgs: readonly boolean[] } | undefined {
    const { ts } = this;
    const e = call.expression;
    if (!ts.isPropertyAccessExpression(e) || !ts.isIdentifier(e.expression) || !this.owner.opsNamespaces.has(e.expression.text)) return undefined;
    const roles = opsParams[e.name.text.replace(/_jvp$/, "")];
    if (!roles) return undefined;
    // Each data and out parameter is followed by its tangent; a size has none.
    const positions = roles.flatMap((role) => (role === "size" ? [role] : [role, "tangent"] as const));
    // A primitive writing an `out` may write one of its inputs (element-wise ones work in place):
    // a second direction would then read the first one's result. Only a call without one is repeated.
    const out = positions.indexOf("out");
    const given = out >= 0 ? call.arguments[out] : undefined;
    if (given && !(ts.isIdentifier(given) && given.text === "undefined")) throw new Unsupported();
    return { tangentArgs: positions.map((p) => p === "tangent") };
  }

  // ---- the vector twin's statements ----------------------------------------------------------

  private statements(list: readonly ts.Statement[]): ts.Statement[] {
    return list.flatMap((s) => this.statement(s));
  }

  private statement(s: ts.Statement): ts.Statement[] {
    const { ts, f } = this;
    // A call of the module's twin: its vector twin, once. A primitive's twin: once per lane, the
    // primal kept from the first (it is the same each time).
    const taking = this.callStatement(s);
    const lanes = Array.from({ length: this.owner.lanes }, (_, k) => k);
    if (taking && this.twinCall(taking.call)) return [taking.rebuild(this.vectorCall(taking.call), true, lanes)];
    if (taking && this.opCall(taking.call)) return lanes.map((k) => taking.rebuild(this.lane(taking.call, k) as ts.CallExpression, k === 0, [k]));
    if (ts.isReturnStatement(s)) return this.returnStatement(s);
    if (ts.isBlock(s)) return [f.updateBlock(s, this.statements(s.statements))];
    if (ts.isIfStatement(s)) {
      this.primalOnly(s.expression);
      return [f.updateIfStatement(s, s.expression, this.asBlock(s.thenStatement), s.elseStatement && this.asBlock(s.elseStatement))];
    }
    if (ts.isForStatement(s)) {
      for (const part of [s.initializer, s.condition, s.incrementor]) if (part) this.primalOnly(part);
      return [f.updateForStatement(s, s.initializer, s.condition, s.incrementor, this.asBlock(s.statement))];
    }
    if (ts.isWhileStatement(s)) {
      this.primalOnly(s.expression);
      return [f.updateWhileStatement(s, s.expression, this.asBlock(s.statement))];
    }
    if (ts.isDoStatement(s)) {
      this.primalOnly(s.expression);
      return [f.updateDoStatement(s, this.asBlock(s.statement), s.expression)];
    }
    if (ts.isForOfStatement(s) || ts.isForInStatement(s)) {
      this.primalOnly(s.initializer);
      this.primalOnly(s.expression);
      const body = this.asBlock(s.statement);
      return [ts.isForOfStatement(s) ? f.updateForOfStatement(s, s.awaitModifier, s.initializer, s.expression, body) : f.updateForInStatement(s, s.initializer, s.expression, body)];
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s) || ts.isEmptyStatement(s)) return [s];
    if (ts.isThrowStatement(s)) return this.primalOnly(s.expression), [s];
    if (ts.isLabeledStatement(s)) {
      const inner = this.statement(s.statement);
      if (inner.length !== 1) throw new Unsupported();
      return [f.updateLabeledStatement(s, s.label, inner[0])];
    }
    if (ts.isVariableStatement(s) || ts.isExpressionStatement(s)) {
      if (!this.mentionsTangent(s) && !this.writesTangent(s)) return [s];
      return this.perLane(s);
    }
    throw new Unsupported();
  }

  private asBlock(s: ts.Statement): ts.Statement {
    const out = this.statement(s);
    return out.length === 1 ? out[0] : this.f.createBlock(out, true);
  }

  private primalOnly(n: ts.Node | undefined): void {
    if (n && this.mentionsTangent(n)) throw new Unsupported();
  }

  private writesTangent(s: ts.Statement): boolean {
    let found = false;
    this.visitAll(s, (n) => {
      for (const [target] of this.writes(n)) if (this.tangents.has(target)) found = true;
    });
    return found;
  }

  /**
   * A tangent step, once per lane: it may write tangents only, and may call nothing but Math and
   * the methods that write a tangent array. Its primal factors are hoisted and computed once.
   */
  private perLane(s: ts.Statement): ts.Statement[] {
    const { ts } = this;
    this.visitAll(s, (n) => {
      for (const [target] of this.writes(n)) if (!this.tangents.has(target)) throw new Unsupported();
      if (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isPostfixUnaryExpression(n)) throw new Unsupported();
      if (ts.isPrefixUnaryExpression(n) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) throw new Unsupported();
      if (ts.isCallExpression(n) && !this.isLaneSafeCall(n)) throw new Unsupported();
    });
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) if (!ts.isIdentifier(d.name) || !this.tangents.has(d.name.text)) throw new Unsupported();
    }
    const pooled = this.pooledArrays(s);
    if (pooled) return pooled;
    const hoisted: ts.Statement[] = [];
    const factored = this.hoistFactors(s, hoisted) as ts.Statement;
    const lanes = Array.from({ length: this.owner.lanes }, (_, k) => this.lane(factored, k) as ts.Statement);
    return [...hoisted, ...lanes];
  }

  /**
   * `const y_dot = new Float64Array(n)` for every lane: one array of 8·n and a view of it per lane
   * (`_l0.subarray(0, n)`, …), since allocating a typed array costs far more than a view of one.
   */
  private pooledArrays(s: ts.Statement): ts.Statement[] | undefined {
    const { ts, f } = this;
    if (!ts.isVariableStatement(s) || s.declarationList.declarations.length !== 1) return undefined;
    const d = s.declarationList.declarations[0];
    const init = d.initializer;
    if (!ts.isIdentifier(d.name) || !init || !ts.isNewExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== "Float64Array") return undefined;
    const size = init.arguments?.length === 1 ? init.arguments[0] : undefined;
    if (!size || this.mentionsTangent(size) || !this.isPure(size)) return undefined;
    const statements: ts.Statement[] = [];
    const n = ts.isIdentifier(size) ? size : this.constant(`_n${this.hoists++}`, size, statements);
    const pool = this.constant(`${d.name.text}s`, f.createNewExpression(f.createIdentifier("Float64Array"), undefined, [f.createBinaryExpression(f.createNumericLiteral(this.owner.lanes), ts.SyntaxKind.AsteriskToken, n)]), statements);
    const at = (k: number): ts.Expression => (k === 0 ? f.createNumericLiteral(0) : k === 1 ? n : f.createBinaryExpression(f.createNumericLiteral(k), ts.SyntaxKind.AsteriskToken, n));
    for (let k = 0; k < this.owner.lanes; k++) {
      const view = f.createCallExpression(f.createPropertyAccessExpression(pool, "subarray"), undefined, [at(k), at(k + 1)]);
      statements.push(f.createVariableStatement(s.modifiers, f.createVariableDeclarationList([f.createVariableDeclaration(this.laneName(d.name.text, k), undefined, d.type, view)], s.declarationList.flags)));
    }
    return statements;
  }

  /** Math functions, the runtime's scalar helpers, Float64Array construction, and writes of a tangent array. */
  private isLaneSafeCall(call: ts.CallExpression): boolean {
    const { ts } = this;
    const e = call.expression;
    if (!ts.isPropertyAccessExpression(e)) return false;
    const object = e.expression;
    if (ts.isIdentifier(object) && (object.text === "Math" || object.text === "Float64Array")) return true;
    if (ts.isIdentifier(object) && ["extremumDot", "zerosLike", "fillZeros"].includes(e.name.text) && !this.tangents.has(object.text)) return true;
    const root = this.root(object);
    return root !== undefined && this.tangents.has(root) && ["push", "fill", "set", "slice", "subarray"].includes(e.name.text);
  }

  /** `return [y, y_dot]` → `return [y, y_dot0, …]`; `return g_jvp(…)` → `return g_jvp_v8(…)`. */
  private returnStatement(s: ts.ReturnStatement): ts.Statement[] {
    const { ts, f } = this;
    const e = s.expression && this.unwrap(s.expression);
    if (!e) return [s];
    if (ts.isCallExpression(e) && this.twinCall(e)) return [f.updateReturnStatement(s, this.vectorCall(e))];
    if (!ts.isArrayLiteralExpression(e) || e.elements.length !== 2) throw new Unsupported();
    const [primal, tangent] = e.elements;
    this.primalOnly(primal);
    this.visitAll(tangent, (n) => {
      if (ts.isCallExpression(n) && !this.isLaneSafeCall(n)) throw new Unsupported();
    });
    const hoisted: ts.Statement[] = [];
    const factored = this.hoistFactors(tangent, hoisted) as ts.Expression;
    const lanes = Array.from({ length: this.owner.lanes }, (_, k) => this.lane(factored, k) as ts.Expression);
    return [...hoisted, f.updateReturnStatement(s, f.createArrayLiteralExpression([primal, ...lanes]))];
  }

  private unwrap(e: ts.Expression): ts.Expression {
    const { ts } = this;
    return ts.isParenthesizedExpression(e) || ts.isAsExpression(e) ? this.unwrap(e.expression) : e;
  }

  /**
   * A statement that calls a twin and keeps what it returns: `g_jvp(…);` or
   * `const [y, y_dot] = g_jvp(…)` (derive unpacks into a declaration, then assigns). `rebuild` writes it again around another call, keeping the
   * primal or not, with the tangent's names for the given lanes.
   */
  private callStatement(s: ts.Statement): { call: ts.CallExpression; rebuild(call: ts.CallExpression, primal: boolean, lanes: readonly number[]): ts.Statement } | undefined {
    const { ts, f } = this;
    const omitted = () => f.createOmittedExpression();
    if (ts.isExpressionStatement(s)) {
      const e = this.unwrap(s.expression);
      return ts.isCallExpression(e) ? { call: e, rebuild: (call) => f.createExpressionStatement(call) } : undefined;
    }
    if (!ts.isVariableStatement(s) || s.declarationList.declarations.length !== 1) return undefined;
    const d = s.declarationList.declarations[0];
    const call = d.initializer && this.unwrap(d.initializer);
    if (!call || !ts.isCallExpression(call)) return undefined;
    if (!ts.isArrayBindingPattern(d.name)) return undefined;
    const [first, tangent] = d.name.elements;
    const tangentName = tangent && ts.isBindingElement(tangent) && ts.isIdentifier(tangent.name) ? tangent.name.text : undefined;
    return {
      call,
      rebuild: (c, primal, lanes) => {
        const pattern = f.createArrayBindingPattern([
          primal && first ? first : omitted(),
          ...(tangentName ? lanes.map((k) => f.createBindingElement(undefined, undefined, this.laneName(tangentName, k))) : []),
        ]);
        return f.createVariableStatement(s.modifiers, f.createVariableDeclarationList([f.createVariableDeclaration(pattern, undefined, undefined, c)], s.declarationList.flags));
      },
    };
  }


  /** `g_jvp(a, a_dot, …)` → `g_jvp_v8(a, a_dot0, …, a_dot7, …)`. */
  private vectorCall(call: ts.CallExpression): ts.CallExpression {
    const { f } = this;
    const { callee, args, beside } = this.twinCall(call)!;
    const vector = this.owner.vectorOf(callee.name);
    if (!vector || args.length > callee.tangentParams.length) throw new Unsupported();
    const out: ts.Expression[] = [];
    args.forEach((a, i) => {
      if (!callee.tangentParams[i]) {
        this.primalOnly(a);
        return void out.push(a);
      }
      this.visitAll(a, (n) => {
        if (this.ts.isCallExpression(n) && !this.isLaneSafeCall(n)) throw new Unsupported();
      });
      for (let k = 0; k < this.owner.lanes; k++) out.push(this.lane(a, k) as ts.Expression);
    });
    return f.updateCallExpression(call, beside(vector.name), call.typeArguments, out);
  }

  /** `[R, T]` → `[R, T, …, T]`. */
  private returnType(type: ts.TypeNode): ts.TypeNode {
    const { ts, f } = this;
    if (type.kind === ts.SyntaxKind.VoidKeyword) return type;
    if (!ts.isTupleTypeNode(type) || type.elements.length !== 2) throw new Unsupported();
    const [primal, tangent] = type.elements;
    const tuple = f.createTupleTypeNode([primal, ...Array.from({ length: this.owner.lanes }, () => tangent)]);
    ts.setEmitFlags(tuple, ts.EmitFlags.SingleLine);
    return tuple;
  }

  // ---- lanes and hoisting ---------------------------------------------------------------------

  private laneName(name: string, k: number): string {
    let names = this.laneNames.get(name);
    if (!names) {
      names = Array.from({ length: this.owner.lanes }, (_, i) => {
        // (`v_dot_2` of a twin of a twin: `v_dot_2_0`, not `v_dot_20`.)
        const wanted = /\d$/.test(name) ? `${name}_${i}` : `${name}${i}`;
        const chosen = this.local.unique(wanted);
        if (chosen !== wanted) throw new Unsupported(); // a lane name taken: leave this twin scalar
        return chosen;
      });
      this.laneNames.set(name, names);
    }
    return names[k];
  }

  /** A copy of `node` for lane k: every tangent name renamed. */
  private lane(node: ts.Node, k: number): ts.Node {
    const { ts, f } = this;
    const visit = (n: ts.Node): ts.Node => {
      if (ts.isIdentifier(n) && this.isName(n) && this.tangents.has(n.text)) return f.createIdentifier(this.laneName(n.text, k));
      if (ts.isPropertyAccessExpression(n)) return f.updatePropertyAccessExpression(n, visit(n.expression) as ts.Expression, n.name);
      return ts.visitEachChild(n, visit, this.core.context);
    };
    return visit(node);
  }

  /**
   * Replaces each primal factor of a tangent step that costs something (a Math call, arithmetic)
   * and is always evaluated by a `const _p0 = …` before the lanes. Allocations are never hoisted:
   * each lane needs its own array.
   */
  private hoistFactors(node: ts.Node, hoisted: ts.Statement[]): ts.Node {
    const { ts, f } = this;
    const visit = (n: ts.Node): ts.Node => {
      if (ts.isExpression(n) && !this.mentionsTangent(n) && this.isCostlyPure(n) && !this.isAssignmentTarget(n)) {
        let value: ts.Expression = n;
        while (ts.isParenthesizedExpression(value)) value = value.expression;
        return this.constant(`_p${this.hoists++}`, value, hoisted);
      }
      // A product's primal factors before its first tangent factor (`2 * a * x_dot`) run as one
      // product first (the printed code multiplies left to right): hoisted whole.
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
        const factors = this.factors(n);
        const prefix = factors.findIndex((x) => this.mentionsTangent(x));
        if (prefix >= 2 && factors.slice(0, prefix).every((x) => this.isPure(x))) {
          const product = factors.slice(0, prefix).reduce((a, b) => f.createBinaryExpression(a, ts.SyntaxKind.AsteriskToken, b));
          const name = this.constant(`_p${this.hoists++}`, product, hoisted);
          return factors.slice(prefix).map((x) => visit(x) as ts.Expression).reduce((a: ts.Expression, b) => f.createBinaryExpression(a, ts.SyntaxKind.AsteriskToken, b), name);
        }
      }
      // Branches of a conditional and right operands of && || ?? may not run: nothing is hoisted from them.
      if (ts.isConditionalExpression(n)) return f.updateConditionalExpression(n, visit(n.condition) as ts.Expression, n.questionToken, n.whenTrue, n.colonToken, n.whenFalse);
      if (ts.isBinaryExpression(n) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(n.operatorToken.kind)) {
        return f.updateBinaryExpression(n, visit(n.left) as ts.Expression, n.operatorToken, n.right);
      }
      if (ts.isPropertyAccessExpression(n)) return f.updatePropertyAccessExpression(n, visit(n.expression) as ts.Expression, n.name);
      return ts.visitEachChild(n, visit, this.core.context);
    };
    return visit(node);
  }

  private hoists = 0;

  /** `const <name> = value;` appended to `into`; the name, made unique. */
  private constant(base: string, value: ts.Expression, into: ts.Statement[]): ts.Identifier {
    const { ts, f } = this;
    const id = f.createIdentifier(this.local.unique(base));
    into.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(id, undefined, undefined, value)], ts.NodeFlags.Const)));
    return id;
  }

  /** The factors of a product in evaluation order, through nested products without parentheses (`a * (b * c)` prints as `a * b * c`). */
  private factors(e: ts.Expression): ts.Expression[] {
    const { ts } = this;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AsteriskToken) return [...this.factors(e.left), ...this.factors(e.right)];
    return [e];
  }

  private isAssignmentTarget(n: ts.Node): boolean {
    const { ts } = this;
    const p = n.parent;
    return !!p && ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
  }

  /** Arithmetic and Math calls over reads: no allocation, no call with effects. */
  private isPure(e: ts.Node): boolean {
    const { ts } = this;
    if (ts.isIdentifier(e) || ts.isNumericLiteral(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return true;
    if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isPropertyAccessExpression(e)) return this.isPure(e.expression);
    if (ts.isElementAccessExpression(e)) return this.isPure(e.expression) && this.isPure(e.argumentExpression);
    if (ts.isPrefixUnaryExpression(e)) return e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken && this.isPure(e.operand);
    if (ts.isBinaryExpression(e)) return !(e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment) && this.isPure(e.left) && this.isPure(e.right);
    if (ts.isConditionalExpression(e)) return this.isPure(e.condition) && this.isPure(e.whenTrue) && this.isPure(e.whenFalse);
    if (ts.isCallExpression(e)) {
      const c = e.expression;
      return ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === "Math" && e.arguments.every((a) => this.isPure(a));
    }
    return false;
  }

  /** Pure and worth computing once: not a plain read (`x`, `-2`, `p.w`, `a[i]`). */
  private isCostlyPure(e: ts.Node): boolean {
    const { ts } = this;
    const plainRead = (n: ts.Node): boolean =>
      ts.isIdentifier(n) || ts.isNumericLiteral(n) || (ts.isPropertyAccessExpression(n) && plainRead(n.expression)) ||
      (ts.isPrefixUnaryExpression(n) && ts.isNumericLiteral(n.operand)) || (ts.isParenthesizedExpression(n) && plainRead(n.expression)) ||
      (ts.isElementAccessExpression(n) && plainRead(n.expression) && (ts.isIdentifier(n.argumentExpression) || ts.isNumericLiteral(n.argumentExpression)));
    return this.isPure(e) && !plainRead(e);
  }

  private visitAll(node: ts.Node, fn: (n: ts.Node) => void): void {
    const walk = (n: ts.Node): void => {
      fn(n);
      this.ts.forEachChild(n, walk);
    };
    walk(node);
  }
}
