/**
 * The plot of f over its interval with the tangent line at a point the user drags (SVG): the slope
 * tsjvp's jvp gives, next to a central-difference estimate.
 */
import type { Sample } from "./worker";

const svgNs = "http://www.w3.org/2000/svg";
const width = 560;
const height = 260;
const pad = 28;

function el<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(svgNs, name);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  return e;
}

export function renderPlot(container: HTMLElement, name: string, samples: readonly Sample[]): void {
  container.replaceChildren();
  const finite = samples.filter((s) => Number.isFinite(s.y));
  if (finite.length < 2) {
    container.append(note(`${name} is not finite over the interval.`));
    return;
  }
  const [x0, x1] = [samples[0].x, samples[samples.length - 1].x];
  let [y0, y1] = [Math.min(...finite.map((s) => s.y)), Math.max(...finite.map((s) => s.y))];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 1, y1 + 1];
  const margin = (y1 - y0) * 0.08;
  [y0, y1] = [y0 - margin, y1 + margin];
  const px = (x: number) => pad + ((x - x0) / (x1 - x0)) * (width - 2 * pad);
  const py = (y: number) => height - pad - ((y - y0) / (y1 - y0)) * (height - 2 * pad);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, "data-testid": "plot", role: "img" });
  svg.append(el("rect", { x: pad, y: pad, width: width - 2 * pad, height: height - 2 * pad, class: "frame" }));
  if (y0 < 0 && y1 > 0) svg.append(el("line", { x1: pad, x2: width - pad, y1: py(0), y2: py(0), class: "axis" }));
  let d = "";
  let pen = false;
  for (const s of samples) {
    if (!Number.isFinite(s.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${px(s.x).toFixed(2)},${py(s.y).toFixed(2)}`;
    pen = true;
  }
  svg.append(el("path", { d, class: "function" }));
  const tangent = el("line", { class: "tangent" });
  const point = el("circle", { r: 6, class: "point" });
  svg.append(tangent, point);
  const label = document.createElement("p");
  label.className = "slope";
  label.dataset.testid = "slope";
  let index = Math.floor(samples.length / 3);
  const place = () => {
    const s = samples[index];
    const half = (x1 - x0) / 4;
    tangent.setAttribute("x1", px(s.x - half).toFixed(2));
    tangent.setAttribute("y1", py(s.y - s.slope * half).toFixed(2));
    tangent.setAttribute("x2", px(s.x + half).toFixed(2));
    tangent.setAttribute("y2", py(s.y + s.slope * half).toFixed(2));
    point.setAttribute("cx", px(s.x).toFixed(2));
    point.setAttribute("cy", py(s.y).toFixed(2));
    label.textContent = `${name}(${fmt(s.x)}) = ${fmt(s.y)}   slope from jvp = ${fmt(s.slope)}   central difference = ${fmt(s.central)}`;
    Object.assign(label.dataset, { x: String(s.x), slope: String(s.slope), central: String(s.central) });
  };
  const drag = (event: PointerEvent) => {
    const box = svg.getBoundingClientRect();
    const x = x0 + ((event.clientX - box.left) / box.width * width - pad) / (width - 2 * pad) * (x1 - x0);
    index = Math.max(0, Math.min(samples.length - 1, Math.round(((x - x0) / (x1 - x0)) * (samples.length - 1))));
    place();
  };
  svg.addEventListener("pointerdown", (e) => {
    svg.setPointerCapture(e.pointerId);
    drag(e);
  });
  svg.addEventListener("pointermove", (e) => {
    if (e.buttons & 1) drag(e);
  });
  place();
  container.append(svg, label);
}

export function note(text: string): HTMLElement {
  const p = document.createElement("p");
  p.className = "note";
  p.dataset.testid = "plot";
  p.textContent = text;
  return p;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(6) : v.toFixed(6)) : String(v);
}
