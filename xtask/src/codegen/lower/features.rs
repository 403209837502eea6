//! The cargo features of the generated crates ([`Features`]): which resources reach each model
//! and each client error enum, and so which feature compiles it.
//!
//! A resource reaches the types its operations name (parameters, request and response bodies)
//! and, through fields, list and map items, union variants and aliases, everything those name.
//! What a type names is reached by every resource that reaches the type, so a type's feature is
//! always on when the features of the types that name it are.

use crate::codegen::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// The features of an API whose names are settled: its models, operations and resources.
pub(super) fn settle(
    models: &BTreeMap<String, Model>,
    operations: &[Operation],
    resources: &[Resource],
) -> Features {
    let all: BTreeSet<&str> = resources.iter().map(|r| r.module.as_str()).collect();
    let mut reached_by: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut errors_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for resource in resources {
        let mut roots = Vec::new();
        for op in resource
            .operations
            .iter()
            .filter_map(|&i| operations.get(i))
        {
            roots.extend(op.params.iter().map(|p| &p.ty));
            roots.extend(op.body.iter().map(|b| &b.ty));
            roots.extend(op.responses.iter().filter_map(|r| match &r.body {
                ResponseBody::Json(ty) => Some(ty),
                ResponseBody::None | ResponseBody::Other(_) => None,
            }));
            errors_of
                .entry(op.names.error.as_str())
                .or_default()
                .insert(&resource.module);
        }
        for model in reach(models, roots) {
            reached_by
                .entry(model)
                .or_default()
                .insert(&resource.module);
        }
    }
    let mut features = Features {
        resources: all
            .iter()
            .map(|r| ((*r).to_owned(), BTreeSet::new()))
            .collect(),
        ..Features::default()
    };
    for (model, resources) in &reached_by {
        if let Some(f) = features.gate(model, resources, all.len()) {
            features.models.insert((*model).to_owned(), f);
        }
    }
    for (set, resources) in &errors_of {
        if let Some(f) = features.gate(set, resources, all.len()) {
            features.error_sets.insert((*set).to_owned(), f);
        }
    }
    features
}

/// Which file each model goes to ([`ModelFiles`]): its resource's module when its feature is
/// that resource's, else `types.rs`.
pub(super) fn model_files(models: &BTreeMap<String, Model>, features: &Features) -> ModelFiles {
    let mut files = ModelFiles::default();
    for name in models.keys() {
        match features.model(name) {
            Some(f) if features.is_resource(f) => files
                .by_resource
                .entry(f.to_owned())
                .or_default()
                .push(name.clone()),
            _ => files.shared.push(name.clone()),
        }
    }
    files
}

impl Features {
    /// The feature that compiles an item (a model or an error enum named `name`) that
    /// `resources` reach, of `all` resources: none when every resource does, the resource's own
    /// when one does, else a shared one (`_Name`), which each of them then turns on.
    fn gate(&mut self, name: &str, resources: &BTreeSet<&str>, all: usize) -> Option<String> {
        match resources.len() {
            n if n == all => None,
            1 => resources.first().map(|r| (*r).to_owned()),
            _ => {
                let shared = format!("_{name}");
                for r in resources {
                    self.resources
                        .entry((*r).to_owned())
                        .or_default()
                        .insert(shared.clone());
                }
                Some(shared)
            }
        }
    }
}

/// Every model a JSON request body reaches ([`Api::request_models`]).
pub(super) fn request_models(
    models: &BTreeMap<String, Model>,
    operations: &[Operation],
) -> BTreeSet<String> {
    let roots = operations
        .iter()
        .filter_map(|op| op.body.as_ref())
        .filter(|body| body.kind == BodyKind::Json)
        .map(|body| &body.ty)
        .collect();
    reach(models, roots)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The models that are the JSON body of a `PATCH` ([`Api::patch_bodies`]).
pub(super) fn patch_bodies(operations: &[Operation]) -> BTreeSet<String> {
    operations
        .iter()
        .filter(|op| op.method == Method::Patch)
        .filter_map(|op| op.body.as_ref())
        .filter(|body| body.kind == BodyKind::Json)
        .filter_map(|body| match &body.ty {
            Type::Named(name) => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Every model the `roots` name, directly or through other models.
fn reach<'a>(all: &'a BTreeMap<String, Model>, roots: Vec<&'a Type>) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&'a str> = BTreeSet::new();
    let mut types: Vec<&'a Type> = roots;
    let mut models: Vec<&'a str> = Vec::new();
    loop {
        if let Some(ty) = types.pop() {
            match ty {
                Type::Named(name) => models.push(name),
                Type::Array(inner) | Type::Map(inner) | Type::Nullable(inner) => types.push(inner),
                _ => {}
            }
            continue;
        }
        let Some(name) = models.pop() else {
            return seen;
        };
        let Some((key, model)) = all.get_key_value(name) else {
            continue;
        };
        if !seen.insert(key.as_str()) {
            continue;
        }
        match &model.kind {
            ModelKind::Struct(s) => {
                types.extend(s.fields.iter().map(|f| &f.ty));
                types.extend(s.additional.iter().map(|a| &a.ty));
            }
            ModelKind::Union(u) => models.extend(u.variants.iter().map(|v| v.model.as_str())),
            ModelKind::Alias(ty, _) => types.push(ty),
            ModelKind::Enum(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::codegen::lower::lower_text;

    /// Three resources: `a` reaches `A` (and `Leaf` through it) and `Shared`, `b` reaches `B`
    /// (and `Leaf` through a list of a union) and `Shared`, `c` only `Everywhere`, which all
    /// three reach through their 400 answers.
    const SCHEMA: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /x/a/:
    get:
      operationId: a_list
      responses:
        '200': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}
        '400': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Everywhere'}}}}
  /x/b/:
    post:
      operationId: b_create
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}}
      responses:
        '201': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Shared'}}}}
        '400': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Everywhere'}}}}
  /x/c/:
    get:
      operationId: c_list
      responses:
        '200': {description: ''}
        '400': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Everywhere'}}}}
        '404': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Everywhere'}}}}
components:
  schemas:
    A:
      type: object
      properties:
        leaf: {$ref: '#/components/schemas/Leaf'}
        shared: {$ref: '#/components/schemas/Shared'}
    B:
      type: object
      properties:
        things: {type: array, items: {$ref: '#/components/schemas/Thing'}}
    Thing:
      oneOf: [{$ref: '#/components/schemas/Leaf'}]
      discriminator: {propertyName: kind, mapping: {leaf: '#/components/schemas/Leaf'}}
    Leaf:
      type: object
      properties:
        kind: {type: string}
    Shared:
      type: object
      properties:
        x: {type: string}
    Everywhere:
      type: object
      properties:
        detail: {type: string}
";

    #[test]
    fn each_model_is_compiled_by_the_resources_that_reach_it() {
        let api = lower_text(SCHEMA, "/x/");
        let f = &api.features;
        assert_eq!(f.model("A"), Some("a"));
        assert_eq!(f.model("B"), Some("b"));
        assert_eq!(f.model("Thing"), Some("b"));
        // Through a field of `A` and through a union in a list of `B`.
        assert_eq!(f.model("Leaf"), Some("_Leaf"));
        assert_eq!(f.model("Shared"), Some("_Shared"));
        assert_eq!(f.model("Everywhere"), None);
        let enabled = |r: &str| f.resources[r].iter().cloned().collect::<Vec<_>>();
        assert_eq!(enabled("a"), ["_BadRequestError", "_Leaf", "_Shared"]);
        assert_eq!(enabled("b"), ["_BadRequestError", "_Leaf", "_Shared"]);
        assert_eq!(enabled("c"), Vec::<String>::new());
        // `a` and `b` document a 400, `c` a 400 and a 404.
        assert_eq!(f.error_set("BadRequestError"), Some("_BadRequestError"));
        assert_eq!(f.error_set("BadRequestOrNotFoundError"), Some("c"));
        assert_eq!(
            f.shared_models().into_iter().collect::<Vec<_>>(),
            ["_Leaf", "_Shared"]
        );
    }
}
