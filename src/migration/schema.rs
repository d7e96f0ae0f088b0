//! Validating generated blocks against KrakenD's published JSON schemas.
//!
//! oc2otel does not ship KrakenD's schemas (the schema repository has no
//! licence). `--schema-dir DIR` points at a copy laid out as published
//! (`DIR/v2.13/telemetry/opentelemetry.json`, ...); references between
//! schema files are resolved inside that folder and never fetched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::migration::options::KrakendVersion;

const SCHEMA_BASE: &str = "https://www.krakend.io/schema/";

/// A compiled validator for one version's `telemetry/opentelemetry` block.
pub struct SchemaValidator {
    validator: jsonschema::Validator,
    /// The schema file, for messages.
    pub file: PathBuf,
}

impl std::fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaValidator")
            .field("file", &self.file)
            .finish()
    }
}

/// Resolves `https://www.krakend.io/schema/<path>` inside the schema folder.
struct FolderRetriever {
    root: PathBuf,
}

impl jsonschema::Retrieve for FolderRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let relative = uri.strip_prefix(SCHEMA_BASE).ok_or_else(|| {
            format!("refusing to fetch {uri}: only KrakenD schemas in --schema-dir are used")
        })?;
        let relative = relative.split('#').next().unwrap_or(relative);
        if relative.split('/').any(|part| part == "..") {
            return Err(format!("refusing schema path {relative}").into());
        }
        let text = std::fs::read_to_string(self.root.join(relative))
            .map_err(|e| format!("{}: {e}", self.root.join(relative).display()))?;
        Ok(serde_json::from_str(&text)?)
    }
}

impl SchemaValidator {
    /// Compile the `telemetry/opentelemetry` schema of `version` from `dir`.
    pub fn load(dir: &Path, version: KrakendVersion) -> Result<SchemaValidator, String> {
        let folder = dir.join(version.schema_folder());
        if !folder.is_dir() {
            let mut available: Vec<String> = std::fs::read_dir(dir)
                .map_err(|e| format!("cannot read schema folder {}: {e}", dir.display()))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .filter(|n| n.starts_with('v'))
                .collect();
            available.sort();
            return Err(format!(
                "{} has no schemas for KrakenD {version} (expected {}; found: {})",
                dir.display(),
                folder.display(),
                if available.is_empty() {
                    "none".to_string()
                } else {
                    available.join(", ")
                }
            ));
        }
        let file = folder.join("telemetry").join("opentelemetry.json");
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let schema: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not valid JSON: {e}", file.display()))?;
        let validator = jsonschema::options()
            .with_retriever(FolderRetriever {
                root: dir.to_path_buf(),
            })
            .build(&schema)
            .map_err(|e| format!("cannot compile {}: {e}", file.display()))?;
        Ok(SchemaValidator { validator, file })
    }

    /// Every violation, as `(JSON pointer inside the block, message)`.
    pub fn validate(&self, block: &Value) -> Vec<(String, String)> {
        self.validator
            .iter_errors(block)
            .map(|e| (e.instance_path().as_str().to_string(), e.to_string()))
            .collect()
    }
}

/// The schemas of every version a run targets, compiled on first use:
/// with `--krakend-version auto` each file may target another version.
#[derive(Debug)]
pub struct Schemas {
    dir: PathBuf,
    compiled: Mutex<BTreeMap<KrakendVersion, Arc<Result<SchemaValidator, String>>>>,
}

impl Schemas {
    pub fn new(dir: &Path) -> Schemas {
        Schemas {
            dir: dir.to_path_buf(),
            compiled: Mutex::new(BTreeMap::new()),
        }
    }

    /// The validator of `version` (compiled once), or why there is none.
    pub fn get(&self, version: KrakendVersion) -> Arc<Result<SchemaValidator, String>> {
        // A poisoned lock only means another thread panicked while
        // compiling; the map itself is still whole.
        let mut compiled = self
            .compiled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        compiled
            .entry(version)
            .or_insert_with(|| Arc::new(SchemaValidator::load(&self.dir, version)))
            .clone()
    }
}
