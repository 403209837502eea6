//! `cargo xtask api-diff`: the evolution pair (`tests/fixtures/evolution/v1.yaml` → `v2.yaml`),
//! one change of each kind, classified; the command's exit codes and JSON; and, when the real
//! authentik schemas are there, every property added and removed between them.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use xtask::api::diff::{self, Change, Impact, Kind};
use xtask::api::surface::Shape;
use xtask::api::Surface;

fn root() -> PathBuf {
    xtask::repo_root()
}

fn evolution(version: &str) -> PathBuf {
    root().join(format!("tests/fixtures/evolution/{version}.yaml"))
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An evolution pair's surfaces as api-diff loads them: `new` keeping `old`'s names.
fn evolution_pair(old: &str, new: &str) -> (Surface, Surface) {
    let (old_label, new_label) = (format!("{old}.yaml"), format!("{new}.yaml"));
    let (old, new) = xtask::api::load_pair(
        (&evolution(old), &old_label),
        (&evolution(new), &new_label),
        "/stages/",
    );
    let load =
        |s: Result<Surface, _>| s.unwrap_or_else(|e: xtask::codegen::diag::Error| panic!("{e}"));
    (load(old), load(new))
}

fn evolution_changes() -> Vec<Change> {
    let (old, new) = evolution_pair("v1", "v2");
    diff::diff(&old, &new)
}

use Impact::{Breaking as B, Compatible as C};

/// Every change the pair makes: kind, Rust item, (client, server).
const EXPECTED: &[(Kind, &str, (Impact, Impact))] = &[
    (Kind::ResourceAdded, "GadgetApi", (C, C)),
    // A new resource's trait is implemented by nobody yet: services mount resources one by one.
    (
        Kind::OperationAdded,
        "GadgetApi::stages_gadget_list",
        (C, C),
    ),
    // Error enums are shared by the operations documenting the same errors: a changed set
    // changes the enum the operation's `Error<E>` names.
    (
        Kind::OperationChanged,
        "WidgetApi::stages_widget_destroy",
        (B, C),
    ),
    (
        Kind::ResponseRemoved,
        "StagesWidgetDestroyResponse::Forbidden",
        (B, B),
    ),
    (
        Kind::OperationAdded,
        "WidgetApi::stages_widget_duplicate_create",
        (C, B),
    ),
    (
        Kind::ParameterTypeChanged,
        "StagesWidgetListQuery::size",
        (B, B),
    ),
    (Kind::ParameterAdded, "StagesWidgetListQuery::shape", (C, C)),
    (
        Kind::ParameterRemoved,
        "StagesWidgetListQuery::colour",
        (B, B),
    ),
    (
        Kind::RequestBodyRequiredChanged,
        "WidgetApi::stages_widget_partial_update",
        (B, B),
    ),
    (
        Kind::OperationChanged,
        "WidgetApi::stages_widget_retrieve",
        (B, C),
    ),
    (
        Kind::ParameterAdded,
        "StagesWidgetRetrieveQuery::expand",
        (B, C),
    ),
    (
        Kind::ResponseAdded,
        "StagesWidgetRetrieveResponse::NotFound",
        (B, C),
    ),
    (
        Kind::OperationChanged,
        "WidgetApi::stages_widget_used_by_list",
        (C, C),
    ),
    (
        Kind::OperationRemoved,
        "WidgetApi::stages_widget_spin_create",
        (B, B),
    ),
    (Kind::EnumValueAdded, "ColourEnum::Violet", (C, C)),
    (Kind::EnumValueRemoved, "ColourEnum::Blue", (B, B)),
    (Kind::TypeDefaultChanged, "Dimensions", (B, B)),
    (Kind::FieldRequired, "Dimensions::depth", (B, B)),
    (Kind::TypeAdded, "DuplicateRequest", (C, C)),
    (Kind::TypeAdded, "Gadget", (C, C)),
    (Kind::FieldAdded, "PatchedWidgetRequest::weight", (C, C)),
    (Kind::TypeRemoved, "SpinResult", (B, B)),
    (Kind::FieldConstraintChanged, "Widget::name", (B, C)),
    (Kind::FieldTypeChanged, "Widget::size", (B, B)),
    (Kind::FieldNullabilityChanged, "Widget::note", (B, B)),
    (Kind::FieldRequired, "Widget::owner", (B, B)),
    (Kind::FieldReadOnlyChanged, "Widget::owner", (C, C)),
    (Kind::FieldAdded, "Widget::weight", (C, B)),
    (Kind::FieldAdded, "Widget::serial", (C, B)),
    (Kind::FieldRemoved, "Widget::legacy", (B, B)),
    (Kind::FieldConstraintChanged, "WidgetRequest::name", (B, C)),
    (Kind::FieldTypeChanged, "WidgetRequest::size", (B, B)),
    (Kind::FieldNullabilityChanged, "WidgetRequest::note", (B, B)),
    (Kind::FieldRequired, "WidgetRequest::owner", (B, B)),
    (Kind::FieldWriteOnlyChanged, "WidgetRequest::secret", (C, C)),
    (Kind::FieldAdded, "WidgetRequest::weight", (B, C)),
    (Kind::FieldRemoved, "WidgetRequest::legacy", (B, B)),
];

#[test]
fn the_evolution_pair_makes_one_change_of_each_kind_each_classified() {
    let changes = evolution_changes();
    let found: Vec<(Kind, &str, (Impact, Impact))> = changes
        .iter()
        .map(|c| (c.kind, c.rust.as_str(), (c.client, c.server)))
        .collect();
    assert_eq!(
        found,
        EXPECTED,
        "changes:\n{}",
        xtask::api::report::text(&changes)
    );
    for c in &changes {
        assert!(c.pointer.starts_with("#/"), "{c:?}");
        // Every message names a Rust item.
        assert!(c.message.contains('`'), "{c:?}");
    }
}

#[test]
fn pointers_name_the_place_in_the_document_they_point_into() {
    let changes = evolution_changes();
    let pointer = |kind: Kind, rust: &str| {
        let c = changes
            .iter()
            .find(|c| c.kind == kind && c.rust == rust)
            .unwrap_or_else(|| panic!("{kind:?} {rust}"));
        (c.pointer.as_str(), c.document)
    };
    use diff::Document::{New, Old};
    assert_eq!(
        pointer(Kind::FieldRemoved, "Widget::legacy"),
        ("#/components/schemas/Widget/properties/legacy", Old)
    );
    assert_eq!(
        pointer(Kind::FieldAdded, "Widget::serial"),
        ("#/components/schemas/Widget/properties/serial", New)
    );
    assert_eq!(
        pointer(Kind::FieldConstraintChanged, "WidgetRequest::name"),
        (
            "#/components/schemas/WidgetRequest/properties/name/maxLength",
            New
        )
    );
    assert_eq!(
        pointer(
            Kind::OperationRemoved,
            "WidgetApi::stages_widget_spin_create"
        ),
        ("#/paths/~1stages~1widget~1{stage_uuid}~1spin~1/post", Old)
    );
    assert_eq!(
        pointer(Kind::EnumValueAdded, "ColourEnum::Violet"),
        ("#/components/schemas/ColourEnum/enum/2", New)
    );
    assert_eq!(
        pointer(Kind::ParameterRemoved, "StagesWidgetListQuery::colour"),
        ("#/paths/~1stages~1widget~1/get/parameters/1", Old)
    );
}

/// The Rust names of a type's fields, enum values or union variants, by JSON name.
fn part_names(surface: &Surface, ty: &str) -> Vec<(String, String)> {
    match &surface.types[ty].shape {
        Shape::Struct(s) => s
            .fields
            .iter()
            .map(|f| (f.json.clone(), f.rust.clone()))
            .collect(),
        Shape::Enum(e) => e
            .values
            .iter()
            .map(|v| (v.json.clone(), v.rust.clone()))
            .collect(),
        other => panic!("{ty} is a {}", other.name()),
    }
}

/// The Rust names of an operation's parameters, by name.
fn param_names(surface: &Surface, resource: &str, op: &str) -> Vec<(String, String)> {
    let op = &surface.resources[resource].operations[op];
    op.params
        .iter()
        .map(|p| (p.name.clone(), p.rust.clone()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn an_addition_that_collides_in_rust_is_numbered_and_what_was_there_keeps_its_name() {
    // more-v2 adds the enum value `dark_mode` before `dark-mode`, the query parameter
    // `page_size` before `pageSize`, and the field `foo_bar` before `FooBar`.
    let (old, new) = evolution_pair("more-v1", "more-v2");
    assert_eq!(
        part_names(&new, "ThemeEnum"),
        pairs(&[
            ("dark_mode", "DarkMode2"),
            ("dark-mode", "DarkMode"),
            ("light", "Light")
        ])
    );
    let thing: Vec<(String, String)> = part_names(&new, "Thing")
        .into_iter()
        .filter(|(json, _)| json.eq_ignore_ascii_case("foo_bar") || json == "FooBar")
        .collect();
    assert_eq!(
        thing,
        pairs(&[("foo_bar", "foo_bar2"), ("FooBar", "foo_bar")])
    );
    let params = param_names(&new, "thing", "stages_thing_list");
    assert_eq!(
        params[2..4],
        pairs(&[("page_size", "page_size2"), ("pageSize", "page_size")])
    );
    // api-diff calls each an addition; nothing that was there is renamed.
    let changes = diff::diff(&old, &new);
    let find = |kind: Kind, rust: &str| {
        changes
            .iter()
            .find(|c| c.kind == kind && c.rust == rust)
            .map(|c| (c.client, c.server))
    };
    assert_eq!(
        find(Kind::EnumValueAdded, "ThemeEnum::DarkMode2"),
        Some((C, C))
    );
    // Thing is an answer: servers build it (it has a required field, so no `Default`).
    assert_eq!(find(Kind::FieldAdded, "Thing::foo_bar2"), Some((C, B)));
    // The query has a required parameter now, so no `Default`: clients build it.
    assert_eq!(
        find(Kind::ParameterAdded, "StagesThingListQuery::page_size2"),
        Some((B, C))
    );
    let renamed = [
        Kind::EnumValueRenamed,
        Kind::FieldRenamed,
        Kind::ParameterRenamed,
    ];
    let renames: Vec<&Change> = changes
        .iter()
        .filter(|c| renamed.contains(&c.kind))
        .collect();
    assert!(renames.is_empty(), "{renames:?}");
}

#[test]
fn without_earlier_names_the_first_of_colliding_items_takes_the_bare_name() {
    // As a fresh generation names more-v2: the added items come first.
    let fresh = xtask::api::load_surface(&evolution("more-v2"), "more-v2.yaml", "/stages/")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(part_names(&fresh, "ThemeEnum")[0].1, "DarkMode");
    assert_eq!(
        param_names(&fresh, "thing", "stages_thing_list")[2..4],
        pairs(&[("page_size", "page_size"), ("pageSize", "page_size2")])
    );
}

#[test]
fn api_diff_exits_1_with_json_when_something_changed_and_0_when_nothing_did() {
    let (v1, v2) = (evolution("v1"), evolution("v2"));
    let (v1, v2) = (v1.to_str().unwrap(), v2.to_str().unwrap());
    let out = xtask(&["api-diff", v1, v2, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), EXPECTED.len());
    for item in items {
        for key in [
            "kind", "pointer", "document", "client", "server", "rust", "message",
        ] {
            assert!(
                item.get(key).is_some_and(Value::is_string),
                "{key} in {item}"
            );
        }
        for key in ["client", "server"] {
            assert!(
                matches!(item[key].as_str(), Some("breaking" | "compatible")),
                "{item}"
            );
        }
        assert!(
            item.get("resource").is_some() != item.get("type").is_some(),
            "{item}"
        );
    }
    assert!(items.iter().any(|i| i["kind"] == "field-removed"
        && i["message"]
            .as_str()
            .unwrap()
            .contains("`Widget::legacy` removed")));

    let out = xtask(&["api-diff", v1, v2]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(report.contains("\nresource widget\n"), "{report}");
    assert!(report.contains("\ntype WidgetRequest\n"), "{report}");
    assert!(
        report.contains("37 changes: 24 break clients, 20 break servers"),
        "{report}"
    );

    let out = xtask(&["api-diff", v1, v1]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("no changes"));
    let out = xtask(&["api-diff", v1, v1, "--json"]);
    assert_eq!(text(&out.stdout).trim(), "[]");
}

#[test]
fn api_diff_errors_exit_2_and_name_the_place() {
    let v1 = evolution("v1");
    let bad = root().join("tests/fixtures/bad/dangling_ref.yaml");
    let out = xtask(&["api-diff", v1.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("dangling_ref.yaml#/"), "{err}");

    let out = xtask(&["api-diff", v1.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("takes two files"));
    let out = xtask(&["api-diff", v1.to_str().unwrap(), "/nonexistent.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent.yaml"));
    let out = xtask(&["api-diff", "a", "b", "--paths", "stages"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_manifest_compares_like_its_schema() {
    let dir = root().join("target/test-scratch/api-diff-manifest");
    let _ = std::fs::remove_dir_all(&dir);
    let v1 = evolution("v1");
    let out = xtask(&[
        "codegen",
        "--schema",
        v1.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "-q",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let manifest = dir.join("api.json");
    let v2 = evolution("v2");
    let from_manifest = xtask(&[
        "api-diff",
        manifest.to_str().unwrap(),
        v2.to_str().unwrap(),
        "--json",
    ]);
    let from_schema = xtask(&[
        "api-diff",
        v1.to_str().unwrap(),
        v2.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        from_manifest.status.code(),
        Some(1),
        "{}",
        text(&from_manifest.stderr)
    );
    assert_eq!(text(&from_manifest.stdout), text(&from_schema.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each component schema's property names, from the raw document.
fn properties(path: &Path) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let schemas = doc["components"]["schemas"].as_mapping().unwrap();
    schemas
        .iter()
        .map(|(name, schema)| {
            let props = schema
                .get("properties")
                .and_then(serde_yaml::Value::as_mapping)
                .map(|m| {
                    m.keys()
                        .filter_map(|k| k.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (name.as_str().unwrap().to_owned(), props)
        })
        .collect()
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[test]
fn on_the_real_schemas_the_json_covers_every_property_added_and_removed() {
    let Some(dir) = xtask::authentik_schemas_for("the api-diff test on the real schemas") else {
        return;
    };
    let old = dir.join("schema-2024.8.3.yml");
    let new = dir.join("schema-2026.11.0-rc1.yml");
    let out = xtask(&[
        "api-diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let changes: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();

    // The component schemas both /stages/ surfaces hold (a type whose pointer is the schema's).
    let surface = |path: &Path| {
        xtask::api::load_surface(path, "schema.yml", "/stages/").unwrap_or_else(|e| panic!("{e}"))
    };
    let components = |s: &xtask::api::Surface| -> BTreeSet<String> {
        s.types
            .values()
            .filter_map(|t| t.pointer.strip_prefix("#/components/schemas/"))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_owned)
            .collect()
    };
    let both: BTreeSet<String> = components(&surface(&old))
        .intersection(&components(&surface(&new)))
        .cloned()
        .collect();
    let (old_props, new_props) = (properties(&old), properties(&new));
    let mut added = BTreeSet::new();
    let mut removed = BTreeSet::new();
    for schema in &both {
        let (a, b) = (&old_props[schema], &new_props[schema]);
        let at = |p: &String| {
            format!(
                "#/components/schemas/{}/properties/{}",
                escape(schema),
                escape(p)
            )
        };
        added.extend(b.difference(a).map(at));
        removed.extend(a.difference(b).map(at));
    }
    let reported = |kind: &str| -> BTreeSet<String> {
        changes
            .iter()
            .filter(|c| c["kind"] == kind)
            .filter(|c| {
                let p = c["pointer"].as_str().unwrap_or_default();
                both.iter()
                    .any(|s| p.starts_with(&format!("#/components/schemas/{}/", escape(s))))
            })
            .map(|c| c["pointer"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(reported("field-added"), added, "properties added");
    assert_eq!(reported("field-removed"), removed, "properties removed");
    // The count, at the schema level.
    assert_eq!((added.len(), removed.len()), (75, 44));
}
