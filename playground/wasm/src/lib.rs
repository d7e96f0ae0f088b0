//! oc2otel in the browser: the library's per-text preview
//! (`oc2otel::report::preview`), exported to JavaScript by wasm-bindgen.
//! The playground page (`playground/worker.js`) calls [`migrate`] off the
//! main thread.
//!
//! Nothing here decides anything: the request is the page's options as
//! JSON, the answer the preview as JSON, so that the page and the
//! command line cannot disagree. Nothing may panic (a panic in
//! WebAssembly aborts the instance): bad options and bad text come back
//! as data, and the library never panics on any input (fuzzed, see
//! docs/security.md).

use oc2otel::report::preview::{self, Request};
use wasm_bindgen::prelude::wasm_bindgen;

/// Migrate `text` read as `format` (`auto`, `json`, `yaml`, `toml`,
/// `template`) with `options_json`, the command line's options as an
/// object (`{"collector": "contrib", "otlp_endpoint": "otel:4317",
/// "krakend_version": "2.13", "metrics": "emf"}`; absent fields take the
/// command line's defaults). Returns the preview as JSON
/// (`oc2otel::report::preview::Preview`).
#[wasm_bindgen]
pub fn migrate(text: &str, format: &str, options_json: &str) -> String {
    let mut request = match serde_json::from_str::<Request>(options_json) {
        Ok(request) => request,
        Err(err) => return answer(&preview::refused(format!("bad options: {err}"))),
    };
    request.format = Some(format.to_string());
    answer(&preview::preview(text, &request))
}

fn answer(preview: &preview::Preview) -> String {
    serde_json::to_string(preview).unwrap_or_else(|err| {
        // Serialising plain strings and numbers cannot fail; if it ever
        // did, the page shows this instead of a trap.
        format!(
            "{{\"status\":\"error\",\"option_error\":{}}}",
            serde_json::Value::from(format!("internal error: {err}"))
        )
    })
}

/// The library's version, for the page's footer.
#[wasm_bindgen]
pub fn version() -> String {
    preview::VERSION.to_string()
}

/// The bundled examples, by name (`xray`), so that the page can load one
/// without a network request.
#[wasm_bindgen]
pub fn example(name: &str) -> Option<String> {
    match name {
        "xray" => Some(include_str!("../../../examples/xray/krakend.json").to_string()),
        _ => None,
    }
}
