// `npm run playground`: builds playground/dist/ and serves it at a printed URL (PORT, default 5180;
// 0 picks a free one). Any static server works as well: the page needs nothing else.
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { buildPlayground } from "./build.mjs";

const root = path.join(import.meta.dirname, "dist");
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png" };

if (!process.argv.includes("--no-build")) await buildPlayground();
const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  const file = path.join(root, path.normalize(decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname)));
  if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404).end("not found");
    return;
  }
  response.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
  fs.createReadStream(file).pipe(response);
});
server.listen(Number(process.env.PORT ?? 5180), "127.0.0.1", () => {
  console.log(`tsjvp playground: http://127.0.0.1:${server.address().port}/`);
});
