/** `tsjvp/webpack`: the plugin for webpack. `plugins: [tsjvp()]`, options in ./plugin.ts. */
import { entry, tsjvpUnplugin } from "./plugin";

export = entry(tsjvpUnplugin.webpack);
