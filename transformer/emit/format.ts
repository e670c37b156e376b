/**
 * TypeScript's printer indents by 4 spaces; generated modules (snapshots, companions) use the
 * indentation unit of the module they come from.
 */
export function reindent(text: string, input: string): string {
  const unit = /^( +)\S/m.exec(input)?.[1].length ?? 4;
  if (unit === 4) return text;
  return text.replace(/^((?: {4})+)/gm, (lead: string) => " ".repeat((lead.length / 4) * unit));
}
