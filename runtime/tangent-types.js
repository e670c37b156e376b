"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=tangent-types.js.map