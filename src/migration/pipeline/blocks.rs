//! Deciding which legacy blocks KrakenD reads, converting them, and
//! scheduling the removal of the rest.
//!
//! Service-level blocks are grouped by the object holding them (a config
//! has one; a template may have alternatives): in each, KrakenD reads the
//! last `telemetry/opencensus`, else the last v1 key; the others never ran
//! and go with a warning. Endpoint and backend blocks are converted and
//! removed.

use std::collections::BTreeMap;

use crate::migration::convert;
use crate::migration::intent::Intent;
use crate::migration::options::Options;
use crate::model::diagnostic::{Action, Code, Diagnostic, Severity};
use crate::model::legacy::{self, Decoded, Settings};
use crate::model::locate::{BlockRef, Namespace, OPENTELEMETRY, Scope};
use crate::syntax::edit::Edit;
use crate::syntax::tree::{Node, Span};

use super::input::Input;

/// Service blocks as KrakenD decodes them, each decoded once: choosing the
/// collector flavour reads their exporters, and the conversion takes
/// them (a second decoding was a twentieth of a large `--check`).
#[derive(Default)]
pub struct Decodes(Vec<((usize, usize), Decoded<Settings>)>);

impl Decodes {
    /// The block's container by identity (every block of a run is in one
    /// tree), and its place in it.
    fn key(block: &BlockRef<'_>) -> (usize, usize) {
        (std::ptr::from_ref(block.container).addr(), block.index)
    }

    fn decode(block: &BlockRef<'_>) -> Decoded<Settings> {
        let value = &block.member().value;
        legacy::decode::<Settings>(value, &block.pointer(), block.namespace.key())
    }

    /// `block` decoded, decoding it on first use.
    pub fn get(&mut self, block: &BlockRef<'_>) -> &Decoded<Settings> {
        let key = Self::key(block);
        let at = match self.0.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.0.push((key, Self::decode(block)));
                self.0.len() - 1
            }
        };
        &self.0[at].1
    }

    /// `block` decoded, for good.
    pub fn take(&mut self, block: &BlockRef<'_>) -> Decoded<Settings> {
        let key = Self::key(block);
        match self.0.iter().position(|(k, _)| *k == key) {
            Some(at) => self.0.swap_remove(at).1,
            None => Self::decode(block),
        }
    }
}

/// The state of one migration while edits are gathered.
pub struct Run<'i, 'a> {
    pub input: &'i Input<'a>,
    pub options: &'i Options,
    pub diagnostics: Vec<Diagnostic>,
    pub edits: Vec<Edit>,
    /// Members to remove, per container (keyed by the container's span so
    /// that two removals in one object become one set of edits), with the
    /// pointer to blame when the removal needs a person.
    removals: BTreeMap<(usize, usize), (&'a Node, Vec<usize>, String)>,
    /// The service blocks as decoded for the collector's choice, for the
    /// conversion.
    pub decodes: Decodes,
}

impl<'i, 'a> Run<'i, 'a> {
    pub fn new(input: &'i Input<'a>, options: &'i Options) -> Run<'i, 'a> {
        // Room for what a service block and each scoped one usually say:
        // grown one block at a time, the list was copied several times
        // per file (a diagnostic is a couple of hundred bytes).
        let blocks = input.located.blocks.len();
        Run {
            input,
            options,
            diagnostics: Vec::with_capacity(16 + 4 * blocks),
            edits: Vec::new(),
            removals: BTreeMap::new(),
            decodes: Decodes::default(),
        }
    }

    pub fn remove(&mut self, block: &BlockRef<'a>) {
        let key = (block.container.span.start, block.container.span.end);
        self.removals
            .entry(key)
            .or_insert_with(|| (block.container, Vec::new(), block.pointer()))
            .1
            .push(block.index);
    }

    /// Turn the scheduled removals into edits.
    pub fn flush_removals(&mut self) {
        for (container, indices, pointer) in std::mem::take(&mut self.removals).into_values() {
            match self.input.editor.remove_members(container, &indices) {
                Ok(edits) => self.edits.extend(edits),
                Err(refused) => self.diagnostics.push(
                    Diagnostic::error(Code::TemplatedBlock, refused.why)
                        .at(pointer, refused.span)
                        .with_help("remove the block by hand")
                        .with_fate(Action::Manual, None),
                ),
            }
        }
    }

    /// Whether an error has been found.
    pub fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Convert the service-level blocks KrakenD reads, one per object holding
/// any, and schedule the removal of the others. Returns each converted
/// block with its intent (blocks that exported nothing are removed).
pub fn service<'a>(run: &mut Run<'_, 'a>) -> Vec<(Intent, BlockRef<'a>)> {
    let input = run.input;
    let service: Vec<&BlockRef<'a>> = input.located.service().collect();
    let mut containers: Vec<Span> = Vec::new();
    for block in &service {
        if !containers.contains(&block.container.span) {
            containers.push(block.container.span.clone());
        }
    }
    let mut out = Vec::new();
    for container in containers {
        let group: Vec<&BlockRef<'a>> = service
            .iter()
            .filter(|b| b.container.span == container)
            .copied()
            .collect();
        // KrakenD renames the v1 key onto the v2 one, so the v2 key wins;
        // within one key the last duplicate wins.
        let Some(effective) = group
            .iter()
            .filter(|b| !b.duplicate)
            .max_by_key(|b| b.namespace == Namespace::Current)
            .map(|b| (*b).clone())
        else {
            continue;
        };
        for other in group.iter().filter(|b| b.index != effective.index) {
            unread_duplicate(run, other, &effective);
        }
        if let Some(intent) = convert_service(run, &effective) {
            out.push((intent, effective));
        }
    }
    out
}

/// A service block KrakenD did not read: removed, with a warning.
fn unread_duplicate<'a>(run: &mut Run<'_, 'a>, other: &BlockRef<'a>, effective: &BlockRef<'a>) {
    let (code, message) = if other.namespace == effective.namespace {
        (
            Code::DuplicateKey,
            format!(
                "duplicate `{}`: KrakenD reads only the last one, so this one never ran; removed",
                other.namespace.key()
            ),
        )
    } else {
        (
            Code::BothNamespaces,
            format!(
                "both `{}` and `{}` are present: KrakenD reads `{}`, so this one never ran; removed",
                Namespace::Current.key(),
                Namespace::V1.key(),
                effective.namespace.key()
            ),
        )
    };
    run.diagnostics.push(
        Diagnostic::warning(code, message)
            .at(other.pointer(), other.member().key_span.clone())
            .with_fate(Action::Dropped, None),
    );
    let rotate = convert::secrets::rotate(&other.member().value, &other.pointer(), &[]);
    run.diagnostics.extend(rotate);
    run.remove(other);
}

/// Convert the block KrakenD reads. A block that exported nothing is
/// removed; one under the v1 key is said to be renamed.
fn convert_service<'a>(run: &mut Run<'_, 'a>, block: &BlockRef<'a>) -> Option<Intent> {
    let member = block.member();
    let config_name = run
        .input
        .root_member("name")
        .and_then(|(_, value)| value.as_str());
    let decoded = run.decodes.take(block);
    let (intent, diagnostics) = convert::service_block(
        decoded,
        &member.value,
        block.pointer(),
        member.key_span.clone(),
        run.options,
        config_name,
    );
    run.diagnostics.extend(diagnostics);
    let Some(intent) = intent else {
        run.remove(block);
        return None;
    };
    if block.namespace == Namespace::V1 {
        run.diagnostics.push(
            Diagnostic::info(
                Code::V1Namespace,
                format!(
                    "the KrakenD 1 key `{}` is replaced by `{OPENTELEMETRY}`",
                    Namespace::V1.key()
                ),
            )
            .at(block.pointer(), member.key_span.clone()),
        );
    }
    Some(intent)
}

/// Endpoint and backend blocks: report, then remove.
pub fn scoped(run: &mut Run<'_, '_>) {
    let input = run.input;
    let scoped = input
        .located
        .blocks
        .iter()
        .filter(|b| matches!(b.scope, Scope::Endpoint | Scope::Backend));
    for block in scoped {
        let member = block.member();
        let pointer = block.pointer();
        if block.duplicate {
            run.diagnostics.push(
                Diagnostic::info(
                    Code::DuplicateKey,
                    format!(
                        "duplicate `{}`: KrakenD read only the last one; removed",
                        block.namespace.key()
                    ),
                )
                .at(pointer.clone(), member.key_span.clone())
                .with_fate(Action::Dropped, None),
            );
            let rotate = convert::secrets::rotate(&member.value, &pointer, &[]);
            run.diagnostics.extend(rotate);
        } else {
            let diagnostics = convert::scoped_block(
                &member.value,
                block.namespace.key(),
                pointer,
                member.key_span.clone(),
                run.options,
            );
            run.diagnostics.extend(diagnostics);
        }
        run.remove(block);
    }
}
