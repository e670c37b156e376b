import type * as ts from "typescript";
import { Core, skipOuter } from "../core/context";
import { CallPlan } from "../analysis/call-plans";
import { Spec } from "../analysis/activity";
import { ModuleImports } from "../derive/imports";

/** The rewritten call: `f_jvp(x, x_dot, …)`, or through the runtime when not interleavable in place. */
export function rewriteCallSite(
  core: Core, plan: CallPlan, call: ts.CallExpression, imports: ModuleImports,
  failureOf: (spec: Spec) => ts.Diagnostic | undefined, inline: ReadonlyMap<Spec, ts.Expression> = new Map(),
): ts.Expression {
  const { f, ts } = core;
  if (plan.type === "runtime") return call;
  const failure = plan.type === "failed" ? plan.diagnostic : plan.type === "twin" ? failureOf(plan.spec) : undefined;
  if (failure) {
    return f.createCallExpression(imports.runtimeRef("compileError"), undefined, [f.createStringLiteral(core.diags.describe(failure))]);
  }
  const p = plan as Exclude<CallPlan, { type: "failed" } | { type: "runtime" }>;
  const ref = p.type === "twin" ? inline.get(p.spec) ?? twinRef(core, p.spec, call, imports) : imports.importedTwin(p.specifier, p.qualifier, p.name);
  const mask = p.type === "twin" ? p.spec.mask : p.mask;
  const [, primals, tangents] = call.arguments;
  let twinCall: ts.Expression;
  if (p.dynamic) {
    const flags = f.createArrayLiteralExpression(mask.map((m) => (m ? f.createTrue() : f.createFalse())));
    twinCall = f.createCallExpression(imports.runtimeRef("applyTwin"), undefined, [ref, flags, primals, tangents]);
  } else {
    const ps = (skipOuter(core, primals) as ts.ArrayLiteralExpression).elements;
    const tsArgs = (skipOuter(core, tangents) as ts.ArrayLiteralExpression).elements;
    const fill = p.fill;
    const tangentArg = (i: number) => (fill[i] ? f.createCallExpression(imports.runtimeRef("fillZeros"), undefined, [tsArgs[i], ps[i]]) : tsArgs[i]);
    const args = ps.flatMap((primal, i) => (mask[i] ? [primal, tangentArg(i)] : [primal]));
    twinCall = f.createCallExpression(ref, undefined, args);
  }
  const returnKind = p.type === "twin" ? p.spec.fn.returnKind : p.returnKind;
  const original = ts.getOriginalNode(call);
  if (returnKind !== "void" || ts.isExpressionStatement(original.parent)) return twinCall;
  // A function without a result gives [undefined, undefined], as jvp's type says.
  return f.createArrayLiteralExpression([twinCall, f.createIdentifier("undefined")]);
}

/** The twin a jvp call reaches: `f_jvp`, `Shapes.f_jvp`, or an inline arrow's twin in place, as a function expression. */
function twinRef(core: Core, spec: Spec, call: ts.CallExpression, imports: ModuleImports): ts.Expression {
  const { f, ts } = core;
  const original = ts.getOriginalNode(call);
  return imports.twinReference(spec, original) ?? f.createCallExpression(imports.runtimeRef("compileError"), undefined, [f.createStringLiteral(
    core.diags.describe(core.diags.report(original, "unsupportedSyntax", `Differentiating '${spec.fn.name}' here, where a namespace in between has a twin of the same name`, spec.fn.name, "Rename one of the two functions.")))]);
}
