import type * as ts from "typescript";
import { Core } from "../core/context";

/**
 * Nodes of the second program as generated statements of this file: printed, parsed, marked as
 * synthesized (this program's checker knows nothing of the second one's nodes). A name the second
 * program resolved to a module-level binding of the file (an import, an exported const) points at
 * a reference to it here, so that TypeScript's module transforms rewrite it as they rewrite the
 * user's own references (in CommonJS, `lib_1.f`, `exports.scale`).
 */
export function synthesized(core: Core, printer: ts.Printer, second: Core, nodes: readonly ts.Node[], renames: ReadonlyMap<string, string>): ts.Statement[] {
  const { ts } = core;
  const moduleNames = namesOfModuleBindings(second, nodes);
  let text = nodes.map((n) => printer.printNode(ts.EmitHint.Unspecified, n, second.file)).join("\n");
  // Generated aliases are unique words of the file (the namer avoids every word in it): renamed as text.
  for (const [from, to] of renames) text = text.replace(new RegExp(`\\b${from}\\b`, "g"), to);
  const parsed = ts.createSourceFile(core.file.fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const references = referencesByName(core);
  const strip = (node: ts.Node): void => {
    ts.forEachChild(node, strip);
    if (ts.isIdentifier(node) && moduleNames.has(node.text) && isReference(core, node)) {
      const reference = references.get(node.text);
      if (reference) ts.setOriginalNode(node, reference);
    }
    ts.setTextRange(node, { pos: -1, end: -1 });
    // Without positions the printer would break tuple and object types over lines.
    if (ts.isTupleTypeNode(node) || ts.isTypeLiteralNode(node)) ts.setEmitFlags(node, ts.EmitFlags.SingleLine);
    (node as { flags: ts.NodeFlags }).flags |= ts.NodeFlags.Synthesized;
  };
  parsed.statements.forEach(strip);
  return [...parsed.statements];
}

/** Names in `nodes` that the second program resolves to a binding at the top level of its file (or an import). */
function namesOfModuleBindings(second: Core, nodes: readonly ts.Node[]): Set<string> {
  const { ts } = second;
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.pos >= 0 && node.getSourceFile() === second.file) {
      const declaration = second.checker.getSymbolAtLocation(node)?.declarations?.[0];
      if (declaration && atModuleLevel(second, declaration)) names.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  nodes.forEach(visit);
  return names;
}

function atModuleLevel(core: Core, declaration: ts.Node): boolean {
  const { ts } = core;
  if (ts.isImportSpecifier(declaration) || ts.isNamespaceImport(declaration) || ts.isImportClause(declaration) || ts.isImportEqualsDeclaration(declaration)) return true;
  if (ts.isVariableDeclaration(declaration)) return ts.isSourceFile(declaration.parent.parent.parent);
  return ts.isSourceFile(declaration.parent);
}

/** A reference in this file to each module-level binding, by name (the first read of it). */
function referencesByName(core: Core): Map<string, ts.Identifier> {
  const { ts } = core;
  const found = new Map<string, ts.Identifier>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && !found.has(node.text) && isReference(core, node)) {
      const declaration = core.checker.getSymbolAtLocation(node)?.declarations?.[0];
      if (declaration && atModuleLevel(core, declaration)) found.set(node.text, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(core.file);
  return found;
}

/** An identifier read as a value: not a declared name, a property name or a type. */
function isReference(core: Core, id: ts.Identifier): boolean {
  const { ts } = core;
  const p = id.parent;
  if (!p) return false;
  if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isPropertyAssignment(p) && p.name === id)) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isBindingElement(p)) && p.name === id) return false;
  if (ts.isTypeReferenceNode(p) || ts.isQualifiedName(p) || ts.isImportSpecifier(p) || ts.isNamespaceImport(p) || ts.isImportClause(p)) return false;
  return true;
}
