//! What a file is migrated for: `--collector auto` and `--krakend-version
//! auto` resolved per file, before anything is converted, so that every
//! rule, the renderers and the self-check see one concrete collector
//! flavour and one KrakenD version (and a config file's per-path override
//! can set either).
//!
//! * the version: the `vX.Y` of the file's `$schema` URL when it names a
//!   version with the OpenTelemetry module, else the latest release
//!   ([`KrakendVersion::LATEST`]; 3.0 is known but only ever chosen
//!   explicitly or by `$schema`);
//! * the collector: ADOT when it ships a component for every collector
//!   exporter the file's legacy blocks need (and `--metrics emf`'s
//!   `awsemf`), else otelcol-contrib. An info diagnostic says which and why
//!   whenever the file needs a collector at all.

use crate::migration::options::{CollectorFlavor, MetricsTarget, Options, TargetVersion};
use crate::model::diagnostic::{Code, Diagnostic};
#[cfg(test)]
use crate::model::legacy::LegacyExporter;
use crate::model::target::Component;
use crate::model::version::KrakendVersion;
use crate::syntax::tree::{Span, child_pointer};

use super::blocks::Decodes;
use super::input::Input;

/// The KrakenD version `text` is migrated for with `options` (`auto`
/// resolved as the migration resolves it), to pick the schema to check
/// the new block against.
pub fn version_of(
    text: &str,
    format: crate::syntax::source::Format,
    options: &Options,
) -> KrakendVersion {
    if let TargetVersion::Exact(v) = options.krakend_version {
        return v;
    }
    if format == crate::syntax::source::Format::Template {
        let scan = crate::syntax::template::scan(text, &super::input::LEGACY_KEYS);
        let holders = super::input::holders(text, &scan);
        return version(&Input::template(text, &scan, &holders)).0;
    }
    let Ok(document) = crate::syntax::parse(text, format) else {
        return KrakendVersion::LATEST;
    };
    version(&Input::tree(text, format, &*document, false)).0
}

/// `options` with `auto` resolved for `input`, and the diagnostics that
/// say how (to be reported only when the file is migrated). The service
/// blocks it reads are decoded into `decodes`, for the conversion.
pub fn resolve(
    input: &Input,
    options: &Options,
    decodes: &mut Decodes,
) -> (Options, Vec<Diagnostic>) {
    let mut resolved = options.clone();
    let mut notes = Vec::new();
    if options.krakend_version == TargetVersion::Auto {
        let (version, note) = version(input);
        resolved.krakend_version = TargetVersion::Exact(version);
        notes.extend(note);
    }
    if options.collector == CollectorFlavor::Auto {
        let (flavor, note) = collector(input, options, decodes);
        resolved.collector = flavor;
        notes.extend(note);
    }
    (resolved, notes)
}

/// The version `$schema` names, if it has the OpenTelemetry module.
fn version(input: &Input) -> (KrakendVersion, Option<Diagnostic>) {
    let named = input.root_member("$schema").and_then(|(_, value)| {
        let version = KrakendVersion::targeted_by_schema(value.as_str()?)?;
        Some((version, value.span.clone()))
    });
    let Some((version, span)) = named else {
        // Below 2.6 is warned about (OC009); absent is the latest.
        return (KrakendVersion::LATEST, None);
    };
    let note = Diagnostic::info(
        Code::KrakendVersion,
        format!("target KrakenD {version}, from `$schema`: the new block and the advice are for that version"),
    )
    .at("/$schema", span)
    .with_help("run with --krakend-version X.Y to target another version");
    (version, Some(note))
}

/// Every collector component the file's service-level legacy blocks need,
/// with the exporter that needs it and where it is written.
fn components(
    input: &Input,
    options: &Options,
    decodes: &mut Decodes,
) -> Vec<(Component, String, String, Span)> {
    let mut out = Vec::new();
    for block in input.located.service().filter(|b| !b.duplicate) {
        let pointer = block.pointer();
        let member = block.member();
        let decoded = decodes.get(block);
        if let Some(exporters) = decoded.settings.as_ref().and_then(|s| s.exporters.as_ref()) {
            for exporter in exporters.value.written() {
                let (Some(component), Some(span)) = (
                    exporter.collector_component(),
                    exporters.value.span_of(exporter),
                ) else {
                    continue;
                };
                out.push((
                    component,
                    exporter.key().to_string(),
                    child_pointer(&exporters.pointer, exporter.key()),
                    span.clone(),
                ));
            }
            if options.metrics == MetricsTarget::Emf {
                out.push((
                    Component::AwsEmf,
                    "--metrics emf".to_string(),
                    pointer,
                    member.key_span.clone(),
                ));
            }
        }
    }
    out
}

/// ADOT unless a component the file needs is missing from it.
fn collector(
    input: &Input,
    options: &Options,
    decodes: &mut Decodes,
) -> (CollectorFlavor, Option<Diagnostic>) {
    let needed = components(input, options, decodes);
    let Some((_, _, pointer, span)) = needed.first().cloned() else {
        return (CollectorFlavor::Adot, None);
    };
    let missing: Vec<&(Component, String, String, Span)> =
        needed.iter().filter(|(c, ..)| !c.in_adot()).collect();
    let list = |items: &[&(Component, String, String, Span)]| {
        let mut names: Vec<String> = items
            .iter()
            .map(|(c, by, _, _)| format!("`{}` (for {by})", c.id()))
            .collect();
        names.dedup();
        names.join(", ")
    };
    let note = match missing.first() {
        None => Diagnostic::info(
            Code::CollectorFlavour,
            format!(
                "collector: ADOT (aws-otel-collector), which ships every collector exporter this file needs: {}",
                list(&needed.iter().collect::<Vec<_>>())
            ),
        )
        .at(pointer, span),
        Some((_, _, pointer, span)) => Diagnostic::info(
            Code::CollectorFlavour,
            format!(
                "collector: otelcol-contrib, because ADOT ships no {}",
                list(&missing)
            ),
        )
        .at(pointer.clone(), span.clone()),
    };
    let flavor = if missing.is_empty() {
        CollectorFlavor::Adot
    } else {
        CollectorFlavor::Contrib
    };
    let note = note.with_help(
        "run with --collector adot or --collector contrib to choose the collector yourself",
    );
    (flavor, Some(note))
}

/// Whatever the target, KrakenD 3.0 reads no OpenCensus block: each
/// service-level block (or, without one, the first endpoint or backend
/// block) says that its telemetry stops without a word on that upgrade.
pub fn krakend_3(input: &Input) -> Vec<Diagnostic> {
    use crate::model::locate::Scope;
    let pending = input
        .located
        .blocks
        .iter()
        .filter(|b| b.scope != Scope::Unread);
    let service: Vec<_> = pending
        .clone()
        .filter(|b| b.scope == Scope::Service)
        .collect();
    let chosen = if service.is_empty() {
        pending.take(1).collect()
    } else {
        service
    };
    chosen
        .into_iter()
        .map(|block| {
            Diagnostic::warning(
                Code::Krakend3,
                format!(
                    "KrakenD 3.0 ignores `{}` without a word: it starts and exports none of this block's telemetry (OpenCensus is removed in 3.0)",
                    block.namespace.key()
                ),
            )
            .at(block.pointer(), block.member().key_span.clone())
            .with_help("migrate this block before upgrading to KrakenD 3.0; until then KrakenD 2 still runs it")
        })
        .collect()
}

/// `telemetry/influx` (KrakenD's native InfluxDB metrics) is gone in 3.0.
/// In a template, every `"telemetry/influx":` key is that component (it
/// exists at the service level only), wherever the template puts it.
pub fn influx_removed(input: &Input) -> Vec<Diagnostic> {
    if let super::input::Shape::Template(scan) = &input.shape {
        return crate::syntax::template::find(input.text, &scan.actions, &[INFLUX])
            .iter()
            .map(|found| influx_diagnostic(String::new(), found.key_span().clone()))
            .collect();
    }
    let Some((extra, pointer)) = input.located.service_extra.as_ref() else {
        return Vec::new();
    };
    extra
        .get(INFLUX)
        .map(|member| influx_diagnostic(child_pointer(pointer, INFLUX), member.key_span.clone()))
        .into_iter()
        .collect()
}

fn influx_diagnostic(pointer: String, key: Span) -> Diagnostic {
    Diagnostic::warning(
        Code::InfluxRemoved,
        format!("`{INFLUX}` is removed in KrakenD 3.0: its metrics stop without a word on that upgrade; oc2otel does not migrate it"),
    )
    .at(pointer, key)
    .with_help("before upgrading to 3.0, send the metrics with `telemetry/opentelemetry` instead (an OTLP exporter to a collector with an influxdb exporter)")
}

/// KrakenD's native InfluxDB component.
const INFLUX: &str = "telemetry/influx";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::source::Format;

    fn resolved(text: &str) -> (Options, Vec<Diagnostic>) {
        let document = crate::syntax::parse(text, Format::Json).unwrap();
        let input = Input::tree(text, Format::Json, &*document, false);
        resolve(&input, &Options::default(), &mut Decodes::default())
    }

    #[test]
    fn auto_picks_contrib_only_for_what_adot_lacks() {
        let (o, notes) = resolved(
            r#"{"extra_config": {"telemetry/opencensus": {"exporters": {"xray": {"use_env": true}, "zipkin": {"collector_url": "http://z:9411"}}}}}"#,
        );
        assert_eq!(o.collector, CollectorFlavor::Contrib);
        assert!(
            notes[0].message.contains("`zipkin` (for zipkin)"),
            "{notes:?}"
        );
        let (o, notes) = resolved(
            r#"{"extra_config": {"telemetry/opencensus": {"exporters": {"xray": {"use_env": true}}}}}"#,
        );
        assert_eq!(o.collector, CollectorFlavor::Adot);
        assert!(notes[0].message.contains("ADOT"));
        let (o, notes) = resolved(
            r#"{"$schema": "https://www.krakend.io/schema/v2.10/krakend.json", "extra_config": {"telemetry/opencensus": {"exporters": {"jaeger": {}}}}}"#,
        );
        assert_eq!(
            (o.collector, o.version()),
            (CollectorFlavor::Adot, KrakendVersion::new(2, 10, 0))
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(LegacyExporter::Jaeger.collector_component(), None);
    }
}
