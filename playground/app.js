// The playground page: an editor, the command line's options, and the
// preview oc2otel makes of the text (diff, new config, collector config,
// diagnostics, pipelines), computed in a Web Worker (worker.js) by the
// library compiled to WebAssembly. Nothing here decides anything about a
// migration: it shows the preview's fields, all of them redacted views.
//
// Everything is written with textContent or built as elements, never as
// HTML from the text: the config and the messages are user data. The one
// piece of markup, the pipelines' SVG, is parsed as XML and only imported
// when it parses.

import { workerMain } from "./pkg/worker_main.js";
import { WASM_BASE64 } from "./pkg/oc2otel_playground_wasm.js";

const $ = (id) => document.getElementById(id);

const editor = $("editor");
const gutter = $("gutter");
const gutterLines = $("gutter-lines");
const controls = {
  format: $("format"),
  collector: $("collector"),
  otlpEndpoint: $("otlp-endpoint"),
  krakendVersion: $("krakend-version"),
  metricsEmf: $("metrics-emf"),
  jaegerCollector: $("jaeger-collector"),
  mergeSettings: $("merge-settings"),
};

// ---- the worker ------------------------------------------------------

// The compiled WebAssembly module, kept to start a new worker quickly
// when a stale run is cancelled.
let compiled = null;
let worker = null;
// The run the page waits for, and the one the worker is busy with.
let latest = 0;
let inFlight = null;
const pendingExamples = new Map();

function spawnWorker() {
  // From a blob: URL holding the worker's whole text (worker.js after
  // wasm-bindgen's glue), so that the worker inherits this page's
  // Content-Security-Policy and loads nothing over the network.
  const blob = URL.createObjectURL(new Blob([`(${workerMain.toString()})();`], { type: "text/javascript" }));
  worker = new Worker(blob, { name: "oc2otel" });
  URL.revokeObjectURL(blob);
  worker.onmessage = onWorkerMessage;
  worker.onerror = (event) => {
    event.preventDefault();
    showFatal(`the worker could not start: ${event.message || "unknown error"}`);
  };
  worker.postMessage(compiled ? { type: "init", module: compiled } : { type: "init", base64: WASM_BASE64 });
}

function onWorkerMessage(event) {
  const message = event.data;
  switch (message.type) {
    case "module":
      compiled = message.module;
      break;
    case "ready":
      $("version").textContent = `oc2otel ${message.version}`;
      if (document.body.dataset.state === "loading") {
        setState("idle", "Ready. Paste a config, or load the X-Ray example.");
      }
      if (editor.value.trim() !== "") schedule(0);
      break;
    case "failed":
      showFatal(`oc2otel could not start in this browser: ${message.error}`);
      break;
    case "example": {
      const resolve = pendingExamples.get(message.id);
      pendingExamples.delete(message.id);
      if (resolve) resolve(message.text);
      break;
    }
    case "result":
      if (inFlight === message.id) inFlight = null;
      if (message.id === latest) show(JSON.parse(message.json));
      break;
    case "crashed":
      inFlight = null;
      restartWorker();
      if (message.id === latest) {
        setState("error", "Internal error");
        showLocatedError(`internal error: the migration stopped (${message.error}). This is a bug in oc2otel; please report it with the config (secrets removed).`);
      }
      break;
    default:
      break;
  }
}

function restartWorker() {
  if (worker) worker.terminate();
  spawnWorker();
}

function showFatal(text) {
  setState("error", text);
  showLocatedError(text);
}

// ---- running ---------------------------------------------------------

let timer = null;

function options() {
  return {
    collector: controls.collector.value,
    otlp_endpoint: controls.otlpEndpoint.value,
    krakend_version: controls.krakendVersion.value,
    metrics: controls.metricsEmf.checked ? "emf" : "legacy",
    jaeger_collector: controls.jaegerCollector.value,
    merge_settings: controls.mergeSettings.value,
  };
}

// Run after a pause in typing: longer for long texts, whose every run
// costs more.
function schedule(delay) {
  clearTimeout(timer);
  updateCommand();
  const wait = delay ?? (editor.value.length > 200000 ? 600 : 250);
  timer = setTimeout(run, wait);
}

function run() {
  if (!worker) return;
  const text = editor.value;
  if (text.trim() === "") {
    // An empty editor is where one starts, not an empty file to refuse.
    latest += 1;
    clearResults();
    if (document.body.dataset.state !== "loading") setState("idle", "Paste a config, or load the X-Ray example.");
    return;
  }
  latest += 1;
  // The worker is still busy with a run nobody waits for: end it rather
  // than queue behind it.
  if (inFlight !== null && compiled) restartWorker();
  inFlight = latest;
  setState("working", "Working…");
  worker.postMessage({ type: "migrate", id: latest, text, format: controls.format.value, options: options() });
}

function requestExample(name) {
  const id = `example-${name}-${Date.now()}`;
  return new Promise((resolve) => {
    pendingExamples.set(id, resolve);
    worker.postMessage({ type: "example", id, name });
  });
}

function setState(state, text) {
  document.body.dataset.state = state;
  $("status").textContent = text;
}

// ---- showing a preview -----------------------------------------------

const STATUS_TEXT = {
  would_migrate: "Would migrate",
  unchanged: "Nothing to migrate",
  error: "Cannot migrate",
};

function show(preview) {
  document.body.dataset.status = preview.status;
  if (preview.option_error) {
    clearResults();
    $("option-error").textContent = preview.option_error;
    $("option-error").hidden = false;
    setState("done", "Check the options");
    return;
  }
  $("option-error").hidden = true;
  lastPath = preview.path;
  updateCommand();
  $("detected").textContent = controls.format.value === "auto" ? `read as ${preview.format}` : "";
  setState("done", `${STATUS_TEXT[preview.status] ?? preview.status}: ${preview.path}`);
  showCounts(preview.counts);
  showDiff(preview);
  showText("new-text", preview.new_text ?? "", "(no new config: nothing changes)");
  $("new-note").hidden = !preview.new_text_redacted;
  $("new-note").textContent = "Secrets are shown as <redacted>: the file oc2otel migrate --write writes keeps their values.";
  $("collector-path").textContent = preview.collector_path
    ? `${preview.collector_path}, written next to the config by oc2otel migrate --write`
    : "No collector config: this config sends nothing through a collector.";
  showText("collector-yaml", preview.collector ?? "", "");
  showDiagnostics(preview);
  showPicture(preview);
  const firstError = preview.diagnostics.find((d) => d.severity === "error");
  if (preview.status === "error" && firstError) {
    showLocatedError(firstError.rendered);
  } else {
    $("located-error").hidden = true;
  }
}

function clearResults() {
  pictures = null;
  for (const id of ["diff", "new-text", "collector-yaml", "diagnostics", "next-steps", "picture", "counts", "diagnostic-count", "collector-path"]) {
    $(id).textContent = "";
  }
  $("diff-note").hidden = true;
  $("new-note").hidden = true;
  $("located-error").hidden = true;
}

function showLocatedError(text) {
  const box = $("located-error");
  box.textContent = text;
  box.hidden = false;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function showCounts(counts) {
  const parts = [];
  if (counts.errors) parts.push(plural(counts.errors, "error"));
  if (counts.warnings) parts.push(plural(counts.warnings, "warning"));
  if (counts.infos) parts.push(plural(counts.infos, "info"));
  $("counts").textContent = parts.join(" · ");
  const total = counts.errors + counts.warnings + counts.infos;
  $("diagnostic-count").textContent = total ? `(${total})` : "";
}

function showText(id, text, empty) {
  $(id).textContent = text || empty;
}

function showDiff(preview) {
  const out = $("diff");
  const note = $("diff-note");
  note.hidden = preview.notes.length === 0;
  note.textContent = preview.notes.join("\n");
  out.textContent = "";
  if (!preview.diff) {
    out.textContent = preview.status === "unchanged"
      ? "(no diff: the config has no OpenCensus block, so nothing changes)"
      : "(no diff)";
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const line of preview.diff.replace(/\n$/, "").split("\n")) {
    const span = document.createElement("span");
    if (/^(--- (a\/|\/dev\/null)|\+\+\+ b\/)/.test(line)) span.className = "meta";
    else if (line.startsWith("@@")) span.className = "hunk";
    else if (line.startsWith("+")) span.className = "add";
    else if (line.startsWith("-")) span.className = "del";
    // One block per line (its background spans the width); an empty line
    // keeps its height with a space.
    span.textContent = line || " ";
    fragment.append(span);
  }
  out.append(fragment);
}

function showDiagnostics(preview) {
  const steps = $("next-steps");
  steps.textContent = "";
  if (preview.next_steps.length) {
    const heading = document.createElement("h2");
    heading.textContent = "Next steps";
    const list = document.createElement("ol");
    for (const step of preview.next_steps) {
      const item = document.createElement("li");
      item.textContent = step.text + (step.manual ? " (by hand)" : "");
      list.append(item);
    }
    steps.append(heading, list);
  }
  const list = $("diagnostics");
  list.textContent = "";
  preview.diagnostics.forEach((d, index) => list.append(diagnosticItem(d, index)));
}

function diagnosticItem(d, index) {
  const item = document.createElement("li");
  item.className = `diagnostic ${d.severity}`;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "locate";
  button.dataset.index = String(index);
  button.dataset.code = d.code;
  button.title = d.line ? "Select this place in the editor" : "";
  const where = d.line ? `${d.line}:${d.column}` : "";
  const head = document.createElement("span");
  head.className = "head";
  head.textContent = `${d.severity}[${d.code}]`;
  const place = document.createElement("span");
  place.className = "place";
  place.textContent = where;
  const message = document.createElement("span");
  message.className = "message";
  message.textContent = d.message;
  button.append(head, " ", place, " ", message);
  button.addEventListener("click", () => select(d));
  item.append(button);
  if (d.help) {
    const help = document.createElement("p");
    help.className = "help";
    help.textContent = `help: ${d.help}`;
    item.append(help);
  }
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "as the command line shows it";
  const pre = document.createElement("pre");
  pre.textContent = d.rendered;
  const docs = document.createElement("a");
  docs.href = d.docs;
  docs.target = "_blank";
  docs.rel = "noopener noreferrer";
  docs.textContent = `docs: ${d.docs}`;
  details.append(summary, pre, docs);
  item.append(details);
  return item;
}

// The last pictures, to choose again when the window changes size.
let pictures = null;

function showPicture(preview) {
  pictures = preview && preview.svg ? { wide: preview.svg, tall: preview.svg_stacked } : null;
  drawPicture();
}

// Side by side, as the markdown report draws it, when that fits the panel
// at four fifths of its size or more; else before above after.
function drawPicture() {
  const box = $("picture");
  box.textContent = "";
  if (!pictures) {
    box.textContent = "(no picture: nothing migrates)";
    return;
  }
  const room = box.closest("section").clientWidth - 24;
  const wide = parseSvg(pictures.wide);
  const fits = wide && Number(wide.getAttribute("width")) * 0.8 <= room;
  const svg = fits || !pictures.tall ? wide : parseSvg(pictures.tall);
  if (!svg) {
    box.textContent = "(the picture could not be drawn)";
    return;
  }
  // Fitted to the panel (its viewBox scales it), never drawn larger than
  // its own size; a click shows it at its own size, to scroll.
  svg.dataset.width = svg.getAttribute("width");
  svg.style.maxWidth = `${svg.dataset.width}px`;
  svg.removeAttribute("height");
  svg.setAttribute("width", box.classList.contains("natural") ? svg.dataset.width : "100%");
  box.append(svg);
}

function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  if (doc.querySelector("parsererror") || doc.documentElement.localName !== "svg") return null;
  return document.importNode(doc.documentElement, true);
}

// ---- the editor --------------------------------------------------------

// UTF-16 offset of a 1-based line and column (columns count characters,
// as oc2otel's do), for diagnostics that have a place but no span.
function offsetOf(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l += 1) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  // Skip a byte order mark, which oc2otel does not count.
  if (line === 1 && text.charCodeAt(0) === 0xfeff) offset += 1;
  for (let c = 1; c < column && offset < text.length; c += 1) {
    const code = text.codePointAt(offset);
    offset += code > 0xffff ? 2 : 1;
  }
  return offset;
}

function select(d) {
  const text = editor.value;
  let start = d.start;
  let end = d.end;
  if (start == null && d.line) {
    start = offsetOf(text, d.line, d.column ?? 1);
    const lineEnd = text.indexOf("\n", start);
    end = lineEnd < 0 ? text.length : lineEnd;
  }
  if (start == null) return;
  editor.focus();
  editor.setSelectionRange(start, Math.max(start, end ?? start));
  // Bring the selection into view: a third of the way down the editor.
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
  const line = (d.line ?? text.slice(0, start).split("\n").length) - 1;
  editor.scrollTop = Math.max(0, line * lineHeight - editor.clientHeight / 3);
  editor.scrollLeft = 0;
  syncGutter();
}

// The line numbers: only those of the lines in view are written (a 2 MB
// config has 80,000 lines, and a gutter holding them all costs the page a
// second of layout on every change).
let lines = 1;

function updateGutter() {
  let count = 1;
  const text = editor.value;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count += 1;
  lines = count;
  // Wider past 99,999 lines only: a change of the gutter's width makes the
  // browser lay the whole text out again.
  const wide = count > 99999;
  if (gutter.classList.contains("wide") !== wide) gutter.classList.toggle("wide", wide);
  syncGutter();
}

function syncGutter() {
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
  const first = Math.floor(editor.scrollTop / lineHeight);
  const shown = Math.ceil(editor.clientHeight / lineHeight) + 2;
  const numbers = [];
  for (let n = first + 1; n <= Math.min(lines, first + shown); n += 1) numbers.push(n);
  gutterLines.textContent = numbers.join("\n");
  gutterLines.style.transform = `translateY(${first * lineHeight - editor.scrollTop}px)`;
}

// The name the command line would be given: the one the last preview
// used, or the one the chosen format implies.
let lastPath = "krakend.json";

function fileName() {
  const format = controls.format.value;
  if (format === "auto") return lastPath;
  return `krakend.${{ yaml: "yaml", toml: "toml", template: "tmpl" }[format] ?? "json"}`;
}

function updateCommand() {
  const o = options();
  const args = ["oc2otel", "migrate"];
  if (o.collector !== "auto") args.push("--collector", o.collector);
  if (o.otlp_endpoint.trim() && o.otlp_endpoint.trim() !== "localhost:4317") args.push("--otlp-endpoint", o.otlp_endpoint.trim());
  if (o.krakend_version.trim() && o.krakend_version.trim() !== "auto") args.push("--krakend-version", o.krakend_version.trim());
  if (o.metrics === "emf") args.push("--metrics", "emf");
  if (o.jaeger_collector.trim()) args.push("--jaeger-collector", o.jaeger_collector.trim());
  if (o.merge_settings !== "refuse") args.push("--merge-settings", o.merge_settings);
  args.push(fileName());
  $("command").textContent = args.join(" ");
}

// ---- tabs --------------------------------------------------------------

function selectTab(tab) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
}

// ---- wiring ------------------------------------------------------------

editor.addEventListener("input", () => {
  updateGutter();
  schedule();
});
editor.addEventListener("scroll", syncGutter);
let resizing = null;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    syncGutter();
    if (pictures) drawPicture();
  }, 150);
});
for (const control of Object.values(controls)) {
  control.addEventListener(control.tagName === "INPUT" && control.type === "text" ? "input" : "change", () => schedule());
}
for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener("click", () => selectTab(tab));
}
$("picture").addEventListener("click", () => {
  const natural = $("picture").classList.toggle("natural");
  const svg = $("picture").querySelector("svg");
  if (svg) svg.setAttribute("width", natural ? svg.dataset.width : "100%");
});
$("example").addEventListener("click", async () => {
  const text = await requestExample("xray");
  editor.value = text;
  updateGutter();
  schedule(0);
});

spawnWorker();
updateGutter();
updateCommand();
