/**
 * The oracle: an independent evaluator of the same JVP. It interprets the TypeScript subset the
 * generator writes (numbers, Float64Arrays, plain objects; locals, loops, calls, out-parameters)
 * directly over dual numbers nested once (hyper-dual numbers) — every number carries its tangents
 * along two directions and its second derivative along both, every Float64Array arrays of them of
 * the same length (views share storage, so aliasing holds by construction) — with its own
 * implementation of the rule conventions (docs/architecture.md) and of their second derivatives. The
 * first-order checks seed one direction; the Hessian checks seed both, eᵢ and eⱼ, and read Hᵢⱼ. It
 * parses with TypeScript and imports nothing from transformer/: a mistake in the transformer cannot
 * repeat itself here.
 */
import ts from "typescript";

/**
 * A number, its tangents along two directions (d, e) and its second derivative along both (de): a
 * dual number whose parts are dual numbers. Unseeded parts are zero.
 */
export class D {
  /**
   * Set when any primal along the way is not finite. The oracle cannot tell a symbolic zero
   * tangent from a numeric one (an overflowed primal times a zero tangent: 0 here, NaN in a twin
   * that was given a numeric 0), so such runs are skipped, like runs whose result overflows.
   */
  static sawNonFinite = false;
  /** Set when a comparison compared equal numbers: the point sits where a branch switches. */
  static sawTie = false;

  constructor(readonly v: number, readonly d: number, readonly e = 0, readonly de = 0) {
    if (!Number.isFinite(v)) D.sawNonFinite = true;
  }
}

/** A Float64Array and its arrays of tangents and second derivatives (unseeded: zeros). */
export class DArray {
  readonly e: Float64Array;
  readonly de: Float64Array;
  constructor(readonly v: Float64Array, readonly d: Float64Array, e?: Float64Array, de?: Float64Array) {
    this.e = e ?? new Float64Array(v.length);
    this.de = de ?? new Float64Array(v.length);
  }

  at(i: number): D {
    return new D(this.v[i], this.d[i], this.e[i], this.de[i]);
  }

  put(i: number, x: D): void {
    this.v[i] = x.v;
    this.d[i] = x.d;
    this.e[i] = x.e;
    this.de[i] = x.de;
  }

  /** A new array of these parts, `part` of each (slice, subarray, a copy). */
  map(part: (a: Float64Array) => Float64Array): DArray {
    return new DArray(part(this.v), part(this.d), part(this.e), part(this.de));
  }

  static of(xs: readonly D[]): DArray {
    return new DArray(Float64Array.from(xs, (x) => x.v), Float64Array.from(xs, (x) => x.d), Float64Array.from(xs, (x) => x.e), Float64Array.from(xs, (x) => x.de));
  }
}

/** A product of parts where a zero part is a symbolic zero (0·∞ is 0: an unseeded direction contributes nothing). */
const times = (k: number, t: number): number => (t === 0 ? 0 : k * t);

/** f(a) from f(a.v) = y, f'(a.v) = f1, f''(a.v) = f2: the chain rule to second order. */
function chain(a: D, y: number, f1: number, f2: number): D {
  return new D(y, times(f1, a.d), times(f1, a.e), times(f1, a.de) + (a.d === 0 || a.e === 0 ? 0 : f2 * a.d * a.e));
}

const add = (a: D, b: D) => new D(a.v + b.v, a.d + b.d, a.e + b.e, a.de + b.de);
const sub = (a: D, b: D) => new D(a.v - b.v, a.d - b.d, a.e - b.e, a.de - b.de);
const neg = (a: D) => new D(-a.v, -a.d, -a.e, -a.de);
const mul = (a: D, b: D) => new D(a.v * b.v, a.d * b.v + a.v * b.d, a.e * b.v + a.v * b.e, a.de * b.v + a.d * b.e + a.e * b.d + a.v * b.de);
/** a/b = q: from q·b = a, q' = (a' − q·b')/b and q'' = (a'' − q_d·b_e − q_e·b_d − q·b'')/b. */
function div(a: D, b: D): D {
  const y = a.v / b.v;
  const [qd, qe] = [(a.d - y * b.d) / b.v, (a.e - y * b.e) / b.v];
  return new D(y, qd, qe, (a.de - qd * b.e - qe * b.d - y * b.de) / b.v);
}
const constant = (a: D) => a.d === 0 && a.e === 0 && a.de === 0;

export type Value = D | DArray | boolean | string | undefined | null | Value[] | { [key: string]: Value };

type Completion = { type: "normal" } | { type: "return"; value: Value } | { type: "break" | "continue"; label?: string };
const normal: Completion = { type: "normal" };

class Scope {
  private readonly vars = new Map<string, { value: Value }>();
  constructor(private readonly parent?: Scope) {}
  declare(name: string, value: Value): void {
    this.vars.set(name, { value });
  }
  cell(name: string): { value: Value } {
    const c = this.vars.get(name) ?? this.parent?.cell(name);
    if (!c) throw new Error(`oracle: unknown name ${name}`);
    return c;
  }
}

const num = (v: Value): D => {
  if (!(v instanceof D)) throw new Error(`oracle: expected a number, got ${String(v)}`);
  return v;
};
const c = (v: number) => new D(v, 0);

/** f'(x) for one-argument Math functions, from the rule conventions (the literal formulas); y = f(x). */
const unary: Record<string, (x: number, y: number) => number> = {
  sin: (x) => Math.cos(x), cos: (x) => -Math.sin(x), tan: (x) => 1 / (Math.cos(x) * Math.cos(x)),
  asin: (x) => 1 / Math.sqrt(1 - x * x), acos: (x) => -1 / Math.sqrt(1 - x * x), atan: (x) => 1 / (1 + x * x),
  sinh: (x) => Math.cosh(x), cosh: (x) => Math.sinh(x), tanh: (x) => 1 - Math.tanh(x) ** 2,
  asinh: (x) => 1 / Math.sqrt(x * x + 1), acosh: (x) => 1 / Math.sqrt(x * x - 1), atanh: (x) => 1 / (1 - x * x),
  exp: (x) => Math.exp(x), expm1: (x) => Math.exp(x), log: (x) => 1 / x, log1p: (x) => 1 / (1 + x),
  log2: (x) => 1 / (x * Math.LN2), log10: (x) => 1 / (x * Math.LN10),
  sqrt: (x, y) => 1 / (2 * y), cbrt: (x, y) => 1 / (3 * y * y), fround: () => 1,
  abs: (x) => (x >= 0 ? 1 : -1),
  sign: () => 0, floor: () => 0, ceil: () => 0, round: () => 0, trunc: () => 0,
};

/** f''(x), worked out by hand from f' above (not from the transformer's rules); y = f(x). */
const unary2: Record<string, (x: number, y: number) => number> = {
  sin: (x) => -Math.sin(x), cos: (x) => -Math.cos(x), tan: (x) => (2 * Math.sin(x)) / Math.cos(x) ** 3,
  asin: (x) => x / (1 - x * x) ** 1.5, acos: (x) => -x / (1 - x * x) ** 1.5, atan: (x) => (-2 * x) / (1 + x * x) ** 2,
  sinh: (x) => Math.sinh(x), cosh: (x) => Math.cosh(x), tanh: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
  asinh: (x) => -x / (x * x + 1) ** 1.5, acosh: (x) => -x / (x * x - 1) ** 1.5, atanh: (x) => (2 * x) / (1 - x * x) ** 2,
  exp: (x) => Math.exp(x), expm1: (x) => Math.exp(x), log: (x) => -1 / (x * x), log1p: (x) => -1 / (1 + x) ** 2,
  log2: (x) => -1 / (x * x * Math.LN2), log10: (x) => -1 / (x * x * Math.LN10),
  sqrt: (x, y) => -1 / (4 * y * y * y), cbrt: (x, y) => -2 / (9 * y ** 5), fround: () => 0,
  abs: () => 0, sign: () => 0, floor: () => 0, ceil: () => 0, round: () => 0, trunc: () => 0,
};

/**
 * a ** b. Its partials: y_a = b·a^(b−1) (zero where b is 0), y_b = y·ln a (zero where a is 0), and
 * second partials y_aa = b(b−1)·a^(b−2) (zero where b is 0 or 1), y_ab = a^(b−1)·(1 + b·ln a),
 * y_bb = y·ln²a (zero where a is 0).
 */
function pow(a: D, b: D): D {
  const y = a.v ** b.v;
  const ya = b.v === 0 ? 0 : b.v * a.v ** (b.v - 1);
  const yb = a.v === 0 ? 0 : y * Math.log(a.v);
  const along = (ta: number, tb: number) => times(ya, ta) + times(yb, tb);
  const [d, e] = [along(a.d, b.d), along(a.e, b.e)];
  if (constant(b)) return new D(y, d, e, times(ya, a.de) + (a.d === 0 || a.e === 0 ? 0 : (b.v === 0 || b.v === 1 ? 0 : b.v * (b.v - 1) * a.v ** (b.v - 2)) * a.d * a.e));
  if (constant(a)) return new D(y, d, e, times(yb, b.de) + (b.d === 0 || b.e === 0 || a.v === 0 ? 0 : yb * Math.log(a.v) * b.d * b.e));
  const yaa = b.v === 0 || b.v === 1 ? 0 : b.v * (b.v - 1) * a.v ** (b.v - 2);
  const yab = a.v ** (b.v - 1) * (1 + b.v * Math.log(a.v));
  const ybb = a.v === 0 ? 0 : yb * Math.log(a.v);
  return new D(y, d, e, along(a.de, b.de) + yaa * a.d * a.e + yab * (a.d * b.e + a.e * b.d) + ybb * b.d * b.e);
}

function mathCall(name: string, args: D[]): D {
  const [a, b] = args;
  if (name in unary) {
    const y = (Math as unknown as Record<string, (x: number) => number>)[name](a.v);
    return chain(a, y, unary[name](a.v, y), unary2[name](a.v, y));
  }
  switch (name) {
    case "pow": return pow(a, b);
    case "atan2": {
      // atan2(a, b) differs from atan(a/b) (or from −atan(b/a)) by a constant: the better conditioned one gives the derivatives.
      const t = Math.abs(b.v) >= Math.abs(a.v) ? mathCall("atan", [div(a, b)]) : neg(mathCall("atan", [div(b, a)]));
      return new D(Math.atan2(a.v, b.v), (b.v * a.d - a.v * b.d) / (a.v * a.v + b.v * b.v), t.e, t.de);
    }
    case "hypot": {
      const y = Math.hypot(...args.map((x) => x.v));
      const squares = args.map((x) => mul(x, x)).reduce(add);
      const t = chain(squares, y, 1 / (2 * y), -1 / (4 * y * y * y));
      return new D(y, args.reduce((s, x) => s + x.v * x.d, 0) / y, t.e, t.de);
    }
    case "max":
    case "min": {
      const y = (name === "max" ? Math.max : Math.min)(...args.map((x) => x.v));
      const tied = args.filter((x) => x.v === y);
      // A tie is where the selection switches: the tangent splits evenly there, a convention that
      // holds at the point alone (no derivative of it is compared).
      if (tied.length > 1) D.sawTie = true;
      const mean = (part: (x: D) => number) => (tied.length === 0 ? NaN : tied.reduce((s, x) => s + part(x), 0) / tied.length);
      return new D(y, mean((x) => x.d), mean((x) => x.e), mean((x) => x.de));
    }
  }
  throw new Error(`oracle: Math.${name}`);
}

function binary(op: ts.SyntaxKind, a: Value, b: Value): Value {
  const K = ts.SyntaxKind;
  switch (op) {
    case K.PlusToken: return add(num(a), num(b));
    case K.MinusToken: return sub(num(a), num(b));
    case K.AsteriskToken: return mul(num(a), num(b));
    case K.SlashToken: return div(num(a), num(b));
    case K.PercentToken: {
      // a − q·b with the integer q held constant.
      const [u, w] = [num(a), num(b)];
      const y = u.v % w.v;
      const q = Math.round((u.v - y) / w.v);
      return new D(y, u.d - q * w.d, u.e - q * w.e, u.de - q * w.de);
    }
    case K.AsteriskAsteriskToken: return pow(num(a), num(b));
    case K.LessThanToken:
    case K.LessThanEqualsToken:
    case K.GreaterThanToken:
    case K.GreaterThanEqualsToken: {
      const [u, w] = [num(a).v, num(b).v];
      if (u === w) D.sawTie = true;
      return op === K.LessThanToken ? u < w : op === K.LessThanEqualsToken ? u <= w : op === K.GreaterThanToken ? u > w : u >= w;
    }
    case K.EqualsEqualsEqualsToken: return a instanceof D && b instanceof D ? a.v === b.v : a === b;
    case K.ExclamationEqualsEqualsToken: return a instanceof D && b instanceof D ? a.v !== b.v : a !== b;
  }
  throw new Error(`oracle: operator ${ts.SyntaxKind[op]}`);
}

const compound: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = {
  [ts.SyntaxKind.PlusEqualsToken]: ts.SyntaxKind.PlusToken, [ts.SyntaxKind.MinusEqualsToken]: ts.SyntaxKind.MinusToken,
  [ts.SyntaxKind.AsteriskEqualsToken]: ts.SyntaxKind.AsteriskToken, [ts.SyntaxKind.SlashEqualsToken]: ts.SyntaxKind.SlashToken,
  [ts.SyntaxKind.PercentEqualsToken]: ts.SyntaxKind.PercentToken, [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: ts.SyntaxKind.AsteriskAsteriskToken,
};

/** Interprets the module's functions. */
export class Oracle {
  private readonly functions = new Map<string, ts.FunctionDeclaration>();
  private steps = 0;

  constructor(source: string) {
    const file = ts.createSourceFile("program.ts", source, ts.ScriptTarget.ES2022, true);
    // Functions at top level and in namespaces (the generator's names are unique).
    const collect = (statements: readonly ts.Statement[]): void => {
      for (const s of statements) {
        if (ts.isFunctionDeclaration(s) && s.name && s.body) this.functions.set(s.name.text, s);
        if (ts.isModuleDeclaration(s) && s.body && ts.isModuleBlock(s.body)) collect(s.body.statements);
      }
    };
    collect(file.statements);
  }

  call(name: string, args: Value[]): Value {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`oracle: no function ${name}`);
    const scope = new Scope();
    // A left-out parameter takes its default, evaluated in the function's scope.
    fn.parameters.forEach((p, i) => scope.declare((p.name as ts.Identifier).text, args[i] === undefined && p.initializer ? this.expr(p.initializer, scope) : args[i]));
    const done = this.block(fn.body!.statements, scope);
    return done.type === "return" ? done.value : undefined;
  }

  private block(statements: readonly ts.Statement[], parent: Scope): Completion {
    const scope = new Scope(parent);
    for (const s of statements) {
      const done = this.statement(s, scope);
      if (done.type !== "normal") return done;
    }
    return normal;
  }

  private statement(s: ts.Statement, scope: Scope, label?: string): Completion {
    if (++this.steps > 2_000_000) throw new Error("oracle: too many steps");
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) scope.declare((d.name as ts.Identifier).text, d.initializer ? this.copyIn(this.expr(d.initializer, scope)) : undefined);
      return normal;
    }
    if (ts.isExpressionStatement(s)) return void this.expr(s.expression, scope), normal;
    if (ts.isReturnStatement(s)) return { type: "return", value: s.expression ? this.expr(s.expression, scope) : undefined };
    if (ts.isBlock(s)) return this.block(s.statements, scope);
    if (ts.isIfStatement(s)) {
      if (this.truthy(this.expr(s.expression, scope))) return this.statement(s.thenStatement, scope);
      return s.elseStatement ? this.statement(s.elseStatement, scope) : normal;
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) return { type: ts.isBreakStatement(s) ? "break" : "continue", label: s.label?.text };
    if (ts.isLabeledStatement(s)) {
      const done = this.statement(s.statement, scope, s.label.text);
      return done.type === "break" && done.label === s.label.text ? normal : done;
    }
    if (ts.isForStatement(s) || ts.isWhileStatement(s) || ts.isDoStatement(s)) return this.loop(s, scope, label);
    if (ts.isForOfStatement(s)) return this.forOf(s, scope, label);
    throw new Error(`oracle: statement ${ts.SyntaxKind[s.kind]}`);
  }

  private loop(s: ts.ForStatement | ts.WhileStatement | ts.DoStatement, parent: Scope, label?: string): Completion {
    const scope = new Scope(parent);
    if (ts.isForStatement(s) && s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) {
        for (const d of s.initializer.declarations) scope.declare((d.name as ts.Identifier).text, this.expr(d.initializer!, scope));
      } else this.expr(s.initializer, scope);
    }
    const condition = ts.isForStatement(s) ? s.condition : s.expression;
    for (let first = true; ; first = false) {
      if (!(ts.isDoStatement(s) && first) && condition && !this.truthy(this.expr(condition, scope))) return normal;
      const done = this.statement(s.statement, scope);
      if (done.type === "return") return done;
      if (done.type === "break" && (!done.label || done.label === label)) return normal;
      if (done.type === "break") return done;
      if (done.type === "continue" && done.label && done.label !== label) return done;
      if (ts.isForStatement(s) && s.incrementor) this.expr(s.incrementor, scope);
      if (++this.steps > 2_000_000) throw new Error("oracle: too many steps");
    }
  }

  /** for (const v of xs) / for (v of xs): iterates the object it started with, reading it live. */
  private forOf(s: ts.ForOfStatement, parent: Scope, label?: string): Completion {
    const target = this.expr(s.expression, parent);
    const length = () => (target instanceof DArray ? target.v.length : (target as Value[]).length);
    for (let i = 0; i < length(); i++) {
      const scope = new Scope(parent);
      const item = this.element(target, c(i));
      if (ts.isVariableDeclarationList(s.initializer)) scope.declare((s.initializer.declarations[0].name as ts.Identifier).text, item);
      else this.assign(s.initializer, item, scope);
      const done = this.statement(s.statement, scope);
      if (done.type === "return") return done;
      if (done.type === "break" && (!done.label || done.label === label)) return normal;
      if (done.type === "break") return done;
      if (done.type === "continue" && done.label && done.label !== label) return done;
      if (++this.steps > 2_000_000) throw new Error("oracle: too many steps");
    }
    return normal;
  }

  private truthy(v: Value): boolean {
    return v instanceof D ? v.v !== 0 && !Number.isNaN(v.v) : Boolean(v);
  }

  /** Numbers are values: a D is never mutated, so sharing it is copying it. */
  private copyIn(v: Value): Value {
    return v;
  }

  private expr(e: ts.Expression, scope: Scope): Value {
    const K = ts.SyntaxKind;
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) return this.expr(e.expression, scope);
    if (ts.isNumericLiteral(e)) return c(Number(e.text));
    if (ts.isStringLiteral(e)) return e.text;
    if (e.kind === K.TrueKeyword) return true;
    if (e.kind === K.FalseKeyword) return false;
    if (e.kind === K.NullKeyword) return null;
    if (ts.isIdentifier(e)) return scope.cell(e.text).value;
    if (ts.isPrefixUnaryExpression(e)) return this.prefix(e, scope);
    if (ts.isPostfixUnaryExpression(e)) return this.update(e.operand, e.operator === K.PlusPlusToken ? 1 : -1, scope, true);
    if (ts.isConditionalExpression(e)) return this.truthy(this.expr(e.condition, scope)) ? this.expr(e.whenTrue, scope) : this.expr(e.whenFalse, scope);
    if (ts.isBinaryExpression(e)) return this.binaryExpr(e, scope);
    if (ts.isPropertyAccessExpression(e)) return this.property(e, scope);
    if (ts.isElementAccessExpression(e)) return this.element(this.expr(e.expression, scope), this.expr(e.argumentExpression, scope));
    if (ts.isCallExpression(e)) return this.callExpr(e, scope);
    if (ts.isNewExpression(e)) return this.newExpr(e, scope);
    if (ts.isObjectLiteralExpression(e)) {
      const out: Record<string, Value> = {};
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) out[p.name.getText()] = this.expr(p.initializer, scope);
        else if (ts.isShorthandPropertyAssignment(p)) out[p.name.text] = scope.cell(p.name.text).value;
        else throw new Error("oracle: object member");
      }
      return out;
    }
    if (ts.isArrayLiteralExpression(e)) return e.elements.map((el) => this.expr(el, scope));
    throw new Error(`oracle: expression ${K[e.kind]}`);
  }

  private prefix(e: ts.PrefixUnaryExpression, scope: Scope): Value {
    const K = ts.SyntaxKind;
    if (e.operator === K.PlusPlusToken || e.operator === K.MinusMinusToken) return this.update(e.operand, e.operator === K.PlusPlusToken ? 1 : -1, scope, false);
    const v = this.expr(e.operand, scope);
    if (e.operator === K.MinusToken) return neg(num(v));
    if (e.operator === K.PlusToken) return num(v);
    if (e.operator === K.ExclamationToken) return !this.truthy(v);
    throw new Error(`oracle: prefix ${K[e.operator]}`);
  }

  private update(target: ts.Expression, delta: number, scope: Scope, postfix: boolean): Value {
    const old = num(this.expr(target, scope));
    const next = new D(old.v + delta, old.d, old.e, old.de);
    this.assign(target, next, scope);
    return postfix ? old : next;
  }

  private binaryExpr(e: ts.BinaryExpression, scope: Scope): Value {
    const K = ts.SyntaxKind;
    const op = e.operatorToken.kind;
    if (op === K.EqualsToken) {
      const v = this.expr(e.right, scope);
      this.assign(e.left, v, scope);
      return v;
    }
    const base = compound[op];
    if (base !== undefined) {
      const v = binary(base, this.expr(e.left, scope), this.expr(e.right, scope));
      this.assign(e.left, v, scope);
      return v;
    }
    if (op === K.AmpersandAmpersandToken) return this.truthy(this.expr(e.left, scope)) ? this.expr(e.right, scope) : false;
    if (op === K.BarBarToken) return this.truthy(this.expr(e.left, scope)) ? true : this.expr(e.right, scope);
    if (op === K.QuestionQuestionToken) {
      const left = this.expr(e.left, scope);
      return left === null || left === undefined ? this.expr(e.right, scope) : left;
    }
    return binary(op, this.expr(e.left, scope), this.expr(e.right, scope));
  }

  private assign(target: ts.Expression, v: Value, scope: Scope): void {
    if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target)) return this.assign(target.expression, v, scope);
    if (ts.isIdentifier(target)) return void (scope.cell(target.text).value = v);
    if (ts.isElementAccessExpression(target)) {
      const container = this.expr(target.expression, scope);
      const index = num(this.expr(target.argumentExpression, scope)).v;
      if (container instanceof DArray) container.put(index, num(v));
      else (container as Value[])[index] = v;
      return;
    }
    if (ts.isPropertyAccessExpression(target)) {
      (this.expr(target.expression, scope) as Record<string, Value>)[target.name.text] = v;
      return;
    }
    throw new Error("oracle: assignment target");
  }

  private property(e: ts.PropertyAccessExpression, scope: Scope): Value {
    if (ts.isIdentifier(e.expression) && e.expression.text === "Math") return c((Math as unknown as Record<string, number>)[e.name.text]);
    const object = this.expr(e.expression, scope);
    if (e.name.text === "length" && (object instanceof DArray || Array.isArray(object))) return c(object instanceof DArray ? object.v.length : object.length);
    return (object as Record<string, Value>)[e.name.text];
  }

  private element(container: Value, index: Value): Value {
    const i = num(index).v;
    if (container instanceof DArray) return i >= 0 && i < container.v.length && Number.isInteger(i) ? container.at(i) : undefined;
    return (container as Value[])[i];
  }

  private callExpr(e: ts.CallExpression, scope: Scope): Value {
    const callee = e.expression;
    const args = () => e.arguments.map((a) => this.expr(a, scope));
    // NS.h0, lib.h0, lib.NS.h0: a namespace or a module import (the generator's names are unique).
    const qualifier = (q: ts.Expression): boolean => (ts.isIdentifier(q) && (q.text === "NS" || q.text === "lib")) || (ts.isPropertyAccessExpression(q) && qualifier(q.expression) && q.name.text === "NS");
    if (ts.isPropertyAccessExpression(callee) && qualifier(callee.expression)) return this.call(callee.name.text, args());
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (ts.isIdentifier(callee.expression) && callee.expression.text === "Math") return mathCall(name, args().map(num));
      if (ts.isIdentifier(callee.expression) && callee.expression.text === "Float64Array") {
        return DArray.of((name === "from" ? (args()[0] as Value[]) : args()).map(num));
      }
      const target = this.expr(callee.expression, scope);
      const fn = e.arguments[0];
      if ((name === "map" || name === "reduce") && fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
        return this.callback(target, name, fn, e.arguments[1] ? this.expr(e.arguments[1], scope) : undefined, scope);
      }
      if (target instanceof DArray) return this.arrayMethod(target, name, args());
    }
    if (ts.isIdentifier(callee) && !this.functions.has(callee.text) && Object.prototype.hasOwnProperty.call(opsOracle, callee.text)) return opsOracle[callee.text](args());
    if (ts.isIdentifier(callee)) return this.call(callee.text, args());
    if (ts.isPropertyAccessExpression(callee) && this.functions.has(callee.name.text)) return this.call(callee.name.text, args());
    throw new Error(`oracle: call ${callee.getText()}`);
  }

  /** xs.map(f) and xs.reduce(f, init) with an arrow: the arrow sees the enclosing scope. */
  private callback(target: Value, name: string, fn: ts.ArrowFunction | ts.FunctionExpression, init: Value, scope: Scope): Value {
    // Elements are read live, as the built-ins do (a callback may write the array it walks).
    const length = target instanceof DArray ? target.v.length : (target as Value[]).length;
    const item = (i: number) => this.element(target, c(i));
    const call = (args: Value[]): Value => {
      const inner = new Scope(scope);
      fn.parameters.forEach((p, i) => inner.declare((p.name as ts.Identifier).text, args[i]));
      if (!ts.isBlock(fn.body)) return this.expr(fn.body, inner);
      const done = this.block(fn.body.statements, inner);
      return done.type === "return" ? done.value : undefined;
    };
    if (name === "reduce") {
      let acc = init;
      for (let i = 0; i < length; i++) acc = call([acc, item(i), c(i), target]);
      return acc;
    }
    const out: Value[] = [];
    for (let i = 0; i < length; i++) out.push(call([item(i), c(i), target]));
    return target instanceof DArray ? DArray.of(out.map(num)) : out;
  }

  private arrayMethod(a: DArray, name: string, args: Value[]): Value {
    const ints = args.map((x) => (x instanceof D ? x.v : undefined));
    switch (name) {
      case "fill": {
        const x = num(args[0]);
        a.v.fill(x.v, ints[1], ints[2]);
        a.d.fill(x.d, ints[1], ints[2]);
        a.e.fill(x.e, ints[1], ints[2]);
        a.de.fill(x.de, ints[1], ints[2]);
        return a;
      }
      case "slice": return a.map((p) => p.slice(ints[0], ints[1]));
      case "subarray": return a.map((p) => p.subarray(ints[0], ints[1]));
      case "set": {
        const src = args[0] as DArray;
        a.v.set(src.v, ints[1]);
        a.d.set(src.d, ints[1]);
        a.e.set(src.e, ints[1]);
        a.de.set(src.de, ints[1]);
        return undefined;
      }
    }
    throw new Error(`oracle: Float64Array.${name}`);
  }

  private newExpr(e: ts.NewExpression, scope: Scope): Value {
    const arg = this.expr(e.arguments![0], scope);
    if (arg instanceof DArray) return arg.map((p) => Float64Array.from(p));
    const n = num(arg).v;
    return new DArray(new Float64Array(n), new Float64Array(n));
  }
}

const arr = (v: Value): DArray => {
  if (!(v instanceof DArray)) throw new Error(`oracle: expected a Float64Array, got ${String(v)}`);
  return v;
};

/** Writes element i of a result (value and tangent) into `out`, or a new array. */
function elementwise(n: number, out: Value, at: (i: number) => D): DArray {
  const o = out instanceof DArray ? out : new DArray(new Float64Array(n), new Float64Array(n));
  for (let i = 0; i < n; i++) o.put(i, at(i)); // at(i) reads its inputs before the write: out may be an input
  return o;
}

/**
 * The primitives of tsjvp/ops the generator uses, from their definitions over dual numbers: first
 * order only (their hand-written twins have no twins, so a program using them has no Hessian check).
 */
const opsOracle: Record<string, (args: Value[]) => Value> = {
  sum: ([x]) => {
    const a = arr(x);
    let v = 0;
    let d = 0;
    for (let i = 0; i < a.v.length; i++) {
      v += a.v[i];
      d += a.d[i];
    }
    return new D(v, d);
  },
  dot: ([x, y]) => {
    const [a, b] = [arr(x), arr(y)];
    let v = 0;
    let d = 0;
    for (let i = 0; i < a.v.length; i++) {
      v += a.v[i] * b.v[i];
      d += a.d[i] * b.v[i] + a.v[i] * b.d[i];
    }
    return new D(v, d);
  },
  logsumexp: ([x]) => {
    const a = arr(x);
    const m = Math.max(...a.v);
    let s = 0;
    let d = 0;
    for (let i = 0; i < a.v.length; i++) {
      const e = Math.exp(a.v[i] - m);
      s += e;
      d += e * a.d[i];
    }
    return new D(m + Math.log(s), d / s);
  },
  scale: ([k, x, out]) => {
    const [c, a] = [num(k), arr(x)];
    return elementwise(a.v.length, out, (i) => new D(c.v * a.v[i], c.d * a.v[i] + c.v * a.d[i]));
  },
  axpy: ([k, x, y, out]) => {
    const [c, a, b] = [num(k), arr(x), arr(y)];
    return elementwise(a.v.length, out, (i) => new D(c.v * a.v[i] + b.v[i], c.d * a.v[i] + c.v * a.d[i] + b.d[i]));
  },
  mul: ([x, y, out]) => {
    const [a, b] = [arr(x), arr(y)];
    return elementwise(a.v.length, out, (i) => new D(a.v[i] * b.v[i], a.d[i] * b.v[i] + a.v[i] * b.d[i]));
  },
  tanh: ([x, out]) => {
    const a = arr(x);
    return elementwise(a.v.length, out, (i) => {
      const t = Math.tanh(a.v[i]);
      return new D(t, (1 - t * t) * a.d[i]);
    });
  },
  softmax: ([x, out]) => {
    const a = arr(x);
    const m = Math.max(...a.v);
    const e = Array.from(a.v, (v) => Math.exp(v - m));
    const s = e.reduce((p, q) => p + q, 0);
    const y = e.map((v) => v / s);
    const yd = y.reduce((p, q, i) => p + q * a.d[i], 0);
    return elementwise(a.v.length, out, (i) => new D(y[i], y[i] * (a.d[i] - yd)));
  },
};
