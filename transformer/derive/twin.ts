import type * as ts from "typescript";
import { Core } from "../core/context";
import { differentiable } from "../model/types";
import { tangentPattern, visitBody, visitStatements } from "./statements";
import { deriveCall } from "./calls";
import { BlockBuilder, ModuleServices, TwinContext } from "./context";
import { Namer } from "../core/namer";
import { Spec } from "../analysis/activity";
import { fullMask } from "../analysis/specs";

/** The generated twin of one specialisation, and the specialisations it calls. */
export interface TwinResult {
  readonly declaration: ts.FunctionDeclaration | undefined;
  readonly calls: readonly Spec[];
  /** Per parameter of the declaration: is it a tangent? (Vector mode gives each one lane per direction.) */
  readonly tangentParams: readonly boolean[];
  readonly control: TwinControl;
}

/** What the index-set stage needs to know of a twin: which of the user's variables hold differentiated values. */
export interface TwinControl {
  /** Names of the variables that carry a tangent (where its data dependence starts). */
  readonly activeNames: ReadonlySet<string>;
}

/**
 * Builds `f_jvp(x, x_dot, …): [out, out_dot]`: parameters interleaved with the tangents the caller
 * passes (by the spec's mask), zero tangents for parameters that become active inside, then the body.
 */
export function buildTwin(core: Core, spec: Spec, namer: Namer, services: ModuleServices): TwinResult {
  const cx = new TwinContext(core, spec, namer, services, { call: deriveCall, statements: visitStatements });
  const { f, ts } = cx;
  const fn = spec.fn;
  const params: ts.ParameterDeclaration[] = [];
  const tangentParams: boolean[] = [];
  const prologue = new BlockBuilder();
  fn.params.forEach((p, i) => {
    const type = p.node.type ?? typeNodeOf(cx, p.node);
    params.push(f.createParameterDeclaration(undefined, undefined, p.symbol ? p.name : p.node.name, p.node.questionToken, type, p.node.initializer));
    tangentParams.push(false);
    if (!spec.activity.paramActive[i]) return;
    // A destructured parameter's tangent is destructured the same way: { w: w_dot, b: b_dot }.
    const dot = p.symbol ? cx.dotOf(p.symbol) : tangentPattern(cx, p.node.name as ts.BindingPattern);
    if (!dot) return;
    if (spec.mask[i]) {
      // A defaulted parameter left out by a caller (or by run-time dispatch) is a constant: zero tangent.
      const omissible = (p.node.initializer || p.node.questionToken) && p.symbol;
      const zero = omissible ? cx.zeroLike(f.createIdentifier(p.name), p.kind) : undefined;
      params.push(f.createParameterDeclaration(undefined, undefined, dot, undefined, cx.tangentType(type, p.kind), zero));
      tangentParams.push(true);
    } else if (p.symbol) {
      // Active inside although the caller passes no tangent (an out-parameter the caller opted out of).
      const zero = cx.zeroLike(f.createIdentifier(p.name), p.kind);
      prologue.push(cx.constDecl(dot, zero, p.kind === "num" ? ts.NodeFlags.Let : ts.NodeFlags.Const));
    } else {
      cx.unreachable(p.node, "a destructured parameter written with differentiated data while its tangent is null");
    }
  });
  const body = new BlockBuilder();
  visitBody(cx, fn.node.body!, body);
  // Other modules call an exported function's full twin; inside a namespace every twin of an
  // exported member is exported, so that code outside the namespace reaches it qualified.
  const exported = fn.exported && (fn.namespaces.length > 0 || fullMask(fn).every((m, i) => m === spec.mask[i]));
  const modifiers = exported ? [f.createModifier(ts.SyntaxKind.ExportKeyword)] : undefined;
  for (const p of params) if (p.type) singleLine(cx, p.type);
  const declaration = f.createFunctionDeclaration(
    modifiers, undefined, spec.name, fn.node.typeParameters, params, returnTypeOf(cx),
    f.createBlock([...prologue.statements, ...body.statements], true),
  );
  return { declaration, calls: cx.requests, tangentParams, control: { activeNames: cx.activeNames() } };
}

/** Tuple and object types in a twin's signature print on one line. */
function singleLine(cx: TwinContext, node: ts.Node): void {
  const { ts } = cx;
  if (ts.isTupleTypeNode(node) || ts.isTypeLiteralNode(node)) ts.setEmitFlags(node, ts.EmitFlags.SingleLine);
  ts.forEachChild(node, (c) => singleLine(cx, c));
}

function typeNodeOf(cx: TwinContext, node: ts.Node): ts.TypeNode | undefined {
  const { checker } = cx.core;
  return checker.typeToTypeNode(checker.getTypeAtLocation(node), undefined, cx.ts.NodeBuilderFlags.NoTruncation);
}

/** `[number, number]`, `[Float64Array, Float64Array]`, `[T, null]`, or `void`. */
function returnTypeOf(cx: TwinContext): ts.TypeNode {
  const { f, ts } = cx;
  const fn = cx.spec.fn;
  if (fn.returnKind === "void") return f.createKeywordTypeNode(ts.SyntaxKind.VoidKeyword);
  const signature = cx.core.checker.getSignatureFromDeclaration(fn.node);
  const primal = fn.node.type ?? (signature
    ? cx.core.checker.typeToTypeNode(signature.getReturnType(), undefined, ts.NodeBuilderFlags.NoTruncation)
    : undefined) ?? f.createKeywordTypeNode(ts.SyntaxKind.UnknownKeyword);
  const tangent = differentiable(fn.returnKind) ? cx.tangentType(primal, fn.returnKind)! : f.createLiteralTypeNode(f.createNull());
  const tuple = f.createTupleTypeNode([primal, tangent]);
  singleLine(cx, tuple);
  return tuple;
}
