//! Pass 2, lower: `openapiv3::OpenAPI` → [`ir::Api`](super::ir::Api).
//!
//! Selects the operations under a path prefix, resolves every `$ref` once, and turns each schema
//! those operations reach into a [`Model`] or an inline [`Type`]. Problems go to a
//! [`Diagnostics`] sink with the JSON pointer they were found at; lowering goes on, so one run
//! reports every problem, and the caller emits nothing when any was found.

use super::diag::{Diagnostic, Diagnostics, Pointer};
use super::ir::*;
use super::naming;
use openapiv3 as oa;
use operations::OperationDraft;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod composed;
mod facts;
mod features;
mod in_place;
mod names;
mod operations;
mod prior;
mod refs;
mod schemas;

pub use prior::{PriorNames, PriorOperation};

/// What to select from the document.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Only paths that start with this prefix (`/stages/`; `/` for all).
    pub path_prefix: String,
}

/// Lowers the operations `selection` picks, and everything they reach, into the IR, keeping
/// the names `prior` gave (empty: a fresh run).
///
/// Three steps, each reporting to one diagnostics sink: the operations and the schemas they reach
/// (`lower/operations.rs`, `lower/schemas.rs`), then the facts the emitters rely on
/// (`lower/facts.rs`), then every name (`lower/names.rs`). Nothing after this pass needs a
/// diagnostic.
pub fn lower(
    doc: &oa::OpenAPI,
    selection: &Selection,
    prior: &PriorNames,
) -> Result<Api, Vec<Diagnostic>> {
    let mut cx = Lower::new(doc, prior);
    let drafts = cx.lower_paths(&selection.path_prefix);
    cx.drain_components();
    let Lower {
        mut models,
        mut diags,
        component_count,
        ..
    } = cx;
    facts::check_param_enums(&drafts, &models, &mut diags);
    facts::mark_boxed(&mut models);
    let validating = facts::validating(&models);
    let param_enums = facts::param_enums(&drafts);
    let patterns = facts::patterns(&models);
    let paging = drafts.iter().map(|d| facts::paging(&models, d)).collect();
    let named = names::settle(drafts, paging, prior, &mut diags);
    let features = features::settle(&models, &named.operations, &named.resources);
    let request_models = features::request_models(&models, &named.operations);
    let patch_bodies = features::patch_bodies(&named.operations);
    let model_files = features::model_files(&models, &features);
    diags.finish()?;
    Ok(Api {
        title: naming::one_line(&doc.info.title),
        version: naming::one_line(&doc.info.version),
        base_path: doc
            .servers
            .first()
            .map(|s| base_path_of(&s.url))
            .unwrap_or_default(),
        models,
        operations: named.operations,
        resources: named.resources,
        component_models: component_count,
        param_enums,
        patterns,
        error_sets: named.error_sets,
        response_sets: named.response_sets,
        features,
        model_files,
        request_models,
        patch_bodies,
        validating,
    })
}

impl<'a> Lower<'a> {
    /// Every operation under `prefix`, in document order, each with its resource; an
    /// `operationId` used twice is an error.
    fn lower_paths(&mut self, prefix: &str) -> Vec<OperationDraft> {
        let selected = || {
            self.doc
                .paths
                .paths
                .iter()
                .filter(|(p, _)| p.starts_with(prefix))
        };
        let collections = Collections::new(selected().map(|(p, _)| p.as_str()));
        let mut operations: Vec<OperationDraft> = Vec::new();
        let mut operation_ids: BTreeMap<String, Pointer> = BTreeMap::new();
        for (path, item) in selected() {
            let pointer = Pointer::root().push("paths").push(path);
            let Some(item) = self.path_item(path, item, &pointer) else {
                continue;
            };
            let resource = resource_of(path, prefix, &collections);
            for (key, op) in item.iter() {
                let op_pointer = pointer.push(key);
                let Some(method) = Method::from_key(key) else {
                    self.diags
                        .error(&op_pointer, format!("the method `{key}` is not supported"));
                    continue;
                };
                let op = self.lower_operation(path, method, op, item, &op_pointer, &resource);
                if let Some(first) =
                    operation_ids.insert(op.operation_id.clone(), op_pointer.clone())
                {
                    self.diags.error(
                        &op_pointer.push("operationId"),
                        format!(
                            "operationId `{}` is already used at {first}",
                            op.operation_id
                        ),
                    );
                }
                operations.push(op);
            }
        }
        operations
    }

    /// A path item that can be generated: a path of characters a URL path and a route can hold,
    /// not a `$ref`.
    fn path_item(
        &mut self,
        path: &str,
        item: &'a oa::ReferenceOr<oa::PathItem>,
        pointer: &Pointer,
    ) -> Option<&'a oa::PathItem> {
        if let Some(bad) = path
            .chars()
            .find(|c| c.is_control() || c.is_whitespace() || matches!(c, '?' | '#' | '*' | ':'))
        {
            self.diags.error(
                pointer,
                format!("a path with the character {bad:?} is not supported"),
            );
            return None;
        }
        match item {
            oa::ReferenceOr::Item(item) => Some(item),
            oa::ReferenceOr::Reference { .. } => {
                self.diags
                    .error(pointer, "a `$ref` path item is not supported");
                None
            }
        }
    }
}

/// `/api/v3/` or `https://host/api/v3` → `/api/v3`.
fn base_path_of(url: &str) -> String {
    let without_scheme = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map(|j| &rest[j..]).unwrap_or("")
        }
        None => url,
    };
    without_scheme.trim_end_matches('/').to_owned()
}

/// The collections among the selected paths: each path's text up to a `/` that a template
/// segment follows (`/stages/all/` of `/stages/all/{stage_uuid}/`).
pub struct Collections<'a>(BTreeSet<&'a str>);

impl<'a> Collections<'a> {
    pub fn new(paths: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = BTreeSet::new();
        for path in paths {
            for (i, _) in path.match_indices("/{") {
                set.insert(&path[..=i]);
            }
        }
        Collections(set)
    }
}

/// The resource a path belongs to: the fixed segments after the prefix, up to the first
/// template segment (`/stages/captcha/{stage_uuid}/used_by/` → `captcha`). A trailing action on a
/// collection (`/stages/all/types/` next to `/stages/all/{stage_uuid}/`) joins the collection.
pub fn resource_of(path: &str, prefix: &str, collections: &Collections) -> String {
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let fixed: Vec<&str> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .take_while(|s| !s.starts_with('{'))
        .collect();
    let is_collection = |segments: &[&str]| {
        let base = format!("{}{}/", prefix, segments.join("/"));
        collections.0.contains(base.as_str())
    };
    let chosen: &[&str] =
        if fixed.len() > 1 && !is_collection(&fixed) && is_collection(&fixed[..fixed.len() - 1]) {
            &fixed[..fixed.len() - 1]
        } else {
            &fixed
        };
    let name = naming::field_name(&chosen.join("_"), "root");
    if name.is_empty() {
        "root".to_owned()
    } else {
        name
    }
}

/// The lowering pass's state: the document, the diagnostics sink, and the models made so far.
pub(super) struct Lower<'a> {
    pub(super) doc: &'a oa::OpenAPI,
    /// The names an earlier generation gave, kept where they still fit.
    pub(super) prior: &'a PriorNames,
    pub(super) diags: Diagnostics,
    pub(super) models: BTreeMap<String, Model>,
    /// Component schema name → Rust name, fixed up front so names do not depend on visit order.
    component_names: BTreeMap<String, String>,
    /// The models crate's type namespace: component and inline model names.
    pub(super) types: naming::Namespace,
    queued: BTreeSet<String>,
    queue: VecDeque<String>,
    component_count: usize,
    /// Component aliases being inlined, to refuse an alias that contains itself.
    pub(super) inlining: Vec<String>,
    /// How deeply the schema being lowered is nested.
    pub(super) depth: usize,
    /// How many lists and maps enclose the type being lowered, within one Rust type.
    pub(super) list_depth: usize,
}

impl<'a> Lower<'a> {
    fn new(doc: &'a oa::OpenAPI, prior: &'a PriorNames) -> Self {
        let mut types = naming::Namespace::types();
        let schemas: Vec<&String> = doc
            .components
            .iter()
            .flat_map(|c| c.schemas.keys())
            .collect();
        let rust_names = types.settle(
            schemas
                .iter()
                .map(|name| (naming::type_name(name, "Schema"), prior.type_name(name)))
                .collect(),
        );
        let component_names = schemas.into_iter().cloned().zip(rust_names).collect();
        Lower {
            doc,
            prior,
            diags: Diagnostics::default(),
            models: BTreeMap::new(),
            component_names,
            types,
            queued: BTreeSet::new(),
            queue: VecDeque::new(),
            component_count: 0,
            inlining: Vec::new(),
            depth: 0,
            list_depth: 0,
        }
    }

    /// Queues a component schema for lowering and answers its Rust name.
    pub(super) fn enqueue(&mut self, name: &str) -> String {
        if self.queued.insert(name.to_owned()) {
            self.queue.push_back(name.to_owned());
        }
        self.component_names
            .get(name)
            .cloned()
            .unwrap_or_else(|| naming::type_name(name, "Schema"))
    }

    /// Lowers every component the operations reached, and every component those reach.
    fn drain_components(&mut self) {
        while let Some(name) = self.queue.pop_front() {
            let Some(oa::ReferenceOr::Item(schema)) = self
                .doc
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(&name))
            else {
                continue;
            };
            let pointer = refs::component_pointer("schemas", &name);
            let Some(rust_name) = self.component_names.get(&name).cloned() else {
                continue;
            };
            self.component_count += 1;
            self.lower_model(&name, rust_name, schema, &pointer, 0);
        }
    }
}

pub(super) fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A schema given as YAML text, lowered for `path_prefix`; for the generator's unit tests.
#[cfg(test)]
pub(crate) fn lower_text(yaml: &str, path_prefix: &str) -> Api {
    lower_text_over(yaml, path_prefix, &PriorNames::default())
}

/// [`lower_text`], keeping the names `prior` gave.
#[cfg(test)]
pub(crate) fn lower_text_over(yaml: &str, path_prefix: &str, prior: &PriorNames) -> Api {
    let doc = crate::codegen::load::parse(yaml, "t.yaml").unwrap();
    let selection = Selection {
        path_prefix: path_prefix.into(),
    };
    lower(&doc, &selection, prior).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(components: &str) -> Api {
        let yaml = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: /api/v3/}}]\npaths:\n  /stages/a/{{id}}/:\n    patch:\n      operationId: a_patch\n      parameters:\n      - {{in: path, name: id, required: true, schema: {{type: string, format: uuid}}}}\n      - {{in: query, name: tags, schema: {{type: array, items: {{type: string}}}}, explode: false}}\n      requestBody:\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/A'}}\n      responses:\n        '200':\n          description: ''\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/A'}}\n        '204': {{description: No response body}}\ncomponents:\n  schemas:\n{components}"
        );
        lower_text(&yaml, "/stages/")
    }

    fn fields(api: &Api, model: &str) -> Vec<Field> {
        match &api.models[model].kind {
            ModelKind::Struct(s) => s.fields.clone(),
            other => panic!("{model} is {other:?}"),
        }
    }

    #[test]
    fn formats_presence_and_nullability_map_exactly() {
        let api = api("    A:\n      type: object\n      required: [id, when, maybe_null]\n      properties:\n        id: {type: string, format: uuid, readOnly: true}\n        when: {type: string, format: date-time}\n        maybe_null: {type: integer, nullable: true}\n        ratio: {type: number, format: double}\n        ref: {type: string, format: uuid, nullable: true}\n        any: {}\n        map: {type: object, additionalProperties: {type: string}}\n        free: {type: object, additionalProperties: {}}\n        mode: {allOf: [{$ref: '#/components/schemas/Mode'}], nullable: true, description: Picked.}\n        secret: {type: string, writeOnly: true, minLength: 1}\n    Mode: {type: string, enum: [a, b, '']}\n");
        let f = fields(&api, "A");
        let get = |n: &str| f.iter().find(|x| x.json_name == n).unwrap().clone();
        assert_eq!(
            (get("id").ty, get("id").presence, get("id").read_only),
            (Type::Uuid, Presence::Required, true)
        );
        assert_eq!(get("when").ty, Type::DateTime);
        assert_eq!(get("maybe_null").presence, Presence::RequiredNullable);
        assert_eq!(
            (get("ratio").ty, get("ratio").presence),
            (Type::Number, Presence::Optional)
        );
        assert_eq!(get("ref").presence, Presence::OptionalNullable);
        assert_eq!(get("any").ty, Type::Any);
        assert_eq!(get("map").ty, Type::Map(Box::new(Type::String)));
        assert_eq!(get("free").ty, Type::Map(Box::new(Type::Any)));
        let mode = get("mode");
        assert_eq!(
            (mode.ty, mode.presence, mode.doc.as_deref()),
            (
                Type::Named("Mode".into()),
                Presence::OptionalNullable,
                Some("Picked.")
            )
        );
        let secret = get("secret");
        assert!(secret.write_only);
        assert_eq!(secret.constraints.min_length, Some(1));
        match &api.models["Mode"].kind {
            ModelKind::Enum(e) => {
                let names: Vec<&str> = e.values.iter().map(|v| v.rust_name.as_str()).collect();
                assert_eq!(names, ["A", "B", "Empty"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn operations_keep_params_bodies_responses_and_pointers() {
        let api = api("    A:\n      type: object\n      properties:\n        x: {type: string}\n");
        assert_eq!(api.base_path, "/api/v3");
        let op = &api.operations[0];
        assert_eq!(
            (op.method, op.rust_name.as_str(), op.resource.as_str()),
            (Method::Patch, "a_patch", "a")
        );
        assert_eq!(op.params[0].location, ParamLocation::Path);
        assert_eq!(op.params[0].ty, Type::Uuid);
        assert_eq!(
            op.params[1].pointer.as_str(),
            "#/paths/~1stages~1a~1{id}~1/patch/parameters/1"
        );
        assert!(!op.params[1].explode);
        let body = op.body.as_ref().unwrap();
        assert_eq!(
            (body.kind, body.required, &body.ty),
            (BodyKind::Json, false, &Type::Named("A".into()))
        );
        assert_eq!(op.responses[1].body, ResponseBody::None);
    }

    #[test]
    fn inline_objects_and_enums_get_names_of_their_own() {
        let api = api("    A:\n      type: object\n      properties:\n        user_agent:\n          type: object\n          properties:\n            os: {type: string}\n        kinds:\n          type: array\n          items: {type: string, enum: [x, y]}\n");
        assert!(matches!(
            api.models["AUserAgent"].kind,
            ModelKind::Struct(_)
        ));
        assert!(matches!(api.models["AKindsItem"].kind, ModelKind::Enum(_)));
        assert_eq!(
            api.models["AUserAgent"].pointer.as_str(),
            "#/components/schemas/A/properties/user_agent"
        );
        assert_eq!(api.component_models, 1);
    }

    #[test]
    fn discriminated_unions_know_which_variants_lack_the_tag() {
        let api = api("    A:\n      type: object\n      properties:\n        u: {$ref: '#/components/schemas/U'}\n    U:\n      oneOf: [{$ref: '#/components/schemas/V'}, {$ref: '#/components/schemas/W'}]\n      discriminator:\n        propertyName: kind\n        mapping: {v: '#/components/schemas/V', w: '#/components/schemas/W'}\n    V:\n      type: object\n      properties:\n        kind: {type: string}\n    W:\n      type: object\n      properties:\n        other: {type: string}\n");
        match &api.models["U"].kind {
            ModelKind::Union(u) => {
                assert_eq!(u.property, "kind");
                let v: Vec<(&str, bool)> = u
                    .variants
                    .iter()
                    .map(|v| (v.tag.as_str(), v.add_tag))
                    .collect();
                assert_eq!(v, [("v", false), ("w", true)]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resources_group_paths_by_their_collection() {
        let all = [
            "/stages/all/",
            "/stages/all/{stage_uuid}/",
            "/stages/all/types/",
            "/stages/authenticator/duo/",
            "/stages/authenticator/duo/{stage_uuid}/enrollment_status/",
        ];
        let all = Collections::new(all);
        assert_eq!(resource_of("/stages/all/types/", "/stages/", &all), "all");
        assert_eq!(
            resource_of("/stages/all/{stage_uuid}/", "/stages/", &all),
            "all"
        );
        assert_eq!(
            resource_of(
                "/stages/authenticator/duo/{stage_uuid}/enrollment_status/",
                "/stages/",
                &all
            ),
            "authenticator_duo"
        );
    }
}
