//! Exporter keys the OpenCensus module does not know, and its unused
//! `exporters.extra_config` slot.

use super::Context;
use crate::migration::intent::Destination;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::decode::{AnyObject, Spanned, Unknown};
use crate::model::redact::redact_str;

pub fn extra_config(field: &Spanned<AnyObject>, cx: &mut Context) -> Option<Destination> {
    let inside: Vec<String> = field
        .value
        .0
        .as_object()
        .map(|m| m.keys().map(|k| format!("`{k}`")).collect())
        .unwrap_or_default();
    let inside = if inside.is_empty() {
        String::new()
    } else {
        format!(" (it holds {})", inside.join(", "))
    };
    cx.push(
        Diagnostic::warning(
            Code::ExportersExtraConfig,
            format!(
                "`exporters.extra_config` dropped: the OpenCensus module never read it{inside}"
            ),
        )
        .at(field.pointer.clone(), field.span.clone())
        .with_fate(Action::Dropped, None),
    );
    None
}

pub fn unknown_exporters(unknown: &[Unknown], cx: &mut Context) {
    let (comments, exporters): (Vec<Unknown>, Vec<Unknown>) =
        unknown.iter().cloned().partition(|u| u.comment);
    cx.unknown_keys(&comments, &[], "`exporters`");
    for key in exporters {
        cx.push(
            Diagnostic::warning(
                Code::UnknownExporter,
                format!(
                    "unknown exporter `{}`: KrakenD's OpenCensus module has no such exporter and ignored it, so it is dropped",
                    redact_str(&key.key)
                ),
            )
            .at(key.pointer, key.span)
            .with_fate(Action::Dropped, None),
        );
    }
}
