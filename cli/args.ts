/** Command-line arguments of `tsjvp`: a command, its flags and files. Unknown flags are errors. */
export interface Args {
  readonly command: "emit" | "check" | undefined;
  readonly project: string | undefined;
  readonly outDir: string | undefined;
  readonly stdout: boolean;
  readonly pretty: boolean | undefined;
  readonly help: boolean;
  readonly version: boolean;
  readonly files: readonly string[];
}

export class UsageError extends Error {}

const valueFlags: Record<string, "project" | "outDir"> = { "-p": "project", "--project": "project", "--out-dir": "outDir", "--outDir": "outDir" };

export function parseArgs(argv: readonly string[]): Args {
  let command: Args["command"];
  const values: { project?: string; outDir?: string } = {};
  let stdout = false;
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
    else if (flag === "--pretty") pretty = inline === undefined ? true : inline !== "false";
    else if (flag === "-h" || flag === "--help") help = true;
    else if (flag === "-v" || flag === "--version") version = true;
    else if (flag.startsWith("-")) throw new UsageError(`unknown option ${flag}`);
    else if (command === undefined && files.length === 0 && (arg === "emit" || arg === "check")) command = arg;
    else if (command === undefined) throw new UsageError(`unknown command '${arg}' (expected emit or check)`);
    else files.push(arg);
  }
  return { command, project: values.project, outDir: values.outDir, stdout, pretty, help, version, files };
}

export const usage: Record<"main" | "emit" | "check", string> = {
  main: `Usage: tsjvp <command> [options]

Commands:
  emit    write the derivative twins of a project as companion modules (<module>.jvp.ts)
  check   report every diagnostic (TypeScript's and tsjvp's); exit 1 if any

Options:
  -h, --help       show help (tsjvp <command> --help for a command)
  -v, --version    print the version
`,
  emit: `Usage: tsjvp emit [-p tsconfig.json] [files...] --out-dir DIR [--stdout]

For each module holding a marked (jvp(f, ...)) or /** @jvp */-tagged function, writes
DIR/<module path relative to rootDir>.jvp.ts, which exports the twins (f_jvp, ...) and attaches
them to the module's exported functions on import, and DIR/index.ts, which imports every
companion. Import <DIR>/index.js once from your entry module; jvp(f, ...) then works without the
plugin (tsx, esbuild, vite, bun). A module that holds differentiated functions must not import the
index itself (its companion imports it back: a cycle).

Options:
  -p, --project FILE   the tsconfig.json to load (default: ./tsconfig.json)
  --out-dir DIR        where to write the companions (required unless --stdout)
  --stdout             print the companion of the one file given instead of writing files
  --pretty             diagnostics with colour and context (default: when on a terminal)
`,
  check: `Usage: tsjvp check [-p tsconfig.json] [--pretty]

Type-checks the project and runs tsjvp's differentiation on it without writing anything:
prints every diagnostic (tsc's and tsjvp's TS97xxx) and exits 1 if there is any, 0 if none.
Use it in type-check-only CI steps: tspc --noEmit runs no transformer.

Options:
  -p, --project FILE   the tsconfig.json to load (default: ./tsconfig.json)
  --pretty             diagnostics with colour and context (default: when on a terminal)
`,
};
