import type * as ts from "typescript";
import { Core } from "../core/context";
import { FnInfo } from "../model/functions";
import { Spec } from "../analysis/activity";
import { fence, FenceResult } from "./fence";
import { checkSpec, SpecVerdict, TwinReference } from "./supported";

/**
 * The fence of one file, which alone decides what is supported: the syntax of each function once
 * (the analysis asks before it analyses one: `gate`), then, once activity has converged, each
 * specialisation derive is about to build (`check`). Derive runs only where both said yes.
 */
export class FileFence {
  private readonly fenced = new Map<ts.Node, FenceResult>();
  private readonly checked = new Map<Spec, SpecVerdict>();

  constructor(private readonly core: Core, private readonly reference: TwinReference) {}

  /** Is the function's syntax inside the supported subset? (Reports what is not, once.) */
  gate(fn: FnInfo): boolean {
    return this.syntax(fn).ok;
  }

  /** What `spec`'s activity makes unsupported (its first diagnostic; none: derive may build it). */
  check(spec: Spec): SpecVerdict {
    let verdict = this.checked.get(spec);
    if (!verdict) {
      verdict = checkSpec(this.core, spec, this.syntax(spec.fn).deferred, this.reference);
      this.checked.set(spec, verdict);
    }
    return verdict;
  }

  private syntax(fn: FnInfo): FenceResult {
    let result = this.fenced.get(fn.node);
    if (!result) {
      result = fence(this.core, fn);
      this.fenced.set(fn.node, result);
    }
    return result;
  }
}
