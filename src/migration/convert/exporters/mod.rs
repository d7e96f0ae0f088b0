//! One rule per legacy exporter. Each returns the destination that
//! replaces it, or `None` when KrakenD could never have created it (then
//! every one of its fields is reported as dropped, with the reason).

mod datadog;
mod influxdb;
mod jaeger;
mod logger;
mod ocagent;
mod other;
mod prometheus;
mod stackdriver;
mod xray;
mod zipkin;

use super::Context;
use crate::migration::convert::address::Address;
use crate::migration::intent::{CollectorExporter, Destination};
use crate::migration::options::CollectorFlavor;
use crate::model::diagnostic::{Action, Code, Diagnostic, Severity};
use crate::model::legacy::decode::Spanned;
use crate::model::legacy::{Exporters, LegacyExporter};

pub fn convert(exporters: &Spanned<Exporters>, cx: &mut Context) -> Vec<Destination> {
    let e = &exporters.value;
    // Output follows the order the exporters are written in; the unused
    // `extra_config` slot is reported in its place.
    let extra_at = e.extra_config.as_ref().map(|x| x.span.start);
    let mut destinations = Vec::new();
    let mut extra_done = false;
    for exporter in e.written() {
        if let (Some(at), Some(span)) = (extra_at, e.span_of(exporter))
            && !extra_done
            && at < span.start
        {
            extra_done = true;
            other::extra_config(e.extra_config.as_ref().expect("extra_at is set"), cx);
        }
        destinations.extend(rule(exporter, e, cx));
    }
    if let (Some(x), false) = (&e.extra_config, extra_done) {
        other::extra_config(x, cx);
    }
    other::unknown_exporters(&e.unknown, cx);
    destinations
}

/// The rule of one exporter that is written.
fn rule(exporter: LegacyExporter, e: &Exporters, cx: &mut Context) -> Option<Destination> {
    match exporter {
        LegacyExporter::Xray => xray::convert(e.xray.as_ref()?, cx),
        LegacyExporter::Jaeger => jaeger::convert(e.jaeger.as_ref()?, cx),
        LegacyExporter::Zipkin => zipkin::convert(e.zipkin.as_ref()?, cx),
        LegacyExporter::Prometheus => prometheus::convert(e.prometheus.as_ref()?, cx),
        LegacyExporter::Datadog => datadog::convert(e.datadog.as_ref()?, cx),
        LegacyExporter::Stackdriver => stackdriver::convert(e.stackdriver.as_ref()?, cx),
        LegacyExporter::Influxdb => influxdb::convert(e.influxdb.as_ref()?, cx),
        LegacyExporter::Ocagent => ocagent::convert(e.ocagent.as_ref()?, cx),
        LegacyExporter::Logger => logger::convert(e.logger.as_ref()?, cx),
    }
}

/// Drop an exporter KrakenD could not create: a warning at the exporter,
/// and every field of it dropped with the same reason.
fn unusable<T>(
    exporter: &Spanned<T>,
    which: LegacyExporter,
    why: &str,
    help: &str,
    cx: &mut Context,
) {
    let name = which.key();
    cx.push(
        Diagnostic::warning(
            which.code(),
            format!("`{name}` {why}: KrakenD could not create this exporter, so it never exported anything and nothing replaces it"),
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_help(help.to_string())
        .with_fate(Action::Dropped, None),
    );
    cx.drop_rest_under(
        &exporter.pointer,
        Severity::Info,
        which.code(),
        &format!("the `{name}` exporter never worked"),
    );
}

/// With the ADOT collector, exporters it does not ship are an error that
/// names the flavour that has them.
fn require_contrib<T>(exporter: &Spanned<T>, component: &CollectorExporter, cx: &mut Context) {
    if cx.options.collector == CollectorFlavor::Adot && !component.in_adot() {
        cx.push(
            Diagnostic::error(
                Code::NeedsContrib,
                format!(
                    "the ADOT collector has no `{}` exporter, so this exporter cannot be migrated for it",
                    component.id()
                ),
            )
            .at(exporter.pointer.clone(), exporter.span.clone())
            .with_help("run with `--collector contrib` to write an otelcol-contrib config, which has it"),
        );
    }
}

/// A warning for each secret, saying to rotate it (its value is never
/// printed or copied).
fn secret(field: &Spanned<String>, what: &str, where_now: &str, cx: &mut Context) {
    if field.value.is_empty() {
        cx.push(
            Diagnostic::info(Code::Secret, format!("`{}` is empty: dropped", field.key))
                .at(field.pointer.clone(), field.span.clone())
                .with_fate(Action::Dropped, None),
        );
        return;
    }
    cx.push(
        Diagnostic::warning(
            Code::Secret,
            format!("{what} `{}` is in the config file: it is not copied anywhere; rotate it, since it has been stored in plain text", field.key),
        )
        .at(field.pointer.clone(), field.span.clone())
        .with_help(where_now.to_string())
        .with_fate(Action::Dropped, None),
    );
}

/// An address oc2otel cannot read: an error, since only the user knows
/// where the telemetry should go. The exporter's other fields go with it.
fn unreadable<T>(
    exporter: &Spanned<T>,
    field: &Spanned<String>,
    which: LegacyExporter,
    cx: &mut Context,
) {
    let name = which.key();
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            format!("cannot read a host from `{name}.{}`", field.key),
        )
        .at(field.pointer.clone(), field.value_span.clone())
        .with_help("write it as HOST:PORT or as a URL, then migrate again")
        .with_fate(Action::Manual, None),
    );
    cx.drop_rest_under(
        &exporter.pointer,
        Severity::Info,
        which.code(),
        &format!("the `{name}` exporter cannot be migrated until its address is fixed"),
    );
}

/// Credentials inside a URL, and placeholders left for a later tool.
fn address_warnings(address: &Address, field: &Spanned<String>, cx: &mut Context) {
    if address.had_userinfo {
        cx.push(
            Diagnostic::warning(
                Code::Secret,
                format!(
                    "`{}` contains credentials (user info in the URL): they are not copied; rotate them, since they have been stored in plain text",
                    field.key
                ),
            )
            .at(field.pointer.clone(), field.value_span.clone())
            .with_help("give the credentials to the component that needs them through its environment"),
        );
    }
    for param in address.secret_query_params() {
        cx.push(
            Diagnostic::warning(
                Code::Secret,
                format!(
                    "`{}` carries a credential in its query or fragment (`{param}=`): it is not copied; rotate it, since it has been stored in plain text",
                    field.key
                ),
            )
            .at(field.pointer.clone(), field.value_span.clone())
            .with_help("give the credential to the component that needs it through its environment or its own settings"),
        );
    }
    if address.is_placeholder() {
        cx.push(
            Diagnostic::warning(
                Code::Placeholder,
                format!(
                    "the host of `{}` is a placeholder (`{}`): it is copied as written; make sure it expands to a host name alone, without scheme, port or path",
                    field.key, address.host
                ),
            )
            .at(field.pointer.clone(), field.value_span.clone()),
        );
    }
}
