import type * as ts from "typescript";
import { formatMessage } from "./diagnostics";

/** The TypeScript release the core is built and tested against (its AST and checker API). */
export const supportedTypeScript = "6.0";

/** Why `tsi` cannot run the core, or undefined when it can. */
export function unsupportedTypeScript(tsi: typeof ts): string | undefined {
  return tsi.versionMajorMinor === supportedTypeScript ? undefined : formatMessage("typescriptVersion", [supportedTypeScript, tsi.version]);
}
