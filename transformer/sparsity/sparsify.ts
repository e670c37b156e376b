import type * as ts from "typescript";
import { Core } from "../core/context";
import type { Spec } from "../analysis/activity";
import type { PlacedTwin, SparseRequest } from "../derive/differentiator";
import type { TwinControl } from "../derive/twin";
import { calledTwin, exportedBeside, ScalarTwin, scalarTwinsOf, Vectorizer } from "../vector/vectorize";
import { tidyTwin } from "../tidy/tidy";
import { opsParams } from "../model/builtins";

/** The index-set twins a module emits: of each function sparsity or jacfwdSparse differentiates, and of the twins they call. */
export interface ModuleSparsity {
  readonly twins: readonly PlacedTwin[];
  /** The index-set twin's name for each root, to attach it to the function. */
  readonly registrations: ReadonlyMap<Spec, string>;
}

/**
 * Index-set twins: from a tidied twin `f_jvp_wrt_x(x, x_dot, …)`, `f_jvp_wrt_x_sp` with the same
 * signature, in which every tangent holds the id of a set of input indices (the runtime's table;
 * 0 is the empty set) and every tangent step `y_dot = c * a_dot + b_dot` becomes the union of the
 * sets it reads, `y_dot = unionSets(a_dot, b_dot)`. Arrays of tangents stay Float64Arrays (of ids),
 * so allocation, views, `fill`, `set` and aliasing work as they do for numbers. The primal runs as
 * it does: it decides loops and indices. Where a condition reads a differentiated value (by data
 * dependence from the variables derive gave a tangent), both branches run, each tangent write keeping what was there
 * (`t = unionSets(t, …)`): the pattern then holds for every value. What cannot be followed that way
 * is reported at the call (TS97030): a loop or switch decided by differentiated values (its trip
 * count depends on the point), a branch decided by them that writes a value without tangent,
 * returns, breaks or throws, and calls the stage cannot see into (another module's twins, custom
 * rules, run-time dispatch). A primitive of tsjvp/ops has its index-set version; a twin inside a
 * namespace gets its index-set twin there.
 */
export function sparsityTwins(core: Core, scalar: readonly PlacedTwin[], roots: ReadonlyMap<Spec, readonly SparseRequest[]>,
  controls: ReadonlyMap<Spec, TwinControl>, opsNamespaces: ReadonlySet<string>, runtimeRef: (name: string) => ts.Expression): ModuleSparsity {
  const empty: ModuleSparsity = { twins: [], registrations: new Map() };
  if (roots.size === 0) return empty;
  const { namer, byName } = scalarTwinsOf(core, scalar);
  const vectorizer = new Vectorizer(core, namer, byName, 1, opsNamespaces);
  const made = new Map<string, string | Failure>();
  const twins: PlacedTwin[] = [];
  const make = (name: string): string => {
    const known = made.get(name);
    if (typeof known === "string") return known;
    if (known) throw known;
    const twin = byName.get(name)!;
    const spName = namer.unique(`${name}_sp`);
    // Recursion reaches the name being made: calls to it are calls to the twin being written.
    made.set(name, spName);
    try {
      const tangents = vectorizer.tangentNames(name);
      if (!tangents) throw new Failure("its tangents could not be told from its values");
      const control = controls.get(twin.spec) ?? { activeNames: new Set<string>() };
      // The primal temporaries only tangent steps read go with them (tidy's dead-code step).
      const declaration = tidyTwin(core, new TwinSparsifier(core, twin, tangents, control, spName, byName, make, runtimeRef, opsNamespaces).run());
      twins.push({ spec: twin.spec, declaration, tangentParams: twin.tangentParams });
      return spName;
    } catch (error) {
      if (error instanceof Failure) made.set(name, error);
      throw error;
    }
  };
  const registrations = new Map<Spec, string>();
  for (const [root, calls] of roots) {
    try {
      registrations.set(root, make(root.name));
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      for (const c of calls) core.diags.report(c.node, "sparsityFailed", c.api, root.fn.name, error.message);
    }
  }
  return { twins: reachable(core, twins, registrations), registrations };
}

/** The index-set twins a registered one calls (a callee made for a root that failed later is left out). */
function reachable(core: Core, twins: readonly PlacedTwin[], registrations: ReadonlyMap<Spec, string>): PlacedTwin[] {
  const { ts } = core;
  const byName = new Map(twins.map((t) => [(t.declaration as ts.FunctionDeclaration).name!.text, t] as const));
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && byName.has(n.text) && !used.has(n.text)) {
      used.add(n.text);
      visit(byName.get(n.text)!.declaration);
    }
    ts.forEachChild(n, visit);
  };
  for (const name of registrations.values()) visit(core.f.createIdentifier(name));
  return twins.filter((t) => used.has((t.declaration as ts.FunctionDeclaration).name!.text));
}

/** Why an index-set twin cannot be made (reported at the calls that need it). */
class Failure extends Error {}

class TwinSparsifier {
  private readonly ts: typeof ts;
  private readonly f: ts.NodeFactory;
  /** The unionSets calls this twin wrote (a union of unions is flattened). */
  private readonly unions = new WeakSet<ts.Node>();

  constructor(
    private readonly core: Core,
    private readonly scalar: ScalarTwin,
    private readonly tangents: ReadonlySet<string>,
    private readonly control: TwinControl,
    private readonly name: string,
    private readonly twins: ReadonlyMap<string, ScalarTwin>,
    private readonly make: (name: string) => string,
    private readonly runtimeRef: (name: string) => ts.Expression,
    /** Namespaces of tsjvp/ops twins (`ops_twins.dot_jvp`): each primitive has its index-set version (`dot_sp`). */
    private readonly opsNamespaces: ReadonlySet<string>,
  ) {
    this.ts = core.ts;
    this.f = core.f;
    this.printer = core.ts.createPrinter({ removeComments: true });
  }

  /**
   * Primal names whose value may depend on differentiated values: those that carry a tangent,
   * and the temporaries computed from them (`const _t0 = x[0] > 0`), to a fixpoint.
   */
  private readonly differentiated = new Set<string>();

  private readsDifferentiated(e: ts.Node): boolean {
    const { ts } = this;
    if (ts.isIdentifier(e)) return this.differentiated.has(e.text);
    // A length is a shape, not a value.
    if (ts.isPropertyAccessExpression(e)) return e.name.text !== "length" && this.readsDifferentiated(e.expression);
    return ts.forEachChild(e, (c) => (this.readsDifferentiated(c) ? true : undefined)) ?? false;
  }

  private findDifferentiated(body: ts.Block): void {
    const { ts } = this;
    for (const name of this.control.activeNames) this.differentiated.add(name);
    for (let changed = true; changed;) {
      changed = false;
      const mark = (name: string | undefined, value: ts.Node) => {
        if (name === undefined || this.tangents.has(name) || this.differentiated.has(name) || !this.readsDifferentiated(value)) return;
        this.differentiated.add(name);
        changed = true;
      };
      const visit = (n: ts.Node): void => {
        if (ts.isVariableDeclaration(n) && n.initializer) {
          // `const [_t0, _t0_dot] = g_jvp(…)`, `const { w, b } = p`: every name bound from the value.
          for (const name of boundNames(ts, n.name)) mark(name, n.initializer);
        }
        if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) mark(this.root(n.left), n.right);
        ts.forEachChild(n, visit);
      };
      visit(body);
    }
  }

  run(): ts.FunctionDeclaration {
    const d = this.scalar.declaration;
    this.findDifferentiated(d.body!);
    const body = this.f.createBlock(this.statements(d.body!.statements, false), true);
    return this.f.createFunctionDeclaration(exportedBeside(this.core, this.scalar), undefined, this.name, d.typeParameters, d.parameters, d.type, body);
  }

  private statements(list: readonly ts.Statement[], both: boolean): ts.Statement[] {
    return list.flatMap((s) => this.statement(s, both));
  }

  private block(s: ts.Statement, both: boolean): ts.Statement {
    const out = this.statements(this.ts.isBlock(s) ? s.statements : [s], both);
    return out.length === 1 && !this.ts.isBlock(s) ? out[0] : this.f.createBlock(out, true);
  }

  /** A branch as a block of its own (its declarations stay its own). */
  private asBlock(s: ts.Statement, both: boolean): ts.Block {
    return this.f.createBlock(this.statements(this.ts.isBlock(s) ? s.statements : [s], both), true);
  }

  /**
   * Is a statement's control decided by differentiated values? Its conditions read them, by data
   * dependence from the variables that carry a tangent (which also sees values activity counts as
   * constants: an index `Math.floor(x[0])`, a count computed from data).
   */
  private isActiveControl(...conditions: (ts.Node | undefined)[]): boolean {
    return conditions.some((c) => c !== undefined && this.readsDifferentiated(c));
  }

  /** `both`: inside a branch taken or not depending on differentiated values (both run; writes keep what was there). */
  private statement(s: ts.Statement, both: boolean): ts.Statement[] {
    const { ts, f } = this;
    if (ts.isVariableStatement(s)) return [this.variables(s)];
    if (ts.isExpressionStatement(s)) return [this.expressionStatement(s, both)];
    if (ts.isReturnStatement(s)) {
      if (both) throw new Failure("a return under a condition on differentiated values (set a result variable instead)");
      return [this.returnStatement(s)];
    }
    if (ts.isBlock(s)) return [f.updateBlock(s, this.statements(s.statements, both))];
    if (ts.isIfStatement(s)) {
      if (!this.isActiveControl(s.expression)) return [f.updateIfStatement(s, s.expression, this.block(s.thenStatement, both), s.elseStatement && this.block(s.elseStatement, both))];
      // Either branch may run, depending on the point: both contribute.
      return [this.asBlock(s.thenStatement, true), ...(s.elseStatement ? [this.asBlock(s.elseStatement, true)] : [])];
    }
    if (ts.isForStatement(s) || ts.isWhileStatement(s) || ts.isDoStatement(s)) {
      const condition = ts.isForStatement(s) ? s.condition : s.expression;
      if (this.isActiveControl(condition)) throw new Failure("a loop whose condition reads differentiated values (its number of passes depends on the point)");
      const body = this.block(s.statement, both);
      if (ts.isForStatement(s)) return [f.updateForStatement(s, s.initializer, s.condition, s.incrementor, body)];
      return [ts.isWhileStatement(s) ? f.updateWhileStatement(s, s.expression, body) : f.updateDoStatement(s, body, s.expression)];
    }
    if (ts.isForOfStatement(s)) return [f.updateForOfStatement(s, s.awaitModifier, s.initializer, s.expression, this.block(s.statement, both))];
    if (ts.isSwitchStatement(s)) {
      if (this.isActiveControl(s.expression, ...s.caseBlock.clauses.map((c) => (ts.isCaseClause(c) ? c.expression : undefined)))) throw new Failure("a switch on differentiated values");
      const clauses = s.caseBlock.clauses.map((c) => (ts.isCaseClause(c) ? f.updateCaseClause(c, c.expression, this.statements(c.statements, both)) : f.updateDefaultClause(c, this.statements(c.statements, both))));
      return [f.updateSwitchStatement(s, s.expression, f.updateCaseBlock(s.caseBlock, clauses))];
    }
    if (ts.isLabeledStatement(s)) {
      const inner = this.statement(s.statement, both);
      if (inner.length !== 1) throw new Failure("a labelled statement");
      return [f.updateLabeledStatement(s, s.label, inner[0])];
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s) || ts.isThrowStatement(s)) {
      if (both) throw new Failure("a break, continue or throw under a condition on differentiated values");
      return [s];
    }
    if (ts.isEmptyStatement(s)) return [s];
    throw new Failure(`a ${ts.SyntaxKind[s.kind]} in the twin`);
  }

  private variables(s: ts.VariableStatement): ts.Statement {
    const { ts, f } = this;
    const declarations = s.declarationList.declarations.map((d) => {
      if (!d.initializer) return d;
      const call = this.unwrap(d.initializer);
      if (ts.isCallExpression(call) && (this.twinCall(call) || this.opRoles(call))) return f.updateVariableDeclaration(d, d.name, d.exclamationToken, d.type, this.sparseCall(call));
      if (ts.isIdentifier(d.name) && this.tangents.has(d.name.text)) return f.updateVariableDeclaration(d, d.name, d.exclamationToken, d.type, this.sets(d.initializer));
      if (!ts.isIdentifier(d.name) && this.mentionsTangent(d.initializer)) {
        // `const { w: w_dot } = p_dot`: a pattern over a tangent pytree reads its sets as they are.
        this.checkCalls(d.initializer);
        return d;
      }
      this.primal(d.initializer);
      return d;
    });
    return f.updateVariableStatement(s, s.modifiers, f.updateVariableDeclarationList(s.declarationList, declarations));
  }

  private expressionStatement(s: ts.ExpressionStatement, both: boolean): ts.Statement {
    const { ts, f } = this;
    const e = this.unwrap(s.expression);
    if (ts.isCallExpression(e) && (this.twinCall(e) || this.opRoles(e))) return f.updateExpressionStatement(s, this.sparseCall(e));
    if (ts.isBinaryExpression(e) && e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const root = this.root(e.left);
      if (root !== undefined && this.tangents.has(root)) {
        for (let target: ts.Expression = e.left; ts.isElementAccessExpression(target) || ts.isPropertyAccessExpression(target); target = target.expression) this.checkIndex(target);
        // t = e, t += e, t *= c: the sets e reads (with t's own for a compound update, or in both branches).
        const compound = e.operatorToken.kind !== ts.SyntaxKind.EqualsToken;
        const value = this.union([...(compound || both ? [e.left] : []), this.sets(e.right)]);
        return f.updateExpressionStatement(s, f.createAssignment(e.left, value));
      }
      if (both && (root === undefined || !this.carriesTangent(root))) {
        throw new Failure(`'${this.text(e.left)}', which holds no differentiated value, is written under a condition on differentiated values (the pattern would hold at this point only)`);
      }
      this.primal(e);
      return s;
    }
    if ((ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) && both) {
      const root = this.root(e.operand);
      if (root === undefined || !this.carriesTangent(root)) throw new Failure("a counter changed under a condition on differentiated values");
    }
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
      const root = this.root(e.expression.expression);
      if (root !== undefined && this.tangents.has(root)) {
        const method = e.expression.name.text;
        if (both && method !== "push") throw new Failure(`.${method}() on tangents under a condition on differentiated values`);
        // a_dot.fill(v_dot, …), a_dot.push(v_dot): the sets written; a_dot.set(b_dot, k) copies sets.
        if (method === "fill" || method === "push") {
          const args = e.arguments.map((a, i) => (i === 0 || method === "push" ? this.sets(a) : a));
          return f.updateExpressionStatement(s, f.updateCallExpression(e, e.expression, e.typeArguments, args));
        }
        if (method === "set") return s;
        throw new Failure(`.${method}() on tangents`);
      }
    }
    this.primal(e);
    return s;
  }

  private returnStatement(s: ts.ReturnStatement): ts.Statement {
    const { ts, f } = this;
    const e = s.expression && this.unwrap(s.expression);
    if (!e) return s;
    if (ts.isCallExpression(e) && (this.twinCall(e) || this.opRoles(e))) return f.updateReturnStatement(s, this.sparseCall(e));
    if (!ts.isArrayLiteralExpression(e) || e.elements.length !== 2) throw new Failure("a return the stage cannot read");
    this.primal(e.elements[0]);
    return f.updateReturnStatement(s, f.updateArrayLiteralExpression(e, [e.elements[0], this.sets(e.elements[1])]));
  }

  /** Primal code runs as it is; it must not pass tangents anywhere. */
  private primal(e: ts.Node): void {
    if (this.mentionsTangent(e)) throw new Failure(`'${this.text(e)}' mixes tangents into primal code`);
    this.checkCalls(e);
  }

  /** Calls the stage cannot see into: only this module's twins, Math and the runtime's helpers are followed. */
  private checkCalls(e: ts.Node): void {
    const { ts } = this;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && !this.twinCall(n)) {
        const callee = n.expression;
        const object = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression.text : undefined;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
        if (this.opRoles(n)) throw new Failure(`a call of ${this.text(callee)} inside an expression`);
        if (name !== undefined && /_jvp\b|_jvp_/.test(name)) throw new Failure(`a call of ${this.text(callee)} (a twin of another module)`);
        if (object !== undefined && ["applyTwin", "applyRule"].includes(name ?? "")) throw new Failure("run-time dispatch or a custom rule");
      }
      ts.forEachChild(n, visit);
    };
    visit(e);
  }

  /**
   * The sets a tangent expression depends on: a tangent read is its set; a literal or a primal
   * factor is the empty set; arithmetic, conditionals and Math calls are the union of their parts.
   * Values holding sets (a new tangent array, a view, a pytree of tangents) keep their shape.
   */
  private sets(e: ts.Expression): ts.Expression {
    const { ts, f } = this;
    const inner = this.unwrap(e);
    if (this.isTangentRead(inner)) return e;
    if (!this.mentionsTangent(inner)) {
      // A fresh tangent array or pytree of zeros holds empty sets; a number is the empty set.
      if (ts.isNewExpression(inner) || (ts.isCallExpression(inner) && /zerosLike|fillZeros/.test(this.text(inner.expression)))) return e;
      this.checkCalls(inner);
      return f.createNumericLiteral(0);
    }
    if (ts.isBinaryExpression(inner)) {
      const op = inner.operatorToken.kind;
      const K = ts.SyntaxKind;
      if ([K.PlusToken, K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken].includes(op)) return this.union([this.sets(inner.left), this.sets(inner.right)]);
      throw new Failure(`'${this.text(inner)}' in a tangent`);
    }
    if (ts.isPrefixUnaryExpression(inner)) return this.sets(inner.operand);
    if (ts.isConditionalExpression(inner)) {
      // A choice made by differentiated values: either side, so both; else the side taken.
      if (this.readsDifferentiated(inner.condition)) return this.union([this.sets(inner.whenTrue), this.sets(inner.whenFalse)]);
      return f.updateConditionalExpression(inner, inner.condition, inner.questionToken, this.sets(inner.whenTrue), inner.colonToken, this.sets(inner.whenFalse));
    }
    if (ts.isArrayLiteralExpression(inner)) return f.updateArrayLiteralExpression(inner, inner.elements.map((el) => this.sets(el)));
    if (ts.isObjectLiteralExpression(inner)) {
      return f.updateObjectLiteralExpression(inner, inner.properties.map((p) => {
        if (ts.isPropertyAssignment(p)) return f.updatePropertyAssignment(p, p.name, this.sets(p.initializer));
        if (ts.isShorthandPropertyAssignment(p) || ts.isSpreadAssignment(p)) return p;
        throw new Failure("an object literal the stage cannot read");
      }));
    }
    if (ts.isNewExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === "Float64Array") {
      const arg = inner.arguments?.[0] && this.unwrap(inner.arguments[0]);
      if (arg && ts.isArrayLiteralExpression(arg)) return f.updateNewExpression(inner, inner.expression, inner.typeArguments, [this.sets(arg)]);
      return e;
    }
    if (ts.isCallExpression(inner)) {
      const callee = inner.expression;
      if (ts.isPropertyAccessExpression(callee)) {
        const object = callee.expression;
        const name = callee.name.text;
        if (ts.isIdentifier(object) && object.text === "Math") return this.union(inner.arguments.map((a) => this.sets(a)));
        if (ts.isIdentifier(object) && object.text === "Float64Array" && name === "of") return f.updateCallExpression(inner, callee, inner.typeArguments, inner.arguments.map((a) => this.sets(a)));
        if (ts.isIdentifier(object) && object.text === "Float64Array" && name === "from") return f.updateCallExpression(inner, callee, inner.typeArguments, inner.arguments.map((a) => this.sets(a)));
        if (name === "extremumDot") return this.union(inner.arguments.map((a) => this.sets(a)));
        const root = this.root(object);
        if (root !== undefined && this.tangents.has(root) && ["slice", "subarray", "at"].includes(name)) return e;
      }
    }
    throw new Failure(`'${this.text(inner)}' in a tangent`);
  }

  /** `unionSets(a, b, …)`, flattened, without empty sets; `0` for none. */
  private union(parts: readonly ts.Expression[]): ts.Expression {
    const { ts, f } = this;
    const flat: ts.Expression[] = [];
    const seen = new Set<string>();
    const add = (p: ts.Expression) => {
      if (ts.isNumericLiteral(p) && p.text === "0") return;
      if (ts.isCallExpression(p) && this.unions.has(p)) return p.arguments.forEach(add);
      const key = this.text(p);
      if (!seen.has(key)) flat.push(p);
      seen.add(key);
    };
    parts.forEach(add);
    if (flat.length === 0) return f.createNumericLiteral(0);
    if (flat.length === 1) return flat[0];
    const call = f.createCallExpression(this.runtimeRef("unionSets"), undefined, flat);
    this.unions.add(call);
    return call;
  }

  /**
   * `g_jvp(a, a_dot, …)` → `g_jvp_sp(a, a_dot, …)`, and a primitive's `ops_twins.dot_jvp(x, x_dot, …)`
   * → `ops_twins.dot_sp(x, x_dot, …)`: the sets of each tangent argument (null stays null).
   */
  private sparseCall(call: ts.CallExpression): ts.CallExpression {
    const { ts, f } = this;
    const called = calledTwin(this.core, call, this.twins);
    const callee = called?.twin;
    const tangentAt = callee ? callee.tangentParams : this.opRoles(call)!;
    const args = call.arguments.map((a, i) => {
      if (tangentAt[i]) return a.kind === ts.SyntaxKind.NullKeyword ? a : this.sets(a);
      this.primal(a);
      return a;
    });
    const target = called ? called.callee(this.make(called.twin.name))
      : f.createPropertyAccessExpression((call.expression as ts.PropertyAccessExpression).expression, (call.expression as ts.PropertyAccessExpression).name.text.replace(/_jvp$/, "_sp"));
    return f.updateCallExpression(call, target, call.typeArguments, args);
  }

  /** A call of a primitive's twin: which of its arguments are tangents (each data and out argument is followed by one). */
  private opRoles(call: ts.CallExpression): readonly boolean[] | undefined {
    const { ts } = this;
    const e = call.expression;
    if (!ts.isPropertyAccessExpression(e) || !ts.isIdentifier(e.expression) || !this.opsNamespaces.has(e.expression.text)) return undefined;
    const roles = opsParams[e.name.text.replace(/_jvp$/, "")];
    return roles?.flatMap((role) => (role === "size" ? [false] : [false, true]));
  }

  private twinCall(call: ts.CallExpression): ScalarTwin | undefined {
    return calledTwin(this.core, call, this.twins)?.twin;
  }

  /**
   * Does the primal variable `name` hold data here (computed from differentiated values, or a
   * temporary `_t3` beside its `_t3_dot`)? Then a branch on differentiated values may write it:
   * whatever reads it is checked as reading differentiated values (a condition, an index).
   */
  private carriesTangent(name: string): boolean {
    return this.differentiated.has(name) || this.tangents.has(`${name}_dot`);
  }

  /** `a_dot`, `a_dot[i]`, `p_dot.w`, `m_dot[i][j]`: a read of a tangent's storage. */
  private isTangentRead(e: ts.Expression): boolean {
    const { ts } = this;
    if (ts.isIdentifier(e)) return this.tangents.has(e.text);
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) {
      if ((ts.isElementAccessExpression(e) && this.mentionsTangent(e.argumentExpression))) return false;
      if (!this.isTangentRead(e.expression)) return false;
      this.checkIndex(e);
      return true;
    }
    return false;
  }

  /** An element chosen by differentiated values (`x_dot[Math.floor(x[0])]`) is one element at this point only. */
  private checkIndex(e: ts.Expression): void {
    if (this.ts.isElementAccessExpression(e) && this.readsDifferentiated(e.argumentExpression)) {
      throw new Failure(`'${this.text(e)}': an element chosen by differentiated values (the pattern would hold at this point only)`);
    }
  }

  private root(e: ts.Expression): string | undefined {
    const { ts } = this;
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) return this.root(e.expression);
    return undefined;
  }

  private mentionsTangent(n: ts.Node): boolean {
    const { ts } = this;
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      // A property name after a dot or before a colon is not a read.
      if (p && ((ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n))) return false;
      return this.tangents.has(n.text);
    }
    if (ts.isPropertyAccessExpression(n)) return this.mentionsTangent(n.expression);
    if (ts.isPropertyAssignment(n)) return this.mentionsTangent(n.initializer);
    return ts.forEachChild(n, (c) => (this.mentionsTangent(c) ? true : undefined)) ?? false;
  }

  private readonly printer: ts.Printer;

  /** Text of a node, synthesized or not, for messages and to tell parts apart (the user's nodes print from the file). */
  private text(n: ts.Node): string {
    return this.printer.printNode(this.ts.EmitHint.Unspecified, n, this.core.file);
  }

  private unwrap(e: ts.Expression): ts.Expression {
    const { ts } = this;
    return ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) ? this.unwrap(e.expression) : e;
  }
}

/** The names a declaration binds: `x`, or each of `[a, b]`, `{ w, b: c }`. */
function boundNames(tsi: typeof ts, name: ts.BindingName): string[] {
  if (tsi.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (tsi.isBindingElement(e) ? boundNames(tsi, e.name) : []));
}
