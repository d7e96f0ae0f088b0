// End-to-end test of the oc2otel playground (playground/, built by
// playground/build.sh) in Debian's headless Chromium, driven by
// playwright-core (no browser is downloaded): `node playground.mjs SPEC.json`.
// tests/it/playground.rs writes SPEC.json and runs it.
//
// SPEC.json: {"dist": folder to serve, "example": the X-Ray example's text,
// "broken": a config with a syntax error, "cli_error": what
// `oc2otel migrate krakend.json` prints for it (its first diagnostic),
// "big": a ~2 MB config, "secrets": values that must never be shown,
// "screenshot": PNG path or null}.
//
// The page is served by a tiny static server on a free loopback port,
// which records every request it gets. One JSON line per check goes to
// stdout ({"check", "ok", "detail"}); exit 0 when every check passed,
// 1 when one failed, 2 when the browser could not start.

import { readFileSync, statSync, createReadStream } from "node:fs";
import { createServer } from "node:http";
import { join, normalize, sep, extname } from "node:path";
import { launch } from "./chromium.mjs";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
function check(name, ok, detail = "") {
  results.push({ check: name, ok: Boolean(ok), detail: String(detail).slice(0, 2000) });
}

// ---- the static server ---------------------------------------------------

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};
const served = [];
const root = normalize(spec.dist + sep);
const server = createServer((req, res) => {
  served.push({ url: req.url, at: Date.now() });
  const path = normalize(join(root, decodeURIComponent(new URL(req.url, "http://x").pathname)));
  let file = path.endsWith(sep) ? join(path, "index.html") : path;
  try {
    if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error("no file");
  } catch {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
    return;
  }
  // No Content-Security-Policy header: the page's own <meta> must enforce it.
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---- the browser -----------------------------------------------------------

const { browser, close } = await launch(
  "playground",
  { viewport: { width: 1440, height: 1000 } },
  () => server.close(),
);

const page = browser.pages()[0] ?? (await browser.newPage());
const requests = [];
let loaded = false;
page.on("request", (request) => {
  if (loaded) requests.push(request.url());
});
const pageErrors = [];
page.on("pageerror", (error) => pageErrors.push(String(error)));

async function waitForRun(what) {
  // A run is over when the page says "done" (or "error") again.
  await page.waitForFunction(() => ["done", "error", "idle"].includes(document.body.dataset.state), null, { timeout: 120000 });
  return page.evaluate(() => ({ state: document.body.dataset.state, status: document.body.dataset.status, text: document.getElementById("status").textContent }));
}

// Do something that starts a run, and wait for that run to end: the page
// is marked first, so that the previous run's "done" is not taken for it.
async function act(what, action) {
  await page.evaluate(() => { document.body.dataset.state = "pending"; });
  await action();
  await page.waitForFunction(() => document.body.dataset.state !== "pending", null, { timeout: 10000 });
  return waitForRun(what);
}

// As a paste: the whole text at once, then one input event.
const paste = (text) => act("paste", () => page.locator("#editor").fill(text));

async function tabText(tab, panel) {
  await page.click(`#tab-${tab}`);
  return page.locator(`#${panel}`).innerText();
}

// Before the app loads: every way the page could make a WebAssembly
// instance is counted, and every message to and from a worker is noted
// (type, id, text length; never the text).
await page.addInitScript(() => {
  window.wasmInPage_ = [];
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const real = WebAssembly[name];
    WebAssembly[name] = function (...args) {
      window.wasmInPage_.push(name);
      return real.apply(this, args);
    };
  }
  const RealInstance = WebAssembly.Instance;
  WebAssembly.Instance = function (...args) {
    window.wasmInPage_.push("Instance");
    return new RealInstance(...args);
  };
  window.workerTraffic_ = [];
  const note = (way, worker, data) => window.workerTraffic_.push({
    way, worker, type: data?.type, id: data?.id, length: typeof data?.text === "string" ? data.text.length : undefined,
  });
  const RealWorker = window.Worker;
  let workers = 0;
  window.Worker = class extends RealWorker {
    constructor(...args) {
      super(...args);
      const worker = (workers += 1);
      this.number_ = worker;
      this.addEventListener("message", (event) => note("in", worker, event.data));
    }
    postMessage(data, ...rest) {
      note("out", this.number_, data);
      return super.postMessage(data, ...rest);
    }
  };
});

try {
  await page.goto(`${origin}/`, { waitUntil: "load" });
  await page.waitForFunction(() => document.body.dataset.state === "idle", null, { timeout: 60000 });
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  check("csp forbids connections", /connect-src 'none'/.test(csp) && /default-src 'none'/.test(csp), csp);
  const privacy = await page.locator("#privacy").innerText();
  check("says nothing leaves the page", privacy.includes("Runs entirely in your browser; nothing you paste leaves this page."), privacy);
  const servedAtLoad = served.length;
  loaded = true;

  // The X-Ray example, pasted.
  let run = await paste(spec.example);
  check("example migrates", run.state === "done" && run.status === "would_migrate", JSON.stringify(run));
  const diff = await tabText("diff", "diff");
  check("diff has telemetry/opentelemetry", diff.includes('+    "telemetry/opentelemetry": {'), diff.slice(0, 600));
  check("diff shows secrets redacted", diff.includes('"<redacted>"') && spec.secrets.every((s) => !diff.includes(s)), diff.slice(0, 600));
  const adot = await tabText("collector", "collector-yaml");
  check("collector has awsxray", adot.includes("awsxray:") && adot.includes("region: eu-west-1"), adot.slice(0, 400));
  check("collector is ADOT's", adot.includes("ADOT collector"), adot.slice(0, 200));

  await page.click("#tab-diagnostics");
  const codes = await page.locator("#diagnostics .locate").evaluateAll((buttons) => buttons.map((b) => b.dataset.code));
  const rotate = codes.filter((c) => c === "OC401").length;
  check("rotate warnings (OC401) listed", rotate === 2, codes.join(","));
  const steps = await page.locator("#next-steps").innerText();
  check("next steps say to rotate", /rotate 2 credentials/.test(steps), steps);

  // Click the first rotate warning: the editor selects its place.
  const warning = page.locator('#diagnostics .locate[data-code="OC401"]').first();
  const place = await warning.locator(".place").innerText();
  await warning.click();
  const selection = await page.evaluate(() => {
    const e = document.getElementById("editor");
    const before = e.value.slice(0, e.selectionStart);
    const line = before.split("\n").length;
    const column = [...before.slice(before.lastIndexOf("\n") + 1)].length + 1;
    return { line, column, text: e.value.slice(e.selectionStart, e.selectionEnd), focused: document.activeElement === e, scrollTop: e.scrollTop };
  });
  check("click selects the diagnostic's line:column", place === `${selection.line}:${selection.column}` && selection.focused, `${place} vs ${JSON.stringify(selection)}`);
  check("selection is the credential's member", selection.text.startsWith('"access_key_id"'), selection.text);

  // The pipelines, as an SVG drawn by oc2otel.
  await page.click("#tab-pipelines");
  const picture = await page.evaluate(() => {
    const svg = document.querySelector("#picture svg");
    return svg ? { text: svg.textContent, nodes: svg.querySelectorAll("g.node").length, width: svg.getBoundingClientRect().width } : null;
  });
  check("pipelines picture drawn", picture && picture.nodes >= 6 && picture.text.includes("AWS X-Ray") && picture.text.includes("OTLP exporter adot") && picture.width > 300, JSON.stringify(picture));
  check("picture holds no secret", picture && spec.secrets.every((s) => !picture.text.includes(s)), "");

  // Another collector flavour: the collector config changes.
  run = await act("contrib", () => page.selectOption("#collector", "contrib"));
  const contrib = await tabText("collector", "collector-yaml");
  const command = await page.locator("#command").innerText();
  check("switching the collector flavour changes the collector config", run.status === "would_migrate" && contrib !== adot && contrib.includes("otelcol-contrib") && contrib.includes("awsxray:"), contrib.slice(0, 300));
  check("the command line shown follows the options", command === "oc2otel migrate --collector contrib krakend.json", command);
  const contribDiff = await tabText("diff", "diff");
  check("diff names the contrib exporter", contribDiff.includes('"name": "otel_collector"'), "");

  // The screenshot of the README: the example, ADOT, with the pipelines.
  await act("adot", () => page.selectOption("#collector", "adot"));
  run = await act("emf", () => page.check("#metrics-emf"));
  await page.click("#tab-pipelines");
  if (spec.screenshot) {
    await page.evaluate(() => { document.getElementById("editor").scrollTop = 0; window.scrollTo(0, 0); });
    await page.screenshot({ path: spec.screenshot });
  }
  const emf = await page.evaluate(() => document.querySelector("#picture svg")?.textContent ?? "");
  check("--metrics emf draws CloudWatch", emf.includes("CloudWatch metrics (EMF)"), emf.slice(0, 300));
  await act("legacy", () => page.uncheck("#metrics-emf"));

  // Broken JSON: the command line's located error.
  run = await paste(spec.broken);
  const located = await page.locator("#located-error").innerText();
  check("bad input is an error", run.status === "error", JSON.stringify(run));
  check("bad input gets the command line's located error", located.trim() === spec.cli_error.trim(), `page:\n${located}\ncli:\n${spec.cli_error}`);
  await page.click("#tab-diagnostics");
  const errorButton = page.locator("#diagnostics .locate").first();
  const errorPlace = await errorButton.locator(".place").innerText();
  await errorButton.click();
  const errorSelection = await page.evaluate(() => {
    const e = document.getElementById("editor");
    const before = e.value.slice(0, e.selectionStart);
    return `${before.split("\n").length}:${[...before.slice(before.lastIndexOf("\n") + 1)].length + 1}`;
  });
  check("click on the error selects its place", errorPlace === errorSelection, `${errorPlace} vs ${errorSelection}`);

  // A bad option: the command line's message.
  await act("example button", () => page.click("#example"));
  const loadedExample = await page.locator("#editor").inputValue();
  check("the example button loads the X-Ray example", loadedExample === spec.example, loadedExample.slice(0, 200));
  await act("bad endpoint", () => page.fill("#otlp-endpoint", "http://collector:4317"));
  const optionError = await page.locator("#option-error").innerText();
  check("bad option gets the command line's message", optionError.startsWith("invalid value 'http://collector:4317' for '--otlp-endpoint <HOST[:PORT]>'"), optionError);
  await act("good endpoint", () => page.fill("#otlp-endpoint", "localhost:4317"));

  // Names from the config are text everywhere, markup included (an
  // InfluxDB database named like an HTML tag reaches the picture, the diff
  // and the collector config).
  const hostile = JSON.stringify({
    version: 3,
    extra_config: { "telemetry/opencensus": { sample_rate: 100, exporters: {
      influxdb: { address: "http://influx:8086", db: "<img src=x onerror=alert(1)><script>alert(2)</script>" } } } },
  }, null, 2);
  await act("contrib again", () => page.selectOption("#collector", "contrib"));
  run = await paste(hostile);
  // (The picture wraps long labels: compared without white space.)
  const markup = await page.evaluate(() => ({
    injected: document.querySelectorAll("img, iframe, object, embed, foreignObject, script:not([src])").length,
    picture: document.querySelector("#picture svg")?.textContent ?? "",
    diff: document.getElementById("diff").textContent,
  }));
  check("names with markup stay text", run.status === "would_migrate" && markup.injected === 0 && markup.picture.replace(/\s+/g, "").includes("db<imgsrc=xonerror=alert(1)><script>alert(2)</script>") && markup.diff.includes("<script>alert(2)</script>"), JSON.stringify(markup).slice(0, 600));
  await act("adot again", () => page.selectOption("#collector", "adot"));

  // A stale run is replaced: the broken text, then at once the example.
  run = await act("replaced", () => page.evaluate(({ broken, example }) => {
    const e = document.getElementById("editor");
    e.value = broken;
    e.dispatchEvent(new Event("input"));
    e.value = example;
    e.dispatchEvent(new Event("input"));
  }, { broken: spec.broken, example: spec.example }));
  check("a stale run never shows", run.status === "would_migrate", JSON.stringify(run));

  // A ~2 MB config migrates in the worker, never on the main thread. The
  // proof is structural, not timed (a loaded 2-core machine can starve
  // the page's timers and frames for longer than the worker's run): the
  // page holds no WebAssembly instance at all (every way to make one is
  // counted from before the app loads), the 2 MB text is posted to a
  // worker, and the result the page shows is the one that worker sent
  // back. How many timers and frames the page ran meanwhile is kept in
  // the detail, as a figure, not a verdict.
  await page.evaluate(() => {
    const f = (window.free_ = { tasks: 0, frames: 0 });
    const task = () => {
      if (document.body.dataset.state === "working") f.tasks += 1;
      if (!f.stop) setTimeout(task, 0);
    };
    const frame = () => {
      if (document.body.dataset.state === "working") f.frames += 1;
      if (!f.stop) requestAnimationFrame(frame);
    };
    task();
    requestAnimationFrame(frame);
  });
  const mark = await page.evaluate(() => window.workerTraffic_.length);
  // Pasted as one input event (Playwright's fill() types it, far slower
  // than a paste for 2 MB).
  run = await act("big", () => page.evaluate((text) => {
    const e = document.getElementById("editor");
    e.value = text;
    e.dispatchEvent(new InputEvent("input", { inputType: "insertFromPaste" }));
  }, spec.big));
  const offMain = await page.evaluate((mark) => {
    window.free_.stop = true;
    return { wasmInPage: window.wasmInPage_, traffic: window.workerTraffic_.slice(mark), free: window.free_ };
  }, mark);
  const diagnostics = await page.locator("#diagnostics .locate").count();
  check("2 MB config migrates", run.status === "would_migrate" && diagnostics > 400, `${JSON.stringify(run)} ${diagnostics} diagnostics`);
  const posted = offMain.traffic.filter((m) => m.way === "out" && m.type === "migrate" && m.length === spec.big.length);
  const answered = offMain.traffic.filter((m) => m.way === "in" && m.type === "result" && posted.some((p) => p.id === m.id && p.worker === m.worker));
  check(
    "the 2 MB config migrates in the worker, not on the main thread",
    offMain.wasmInPage.length === 0 && posted.length >= 1 && answered.length >= 1,
    JSON.stringify(offMain),
  );
  // The counter above can see a WebAssembly instance made on the page.
  const counted = await page.evaluate(async () => {
    await WebAssembly.instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    return window.wasmInPage_.length;
  });
  check("a WebAssembly instance made on the page is counted", counted === 1, String(counted));

  // Nothing left the page: no request after the load, none reached the server.
  check("no request after load", requests.length === 0, requests.join("\n"));
  check("the server got nothing after load", served.length === servedAtLoad, JSON.stringify(served.slice(servedAtLoad)));

  // And the policy is enforced, not just kept: a fetch from the page and
  // one from a worker started as the page starts its own are refused.
  const probes = await page.evaluate(async () => {
    const page = await fetch("/probe-from-page").then(() => "fetched", () => "blocked");
    const source = "fetch('/probe-from-worker').then(() => postMessage('fetched'), () => postMessage('blocked'));";
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url);
    const fromWorker = await new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); setTimeout(() => resolve("no answer"), 5000); });
    worker.terminate();
    return { page, worker: fromWorker };
  });
  check("csp blocks a fetch from the page and from a worker", probes.page === "blocked" && probes.worker === "blocked" && !served.some((r) => r.url.startsWith("/probe")), JSON.stringify(probes));
  check("no page errors", pageErrors.length === 0, pageErrors.join("\n"));
} catch (err) {
  check("the test ran to the end", false, err.stack || String(err));
} finally {
  await close();
  server.close();
}

for (const r of results) console.log(JSON.stringify(r));
process.exit(results.every((r) => r.ok) ? 0 : 1);
