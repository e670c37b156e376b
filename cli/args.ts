/** Command-line arguments of `tsjvp`: a command, its flags and files. Unknown flags are errors. */
export interface Args {
  readonly command: "emit" | "check" | undefined;
  readonly project: string | undefined;
  readonly outDir: string | undefined;
  readonly stdout: boolean;
  /** emit --check: compare the companions with a fresh emit, write nothing. */
  readonly check: boolean;
  readonly watch: boolean;
  /** check --numeric: twins and rules against central differences. */
  readonly numeric: boolean;
  readonly tolerance: number;
  readonly pretty: boolean | undefined;
  readonly help: boolean;
  readonly version: boolean;
  readonly files: readonly string[];
}

export class UsageError extends Error {}

const valueFlags: Record<string, "project" | "outDir" | "tolerance"> = { "-p": "project", "--project": "project", "--out-dir": "outDir", "--outDir": "outDir", "--tolerance": "tolerance" };

export function parseArgs(argv: readonly string[]): Args {
  let command: Args["command"];
  const values: { project?: string; outDir?: string; tolerance?: string } = {};
  let numeric = false;
  let stdout = false;
  let check = false;
  let watch = false;
  let pretty: boolean | undefined;
  let help = false;
  let version = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag in valueFlags) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("-")) throw new UsageError(`${flag} needs a value`);
      values[valueFlags[flag]] = value;
    } else if (flag === "--stdout") stdout = true;
    else if (flag === "--check") check = true;
    else if (flag === "--numeric") numeric = true;
    else if (flag === "--watch" || flag === "-w") watch = true;
    else if (flag === "--pretty") pretty = inline === undefined ? true : inline !== "false";
    else if (flag === "-h" || flag === "--help") help = true;
    else if (flag === "-v" || flag === "--version") version = true;
    else if (flag.startsWith("-")) throw new UsageError(`unknown option ${flag}`);
    else if (command === undefined && files.length === 0 && (arg === "emit" || arg === "check")) command = arg;
    else if (command === undefined) throw new UsageError(`unknown command '${arg}' (expected emit or check)`);
    else files.push(arg);
  }
  if (command !== "emit") {
    const only = stdout ? "--stdout" : check ? "--check" : watch ? "--watch" : undefined;
    if (only && !help) throw new UsageError(`${only} is an option of tsjvp emit`);
  }
  if (command === "check" && files.length > 0) throw new UsageError("tsjvp check takes no files: it checks the whole project");
  if (command !== "check" && (numeric || values.tolerance !== undefined) && !help) throw new UsageError(`${numeric ? "--numeric" : "--tolerance"} is an option of tsjvp check`);
  const tolerance = values.tolerance === undefined ? 1e-6 : Number(values.tolerance);
  if (!(tolerance > 0)) throw new UsageError(`--tolerance needs a positive number, not ${values.tolerance}`);
  if ([stdout, check, watch].filter(Boolean).length > 1) throw new UsageError("--stdout, --check and --watch do not combine");
  return { command, project: values.project, outDir: values.outDir, stdout, check, watch, numeric, tolerance, pretty, help, version, files };
}

const exitCodes = `Exit codes (every command):
  0  clean
  1  diagnostics of the project (TypeScript's, syntax errors included, or tsjvp's TS97xxx),
     or companions that are stale, missing or orphaned
  2  usage errors: an unknown option, a missing tsconfig or file, an out-dir that is a file or
     holds sources, a refusal to overwrite a file tsjvp did not write
`;

export const usage: Record<"main" | "emit" | "check", string> = {
  main: `Usage: tsjvp <command> [options]

Commands:
  emit    write the derivative twins of a project as companion modules (<module>.jvp.ts)
  check   report every diagnostic (TypeScript's and tsjvp's) and every stale companion

Options:
  -h, --help       show help (tsjvp <command> --help for a command)
  -v, --version    print the version

${exitCodes}`,
  emit: `Usage: tsjvp emit [-p tsconfig.json] [files...] --out-dir DIR [--check | --watch | --stdout]

For each module holding a marked (jvp(f, ...)) or /** @jvp */-tagged function, writes
DIR/<module path relative to rootDir>.jvp.ts, which exports the twins (f_jvp, ...) and attaches
them to the module's exported functions on import, and DIR/index.ts, which imports every
companion. Import <DIR>/index.js once from your entry module; jvp(f, ...) then works without the
plugin (tsx, esbuild, vite, bun). A module that holds differentiated functions must not import the
index itself (its companion imports it back: a cycle). Companions tsjvp generated that no module
needs any more are removed; a module with errors gets a companion that throws them on import.

Options:
  -p, --project FILE   the tsconfig.json to load (default: ./tsconfig.json)
  --out-dir DIR        where to write the companions (required unless --stdout); a folder of
                       their own: one that holds the project's sources is refused
  --check              write nothing; report stale, missing and orphaned companions (for CI)
  -w, --watch          keep the companions current as sources change
  --stdout             print the companion of the one file given instead of writing files
  --pretty             diagnostics with colour and context (default: when on a terminal)

${exitCodes}`,
  check: `Usage: tsjvp check [-p tsconfig.json] [--out-dir DIR] [--numeric [--tolerance T]] [--pretty]

Type-checks the project and runs tsjvp's differentiation on it without writing anything: prints
every diagnostic (tsc's and tsjvp's TS97xxx). With companions (the folder given by --out-dir, or
found among the project's files by their generated index.ts), also reports each companion that is
stale (its module or a module it imports changed since tsjvp emit), missing or orphaned.
Use it in type-check-only CI steps: tspc --noEmit runs no transformer.

With --numeric, also builds the project with the plugin into node_modules/.cache/tsjvp-numeric
and loads the modules that hold twins or custom rules (their top-level code runs), then runs every
exported function with a twin or a rule on sample inputs (its /** @jvpSample [arguments] */ tags,
repeatable, or inputs generated from its parameter types, seed fixed) and compares jvp with
4th-order central differences in random directions. Each mismatch is reported as
file:line:col name: jvp [...] vs differences [...]; non-finite points are skipped and counted.

Options:
  -p, --project FILE   the tsconfig.json to load (default: ./tsconfig.json)
  --out-dir DIR        the companions' folder, when the project's files do not include it
  --numeric            check twins and rules against central differences (exit 1 on a mismatch)
  --tolerance T        relative tolerance of --numeric (default 1e-6)
  --pretty             diagnostics with colour and context (default: when on a terminal)

${exitCodes}`,
};
