/** The ratios as an SVG bar chart (log scale), with the machine described: users read the chart. */
export interface ChartRow {
  readonly name: string;
  readonly ratios: readonly (number | undefined)[];
}

const colors = ["#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974"];

export function barChart(rows: readonly ChartRow[], series: readonly string[], title: string, machine: string): string {
  const left = 220;
  const width = 1040;
  const rowHeight = 14 * series.length + 14;
  const top = 70;
  const height = top + rows.length * rowHeight + 60;
  const min = 1 / 16;
  const max = 1024;
  const x = (r: number) => left + ((Math.log2(Math.min(Math.max(r, min), max)) - Math.log2(min)) / (Math.log2(max) - Math.log2(min))) * (width - left - 40);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="${left}" y="38" fill="#555">${escape(machine)}</text>`,
  ];
  for (let t = min; t <= max; t *= 2) {
    out.push(`<line x1="${x(t)}" y1="${top - 8}" x2="${x(t)}" y2="${height - 50}" stroke="${t === 1 ? "#333" : "#ddd"}"/>`);
    out.push(`<text x="${x(t)}" y="${height - 36}" text-anchor="middle">${t < 1 ? `1/${1 / t}` : t}×</text>`);
  }
  rows.forEach((row, i) => {
    const y0 = top + i * rowHeight;
    out.push(`<text x="${left - 8}" y="${y0 + rowHeight / 2}" text-anchor="end">${escape(row.name)}</text>`);
    row.ratios.forEach((r, k) => {
      if (r === undefined || !Number.isFinite(r)) return;
      const y = y0 + k * 14;
      out.push(`<rect x="${x(min)}" y="${y}" width="${Math.max(1, x(r) - x(min))}" height="12" fill="${colors[k]}"/>`);
      out.push(`<text x="${x(r) + 4}" y="${y + 10}">${r.toFixed(2)}</text>`);
    });
  });
  series.forEach((s, k) => {
    out.push(`<rect x="${20 + k * 200}" y="${height - 22}" width="12" height="12" fill="${colors[k]}"/>`);
    out.push(`<text x="${20 + k * 200 + 16}" y="${height - 12}">${escape(s)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
