// The playground's worker: runs oc2otel (WebAssembly) off the main thread,
// so that a 2 MB config keeps the page responsive while it migrates.
//
// Not loaded by URL: build.sh puts this file after wasm-bindgen's glue
// (which defines `wasm_bindgen`) inside one function, `workerMain` in
// pkg/worker_main.js, which the page imports with itself. The page
// starts each worker from a blob: URL holding that function's text, so
// that a worker
//   - inherits the page's Content-Security-Policy (no connections at all;
//     a worker loaded by URL would get the policy of its own response,
//     which a static server does not send), and
//   - loads nothing: no script and no module bytes come over the
//     network after the page has loaded, even when a stale run is
//     cancelled by ending its worker and starting another.
// The first worker compiles the module from the bytes the page hands it
// (pkg/oc2otel_playground_wasm.js, base64) and hands the compiled module
// back, for the next worker.
//
// Messages in:  {type: "init", module} or {type: "init", base64}
//               {type: "migrate", id, text, format, options}
//               {type: "example", id, name}
// Messages out: {type: "module", module}  {type: "ready", version}  {type: "failed", error}
//               {type: "result", id, json}  {type: "crashed", id, error}  {type: "example", id, text}

/* global wasm_bindgen */

let ready = null;

function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function describe(error) {
  return String(error && error.message ? error.message : error);
}

async function start(message) {
  let module = message.module;
  if (!module) {
    module = await WebAssembly.compile(bytesOf(message.base64));
    self.postMessage({ type: "module", module });
  }
  await wasm_bindgen({ module_or_path: module });
  self.postMessage({ type: "ready", version: wasm_bindgen.version() });
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "init") {
    ready = start(message).catch((error) => {
      self.postMessage({ type: "failed", error: describe(error) });
      throw error;
    });
    return;
  }
  try {
    await ready;
  } catch {
    return; // "failed" was already said.
  }
  try {
    if (message.type === "migrate") {
      const json = wasm_bindgen.migrate(message.text, message.format, JSON.stringify(message.options));
      self.postMessage({ type: "result", id: message.id, json });
    } else if (message.type === "example") {
      self.postMessage({ type: "example", id: message.id, text: wasm_bindgen.example(message.name) ?? "" });
    }
  } catch (error) {
    // oc2otel never panics on any input (it is fuzzed); if it ever did,
    // WebAssembly traps and this instance is unusable: the page replaces
    // the worker and says so.
    self.postMessage({ type: "crashed", id: message.id, error: describe(error) });
  }
};
