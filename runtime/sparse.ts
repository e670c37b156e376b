/**
 * Sparse Jacobians. `sparsity` runs a function's index-set twin (`f_jvp_sp`, the plugin's): each
 * tangent holds the id of a set of input indices instead of a number, a step's tangent is the
 * union of the sets it reads, and where control flow depends on differentiated values both sides
 * contribute, so the pattern holds for every value of the argument. A greedy colouring groups
 * columns that share no row; `jacfwdSparse` takes one forward pass per colour (eight colours per
 * pass of a vector twin) and scatters the compressed columns into CSR.
 */
import { columnEngine, copy, directionalDerivatives } from "./jacobian";
import { zerosLike } from "./calls";

/** The structural nonzeros of a Jacobian (CSR, columns sorted within each row) and a colouring of its columns. */
export interface SparsityPattern {
  readonly m: number;
  readonly n: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  /** Colour of each column: columns of one colour share no row. */
  readonly colors: Int32Array;
  readonly colorCount: number;
}

/** A Jacobian in CSR: the values of row i are `values[rowPtr[i] .. rowPtr[i + 1])`, at columns `colIdx[…]`. */
export interface SparseJacobian {
  readonly m: number;
  readonly n: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
}

export interface SparsityOptions<N extends number = number> {
  /** Which argument to differentiate with respect to (default 0). */
  readonly argnums?: N;
}

export interface JacfwdSparseOptions<N extends number = number> extends SparsityOptions<N> {
  /**
   * A pattern computed before (by `sparsity`, for arguments of the same shapes and the same index
   * data): reused instead of computed at each call.
   */
  readonly pattern?: SparsityPattern;
}

// ---- index sets -------------------------------------------------------------------------------

/** Sets of column indices named by numbers (0 is the empty set); each union of two is computed once. */
class IndexSets {
  private readonly sets: Int32Array[] = [new Int32Array(0)];
  private readonly singletons = new Map<number, number>();
  private readonly unions = new Map<number, Map<number, number>>();

  get(id: number): Int32Array {
    return this.sets[id]!;
  }

  singleton(j: number): number {
    let id = this.singletons.get(j);
    if (id === undefined) this.singletons.set(j, (id = this.add(Int32Array.of(j))));
    return id;
  }

  union(a: number, b: number): number {
    if (a === b || b === 0) return a;
    if (a === 0) return b;
    if (a > b) [a, b] = [b, a];
    let row = this.unions.get(a);
    if (!row) this.unions.set(a, (row = new Map()));
    let id = row.get(b);
    if (id === undefined) {
      const merged = merge(this.sets[a]!, this.sets[b]!);
      // A set that already holds the other needs no new name.
      id = merged.length === this.sets[a]!.length ? a : merged.length === this.sets[b]!.length ? b : this.add(merged);
      row.set(b, id);
    }
    return id;
  }

  private add(set: Int32Array): number {
    this.sets.push(set);
    return this.sets.length - 1;
  }
}

function merge(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!, y = b[j]!;
    if (x <= y) i++;
    if (y <= x) j++;
    out[k++] = Math.min(x, y);
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out.slice(0, k);
}

/** The sets of the pass running now (an index-set twin runs synchronously, start to end). */
let table: IndexSets | undefined;

/**
 * The union of index sets (the twins' `unionSets(a_dot, b_dot)`): what a step's tangent depends on.
 * A tangent not yet written (undefined) is the empty set.
 */
export function unionSets(...ids: unknown[]): number {
  if (!table) throw new Error("tsjvp: unionSets runs inside sparsity(f) only (an index-set twin was called directly)");
  let id = 0;
  // (A read past an array's end is undefined, and undefined written into a Float64Array is NaN: both the empty set.)
  for (const x of ids) if (typeof x === "number" && x > 0) id = table.union(id, x);
  return id;
}

// ---- registration ------------------------------------------------------------------------------

const sparsitySymbol = Symbol.for("tsjvp.sparsityTwin");

interface SparsityTwin {
  readonly twin: (...interleaved: never[]) => unknown;
  readonly mask: readonly boolean[];
}

/** Attaches an index-set twin (tangents for the parameters of `mask`) to `primal`; returns `primal`. */
export function registerSparsityTwin<F extends object>(primal: F, twin: (...interleaved: never[]) => unknown, mask: readonly boolean[]): F {
  const known = (primal as { [sparsitySymbol]?: readonly SparsityTwin[] })[sparsitySymbol] ?? [];
  Object.defineProperty(primal, sparsitySymbol, { value: [...known, { twin, mask }], configurable: true });
  return primal;
}

function sparsityTwinOf(fun: unknown, argnum: number): SparsityTwin | undefined {
  const all = (fun as { [sparsitySymbol]?: readonly SparsityTwin[] } | null)?.[sparsitySymbol] ?? [];
  return all.find((t) => t.mask[argnum]);
}

// ---- the pattern -------------------------------------------------------------------------------

/**
 * The sparsity pattern of the Jacobian of `fun` with respect to argument `argnums` (a number or a
 * Float64Array; the output a number or a Float64Array), as a function of `fun`'s arguments: valid
 * for every value of that argument, for the sizes and index data given.
 * @tsjvpApi sparsity
 */
export function sparsity<A extends readonly unknown[], R, N extends number = 0>(fun: (...args: A) => R, options: SparsityOptions<N> = {}): (...args: A) => SparsityPattern {
  const argnum = options.argnums ?? 0;
  const name = fun.name || "the function";
  return (...args: A) => {
    const found = sparsityTwinOf(fun, argnum);
    if (!found) {
      throw new Error(`tsjvp: sparsity(${name}) found no index-set twin for ${name} with respect to argument ${argnum}: tag its declaration /** @jvp sparsity */ (for other modules and function values), or call sparsity(${name}) or jacfwdSparse(${name}) in ${name}'s own module (with argnums as a literal); build with the tsjvp plugin or companions`);
    }
    const x = args[argnum];
    if (typeof x !== "number" && !(x instanceof Float64Array)) throw new Error(`tsjvp: sparsity(${name}) differentiates with respect to a number or a Float64Array; argument ${argnum} is neither`);
    const before = table;
    table = new IndexSets();
    try {
      const sets = table;
      const interleaved: unknown[] = [];
      args.forEach((a, i) => {
        // Copies: the twin runs the primal code too, which may write its arguments.
        interleaved.push(copy(a));
        if (!found.mask[i]) return;
        // Zeros are empty sets: the other arguments' tangents.
        if (i !== argnum) return void interleaved.push(zerosLike(a));
        interleaved.push(typeof a === "number" ? sets.singleton(0) : Float64Array.from({ length: (a as Float64Array).length }, (_, j) => sets.singleton(j)));
      });
      const out = (found.twin(...(interleaved as never[])) as unknown[])[1];
      const rows = typeof out === "number" || out === undefined ? [out ?? 0] : out instanceof Float64Array ? Array.from(out) : undefined;
      if (!rows) throw new Error(`tsjvp: sparsity(${name}): the result is not a number or a Float64Array`);
      return pattern(rows.map((id) => sets.get(id > 0 ? id : 0)), typeof x === "number" ? 1 : x.length);
    } finally {
      table = before;
    }
  };
}

function pattern(rows: readonly Int32Array[], n: number): SparsityPattern {
  const m = rows.length;
  const rowPtr = new Int32Array(m + 1);
  rows.forEach((r, i) => (rowPtr[i + 1] = rowPtr[i]! + r.length));
  const colIdx = new Int32Array(rowPtr[m]!);
  rows.forEach((r, i) => colIdx.set(r, rowPtr[i]!));
  const { colors, colorCount } = colour(m, n, rowPtr, colIdx);
  return { m, n, rowPtr, colIdx, colors, colorCount };
}

/** Greedy distance-2 colouring of the columns: two columns sharing a row get different colours. */
function colour(m: number, n: number, rowPtr: Int32Array, colIdx: Int32Array): { colors: Int32Array; colorCount: number } {
  // The rows of each column (CSC), to find the columns sharing one with it.
  const colPtr = new Int32Array(n + 1);
  for (const j of colIdx) colPtr[j + 1]!++;
  for (let j = 0; j < n; j++) colPtr[j + 1]! += colPtr[j]!;
  const rowsOf = new Int32Array(colIdx.length);
  const fill = colPtr.slice(0, n);
  for (let i = 0; i < m; i++) for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) rowsOf[fill[colIdx[k]!]!++] = i;
  const colors = new Int32Array(n).fill(-1);
  const forbidden = new Int32Array(n + 1).fill(-1);
  let colorCount = 0;
  for (let j = 0; j < n; j++) {
    for (let a = colPtr[j]!; a < colPtr[j + 1]!; a++) {
      const i = rowsOf[a]!;
      for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
        const c = colors[colIdx[k]!]!;
        if (c >= 0) forbidden[c] = j;
      }
    }
    let c = 0;
    while (forbidden[c] === j) c++;
    colors[j] = c;
    colorCount = Math.max(colorCount, c + 1);
  }
  return { colors, colorCount };
}

/** The compressed directions of a pattern, for functions that do not write their argument. */
const seedsOf = new WeakMap<SparsityPattern, Float64Array[]>();

// ---- the values --------------------------------------------------------------------------------

/**
 * The Jacobian of `fun` with respect to argument `argnums`, in CSR, by forward passes over
 * compressed columns: one direction per colour of the pattern (given as `pattern`, or computed for
 * these arguments). A reused pattern must come from arguments of the same shapes and index data.
 * @tsjvpApi jacfwdSparse
 */
export function jacfwdSparse<A extends readonly unknown[], R, N extends number = 0>(fun: (...args: A) => R, options: JacfwdSparseOptions<N> = {}): (...args: A) => SparseJacobian {
  const argnum = options.argnums ?? 0;
  const name = fun.name || "the function";
  const patternOf = options.pattern ? undefined : sparsity(fun, { argnums: argnum });
  const f = fun as unknown as (...args: unknown[]) => unknown;
  let engine: ReturnType<typeof columnEngine> | undefined;
  return (...args: A) => {
    const p = options.pattern ?? patternOf!(...args);
    const x = args[argnum];
    const n = typeof x === "number" ? 1 : x instanceof Float64Array ? x.length : -1;
    if (n !== p.n) throw new Error(`tsjvp: jacfwdSparse(${name}): the pattern has ${p.n} columns, argument ${argnum} has ${n} entries (a pattern holds for arguments of the shapes it was computed for)`);
    engine ??= columnEngine(f, argnum, Infinity);
    // One direction per colour: the sum of the unit vectors of its columns.
    let seeds: unknown[];
    if (typeof x === "number") seeds = [1];
    else {
      // A function that never writes x never writes its seeds: they are made once per pattern.
      const reusable = engine.writes?.[argnum] === false;
      let vectors = reusable ? seedsOf.get(p) : undefined;
      if (!vectors) {
        vectors = Array.from({ length: p.colorCount }, () => new Float64Array(n));
        for (let j = 0; j < n; j++) vectors[p.colors[j]!]![j] = 1;
        if (reusable) seedsOf.set(p, vectors);
      }
      seeds = vectors;
    }
    const columns = directionalDerivatives(engine, args, argnum, seeds).map((c) => (typeof c === "number" ? Float64Array.of(c) : c as Float64Array));
    const m = columns[0]?.length ?? p.m;
    if (m !== p.m) throw new Error(`tsjvp: jacfwdSparse(${name}): the pattern has ${p.m} rows, the result has ${m} (a pattern holds for arguments of the shapes it was computed for)`);
    // Entry (i, j) is row i of the compressed column of j's colour.
    const values = new Float64Array(p.colIdx.length);
    const { rowPtr, colIdx, colors } = p;
    for (let i = 0; i < p.m; i++) {
      for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) values[k] = columns[colors[colIdx[k]!]!]![i]!;
    }
    return { m: p.m, n: p.n, rowPtr, colIdx, values };
  };
}
