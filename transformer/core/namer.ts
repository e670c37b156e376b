import type * as ts from "typescript";

/**
 * Deterministic names: the wanted name if free, else `_2`, `_3`, … in request order. Seeded with
 * every identifier of the source file, so a generated name never shadows a user's.
 */
export class Namer {
  private readonly used = new Set<string>();

  /**
   * `userNames`: the identifiers the user wrote (generated names never shadow them). A forked
   * namer (one twin's locals) also avoids every name its parent has given, now or later.
   */
  constructor(private readonly userNames: ReadonlySet<string>, private readonly parent?: Namer) {}

  isUserName(name: string): boolean {
    return this.userNames.has(name);
  }

  /** Marks a name chosen elsewhere (a twin's) as taken. */
  reserve(name: string): void {
    this.used.add(name);
  }

  private taken(name: string): boolean {
    return this.used.has(name) || (this.parent ? this.parent.taken(name) : this.userNames.has(name));
  }

  unique(base: string): string {
    let name = base;
    for (let i = 2; this.taken(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  fork(): Namer {
    return new Namer(this.userNames, this);
  }
}

const identifierCache = new WeakMap<ts.SourceFile, Set<string>>();

/** Every identifier of a source file (names in comments and strings are not names: they do not count). */
export function identifiersOf(tsi: typeof ts, file: ts.SourceFile): ReadonlySet<string> {
  const cached = identifierCache.get(file);
  if (cached) return cached;
  const names = new Set<string>();
  identifierCache.set(file, names);
  const visit = (node: ts.Node): void => {
    if (tsi.isIdentifier(node) || tsi.isPrivateIdentifier(node)) names.add(node.text);
    tsi.forEachChild(node, visit);
  };
  visit(file);
  return names;
}
