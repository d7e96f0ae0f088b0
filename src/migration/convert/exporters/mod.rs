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

pub use influxdb::is_go_duration;

use super::Context;
use crate::migration::convert::address::Address;
use crate::migration::intent::{CollectorExporter, Destination};
use crate::model::diagnostic::{Action, Code, Diagnostic, Severity};
use crate::model::legacy::decode::{Spanned, Unknown};
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
    if let Some(agent) = &e.ocagent {
        ocagent::shared_headers(agent, &destinations, cx);
    }
    destinations
}

/// The rule of one exporter that is written: the destinations that
/// replace it (Datadog's DogStatsD may be a second one).
fn rule(exporter: LegacyExporter, e: &Exporters, cx: &mut Context) -> Vec<Destination> {
    let one = match exporter {
        LegacyExporter::Xray => e.xray.as_ref().and_then(|x| xray::convert(x, cx)),
        LegacyExporter::Jaeger => e.jaeger.as_ref().and_then(|x| jaeger::convert(x, cx)),
        LegacyExporter::Zipkin => e.zipkin.as_ref().and_then(|x| zipkin::convert(x, cx)),
        LegacyExporter::Prometheus => e
            .prometheus
            .as_ref()
            .and_then(|x| prometheus::convert(x, cx)),
        LegacyExporter::Datadog => {
            return e
                .datadog
                .as_ref()
                .map(|x| datadog::convert(x, cx))
                .unwrap_or_default();
        }
        LegacyExporter::Stackdriver => e
            .stackdriver
            .as_ref()
            .and_then(|x| stackdriver::convert(x, cx)),
        LegacyExporter::Influxdb => e.influxdb.as_ref().and_then(|x| influxdb::convert(x, cx)),
        LegacyExporter::Ocagent => e.ocagent.as_ref().and_then(|x| ocagent::convert(x, cx)),
        LegacyExporter::Logger => e.logger.as_ref().and_then(|x| logger::convert(x, cx)),
    };
    one.into_iter().collect()
}

/// An exporter that never delivered anything in KrakenD (it could not be
/// created, or could not connect): an error, and the file is left as it
/// is, so that `--write` never deletes the only trace of what the user
/// meant to export. `why` says what was wrong, `fix` what to change in
/// the legacy block; a misspelt key among the exporter's unknown keys
/// that would have been a `required` one is named in the message.
fn dead<T>(
    exporter: &Spanned<T>,
    which: LegacyExporter,
    why: &str,
    fix: &str,
    misspelt: (&[Unknown], &[&str], &[(&str, &str)]),
    cx: &mut Context,
) {
    let name = which.key();
    let (unknown, required, aliases) = misspelt;
    let typos: Vec<String> = unknown
        .iter()
        .filter(|u| !u.comment)
        .filter_map(|u| {
            let meant = aliases
                .iter()
                .find(|(old, _)| old.eq_ignore_ascii_case(&u.key))
                .map(|(_, new)| *new)
                .or_else(|| super::suggest(&u.key, required))?;
            Some(format!("`{}` (did you mean `{meant}`?)", u.key))
        })
        .collect();
    let typos = match typos.as_slice() {
        [] => String::new(),
        list => format!("; KrakenD ignored {}", list.join(", ")),
    };
    cx.push(
        Diagnostic::error(
            Code::DeadExporter,
            format!("`{name}` {why}{typos}: it never exported anything in KrakenD, so the file is left as it is"),
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_help(format!("{fix}, then migrate again; or delete the exporter if it was not meant to work (migrating it as it is would start sending telemetry that never flowed)"))
        .with_fate(Action::Manual, None),
    );
    cx.settle_rest_under(
        &exporter.pointer,
        Severity::Info,
        which.code(),
        &format!("left with the `{name}` exporter until it is fixed"),
        Action::Manual,
    );
}

/// With the ADOT collector, exporters it does not ship are an error that
/// names the flavour that has them.
fn require_contrib<T>(exporter: &Spanned<T>, component: &CollectorExporter, cx: &mut Context) {
    if cx.options.collector.is_adot() && !component.in_adot() {
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
