//! Prior names: the Rust names an earlier generation gave, by what makes an item the same one
//! across regenerations, so that lowering keeps them ([`naming::Namespace::settle`]).
//!
//! An item is the same one when its key is: a component type by its schema's name; a field,
//! an enum value and a union variant by its type's Rust name and its JSON name, value or tag;
//! an operation (its method, page stream and types) by its `operationId`; a parameter by its
//! operation's `operationId`, its place (path or query) and its name. The pipeline reads them
//! from the manifest in the output directory, api-diff from OLD; without them (empty), every
//! name is made as a fresh run makes it.
//!
//! [`naming::Namespace::settle`]: crate::codegen::naming::Namespace::settle

use crate::codegen::ir::ParamLocation;
use std::collections::BTreeMap;

/// What an earlier generation named, by key; empty for a fresh run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriorNames {
    /// Component schema name → the type's Rust name (`ThemeEnum`).
    pub types: BTreeMap<String, String>,
    /// Type (Rust name) → JSON field name → field name.
    pub fields: BTreeMap<String, BTreeMap<String, String>>,
    /// Type (Rust name) → enum value → variant name.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Type (Rust name) → union tag → variant name.
    pub variants: BTreeMap<String, BTreeMap<String, String>>,
    /// `operationId` → the operation's names.
    pub operations: BTreeMap<String, PriorOperation>,
}

/// The names an earlier generation gave one operation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriorOperation {
    /// The method (`stages_thing_list`).
    pub method: String,
    /// The client's page stream (`stages_thing_list_all`), for a paginated list.
    pub stream: Option<String>,
    /// The base of its types' names (`StagesThingList` of `StagesThingListRequest`).
    pub types: Option<String>,
    /// Path parameter name → Rust name.
    pub path: BTreeMap<String, String>,
    /// Query parameter name → the query struct's field name.
    pub query: BTreeMap<String, String>,
}

impl PriorNames {
    pub fn is_empty(&self) -> bool {
        *self == PriorNames::default()
    }

    /// The Rust name of the component schema `schema`.
    pub(super) fn type_name(&self, schema: &str) -> Option<&str> {
        self.types.get(schema).map(String::as_str)
    }

    /// The name of the field `json` of the type `owner`.
    pub(super) fn field(&self, owner: &str, json: &str) -> Option<&str> {
        part(&self.fields, owner, json)
    }

    /// The variant name of the value `value` of the enum `owner`.
    pub(super) fn value(&self, owner: &str, value: &str) -> Option<&str> {
        part(&self.values, owner, value)
    }

    /// The variant name of the tag `tag` of the union `owner`.
    pub(super) fn variant(&self, owner: &str, tag: &str) -> Option<&str> {
        part(&self.variants, owner, tag)
    }

    /// The names of the operation `operation_id`.
    pub(super) fn operation(&self, operation_id: &str) -> Option<&PriorOperation> {
        self.operations.get(operation_id)
    }
}

impl PriorOperation {
    /// The Rust name of the parameter `name` in `location`.
    pub(super) fn param(&self, location: ParamLocation, name: &str) -> Option<&str> {
        let by_name = match location {
            ParamLocation::Path => &self.path,
            ParamLocation::Query => &self.query,
        };
        by_name.get(name).map(String::as_str)
    }
}

fn part<'a>(
    parts: &'a BTreeMap<String, BTreeMap<String, String>>,
    owner: &str,
    key: &str,
) -> Option<&'a str> {
    parts.get(owner)?.get(key).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::ir::{Api, ModelKind};
    use crate::codegen::lower::{lower_text, lower_text_over};

    /// Version 1: what was there.
    const V1: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /stages/thing/{id}/:\n    get:\n      operationId: thing_get\n      parameters:\n      - {name: id, in: path, required: true, schema: {type: string}}\n      - {name: pageSize, in: query, schema: {type: integer}}\n      responses:\n        '200': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        FooBar: {type: string}\n        theme: {$ref: '#/components/schemas/Theme'}\n        dark: {$ref: '#/components/schemas/DarkTheme'}\n    Theme: {type: string, enum: [dark-mode, light]}\n    DarkTheme: {type: string}\n";

    /// Version 2: an operation, a parameter, a field, an enum value and a component schema
    /// added before the item each collides with in Rust.
    fn v2() -> String {
        V1.replace(
            "  /stages/thing/{id}/:\n",
            "  /stages/thing/:\n    get:\n      operationId: thingGet\n      responses:\n        '204': {description: ''}\n  /stages/thing/{id}/:\n",
        )
        .replace(
            "      - {name: pageSize,",
            "      - {name: page_size, in: query, schema: {type: string}}\n      - {name: pageSize,",
        )
        .replace(
            "        FooBar: {type: string}\n",
            "        foo_bar: {type: integer}\n        FooBar: {type: string}\n        dark2: {$ref: '#/components/schemas/Dark-Theme'}\n",
        )
        .replace("[dark-mode, light]", "[dark_mode, dark-mode, light]")
        .replace(
            "    DarkTheme: {type: string}\n",
            "    Dark-Theme: {type: integer}\n    DarkTheme: {type: string}\n",
        )
    }

    /// What `api` names: each operation (method, type base, parameters), Thing's fields, Theme's
    /// values, and the models by schema name; all by key, as `key=name`.
    fn names(api: &Api) -> Vec<String> {
        let mut out = Vec::new();
        for op in &api.operations {
            let base = op.names.request.trim_end_matches("Request");
            out.push(format!("{}={} {base}", op.operation_id, op.rust_name));
            for p in &op.params {
                out.push(format!("  {}={}", p.name, p.rust_name));
            }
        }
        for m in api.models.values() {
            out.push(format!("{}={}", m.name, m.rust_name));
            match &m.kind {
                ModelKind::Struct(s) => out.extend(
                    s.fields
                        .iter()
                        .map(|f| format!("  {}={}", f.json_name, f.rust_name)),
                ),
                ModelKind::Enum(e) => out.extend(
                    e.values
                        .iter()
                        .map(|v| format!("  {}={}", v.json, v.rust_name)),
                ),
                _ => {}
            }
        }
        out
    }

    /// The names `api` gave, as prior names (what its manifest would say).
    fn prior_of(api: &Api) -> PriorNames {
        crate::api::Surface::from_api(api, "t.yaml", "/stages/").prior_names()
    }

    fn has(names: &[String], line: &str) -> bool {
        names.iter().any(|n| n == line)
    }

    #[test]
    fn a_fresh_run_names_an_added_item_first_in_the_order_it_comes() {
        let fresh = names(&lower_text(&v2(), "/stages/"));
        for line in [
            "thingGet=thing_get ThingGet",
            "thing_get=thing_get2 ThingGet2",
            "  page_size=page_size",
            "  pageSize=page_size2",
            "  foo_bar=foo_bar",
            "  FooBar=foo_bar2",
            "  dark_mode=DarkMode",
            "  dark-mode=DarkMode2",
            "Dark-Theme=DarkTheme",
            "DarkTheme=DarkTheme2",
        ] {
            assert!(has(&fresh, line), "{line} in {fresh:#?}");
        }
    }

    #[test]
    fn prior_names_are_kept_and_the_added_items_numbered() {
        let v1 = lower_text(V1, "/stages/");
        let v2 = names(&lower_text_over(&v2(), "/stages/", &prior_of(&v1)));
        for line in [
            "thing_get=thing_get ThingGet",
            "thingGet=thing_get2 ThingGet2",
            "  id=id",
            "  pageSize=page_size",
            "  page_size=page_size2",
            "  FooBar=foo_bar",
            "  foo_bar=foo_bar2",
            "  dark-mode=DarkMode",
            "  dark_mode=DarkMode2",
            "  light=Light",
            "DarkTheme=DarkTheme",
            "Dark-Theme=DarkTheme2",
        ] {
            assert!(has(&v2, line), "{line} in {v2:#?}");
        }
    }

    #[test]
    fn regenerating_over_its_own_names_changes_nothing() {
        for yaml in [V1.to_owned(), v2()] {
            let fresh = lower_text(&yaml, "/stages/");
            assert_eq!(lower_text_over(&yaml, "/stages/", &prior_of(&fresh)), fresh);
        }
        // And the names kept over v1's stay put in the next run too.
        let v1 = lower_text(V1, "/stages/");
        let once = lower_text_over(&v2(), "/stages/", &prior_of(&v1));
        assert_eq!(lower_text_over(&v2(), "/stages/", &prior_of(&once)), once);
    }

    #[test]
    fn a_name_whose_item_is_gone_is_free_for_an_added_one() {
        let v1 = lower_text(V1, "/stages/");
        let over_v1 = lower_text_over(&v2(), "/stages/", &prior_of(&v1));
        // v3: what was there in v1 is gone; what v2 added keeps its numbered name, and an item
        // added now takes the name that is free again.
        let v3 = v2()
            .replace(
                "[dark_mode, dark-mode, light]",
                "[dark_mode, darkMode, light]",
            )
            .replace(
                "        FooBar: {type: string}\n",
                "        foo-bar: {type: string}\n",
            )
            .replace(
                "      - {name: pageSize, in: query, schema: {type: integer}}\n",
                "      - {name: page-size, in: query, schema: {type: integer}}\n",
            );
        let v3 = names(&lower_text_over(&v3, "/stages/", &prior_of(&over_v1)));
        for line in [
            "  dark_mode=DarkMode2",
            "  darkMode=DarkMode",
            "  foo_bar=foo_bar2",
            "  foo-bar=foo_bar",
            "  page_size=page_size2",
            "  page-size=page_size",
        ] {
            assert!(has(&v3, line), "{line} in {v3:#?}");
        }
    }

    #[test]
    fn a_prior_name_that_is_not_the_items_is_not_kept() {
        let mut prior = PriorNames::default();
        let values = [("dark-mode", "Light"), ("light", "Light7")];
        prior.values.insert(
            "Theme".to_owned(),
            values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        let api = names(&lower_text_over(V1, "/stages/", &prior));
        // `Light` is not a form of `DarkMode`; `Light7` is one of `Light`'s, so it is kept.
        assert!(has(&api, "  dark-mode=DarkMode"), "{api:#?}");
        assert!(has(&api, "  light=Light7"), "{api:#?}");
    }
}
