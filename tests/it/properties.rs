//! Properties of every migration, over generated configs: random
//! indentation (tabs, 2, 3 or 4 spaces), LF or CRLF, key order, surrounding
//! content and legacy settings. For each: the bytes outside the legacy
//! block are unchanged, the new block is written in the file's indentation
//! and line terminator, the output parses, and a second run changes nothing.

use oc2otel::migration::options::Options;
use oc2otel::migration::{Status, migrate};
use oc2otel::syntax::source::Format;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

#[derive(Debug, Clone)]
struct Style {
    indent: &'static str,
    newline: &'static str,
    final_newline: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop::sample::select(vec!["\t", "  ", "   ", "    "]),
        prop::sample::select(vec!["\n", "\r\n"]),
        any::<bool>(),
    )
        .prop_map(|(indent, newline, final_newline)| Style {
            indent,
            newline,
            final_newline,
        })
}

/// Scalars and small structures for the surroundings.
fn filler() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(|n| json!(n)),
        "[a-zA-Z0-9 /:._-]{0,12}".prop_map(Value::String),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..3)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn legacy_block() -> impl Strategy<Value = Value> {
    let exporter = prop_oneof![
        "[a-z]{2}-[a-z]{4}-[1-3]".prop_map(|r| ("xray", json!({"region": r, "use_env": true}))),
        "[a-z]{3,8}".prop_map(|h| (
            "jaeger",
            json!({"endpoint": format!("http://{h}:14268/api/traces"), "service_name": "gw"})
        )),
        (1024u16..65000).prop_map(|p| ("prometheus", json!({"port": p, "namespace": "krakend"}))),
        "[a-z]{3,8}".prop_map(|h| (
            "datadog",
            json!({"trace_address": format!("{h}:8126"), "stats_address": format!("{h}:8125")})
        )),
        "[a-z]{3,8}".prop_map(|h| (
            "ocagent",
            json!({"address": format!("{h}:55678"), "insecure": true})
        )),
    ];
    (
        prop::option::of(-5i64..150),
        prop::option::of(-3i64..120),
        prop::option::of((
            any::<Option<bool>>(),
            any::<Option<bool>>(),
            any::<Option<bool>>(),
        )),
        prop::collection::vec(exporter, 1..4),
    )
        .prop_map(|(sample_rate, period, layers, exporters)| {
            crate::common::legacy::block(sample_rate, period, layers, exporters)
        })
}

/// A whole config: surroundings in random order around the legacy block.
fn config() -> impl Strategy<Value = (Value, bool)> {
    (
        legacy_block(),
        prop::collection::vec(("[a-z/_]{1,12}", filler()), 0..4),
        prop::collection::vec(("[a-z_]{1,10}", filler()), 0..4),
        0usize..5,
        0usize..5,
        any::<bool>(),
    )
        .prop_map(|(legacy, extra, root, at_extra, at_root, v1)| {
            let key = if v1 {
                "github_com/devopsfaith/krakend-opencensus"
            } else {
                "telemetry/opencensus"
            };
            let mut extra_config = Map::new();
            let extra: Vec<(String, Value)> = extra
                .into_iter()
                .filter(|(k, _)| !k.contains("opencensus") && !k.contains("opentelemetry"))
                .collect();
            let at_extra = at_extra.min(extra.len());
            for (i, (k, v)) in extra.iter().enumerate() {
                if i == at_extra {
                    extra_config.insert(key.into(), legacy.clone());
                }
                extra_config.insert(k.clone(), v.clone());
            }
            if !extra_config.contains_key(key) {
                extra_config.insert(key.into(), legacy);
            }
            let mut config = Map::new();
            config.insert("version".into(), json!(3));
            let root: Vec<(String, Value)> = root
                .into_iter()
                .filter(|(k, _)| {
                    !["version", "extra_config", "endpoints", "async_agent"].contains(&k.as_str())
                })
                .collect();
            let at_root = at_root.min(root.len());
            for (i, (k, v)) in root.iter().enumerate() {
                if i == at_root {
                    config.insert("extra_config".into(), Value::Object(extra_config.clone()));
                }
                config.insert(k.clone(), v.clone());
            }
            config
                .entry("extra_config")
                .or_insert(Value::Object(extra_config));
            (Value::Object(config), v1)
        })
}

fn render(value: &Value, style: &Style) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(style.indent.as_bytes());
    value
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut buf, formatter,
        ))
        .unwrap();
    let mut text = String::from_utf8(buf).unwrap().replace('\n', style.newline);
    if style.final_newline {
        text.push_str(style.newline);
    }
    text
}

/// Byte range of the legacy member `"key": {...}` in `text`.
fn legacy_range(text: &str) -> std::ops::Range<usize> {
    use jsonc_parser::common::Ranged;
    let parsed =
        jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).unwrap();
    let root = parsed.value.unwrap();
    let extra = root
        .as_object()
        .unwrap()
        .get_object("extra_config")
        .unwrap();
    let prop = extra
        .properties
        .iter()
        .find(|p| p.name.as_str().contains("opencensus"))
        .unwrap();
    let r = prop.range();
    r.start..r.end
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn only_the_legacy_block_changes((config, _v1) in config(), style in style()) {
        let text = render(&config, &style);
        let migration = migrate(&text, Format::Json, "krakend.json", &Options::default(), None);
        prop_assert_eq!(migration.status, Status::Migrate, "{:?}", migration.diagnostics);
        let output = migration.output.unwrap();
        let range = legacy_range(&text);

        // Bytes before and after the block are untouched.
        prop_assert!(output.starts_with(&text[..range.start]));
        prop_assert!(output.ends_with(&text[range.end..]));

        // The new block, in the file's style.
        let new = &output[range.start..output.len() - (text.len() - range.end)];
        prop_assert!(new.starts_with("\"telemetry/opentelemetry\""), "{}", new);
        let base_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let base = &text[base_start..range.start];
        for line in new.split(style.newline).skip(1) {
            prop_assert!(line.starts_with(base), "line {:?} lacks the base indent {:?}", line, base);
            let inner = &line[base.len()..];
            let depth_indent: String = inner.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            prop_assert!(
                depth_indent.is_empty() || depth_indent.len().is_multiple_of(style.indent.len())
                    && depth_indent == style.indent.repeat(depth_indent.len() / style.indent.len()),
                "indent {:?} is not made of {:?}", depth_indent, style.indent
            );
        }
        if style.newline == "\r\n" {
            prop_assert!(!output.replace("\r\n", "").contains('\n'), "bare LF in a CRLF file");
        } else {
            prop_assert!(!output.contains('\r'));
        }

        // It parses, holds no legacy key, and a second run is a no-op.
        let parsed: Value = serde_json::from_str(&output).unwrap();
        prop_assert!(parsed["extra_config"].get("telemetry/opencensus").is_none());
        prop_assert!(parsed["extra_config"].get("github_com/devopsfaith/krakend-opencensus").is_none());
        prop_assert!(parsed["extra_config"]["telemetry/opentelemetry"]["exporters"].is_object());
        let again = migrate(&output, Format::Json, "krakend.json", &Options::default(), None);
        prop_assert_eq!(again.status, Status::Unchanged);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[\\{\\}\\[\\]\":,0-9a-z_/ \\n\\t.eE+-]{0,200}") {
        let _ = migrate(&text, Format::Json, "x.json", &Options::default(), None);
    }

    #[test]
    fn mutated_configs_never_panic((config, _v1) in config(), cut in 0usize..400, junk in "[\\{\\}\\[\\]\":,a-z0-9]{0,3}") {
        let text = render(&config, &Style { indent: "  ", newline: "\n", final_newline: true });
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let mutated = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        let migration = migrate(&mutated, Format::Json, "x.json", &Options::default(), None);
        // A `.json` text that does not parse but holds `{{` is read as a
        // Flexible Configuration template (a junk `{` next to another can
        // make one), whose output is a template again, not JSON.
        if let (Some(output), Format::Json) = (migration.output, migration.format) {
            prop_assert!(serde_json::from_str::<Value>(&output).is_ok());
        }
    }
}

// ---------------------------------------------------------------------------
// Secrets: generated configs with credentials in every place they hide.

/// A secret value: a recognisable prefix, then random characters, so that
/// it cannot appear in output by chance.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9+/]{10,20}".prop_map(|s| format!("SEKRET{s}"))
}

/// A legacy block with secrets in each place oc2otel knows: X-Ray keys,
/// the InfluxDB password, ocagent headers, user info and query parameters
/// in URLs, unknown keys and generic maps. Returns the block and its
/// secrets.
fn secret_block() -> impl Strategy<Value = (Value, Vec<String>)> {
    prop::collection::vec(secret(), 9).prop_map(|mut s| {
        // In URLs, a raw `/` would end the host part: the address would
        // not parse and the migration would stop (a unit test of
        // `redact` covers how such a URL is hidden).
        s[2] = s[2].replace('/', "_");
        s[3] = s[3].replace('/', "_");
        let block = json!({
            "sample_rate": 50,
            "exporters": {
                "xray": {"region": "eu-west-1", "access_key_id": s[0], "secret_access_key": s[1]},
                "influxdb": {"address": format!("http://u:{}@influx:8086/?p={}", s[2], s[3]), "db": "k", "password": s[4]},
                "ocagent": {"address": "agent:55678", "insecure": true, "headers": {"authorization": format!("Bearer {}", s[5])}},
                "datadog": {"trace_address": "dd:8126", "stats_address": "dd:8125", "global_tags": {"api_key": s[6]}, "tags": [format!("token={}", s[7])]},
                "stackdriver": {"project_id": "p", "default_labels": {"password": s[8]}}
            }
        });
        (block, s)
    })
}

fn with_block(block: &Value, style: &Style) -> String {
    render(
        &json!({"version": 3, "extra_config": {"telemetry/opencensus": block}}),
        style,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// No secret reaches a message, a help text, the redacted source the
    /// reports are cut from, the collector config or the migrated config.
    #[test]
    fn secrets_never_travel((block, secrets) in secret_block(), style in style()) {
        let text = with_block(&block, &style);
        let options = Options {
            collector: oc2otel::migration::options::CollectorFlavor::Contrib,
            ..Options::default()
        };
        let migration = migrate(&text, Format::Json, "k.json", &options, None);
        prop_assert_eq!(migration.status, Status::Migrate, "{:?}", migration.diagnostics);
        let redacted = oc2otel::model::redact::Redacted::new(&text, &migration.input_secrets);
        let output = migration.output.clone().unwrap();
        let collector = migration.collector.as_ref().unwrap().to_yaml();
        for s in &secrets {
            prop_assert!(!redacted.text.contains(s.as_str()), "{} shown in the source", s);
            prop_assert!(!output.contains(s.as_str()), "{} kept in the output", s);
            prop_assert!(!collector.contains(s.as_str()), "{} in the collector", s);
            for d in &migration.diagnostics {
                prop_assert!(!d.message.contains(s.as_str()), "{} in {:?}", s, d);
                prop_assert!(!d.help.as_deref().unwrap_or("").contains(s.as_str()), "{} in {:?}", s, d);
            }
        }
        // Each is named by a rotate warning.
        let warnings = migration
            .diagnostics
            .iter()
            .filter(|d| d.code == oc2otel::model::diagnostic::Code::Secret && d.message.contains("rotate"))
            .count();
        prop_assert!(warnings >= 9, "{} rotate warnings", warnings);
    }

    /// Broken anywhere (a cut, junk inserted), a file still does not show
    /// a secret whose `"key": "value"` pair survived the damage: the
    /// lexical scan that redacts unparseable text finds it.
    #[test]
    fn damaged_files_do_not_show_secrets(
        (block, secrets) in secret_block(),
        cut in 0usize..2000,
        junk in "[\\{\\}\\[\\]\":,'=/a-z0-9 ]{1,4}",
    ) {
        let text = with_block(&block, &Style { indent: "  ", newline: "\n", final_newline: true });
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let damaged = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        let spans = oc2otel::model::redact::spans_in(&damaged, Format::Json);
        let redacted = oc2otel::model::redact::Redacted::new(&damaged, &spans);
        for s in &secrets {
            let intact = [
                format!("\"access_key_id\": \"{s}\""),
                format!("\"secret_access_key\": \"{s}\""),
                format!("\"password\": \"{s}\""),
                format!("\"authorization\": \"Bearer {s}\""),
                format!("\"api_key\": \"{s}\""),
                format!("\"token={s}\""),
                format!("u:{s}@influx"),
                format!("?p={s}\""),
            ];
            if intact.iter().any(|pair| damaged.contains(pair.as_str())) {
                prop_assert!(
                    !redacted.text.contains(s.as_str()),
                    "{} shown in {:?}", s, redacted.text
                );
            }
        }
    }

    /// For text that parses, the lexical scan hides at least what the
    /// structural one does (a file must not show more once it breaks).
    #[test]
    fn the_lexical_scan_covers_the_structural_one((block, _) in secret_block(), (config, _v1) in config(), style in style()) {
        let mut config = config;
        config["extra_config"]["telemetry/opencensus"] = block;
        let text = render(&config, &style);
        let root = oc2otel::syntax::parse_tree(&text, Format::Json).unwrap();
        let lexical = oc2otel::model::redact::lexical_secret_spans(&text);
        for s in oc2otel::model::redact::secret_spans(&text, &root) {
            prop_assert!(
                lexical.iter().any(|l| l.start <= s.start && s.end <= l.end),
                "{:?} not covered", &text[s]
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Issue 12: credentials in the shapes that used to travel.

/// A password holding characters RFC 3986 allows in user info (sub-
/// delimiters) and some it does not (a quote, brackets, a space) around a
/// secret.
fn odd_password() -> impl Strategy<Value = (String, String)> {
    (
        "[!$&'()*+,;= \\[{\"A-Za-z0-9]{0,5}",
        secret().prop_map(|s| s.replace('/', "_")),
        "[!$'()*+,;=A-Za-z0-9]{0,5}",
    )
        .prop_map(|(a, s, b)| (format!("{a}{s}{b}"), s))
}

/// A query or fragment parameter that carries a credential under a name
/// only its decoding reveals.
fn secret_parameter() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "?%70=",
        "?to%6Ben=",
        "?token[]=",
        "?p%5B%5D=",
        "?api%5Fkey=",
        "?a=1&Sig=",
        "#access_token=",
        "?x=1#id_token=",
    ])
    .prop_map(str::to_string)
}

/// A config with credentials in URLs (legacy and kept), a name/value
/// header pair, and the canaries it holds.
fn credential_config() -> impl Strategy<Value = (Value, Vec<String>)> {
    (
        odd_password(),
        odd_password(),
        secret_parameter(),
        secret(),
        secret_parameter(),
        secret(),
        prop::sample::select(vec!["Authorization", "X-Api-Key", "cookie", "Proxy-Authorization"]),
        secret(),
    )
        .prop_map(|(legacy_pw, kept_pw, p1, s1, p2, s2, header, s3)| {
            let config = json!({
                "version": 3,
                "endpoints": [{"endpoint": "/x", "backend": [{
                    "host": [format!("http://svc:{}@search:9200/x{p2}{s2}", kept_pw.0)],
                    "extra_config": {"modifier/martian": {"header.Modifier": {"scope": ["request"], "name": header, "value": format!("Basic {s3}")}}}
                }]}],
                "extra_config": {"telemetry/opencensus": {"sample_rate": 100, "exporters": {
                    "zipkin": {"collector_url": format!("https://svc:{}@zipkin:9411/api/v2/spans{p1}{s1}", legacy_pw.0), "service_name": "k"}
                }}}
            });
            (config, vec![legacy_pw.1, kept_pw.1, s1, s2, s3])
        })
}

/// `needle` is in none of the texts a run shows or writes.
fn assert_nowhere(
    migration: &oc2otel::migration::Migration,
    text: &str,
    needle: &str,
) -> Result<(), TestCaseError> {
    use oc2otel::model::redact::Redacted;
    let source = Redacted::new(text, &migration.input_secrets);
    prop_assert!(
        !source.text.contains(needle),
        "{} shown in the source:\n{}",
        needle,
        source.text
    );
    if let Some(output) = &migration.output {
        let shown = Redacted::new(output, &migration.output_secrets);
        prop_assert!(
            !shown.text.contains(needle),
            "{} shown in the diff:\n{}",
            needle,
            shown.text
        );
    }
    if let Some(collector) = &migration.collector {
        prop_assert!(
            !collector.to_yaml().contains(needle),
            "{} in the collector",
            needle
        );
    }
    for d in &migration.diagnostics {
        let fate = d
            .fate
            .as_ref()
            .and_then(|f| f.target.as_deref())
            .unwrap_or("");
        for field in [
            d.message.as_str(),
            d.help.as_deref().unwrap_or(""),
            &d.pointer,
            fate,
        ] {
            prop_assert!(!field.contains(needle), "{} in {:?}", needle, d);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Credentials in URLs with any user info, under parameter names only
    /// their decoding reveals, and in name/value header pairs, in JSON
    /// and in YAML: in no message, snippet source, diff, collector config
    /// (and the legacy ones in no migrated config).
    #[test]
    fn issue_12_credentials_never_travel((config, secrets) in credential_config(), style in style(), yaml in any::<bool>()) {
        let (text, format) = if yaml {
            (yaml_serde::to_string(&config).unwrap(), Format::Yaml)
        } else {
            (render(&config, &style), Format::Json)
        };
        let options = Options {
            collector: oc2otel::migration::options::CollectorFlavor::Contrib,
            ..Options::default()
        };
        let migration = migrate(&text, format, "k.json", &options, None);
        prop_assert_eq!(migration.status, Status::Migrate, "{:?}\n{}", migration.diagnostics, text);
        for s in &secrets {
            assert_nowhere(&migration, &text, s)?;
        }
        // The legacy block's go with it.
        let output = migration.output.as_deref().unwrap();
        for s in &secrets[..1] {
            prop_assert!(!output.contains(s.as_str()), "{} kept in the output", s);
        }
        prop_assert!(!output.contains(&secrets[2]), "{} kept in the output", &secrets[2]);
    }

    /// Template actions in a credential's place, and template variables
    /// named like credentials.
    #[test]
    fn issue_12_template_credentials_never_travel(
        s1 in secret(),
        s2 in secret(),
        name in prop::sample::select(vec!["api_token", "password", "db_password", "clientSecret", "x_api_key"]),
        trim in prop::sample::select(vec!["", "-"]),
        key in prop::sample::select(vec!["secret_access_key", "access_key_id", "password", "token"]),
    ) {
        let text = format!(
            "{{\n  \"version\": 3,\n  {{{{{trim} ${name} := \"{s1}\" {trim}}}}}\n  \"extra_config\": {{\n    \"telemetry/opencensus\": {{\"exporters\": {{\"xray\": {{\"region\": \"eu-west-1\", \"{key}\": \"{{{{ env \"AWS_X\" | default \"{s2}\" }}}}\"}}}}}}\n  }}\n}}\n"
        );
        let migration = migrate(&text, Format::Template, "k.tmpl", &Options::default(), None);
        for s in [&s1, &s2] {
            assert_nowhere(&migration, &text, s)?;
        }
    }
}
