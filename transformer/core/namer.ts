/**
 * Deterministic names: the wanted name if free, else `_2`, `_3`, … in request order. Seeded with
 * every identifier of the source file, so a generated name never shadows a user's.
 */
export class Namer {
  private readonly used: Set<string>;

  constructor(used: Iterable<string>) {
    this.used = new Set(used);
  }

  unique(base: string): string {
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  fork(): Namer {
    return new Namer(this.used);
  }
}

/** Every identifier text in `text` (over-approximate: words in strings and comments count too). */
export function identifiersIn(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);
}
