/**
 * The TypeScript program a bundler plugin differentiates modules in: one language service per
 * tsconfig, kept across transforms (a bundler calls the hook once per module, and a dev server
 * again after every edit), so each call rebuilds only what changed since the last.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";
import { parseConfig } from "../host/typescript";

/** A module's text as the bundler handed it to the hook, while the file on disk is as it was then. */
interface Overlay {
  readonly text: string;
  readonly version: string;
  readonly stat: string;
}

/**
 * Compiler options for emitting one module for a bundler: ES module syntax (the bundler links it),
 * the project's target (and so its default lib), JSX left to the bundler, a source map back to the source.
 */
function bundlerOptions(ts: typeof TS, options: TS.CompilerOptions): TS.CompilerOptions {
  return {
    ...options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.Preserve,
    noEmit: false,
    noEmitOnError: false,
    emitDeclarationOnly: false,
    declaration: false,
    declarationMap: false,
    composite: false,
    incremental: false,
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: false,
    outDir: undefined,
    outFile: undefined,
    rootDir: undefined,
    sourceRoot: undefined,
    mapRoot: undefined,
    removeComments: false,
  };
}

export class BundlerProject {
  readonly service: TS.LanguageService;
  private readonly roots: Set<string>;
  private readonly overlays = new Map<string, Overlay>();
  private readonly options: TS.CompilerOptions;

  constructor(readonly ts: typeof TS, readonly configPath: string, readonly parsed: TS.ParsedCommandLine) {
    this.roots = new Set(parsed.fileNames.map((f) => path.resolve(f)));
    this.options = bundlerOptions(ts, parsed.options);
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [...this.roots],
      getProjectReferences: () => parsed.projectReferences,
      getScriptVersion: (file) => this.version(file),
      getScriptSnapshot: (file) => {
        const text = this.text(file);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => path.dirname(configPath),
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, path.dirname(configPath)));
  }

  includes(file: string): boolean {
    return this.roots.has(path.resolve(file));
  }

  /**
   * The program with `file` as the bundler sees it now: `text` is what the hook was handed (an
   * earlier plugin may have changed it); every other file is read from disk, again once it changes.
   */
  programWith(file: string, text: string): TS.Program | undefined {
    const resolved = path.resolve(file);
    this.roots.add(resolved);
    const stat = statKey(resolved);
    // Usually the text is the file's (tsjvp runs first): then the version stays the file's, and the
    // program (and its type checking) is reused rather than rebuilt for every module handed over.
    if (this.ts.sys.readFile(resolved) === text) {
      this.overlays.delete(resolved);
    } else if (this.overlays.get(resolved)?.text !== text || this.overlays.get(resolved)?.stat !== stat) {
      this.overlays.set(resolved, { text, stat, version: `${stat}:${crypto.createHash("sha256").update(text).digest("hex").slice(0, 16)}` });
    }
    return this.service.getProgram();
  }

  private version(file: string): string {
    const stat = statKey(file);
    const overlay = this.overlays.get(file);
    if (overlay && overlay.stat === stat) return overlay.version;
    // The file changed on disk since the bundler handed it over: disk wins until the next hand-over.
    this.overlays.delete(file);
    return stat;
  }

  private text(file: string): string | undefined {
    const overlay = this.overlays.get(file);
    if (overlay && overlay.stat === statKey(file)) return overlay.text;
    return this.ts.sys.readFile(file);
  }
}

function statKey(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return "absent";
  }
}

/**
 * The projects of one build, by tsconfig: the one given (or found from the root), or the project
 * it references that holds a module (Vite's templates split app and tooling configs that way).
 */
export class BundlerProjects {
  private readonly byConfig = new Map<string, BundlerProject>();

  constructor(private readonly ts: typeof TS, private readonly configPath: string) {}

  projectFor(file: string): BundlerProject {
    const top = this.project(this.configPath);
    if (top.includes(file)) return top;
    for (const ref of top.parsed.projectReferences ?? []) {
      const referenced = this.project(this.ts.resolveProjectReferencePath(ref));
      if (referenced.includes(file)) return referenced;
    }
    return top;
  }

  private project(configPath: string): BundlerProject {
    const resolved = path.resolve(configPath);
    let project = this.byConfig.get(resolved);
    if (!project) {
      project = new BundlerProject(this.ts, resolved, parseConfig(this.ts, resolved));
      this.byConfig.set(resolved, project);
    }
    return project;
  }
}
