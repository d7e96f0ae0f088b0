//! The real components as judges of every migration (docs/testing.md):
//! collectors built with the OpenTelemetry Collector Builder from the
//! pinned modules under `tests/oracle/`, and the gateway stand-in that runs
//! KrakenD configs with the OpenCensus and OpenTelemetry Go libraries
//! (KrakenD CE itself is not served by the Go module proxy; see
//! `tests/oracle/gateway/main.go`). `tests/oracle/build.sh` builds them
//! into a cache; without it these tests print a notice and pass, unless
//! OC2OTEL_REQUIRE_ORACLES=1 (as in CI), which makes that a failure.
//!
//! Tier 1 (`tier1.rs`): every collector config the suite produces passes
//! the real collector's `validate`, and adot-flavour configs use only ADOT
//! v0.49.0 component types (`adot.rs`). Tier 2 (`tier2.rs`): a migrated
//! config and its collector config, run end to end. Tier 3 (`tier3.rs`):
//! the legacy and the migrated config, run on the same gateway with the
//! same requests, compared.

mod adot;
mod compare;
mod configs;
mod explain;
mod process;
mod sink;
mod stack;
mod tier1;
mod tier2;
mod tier3;
mod traces;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use process::{Proc, free_port, hermetic, run_with_timeout};

/// The command that builds the oracles and runs their tiers.
pub const HOW_TO_RUN: &str = "tests/oracle/build.sh && OC2OTEL_REQUIRE_ORACLES=1 cargo test oracle";

/// One oracle collector build: its binary and the component types it has,
/// by section (`receivers`, `processors`, `exporters`, `extensions`).
pub struct Collector {
    pub release: &'static str,
    pub bin: PathBuf,
    pub types: BTreeMap<String, BTreeSet<String>>,
}

impl Collector {
    /// Does this build have `kind` in `section`, under its name or the
    /// name a rename gave it (the collector accepts the old name as an
    /// alias: `otlp` is listed as `otlp_grpc` from v0.15x on)?
    pub fn has(&self, section: &str, kind: &str) -> bool {
        let Some(types) = self.types.get(section) else {
            return false;
        };
        types.contains(kind)
            || RENAMES.iter().any(|(s, a, b)| {
                *s == section
                    && ((*a == kind && types.contains(*b)) || (*b == kind && types.contains(*a)))
            })
    }
}

/// Component types renamed upstream, old name first.
const RENAMES: &[(&str, &str, &str)] = &[
    ("exporters", "otlp", "otlp_grpc"),
    ("exporters", "otlphttp", "otlp_http"),
    ("processors", "resourcedetection", "resource_detection"),
    ("processors", "memorylimiter", "memory_limiter"),
];

pub struct Oracles {
    /// ADOT v0.49.0's release first: the preferred judge.
    pub collectors: Vec<Collector>,
    pub gateway: PathBuf,
}

impl Oracles {
    /// The collector of ADOT's release (v0.156.0).
    pub fn adot_release(&self) -> &Collector {
        &self.collectors[0]
    }
}

/// Print a tier's figures where a person running `cargo test` sees them:
/// to the real standard error, past libtest's capture of `println!`.
pub fn figures(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "oracle {text}");
}

/// The oracle cache: `OC2OTEL_ORACLE_DIR`, else `target/oracle` (as
/// `tests/oracle/build.sh`).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("OC2OTEL_ORACLE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::common::manifest_dir().join("target/oracle"))
}

fn required() -> bool {
    std::env::var("OC2OTEL_REQUIRE_ORACLES").as_deref() == Ok("1")
}

/// The built oracles, or `None` (after a visible notice) when they are not
/// built; a panic naming the build command when OC2OTEL_REQUIRE_ORACLES=1.
pub fn oracles() -> Option<&'static Oracles> {
    static ORACLES: OnceLock<Result<Oracles, String>> = OnceLock::new();
    match ORACLES.get_or_init(locate) {
        Ok(oracles) => Some(oracles),
        Err(missing) if required() => panic!(
            "OC2OTEL_REQUIRE_ORACLES=1 but {missing}; build them with `tests/oracle/build.sh` \
             (from the repository root)"
        ),
        Err(missing) => {
            crate::common::notice(&format!(
                "{missing}: the oracle tiers (real collector, gateway; docs/testing.md) were \
                 skipped. Run them with: {HOW_TO_RUN}"
            ));
            None
        }
    }
}

fn locate() -> Result<Oracles, String> {
    let bin = cache_dir().join("bin");
    let find = |name: &str| {
        let path = bin.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(format!("the oracle {} is not built", path.display()))
        }
    };
    let mut collectors = Vec::new();
    for release in ["v0.156.0", "v0.148.0"] {
        let path = find(&format!("otelcol-{release}"))?;
        let types = component_types(&path)?;
        collectors.push(Collector {
            release,
            bin: path,
            types,
        });
    }
    Ok(Oracles {
        collectors,
        gateway: find("gateway")?,
    })
}

/// What `otelcol components` lists, by section.
fn component_types(bin: &Path) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut cmd = std::process::Command::new(bin);
    cmd.arg("components");
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    hermetic(&mut cmd, home.path());
    let output = run_with_timeout(&mut cmd, std::time::Duration::from_secs(60))
        .map_err(|e| format!("{} components: {e}", bin.display()))?;
    let listing: serde_json::Value = yaml_serde::from_slice(&output.stdout)
        .map_err(|e| format!("{} components: {e}", bin.display()))?;
    let mut types = BTreeMap::new();
    for section in ["receivers", "processors", "exporters", "extensions"] {
        let names = listing[section]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str().map(str::to_string))
            .collect();
        types.insert(section.to_string(), names);
    }
    Ok(types)
}
