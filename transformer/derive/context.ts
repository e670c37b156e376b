import type * as ts from "typescript";
import { Algebra, Tan } from "../model/algebra";
import { Core, symbolOf } from "../core/context";
import { Kind, kindOf } from "../model/types";
import { ActivityQueries, queriesOf } from "../analysis/queries";
import { Namer } from "../core/namer";
import type { Activity, Spec } from "../analysis/activity";

/** A value in the twin: its primal expression and its tangent (null: a symbolic zero). */
export interface Dual {
  primal: ts.Expression;
  tangent: Tan;
}

/** What the module around the twins provides: namespace imports and the runtime. */
export interface ModuleServices {
  importNamespace(specifier: string): ts.Identifier;
  runtimeRef(name: string): ts.Expression;
  runtimeNamespace(): ts.Identifier;
  /** How code at `from` refers to a twin of this module (`f_jvp`, `Shapes.cube_jvp`); undefined: shadowed. */
  twinReference(spec: Spec, from: ts.Node): ts.Expression | undefined;
  /** Another module's twin: `lib_twins.f_jvp`, `lib_twins.A.f_jvp`; `op`: a primitive of tsjvp/ops (`ops_twins.dot_jvp`). */
  importedTwin(specifier: string, qualifier: readonly string[], name: string, op?: boolean): ts.Expression;
}

/**
 * The visitors that recurse into one another (an expression holds a call, a callback holds
 * statements), wired once by twin.ts: each visitor file then imports the others in one direction.
 */
export interface Visitors {
  call(cx: TwinContext, call: ts.CallExpression, b: BlockBuilder, asStatement: boolean): Dual;
  statements(cx: TwinContext, statements: readonly ts.Statement[], b: BlockBuilder): void;
}

/** Statements of the twin being built, in evaluation order. */
export class BlockBuilder {
  readonly statements: ts.Statement[] = [];
  /** How many statements may write memory (calls into twins): operands read before them must be held. */
  impure = 0;
  /** Index of the last such statement (-1: none). */
  lastImpure = -1;

  push(statement: ts.Statement, impure = false): void {
    this.statements.push(statement);
    if (impure) {
      this.impure++;
      this.lastImpure = this.statements.length - 1;
    }
  }
}

/** State for generating one twin: names, tangent variables, diagnostics, requested callees. */
export class TwinContext {
  readonly t: Algebra;
  readonly f: ts.NodeFactory;
  readonly ts: typeof ts;
  readonly requests: Spec[] = [];
  /** Activity questions, answered as the fence answered them. */
  readonly q: ActivityQueries;
  private readonly dots = new Map<ts.Symbol, ts.Identifier>();
  private temps = 0;

  constructor(
    readonly core: Core,
    readonly spec: Spec,
    readonly namer: Namer,
    readonly services: ModuleServices,
    readonly visitors: Visitors,
  ) {
    this.ts = core.ts;
    this.f = core.f;
    this.t = new Algebra(core.ts, core.f, (name) => services.runtimeRef(name));
    this.q = queriesOf(core, spec.activity);
  }

  get activity(): Activity {
    return this.spec.activity;
  }

  /**
   * A construct the fence should have rejected (fence/supported.ts walks the function as derive
   * does): an internal error, never a twin that silently drops a tangent.
   */
  unreachable(node: ts.Node, what: string): never {
    const file = node.getSourceFile();
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    throw new Error(`${what} at ${line + 1}:${character + 1} passed the fence but cannot be derived`);
  }

  kind(node: ts.Node): Kind {
    return kindOf(this.core, node);
  }

  /** Activity has converged before derive runs: each expression's answer is computed once (shared with the fence). */
  isActive(e: ts.Expression): boolean {
    return this.q.isActive(e);
  }

  /** Names of the variables that got a tangent. */
  activeNames(): Set<string> {
    return new Set([...this.dots.keys()].map((s) => s.getName()));
  }

  /** The tangent variable of an active variable: `<name>_dot`. */
  dotOf(symbol: ts.Symbol): ts.Identifier {
    let id = this.dots.get(symbol);
    if (!id) {
      id = this.f.createIdentifier(this.namer.unique(`${symbol.getName()}_dot`));
      this.dots.set(symbol, id);
    }
    return id;
  }

  /** Does this name carry a tangent here? */
  hasTangent(id: ts.Identifier): boolean {
    return this.q.hasTangent(id);
  }

  dotOfNode(id: ts.Identifier): ts.Identifier | undefined {
    const s = symbolOf(this.core, id);
    return s && this.activity.isActiveSymbol(s) ? this.dotOf(s) : undefined;
  }

  temp(): ts.Identifier {
    return this.f.createIdentifier(this.namer.unique(`_t${this.temps++}`));
  }

  /** `const name = value;` */
  constDecl(name: ts.BindingName, value: ts.Expression, flags = this.ts.NodeFlags.Const): ts.Statement {
    const d = this.f.createVariableDeclaration(name, undefined, undefined, value);
    return this.f.createVariableStatement(undefined, this.f.createVariableDeclarationList([d], flags));
  }

  /** Holds a value in temporaries (`const _t0 = …; const _t0_dot = …;`) and returns their names. */
  hoist(d: Dual, b: BlockBuilder, tangentToo = false): Dual {
    const primal = this.temp();
    b.push(this.constDecl(primal, d.primal));
    if (!d.tangent || (this.isSimple(d.tangent) && !tangentToo)) return { primal, tangent: d.tangent };
    const tangent = this.f.createIdentifier(this.namer.unique(`${primal.text}_dot`));
    b.push(this.constDecl(tangent, d.tangent));
    return { primal, tangent };
  }

  /**
   * Holds a value before a call that may write memory: both its primal and its tangent are read
   * now (a tangent like `p_dot.s` is cheap but not stable across the call).
   */
  holdBeforeCall(d: Dual, b: BlockBuilder): Dual {
    const held = this.isStable(d.primal) ? d : { primal: this.hoist({ primal: d.primal, tangent: null }, b).primal, tangent: d.tangent };
    if (!held.tangent || this.isStable(held.tangent)) return held;
    const tangent = this.f.createIdentifier(this.namer.unique(`${this.ts.isIdentifier(held.primal) ? held.primal.text : "_t"}_dot`));
    b.push(this.constDecl(tangent, held.tangent));
    return { primal: held.primal, tangent };
  }

  /** Cheap, pure expressions that may be written twice: names, literals, `a.length`, `x[i]`. */
  isSimple(e: ts.Expression): boolean {
    const { ts } = this;
    if (ts.isIdentifier(e) || ts.isNumericLiteral(e)) return true;
    // `-2` and `-x` (a sign flip costs nothing to repeat: `s * -d` needs no temporary)
    if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.MinusToken && (ts.isNumericLiteral(e.operand) || ts.isIdentifier(e.operand));
    if (ts.isParenthesizedExpression(e)) return this.isSimple(e.expression);
    return this.isPlainRead(e);
  }

  /** `p.w`, `a[i]`, `m.tags.weight`, `rows[i][j]`: a read through names and simple indices. */
  private isPlainRead(e: ts.Expression, depth = 0): boolean {
    const { ts } = this;
    if (ts.isIdentifier(e)) return true;
    if (depth > 3) return false;
    if (ts.isPropertyAccessExpression(e)) return this.isPlainRead(e.expression, depth + 1);
    if (ts.isElementAccessExpression(e)) return this.isSimpleIndex(e.argumentExpression) && this.isPlainRead(e.expression, depth + 1);
    return false;
  }

  isSimpleIndex(e: ts.Expression): boolean {
    const { ts } = this;
    if (ts.isIdentifier(e) || ts.isNumericLiteral(e) || ts.isStringLiteral(e)) return true;
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken].includes(e.operatorToken.kind)) {
      return this.isSimpleIndex(e.left) && this.isSimpleIndex(e.right);
    }
    return false;
  }

  /** A value no call can change: literals and variables (a callee cannot rebind the caller's locals). */
  isStable(e: ts.Expression): boolean {
    const { ts } = this;
    if (ts.isPrefixUnaryExpression(e)) return this.isStable(e.operand);
    return ts.isNumericLiteral(e) || ts.isIdentifier(e);
  }

  /**
   * A zero tangent with the shape of `primal` (which must be simple): 0, a zeroed Float64Array,
   * zeros of a pytree's shape (the runtime's zerosLike), or null for what is not differentiable.
   */
  zeroLike(primal: ts.Expression, kind: Kind): ts.Expression {
    if (kind === "num") return this.t.num(0);
    if (kind === "tree") return this.t.runtime("zerosLike", primal);
    if (kind !== "arr") return this.f.createNull();
    const length = this.f.createPropertyAccessExpression(primal, "length");
    return this.f.createNewExpression(this.f.createIdentifier("Float64Array"), undefined, [length]);
  }

  /** The type of a tangent: the primal's for numbers and Float64Arrays, `Tangent<T>` for pytrees. */
  tangentType(primal: ts.TypeNode | undefined, kind: Kind): ts.TypeNode | undefined {
    // A number that may be missing (`number | undefined`) still has a number for tangent.
    if (kind === "num") return primal && this.f.createKeywordTypeNode(this.ts.SyntaxKind.NumberKeyword);
    if (kind === "arr") return primal;
    if (kind !== "tree" || !primal) return undefined;
    const name = this.f.createQualifiedName(this.services.runtimeNamespace(), "Tangent");
    return this.f.createTypeReferenceNode(name, [primal]);
  }

  /** The declared or inferred type of a node, as a type node. */
  typeNodeOf(node: ts.Node): ts.TypeNode | undefined {
    const { checker } = this.core;
    return checker.typeToTypeNode(checker.getTypeAtLocation(node), undefined, this.ts.NodeBuilderFlags.NoTruncation);
  }

  /** Materialises a tangent: a symbolic zero becomes `0` or a zeroed array (hoisting the primal if needed). */
  materialize(d: Dual, kind: Kind, b: BlockBuilder): Dual {
    if (d.tangent) return d;
    const held = kind === "arr" && !this.isSimple(d.primal) ? this.hoist(d, b) : d;
    return { primal: held.primal, tangent: this.zeroLike(held.primal, kind) };
  }
}
