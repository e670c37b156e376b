import type * as ts from "typescript";
import { Core } from "../core/context";
import { differentiable } from "../model/types";
import { FnInfo } from "../model/functions";
import { Activity, Spec, SpecSource } from "./activity";
import { Namer } from "../core/namer";

export function fullMask(fn: FnInfo): boolean[] {
  return fn.params.map((p) => differentiable(p.kind));
}

/**
 * All specialisations requested in one module, and the interprocedural fixpoint of their
 * activity (a callee that writes differentiated data into an array parameter makes the caller's
 * argument active, which may request a new specialisation, …; recursion converges the same way).
 */
export class SpecRegistry implements SpecSource {
  private readonly specs = new Map<string, Spec>();
  /** Twin names per scope (the file, or a namespace declaration). */
  private readonly twinNames = new Map<ts.Node, Set<string>>();

  /** `admits`: the fence's verdict on a function's syntax (asked once per function, before its analysis). */
  constructor(private readonly core: Core, private readonly moduleNamer: Namer, private readonly admits: (fn: FnInfo) => boolean) {}

  get(fn: FnInfo, mask: readonly boolean[]): Spec {
    const key = `${fn.node.pos}:${mask.map((m) => (m ? 1 : 0)).join("")}`;
    let spec = this.specs.get(key);
    if (!spec) {
      spec = { fn, mask, name: this.nameTwin(fn, mask), activity: undefined!, ok: this.admits(fn) };
      (spec as { activity: Activity }).activity = new Activity(this.core, spec, this);
      this.specs.set(key, spec);
    }
    return spec;
  }

  /**
   * A twin's name: `f_jvp` / `f_jvp_wrt_x`, with `_2`, `_3`, … when taken by a user's identifier
   * or by a twin of an enclosing or enclosed scope. The full twin of an exported function keeps
   * its exact name (other modules call `f_jvp`, `lib.A.f_jvp`): a collision is a diagnostic,
   * never a silent rename. Its scope is checked against the user's names and its own scope only;
   * `reference` reports the rare call that a same-named twin in between would shadow.
   */
  private nameTwin(fn: FnInfo, mask: readonly boolean[]): string {
    const wanted = twinName(fn, mask);
    const scope = fn.namespaces[fn.namespaces.length - 1] ?? this.core.file;
    const exact = fn.exported && !fn.inline && fullMask(fn).every((m, i) => m === mask[i]);
    const names = this.twinNames.get(scope) ?? new Set<string>();
    this.twinNames.set(scope, names);
    const related = [...this.twinNames].filter(([s]) => exact ? s === scope : contains(s, scope) || contains(scope, s));
    const taken = (n: string) => this.moduleNamer.isUserName(n) || related.some(([, set]) => set.has(n));
    let name = wanted;
    if (exact && taken(wanted)) this.core.diags.report(fn.anchor, "twinNameTaken", fn.name, wanted);
    for (let i = 2; taken(name); i++) name = `${wanted}_${i}`;
    names.add(name);
    this.moduleNamer.reserve(name);
    return name;
  }

  /**
   * How code at `from` names a twin: bare in its own scope or a scope inside it, else qualified
   * by the namespaces between (`Shapes.cube_jvp`). Undefined when a twin of the same name in a
   * scope in between would shadow it.
   */
  reference(spec: Spec, from: ts.Node): string[] | undefined {
    const scopes = spec.fn.namespaces;
    let common = scopes.length;
    while (common > 0 && !contains(scopes[common - 1], from)) common--;
    const qualifier = scopes.slice(common).map((n) => n.name.getText());
    if (qualifier.length > 0) return [...qualifier, spec.name];
    // Bare: no scope between the caller and the twin's own may declare the same name.
    const own = scopes[scopes.length - 1] ?? this.core.file;
    for (const [scope, names] of this.twinNames) {
      if (scope !== own && names.has(spec.name) && contains(own, scope) && contains(scope, from)) return undefined;
    }
    return [spec.name];
  }

  /** Runs every analysis until no summary changes and no new specialisation appears. */
  converge(): void {
    const ran = new Set<Spec>();
    let pending = [...this.specs.values()];
    while (pending.length > 0) {
      const changed = new Set<Spec>();
      for (const spec of pending) {
        if (spec.activity.run()) changed.add(spec);
        ran.add(spec);
      }
      // Again: what never ran (new specialisations), and what read a summary that changed.
      pending = [...this.specs.values()].filter((s) => !ran.has(s) || [...s.activity.dependencies].some((d) => changed.has(d)));
    }
    for (const spec of this.specs.values()) spec.activity.settle();
  }
}

/** `f_jvp` when every differentiable parameter is active, else `f_jvp_wrt_<active names>`. */
function twinName(fn: FnInfo, mask: readonly boolean[]): string {
  const full = fullMask(fn);
  if (full.every((m, i) => m === mask[i])) return `${fn.name}_jvp`;
  const active = fn.params.filter((_, i) => mask[i]).map((p) => p.name);
  return `${fn.name}_jvp_wrt_${active.length > 0 ? active.join("_") : "nothing"}`;
}

function contains(outer: ts.Node, inner: ts.Node): boolean {
  return outer === inner || (outer.getSourceFile() === inner.getSourceFile() && outer.pos <= inner.pos && inner.end <= outer.end);
}
