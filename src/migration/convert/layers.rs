//! `enabled_layers` -> `layers`.
//!
//! Without `enabled_layers` every OpenCensus layer runs, as every
//! OpenTelemetry layer does by default. With it, a layer not written is
//! off (Go's zero value): `{"router": true, "backend": true}`, the shape of
//! KrakenD's own examples, silently turned the pipe layer off. Each layer
//! that was off is written out fully disabled, because OpenTelemetry only
//! applies its defaults to objects that are absent.

use super::Context;
use crate::migration::intent::Layers;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::Settings;
use crate::model::legacy::decode::Spanned;
use crate::syntax::tree::child_pointer;

pub fn convert(settings: &Settings, cx: &mut Context) -> Layers {
    let Some(enabled) = &settings.enabled_layers else {
        return Layers::ALL;
    };
    let layers = &enabled.value;
    /// (OpenCensus layer, its field, OpenTelemetry layer, what "off" writes, note)
    type Row<'a> = (
        &'a str,
        &'a Option<Spanned<bool>>,
        &'a str,
        &'a str,
        &'a str,
    );
    let rows: [Row; 3] = [
        (
            "router",
            &layers.router,
            "global",
            "metrics, traces and trace propagation disabled",
            "",
        ),
        (
            "pipe",
            &layers.pipe,
            "proxy",
            "metrics and traces disabled",
            " (it also records the `krakend.proxy.duration` metric, which OpenCensus never had)",
        ),
        (
            "backend",
            &layers.backend,
            "backend",
            "the stage and every detail of metrics and traces disabled",
            "",
        ),
    ];
    let mut on = [true; 3];
    for (i, (name, field, new, off, extra)) in rows.into_iter().enumerate() {
        let target = Context::target(&format!("layers.{new}"));
        match field {
            Some(field) if field.value => cx.push(
                Diagnostic::info(
                    Code::Layers,
                    format!("`{name}: true`: OpenTelemetry's `{new}` layer is on by default, so nothing is written{extra}"),
                )
                .at(field.pointer.clone(), field.span.clone())
                .with_fate(Action::Converted, target),
            ),
            Some(field) => {
                on[i] = false;
                cx.push(
                    Diagnostic::info(
                        Code::Layers,
                        format!("`{name}: false` becomes `layers.{new}` with {off}"),
                    )
                    .at(field.pointer.clone(), field.span.clone())
                    .with_fate(Action::Converted, target),
                );
            }
            None => {
                on[i] = false;
                cx.push(
                    Diagnostic::info(
                        Code::Layers,
                        format!("`enabled_layers` has no `{name}`, which KrakenD reads as false: written as `layers.{new}` with {off}"),
                    )
                    .at(child_pointer(&enabled.pointer, name), enabled.span.clone())
                    .with_fate(Action::Defaulted, target),
                );
            }
        }
    }
    // `proxy` is the OpenTelemetry name of the OpenCensus `pipe` layer, a
    // common slip; KrakenD ignored it.
    let (proxy, rest): (Vec<_>, Vec<_>) = layers
        .unknown
        .iter()
        .cloned()
        .partition(|u| u.key == "proxy");
    for key in proxy {
        cx.push(
            Diagnostic::warning(
                Code::UnknownKey,
                "unknown key `proxy` in `enabled_layers`: the OpenCensus name of this layer is `pipe`, so KrakenD ignored it; it is dropped",
            )
            .at(key.pointer, key.span)
            .with_fate(Action::Dropped, None),
        );
    }
    cx.unknown_keys(&rest, &["router", "pipe", "backend"], "`enabled_layers`");
    Layers {
        router: on[0],
        pipe: on[1],
        backend: on[2],
    }
}
