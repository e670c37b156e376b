/**
 * The playground page: the editor (left), the generated module (right), diagnostics as squiggles
 * and a list, the program's output from a Web Worker with a time limit, and the plot. The source
 * lives in the URL's `#code=`; it recompiles as the user types.
 */
import { basicSetup, EditorView } from "codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { parser } from "@lezer/javascript";
import { classHighlighter, highlightCode } from "@lezer/highlight";
import files from "virtual:files";
import { PlaygroundCompiler, type Compiled } from "./compile";
import { examples } from "./examples";
import { note, renderPlot } from "./plot";
import { encodeSource, sourceFromHash } from "./share";
import type { RunMessage, RunRequest } from "./worker";

const timeLimitMs = 3000;
const byId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
const compiler = new PlaygroundCompiler(files);
const tsParser = parser.configure({ dialect: "ts" });

const editor = new EditorView({
  parent: byId("source"),
  doc: sourceFromHash(location.hash) ?? examples[0].source,
  extensions: [
    basicSetup,
    javascript({ typescript: true }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) schedule();
    }),
  ],
});

let timer: ReturnType<typeof setTimeout> | undefined;
function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(update, 250);
}

function source(): string {
  return editor.state.doc.toString();
}

function update(): void {
  const text = source();
  history.replaceState(null, "", `#code=${encodeSource(text)}`);
  const compiled = compiler.compile(text);
  showModule(compiled.module);
  showDiagnostics(compiled);
  byId("timing").textContent = `transformed in ${compiled.milliseconds.toFixed(0)} ms`;
  run(compiled);
}

/** The generated module, highlighted, as plain text in the page (not an editor view). */
function showModule(module: string): void {
  const twin = byId("twin");
  twin.replaceChildren();
  highlightCode(module, tsParser.parse(module), classHighlighter,
    (text, classes) => {
      if (!classes) return void twin.append(text);
      const span = document.createElement("span");
      span.className = classes;
      span.textContent = text;
      twin.append(span);
    },
    () => twin.append("\n"));
}

function showDiagnostics(compiled: Compiled): void {
  const length = editor.state.doc.length;
  const marks: Diagnostic[] = compiled.diagnostics.map((d) => ({
    from: Math.min(d.from, length),
    to: Math.min(Math.max(d.to, d.from), length),
    severity: d.severity,
    message: `TS${d.code}: ${d.message}`,
  }));
  editor.dispatch(setDiagnostics(editor.state, marks));
  const list = byId("diagnostics");
  list.replaceChildren(...compiled.diagnostics.map((d) => {
    const item = document.createElement("li");
    item.className = d.severity;
    item.textContent = `${d.where}  TS${d.code}: ${d.message}`;
    item.addEventListener("click", () => {
      editor.dispatch({ selection: { anchor: Math.min(d.from, length) }, scrollIntoView: true });
      editor.focus();
    });
    return item;
  }));
  if (compiled.diagnostics.length === 0) list.append(Object.assign(document.createElement("li"), { className: "none", textContent: "No diagnostics." }));
}

let worker: Worker | undefined;
function run(compiled: Compiled): void {
  worker?.terminate();
  const output = byId("output");
  const plot = byId("plot-area");
  if (compiled.javascript === undefined) {
    output.textContent = "Not run: fix the errors above.";
    plot.replaceChildren(note("No plot while the module has errors."));
    return;
  }
  output.textContent = "";
  const current = new Worker("worker.js");
  worker = current;
  const limit = setTimeout(() => {
    current.terminate();
    output.textContent += `Stopped after ${timeLimitMs / 1000} s: the time limit (an endless loop?).\n`;
  }, timeLimitMs);
  current.onmessage = (event: MessageEvent<RunMessage>) => {
    const m = event.data;
    if (m.kind === "log") output.textContent += `${m.text}\n`;
    else if (m.kind === "error") output.textContent += `${m.text}\n`;
    else {
      clearTimeout(limit);
      current.terminate();
      if (compiled.plotted && m.samples) renderPlot(plot, compiled.plotted, m.samples);
      else plot.replaceChildren(note("Mark a function of one number (/** @jvp */ function f(x: number): number) to plot it with its tangent; // @plot a b sets the interval."));
    }
  };
  const request: RunRequest = { javascript: compiled.javascript, plotted: compiled.plotted, interval: compiled.interval };
  current.postMessage(request);
}

function load(text: string): void {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
  update();
}

const menu = byId("examples") as HTMLSelectElement;
for (const [i, e] of examples.entries()) menu.append(new Option(e.title, String(i)));
menu.addEventListener("change", () => load(examples[Number(menu.value)].source));

byId("share").addEventListener("click", async () => {
  const link = `${location.origin}${location.pathname}#code=${encodeSource(source())}`;
  try {
    await navigator.clipboard.writeText(link);
    byId("share").textContent = "Link copied";
  } catch {
    prompt("Copy this link:", link);
  }
  setTimeout(() => (byId("share").textContent = "Share"), 1500);
});

addEventListener("hashchange", () => {
  const text = sourceFromHash(location.hash);
  if (text !== undefined && text !== source()) load(text);
});

update();
