import type * as ts from "typescript";

/**
 * Every diagnostic tsjvp reports: code (97001–97999) and message with {0} placeholders. Each
 * message names the construct and says what to do instead.
 */
export const Messages = {
  internalError: { code: 97001, text: "tsjvp internal error while differentiating '{0}': {1}. Please report it with this function's source." },
  unsupportedSyntax: { code: 97002, text: "{0} is not supported in differentiated code (reached from '{1}'). {2}" },
  asyncOrGenerator: { code: 97003, text: "'{0}' is {1} function; tsjvp differentiates synchronous, non-generator functions only. Differentiate a synchronous helper it calls instead." },
  evalCall: { code: 97004, text: "'eval' cannot be differentiated. Write the computation as code in the function." },
  argumentsObject: { code: 97005, text: "'arguments' cannot be differentiated. Declare named parameters instead." },
  closure: { code: 97006, text: "A nested function or class inside differentiated code is not supported (in '{0}'). Move it to module level as a function declaration and call it." },
  tryStatement: { code: 97007, text: "'try' statements are not supported in differentiated code (in '{0}'). Move the try/catch to the caller, around the jvp call." },
  outerWrite: { code: 97008, text: "Differentiated code may write '{0}', which is declared outside '{1}' (module-level or captured state): directly, through an alias, or by a function it is passed to. Pass it as a parameter (an out-parameter for arrays), copy it into a local, or return the value instead." },
  noRule: { code: 97009, text: "'{0}' receives differentiated arguments, but {1}. {2}." },
  untaggedImport: { code: 97010, text: "'{0}' is declared in another module ({1}) without a /** @jvp */ tag. {2}" },
  notExported: { code: 97011, text: "'{0}' in {1} is tagged @jvp but not exported. Export it to call it from differentiated code in another module." },
  unknownFunction: { code: 97012, text: "'{0}' cannot be differentiated by jvp: {1}. {2}." },
  unsupportedType: { code: 97013, text: "'{0}' has type '{1}', which tsjvp cannot differentiate. Use numbers, Float64Arrays, and plain objects or arrays of them, or pass a null tangent." },
  activeInPosition: { code: 97014, text: "{0} depends on differentiated values here, which tsjvp cannot place. {1}" },
  sideEffectInExpression: { code: 97015, text: "{0} inside a larger expression is not supported in differentiated code. Write it as its own statement." },
  nestedJvp: { code: 97016, text: "jvp inside differentiated code ('{0}') is not supported. Compute nested derivatives in separate functions." },
  classInstance: { code: 97018, text: "'{0}' has type '{1}', a class: class instances are not pytrees (their prototypes, methods and invariants have no tangent). Pass a plain object typed by an interface or type alias, or a null tangent." },
  unexportedState: { code: 97019, text: "'{0}' is module state that a twin uses but its module does not export: a companion module of `tsjvp emit` cannot share it. Export it, or make it a constant of a primitive value." },
  textRoundTrip: { code: 97020, text: "'{0}' turns text made from differentiated values back into data, which would lose its derivative (in '{1}'). Compute with the numbers themselves; text made from them may only be printed or put in a message." },
  twinNameTaken: { code: 97021, text: "The twin of the exported @jvp function '{0}' must be named '{1}' (other modules call it by that name), but its module already declares '{1}'. Rename that declaration." },
  misplacedTag: { code: 97022, text: "A /** @jvp */ tag on {0} has no effect: tsjvp differentiates function declarations and const arrow or function expressions. {1}" },
  companionNamespace: { code: 97023, text: "'{0}' is in a namespace: `tsjvp emit` writes companions for module-level functions only. Build with the plugin, or declare it at module level." },
  methodCall: { code: 97024, text: "'{0}' is a method: tsjvp differentiates functions, not methods. Write it as a function declaration (or a const arrow) of the module, taking its data as parameters." },
  typescriptVersion: { code: 97025, text: "tsjvp supports TypeScript {0}.x; this build uses TypeScript {1}. Install a supported release: npm install --save-dev typescript@{0}" },
  inlineJacobian: { code: 97027, text: "{0} needs a named function here: tsjvp attaches the function's twins to it, where {0} finds them. Declare it (function f(x: Float64Array) { … }, or const f = (x: Float64Array) => …) and pass f." },
  misplacedRule: { code: 97026, text: "This defineJvp call is not a statement or a const at the top level of its module, where tsjvp finds rules: differentiated code would not use it. Call defineJvp(f, rule) at the top level, after f's declaration." },
  secondOrder: { code: 97028, text: "{0}({1}) needs the twin of {1}'s twin, which tsjvp could not generate: {2}" },
  nestedFailed: { code: 97029, text: "This jvp differentiates code that calls jvp itself (forward over forward); tsjvp could not differentiate it: {0}" },
  sparsityFailed: { code: 97030, text: "{0}({1}) needs the index-set twin of {1}, which tsjvp could not generate: {2}. Rewrite that part, or give jacfwdSparse a pattern found otherwise (jacfwdSparse(f, { pattern }))." },
  // Reported in the second program only, as the reason of a TS97028 (a call of another module's function inside a twin of a twin).
  twinWithoutHessian: { code: 97031, text: "it calls '{0}' of {1}, whose twin of its twin that module emits only for a function tagged /** @jvp hessian */: add 'hessian' to the tag of '{0}' there" },
  missingKind: { code: 97031, text: "{0}({1}) needs the {2} twins of '{1}', which its module ({3}) emits only for a function tagged /** @jvp {2} */. Add '{2}' to the tag of its declaration there (kinds combine: /** @jvp hessian sparsity */)." },
  reexport: { code: 97017, text: "'{0}' is imported through a re-export. Import it directly from the module that declares it ({1}) to differentiate it." },
} as const;

export type MessageId = keyof typeof Messages;

export function formatMessage(id: MessageId, args: readonly string[]): string {
  return Messages[id].text.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)] ?? "");
}

/** Collects diagnostics for one source file; visitors report and carry on. */
export class DiagnosticBag {
  readonly items: ts.Diagnostic[] = [];
  /** `cwd`: run-time messages name files relative to it, so the emitted code is machine-independent. */
  constructor(private readonly tsi: typeof ts, private readonly cwd = "") {}

  report(node: ts.Node, id: MessageId, ...args: string[]): ts.Diagnostic {
    const file = node.getSourceFile();
    const start = node.getStart(file);
    const diagnostic: ts.Diagnostic = {
      file,
      start,
      length: node.getEnd() - start,
      category: this.tsi.DiagnosticCategory.Error,
      code: Messages[id].code,
      messageText: formatMessage(id, args),
    };
    this.items.push(diagnostic);
    return diagnostic;
  }

  /** "file(line,col): message", for the run-time error of a call site that failed. */
  describe(d: ts.Diagnostic): string {
    const text = typeof d.messageText === "string" ? d.messageText : d.messageText.messageText;
    if (!d.file || d.start === undefined) return `tsjvp: error TS${d.code}: ${text}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const name = this.cwd && d.file.fileName.startsWith(this.cwd + "/") ? d.file.fileName.slice(this.cwd.length + 1) : d.file.fileName;
    return `tsjvp: ${name}(${line + 1},${character + 1}): error TS${d.code}: ${text}`;
  }
}
