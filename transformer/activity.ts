import type * as ts from "typescript";
import { Core, differentiable, isGlobal, kindOf, skipOuter, symbolOf } from "./core-context";
import { Callee, resolveCallee } from "./functions";
import { inactiveMath } from "./rules";
import type { Spec, SpecRegistry } from "./specs";

/** Float64Array methods that return the receiver or a view sharing its storage. */
const viewMethods = new Set(["subarray", "fill"]);

/**
 * Activity analysis of one specialisation (flow-insensitive, to a fixpoint): a variable is active
 * when it may hold a value that depends on an active input. Float64Array variables that may share
 * storage form one class (union-find), active as a whole: writing a differentiated value into
 * any of them makes all of them carry tangents, exactly as the primal aliases.
 */
export class Activity {
  private readonly parent = new Map<ts.Symbol, ts.Symbol>();
  private readonly active = new Set<ts.Symbol>();
  private readonly callees = new Map<ts.Node, Callee>();
  returnsActive = false;
  /** Per parameter: active after analysis (an array parameter may become active by being written). */
  paramActive: boolean[] = [];
  private ranOnce = false;

  constructor(private readonly core: Core, private readonly spec: Spec, private readonly registry: SpecRegistry) {}

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
      if (mask[i] && p.symbol) this.mark(p.symbol);
    });
    for (let size = -1; size !== this.size(); ) {
      size = this.size();
      this.walk(fn.node.body!);
    }
    this.paramActive = fn.params.map((p) => p.symbol !== undefined && this.isActiveSymbol(p.symbol));
    const changed = !this.ranOnce || before !== `${this.returnsActive}:${this.paramActive.join()}`;
    this.ranOnce = true;
    return changed;
  }

  private size(): number {
    return this.active.size * 100003 + this.parent.size + (this.returnsActive ? 1 : 0);
  }

  private find(s: ts.Symbol): ts.Symbol {
    let root = s;
    for (let p = this.parent.get(root); p; p = this.parent.get(root)) root = p;
    return root;
  }

  private union(a: ts.Symbol, b: ts.Symbol): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    this.parent.set(ra, rb);
    if (this.active.has(ra)) this.active.add(rb);
  }

  private mark(s: ts.Symbol): void {
    this.active.add(this.find(s));
  }

  isActiveSymbol(s: ts.Symbol): boolean {
    return this.active.has(this.find(s));
  }

  /** Symbols of every variable in `s`'s alias class (for diagnostics on outer state). */
  aliasesOf(s: ts.Symbol): ts.Symbol[] {
    const root = this.find(s);
    return [...this.parent.keys(), root].filter((k, i, all) => all.indexOf(k) === i && this.find(k) === root);
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
    if (ts.isIdentifier(e)) {
      const s = symbolOf(this.core, e);
      return s !== undefined && this.isActiveSymbol(s);
    }
    if (ts.isArrayLiteralExpression(e)) return e.elements.some((el) => this.isActive(el));
    if (ts.isConditionalExpression(e)) return this.isActive(e.whenTrue) || this.isActive(e.whenFalse);
    if (ts.isElementAccessExpression(e)) return kindOf(this.core, e) === "num" && this.isActive(e.expression);
    if (ts.isBinaryExpression(e)) {
      if (kindOf(this.core, e) !== "num") return false;
      const op = e.operatorToken.kind;
      const K = ts.SyntaxKind;
      if (op === K.EqualsToken) return this.isActive(e.right);
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

  private isActiveCall(call: ts.CallExpression): boolean {
    const { ts } = this.core;
    const callee = call.expression;
    const anyArg = () => call.arguments.some((a) => this.isActive(a));
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (isGlobal(this.core, callee.expression, "Math")) return !inactiveMath.has(name) && anyArg();
      if (isGlobal(this.core, callee.expression, "Float64Array")) return anyArg();
      if (kindOf(this.core, callee.expression) === "arr") {
        if (name === "fill") return this.isActive(callee.expression) || (call.arguments.length > 0 && this.isActive(call.arguments[0]));
        return (name === "slice" || name === "at" || viewMethods.has(name)) && this.isActive(callee.expression);
      }
    }
    const target = this.callee(callee);
    if (target.type === "local") return this.calleeSpec(call)?.activity.returnsActive ?? false;
    if (target.type === "imported") return differentiable(target.returnKind as never) && anyArg();
    return false;
  }

  /** Variables whose storage `expr` may share (for Float64Array values). */
  private aliasSources(expr: ts.Expression): ts.Symbol[] {
    const { ts } = this.core;
    const e = skipOuter(this.core, expr);
    if (ts.isIdentifier(e)) {
      const s = symbolOf(this.core, e);
      return s ? [s] : [];
    }
    if (ts.isConditionalExpression(e)) return [...this.aliasSources(e.whenTrue), ...this.aliasSources(e.whenFalse)];
    if (ts.isCallExpression(e)) {
      if (ts.isPropertyAccessExpression(e.expression) && viewMethods.has(e.expression.name.text)) {
        return this.aliasSources(e.expression.expression);
      }
      const target = this.callee(e.expression);
      if (target.type === "local" || target.type === "imported") {
        // A function returning a Float64Array may return one of its arguments.
        return e.arguments.filter((a) => kindOf(this.core, a) === "arr").flatMap((a) => this.aliasSources(a));
      }
    }
    return [];
  }

  private assign(target: ts.Symbol, targetNode: ts.Node, value: ts.Expression): void {
    if (kindOf(this.core, targetNode) === "arr") {
      for (const s of this.aliasSources(value)) this.union(target, s);
    }
    if (this.isActive(value)) this.mark(target);
  }

  private markArray(arrayExpr: ts.Expression): void {
    for (const s of this.aliasSources(arrayExpr)) this.mark(s);
  }

  private walk(node: ts.Node): void {
    const { ts } = this.core;
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isIdentifier(node.name)) {
      const s = symbolOf(this.core, node.name);
      if (s) this.assign(s, node.name, node.initializer);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      this.assignment(node);
    } else if (ts.isCallExpression(node)) {
      this.callEffects(node);
    } else if (ts.isForOfStatement(node) && ts.isVariableDeclarationList(node.initializer)) {
      const d = node.initializer.declarations[0];
      const s = d && ts.isIdentifier(d.name) ? symbolOf(this.core, d.name) : undefined;
      if (s && this.isActive(node.expression)) this.mark(s);
    } else if (ts.isReturnStatement(node) && node.expression && this.isActive(node.expression)) {
      this.returnsActive = true;
    }
    if (ts.isArrowFunction(this.spec.fn.node) && node === this.spec.fn.node.body && !ts.isBlock(node)) {
      if (this.isActive(node as ts.Expression)) this.returnsActive = true;
    }
    ts.forEachChild(node, (child) => this.walk(child));
  }

  private assignment(node: ts.BinaryExpression): void {
    const { ts } = this.core;
    const left = skipOuter(this.core, node.left);
    if (ts.isIdentifier(left)) {
      const s = symbolOf(this.core, left);
      if (s) this.assign(s, left, node.right);
    } else if (ts.isElementAccessExpression(left) && this.isActive(node.right)) {
      this.markArray(left.expression);
    }
  }

  private callEffects(call: ts.CallExpression): void {
    const { ts } = this.core;
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && kindOf(this.core, callee.expression) === "arr") {
      const name = callee.name.text;
      if ((name === "set" || name === "fill") && call.arguments.length > 0 && this.isActive(call.arguments[0])) {
        this.markArray(callee.expression);
      }
      return;
    }
    const target = this.callee(callee);
    if (target.type === "local") {
      const spec = this.calleeSpec(call);
      spec?.activity.paramActive.forEach((isActive, i) => {
        if (isActive && i < call.arguments.length && kindOf(this.core, call.arguments[i]) === "arr") this.markArray(call.arguments[i]);
      });
    } else if (target.type === "imported" && call.arguments.some((a) => this.isActive(a))) {
      // Another module's twin may write into any array argument: assume it does.
      for (const a of call.arguments) if (kindOf(this.core, a) === "arr") this.markArray(a);
    }
  }
}
