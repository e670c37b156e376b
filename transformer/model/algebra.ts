import type * as ts from "typescript";

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

  private bin(a: ts.Expression, op: ts.BinaryOperator, b: ts.Expression): ts.Expression {
    return this.f.createBinaryExpression(a, op, b);
  }

  add(a: Tan, b: Tan): Tan {
    if (!a) return b;
    if (!b) return a;
    return this.bin(a, this.tsi.SyntaxKind.PlusToken, b);
  }

  sub(a: Tan, b: Tan): Tan {
    if (!b) return a;
    if (!a) return this.neg(b);
    return this.bin(a, this.tsi.SyntaxKind.MinusToken, b);
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
    return this.f.createPrefixUnaryExpression(this.tsi.SyntaxKind.MinusToken, a);
  }

  /** Primal arithmetic (never zero): `a op b`. */
  op(a: ts.Expression, op: "+" | "-" | "*" | "/" | "**" | ">=" | "===", b: ts.Expression): ts.Expression {
    const K = this.tsi.SyntaxKind;
    const kinds = {
      "+": K.PlusToken, "-": K.MinusToken, "*": K.AsteriskToken, "/": K.SlashToken,
      "**": K.AsteriskAsteriskToken, ">=": K.GreaterThanEqualsToken, "===": K.EqualsEqualsEqualsToken,
    } as const;
    return this.bin(a, kinds[op], b);
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
