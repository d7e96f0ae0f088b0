//! Starting the pieces of an end-to-end run: a collector on a config, the
//! gateway stand-in on a KrakenD config (with one endpoint to a fake
//! backend), requests, and waiting until what reaches a sink settles.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::sink::{Request, Sink};
use super::{Collector, Proc, free_port, hermetic};

/// Start `collector` on `config` (unchanged) plus two overrides of our own:
/// its health check on a free port (13133 is fixed in generated configs and
/// tests run in parallel) and no internal telemetry server (:8888).
pub fn collector(collector: &Collector, config: &str, dir: &Path) -> Proc {
    let path = dir.join("collector.yaml");
    std::fs::write(&path, config).expect("write collector config");
    let health = free_port();
    let mut cmd = std::process::Command::new(&collector.bin);
    cmd.arg(format!("--config=file:{}", path.display()))
        .arg(format!(
            "--config=yaml:extensions::health_check::endpoint: 127.0.0.1:{health}"
        ))
        .arg("--config=yaml:service::telemetry::metrics::level: none");
    hermetic(&mut cmd, dir);
    let mut proc = Proc::spawn("collector", &mut cmd, dir);
    proc.wait_ready(
        &format!("http://127.0.0.1:{health}/"),
        Duration::from_secs(30),
    );
    proc
}

/// `config` with one endpoint, `/oracle`, proxied to `backend`.
pub fn with_endpoint(mut config: Value, backend: &Sink) -> Value {
    config["endpoints"] = json!([{
        "endpoint": "/oracle",
        "method": "GET",
        "backend": [{"host": [backend.url()], "url_pattern": "/backend"}]
    }]);
    config
}

/// Run the gateway stand-in on `config`; returns it and its port. New
/// spans are exported every 200 ms instead of every 5 s.
pub fn gateway(bin: &Path, config: &Value, dir: &Path, name: &str) -> (Proc, u16) {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(config).expect("json")).expect("write");
    let port = free_port();
    let mut cmd = std::process::Command::new(bin);
    cmd.args(["run", "-c"])
        .arg(&path)
        .args(["-p", &port.to_string()]);
    hermetic(&mut cmd, dir);
    cmd.env("OTEL_BSP_SCHEDULE_DELAY", "200");
    let mut proc = Proc::spawn(name, &mut cmd, dir);
    proc.wait_ready(
        &format!("http://127.0.0.1:{port}/__health"),
        Duration::from_secs(20),
    );
    (proc, port)
}

/// Send `count` requests to `/oracle`, one after the other (so the n-th
/// backend request belongs to the n-th request). All must succeed.
pub fn send(port: u16, count: usize, headers: &[(&str, &str)]) {
    let url = format!("http://127.0.0.1:{port}/oracle");
    for i in 0..count {
        let status = super::sink::request(&url, headers).map(|(s, _)| s);
        assert_eq!(status, Some(200), "request {i} to {url}");
    }
}

/// Wait until `sink` has received nothing new for a second (at most
/// `limit`), and return what it has.
pub fn settle(sink: &Sink, limit: Duration) -> Vec<Request> {
    let start = Instant::now();
    let mut seen = usize::MAX;
    let mut quiet_since = Instant::now();
    while start.elapsed() < limit {
        let now = sink.requests().len();
        if now != seen {
            seen = now;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() > Duration::from_millis(1200) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    sink.requests()
}

/// The OTLP/HTTP exporter that stands where a collector exporter with no
/// oracle build was (awsxray, awsemf): same pipelines, but JSON to `sink`.
pub fn sink_exporter(sink: &Sink, path: &str) -> Value {
    json!({
        "endpoint": format!("{}{path}", sink.url()),
        "encoding": "json",
        "compression": "none",
        "retry_on_failure": {"enabled": false},
        "sending_queue": {"enabled": false}
    })
}
