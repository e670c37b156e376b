/**
 * The language-service plugin: `{ "name": "tsjvp/language-service" }` in compilerOptions.plugins
 * makes tsserver (and every editor built on it) show tsjvp's diagnostics as the user types, with
 * the text and positions `tspc` prints. It decorates the language service: semantic diagnostics
 * get tsjvp's appended; everything else is delegated unchanged. tsserver loads it by name without
 * the package's exports map, from `language-service/index.js`, and needs `module.exports` to be
 * the init function.
 */
import type * as ts from "typescript";
import { fileDiagnostics, unsupportedTypeScript } from "./pipeline";

type Server = typeof ts & { server: typeof ts.server };

function init(modules: { typescript: Server }): ts.server.PluginModule {
  const tsi = modules.typescript;
  return {
    create(info: ts.server.PluginCreateInfo): ts.LanguageService {
      const ls = info.languageService;
      const proxy = Object.create(null) as ts.LanguageService;
      for (const key of Object.keys(ls) as (keyof ts.LanguageService)[]) {
        const member = ls[key];
        (proxy as unknown as Record<string, unknown>)[key] = typeof member === "function" ? (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(ls, args) : member;
      }
      proxy.getSemanticDiagnostics = (fileName: string) => {
        const prior = ls.getSemanticDiagnostics(fileName);
        try {
          return [...prior, ...tsjvpDiagnostics(tsi, ls.getProgram(), fileName)];
        } catch (error) {
          // An editor keeps working: the failure goes to tsserver's log, never to the user's file.
          info.project.projectService.logger.info(`tsjvp: ${error instanceof Error ? error.stack : String(error)}`);
          return prior;
        }
      };
      return proxy;
    },
  };
}

/** tsjvp's diagnostics for one file, as the plugin reports them to tspc. */
function tsjvpDiagnostics(tsi: typeof ts, program: ts.Program | undefined, fileName: string): ts.Diagnostic[] {
  const file = program?.getSourceFile(fileName);
  if (!program || !file || file.isDeclarationFile) return [];
  const unsupported = unsupportedTypeScript(tsi);
  if (unsupported) return [{ file, start: 0, length: 0, category: tsi.DiagnosticCategory.Error, code: 97025, messageText: unsupported }];
  return [...fileDiagnostics(tsi, program, file)];
}

export = init;
