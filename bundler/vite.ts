/** `tsjvp/vite`: the plugin for Vite. `plugins: [tsjvp()]`, options in ./plugin.ts. */
import { entry, tsjvpUnplugin } from "./plugin";

export = entry(tsjvpUnplugin.vite);
