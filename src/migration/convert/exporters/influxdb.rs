//! `exporters.influxdb` -> OTLP to the collector, `influxdb` exporter there
//! (otelcol-contrib only), writing through InfluxDB's 1.x API as before.
//! The username and password move to the collector's environment.

use super::{Context, dead, require_contrib, secret, unreadable};
use crate::migration::convert::address::Address;
use crate::migration::convert::{address, non_empty};
use crate::migration::intent::{CollectorExporter, Destination, Route};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Influxdb;
use crate::model::legacy::LegacyExporter;
use crate::model::legacy::decode::Spanned;

use crate::model::target::{
    INFLUX_PASSWORD_ENV as PASSWORD_ENV, INFLUX_USERNAME_ENV as USERNAME_ENV,
};

pub fn convert(exporter: &Spanned<Box<Influxdb>>, cx: &mut Context) -> Option<Destination> {
    let influx = &exporter.value;
    cx.unknown_keys(&influx.unknown, Influxdb::KEYS, "`exporters.influxdb`");
    let Some(field) = non_empty(&influx.address) else {
        dead(
            exporter,
            LegacyExporter::Influxdb,
            "has no `address`, so KrakenD could not create it",
            "give it its `address` (the InfluxDB URL)",
            (&influx.unknown, &["address"], &[]),
            cx,
        );
        return None;
    };
    let Some(address) = address::parse(&field.value) else {
        unreadable(exporter, field, LegacyExporter::Influxdb, cx);
        return None;
    };
    let timeout = influx
        .timeout
        .as_ref()
        .filter(|f| is_go_duration(&f.value))
        .map(|f| f.value.clone());
    let db = non_empty(&influx.db).map(|f| f.value.clone());
    let username = non_empty(&influx.username).is_some();
    let password = non_empty(&influx.password).is_some();
    // User info in the URL was the legacy client's basic auth: the
    // collector reads the same credentials from its environment.
    let username = username || address.had_userinfo;
    let password = password || address.had_userinfo;
    // A non-empty path is the collector exporter's full write URL, where
    // the legacy client appended `/write`: write that URL.
    let write_url = address.influx_legacy_write_url();
    let endpoint = if address.influx_collector_write_url() == write_url {
        address.without_credentials()
    } else {
        write_url.clone()
    };
    let component = CollectorExporter::Influxdb {
        endpoint: endpoint.clone(),
        db: db.clone(),
        timeout: timeout.clone(),
        username,
        password,
    };
    require_contrib(exporter, &component, cx);
    cx.push(
        Diagnostic::info(
            Code::Influxdb,
            format!(
                "`address` becomes the collector's `influxdb` exporter endpoint; KrakenD sends metrics over OTLP to the collector at {}; measurement names change to OpenTelemetry metric names",
                cx.options.otlp_endpoint
            ),
        )
        .at(field.pointer.clone(), field.span.clone())
        .with_fate(Action::Moved, Context::collector_target("exporters.influxdb.endpoint")),
    );
    super::address_warnings(&address, field, cx);
    write_notes(field, &address, &endpoint, cx);
    database(exporter, db.is_some(), cx);
    credentials(influx, cx);
    timeout_fate(exporter, timeout.is_some(), cx);
    dropped(influx, cx);
    Some(Destination {
        route: Route::Collector(component),
        signals: LegacyExporter::Influxdb.signals(),
        legacy: LegacyExporter::Influxdb.key(),
        pointer: exporter.pointer.clone(),
    })
}

/// What the legacy client did with the address that the collector needs
/// said explicitly: the `/write` path, and the credentials in its user
/// info.
fn write_notes(field: &Spanned<String>, address: &Address, endpoint: &str, cx: &mut Context) {
    if endpoint != address.without_credentials() {
        cx.push(
            Diagnostic::info(
                Code::Influxdb,
                format!("the collector's `influxdb` endpoint is `{endpoint}`: the legacy client wrote to the address's path plus `/write`, and the collector's exporter takes a non-empty path as the full write URL"),
            )
            .at(field.pointer.clone(), field.value_span.clone()),
        );
    }
    if address.had_userinfo {
        cx.push(
            Diagnostic::warning(
                Code::Influxdb,
                format!("the user info of `{}` was the InfluxDB login of the legacy client: the collector reads it from {USERNAME_ENV} and {PASSWORD_ENV} instead", field.key),
            )
            .at(field.pointer.clone(), field.value_span.clone())
            .with_help(format!("set {USERNAME_ENV} and {PASSWORD_ENV} in the collector's environment (the collector config reads them with ${{env:...}})")),
        );
    }
}

/// `db`: the database the collector writes to, or a warning that it needs one.
fn database(exporter: &Spanned<Box<Influxdb>>, has_db: bool, cx: &mut Context) {
    let influx = &exporter.value;
    match (&influx.db, has_db) {
        (Some(f), true) => cx.push(
            Diagnostic::info(
                Code::Influxdb,
                "`db` becomes `v1_compatibility.db` of the collector's `influxdb` exporter",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(
                Action::Moved,
                Context::collector_target("exporters.influxdb.v1_compatibility.db"),
            ),
        ),
        (field, _) => {
            let mut d = Diagnostic::warning(
                Code::Influxdb,
                "no `db`: the collector's `influxdb` exporter needs a database (`v1_compatibility.db`) or an `org` and `bucket`",
            )
            .with_help("add the database to `exporters.influxdb` in the collector config");
            d = match field {
                Some(f) => d
                    .at(f.pointer.clone(), f.span.clone())
                    .with_fate(Action::Manual, None),
                None => d.at(exporter.pointer.clone(), exporter.span.clone()),
            };
            cx.push(d);
        }
    }
}

/// `username` and `password`: to the collector's environment.
fn credentials(influx: &Influxdb, cx: &mut Context) {
    if let Some(f) = &influx.username {
        cx.push(
            Diagnostic::info(
                Code::Influxdb,
                format!("`username` moves to the collector's environment as {USERNAME_ENV} (the config reads it with ${{env:{USERNAME_ENV}}})"),
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Moved, Some(format!("collector env: {USERNAME_ENV}"))),
        );
    }
    if let Some(f) = &influx.password {
        secret(
            f,
            "InfluxDB password",
            &format!(
                "set {PASSWORD_ENV} in the collector's environment; the collector config reads it with ${{env:{PASSWORD_ENV}}}"
            ),
            cx,
        );
    }
}

/// `timeout`: kept when KrakenD could read it.
fn timeout_fate(exporter: &Spanned<Box<Influxdb>>, kept: bool, cx: &mut Context) {
    let influx = &exporter.value;
    if !kept {
        // The legacy client had no timeout; the collector's exporter has
        // 5 s (confighttp's default for it).
        let d = Diagnostic::warning(
            Code::Influxdb,
            "the legacy InfluxDB client had no write timeout; the collector's `influxdb` exporter gives up after 5 s",
        )
        .with_help("set `timeout` under `exporters.influxdb` in the collector config if writes can take longer");
        cx.push(match &influx.timeout {
            Some(f) => d.at(f.pointer.clone(), f.value_span.clone()),
            None => d.at(exporter.pointer.clone(), exporter.span.clone()),
        });
    }
    if let Some(f) = &influx.timeout {
        let d = if kept {
            Diagnostic::info(
                Code::Influxdb,
                "`timeout` becomes the `influxdb` exporter's timeout",
            )
            .with_fate(
                Action::Moved,
                Context::collector_target("exporters.influxdb.timeout"),
            )
        } else {
            Diagnostic::warning(
                Code::Influxdb,
                "`timeout` dropped: it is not a Go duration such as `5s`, so KrakenD used none",
            )
            .with_fate(Action::Dropped, None)
        };
        cx.push(d.at(f.pointer.clone(), f.span.clone()));
    }
}

/// Fields with no equivalent.
fn dropped(influx: &Influxdb, cx: &mut Context) {
    let unused = [
        influx
            .ping
            .as_ref()
            .map(|f| (f.pointer.clone(), f.span.clone(), "ping")),
        influx
            .buffer_size
            .as_ref()
            .map(|f| (f.pointer.clone(), f.span.clone(), "buffer_size")),
    ];
    for (pointer, span, key) in unused.into_iter().flatten() {
        cx.push(
            Diagnostic::info(
                Code::Influxdb,
                format!("`{key}` dropped: the OpenCensus module read it but never used it"),
            )
            .at(pointer, span)
            .with_fate(Action::Dropped, None),
        );
    }
    if let Some(f) = &influx.service_name {
        cx.push(
            Diagnostic::warning(
                Code::Influxdb,
                "`service_name` dropped: OpenCensus wrote it as the `instance` tag; the service name now travels as the `service.name` resource attribute",
            )
            .at(f.pointer.clone(), f.span.clone())
            .with_fate(Action::Dropped, None),
        );
    }
}

/// Whether Go's `time.ParseDuration` accepts `s` (`300ms`, `1h30m`, `0`).
pub fn is_go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = ["ns", "us", "\u{b5}s", "\u{3bc}s", "ms", "s", "m", "h"]
            .into_iter()
            .find(|u| rest.starts_with(u))
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::is_go_duration;

    #[test]
    fn go_durations() {
        for ok in ["5s", "300ms", "1h30m", "1.5s", "0", "-2m", "10us"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "5", "s", "5 s", "1..5s", "3d"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }
}
