import type * as ts from "typescript";
import { Core, isGlobal, skipOuter, symbolOf } from "../core/context";
import { libraryRole } from "../model/builtins";
import type { Activity } from "./activity";

/**
 * Questions about one specialisation's converged activity that the fence's second half and derive
 * both ask, answered the same way for both, and once per node (they ask about every sub-expression).
 */
export class ActivityQueries {
  private readonly holdsActive = new Map<ts.Node, boolean>();
  private readonly rewritten = new Map<ts.Node, boolean>();

  constructor(readonly core: Core, readonly activity: Activity) {}

  isActive(e: ts.Expression): boolean {
    return this.activity.isActive(e);
  }

  /** Does this name carry a tangent here? */
  hasTangent(id: ts.Identifier): boolean {
    const s = symbolOf(this.core, id);
    return s !== undefined && this.activity.isActiveSymbol(s);
  }

  /** Does any variable read in `e` carry a tangent? */
  containsActive(e: ts.Node): boolean {
    if (this.core.ts.isIdentifier(e)) return this.hasTangent(e);
    let answer = this.holdsActive.get(e);
    if (answer === undefined) {
      answer = this.core.ts.forEachChild(e, (c) => (this.containsActive(c) ? true : undefined)) ?? false;
      this.holdsActive.set(e, answer);
    }
    return answer;
  }

  /**
   * Whether a sub-expression whose value is not differentiated must still be visited: it calls a
   * function with differentiated arguments (a twin, or a diagnostic), or builds an object or array
   * from differentiated values (a diagnostic).
   */
  needsRewrite(e: ts.Node): boolean {
    let answer = this.rewritten.get(e);
    if (answer === undefined) {
      answer = this.computeRewrite(e);
      this.rewritten.set(e, answer);
    }
    return answer;
  }

  private computeRewrite(e: ts.Node): boolean {
    const { ts } = this.core;
    const core = this.core;
    if (ts.isCallExpression(e)) {
      const callee = skipOuter(core, e.expression);
      const builtin = ts.isPropertyAccessExpression(callee) &&
        (isGlobal(core, callee.expression, "Math") || isGlobal(core, callee.expression, "Float64Array"));
      const receiver = ts.isPropertyAccessExpression(callee) && this.containsActive(callee.expression);
      if (!builtin && (receiver || e.arguments.some((a) => this.containsActive(a)))) return true;
      // Text made from differentiated values reaching a call: checked by the fence (TS97020).
      if (e.arguments.some((a) => this.activity.isDerivedText(a)) || (ts.isPropertyAccessExpression(callee) && this.activity.isDerivedText(callee.expression))) return true;
    }
    if (ts.isPrefixUnaryExpression(e) && this.activity.isDerivedText(e.operand)) return true;
    if (ts.isBinaryExpression(e) && isLogical(core, e) && this.containsActive(e)) return true;
    if (ts.isNewExpression(e) && !isGlobal(core, e.expression, "Float64Array") && libraryRole(core, e.expression) !== "sink" &&
      (e.arguments ?? []).some((a) => this.containsActive(a))) return true;
    if ((ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e)) && this.containsActive(e)) return true;
    return ts.forEachChild(e, (c) => (this.needsRewrite(c) ? true : undefined)) ?? false;
  }

  /** Is `e` visited by derive at all? (Else it is copied as it is, with a zero tangent.) */
  isVisited(e: ts.Expression): boolean {
    return this.isActive(e) || this.needsRewrite(e);
  }

  /** Does this for-loop header part write a variable that carries a tangent? */
  containsActiveWrite(node: ts.Node): boolean {
    const { ts } = this.core;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && this.hasTangent(node.name)) return true;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      if (this.containsActive(node.left) || this.containsActive(node.right)) return true;
    }
    if (ts.isCallExpression(node) && this.containsActive(node)) return true;
    return ts.forEachChild(node, (c) => (this.containsActiveWrite(c) ? true : undefined)) ?? false;
  }

  /** Declared outside the differentiated function: module state, or another module's. */
  isOuter(symbol: ts.Symbol, fn: ts.Node): boolean {
    const decl = symbol.valueDeclaration;
    return decl !== undefined && (decl.getSourceFile() !== fn.getSourceFile() || decl.pos < fn.pos || decl.end > fn.end);
  }
}

export function isLogical(core: Core, e: ts.BinaryExpression): boolean {
  const K = core.ts.SyntaxKind;
  return [K.AmpersandAmpersandToken, K.BarBarToken, K.QuestionQuestionToken].includes(e.operatorToken.kind);
}

const queries = new WeakMap<Activity, ActivityQueries>();

/** One set of answers per specialisation, shared by the fence and derive (activity has converged). */
export function queriesOf(core: Core, activity: Activity): ActivityQueries {
  let q = queries.get(activity);
  if (!q) {
    q = new ActivityQueries(core, activity);
    queries.set(activity, q);
  }
  return q;
}
