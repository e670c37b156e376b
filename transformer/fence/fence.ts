import type * as ts from "typescript";
import { Core, someNode, symbolOf } from "../core/context";
import { kindOf as kindOfNode } from "../model/types";
import { FnInfo } from "../model/functions";
import { isTsjvpJvp } from "../marks/marks";
import { isLoweredCallback, receiverWriters } from "../model/builtins";
import { MessageId } from "../core/diagnostics";

/**
 * Reject before you derive, first half: one pass over the syntax of a function that will be
 * differentiated, reporting every construct outside the supported subset with its exact position.
 * What depends on activity (an active argument to a function without source, …) is the second
 * half's (supported.ts), once the analysis has converged; derive reports nothing.
 */
/**
 * A construct that is fine where nothing is differentiated (`subCols[q++] = cols[k]` over integer
 * index data) but that derive could not place if `scope` touched differentiated values: checked
 * by the second half, for each specialisation.
 */
export interface DeferredCheck {
  readonly node: ts.Node;
  readonly id: MessageId;
  readonly args: readonly string[];
  readonly scope: ts.Node;
}

export interface FenceResult {
  readonly ok: boolean;
  readonly deferred: readonly DeferredCheck[];
}

export function fence(core: Core, fn: FnInfo): FenceResult {
  const { ts } = core;
  const before = core.diags.items.length;
  const node = fn.node;
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : [];
  if (mods.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) {
    core.diags.report(node, "asyncOrGenerator", fn.name, "an async");
  } else if (node.asteriskToken) {
    core.diags.report(node, "asyncOrGenerator", fn.name, "a generator");
  }
  for (const p of node.parameters) {
    if (p.dotDotDotToken) unsupported(core, p, "A rest parameter", fn, "Declare each parameter, or pass a Float64Array.");
    else if (!ts.isIdentifier(p.name) && !isFlatPattern(core, p.name)) {
      unsupported(core, p, "A nested destructuring pattern, default or rest element", fn, "Destructure one level, without defaults, and read deeper fields in the body.");
    }
    else if (p.initializer && readsParameter(core, p.initializer, node)) {
      unsupported(core, p.initializer, "A default value computed from another parameter", fn, "Pass the value explicitly, or compute it in the body.");
    }
  }
  const walker = new Fence(core, fn);
  if (node.body) walker.visit(node.body);
  return { ok: core.diags.items.length === before, deferred: walker.deferred };
}

/**
 * Outer jvp calls of nested jvps (forward over forward): those the second pass differentiates, and
 * those holding another nested call, which would need a third (reported; the calls inside one go
 * with it, as its call throws the diagnostic).
 */
export function fenceNesting(core: Core, nested: readonly ts.CallExpression[]): { deferred: ts.CallExpression[]; tooDeep: Map<ts.CallExpression, ts.Diagnostic> } {
  const holds = (outer: ts.Node, inner: ts.Node) => inner !== outer && inner.pos >= outer.pos && inner.end <= outer.end;
  const deep = nested.filter((o) => nested.some((m) => holds(o, m)));
  const tooDeep = new Map(deep.map((call) => [call, core.diags.report(call, "nestedFailed", "jvp nested three deep (or more) is not supported: differentiate twice at most.")] as const));
  return { deferred: nested.filter((call) => !deep.some((o) => o === call || holds(o, call))), tooDeep };
}

/** `{ w, b: bias }` or `[a, , c]`: one level of plain bindings, no defaults, no rest. */
export function isFlatPattern(core: Core, name: ts.BindingPattern): boolean {
  const { ts } = core;
  return name.elements.every((e) => ts.isOmittedExpression(e) ||
    (ts.isIdentifier(e.name) && !e.initializer && !e.dotDotDotToken && (!e.propertyName || ts.isIdentifier(e.propertyName) || ts.isStringLiteral(e.propertyName))));
}

function readsParameter(core: Core, e: ts.Node, fn: ts.SignatureDeclaration): boolean {
  return someNode(core.ts, e, (n) => {
    const decl = core.ts.isIdentifier(n) ? symbolOf(core, n)?.valueDeclaration : undefined;
    return decl !== undefined && core.ts.isParameter(decl) && decl.parent === fn;
  });
}

/** The statements derive has a visitor for. */
function derivedStatements(tsi: typeof ts): ReadonlySet<ts.SyntaxKind> {
  const K = tsi.SyntaxKind;
  return new Set([K.VariableStatement, K.ExpressionStatement, K.ReturnStatement, K.IfStatement, K.Block, K.ForStatement, K.WhileStatement,
    K.DoStatement, K.ForOfStatement, K.LabeledStatement, K.SwitchStatement, K.BreakStatement, K.ContinueStatement, K.EmptyStatement, K.ThrowStatement]);
}

function unsupported(core: Core, node: ts.Node, what: string, fn: FnInfo, instead: string): void {
  core.diags.report(node, "unsupportedSyntax", what, fn.name, instead);
}


class Fence {
  private readonly ts: typeof ts;
  readonly deferred: DeferredCheck[] = [];
  constructor(private readonly core: Core, private readonly fn: FnInfo) {
    this.ts = core.ts;
  }

  visit(node: ts.Node): void {
    const { ts } = this;
    const K = ts.SyntaxKind;
    switch (node.kind) {
      case K.FunctionExpression:
      case K.ArrowFunction:
        if (isLoweredCallback(this.core, node as ts.ArrowFunction)) return this.callback(node as ts.ArrowFunction);
        this.core.diags.report(node, "closure", this.fn.name);
        return;
      case K.FunctionDeclaration:
      // Methods and accessors of object literals are closures too (they may capture locals).
      case K.MethodDeclaration:
      case K.GetAccessor:
      case K.SetAccessor:
      case K.ClassDeclaration:
      case K.ClassExpression:
        this.core.diags.report(node, "closure", this.fn.name);
        return;
      case K.TryStatement:
        this.core.diags.report(node, "tryStatement", this.fn.name);
        return;
      case K.Identifier:
        this.identifier(node as ts.Identifier);
        return;
      case K.BinaryExpression:
        this.binary(node as ts.BinaryExpression);
        break;
      case K.PrefixUnaryExpression:
      case K.PostfixUnaryExpression:
        this.update(node as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression);
        break;
      case K.CallExpression:
        if (isTsjvpJvp(this.core, node as ts.CallExpression)) return void this.core.diags.report(node, "nestedJvp", this.fn.name);
        this.call(node as ts.CallExpression);
        break;
      case K.VariableDeclaration: {
        const d = node as ts.VariableDeclaration;
        if (!ts.isIdentifier(d.name) && !isFlatPattern(this.core, d.name)) {
          this.no(d.name, "A nested destructuring pattern, default or rest element", "Destructure one level, without defaults, and read deeper fields afterwards.");
        }
        break;
      }
      case K.ForInStatement: return this.no(node, "A for…in loop", "Loop over indices with for (let i = 0; i < n; i++).");
      case K.WithStatement: return this.no(node, "A with statement", "Name the object explicitly.");
      case K.ThisKeyword: return this.no(node, "'this'", "Pass the values as parameters.");
      case K.SuperKeyword: return this.no(node, "'super'", "Pass the values as parameters.");
      case K.AwaitExpression: return this.no(node, "'await'", "Differentiate a synchronous function.");
      case K.YieldExpression: return this.no(node, "'yield'", "Differentiate a non-generator function.");
      case K.DeleteExpression: return this.no(node, "'delete'", "Keep the data's shape fixed.");
      case K.SpreadElement: return this.no(node, "Spread syntax (...)", "Pass the values one by one, or pass the Float64Array itself.");
      case K.TaggedTemplateExpression: return this.no(node, "A tagged template", "Call the function directly.");
      case K.MetaProperty: return this.no(node, "'new.target' / 'import.meta'", "Pass the value as a parameter.");
      case K.PropertyAccessExpression:
        if ((node as ts.PropertyAccessExpression).name.text === "buffer") {
          return this.no(node, "Sharing a typed array's buffer", "Use .subarray(…) for a view: tsjvp mirrors views in the tangent.");
        }
      // falls through
      case K.ElementAccessExpression:
        if ((node as ts.PropertyAccessExpression).questionDotToken) return this.no(node, "Optional chaining (?.)", "Check for undefined with an if statement first.");
        break;
      default:
        if (ts.isStatement(node) && !derivedStatements(ts).has(node.kind)) {
          return this.no(node, `This statement (${K[node.kind]})`, "Rewrite it with if, for, while, let and const.");
        }
        break;
    }
    ts.forEachChild(node, (child) => this.visit(child));
  }

  /** The callbacks being visited: writes inside one may only touch its own variables. */
  private readonly callbacks: ts.Node[] = [];

  private callback(node: ts.ArrowFunction | ts.FunctionExpression): void {
    const { ts } = this;
    const mods = ts.getModifiers(node) ?? [];
    if (mods.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || node.asteriskToken) return this.no(node, "An async or generator callback", "Use a plain arrow function.");
    for (const p of node.parameters) {
      if (!ts.isIdentifier(p.name) || p.initializer || p.dotDotDotToken) return this.no(p, "This callback parameter", "Use plain parameters: (value, index) or (accumulator, value, index).");
    }
    this.callbacks.push(node);
    ts.forEachChild(node.body, (child) => this.visit(child));
    this.callbacks.pop();
  }

  /** Reported only if the statement around `node` touches differentiated values. */
  private defer(node: ts.Node, id: MessageId, args: string[]): void {
    let scope: ts.Node = node;
    while (scope.parent && !this.ts.isStatement(scope.parent) && !this.ts.isFunctionLike(scope.parent)) scope = scope.parent;
    this.deferred.push({ node, id, args, scope });
  }

  private no(node: ts.Node, what: string, instead: string): void {
    unsupported(this.core, node, what, this.fn, instead);
  }

  private identifier(id: ts.Identifier): void {
    if (id.text === "arguments" && !symbolOf(this.core, id)?.valueDeclaration) {
      this.core.diags.report(id, "argumentsObject");
    }
  }

  private call(call: ts.CallExpression): void {
    const callee = call.expression;
    if (this.ts.isIdentifier(callee) && callee.text === "eval") this.core.diags.report(callee, "evalCall");
    if (call.questionDotToken) this.no(call, "Optional call (?.())", "Check for undefined with an if statement first.");
    if (this.ts.isPropertyAccessExpression(callee) && receiverWriters.has(callee.name.text)) this.writeTarget(callee.expression, false);
  }

  private binary(e: ts.BinaryExpression): void {
    const { ts } = this;
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.CommaToken) {
      // `for (…; …; i++, j--)` is fine; elsewhere the comma operator hides a statement.
      if (!this.statementPosition(e)) return this.defer(e, "unsupportedSyntax", ["The comma operator", this.fn.name, "Write separate statements."]);
    }
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) {
      if (!this.statementPosition(e)) this.defer(e, "sideEffectInExpression", ["An assignment"]);
      this.writeTarget(e.left);
    }
  }

  private update(e: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression): void {
    const { ts } = this;
    if (e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken) return;
    if (!this.statementPosition(e)) this.defer(e, "sideEffectInExpression", ["'++' / '--'"]);
    this.writeTarget(e.operand);
  }

  /** Assignments and ++/-- must be whole statements (or a for loop's initializer / update). */
  private statementPosition(e: ts.Expression): boolean {
    const { ts } = this;
    let node: ts.Node = e;
    const isComma = (n: ts.Node) => ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.CommaToken;
    while (ts.isParenthesizedExpression(node.parent) || isComma(node.parent)) node = node.parent;
    const parent = node.parent;
    if (ts.isExpressionStatement(parent)) return !isComma(node);
    if (ts.isForStatement(parent)) return parent.initializer === node || parent.incrementor === node;
    return false;
  }

  /** Writing a variable declared outside the function is writing module-level or captured state. */
  private writeTarget(target: ts.Expression, assignment = true): void {
    const { ts } = this;
    let root: ts.Expression = target;
    while (ts.isElementAccessExpression(root) || ts.isPropertyAccessExpression(root) || ts.isParenthesizedExpression(root) || ts.isNonNullExpression(root)) {
      if (ts.isElementAccessExpression(root) && kindOfNode(this.core, root.expression) === "other") {
        return this.no(target, "Writing into a value that is not a Float64Array or a pytree", "Use a Float64Array, a plain object or an array.");
      }
      root = root.expression;
    }
    if (!assignment && !ts.isIdentifier(root)) return; // a method call on a fresh value: new Float64Array(n).fill(v)
    if (!ts.isIdentifier(root)) return this.no(target, "This assignment target", "Assign to a local variable, a field or an element.");
    const decl = symbolOf(this.core, root)?.valueDeclaration;
    if (decl && !this.inside(decl)) return void this.core.diags.report(target, "outerWrite", root.text, this.fn.name);
    // A callback that writes a variable of the function around it is a closure mutating captured state.
    const callback = this.callbacks[this.callbacks.length - 1];
    if (decl && callback && !(decl.pos >= callback.pos && decl.end <= callback.end)) this.core.diags.report(target, "closure", this.fn.name);
  }

  private inside(decl: ts.Node): boolean {
    return decl.pos >= this.fn.node.pos && decl.end <= this.fn.node.end && decl.getSourceFile() === this.fn.node.getSourceFile();
  }
}
