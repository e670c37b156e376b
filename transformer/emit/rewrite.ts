import type * as ts from "typescript";
import { rewriteCallSite } from "./call-sites";
import { Core } from "../core/context";
import type { FileTwins } from "../derive/differentiator";
import { Spec } from "../analysis/activity";
import { vectorLanes } from "../vector/vectorize";

/**
 * The plugin's output for one file: twins inserted after their primals (an inline arrow's before
 * the statement using it), each marked function attached to its full twin for run-time dispatch,
 * jvp calls rewritten, and the imports twins need added after the file's own.
 */
export function rewriteFile(core: Core, result: FileTwins): ts.SourceFile {
  const { ts, f, context } = core;
  const after = new Map<ts.Node, ts.Statement[]>();
  // An inline arrow's twin goes where the arrow is, as a function expression: it sees exactly the
  // variables the arrow captures, whatever scope the jvp call is in.
  const inline = new Map<Spec, ts.Expression>();
  for (const { spec, declaration } of result.twins) {
    if (spec.fn.inline) inline.set(spec, asExpression(core, declaration));
    else after.set(spec.fn.anchor, [...(after.get(spec.fn.anchor) ?? []), declaration]);
  }
  // A function declaration is registered after its twins; a const function through its initializer
  // (in CommonJS an exported const has no local binding a later statement could name).
  const initializers = new Map<ts.Node, Spec>();
  for (const spec of result.registered) {
    if (ts.isFunctionDeclaration(spec.fn.node)) {
      after.get(spec.fn.anchor)!.push(f.createExpressionStatement(registration(core, result, spec, f.createIdentifier(spec.fn.name))));
    } else {
      initializers.set(spec.fn.node, spec);
    }
  }
  // Only the nodes on the way to something rewritten are visited (the rest of the file is kept as
  // it is): the calls, the initializers, and the blocks that receive twins.
  const onPath = new Set<ts.Node>();
  const mark = (from: ts.Node | undefined) => {
    for (let n = from; n && !onPath.has(n); n = n.parent) onPath.add(n);
  };
  for (const call of result.plans.keys()) mark(call);
  for (const node of initializers.keys()) mark(node);
  for (const anchor of after.keys()) mark(anchor.parent);
  const list = (statements: ts.NodeArray<ts.Statement>): ts.Statement[] =>
    statements.flatMap((s) => [ts.visitNode(s, visit) as ts.Statement, ...(after.get(s) ?? [])]);
  const visit = (node: ts.Node): ts.Node => {
    if (!onPath.has(node)) return node;
    const plan = ts.isCallExpression(node) ? result.plans.get(node) : undefined;
    if (plan) return rewriteCallSite(core, plan, ts.visitEachChild(node, visit, context) as ts.CallExpression, result.imports, result.failureOf, inline);
    const registered = initializers.get(node);
    if (registered) return registration(core, result, registered, ts.visitEachChild(node, visit, context) as ts.Expression);
    if (ts.isBlock(node)) return f.updateBlock(node, list(node.statements));
    if (ts.isModuleBlock(node)) return f.updateModuleBlock(node, list(node.statements));
    if (ts.isCaseClause(node)) return f.updateCaseClause(node, ts.visitNode(node.expression, visit) as ts.Expression, list(node.statements));
    if (ts.isDefaultClause(node)) return f.updateDefaultClause(node, list(node.statements));
    return ts.visitEachChild(node, visit, context);
  };
  const body = list(core.file.statements);
  const firstNonImport = body.findIndex((s) => !ts.isImportDeclaration(s) && !ts.isImportEqualsDeclaration(s));
  body.splice(firstNonImport < 0 ? body.length : firstNonImport, 0, ...result.imports.declarations());
  return f.updateSourceFile(core.file, body);
}

/**
 * `tsjvp_runtime.registerTwin(f, f_jvp, [true, false])`: which parameters take a tangent; wrapped in
 * `registerVectorTwin(…, f_jvp_v8, 8)` when jacfwd differentiates f here.
 */
export function registration(core: Core, result: FileTwins, spec: Spec, primal: ts.Expression): ts.Expression {
  const { f } = core;
  const mask = (m: readonly boolean[]) => f.createArrayLiteralExpression(m.map((x) => (x ? f.createTrue() : f.createFalse())));
  let registered = f.createCallExpression(result.imports.runtimeRef("registerTwin"), undefined, [primal, f.createIdentifier(spec.name), mask(spec.mask)]);
  const attach = (twin: string, lanes: number, root: Spec) => {
    const args = [registered, f.createIdentifier(twin), f.createNumericLiteral(lanes), mask(root.mask), mask(result.jacobianWrites?.get(root) ?? root.mask.map(() => true))];
    registered = f.createCallExpression(result.imports.runtimeRef(result.hessianTwins ? "registerHessianTwin" : "registerVectorTwin"), undefined, args);
  };
  // What jacfwd differentiates f with: its twin for the parameter it differentiates (one direction
  // per pass) and that twin's vector twin (eight), with the parameters they may write (restored
  // between passes).
  for (const root of result.jacobianRoots) {
    if (root.fn.node !== spec.fn.node) continue;
    const vector = result.vectorRegistrations?.get(root);
    if (!result.hessianTwins) attach(root.name, 1, root);
    if (vector) attach(vector, vectorLanes, root);
    // What sparsity and jacfwdSparse find the pattern with: the index-set twin of that twin.
    const sets = result.sparsityRegistrations?.get(root);
    if (sets) registered = f.createCallExpression(result.imports.runtimeRef("registerSparsityTwin"), undefined, [registered, f.createIdentifier(sets), mask(root.mask)]);
  }
  return registered;
}

/** `function lambda_1_jvp(x, x_dot) { … }` as an expression, to be called where the arrow was. */
function asExpression(core: Core, declaration: ts.Statement): ts.Expression {
  const { f, ts } = core;
  if (!ts.isFunctionDeclaration(declaration)) return f.createIdentifier("undefined");
  const fn = f.createFunctionExpression(undefined, undefined, declaration.name, declaration.typeParameters, declaration.parameters, declaration.type, declaration.body!);
  return f.createParenthesizedExpression(ts.setSourceMapRange(fn, declaration));
}
