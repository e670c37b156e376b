/** `tsjvp/esbuild`: the plugin for esbuild. `plugins: [tsjvp()]`, options in ./plugin.ts. */
import { entry, tsjvpUnplugin } from "./plugin";

export = entry(tsjvpUnplugin.esbuild);
