/** `tsjvp/rollup`: the plugin for Rollup. `plugins: [tsjvp()]`, options in ./plugin.ts. */
import { entry, tsjvpUnplugin } from "./plugin";

export = entry(tsjvpUnplugin.rollup);
