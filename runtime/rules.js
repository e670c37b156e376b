"use strict";
// Tangent rules whose conventions (DESIGN §3) are too long to inline in generated code.
Object.defineProperty(exports, "__esModule", { value: true });
exports.extremumDot = extremumDot;
exports.powDot = powDot;
/**
 * Math.max / Math.min: the tangent of the selected argument; ties (`===`, so -0 and +0 tie) split
 * evenly; NaN when no argument equals the result (a NaN argument). Called as
 * `extremumDot(result, a, a_dot, b, b_dot, ...)`.
 */
function extremumDot(result, ...valuesAndTangents) {
    let sum = 0;
    let ties = 0;
    for (let i = 0; i < valuesAndTangents.length; i += 2) {
        if (valuesAndTangents[i] === result) {
            sum += valuesAndTangents[i + 1];
            ties++;
        }
    }
    return ties === 0 ? NaN : sum / ties;
}
/**
 * x ** y with both operands active: y·x^(y−1)·dx + x^y·ln(x)·dy, where the dx term is 0 at
 * y = 0 and the dy term is 0 at x = 0.
 */
function powDot(x, xDot, y, yDot, result) {
    const dxTerm = y === 0 ? 0 : y * x ** (y - 1) * xDot;
    const dyTerm = x === 0 ? 0 : result * Math.log(x) * yDot;
    return dxTerm + dyTerm;
}
//# sourceMappingURL=rules.js.map