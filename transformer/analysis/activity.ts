import type * as ts from "typescript";
import { Core, isGlobal, skipOuter, symbolOf } from "../core/context";
import { differentiable, kindOf } from "../model/types";
import { Callee, FnInfo, resolveCallee } from "../model/functions";
import { inactiveMath } from "../model/rules";
import { AccessPath, accessPath, overlaps } from "./paths";

/** Array methods whose (numeric) result is a position, not differentiable data. */
export const indexMethods = new Set(["indexOf", "lastIndexOf", "findIndex", "findLastIndex"]);

/** Float64Array methods that return the receiver or a view sharing its storage. */
const viewMethods = new Set(["subarray", "fill"]);

/** One twin to generate: a function and which of its parameters get a tangent from the caller. */
export interface Spec {
  readonly fn: FnInfo;
  readonly mask: readonly boolean[];
  readonly name: string;
  readonly activity: Activity;
  /** False when the function failed the fence: no analysis, no twin. */
  readonly ok: boolean;
}

/** Where a call's specialisation comes from (analysis/specs.ts: the module's registry). */
export interface SpecSource {
  get(fn: FnInfo, mask: readonly boolean[]): Spec;
}

/**
 * Activity analysis of one specialisation (flow-insensitive, to a fixpoint): a value is active
 * when it may depend on an active input. Activity is tracked per access path (`s.mean`, `p.w`),
 * so a field computed only from constants stays inactive. Values held by reference
 * (Float64Arrays, objects, arrays) that may share storage form one class (union-find): writing a
 * differentiated value into any of them makes the whole class carry tangents, as the primal aliases.
 */
export class Activity {
  private readonly parent = new Map<ts.Symbol, ts.Symbol>();
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
    for (let size = -1; size !== this.size(); ) {
      size = this.size();
      this.walk(fn.node.body!);
    }
    this.paramActive = fn.params.map((p) => p.symbols.some((s) => this.isActiveSymbol(s)));
    const changed = !this.ranOnce || before !== `${this.returnsActive}:${this.paramActive.join()}`;
    this.ranOnce = true;
    return changed;
  }

  private size(): number {
    return this.marks.length * 100003 + this.parent.size * 7 + (this.returnsActive ? 1 : 0);
  }

  private find(s: ts.Symbol): ts.Symbol {
    let root = s;
    for (let p = this.parent.get(root); p; p = this.parent.get(root)) root = p;
    return root;
  }

  private union(a: ts.Symbol, b: ts.Symbol): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }

  /** A class of aliases is one value: marks on any member apply to all. */
  private mark(path: AccessPath): void {
    if (!this.isActivePath(path, true)) this.marks.push(path);
  }

  /** Is any part of the value at `path` active? (`exact`: is all of it already marked?) */
  isActivePath(path: AccessPath, exact = false): boolean {
    const root = this.find(path.symbol);
    return this.marks.some((m) => this.find(m.symbol) === root && (exact ? path.suffix.startsWith(m.suffix) && (path.suffix === m.suffix || path.suffix[m.suffix.length] === ".") : overlaps(m.suffix, path.suffix)));
  }

  isActiveSymbol(s: ts.Symbol): boolean {
    return this.isActivePath({ symbol: s, suffix: "" });
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
    return this.registry.get(callee.fn, mask);
  }

  /** Does this expression's value depend on an active input? */
  isActive(expr: ts.Expression): boolean {
    const { ts } = this.core;
    const e = skipOuter(this.core, expr);
    const kind = kindOf(this.core, e);
    if (kind === "none" || kind === "other") return false;
    // Properties of a Float64Array or an array (.length) are sizes, not differentiable data.
    if (ts.isPropertyAccessExpression(e) && kindOf(this.core, e.expression) !== "tree") return false;
    const path = accessPath(this.core, e);
    if (path) return this.isActivePath(path);
    if (ts.isArrayLiteralExpression(e)) return e.elements.some((el) => this.isActive(ts.isSpreadElement(el) ? el.expression : el));
    if (ts.isObjectLiteralExpression(e)) return e.properties.some((p) => this.isActiveProperty(p));
    if (ts.isConditionalExpression(e)) return this.isActive(e.whenTrue) || this.isActive(e.whenFalse);
    if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) {
      const k = kindOf(this.core, e);
      return k !== "none" && k !== "other" && this.isActive(e.expression);
    }
    if (ts.isBinaryExpression(e)) {
      if (kindOf(this.core, e) !== "num") return false;
      const op = e.operatorToken.kind;
      const K = ts.SyntaxKind;
      return [K.PlusToken, K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken].includes(op)
        && (this.isActive(e.left) || this.isActive(e.right));
    }
    if (ts.isPrefixUnaryExpression(e)) {
      const op = e.operator;
      return (op === ts.SyntaxKind.MinusToken || op === ts.SyntaxKind.PlusToken) && this.isActive(e.operand);
    }
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
        if (name === "map" || name === "reduce") return this.isActiveCallback(call);
        if (indexMethods.has(name)) return false;
        if (name === "fill") return this.isActive(callee.expression) || (call.arguments.length > 0 && this.isActive(call.arguments[0]));
        // Any other method of differentiated data may carry it into its result: visit it (the
        // visitor differentiates it, or reports it), never drop it silently.
        return this.isActive(callee.expression) || anyArg();
      }
    }
    const target = this.callee(callee);
    if (target.type === "local") return this.calleeSpec(call)?.activity.returnsActive ?? false;
    if (target.type === "imported") return differentiable(target.returnKind as never) && anyArg();
    return false;
  }

  /** `xs.map(f)` / `xs.reduce(f, init)`: active when the callback's result is. */
  private isActiveCallback(call: ts.CallExpression): boolean {
    const { ts } = this.core;
    const fn = call.arguments[0];
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return false;
    return callbackResults(this.core, fn).some((r) => this.isActive(r));
  }

  /** Variables whose storage `expr` may share (for values held by reference). */
  private aliasSources(expr: ts.Expression): ts.Symbol[] {
    const { ts } = this.core;
    const e = skipOuter(this.core, expr);
    if (!isReference(this.core, e)) return []; // numbers are copied, not shared
    const path = accessPath(this.core, e);
    if (path) return [path.symbol];
    if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) return this.aliasSources(e.expression);
    if (ts.isConditionalExpression(e)) return [...this.aliasSources(e.whenTrue), ...this.aliasSources(e.whenFalse)];
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => this.aliasSources(ts.isSpreadElement(el) ? el.expression : el));
    if (ts.isObjectLiteralExpression(e)) {
      return e.properties.flatMap((p) => ts.isPropertyAssignment(p) ? this.aliasSources(p.initializer)
        : ts.isShorthandPropertyAssignment(p) ? this.aliasSources(p.name) : ts.isSpreadAssignment(p) ? this.aliasSources(p.expression) : []);
    }
    if (ts.isCallExpression(e)) {
      if (ts.isPropertyAccessExpression(e.expression) && viewMethods.has(e.expression.name.text)) {
        return this.aliasSources(e.expression.expression);
      }
      const target = this.callee(e.expression);
      if (target.type === "local" || target.type === "imported") {
        // A function returning a reference may return (part of) one of its arguments.
        return e.arguments.filter((a) => isReference(this.core, a)).flatMap((a) => this.aliasSources(a));
      }
    }
    return [];
  }

  /** `target = value`: aliasing for references, then activity (field by field for literals). */
  private assign(target: AccessPath, targetNode: ts.Node, value: ts.Expression): void {
    const { ts } = this.core;
    if (isReference(this.core, targetNode)) {
      for (const s of this.aliasSources(value)) this.union(target.symbol, s);
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
    else for (const s of this.aliasSources(expr)) this.mark({ symbol: s, suffix: "" });
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
    } else if (ts.isReturnStatement(node) && node.expression && this.isActive(node.expression) && this.ownsReturn(node)) {
      this.returnsActive = true;
    }
    if (ts.isArrowFunction(this.spec.fn.node) && node === this.spec.fn.node.body && !ts.isBlock(node)) {
      if (this.isActive(node as ts.Expression)) this.returnsActive = true;
    }
    ts.forEachChild(node, (child) => this.walk(child));
  }

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
      if (isReference(this.core, el.name)) for (const src of this.aliasSources(init)) this.union(s, src);
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
      if (isReference(this.core, id)) for (const src of this.aliasSources(collection)) this.union(s, src);
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
      const receiverKind = kindOf(this.core, callee.expression);
      const name = callee.name.text;
      if ((receiverKind === "arr" || receiverKind === "tree") && (name === "map" || name === "reduce")) return this.callbackEffects(call, callee.expression, name);
      if (receiverKind === "arr") {
        if ((name === "set" || name === "fill") && call.arguments.length > 0 && this.isActive(call.arguments[0])) this.markValue(callee.expression);
        return;
      }
      if (receiverKind === "tree" && name === "push" && call.arguments.some((a) => this.isActive(a))) return this.markValue(callee.expression);
    }
    const target = this.callee(callee);
    if (target.type === "local") {
      const spec = this.calleeSpec(call);
      spec?.activity.paramActive.forEach((isActive, i) => {
        if (isActive && i < call.arguments.length && isReference(this.core, call.arguments[i])) this.markValue(call.arguments[i]);
      });
    } else if (target.type === "imported" && call.arguments.some((a) => this.isActive(a))) {
      // Another module's twin may write into any argument held by reference: assume it does.
      for (const a of call.arguments) if (isReference(this.core, a)) this.markValue(a);
    }
  }

  /** Binds a callback's parameters: the element, and for reduce the accumulator. */
  private callbackEffects(call: ts.CallExpression, collection: ts.Expression, name: string): void {
    const { ts } = this.core;
    const fn = call.arguments[0];
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return;
    const [first, second] = fn.parameters;
    const element = name === "map" ? first : second;
    if (element) this.element(element.name, collection);
    if (name === "reduce" && first && ts.isIdentifier(first.name)) {
      const acc = symbolOf(this.core, first.name);
      if (!acc) return;
      if (call.arguments[1] && this.isActive(call.arguments[1])) this.mark({ symbol: acc, suffix: "" });
      if (callbackResults(this.core, fn).some((r) => this.isActive(r))) this.mark({ symbol: acc, suffix: "" });
    }
  }
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


