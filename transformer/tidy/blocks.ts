import type * as ts from "typescript";
import { Core } from "../core/context";

/**
 * Rewrites the statement list of every block of a twin, innermost first: `rewrite` returns the
 * same list when it changes nothing (the block is then kept as it is).
 */
export function rewriteBlocks(core: Core, body: ts.Block, rewrite: (statements: ts.NodeArray<ts.Statement>) => readonly ts.Statement[]): ts.Block {
  const { ts, f } = core;
  const visit = (node: ts.Node): ts.Node => {
    const visited = ts.visitEachChild(node, visit, core.context);
    if (!ts.isBlock(visited)) return visited;
    const statements = rewrite(visited.statements);
    return statements === visited.statements ? visited : f.updateBlock(visited, statements);
  };
  return visit(body) as ts.Block;
}
