import type * as ts from "typescript";
import { Core, differentiable } from "./core-context";
import { visitBody } from "./statements";
import { BlockBuilder, ModuleServices, TwinContext } from "./twin-context";
import { Namer } from "./namer";
import { fullMask, Spec } from "./specs";

/** The generated twin of one specialisation, and the specialisations it calls. */
export interface TwinResult {
  readonly declaration: ts.FunctionDeclaration | undefined;
  readonly calls: readonly Spec[];
}

/**
 * Builds `f_jvp(x, x_dot, …): [out, out_dot]`: parameters interleaved with the tangents the caller
 * passes (by the spec's mask), zero tangents for parameters that become active inside, then the body.
 */
export function buildTwin(core: Core, spec: Spec, namer: Namer, services: ModuleServices): TwinResult {
  const cx = new TwinContext(core, spec, namer, services);
  const { f, ts } = cx;
  const fn = spec.fn;
  const params: ts.ParameterDeclaration[] = [];
  const prologue = new BlockBuilder();
  fn.params.forEach((p, i) => {
    const type = p.node.type ?? typeNodeOf(cx, p.node);
    params.push(f.createParameterDeclaration(undefined, undefined, p.name, p.node.questionToken, type, p.node.initializer));
    if (!p.symbol || !spec.activity.isActiveSymbol(p.symbol)) return;
    const dot = cx.dotOf(p.symbol);
    if (spec.mask[i]) {
      params.push(f.createParameterDeclaration(undefined, undefined, dot, undefined, type));
    } else {
      // Active inside although the caller passes no tangent (an out-parameter the caller opted out of).
      const zero = cx.zeroLike(f.createIdentifier(p.name), p.kind);
      prologue.push(cx.constDecl(dot, zero, p.kind === "arr" ? ts.NodeFlags.Const : ts.NodeFlags.Let));
    }
  });
  const body = new BlockBuilder();
  visitBody(cx, fn.node.body!, body);
  if (cx.failed) return { declaration: undefined, calls: cx.requests };
  const exported = fn.exported && fullMask(fn).every((m, i) => m === spec.mask[i]);
  const modifiers = exported ? [f.createModifier(ts.SyntaxKind.ExportKeyword)] : undefined;
  const declaration = f.createFunctionDeclaration(
    modifiers, undefined, spec.name, fn.node.typeParameters, params, returnTypeOf(cx),
    f.createBlock([...prologue.statements, ...body.statements], true),
  );
  return { declaration, calls: cx.requests };
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
  const tangent = differentiable(fn.returnKind) ? primal : f.createLiteralTypeNode(f.createNull());
  return ts.setEmitFlags(f.createTupleTypeNode([primal, tangent]), ts.EmitFlags.SingleLine);
}
