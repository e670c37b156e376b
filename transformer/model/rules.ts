import type * as ts from "typescript";
import { Algebra, Tan } from "./algebra";

/**
 * What a rule sees: the operands (`x(i)`, held in a temporary when not already a simple name, so
 * that using one twice costs nothing), their tangents (`dx[i]`, null for a symbolic zero), and the
 * primal result (`r()`, held in a temporary on first use).
 */
export interface RuleInput {
  readonly x: (i: number) => ts.Expression;
  readonly dx: readonly Tan[];
  readonly r: () => ts.Expression;
  readonly literal: (i: number) => number | undefined;
  readonly count: number;
  readonly t: Algebra;
  /** Are operands i and j the same simple value with the same tangent (a read of the same name)? */
  readonly same: (i: number, j: number) => boolean;
  /** Is operand i a literal multiple of operand j (`100 * a` and `a`), tangent included? */
  readonly scaled: (i: number, j: number) => boolean;
}

export type Rule = (a: RuleInput) => Tan;

/** Σ f(i) over the operands, folding symbolic zeros. */
function sum(a: RuleInput, term: (i: number) => Tan): Tan {
  let total: Tan = null;
  for (let i = 0; i < a.count; i++) total = a.t.add(total, term(i));
  return total;
}

/** x ** y and Math.pow: docs/architecture.md, "Conventions" (dx term 0 where y = 0, dy term 0 where x = 0). */
const pow: Rule = ({ x, dx, r, literal, t }) => {
  const k = literal(1);
  if (!dx[1] && k !== undefined) {
    // d(x ** k) = k * x ** (k - 1) * dx, for a constant k
    if (k === 0) return null;
    const power = k - 1 === 1 ? x(0) : t.op(x(0), "**", t.num(k - 1));
    return t.mul(t.op(t.num(k), "*", power), dx[0]);
  }
  if (!dx[1]) {
    // d(x ** y) = y * x ** (y - 1) * dx, 0 where y = 0
    const term = t.mul(t.op(x(1), "*", t.op(x(0), "**", t.op(x(1), "-", t.num(1)))), dx[0]);
    return t.cond(t.op(x(1), "===", t.num(0)), null, term);
  }
  if (!dx[0]) {
    // d(x ** y) = x ** y * ln(x) * dy, 0 where x = 0
    const base = literal(0);
    if (base === 0) return null;
    const term = t.mul(t.op(r(), "*", t.math("log", x(0))), dx[1]);
    return base === undefined ? t.cond(t.op(x(0), "===", t.num(0)), null, term) : term;
  }
  // Both: the two terms above, written out so that a second pass can differentiate them. The dx
  // term's convention matters only where x = 0 too (elsewhere y · x ** (y - 1) is 0 at y = 0 by
  // itself), and guarding only there keeps its derivative in y right at y = 0.
  const dxTerm = t.mul(t.op(x(1), "*", t.op(x(0), "**", t.op(x(1), "-", t.num(1)))), dx[0]);
  const dyTerm = t.mul(t.op(r(), "*", t.math("log", x(0))), dx[1]);
  const atZero = t.op(x(0), "===", t.num(0));
  return t.add(t.cond(t.op(t.op(x(1), "===", t.num(0)), "&&", atZero), null, dxTerm), t.cond(atZero, null, dyTerm));
};

/**
 * Math.max / Math.min: the selected argument's tangent, ties split evenly, NaN for NaN. Of two
 * arguments, written out: `a > b ? da : a < b ? db : a === b ? (da + db) / 2 : NaN` (for max);
 * of more, the runtime's extremumDot.
 */
const extremum = (larger: ">" | "<"): Rule => (a) => {
  const { t, dx } = a;
  if (dx.every((d) => !d)) return null;
  if (a.count === 2) {
    const smaller = larger === ">" ? "<" : ">";
    const tie = t.cond(t.op(a.x(0), "===", a.x(1)), t.div(t.add(dx[0], dx[1]), t.num(2)), t.nan());
    return t.cond(t.op(a.x(0), larger, a.x(1)), dx[0], t.cond(t.op(a.x(0), smaller, a.x(1)), dx[1], tie));
  }
  const args: ts.Expression[] = [a.r()];
  for (let i = 0; i < a.count; i++) args.push(a.x(i), t.orZero(dx[i]));
  return t.runtime("extremumDot", ...args);
};

/** Binary operators on numbers, one line of math each. */
export const operatorRules: Record<"+" | "-" | "*" | "/" | "%" | "**", Rule> = {
  // d(a + b) = da + db
  "+": ({ dx, t }) => t.add(dx[0], dx[1]),
  // d(a - b) = da - db
  "-": ({ dx, t }) => t.sub(dx[0], dx[1]),
  // d(a * b) = da * b + a * db
  "*": ({ x, dx, t, same, scaled }) => {
    // d(a * a) = 2 * a * da (bit-identical to da * a + a * da: both are an exact doubling)
    if (dx[0] && same(0, 1)) return t.mul(t.op(t.num(2), "*", x(0)), dx[0]);
    // d((c * a) * a) = 2 * (c * a) * da, as a person writes it (within rounding of the product rule)
    if (dx[0] && dx[1] && scaled(0, 1)) return t.mul(t.op(t.num(2), "*", x(0)), dx[1]);
    if (dx[0] && dx[1] && scaled(1, 0)) return t.mul(t.op(t.num(2), "*", x(1)), dx[0]);
    const a = dx[1] ? x(0) : null; // operands held in source order
    const b = dx[0] ? x(1) : null;
    return t.add(t.mul(dx[0], b), t.mul(a, dx[1]));
  },
  // d(a / b) = (da - r * db) / b
  "/": ({ x, dx, r, t }) => t.div(t.sub(dx[0], t.mul(dx[1] ? r() : null, dx[1])), x(1)),
  // d(a % b) = da - q * db, q = round((a - r) / b), the quotient % really used
  "%": ({ x, dx, r, t }) =>
    t.sub(dx[0], dx[1] ? t.mul(t.math("round", t.op(t.op(x(0), "-", r()), "/", x(1))), dx[1]) : null),
  "**": pow,
};

/** Math functions: `Math.<name>(…)`. */
export const mathRules: Record<string, Rule> = {
  sin: ({ x, dx, t }) => t.mul(t.math("cos", x(0)), dx[0]), // cos(x) dx
  cos: ({ x, dx, t }) => t.mul(t.neg(t.math("sin", x(0))), dx[0]), // -sin(x) dx
  tan: ({ r, dx, t }) => t.mul(t.op(t.num(1), "+", t.op(r(), "*", r())), dx[0]), // (1 + tan²) dx
  asin: ({ x, dx, t }) => t.div(dx[0], t.math("sqrt", t.op(t.num(1), "-", t.op(x(0), "*", x(0))))), // dx / √(1 − x²)
  acos: ({ x, dx, t }) => t.neg(t.div(dx[0], t.math("sqrt", t.op(t.num(1), "-", t.op(x(0), "*", x(0)))))), // −dx / √(1 − x²)
  atan: ({ x, dx, t }) => t.div(dx[0], t.op(t.num(1), "+", t.op(x(0), "*", x(0)))), // dx / (1 + x²)
  atan2: ({ x, dx, t }) => // (x dy − y dx) / (x² + y²), for atan2(y, x)
    t.div(t.sub(t.mul(dx[0] ? x(1) : null, dx[0]), t.mul(dx[1] ? x(0) : null, dx[1])), t.op(t.op(x(1), "*", x(1)), "+", t.op(x(0), "*", x(0)))),
  sinh: ({ x, dx, t }) => t.mul(t.math("cosh", x(0)), dx[0]), // cosh(x) dx
  cosh: ({ x, dx, t }) => t.mul(t.math("sinh", x(0)), dx[0]), // sinh(x) dx
  tanh: ({ r, dx, t }) => t.mul(t.op(t.num(1), "-", t.op(r(), "*", r())), dx[0]), // (1 − tanh²) dx
  asinh: ({ x, dx, t }) => t.div(dx[0], t.math("sqrt", t.op(t.op(x(0), "*", x(0)), "+", t.num(1)))), // dx / √(x² + 1)
  acosh: ({ x, dx, t }) => t.div(dx[0], t.math("sqrt", t.op(t.op(x(0), "*", x(0)), "-", t.num(1)))), // dx / √(x² − 1)
  atanh: ({ x, dx, t }) => t.div(dx[0], t.op(t.num(1), "-", t.op(x(0), "*", x(0)))), // dx / (1 − x²)
  exp: ({ r, dx, t }) => t.mul(r(), dx[0]), // eˣ dx
  expm1: ({ r, dx, t }) => t.mul(t.op(r(), "+", t.num(1)), dx[0]), // eˣ dx
  log: ({ x, dx, t }) => t.div(dx[0], x(0)), // dx / x
  log1p: ({ x, dx, t }) => t.div(dx[0], t.op(t.num(1), "+", x(0))), // dx / (1 + x)
  log2: ({ x, dx, t }) => t.div(dx[0], t.op(x(0), "*", t.mathConst("LN2"))), // dx / (x ln 2)
  log10: ({ x, dx, t }) => t.div(dx[0], t.op(x(0), "*", t.mathConst("LN10"))), // dx / (x ln 10)
  sqrt: ({ r, dx, t }) => t.div(dx[0], t.op(t.num(2), "*", r())), // dx / (2 √x)
  cbrt: ({ r, dx, t }) => t.div(dx[0], t.op(t.op(t.num(3), "*", r()), "*", r())), // dx / (3 ∛x²)
  pow,
  abs: ({ x, dx, t }) => t.cond(t.op(x(0), ">=", t.num(0)), dx[0], t.neg(dx[0])), // x >= 0 ? dx : −dx
  hypot: (a) => a.t.div(sum(a, (i) => a.t.mul(a.dx[i] ? a.x(i) : null, a.dx[i])), a.r()), // Σ xᵢ dxᵢ / hypot
  max: extremum(">"),
  min: extremum("<"),
  fround: ({ dx }) => dx[0], // dx
};

/** Math functions whose result is piecewise constant: no tangent (docs/architecture.md, "Conventions"). */
export const inactiveMath = new Set(["sign", "floor", "ceil", "round", "trunc", "random"]);
