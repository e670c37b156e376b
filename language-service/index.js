// tsserver loads `tsjvp/language-service` by path (it ignores the exports map): this file is that path.
module.exports = require("../dist/transformer/language-service.js");
