import { Core } from "../core/context";
import { differentiable } from "../model/types";
import { FnInfo } from "../model/functions";
import { Activity, Spec, SpecSource } from "./activity";
import { Namer } from "../core/namer";
import { fence } from "../fence/fence";

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
  private readonly fenced = new Map<FnInfo["node"], boolean>();

  constructor(private readonly core: Core, private readonly moduleNamer: Namer) {}

  get(fn: FnInfo, mask: readonly boolean[]): Spec {
    const key = `${fn.node.pos}:${mask.map((m) => (m ? 1 : 0)).join("")}`;
    let spec = this.specs.get(key);
    if (!spec) {
      let ok = this.fenced.get(fn.node);
      if (ok === undefined) {
        ok = fence(this.core, fn);
        this.fenced.set(fn.node, ok);
      }
      spec = { fn, mask, name: this.moduleNamer.unique(twinName(fn, mask)), activity: undefined!, ok };
      (spec as { activity: Activity }).activity = new Activity(this.core, spec, this);
      this.specs.set(key, spec);
    }
    return spec;
  }

  /** Runs every analysis until no summary changes and no new specialisation appears. */
  converge(): void {
    for (let dirty = true; dirty; ) {
      const count = this.specs.size;
      dirty = false;
      for (const spec of [...this.specs.values()]) {
        if (spec.activity.run()) dirty = true;
      }
      if (this.specs.size !== count) dirty = true;
    }
  }
}

/** `f_jvp` when every differentiable parameter is active, else `f_jvp_wrt_<active names>`. */
function twinName(fn: FnInfo, mask: readonly boolean[]): string {
  const full = fullMask(fn);
  if (full.every((m, i) => m === mask[i])) return `${fn.name}_jvp`;
  const active = fn.params.filter((_, i) => mask[i]).map((p) => p.name);
  return `${fn.name}_jvp_wrt_${active.length > 0 ? active.join("_") : "nothing"}`;
}
