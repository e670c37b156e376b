import type * as ts from "typescript";
import { Core, isGlobal, skipOuter, symbolOf } from "../core/context";
import { differentiable, isIndexedCollection, kindOf } from "../model/types";
import { isConstantHelper, libraryRole, methodRow } from "../model/builtins";
import { Callee, FnInfo, resolveCallee } from "../model/functions";
import { inactiveMath } from "../model/rules";
import { AccessPath, accessPath, overlaps } from "./paths";

/** A variable whose storage an expression may share: all of it, or a part (`m[0]`, `p.w`, an element). */
interface AliasSource {
  readonly symbol: ts.Symbol;
  readonly part: boolean;
}

/** One twin to generate: a function and which of its parameters get a tangent from the caller. */
export interface Spec {
  readonly fn: FnInfo;
  readonly mask: readonly boolean[];
  readonly name: string;
  readonly activity: Activity;
  /** False when the function's syntax failed the fence: no analysis, no twin. */
  readonly ok: boolean;
}

/** Where a call's specialisation comes from (analysis/specs.ts: the module's registry). */
export interface SpecSource {
  get(fn: FnInfo, mask: readonly boolean[]): Spec;
}

/**
 * Activity analysis of one specialisation (flow-insensitive, to a fixpoint): a value is active
 * when it may depend on an active input. Activity is tracked per access path (`s.mean`, `p.w`),
 * so a field computed only from constants stays inactive.
 *
 * The alias model: values held by reference (Float64Arrays, objects, arrays) that may share
 * storage form one class (union-find): writing a differentiated value into any of them makes the
 * whole class carry tangents, as the primal aliases. When one member is a *part* of another
 * (`const row = m[0]`, `const { pos } = p`, `{ p: inner }`, a view, a callback's element), field
 * suffixes no longer line up between members, so the class becomes coarse: any active part makes
 * every member active. Derive then binds each alias's tangent to the matching part of its
 * source's tangent (`row_dot = m_dot[0]`), so the tangents share exactly what the primals share.
 *
 * Text made from differentiated values (`String(x)`, `${x}`, `JSON.stringify(p)`) is tracked too:
 * it may reach a message, but a call that could turn it back into a number is reported.
 */
export class Activity {
  private readonly parent = new Map<ts.Symbol, ts.Symbol>();
  /** Roots of alias classes in which one member is part of another: activity ignores suffixes there. */
  private readonly coarse = new Set<ts.Symbol>();
  /** String (or untyped) variables holding text made from differentiated values. */
  private readonly text = new Set<ts.Symbol>();
  /**
   * Variables bound to a Float64Array or pytree that a library call returned (`map.get(k)`): it
   * may share storage tsjvp cannot see, so it must not take a tangent (the fence reports it).
   */
  readonly opaque = new Set<ts.Symbol>();
  /** Active paths, as (variable, suffix): suffix "" is the whole value, ".w" one field. */
  private readonly marks: AccessPath[] = [];
  private readonly callees = new Map<ts.Node, Callee>();
  returnsActive = false;
  /** Per parameter: active after analysis (a reference parameter may become active by being written). */
  paramActive: boolean[] = [];
  private ranOnce = false;

  constructor(private readonly core: Core, private readonly spec: Spec, private readonly registry: SpecSource) {}

  /** Runs the local fixpoint; true when the summary callers see has changed. */
  run(): boolean {
    const { fn, mask } = this.spec;
    if (!this.spec.ok) {
      const first = !this.ranOnce;
      this.ranOnce = true;
      return first;
    }
    const before = `${this.returnsActive}:${this.paramActive.join()}`;
    fn.params.forEach((p, i) => {
      if (mask[i]) for (const s of p.symbols) this.mark({ symbol: s, suffix: "" });
    });
    // Walks until a walk changes nothing any question of it was answered from: then the next
    // walk would ask the same questions, get the same answers and change nothing.
    for (let again = true; again; ) {
      this.probed = new Set();
      this.stale = false;
      this.readOwnResult = false;
      this.walkAnswers = new Map();
      this.walk(fn.node.body!);
      again = this.stale;
    }
    // The last walk's answers are the fixpoint's (none of them was invalidated): kept for settle.
    this.lastAnswers = this.walkAnswers;
    this.walkAnswers = undefined;
    this.probed = undefined;
    this.paramActive = fn.params.map((p) => p.symbols.some((s) => this.isActiveSymbol(s)));
    const changed = !this.ranOnce || before !== `${this.returnsActive}:${this.paramActive.join()}`;
    this.ranOnce = true;
    return changed;
  }

  /**
   * During a walk: the variables a question found inactive. Activity only grows, so an answer
   * that was yes stays yes; a walk must be repeated only when it marked one of these afterwards
   * (`stale`), or changed what cannot be told apart cheaply (aliases, text, its own result).
   */
  private probed: Set<ts.Symbol> | undefined;
  private stale = false;

  private find(s: ts.Symbol): ts.Symbol {
    let root = s;
    for (let p = this.parent.get(root); p; p = this.parent.get(root)) root = p;
    return root;
  }

  private union(a: ts.Symbol, source: AliasSource): void {
    const ra = this.find(a);
    const rb = this.find(source.symbol);
    if (ra !== rb) {
      this.parent.set(ra, rb);
      this.stale = true;
    }
    if ((source.part || this.coarse.has(ra)) && !this.coarse.has(rb)) {
      this.coarse.add(rb);
      this.stale = true;
    }
  }

  /** A class of aliases is one value: marks on any member apply to all. */
  private mark(path: AccessPath): void {
    if (this.isActivePath(path, true)) return;
    const root = this.find(path.symbol);
    this.marks.push(this.coarse.has(root) ? { symbol: path.symbol, suffix: "" } : path);
    if (!this.stale && this.probed) this.stale = [...this.probed].some((s) => this.find(s) === root);
  }

  /** Is any part of the value at `path` active? (`exact`: is all of it already marked?) */
  isActivePath(path: AccessPath, exact = false): boolean {
    const root = this.find(path.symbol);
    const active = this.coarse.has(root)
      ? this.marks.some((m) => this.find(m.symbol) === root && (!exact || m.suffix === ""))
      : this.marks.some((m) => this.find(m.symbol) === root && (exact ? path.suffix.startsWith(m.suffix) && (path.suffix === m.suffix || path.suffix[m.suffix.length] === ".") : overlaps(m.suffix, path.suffix)));
    if (!active && !exact) this.probed?.add(path.symbol);
    return active;
  }

  isActiveSymbol(s: ts.Symbol): boolean {
    if (!this.settledSymbols) return this.isActivePath({ symbol: s, suffix: "" });
    let active = this.settledSymbols.get(s);
    if (active === undefined) {
      active = this.isActivePath({ symbol: s, suffix: "" });
      this.settledSymbols.set(s, active);
    }
    return active;
  }

  callee(node: ts.Expression): Callee {
    let c = this.callees.get(node);
    if (!c) {
      c = resolveCallee(this.core, node);
      this.callees.set(node, c);
    }
    return c;
  }

  /** The specialisation a call to a function of this module uses, from its arguments' activity. */
  calleeSpec(call: ts.CallExpression): Spec | undefined {
    const callee = this.callee(call.expression);
    if (callee.type !== "local") return undefined;
    const mask = callee.fn.params.map((p, i) => differentiable(p.kind) && i < call.arguments.length && this.isActive(call.arguments[i]));
    if (!mask.some((m) => m)) return undefined;
    const spec = this.registry.get(callee.fn, mask);
    this.dependencies.add(spec);
    return spec;
  }

  /** The specialisations whose summaries this analysis read (it must run again when one changes). */
  readonly dependencies = new Set<Spec>();

  /** Does this expression's value depend on an active input? */
  isActive(expr: ts.Expression): boolean {
    const answers = this.settled ?? this.walkAnswers;
    if (!answers) return this.computeActive(expr);
    let active = answers.get(expr);
    if (active === undefined) {
      active = this.computeActive(expr);
      answers.set(expr, active);
    }
    return active;
  }

  /**
   * Answers remembered once the fixpoint has converged (the fence and derive ask about every
   * sub-expression), starting from the last walk's. During a walk its answers are remembered too:
   * a yes stays yes, and a walk whose no was invalidated (`stale`) is repeated with none of them.
   */
  private settled: Map<ts.Node, boolean> | undefined;
  private settledSymbols: Map<ts.Symbol, boolean> | undefined;
  private walkAnswers: Map<ts.Node, boolean> | undefined;
  private lastAnswers: Map<ts.Node, boolean> | undefined;

  /** The fixpoint has converged: activity no longer changes. */
  settle(): void {
    this.settled ??= this.lastAnswers ?? new Map();
    this.lastAnswers = undefined;
    this.settledSymbols ??= new Map();
  }

  private computeActive(expr: ts.Expression): boolean {
    const { ts } = this.core;
    const e = skipOuter(this.core, expr);
    // Cheap cases first: a variable is active only if marked (kinds `none` never are); literals never.
    if (ts.isIdentifier(e)) {
      const path = accessPath(this.core, e);
      return path !== undefined && this.isActivePath(path);
    }
    if (ts.isLiteralExpression(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return false;
    // Structure before types (a type is a costly question): operators and literals are active
    // when their parts are; only then does the kind say whether the result is a number.
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      const K = ts.SyntaxKind;
      // `a ?? b` is one of its operands (a number that may be missing, or its fallback).
      if (![K.PlusToken, K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken, K.QuestionQuestionToken].includes(op)) return false;
      if (!this.isActive(e.left) && !this.isActive(e.right)) return false;
      // - * / % ** of a differentiated number is a number (only `+` may make text, `??` anything).
      return (op !== K.PlusToken && op !== K.QuestionQuestionToken) || kindOf(this.core, e) === "num";
    }
    if (ts.isPrefixUnaryExpression(e)) {
      const op = e.operator;
      return (op === ts.SyntaxKind.MinusToken || op === ts.SyntaxKind.PlusToken) && this.isActive(e.operand);
    }
    if (ts.isConditionalExpression(e)) return this.isActive(e.whenTrue) || this.isActive(e.whenFalse);
    if (ts.isArrayLiteralExpression(e)) return e.elements.some((el) => this.isActive(ts.isSpreadElement(el) ? el.expression : el));
    if (ts.isObjectLiteralExpression(e)) return e.properties.some((p) => this.isActiveProperty(p));
    // Values of type `other` are followed like any other: what reaches one is reported by the fence.
    const kind = kindOf(this.core, e);
    if (kind === "none") return false;
    // Properties of arrays, tuples and typed arrays (.length) are sizes, not differentiable data;
    // fields of anything but a pytree are not tracked (class instances, library objects).
    if (ts.isPropertyAccessExpression(e) && (kindOf(this.core, e.expression) !== "tree" || this.isCollection(e.expression))) return false;
    const path = accessPath(this.core, e);
    if (path) return this.isActivePath(path);
    if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) return this.isActive(e.expression);
    if (ts.isCallExpression(e)) return this.isActiveCall(e);
    if (ts.isNewExpression(e)) {
      return isGlobal(this.core, e.expression, "Float64Array") && (e.arguments ?? []).some((a) => kindOf(this.core, a) !== "num" && this.isActive(a));
    }
    return false;
  }

  private isActiveProperty(p: ts.ObjectLiteralElementLike): boolean {
    const { ts } = this.core;
    if (ts.isPropertyAssignment(p)) return this.isActive(p.initializer);
    if (ts.isShorthandPropertyAssignment(p)) return this.isActive(p.name);
    if (ts.isSpreadAssignment(p)) return this.isActive(p.expression);
    return false;
  }

  private isActiveCall(call: ts.CallExpression): boolean {
    const { ts } = this.core;
    const callee = call.expression;
    const anyArg = () => call.arguments.some((a) => this.isActive(a));
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (isGlobal(this.core, callee.expression, "Math")) return !inactiveMath.has(name) && anyArg();
      if (isGlobal(this.core, callee.expression, "Float64Array")) return anyArg();
      const receiverKind = kindOf(this.core, callee.expression);
      if (receiverKind === "arr" || receiverKind === "tree") {
        const row = methodRow(receiverKind, name);
        if (row?.lowered) return this.isActiveCallback(call);
        if (row && row.result !== "data" && row.result !== "view") return false;
        // Any other method of differentiated data may carry it into its result: visit it (the
        // visitor differentiates it, or reports it), never drop it silently.
        return this.isActive(callee.expression) || anyArg();
      }
    }
    if (libraryRole(this.core, callee)) return false;
    const target = this.callee(callee);
    if (target.type === "local") {
      const spec = this.calleeSpec(call);
      // A recursive call reads this walk's own result: a change to it must be seen by another walk.
      if (spec?.activity === this) this.readOwnResult = true;
      return spec?.activity.returnsActive ?? false;
    }
    if (target.type === "imported" || target.type === "rule") return differentiable(target.returnKind as never) && anyArg();
    // No source: its result is differentiated data as far as we know (the fence reports the call).
    return kindOf(this.core, call) !== "none" && (anyArg() || (ts.isPropertyAccessExpression(callee) && this.isActive(callee.expression)));
  }

  private mentionsActiveOrText(n: ts.Node): boolean {
    if (this.core.ts.isIdentifier(n)) {
      const s = symbolOf(this.core, n);
      return s !== undefined && (this.text.has(s) || this.isActiveSymbol(s));
    }
    return this.core.ts.forEachChild(n, (c) => (this.mentionsActiveOrText(c) ? true : undefined)) ?? false;
  }

  /** A Float64Array or pytree returned by a call without source and without a row in the built-in table. */
  private isLibraryReference(value: ts.Expression): boolean {
    const { ts } = this.core;
    const e = skipOuter(this.core, value);
    if (!ts.isCallExpression(e)) return false;
    const callee = skipOuter(this.core, e.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      if (isGlobal(this.core, callee.expression, "Float64Array")) return false;
      if (methodRow(kindOf(this.core, callee.expression), callee.name.text)) return false;
    }
    // tsjvp's zerosLike makes fresh zeros (the second pass meets it in twins): storage of its own.
    if (isConstantHelper(this.core, callee)) return false;
    return this.callee(callee).type === "unknown";
  }

  private isCollection(e: ts.Expression): boolean {
    return isIndexedCollection(this.core, this.core.checker.getTypeAtLocation(e));
  }

  /**
   * Is `expr` text made from differentiated values: a string built from them (`"x=" + x`,
   * `${x}`, `String(x)`, `JSON.stringify(p)`), or a variable holding such text?
   */
  isDerivedText(expr: ts.Expression): boolean {
    const { ts } = this.core;
    const e = skipOuter(this.core, expr);
    // Cheap first: text made from differentiated values names an active variable or a text variable.
    if (ts.isFunctionLike(e) || !this.mentionsActiveOrText(e)) return false;
    // Numbers, Float64Arrays and pytrees are not text (their kind is known at less cost than the type).
    const kind = kindOf(this.core, e);
    if (kind === "num" || kind === "arr" || kind === "tree") return false;
    if (!isTextType(this.core, this.core.checker.getTypeAtLocation(e))) return false;
    if (ts.isIdentifier(e)) {
      const s = symbolOf(this.core, e);
      return s !== undefined && this.text.has(s);
    }
    const parts: ts.Expression[] = [];
    if (ts.isCallExpression(e)) {
      // x.toFixed(2), String(x): the receiver and the arguments are what the text is made of.
      const callee = skipOuter(this.core, e.expression);
      if (ts.isPropertyAccessExpression(callee)) parts.push(callee.expression);
      parts.push(...e.arguments);
    } else {
      ts.forEachChild(e, (c) => void (ts.isExpression(c) && parts.push(c)));
    }
    if (ts.isTemplateExpression(e)) for (const span of e.templateSpans) parts.push(span.expression);
    return parts.some((p) => (this.isActive(p) && kindOf(this.core, p) !== "none") || this.isDerivedText(p));
  }

  /** `xs.map(f)` / `xs.reduce(f, init)`: active when the callback's result is. */
  private isActiveCallback(call: ts.CallExpression): boolean {
    const { ts } = this.core;
    const fn = call.arguments[0];
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return false;
    return callbackResults(this.core, fn).some((r) => this.isActive(r));
  }

  /** Variables whose storage `expr` may share (for values held by reference), whole or in part. */
  private aliasSources(expr: ts.Expression, part = false): AliasSource[] {
    const { ts } = this.core;
    const e = skipOuter(this.core, expr);
    if (!isReference(this.core, e)) return []; // numbers are copied, not shared
    const path = accessPath(this.core, e);
    if (path) return [{ symbol: path.symbol, part: part || path.suffix !== "" }];
    if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) return this.aliasSources(e.expression, true);
    if (ts.isConditionalExpression(e)) return [...this.aliasSources(e.whenTrue, part), ...this.aliasSources(e.whenFalse, part)];
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => this.aliasSources(ts.isSpreadElement(el) ? el.expression : el, true));
    if (ts.isObjectLiteralExpression(e)) {
      return e.properties.flatMap((p) => ts.isPropertyAssignment(p) ? this.aliasSources(p.initializer, true)
        : ts.isShorthandPropertyAssignment(p) ? this.aliasSources(p.name, true) : ts.isSpreadAssignment(p) ? this.aliasSources(p.expression, true) : []);
    }
    if (ts.isNewExpression(e) && isGlobal(this.core, e.expression, "Float64Array") && e.arguments?.[0] && kindOf(this.core, e.arguments[0]) === "other") {
      // new Float64Array(buffer, …): a view of the buffer, like every other view of it.
      return this.aliasSources(e.arguments[0], true);
    }
    if (ts.isCallExpression(e)) return this.callAliasSources(e, part);
    return [];
  }

  private callAliasSources(call: ts.CallExpression, part: boolean): AliasSource[] {
    const { ts } = this.core;
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      const receiverKind = kindOf(this.core, callee.expression);
      const row = methodRow(receiverKind, callee.name.text);
      if (row?.result === "view") return this.aliasSources(callee.expression, true);
      const fn = call.arguments[0];
      if (row?.lowered && fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
        // map's result holds what the callback returns; reduce's is its last accumulator.
        const results = callbackResults(this.core, fn).flatMap((r) => this.aliasSources(r, callee.name.text === "map" || part));
        const acc = callee.name.text === "reduce" ? fn.parameters[0] : undefined;
        const accSymbol = acc && ts.isIdentifier(acc.name) ? symbolOf(this.core, acc.name) : undefined;
        return accSymbol ? [...results, { symbol: accSymbol, part }] : results;
      }
    }
    const target = this.callee(callee);
    // A custom rule returns what it computes (and the tangent to match): nothing is assumed shared.
    if (target.type === "rule") return [];
    // A primitive of tsjvp/ops returns its `out` (when given) or a new array.
    if (target.type === "imported" && target.op) return call.arguments.filter((_, i) => target.op![i] === "out").flatMap((a) => this.aliasSources(a, part));
    if (target.type === "local" || target.type === "imported") {
      // A function returning a reference may return (part of) one of its arguments.
      return call.arguments.filter((a) => isReference(this.core, a)).flatMap((a) => this.aliasSources(a, true));
    }
    return [];
  }

  /** `target = value`: aliasing for references, then activity (field by field for literals). */
  private assign(target: AccessPath, targetNode: ts.Node, value: ts.Expression): void {
    const { ts } = this.core;
    if (isReference(this.core, targetNode)) {
      for (const s of this.aliasSources(value)) this.union(target.symbol, target.suffix === "" ? s : { symbol: s.symbol, part: true });
      if (target.suffix === "" && this.isLibraryReference(value)) this.opaque.add(target.symbol);
    } else if (kindOf(this.core, targetNode) !== "num" && target.suffix === "" && this.isDerivedText(value) && !this.text.has(target.symbol)) {
      this.text.add(target.symbol);
      this.stale = true;
    }
    const v = skipOuter(this.core, value);
    if (ts.isObjectLiteralExpression(v) && v.properties.every((p) => ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) {
      for (const p of v.properties as ts.NodeArray<ts.PropertyAssignment | ts.ShorthandPropertyAssignment>) {
        const key = p.name.getText();
        const fieldValue = ts.isPropertyAssignment(p) ? p.initializer : p.name;
        if (this.isActive(fieldValue)) this.mark({ symbol: target.symbol, suffix: `${target.suffix}.${key}` });
      }
      return;
    }
    if (this.isActive(value)) this.mark(target);
  }

  private markValue(expr: ts.Expression): void {
    const path = accessPath(this.core, skipOuter(this.core, expr));
    if (path) this.mark(path);
    else for (const s of this.aliasSources(expr)) this.mark({ symbol: s.symbol, suffix: "" });
  }

  private walk(node: ts.Node): void {
    const { ts } = this.core;
    if (ts.isVariableDeclaration(node) && node.initializer) {
      this.declaration(node.name, node.initializer);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      this.assignment(node);
    } else if (ts.isCallExpression(node)) {
      this.callEffects(node);
    } else if (ts.isForOfStatement(node) && ts.isVariableDeclarationList(node.initializer)) {
      const d = node.initializer.declarations[0];
      if (d) this.element(d.name, node.expression);
    } else if (ts.isForOfStatement(node) && ts.isIdentifier(skipOuter(this.core, node.initializer as ts.Expression))) {
      this.element(skipOuter(this.core, node.initializer as ts.Expression) as ts.Identifier, node.expression);
    } else if (ts.isForOfStatement(node)) {
      // `for ([a, b] of pairs)`: each target takes part of an element (the fence reports the form).
      const visitTargets = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) this.element(n, node.expression);
        else ts.forEachChild(n, visitTargets);
      };
      visitTargets(node.initializer);
    } else if (ts.isReturnStatement(node) && node.expression && this.isActive(node.expression) && this.ownsReturn(node)) {
      this.activeResult();
    }
    if (ts.isArrowFunction(this.spec.fn.node) && node === this.spec.fn.node.body && !ts.isBlock(node)) {
      if (this.isActive(node as ts.Expression)) this.activeResult();
    }
    ts.forEachChild(node, (child) => this.walk(child));
  }

  private activeResult(): void {
    if (!this.returnsActive && this.readOwnResult) this.stale = true;
    this.returnsActive = true;
  }

  /** Set when a recursive call read `returnsActive` during a walk. */
  private readOwnResult = false;

  /** A return statement of the differentiated function itself (not of a map/reduce callback). */
  private ownsReturn(node: ts.Node): boolean {
    let p = node.parent;
    while (p && !this.core.ts.isFunctionLike(p)) p = p.parent;
    return p === this.spec.fn.node;
  }

  /** `const name = init`, with object and array destructuring. */
  private declaration(name: ts.BindingName, init: ts.Expression): void {
    const { ts } = this.core;
    if (ts.isIdentifier(name)) {
      const s = symbolOf(this.core, name);
      if (s) this.assign({ symbol: s, suffix: "" }, name, init);
      return;
    }
    const source = accessPath(this.core, skipOuter(this.core, init));
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el) || !ts.isIdentifier(el.name)) return;
      const key = ts.isObjectBindingPattern(name) ? (el.propertyName ?? el.name).getText() : String(i);
      const s = symbolOf(this.core, el.name);
      if (!s) return;
      const active = source ? this.isActivePath({ symbol: source.symbol, suffix: `${source.suffix}.${key}` }) : this.isActive(init);
      if (isReference(this.core, el.name)) for (const src of this.aliasSources(init)) this.union(s, { symbol: src.symbol, part: true });
      if (active) this.mark({ symbol: s, suffix: "" });
    });
  }

  /** A loop or callback variable bound to an element of `collection`. */
  private element(name: ts.BindingName, collection: ts.Expression): void {
    const { ts } = this.core;
    // `for (const [a, b] of pairs)`: every binding is an element's part (coarsely: active with it).
    const names = ts.isIdentifier(name) ? [name] : name.elements.flatMap((e) => (ts.isBindingElement(e) && ts.isIdentifier(e.name) ? [e.name] : []));
    for (const id of names) {
      const s = symbolOf(this.core, id);
      if (!s) continue;
      if (isReference(this.core, id)) for (const src of this.aliasSources(collection)) this.union(s, { symbol: src.symbol, part: true });
      if (this.isActive(collection)) this.mark({ symbol: s, suffix: "" });
    }
  }

  private assignment(node: ts.BinaryExpression): void {
    const left = skipOuter(this.core, node.left);
    const path = accessPath(this.core, left);
    if (path) return this.assign(path, left, node.right);
    if ((this.core.ts.isElementAccessExpression(left) || this.core.ts.isPropertyAccessExpression(left)) && this.isActive(node.right)) {
      this.markValue(left.expression);
    }
  }

  private callEffects(call: ts.CallExpression): void {
    const { ts } = this.core;
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      // Math's functions write nothing (asked first: resolving `Math.sin` is a costly question).
      if (isGlobal(this.core, callee.expression, "Math")) return;
      const receiverKind = kindOf(this.core, callee.expression);
      const name = callee.name.text;
      const row = methodRow(receiverKind, name);
      if (row?.lowered) return this.callbackEffects(call, callee.expression, name as "map" | "reduce");
      if (row?.writes) {
        // fill's value and set's source are their first argument; push writes all of them.
        const written = name === "push" ? call.arguments : call.arguments.slice(0, 1);
        if (written.some((a) => this.isActive(a))) this.markValue(callee.expression);
        if (name !== "fill") for (const a of written) if (isReference(this.core, a)) for (const src of this.aliasSources(a)) this.unionValue(callee.expression, src);
        return;
      }
      if (row) return;
    }
    const target = this.callee(callee);
    if (target.type === "local") {
      const spec = this.calleeSpec(call);
      spec?.activity.paramActive.forEach((isActive, i) => {
        if (isActive && i < call.arguments.length && isReference(this.core, call.arguments[i])) this.markValue(call.arguments[i]);
      });
    } else if (target.type === "imported" && call.arguments.some((a) => this.isActive(a))) {
      // A primitive of tsjvp/ops writes only its `out`; another module's twin may write into any
      // argument held by reference: assume it does.
      const written = target.op ? call.arguments.filter((_, i) => target.op![i] === "out") : call.arguments;
      for (const a of written) if (isReference(this.core, a)) this.markValue(a);
    }
  }

  /** `xs.push(row)`: the pushed value becomes part of the collection (a part alias). */
  private unionValue(collection: ts.Expression, source: AliasSource): void {
    for (const s of this.aliasSources(collection)) this.union(s.symbol, { symbol: source.symbol, part: true });
  }

  /**
   * Binds a callback's parameters: the element (and map's third, reduce's fourth parameter: the
   * collection itself), and for reduce the accumulator, which *is* its initial value at first
   * and each value the callback returns after.
   */
  private callbackEffects(call: ts.CallExpression, collection: ts.Expression, name: "map" | "reduce"): void {
    const { ts } = this.core;
    const fn = call.arguments[0];
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return;
    const [first, second, , fourth] = fn.parameters;
    const element = name === "map" ? first : second;
    if (element) this.element(element.name, collection);
    const whole = name === "map" ? fn.parameters[2] : fourth;
    if (whole && ts.isIdentifier(whole.name)) this.declaration(whole.name, collection);
    if (name === "reduce" && first && ts.isIdentifier(first.name)) {
      const acc = symbolOf(this.core, first.name);
      if (!acc) return;
      const init = call.arguments[1];
      if (init) this.assign({ symbol: acc, suffix: "" }, first.name, init);
      for (const r of callbackResults(this.core, fn)) this.assign({ symbol: acc, suffix: "" }, first.name, r);
    }
  }
}

/** Strings, and values whose type does not say (any, unknown: what JSON.parse returns). */
function isTextType(core: Core, type: ts.Type): boolean {
  const F = core.ts.TypeFlags;
  if (type.isUnion()) return type.types.some((t) => isTextType(core, t));
  return (type.flags & (F.StringLike | F.Any | F.Unknown)) !== 0;
}

/** Values held by reference: Float64Arrays and pytrees (objects, arrays, tuples). */
export function isReference(core: Core, node: ts.Node): boolean {
  const k = kindOf(core, node);
  return k === "arr" || k === "tree";
}

/** The values a callback returns: its expression body, or its return statements' values. */
export function callbackResults(core: Core, fn: ts.ArrowFunction | ts.FunctionExpression): ts.Expression[] {
  const { ts } = core;
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return out;
}


