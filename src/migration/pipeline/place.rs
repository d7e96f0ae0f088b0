//! Writing each converted block's intent: the legacy block is replaced by
//! a new `telemetry/opentelemetry` block, or (when the config already has
//! one) the migrated exporters are merged into it. Returns what the new
//! block must read back as.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::migration::convert;
use crate::migration::intent::Intent;
use crate::migration::render::{krakend, merge};
use crate::model::diagnostic::{Action, Code, Diagnostic};
use crate::model::locate::{BlockRef, OPENTELEMETRY};
use crate::syntax::tree::{Member, Node, child_pointer};

use super::blocks::Run;
use super::input::Existing;

/// A block the output must hold, at `pointer`, exactly as `value`.
#[derive(Debug, Clone)]
pub struct Expected {
    pub pointer: String,
    pub value: Value,
}

/// Write `intent` in place of `block`. `None` when the merge is refused.
pub fn place<'a>(run: &mut Run<'_, 'a>, block: &BlockRef<'a>, intent: &Intent) -> Option<Expected> {
    match run.input.existing() {
        Existing::Block(existing, pointer) => merge_into(run, block, intent, existing, pointer),
        Existing::InTemplate => {
            run.diagnostics.push(
                Diagnostic::error(
                    Code::ExistingOpenTelemetry,
                    "this template also writes `telemetry/opentelemetry`: the migrated exporters cannot be merged into it automatically",
                )
                .at(block.pointer(), block.member().key_span.clone())
                .with_help("merge the two blocks by hand (see `oc2otel migrate` on a rendered config for the new block), then run oc2otel again")
                .with_fate(Action::Manual, None),
            );
            None
        }
        Existing::None => {
            let value = krakend::block(intent, run.options);
            let edits = run.input.editor.replace_member(
                block.container,
                block.index,
                OPENTELEMETRY,
                &value,
            );
            run.edits.extend(edits);
            Some(Expected {
                pointer: child_pointer(&block.container_pointer, OPENTELEMETRY),
                value,
            })
        }
    }
}

/// Merge into the existing block, and remove the legacy one.
fn merge_into<'a>(
    run: &mut Run<'_, 'a>,
    block: &BlockRef<'a>,
    intent: &Intent,
    existing: &Member,
    pointer: String,
) -> Option<Expected> {
    let plan = merge::merge(
        &existing.value,
        &pointer,
        existing.key_span.clone(),
        intent,
        run.options,
    );
    let refused = plan.refused();
    run.diagnostics.extend(plan.diagnostics);
    if refused {
        return None;
    }
    let root = run.input.root()?;
    let mut expected = existing.value.to_json();
    // Separate appends to an empty array would each write its only
    // element: its values are written in one edit instead.
    let mut into_empty: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for insertion in plan.insertions {
        match insertion {
            merge::Insertion::Element { array, value } => {
                let node = root.pointer(&array)?;
                if let Some(list) =
                    pointer_in(&mut expected, &pointer, &array).and_then(Value::as_array_mut)
                {
                    list.push(value.clone());
                }
                if node.elements().is_some_and(<[Node]>::is_empty) {
                    into_empty.entry(array).or_default().push(value);
                } else {
                    run.edits
                        .push(run.input.editor.append_element(node, &value));
                }
            }
            merge::Insertion::Replace { object, key, value } => {
                let node = root.pointer(&object)?;
                let index = node.members()?.iter().rposition(|m| m.key == key)?;
                let edits = run.input.editor.replace_member(node, index, &key, &value);
                run.edits.extend(edits);
                if let Some(map) =
                    pointer_in(&mut expected, &pointer, &object).and_then(Value::as_object_mut)
                {
                    map.insert(key, value);
                }
            }
            merge::Insertion::Member { object, key, value } => {
                let node = root.pointer(&object)?;
                run.edits
                    .push(run.input.editor.append_member(node, &key, &value));
                if let Some(map) =
                    pointer_in(&mut expected, &pointer, &object).and_then(Value::as_object_mut)
                {
                    map.insert(key, value);
                }
            }
        }
    }
    for (array, values) in into_empty {
        let (parent, _) = array.rsplit_once('/')?;
        let key = convert::pointer_key(&array);
        let object = root.pointer(parent)?;
        let index = object.members()?.iter().rposition(|m| m.key == key)?;
        let edits = run
            .input
            .editor
            .replace_member(object, index, &key, &Value::Array(values));
        run.edits.extend(edits);
    }
    run.remove(block);
    Some(Expected {
        pointer,
        value: expected,
    })
}

/// The value at `target` inside `block`, which sits at `base`.
fn pointer_in<'v>(block: &'v mut Value, base: &str, target: &str) -> Option<&'v mut Value> {
    let rest = target.strip_prefix(base)?;
    block.pointer_mut(rest)
}
