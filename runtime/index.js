"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.zerosLike = exports.compileError = exports.applyTwin = exports.powDot = exports.extremumDot = void 0;
exports.jvp = jvp;
var rules_1 = require("./rules");
Object.defineProperty(exports, "extremumDot", { enumerable: true, get: function () { return rules_1.extremumDot; } });
Object.defineProperty(exports, "powDot", { enumerable: true, get: function () { return rules_1.powDot; } });
var calls_1 = require("./calls");
Object.defineProperty(exports, "applyTwin", { enumerable: true, get: function () { return calls_1.applyTwin; } });
Object.defineProperty(exports, "compileError", { enumerable: true, get: function () { return calls_1.compileError; } });
Object.defineProperty(exports, "zerosLike", { enumerable: true, get: function () { return calls_1.zerosLike; } });
/**
 * Forward-mode Jacobian-vector product, as `jax.jvp`: returns `[fun(...primals), J·tangents]`.
 * `primals` and `tangents` hold one entry per parameter of `fun`; a `null` tangent means
 * "not differentiated". Rewritten at build time by the tsjvp plugin.
 * @tsjvpApi jvp
 */
function jvp(fun, primals, tangents) {
    void primals;
    void tangents;
    const name = fun.name || "an anonymous function";
    throw new Error(`tsjvp: jvp(${name}, ...) ran without being compiled. Add { "transform": "tsjvp/transformer" } ` +
        `to compilerOptions.plugins in tsconfig.json and build with tspc (ts-patch) instead of tsc.`);
}
//# sourceMappingURL=index.js.map