import type * as ts from "typescript";

/**
 * `a op b`. The factory parenthesizes by precedence, except a unary left operand of `**`
 * (`-x ** 2` is a syntax error in JavaScript): that one is parenthesized here.
 */
export function binary(tsi: typeof ts, f: ts.NodeFactory, a: ts.Expression, op: ts.BinaryOperator, b: ts.Expression): ts.Expression {
  const unary = tsi.isPrefixUnaryExpression(a) || tsi.isTypeOfExpression(a) || tsi.isVoidExpression(a) || tsi.isDeleteExpression(a) || tsi.isAwaitExpression(a) || tsi.isTypeAssertionExpression(a);
  return f.createBinaryExpression(op === tsi.SyntaxKind.AsteriskAsteriskToken && unary ? f.createParenthesizedExpression(a) : a, op, b);
}

/** A tangent expression, or `null`: the symbolic zero of an inactive value (it contributes nothing). */
export type Tan = ts.Expression | null;

/**
 * Builders for tangent arithmetic that fold symbolic zeros (Clad's ConstantFolder): `ZERO * a` is
 * ZERO, `ZERO + b` is `b`. A numeric 0 is not folded: IEEE arithmetic applies literally (∞·0 = NaN).
 */
export class Algebra {
  constructor(
    private readonly tsi: typeof ts,
    private readonly f: ts.NodeFactory,
    private readonly runtimeRef: (name: string) => ts.Expression,
  ) {}

  num(value: number): ts.Expression {
    if (Object.is(value, -0) || value < 0) {
      return this.f.createPrefixUnaryExpression(this.tsi.SyntaxKind.MinusToken, this.f.createNumericLiteral(-value));
    }
    return this.f.createNumericLiteral(value);
  }

  /**
   * TypeScript's printer takes `*` as associative: a * (b * c) is printed, and so evaluated, as
   * a * b * c. Products are left in the order a person reads them; they differ only in rounding.
   */
  private bin(a: ts.Expression, op: ts.BinaryOperator, b: ts.Expression): ts.Expression {
    return binary(this.tsi, this.f, a, op, b);
  }

  /**
   * Sums fold a negated term into the operator (`a + s * -b` is `a - s * b`, `a - -b` is `a + b`):
   * exact in IEEE arithmetic, where negation only flips the sign bit.
   */
  add(a: Tan, b: Tan): Tan {
    if (!a) return b;
    if (!b) return a;
    const nb = this.negated(b);
    if (nb) return this.bin(a, this.tsi.SyntaxKind.MinusToken, nb);
    const na = this.negated(a);
    if (na) return this.bin(b, this.tsi.SyntaxKind.MinusToken, na);
    return this.bin(a, this.tsi.SyntaxKind.PlusToken, b);
  }

  sub(a: Tan, b: Tan): Tan {
    if (!b) return a;
    if (!a) return this.neg(b);
    const nb = this.negated(b);
    if (nb) return this.bin(a, this.tsi.SyntaxKind.PlusToken, nb);
    return this.bin(a, this.tsi.SyntaxKind.MinusToken, b);
  }

  /** `e` without one negation (`-u` → u, `p * -u` → p * u, `-u / p` → u / p), or undefined. */
  private negated(e: ts.Expression): ts.Expression | undefined {
    const { tsi } = this;
    const K = tsi.SyntaxKind;
    if (tsi.isPrefixUnaryExpression(e) && e.operator === K.MinusToken) return e.operand;
    if (tsi.isParenthesizedExpression(e)) {
      const inner = this.negated(e.expression);
      return inner && this.f.createParenthesizedExpression(inner);
    }
    if (!tsi.isBinaryExpression(e) || (e.operatorToken.kind !== K.AsteriskToken && e.operatorToken.kind !== K.SlashToken)) return undefined;
    const op = e.operatorToken.kind;
    const left = this.negated(e.left);
    if (left) return this.f.createBinaryExpression(left, op, e.right);
    const right = this.negated(e.right);
    if (right) return this.f.createBinaryExpression(e.left, op, right);
    return undefined;
  }

  mul(a: Tan, b: Tan): Tan {
    if (!a || !b) return null;
    return this.bin(a, this.tsi.SyntaxKind.AsteriskToken, b);
  }

  div(a: Tan, b: ts.Expression): Tan {
    if (!a) return null;
    return this.bin(a, this.tsi.SyntaxKind.SlashToken, b);
  }

  neg(a: Tan): Tan {
    if (!a) return null;
    return this.negated(a) ?? this.f.createPrefixUnaryExpression(this.tsi.SyntaxKind.MinusToken, a);
  }

  /** Primal arithmetic (never zero): `a op b`. */
  op(a: ts.Expression, op: "+" | "-" | "*" | "/" | "**" | ">=" | ">" | "<" | "===" | "&&", b: ts.Expression): ts.Expression {
    const K = this.tsi.SyntaxKind;
    const kinds = {
      "+": K.PlusToken, "-": K.MinusToken, "*": K.AsteriskToken, "/": K.SlashToken, "**": K.AsteriskAsteriskToken,
      ">=": K.GreaterThanEqualsToken, ">": K.GreaterThanToken, "<": K.LessThanToken, "===": K.EqualsEqualsEqualsToken,
      "&&": K.AmpersandAmpersandToken,
    } as const;
    return this.bin(a, kinds[op], b);
  }

  /** A tangent that is not a number (a NaN argument of Math.max). */
  nan(): ts.Expression {
    return this.f.createIdentifier("NaN");
  }

  /** `Math.<name>(args)` */
  math(name: string, ...args: ts.Expression[]): ts.Expression {
    const callee = this.f.createPropertyAccessExpression(this.f.createIdentifier("Math"), name);
    return this.f.createCallExpression(callee, undefined, args);
  }

  /** `Math.<name>` (a constant such as LN2) */
  mathConst(name: string): ts.Expression {
    return this.f.createPropertyAccessExpression(this.f.createIdentifier("Math"), name);
  }

  /** A helper of tsjvp's runtime (`tsjvp_runtime.<name>(args)`). */
  runtime(name: string, ...args: ts.Expression[]): ts.Expression {
    return this.f.createCallExpression(this.runtimeRef(name), undefined, args);
  }

  /** `c ? a : b`, a symbolic zero branch written as 0. */
  cond(c: ts.Expression, a: Tan, b: Tan): Tan {
    if (!a && !b) return null;
    return this.f.createConditionalExpression(c, undefined, this.orZero(a), undefined, this.orZero(b));
  }

  orZero(t: Tan): ts.Expression {
    return t ?? this.num(0);
  }
}
