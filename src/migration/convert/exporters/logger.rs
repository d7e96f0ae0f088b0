//! `exporters.logger`: dropped. KrakenD CE never registered the OpenCensus
//! logger exporter, so the key configured nothing.

use super::Context;
use crate::migration::intent::Destination;
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::legacy::decode::{AnyObject, Spanned};

pub fn convert(exporter: &Spanned<AnyObject>, cx: &mut Context) -> Option<Destination> {
    cx.push(
        Diagnostic::info(
            Code::Logger,
            "`logger` dropped: KrakenD never registered the OpenCensus logger exporter, so it exported nothing",
        )
        .at(exporter.pointer.clone(), exporter.span.clone())
        .with_fate(Action::Dropped, None),
    );
    None
}
