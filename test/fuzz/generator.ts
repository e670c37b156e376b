/**
 * Random programs inside the supported subset (fast-check): locals and reassignment, compound
 * assignment, every operator and Math function, if/else and ternaries, bounded for/while/do loops
 * with break/continue and early returns (conditions, and ?? operands, that call a helper), Float64Array reads, writes, allocation, views and
 * aliases, out-parameters, pytrees (a parameter `p: { s: number; v: Float64Array }`, read,
 * written and passed on, or built as an object literal at a call), and calls between generated
 * functions. Every function has the signature (x, y, a, out, p): number; arrays have length 3. Expressions are kept inside each function's domain (log(1 + e²), sqrt(1 + e²), …)
 * so that primals and tangents are finite and the oracle's dual numbers and the twins agree
 * without special points.
 */
import fc from "fast-check";

interface Scope {
  nums: string[];
  arrays: string[];
  /** Local number[] pytrees. */
  lists: string[];
  /** Locals of type number | null. */
  nullables: string[];
  counters: string[];
  helpers: string[];
  /** How this function names a helper: `h0`, or `NS.h0` from outside the namespace. */
  helperRef: (name: string) => string;
  fresh: { n: number };
  depthLeft: number;
}

const literal = fc.constantFrom("0.5", "1.5", "2", "-0.75", "3", "0.25");
const index = (s: Scope) => fc.oneof(fc.constantFrom("0", "1", "2"), ...(s.counters.length ? [fc.constantFrom(...s.counters).map((c) => `${c} % 3`)] : []));

// Element reads carry `!`, so that every program also compiles under noUncheckedIndexedAccess.
function leaf(s: Scope): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [fc.constantFrom(...s.nums), literal, fc.tuple(fc.constantFrom(...s.arrays), index(s)).map(([a, i]) => `${a}[${i}]!`)];
  if (s.counters.length) options.push(fc.constantFrom(...s.counters));
  options.push(fc.constantFrom(...s.arrays).map((a) => `${a}.length`));
  // Callbacks over Float64Arrays (lowered to loops by tsjvp); the arrow captures the scope and
  // uses every parameter (element, index, the array itself).
  const captured = fc.constantFrom(...s.nums);
  options.push(fc.tuple(fc.constantFrom(...s.arrays), captured).map(([a, n]) => `${a}.reduce((acc, v) => acc + v * ${n}, 0)`));
  options.push(fc.tuple(fc.constantFrom(...s.arrays), captured, fc.constantFrom("0", "1", "2")).map(([a, n, i]) => `${a}.map((v, j) => Math.sin(v * ${n}) + j)[${i}]!`));
  options.push(fc.tuple(fc.constantFrom(...s.arrays), fc.constantFrom("0", "1", "2")).map(([a, i]) => `${a}.map((v, j, arr) => v * arr[(j + 1) % 3]!)[${i}]!`));
  options.push(fc.constantFrom(...s.arrays).map((a) => `${a}.reduce((acc, v, j, arr) => acc + v * arr[j]!, 0)`));
  // A read past the end falls back (`??`); a number | null narrowed; number[] lists and their lengths.
  options.push(fc.tuple(fc.constantFrom(...s.arrays), index(s), captured).map(([a, i, n]) => `(${a}[${i} + 3] ?? ${n})`));
  if (s.nullables.length) options.push(fc.constantFrom(...s.nullables).map((u) => `(${u} === null ? 0.5 : ${u})`));
  if (s.lists.length) {
    options.push(fc.tuple(fc.constantFrom(...s.lists), index(s)).map(([l, i]) => `${l}[${i}]!`));
    options.push(fc.constantFrom(...s.lists).map((l) => `${l}.length`));
  }
  return fc.oneof(...options);
}

/** One-argument forms, each safe for any finite argument. */
const wrappers = [
  "Math.sin(E)", "Math.cos(E)", "Math.tan(Math.tanh(E))", "Math.asin(0.9 * Math.tanh(E))", "Math.acos(0.9 * Math.tanh(E))",
  "Math.atan(E)", "Math.sinh(Math.tanh(E))", "Math.cosh(Math.tanh(E))", "Math.tanh(E)", "Math.asinh(E)",
  "Math.acosh(1.5 + E * E)", "Math.atanh(0.9 * Math.tanh(E))", "Math.exp(Math.tanh(E))", "Math.expm1(Math.tanh(E))",
  "Math.log(1 + E * E)", "Math.log1p(E * E)", "Math.log2(2 + E * E)", "Math.log10(3 + E * E)", "Math.sqrt(1 + E * E)",
  "Math.cbrt(2 + Math.tanh(E))", "Math.abs(E)", "Math.fround(E)", "Math.floor(E)", "Math.ceil(E)", "Math.round(E)",
  "Math.trunc(E)", "Math.sign(E)", "-E", "+E", "E ** 2", "E ** 3", "Math.pow(E, 2)", "E % 1.5",
];
const pairs = [
  "E + F", "E - F", "E * F", "E / (1.5 + F * F)", "(1 + E * E) ** Math.tanh(F)", "Math.pow(1.5 + Math.sin(E), F)",
  "Math.atan2(E, 2 + F * F)", "Math.hypot(E, F, 1)", "Math.max(E, F)", "Math.min(E, F, 0.5)", "E % (2 + F * F)",
];

function expr(s: Scope, allowCalls = true): fc.Arbitrary<string> {
  if (s.depthLeft <= 0) return leaf(s);
  const inner: Scope = { ...s, depthLeft: s.depthLeft - 1 };
  const sub = expr(inner, allowCalls);
  const options: fc.Arbitrary<string>[] = [
    leaf(s),
    fc.tuple(fc.constantFrom(...wrappers), sub).map(([w, e]) => w.replace(/E/g, `(${e})`)),
    fc.tuple(fc.constantFrom(...pairs), sub, sub).map(([p, e, f]) => p.replace(/E/g, `(${e})`).replace(/F/g, `(${f})`)),
    fc.tuple(condition(inner), sub, sub).map(([c, e, f]) => `(${c} ? ${e} : ${f})`),
  ];
  if (allowCalls) {
    // Primitives of tsjvp/ops (their hand-written twins are called).
    options.push(fc.tuple(fc.constantFrom("dot", "sum", "logsumexp"), fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays)).map(([op, a, b]) => (op === "dot" ? `dot(${a}, ${b})` : `${op}(${a})`)));
  }
  if (allowCalls && s.helpers.length) {
    options.push(fc.tuple(fc.constantFrom(...s.helpers), sub, sub, fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays), pytree(inner), fc.option(sub, { nil: undefined }))
      .map(([h, e, f, a, b, p, k]) => `${s.helperRef(h)}(${e}, ${f}, ${a}, ${b}, ${p}${k === undefined ? "" : `, ${k}`})`));
  }
  return fc.oneof({ depthSize: "small" }, ...options);
}

/** The pytree argument of a call: the parameter itself, or a new object literal. */
function pytree(s: Scope): fc.Arbitrary<string> {
  return fc.oneof(fc.constant("p"), fc.tuple(expr({ ...s, depthLeft: 0 }, false), fc.constantFrom(...s.arrays)).map(([e, a]) => `{ s: ${e}, v: ${a} }`));
}

/** Conditions hold no calls: a loop condition cannot run a twin (a diagnostic by design). */
function condition(s: Scope): fc.Arbitrary<string> {
  const e = expr({ ...s, depthLeft: Math.min(s.depthLeft, 1) }, false);
  // `a < (b > c)` can parse as type arguments (`a<…>(…)`): comparisons are written with > and >= only.
  const cmp = fc.tuple(e, fc.constantFrom(">", ">="), e, fc.boolean()).map(([a, op, b, swap]) => (swap ? `${b} ${op} ${a}` : `${a} ${op} ${b}`));
  return fc.oneof(cmp, fc.tuple(cmp, fc.constantFrom("&&", "||"), cmp).map(([a, op, b]) => `(${a} ${op} ${b})`));
}

function statement(s: Scope, depth: number): fc.Arbitrary<string[]> {
  const e = expr(s);
  const options: fc.Arbitrary<string[]>[] = [
    fc.tuple(fc.constantFrom(...s.nums.filter((n) => n !== "x" && n !== "y").concat(["x", "y"])), fc.constantFrom("=", "+=", "-=", "*="), e)
      .map(([v, op, x]) => [`${v} ${op} ${x};`]),
    fc.tuple(fc.constantFrom(...s.nums), e).map(([v, x]) => [`${v} /= 1 + (${x}) * (${x});`]),
    fc.tuple(fc.constantFrom(...s.arrays), index(s), fc.constantFrom("=", "+=", "-=", "*="), e).map(([a, i, op, x]) => [`${a}[${i}]${op === "=" ? "" : "!"} ${op} ${x};`]),
    // The accumulator of reduce is its initial value: written through, read afterwards (a fresh
    // array, or one of the scope's).
    fc.tuple(fc.constantFrom(...s.arrays), fc.constantFrom("new Float64Array(3)", ...s.arrays), fc.constantFrom(...s.nums))
      .map(([a, w, n]) => ["{", `  const acc0 = ${w};`, `  ${a}.reduce((acc, v) => {`, `    acc[0]! += v * ${n};`, `    return acc;`, `  }, acc0);`, `  x += acc0[0]!;`, "}"]),
    fc.tuple(fc.constantFrom(...s.arrays), e).map(([a, x]) => [`${a}.fill(${x});`]),
    // Primitives of tsjvp/ops writing an `out` (possibly one of their inputs: in place).
    fc.tuple(fc.constantFrom("scale", "axpy", "mul", "tanh", "softmax"), e, fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays))
      .map(([op, x, a, b, o]) => [op === "scale" ? `scale(${x}, ${a}, ${o});` : op === "axpy" ? `axpy(${x}, ${a}, ${b}, ${o});` : op === "mul" ? `mul(${a}, ${b}, ${o});` : `${op}(${a}, ${o});`]),
    fc.tuple(fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays)).map(([a, b]) => [`${a}.set(${b}.slice(0, 3));`]),
    fc.tuple(condition(s), e).map(([c, x]) => [`if (${c}) return ${x};`]),
  ];
  if (s.lists.length) {
    options.push(fc.tuple(fc.constantFrom(...s.lists), index(s), fc.constantFrom("=", "+=", "*="), e).map(([l, i, op, x]) => [`${l}[${i}]${op === "=" ? "" : "!"} ${op} ${x};`]));
  }
  if (s.helpers.length) {
    options.push(fc.tuple(fc.constantFrom(...s.helpers), e, e, fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays), pytree(s))
      .map(([h, x, y, a, b, p]) => [`${s.helperRef(h)}(${x}, ${y}, ${a}, ${b}, ${p});`]));
    // A pytree built with shorthand fields: `{ s, v }` reads the variables s and v.
    options.push(fc.tuple(fc.constantFrom(...s.helpers), e, fc.constantFrom(...s.arrays), e)
      .map(([h, x, a, y]) => ["{", `  const s = ${x};`, `  const v = ${a};`, `  ${s.nums[0]} += ${s.helperRef(h)}(${y}, s, a, out, { s, v });`, "}"]));
  }
  if (depth > 0) {
    const body = block(s, depth - 1, 3);
    options.push(fc.tuple(condition(s), body, body).map(([c, t, f]) => [`if (${c}) {`, ...indent(t), `} else {`, ...indent(f), `}`]));
    const counter = `i${s.fresh.n++}`;
    const loopScope: Scope = { ...s, counters: [...s.counters, counter] };
    const loopBody = block(loopScope, depth - 1, 3);
    options.push(fc.tuple(fc.integer({ min: 1, max: 4 }), loopBody, fc.option(condition(loopScope), { nil: undefined }), fc.constantFrom("break", "continue"))
      .map(([n, b, exit, kind]) => [
        `for (let ${counter} = 0; ${counter} < ${n}; ${counter}++) {`,
        ...indent(exit ? [`if (${exit}) ${kind};`, ...b] : b),
        `}`,
      ]));
    const k = `k${s.fresh.n++}`;
    const whileScope: Scope = { ...s, counters: [...s.counters, k] };
    options.push(fc.tuple(fc.integer({ min: 1, max: 3 }), block(whileScope, depth - 1, 2))
      .map(([n, b]) => [`let ${k} = 0;`, `while (${k} < ${n}) {`, `  ${k}++;`, ...indent(b), `}`]));
    if (s.helpers.length) {
      // Conditions that call a helper (its twin runs each time the loop checks), kept bounded:
      // at most n passes, fewer where |tanh(h(…))| is small.
      const call = fc.tuple(fc.constantFrom(...s.helpers), expr(s), expr(s), fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays), pytree(s))
        .map(([h, x, y, a, b, p]) => `${s.helperRef(h)}(${x}, ${y}, ${a}, ${b}, ${p})`);
      const bound = (n: number, c: string) => `Math.min(${n}, 1 + 2 * Math.abs(Math.tanh(${c})))`;
      const c = `c${s.fresh.n++}`;
      const condScope: Scope = { ...s, counters: [...s.counters, c] };
      options.push(fc.tuple(fc.integer({ min: 1, max: 3 }), call, block(condScope, depth - 1, 2), fc.option(condition(condScope), { nil: undefined }))
        .map(([n, h, b, exit]) => [`for (let ${c} = 0; ${c} < ${bound(n, h)}; ${c}++) {`, ...indent(exit ? [`if (${exit}) continue;`, ...b] : b), `}`]));
      options.push(fc.tuple(fc.integer({ min: 1, max: 3 }), call, block(condScope, depth - 1, 2))
        .map(([n, h, b]) => [`let ${c} = 0;`, `while (${c} < ${bound(n, h)}) {`, `  ${c}++;`, ...indent(b), `}`]));
      options.push(fc.tuple(fc.integer({ min: 1, max: 3 }), call, block(condScope, depth - 1, 2), condition(condScope))
        .map(([n, h, b, exit]) => [`let ${c} = 0;`, `do {`, `  ${c}++;`, `  if (${exit}) continue;`, ...indent(b), `} while (${c} < ${bound(n, h)});`]));
      if (s.nullables.length) {
        // The right operand of ?? calls a helper only when the left is null.
        options.push(fc.tuple(fc.constantFrom(...s.nullables), call).map(([u, h]) => [`${s.nums[0]} += ${u} ?? ${h};`]));
      }
    }
    // A labelled loop left from an inner loop.
    const label = `outer${s.fresh.n++}`;
    const inner = `j${s.fresh.n++}`;
    const nestedScope: Scope = { ...loopScope, counters: [...loopScope.counters, inner] };
    options.push(fc.tuple(fc.integer({ min: 1, max: 3 }), condition(nestedScope), fc.constantFrom("break", "continue"), block(nestedScope, depth - 1, 2))
      .map(([n, exit, kind, b]) => [
        `${label}: for (let ${counter} = 0; ${counter} < ${n}; ${counter}++) {`,
        `  for (let ${inner} = 0; ${inner} < 2; ${inner}++) {`,
        `    if (${exit}) ${kind} ${label};`,
        ...indent(indent(b)),
        `  }`,
        `}`,
      ]));
    // A labelled for…of over a view (lowered to an index loop over a held iterable).
    const viewed = `e${s.fresh.n++}`;
    const viewScope: Scope = { ...s, counters: [...s.counters, inner], nums: [...s.nums, viewed] };
    options.push(fc.tuple(fc.constantFrom(...s.arrays), condition(viewScope), fc.constantFrom("break", "continue"), block(viewScope, depth - 1, 2))
      .map(([a, exit, kind, b]) => [
        `${label}: for (let ${viewed} of ${a}.subarray(1)) {`,
        `  for (let ${inner} = 0; ${inner} < 2; ${inner}++) {`,
        `    if (${exit}) ${kind} ${label};`,
        `    x += ${viewed} * 0.5;`,
        ...indent(indent(b)),
        `  }`,
        `}`,
      ]));
    // for…of: a new element variable, an existing one, and an iterable the body rebinds.
    const element = `e${s.fresh.n++}`;
    const ofScope: Scope = { ...s, nums: [...s.nums, element] };
    const ofBody = block(ofScope, depth - 1, 2);
    // Each body first adds its element into x, so that the elements visited decide the result.
    const use = `  x += ${element} * 0.5;`;
    options.push(fc.tuple(fc.constantFrom(...s.arrays), ofBody).map(([a, b]) => [`for (let ${element} of ${a}) {`, use, ...indent(b), `}`]));
    options.push(fc.tuple(fc.constantFrom(...s.arrays), ofBody).map(([a, b]) => [`let ${element} = 0;`, `for (${element} of ${a}) {`, use, ...indent(b), `}`]));
    const current = `cur${s.fresh.n++}`;
    options.push(fc.tuple(fc.constantFrom(...s.arrays), fc.constantFrom(...s.arrays), ofBody).map(([a, other, b]) => [
      `let ${current}: Float64Array = ${a};`, `for (let ${element} of ${current}) {`, use, ...indent(b), `  ${current} = ${other}.map((v) => v * 2);`, `}`]));
  }
  return fc.oneof({ depthSize: "small" }, ...options);
}

function indent(lines: string[]): string[] {
  return lines.map((l) => `  ${l}`);
}

/** Statements that may declare locals (numbers and arrays, views and aliases) before using them. */
function block(s: Scope, depth: number, max: number): fc.Arbitrary<string[]> {
  return fc.array(fc.constantFrom("num", "array", "stmt", "stmt", "list", "rows", "nullable"), { minLength: 1, maxLength: max }).chain((kinds) => {
    let arb: fc.Arbitrary<{ lines: string[]; scope: Scope }> = fc.constant({ lines: [], scope: { ...s, nums: [...s.nums], arrays: [...s.arrays], lists: [...s.lists], nullables: [...s.nullables] } });
    for (const kind of kinds) {
      arb = arb.chain(({ lines, scope }) => {
        if (kind === "num") {
          const name = `v${scope.fresh.n++}`;
          return expr(scope).map((e) => ({ lines: [...lines, `let ${name} = ${e};`], scope: { ...scope, nums: [...scope.nums, name] } }));
        }
        if (kind === "list") {
          const name = `ns${scope.fresh.n++}`;
          return fc.tuple(expr(scope), expr(scope)).map(([p, q]) => ({ lines: [...lines, `const ${name}: number[] = [${p}, ${q}, 1];`], scope: { ...scope, lists: [...scope.lists, name] } }));
        }
        if (kind === "rows") {
          // Rows of a tuple of Float64Arrays, and an alias of one row written at a constant index
          // before the tuple's row is read: part aliases.
          const name = `m${scope.fresh.n++}`;
          const row = `r${scope.fresh.n++}`;
          return fc.tuple(fc.constantFrom(...scope.arrays), fc.constantFrom("0", "1", "2"), expr(scope)).map(([a, i, e]) => ({
            lines: [...lines, `const ${name}: [Float64Array, Float64Array] = [new Float64Array(3), ${a}.slice()];`, `const ${row} = ${name}[1];`, `${row}[${i}] = ${e};`,
              `x += ${name}[1][${i}]!;`],
            scope: { ...scope, arrays: [...scope.arrays, `${name}[0]`, `${name}[1]`, row] },
          }));
        }
        if (kind === "nullable") {
          const name = `u${scope.fresh.n++}`;
          return fc.tuple(condition(scope), expr(scope)).map(([c, e]) => ({
            lines: [...lines, `const ${name} = ${c} ? ${e} : null;`], scope: { ...scope, nullables: [...scope.nullables, name] },
          }));
        }
        if (kind === "array") {
          const name = `w${scope.fresh.n++}`;
          const init = fc.oneof(
            fc.constant("new Float64Array(3)"),
            fc.tuple(expr(scope), expr(scope)).map(([p, q]) => `Float64Array.of(${p}, ${q}, 1)`),
            fc.constantFrom(...scope.arrays).map((a) => `${a}.slice()`),
            fc.constantFrom(...scope.arrays).map((a) => `${a}.subarray(0)`),
            fc.constantFrom(...scope.arrays),
            fc.constantFrom(...scope.arrays).map((a) => `new Float64Array(${a})`),
          );
          return init.map((i) => ({ lines: [...lines, `const ${name} = ${i};`], scope: { ...scope, arrays: [...scope.arrays, name] } }));
        }
        return statement(scope, depth).map((st) => ({ lines: [...lines, ...st], scope }));
      });
    }
    return arb.map(({ lines }) => lines);
  });
}

/** Helpers take a sixth parameter with a default (`k = 1.5`), which callers may leave out. */
function fn(name: string, helpers: string[], helperRef: (h: string) => string, prefix = "", extra: fc.Arbitrary<string[]> = fc.constant([])): fc.Arbitrary<string> {
  const isHelper = name !== "main";
  const scope: Scope = {
    nums: ["x", "y", "p.s", ...(isHelper ? ["k"] : [])], arrays: ["a", "out", "p.v"], lists: [], nullables: [], counters: [], helpers, helperRef,
    fresh: { n: 0 }, depthLeft: 2,
  };
  return fc.tuple(block(scope, 2, 5), extra, expr(scope)).map(([body, more, result]) => [
    `${prefix}function ${name}(x: number, y: number, a: Float64Array, out: Float64Array, p: P${isHelper ? ", k = 1.5" : ""}): number {`,
    ...indent([...body, ...more]),
    `  return ${result};`,
    `}`,
  ].join("\n"));
}

/** Where the helpers live, and how main reaches them. */
type Layout = "module" | "namespace" | "lib" | "lib-namespace";

/**
 * Constructs the fence must reject (they touch differentiated values and have no derivative), with
 * the diagnostic each must get: the program is then checked to be diagnosed, not run. `module` is
 * what goes at module level, `body` into main.
 */
const rejected: { code: string; module: string[]; body: string[]; needsLocalHelper?: boolean }[] = [
  // An object-literal method inside differentiated code is a closure.
  { code: "TS97006", module: [], body: ["const ops = { twice(v: number): number { return 2 * v; } };", "x += ops.twice(x);"] },
  // A method of a module-level object.
  { code: "TS97024", module: ["const scaler = {\n  by(v: number): number {\n    return 3 * v;\n  },\n};"], body: ["x += scaler.by(x);"] },
  // A call through a function value (a const holding another function).
  { code: "TS97009", module: ["const hv = h0;"], body: ["x += hv(x, y, a, out, p);"], needsLocalHelper: true },
];

/**
 * A program of 1 to 3 functions; `main` may call the helpers declared before it, and the
 * primitives of tsjvp/ops. The helpers may
 * sit in a namespace (`NS.h0` from main), in a second module `lib` (exported and tagged @jvp,
 * imported by name or as a namespace: `lib.h0`, `lib.NS.h0`), and the program may be compiled with
 * noUncheckedIndexedAccess (`// @unchecked`). The driver may reach main through a function value
 * (`// @dispatch`: run-time dispatch to its registered twin). A few programs hold a construct that
 * must be rejected (`// @expect TS970xx`). A second module follows the line `// @module lib`.
 */
export const programArbitrary: fc.Arbitrary<string> = fc.tuple(
  fc.integer({ min: 0, max: 2 }), fc.constantFrom<Layout>("module", "module", "namespace", "lib", "lib-namespace"), fc.boolean(), fc.boolean(),
  fc.boolean(), fc.integer({ min: 0, max: 19 }),
).chain(([count, layout, unchecked, dispatch, namespaceImport, rejectAt]) => {
  const names = Array.from({ length: count }, (_, i) => `h${i}`);
  const inLib = layout === "lib" || layout === "lib-namespace";
  const inNamespace = layout === "namespace" || layout === "lib-namespace";
  const qualifier = `${inLib && namespaceImport ? "lib." : ""}${inNamespace ? "NS." : ""}`;
  const outside = (h: string) => `${qualifier}${h}`;
  const tag = inLib ? "/** @jvp */\n" : "";
  const exported = inNamespace || inLib ? "export " : "";
  const parts = names.map((n, i) => fn(n, names.slice(0, i), (h) => h, `${tag}${exported}`));
  const candidates = rejected.filter((r) => !r.needsLocalHelper || (count > 0 && layout === "module"));
  const reject = rejectAt < candidates.length ? candidates[rejectAt] : undefined;
  const mainPrefix = dispatch ? "/** @jvp */\n" : "";
  return fc.tuple(fc.tuple(...parts), fn("main", names, outside, mainPrefix, fc.constant(reject?.body ?? []))).map(([helpers, main]) => {
    const helperBlock = inNamespace && helpers.length ? [["namespace NS {", ...indent(helpers.join("\n\n").split("\n")), "}"].join("\n")].map((h) => `${inLib ? "export " : ""}${h}`) : helpers;
    const markers = [...(unchecked ? ["// @unchecked"] : []), ...(dispatch ? ["// @dispatch"] : []), ...(reject ? [`// @expect ${reject.code}`] : [])];
    const p = "interface P {\n  s: number;\n  v: Float64Array;\n}";
    const ops = 'import { axpy, dot, logsumexp, mul, scale, softmax, sum, tanh } from "tsjvp/ops";';
    if (!inLib) return [...markers, ops, p, ...helperBlock, ...(reject?.module ?? []), main].join("\n\n");
    const imported = namespaceImport ? `import * as lib from "./lib";\nimport type { P } from "./lib";` : `import { ${[...(inNamespace && names.length ? ["NS"] : names), "type P"].join(", ")} } from "./lib";`;
    return [...markers, ops, imported, ...(reject?.module ?? []), main, "// @module lib", ops, `export ${p}`, ...helperBlock].join("\n\n");
  });
});

/** Inputs and tangents; `null` tangents on some parameters select specialised twins. */
export interface Inputs {
  x: number; y: number; a: number[]; out: number[]; ps: number; pv: number[];
  dx: number; dy: number | null; da: number[]; dout: number[] | null; dp: { s: number; v: number[] } | null;
}

const value = fc.double({ min: -2, max: 2, noNaN: true }).map((v) => Math.round(v * 1e6) / 1e6);
const direction = fc.double({ min: -1, max: 1, noNaN: true }).map((v) => Math.round(v * 1e6) / 1e6);
export const inputsArbitrary: fc.Arbitrary<Inputs> = fc.record({
  x: value, y: value, a: fc.array(value, { minLength: 3, maxLength: 3 }), out: fc.array(value, { minLength: 3, maxLength: 3 }),
  dx: direction, dy: fc.option(direction, { nil: null }), da: fc.array(direction, { minLength: 3, maxLength: 3 }),
  dout: fc.option(fc.array(direction, { minLength: 3, maxLength: 3 }), { nil: null }),
  ps: value, pv: fc.array(value, { minLength: 3, maxLength: 3 }),
  dp: fc.option(fc.record({ s: direction, v: fc.array(direction, { minLength: 3, maxLength: 3 }) }), { nil: null }),
});
