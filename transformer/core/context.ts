import type * as ts from "typescript";
import { DiagnosticBag } from "./diagnostics";

/** What every part of the core shares for one source file. */
export interface Core {
  readonly ts: typeof ts;
  readonly f: ts.NodeFactory;
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly file: ts.SourceFile;
  readonly diags: DiagnosticBag;
  readonly context: ts.TransformationContext;
}

/** Strips parentheses and type-only wrappers (`as`, `!`, `satisfies`, `<T>x`). */
export function skipOuter(core: Core, e: ts.Expression): ts.Expression {
  const { ts } = core;
  while (
    ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) ||
    ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}

/** The symbol an identifier refers to (the local, for an import alias). */
export function symbolOf(core: Core, node: ts.Node): ts.Symbol | undefined {
  const answers = symbolCache.answersFor(core.checker);
  if (answers.has(node)) return answers.get(node);
  // In `{ pos, vel }` the name is both a property and a read of the variable: the variable counts.
  const parent = node.parent;
  const symbol = parent && core.ts.isShorthandPropertyAssignment(parent) && parent.name === node
    ? core.checker.getShorthandAssignmentValueSymbol(parent)
    : core.checker.getSymbolAtLocation(node);
  answers.set(node, symbol);
  return symbol;
}

/**
 * Answers about nodes, per checker: --watch reuses the nodes of unchanged files in a new program.
 * The current checker's answers are kept at hand (they are asked for very often).
 */
export class PerChecker<T> {
  private checker: ts.TypeChecker | undefined;
  private answers = new WeakMap<ts.Node, T>();
  private readonly byChecker = new WeakMap<ts.TypeChecker, WeakMap<ts.Node, T>>();

  answersFor(checker: ts.TypeChecker): WeakMap<ts.Node, T> {
    if (checker !== this.checker) {
      let answers = this.byChecker.get(checker);
      if (!answers) this.byChecker.set(checker, (answers = new WeakMap()));
      this.checker = checker;
      this.answers = answers;
    }
    return this.answers;
  }
}

// Asked for the same names many times (activity runs to a fixpoint).
const symbolCache = new PerChecker<ts.Symbol | undefined>();

/** True when `id` names a global of the default library (`Math`, `Float64Array`), not a user's own. */
export function isGlobal(core: Core, id: ts.Expression, name: string): boolean {
  const { ts } = core;
  if (!ts.isIdentifier(id) || id.text !== name) return false;
  // Library augmentations (@types/node adds to Float64Array) merge into the same global symbol.
  const decls = symbolOf(core, id)?.getDeclarations() ?? [];
  return decls.some((d) => core.program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/**
 * Does `test` hold for `node` or a node inside it (not looking inside a node `enter` refuses)?
 * One closure per search rather than one per node: the transform asks this of every twin it tidies.
 */
export function someNode(tsi: typeof ts, node: ts.Node, test: (n: ts.Node) => boolean, enter?: (n: ts.Node) => boolean): boolean {
  const visit = (n: ts.Node): true | undefined => (test(n) || ((!enter || enter(n)) && tsi.forEachChild(n, visit)) ? true : undefined);
  return visit(node) === true;
}

/** Does `node` assign the variable `name` (`name = …`, `name += …`, `name++`)? */
export function assignsName(core: Core, node: ts.Node, name: string): boolean {
  const { ts } = core;
  const isName = (e: ts.Expression) => ts.isIdentifier(skipOuter(core, e)) && (skipOuter(core, e) as ts.Identifier).text === name;
  return someNode(ts, node, (n) =>
    (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && isName(n.left)) ||
    ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && isName(n.operand)));
}
