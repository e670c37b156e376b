import type * as ts from "typescript";
import { Core, isGlobal, skipOuter, symbolOf } from "../core/context";
import { MessageId } from "../core/diagnostics";
import { differentiable, isClassInstance, Kind, kindOf, reportUnsupportedType } from "../model/types";
import { isLoweredCallback, libraryRole, methodRow } from "../model/builtins";
import { describeUnresolved } from "../model/functions";
import { inactiveMath, mathRules } from "../model/rules";
import { callbackResults, Spec } from "../analysis/activity";
import { ActivityQueries, isLogical, queriesOf } from "../analysis/queries";
import type { DeferredCheck } from "./fence";

/** What deriving a value would produce: a tangent, and calls that may write memory (twins, rules). */
interface Walked {
  readonly tangent: boolean;
  readonly impure: boolean;
}

const nothing: Walked = { tangent: false, impure: false };

/** The fence's verdict on one specialisation: its first diagnostic (none: derive may build it), and the twins it calls. */
export interface SpecVerdict {
  readonly diagnostic: ts.Diagnostic | undefined;
  /** Specialisations its calls use: checked (and their diagnostics reported) even when this one fails. */
  readonly callees: readonly Spec[];
}

/** How the module names a twin from a call site (undefined: a same-named twin in between shadows it). */
export type TwinReference = (spec: Spec, from: ts.Node) => unknown;

/**
 * The fence's second half, once activity has converged: everything one specialisation may not
 * differentiate because of what is differentiated in it (a differentiated argument to a function
 * without source, an object that cannot hold a tangent, a twin call where none can be placed, …).
 * It walks the function as derive will, visiting exactly the expressions derive visits (active
 * ones and those that hold a call with differentiated arguments), so that derive, which runs only
 * when this reports nothing, never meets an unsupported construct.
 */
export function checkSpec(core: Core, spec: Spec, deferred: readonly DeferredCheck[], reference: TwinReference): SpecVerdict {
  const before = core.diags.items.length;
  const check = new SpecCheck(core, spec, reference);
  check.run(deferred);
  return { diagnostic: core.diags.items[before], callees: check.callees };
}

class SpecCheck {
  private readonly ts: typeof ts;
  private readonly q: ActivityQueries;
  private readonly outerReported = new Set<ts.Symbol>();
  readonly callees: Spec[] = [];

  constructor(private readonly core: Core, private readonly spec: Spec, private readonly reference: TwinReference) {
    this.ts = core.ts;
    this.q = queriesOf(core, spec.activity);
  }

  run(deferred: readonly DeferredCheck[]): void {
    const { ts } = this;
    const fn = this.spec.fn;
    fn.params.forEach((p, i) => {
      if (!this.spec.activity.paramActive[i] || this.spec.mask[i] || p.symbol) return;
      if (this.patternHasTangent(p.node.name as ts.BindingPattern)) {
        this.unsupported(p.node, "A destructured parameter written with differentiated data while its tangent is null", "Pass a tangent for it, or take the whole value.");
      }
    });
    for (const check of deferred) if (this.q.containsActive(check.scope)) this.report(check.node, check.id, ...check.args);
    const body = fn.node.body!;
    if (ts.isBlock(body)) this.statements(body.statements);
    else this.returned(body);
  }

  private report(node: ts.Node, id: MessageId, ...args: string[]): void {
    this.core.diags.report(node, id, ...args);
  }

  private unsupported(node: ts.Node, what: string, instead: string): Walked {
    this.report(node, "unsupportedSyntax", what, this.spec.fn.name, instead);
    return nothing;
  }

  private reportType(node: ts.Node, name: string, type = this.core.checker.getTypeAtLocation(node)): Walked {
    reportUnsupportedType(this.core, node, name, type);
    return nothing;
  }

  /** A differentiated value stored where no tangent can live: `const s: any = x`, `box.v = x`. */
  private lost(node: ts.Node, target = false): void {
    const { ts } = this;
    const inner = target && (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) ? node.expression : node;
    this.reportType(inner, inner.getText());
  }

  private kind(node: ts.Node): Kind {
    return kindOf(this.core, node);
  }

  /** A name read or written with a tangent: state declared outside the function cannot have one. */
  private tangentOf(id: ts.Identifier): boolean {
    const s = symbolOf(this.core, id);
    if (!s || !this.spec.activity.isActiveSymbol(s)) return false;
    if (this.q.isOuter(s, this.spec.fn.node) && !this.outerReported.has(s)) {
      this.outerReported.add(s);
      this.report(id, "outerWrite", id.text, this.spec.fn.name);
    }
    return true;
  }

  private patternHasTangent(name: ts.BindingPattern): boolean {
    const { ts } = this;
    return name.elements.some((el) => !ts.isOmittedExpression(el) && ts.isIdentifier(el.name) && this.tangentOf(el.name));
  }

  // Statements: the impurity of what they run (a lowered callback's loop is impure when its body is).

  private statements(list: readonly ts.Statement[]): boolean {
    let impure = false;
    for (const s of list) impure = this.statement(s) || impure;
    return impure;
  }

  private statement(s: ts.Statement): boolean {
    const { ts } = this;
    const K = ts.SyntaxKind;
    switch (s.kind) {
      case K.VariableStatement:
        return this.variables((s as ts.VariableStatement).declarationList);
      case K.ExpressionStatement:
        return this.expressionStatement((s as ts.ExpressionStatement).expression);
      case K.ReturnStatement: {
        const e = (s as ts.ReturnStatement).expression;
        return e ? this.returned(e) : false;
      }
      case K.IfStatement: {
        const node = s as ts.IfStatement;
        return [this.walk(node.expression).impure, this.statement(node.thenStatement), node.elseStatement ? this.statement(node.elseStatement) : false].some(Boolean);
      }
      case K.Block:
        return this.statements((s as ts.Block).statements);
      case K.ForStatement: {
        const node = s as ts.ForStatement;
        if (node.initializer && this.q.containsActiveWrite(node.initializer)) {
          this.report(node.initializer, "activeInPosition", "This for-loop initializer", "Declare the variable before the loop.");
        }
        if (node.incrementor && this.q.containsActiveWrite(node.incrementor)) {
          this.report(node.incrementor, "activeInPosition", "This for-loop update", "Move the update to the end of the loop body (before any continue).");
        }
        return [node.condition ? this.walk(node.condition).impure : false, this.statement(node.statement)].some(Boolean);
      }
      case K.WhileStatement: {
        const node = s as ts.WhileStatement;
        return [this.walk(node.expression).impure, this.statement(node.statement)].some(Boolean);
      }
      case K.DoStatement: {
        const node = s as ts.DoStatement;
        return [this.statement(node.statement), this.walk(node.expression).impure].some(Boolean);
      }
      case K.ForOfStatement:
        return this.forOf(s as ts.ForOfStatement);
      case K.LabeledStatement:
        return this.statement((s as ts.LabeledStatement).statement);
      case K.SwitchStatement: {
        const node = s as ts.SwitchStatement;
        let impure = this.walk(node.expression).impure;
        for (const c of node.caseBlock.clauses) {
          // A case is evaluated only until one matches: a call into a twin there cannot be moved out.
          if (ts.isCaseClause(c) && this.walk(c.expression).impure) {
            this.report(c.expression, "activeInPosition", "This case expression", "Compute the value in a variable before the switch.");
          }
          impure = this.statements(c.statements) || impure;
        }
        return impure;
      }
      case K.ThrowStatement:
        return this.walk((s as ts.ThrowStatement).expression).impure;
      default:
        // Break, continue, empty statements; other kinds are the syntax fence's.
        return false;
    }
  }

  private variables(list: ts.VariableDeclarationList): boolean {
    const { ts } = this;
    let impure = false;
    for (const d of list.declarations) {
      if (!ts.isIdentifier(d.name)) {
        impure = this.walk(d.initializer!).impure || impure;
        continue;
      }
      const name = d.name;
      const symbol = symbolOf(this.core, name);
      const dot = symbol !== undefined && this.spec.activity.isActiveSymbol(symbol);
      if (!d.initializer) continue;
      const value = this.walk(d.initializer);
      impure = value.impure || impure;
      // A variable typed `any` (or another type without a tangent shape) cannot carry differentiated data.
      if (!dot && value.tangent) this.lost(d.initializer);
      else if (dot && this.kind(name) === "other") this.reportType(name, name.text);
      else if (dot && this.isBufferView(d.initializer)) this.bufferView(d.initializer);
      else if (dot && symbol && this.spec.activity.opaque.has(symbol)) {
        this.unsupported(d.initializer, `Differentiated data written into what '${calleeText(this.core, d.initializer)}' returned`,
          "It may share storage with data tsjvp cannot see: copy it first (Float64Array.from(…)), or keep the data in your own variables.");
      }
    }
    return impure;
  }

  private returned(e: ts.Expression): boolean {
    const kind = this.spec.fn.returnKind;
    if (kind === "void") return this.expressionStatement(e);
    const value = this.walk(e);
    if (!differentiable(kind) && value.tangent) this.lost(e);
    return value.impure;
  }

  private expressionStatement(e: ts.Expression): boolean {
    const { ts } = this;
    const inner = skipOuter(this.core, e);
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && inner.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      return this.assignment(inner);
    }
    if (ts.isCallExpression(inner)) return this.call(inner, true).impure;
    return this.walk(e).impure;
  }

  private assignment(e: ts.BinaryExpression): boolean {
    const { ts } = this;
    const left = skipOuter(this.core, e.left);
    const opText = ts.tokenToString(e.operatorToken.kind) ?? "";
    const compound = ["+=", "-=", "*=", "/=", "%=", "**="].includes(opText);
    if (opText !== "=" && !compound) {
      if (this.q.containsActive(left)) this.unsupported(e, `The operator '${opText}' on differentiated values`, "Use arithmetic operators.");
      return false;
    }
    if ((ts.isArrayLiteralExpression(left) || ts.isObjectLiteralExpression(left)) && (this.q.isActive(e.right) || this.q.containsActive(left))) {
      this.unsupported(e, "A destructuring assignment of differentiated values", "Destructure in a declaration: const [a, b] = pair.");
      return false;
    }
    const target = this.target(left);
    const rhs = this.walk(e.right);
    if (!target.tangent && rhs.tangent) this.lost(e.left, true);
    else if (target.tangent && !compound && this.isBufferView(e.right)) this.bufferView(e.right);
    return target.impure || rhs.impure;
  }

  /** The written place: `x`, `p.b`, `a[i]`; a tangent when it has one. */
  private target(left: ts.Expression): Walked {
    const { ts } = this;
    if (ts.isIdentifier(left)) return { tangent: this.tangentOf(left), impure: false };
    if (ts.isPropertyAccessExpression(left)) {
      const object = this.walk(left.expression);
      return { tangent: object.tangent && this.q.isActive(left), impure: object.impure };
    }
    if (ts.isElementAccessExpression(left)) {
      const array = this.walk(left.expression);
      return { tangent: array.tangent, impure: this.walk(left.argumentExpression).impure || array.impure };
    }
    return nothing;
  }

  private forOf(s: ts.ForOfStatement): boolean {
    const { ts } = this;
    const list = s.initializer;
    const decl = ts.isVariableDeclarationList(list) ? list.declarations[0] : undefined;
    const bare = !decl ? skipOuter(this.core, list as ts.Expression) : undefined;
    const existing = bare && ts.isIdentifier(bare) ? bare : undefined;
    const dot = decl ? (ts.isIdentifier(decl.name) ? this.tangentOf(decl.name) : this.patternHasTangent(decl.name)) : existing ? this.tangentOf(existing) : false;
    if (!dot && !decl && !existing && (this.q.containsActive(list) || this.q.isActive(s.expression))) {
      this.unsupported(list, "This for…of target", "Declare the loop variable in the loop: for (const v of xs).");
    }
    const source = this.walk(s.expression).impure;
    return this.statement(s.statement) || source;
  }

  // Expressions, as derive visits them.

  private walk(expr: ts.Expression): Walked {
    if (!this.q.isVisited(expr)) return nothing;
    return this.bare(skipOuter(this.core, expr));
  }

  private all(exprs: readonly ts.Expression[]): Walked[] {
    return exprs.map((e) => this.walk(e));
  }

  private bare(e: ts.Expression): Walked {
    const { ts } = this;
    const K = ts.SyntaxKind;
    switch (e.kind) {
      case K.Identifier:
        return { tangent: this.tangentOf(e as ts.Identifier), impure: false };
      case K.ElementAccessExpression: {
        const read = e as ts.ElementAccessExpression;
        const array = this.walk(read.expression);
        return { tangent: array.tangent, impure: this.walk(read.argumentExpression).impure || array.impure };
      }
      case K.PropertyAccessExpression: {
        const read = e as ts.PropertyAccessExpression;
        if (this.kind(read.expression) !== "tree") return this.inactive(read);
        const object = this.walk(read.expression);
        return { tangent: object.tangent && this.q.isActive(read), impure: object.impure };
      }
      case K.ObjectLiteralExpression:
        return this.objectLiteral(e as ts.ObjectLiteralExpression);
      case K.ArrayLiteralExpression:
        return this.kind(e) === "tree" ? any(this.all((e as ts.ArrayLiteralExpression).elements)) : this.inactive(e);
      case K.BinaryExpression:
        return this.binary(e as ts.BinaryExpression);
      case K.PrefixUnaryExpression:
        return this.prefix(e as ts.PrefixUnaryExpression);
      case K.ConditionalExpression: {
        const c = e as ts.ConditionalExpression;
        const condition = this.walk(c.condition);
        return any([this.walk(c.whenTrue), this.walk(c.whenFalse)], condition.impure);
      }
      case K.CallExpression:
        return this.call(e as ts.CallExpression, false);
      case K.NewExpression:
        return this.newExpression(e as ts.NewExpression);
      default:
        return this.inactive(e);
    }
  }

  private objectLiteral(e: ts.ObjectLiteralExpression): Walked {
    const { ts } = this;
    const values: ts.Expression[] = [];
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name)) values.push(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) values.push(p.name);
      else if (ts.isSpreadAssignment(p)) values.push(p.expression);
      else return this.unsupported(p, "A method, accessor or computed key in an object holding differentiated values", "Use plain `key: value` fields.");
    }
    return any(this.all(values));
  }

  private binary(e: ts.BinaryExpression): Walked {
    const { ts } = this;
    const K = ts.SyntaxKind;
    const op = e.operatorToken.kind;
    if (op === K.QuestionQuestionToken && this.kind(e) === "num") return any(this.all([e.left, e.right]));
    const arithmetic = [K.PlusToken, K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken].includes(op);
    // An active - * / % ** is a number (activity says so without asking the checker).
    if (!arithmetic || (op === K.PlusToken || !this.q.isActive(e) ? this.kind(e) !== "num" : false)) return this.inactive(e);
    return any(this.all([e.left, e.right]));
  }

  private prefix(e: ts.PrefixUnaryExpression): Walked {
    const K = this.ts.SyntaxKind;
    const sign = e.operator === K.PlusToken || e.operator === K.MinusToken;
    if (sign && this.spec.activity.isDerivedText(e.operand)) {
      this.report(e, "textRoundTrip", e.operator === K.PlusToken ? "+" : "-", this.spec.fn.name);
      return nothing;
    }
    return sign ? this.walk(e.operand) : this.inactive(e);
  }

  private newExpression(e: ts.NewExpression): Walked {
    const { ts } = this;
    const args = e.arguments ?? [];
    if (libraryRole(this.core, e.expression) === "sink") return this.inactive(e, false);
    const float64 = isGlobal(this.core, e.expression, "Float64Array");
    const type = this.core.checker.getTypeAtLocation(e);
    if (!float64 && isClassInstance(this.core, type) && args.some((a) => this.q.isActive(a))) return this.reportType(e, `new ${e.expression.getText()}(…)`, type);
    if (!float64 || args.length !== 1) return this.inactive(e);
    const arg = skipOuter(this.core, args[0]);
    if (ts.isArrayLiteralExpression(arg)) return any(this.all(arg.elements));
    if (this.kind(arg) === "num") return this.inactive(e, false);
    return this.walk(arg);
  }

  /**
   * A value without tangent that reads active values: objects and plain arrays would drop the
   * tangents they hold, and so would `a || b` on numbers; a call into a twin may not run inside a
   * short-circuit operand. The parts that need rewriting are walked.
   */
  private inactive(e: ts.Expression, checkKind = true): Walked {
    const { ts } = this;
    const kind = this.kind(e);
    const logical = ts.isBinaryExpression(e) && isLogical(this.core, e);
    if (checkKind && kind === "num" && logical && this.q.containsActive(e)) {
      return this.unsupported(e, `'${(e as ts.BinaryExpression).operatorToken.getText()}' on differentiated numbers`, "Use a conditional: c ? a : b.");
    }
    if (checkKind && (kind === "other" || kind === "arr")) {
      return this.unsupported(e, `This ${syntaxName(this.core, e)} holding differentiated values`,
        "tsjvp differentiates numbers, Float64Arrays, and plain objects and arrays of them; give the value such a type.");
    }
    let impure = false;
    ts.forEachChild(e, (child) => {
      if (!ts.isExpression(child) || ts.isFunctionLike(child) || !this.q.needsRewrite(child)) return;
      const walked = this.walk(child);
      if (walked.impure && (logical || ts.isConditionalExpression(e))) {
        this.report(child, "activeInPosition", "This operand", "Compute it in a statement before the condition.");
      }
      impure = walked.impure || impure;
    });
    return { tangent: false, impure };
  }

  // Calls, as derive/calls.ts places them.

  private call(call: ts.CallExpression, asStatement: boolean): Walked {
    const { ts } = this;
    const q = this.q;
    const callee = skipOuter(this.core, call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (isGlobal(this.core, callee.expression, "Math")) return this.mathCall(call, name);
      if (isGlobal(this.core, callee.expression, "Float64Array") && (name === "of" || name === "from")) return this.float64ArrayOf(call, name);
      const receiverKind = this.kind(callee.expression);
      const row = methodRow(receiverKind, name);
      const callback = call.arguments[0];
      if (row?.lowered && callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) && isLoweredCallback(this.core, callback)) {
        return this.lowered(call, callee.expression, name, callback);
      }
      if (row?.lowered && (q.isActive(callee.expression) || call.arguments.some((a) => q.isActive(a)))) {
        return this.unsupported(call, `This .${name}() call on differentiated data`,
          `Pass an inline arrow${name === "reduce" ? " and an initial value" : ""}: xs.${name}(${name === "reduce" ? "(acc, v) => f(acc, v), init" : "(v) => f(v)"}).`);
      }
      if (row && (row.result === "index" || row.result === "predicate" || row.result === "text")) return this.inactive(call, false);
      if (receiverKind === "arr") return this.arrayMethod(call, callee);
      if (receiverKind === "tree" && name === "push") return this.push(call, callee);
    }
    const receiverActive = ts.isPropertyAccessExpression(callee) && q.isActive(callee.expression);
    const anyActive = receiverActive || call.arguments.some((a) => q.isActive(a));
    const target = this.spec.activity.callee(call.expression);
    if (target.type === "local" || target.type === "imported") {
      // A differentiated argument for a parameter of a type that cannot be followed (`v: any`).
      const kinds = target.type === "local" ? target.fn.params.map((p) => p.kind) : target.paramKinds;
      const lost = call.arguments.findIndex((a, i) => q.isActive(a) && (kinds[i] ?? "other") === "other");
      if (lost >= 0) {
        const param = target.type === "local" ? target.fn.params[lost] : undefined;
        const name = param?.name ?? `parameter ${lost + 1} of ${target.type === "imported" ? target.name : "the callee"}`;
        return this.reportType(call.arguments[lost], name, this.core.checker.getTypeAtLocation(param?.node ?? call.arguments[lost]));
      }
      if (this.kind(call) !== "none" && call.arguments.some((a) => this.spec.activity.isDerivedText(a))) {
        // Its source could parse the text back into a number (we do not follow text into calls).
        this.report(call, "textRoundTrip", call.expression.getText(), this.spec.fn.name);
        return nothing;
      }
    }
    // A call into a twin or a rule: its result is held in `const [_t0, _t0_dot] = …`, a step that may write memory.
    const twinCall = (args: readonly ts.Expression[], returnKind: Kind | "void", returnsActive: boolean): Walked => {
      this.all(args);
      return { tangent: returnKind !== "void" && !asStatement && returnsActive && differentiable(returnKind), impure: true };
    };
    if (target.type === "local") {
      const spec = this.spec.activity.calleeSpec(call);
      if (!spec) return this.inactive(call, false);
      this.callees.push(spec);
      if (this.reference(spec, call) === undefined) {
        return this.unsupported(call.expression, `Calling '${target.fn.name}' here, where a namespace in between has a twin of the same name`, "Rename one of the two functions.");
      }
      return twinCall(call.arguments, target.fn.returnKind, spec.activity.returnsActive);
    }
    if (target.type === "imported" && anyActive) return twinCall(call.arguments, target.returnKind as Kind | "void", true);
    if (target.type === "rule" && anyActive) return twinCall([call.expression, ...call.arguments], target.returnKind, true);
    if (target.type === "error" && anyActive) {
      this.report(target.node, target.id, ...target.args);
      return nothing;
    }
    return this.libraryCall(call, anyActive);
  }

  /** A call without source and without a rule: only observing, text-making or questioning calls take differentiated data. */
  private libraryCall(call: ts.CallExpression, anyActive: boolean): Walked {
    const { ts } = this;
    const callee = skipOuter(this.core, call.expression);
    const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
    if (libraryRole(this.core, callee)) return this.inactive(call, false);
    if (anyActive) {
      const type = receiver && this.core.checker.getTypeAtLocation(receiver);
      if (receiver && type && isClassInstance(this.core, type)) return this.reportType(receiver, receiver.getText(), type);
      if (isMethodWithSource(this.core, callee)) this.report(call.expression, "methodCall", call.expression.getText());
      else {
        const { what, instead } = describeUnresolved(this.core, callee, call);
        this.report(call.expression, "noRule", call.expression.getText(), what, instead);
      }
      return nothing;
    }
    const text = [...call.arguments, ...(receiver ? [receiver] : [])].some((a) => this.spec.activity.isDerivedText(a));
    if (text && this.kind(call) !== "none") {
      this.report(call, "textRoundTrip", call.expression.getText(), this.spec.fn.name);
      return nothing;
    }
    return this.inactive(call, false);
  }

  private mathCall(call: ts.CallExpression, name: string): Walked {
    if (inactiveMath.has(name)) return this.inactive(call);
    if (!Object.prototype.hasOwnProperty.call(mathRules, name)) {
      const { what, instead } = describeUnresolved(this.core, call.expression, call);
      this.report(call.expression, "noRule", `Math.${name}`, what, instead);
      return nothing;
    }
    return any(this.all(call.arguments));
  }

  private float64ArrayOf(call: ts.CallExpression, name: "of" | "from"): Walked {
    const { ts } = this;
    const first = call.arguments[0] ? skipOuter(this.core, call.arguments[0]) : undefined;
    if (name === "of") return any(this.all(call.arguments));
    if (first && ts.isArrayLiteralExpression(first) && call.arguments.length === 1) return any(this.all(first.elements));
    if (first && call.arguments.length === 1 && this.kind(first) === "arr") return this.walk(first);
    return this.inactive(call);
  }

  private push(call: ts.CallExpression, callee: ts.PropertyAccessExpression): Walked {
    const [list, ...values] = this.all([callee.expression, ...call.arguments]);
    if (!list.tangent && values.some((v) => v.tangent)) return this.reportType(call, callee.expression.getText(), this.core.checker.getTypeAtLocation(callee.expression));
    return { tangent: false, impure: list.impure || values.some((v) => v.impure) };
  }

  private arrayMethod(call: ts.CallExpression, callee: ts.PropertyAccessExpression): Walked {
    const name = callee.name.text;
    const [receiver, ...args] = this.all([callee.expression, ...call.arguments]);
    const impure = receiver.impure || args.some((a) => a.impure);
    // Writing a differentiated value into a fresh array (new Float64Array(n).fill(x)) gives it a tangent.
    const tangent = receiver.tangent || ((name === "fill" || name === "set") && args[0]?.tangent === true);
    switch (name) {
      case "slice":
      case "subarray":
      case "at":
        return { tangent, impure };
      case "fill":
        return { tangent, impure: impure || tangent };
      case "set":
        return { tangent: false, impure: impure || (tangent && args.length > 0) };
      default:
        return this.unsupported(call, `Float64Array method '.${name}()' on differentiated data`, "Use element reads and writes in a loop, or .slice/.subarray/.set/.fill.");
    }
  }

  /** `xs.map(…)` and `xs.reduce(…, init)`, which derive lowers to a loop over the callback's body. */
  private lowered(call: ts.CallExpression, receiver: ts.Expression, name: string, fn: ts.ArrowFunction | ts.FunctionExpression): Walked {
    const { ts } = this;
    const results = callbackResults(this.core, fn);
    if (ts.isBlock(fn.body) && (results.length !== 1 || !isFinalReturn(this.core, fn.body, results[0]))) {
      return this.unsupported(fn, "A callback that does not end in its only return", "Write the callback as an expression, or with one return at its end.");
    }
    const xs = this.walk(receiver);
    const body = ts.isBlock(fn.body) ? this.statements(fn.body.statements.slice(0, -1)) : false;
    const result = this.walk(results[0]);
    const active = this.q.isActive(call);
    if (name === "map") return { tangent: active, impure: xs.impure || body || result.impure };
    const init = this.walk(call.arguments[1]);
    const param = fn.parameters[0];
    const accumulates = param ? this.tangentOf(param.name as ts.Identifier) : result.tangent;
    return { tangent: active && accumulates, impure: xs.impure || init.impure || body || result.impure };
  }

  private isBufferView(e: ts.Expression): boolean {
    const inner = skipOuter(this.core, e);
    return this.ts.isNewExpression(inner) && isGlobal(this.core, inner.expression, "Float64Array") && inner.arguments !== undefined &&
      inner.arguments.length > 0 && this.kind(inner.arguments[0]) === "other";
  }

  /** `new Float64Array(buffer, …)`: other views of the buffer would not share a tangent of its own. */
  private bufferView(e: ts.Expression): void {
    this.unsupported(e, "A Float64Array over an ArrayBuffer that holds differentiated values",
      "Allocate it with new Float64Array(n), and take views with .subarray(…): tsjvp mirrors views in the tangent.");
  }
}

function any(walked: readonly Walked[], impure = false): Walked {
  return { tangent: walked.some((w) => w.tangent), impure: impure || walked.some((w) => w.impure) };
}

function calleeText(core: Core, e: ts.Expression): string {
  const inner = skipOuter(core, e);
  return core.ts.isCallExpression(inner) ? inner.expression.getText() : inner.getText();
}

/** A method, accessor or function-valued property written in this project (not a library's). */
function isMethodWithSource(core: Core, callee: ts.Expression): boolean {
  const { ts } = core;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  const decl = core.checker.getSymbolAtLocation(name)?.getDeclarations()?.[0];
  return decl !== undefined && !decl.getSourceFile().isDeclarationFile &&
    (ts.isMethodDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl) || ts.isGetAccessor(decl));
}

function isFinalReturn(core: Core, body: ts.Block, value: ts.Expression): boolean {
  const last = body.statements[body.statements.length - 1];
  return last !== undefined && core.ts.isReturnStatement(last) && last.expression === value;
}

function syntaxName(core: Core, e: ts.Node): string {
  const { ts } = core;
  if (ts.isArrayLiteralExpression(e)) return "array literal";
  if (ts.isObjectLiteralExpression(e)) return "object literal";
  if (ts.isCallExpression(e)) return "call";
  return "expression";
}
