//! Names: every Rust name the emitters print is settled here, once, in a namespace per scope.
//!
//! Models, fields, variants and parameters are named as they are lowered (their scopes are local);
//! this pass names what spans the API: resource modules and traits, operation methods and their
//! page streams, and each operation's types. A name that is taken gets the first free numbered
//! form (`Name2`), the same way every run, so no collision is left for rustc.

use crate::codegen::diag::{Diagnostics, Pointer};
use crate::codegen::ir::*;
use crate::codegen::naming::{self, Namespace};
use std::collections::BTreeMap;

/// Module names become file names: keep them well within every file system's limit.
const MAX_MODULE_LEN: usize = 100;

pub(super) fn settle(api: &mut Api, diags: &mut Diagnostics) {
    settle_resources(api, diags);
    let mut methods = settle_methods(api);
    settle_lookups(api, &mut methods);
    settle_types(api);
    settle_error_sets(api);
    settle_response_sets(api);
    settle_resource_docs(api);
}

/// One error enum per distinct set of documented errors (statuses and bodies), named after its
/// variants (`BadRequestOrForbiddenError`; `UndocumentedError` when an operation documents
/// none), numbered when two sets would share a name.
fn settle_error_sets(api: &mut Api) {
    let mut names = Namespace::default();
    let mut sets: Vec<ErrorSet> = Vec::new();
    let same = |a: &[Response], b: &[&Response]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.status == y.status && x.body == y.body)
    };
    for op in &mut api.operations {
        let errors: Vec<&Response> = op.responses.iter().filter(|r| !r.success).collect();
        let index = find_or_add(
            &mut sets,
            |s| same(&s.responses, &errors),
            || ErrorSet {
                rust_name: names.claim(format!(
                    "{}Error",
                    set_name(errors.iter().map(|r| r.variant.clone()))
                )),
                responses: errors.iter().map(|r| (*r).clone()).collect(),
            },
        );
        op.names.error = sets[index].rust_name.clone();
    }
    api.error_sets = sets;
}

/// The index of the set `is` finds in `sets`, or of the one `make` adds at the end.
fn find_or_add<T>(sets: &mut Vec<T>, is: impl Fn(&T) -> bool, make: impl FnOnce() -> T) -> usize {
    match sets.iter().position(is) {
        Some(i) => i,
        None => {
            sets.push(make());
            sets.len() - 1
        }
    }
}

/// A shared enum's name from its variants' parts: joined by `Or`; `Undocumented` without any.
fn set_name(parts: impl Iterator<Item = String>) -> String {
    let parts: Vec<String> = parts.collect();
    if parts.is_empty() {
        "Undocumented".to_owned()
    } else {
        parts.join("Or")
    }
}

/// Names the server's `responses` module's items import; no response enum may take them.
const RESPONSES_MODULE_ITEMS: &[&str] = &[
    "IntoResponse",
    "Response",
    "Serialize",
    "StatusCode",
    "json_response",
    "support",
];

/// One response enum per distinct set of documented responses (statuses, variants and kinds of
/// body; the bodies' types are its type parameters, `T200`, `TDefault`), named after its
/// variants (`OkOrBadRequestOrForbidden`; a variant without a body but `204`'s is `EmptyOk`, one
/// with bytes of another media type `RawOk`; `Undocumented` when an operation documents none),
/// numbered when two sets would still share a name.
fn settle_response_sets(api: &mut Api) {
    let mut names = Namespace::reserving(RESPONSES_MODULE_ITEMS);
    let mut sets: Vec<ResponseSet> = Vec::new();
    for op in &mut api.operations {
        let variants: Vec<SetVariant> = op
            .responses
            .iter()
            .map(|r| SetVariant {
                name: r.variant.clone(),
                status: r.status.clone(),
                body: match &r.body {
                    ResponseBody::None => SetBody::None,
                    ResponseBody::Json(_) => SetBody::Json(match r.status {
                        Status::Code(n) => format!("T{n}"),
                        Status::Default => "TDefault".to_owned(),
                    }),
                    ResponseBody::Other(content_type) => SetBody::Other(content_type.clone()),
                },
            })
            .collect();
        let index = find_or_add(
            &mut sets,
            |s| s.variants == variants,
            || ResponseSet {
                rust_name: names.claim(set_name(variants.iter().map(|v| {
                    match (&v.body, &v.status) {
                        (SetBody::None, Status::Code(204)) | (SetBody::Json(_), _) => {
                            v.name.clone()
                        }
                        (SetBody::None, _) => format!("Empty{}", v.name),
                        (SetBody::Other(_), _) => format!("Raw{}", v.name),
                    }
                }))),
                variants: variants.clone(),
            },
        );
        op.names.response_set = sets[index].rust_name.clone();
    }
    api.response_sets = sets;
}

/// The description most operations of a resource share (at least two) is the resource's, said
/// once on its trait; the operations that said it say only what is their own.
fn settle_resource_docs(api: &mut Api) {
    for resource in &mut api.resources {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for &i in &resource.operations {
            let Some(doc) = api.operations[i].doc.as_deref() else {
                continue;
            };
            match counts.iter_mut().find(|(d, _)| *d == doc) {
                Some((_, n)) => *n += 1,
                None => counts.push((doc, 1)),
            }
        }
        // The first of the most common, so ties go the same way every run.
        let Some(&(shared, n)) = counts.iter().rev().max_by_key(|(_, n)| *n) else {
            continue;
        };
        if n < 2 {
            continue;
        }
        let shared = shared.to_owned();
        for &i in &resource.operations {
            if api.operations[i].doc.as_deref() == Some(shared.as_str()) {
                api.operations[i].doc = None;
            }
        }
        resource.doc = Some(shared);
    }
}

/// The name of the server traits' "does this object exist?" method.
const LOOKUP_METHOD: &str = "object_exists";

/// Gives each resource whose refusable detail operations (a path parameter, and a body or a
/// query to refuse) all take the same one path parameter a [`Lookup`], and marks those
/// operations.
fn settle_lookups(api: &mut Api, methods: &mut Namespace) {
    let method = methods.claim(LOOKUP_METHOD.to_owned());
    for resource in &mut api.resources {
        let refusable: Vec<usize> = resource
            .operations
            .iter()
            .copied()
            .filter(|&i| {
                let op = &api.operations[i];
                let has_path = op.params.iter().any(|p| p.location == ParamLocation::Path);
                let has_query = op.params.iter().any(|p| p.location == ParamLocation::Query);
                has_path && (op.body.is_some() || has_query)
            })
            .collect();
        let mut keys = refusable.iter().map(|&i| {
            let path: Vec<&Param> = api.operations[i]
                .params
                .iter()
                .filter(|p| p.location == ParamLocation::Path)
                .collect();
            match path.as_slice() {
                [one] => Some((one.name.clone(), one.value.clone())),
                _ => None,
            }
        });
        let Some(Some(first)) = keys.next() else {
            continue;
        };
        if !keys.all(|k| k.as_ref() == Some(&first)) {
            continue;
        }
        for &i in &refusable {
            api.operations[i].lookup = true;
        }
        resource.lookup = Some(Lookup {
            method: method.clone(),
            param: first.0,
            value: first.1,
        });
    }
}

/// Groups operations by resource (in key order) and names each resource's module and trait.
fn settle_resources(api: &mut Api, diags: &mut Diagnostics) {
    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, op) in api.operations.iter().enumerate() {
        by_key.entry(op.resource.clone()).or_default().push(i);
    }
    let mut modules = Namespace::modules();
    let mut traits = Namespace::root_items();
    let mut resources = Vec::new();
    for (key, operations) in by_key {
        let module = modules.claim(key.clone());
        if module.len() > MAX_MODULE_LEN {
            if let Some(first) = operations.first().map(|&i| &api.operations[i]) {
                diags.error(
                    &Pointer::root().push("paths").push(&first.path.text),
                    format!(
                        "the resource name `{}...` is too long: {} characters, at most {MAX_MODULE_LEN} (it names a file)",
                        module.chars().take(32).collect::<String>(),
                        module.len()
                    ),
                );
            }
        }
        let trait_name = traits.claim(format!("{}Api", naming::type_name(&key, "Root")));
        for &i in &operations {
            api.operations[i].resource = module.clone();
        }
        let routes = routes(&api.operations, &operations);
        resources.push(Resource {
            key,
            module,
            trait_name,
            operations,
            routes,
            doc: None,
            lookup: None,
        });
    }
    resources.sort_by(|a, b| a.module.cmp(&b.module));
    api.resources = resources;
}

/// A resource's operations (indices into `all`) grouped by path, in path order.
fn routes(all: &[Operation], operations: &[usize]) -> Vec<Route> {
    let mut by_path: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in operations {
        by_path.entry(all[i].path.text.as_str()).or_default().push(i);
    }
    by_path
        .into_values()
        .map(|operations| {
            let mut allow: Vec<Method> = operations.iter().map(|&i| all[i].method).collect();
            if allow.contains(&Method::Get) && !allow.contains(&Method::Head) {
                allow.push(Method::Head);
            }
            Route {
                path: all[operations[0]].path.clone(),
                operations,
                allow,
            }
        })
        .collect()
}

/// Operation methods, in document order, then the page streams of paginated lists.
fn settle_methods(api: &mut Api) -> Namespace {
    let mut methods = Namespace::methods();
    for op in &mut api.operations {
        op.rust_name = methods.claim(naming::field_name(&op.operation_id, "operation"));
    }
    for op in &mut api.operations {
        if op.paging.is_some() {
            op.names.all = Some(methods.claim(format!("{}_all", op.rust_name)));
        }
    }
    methods
}

/// Each operation's types: `<Base>Request`, `<Base>Response`, `<Base>Query` and `<Base>Success`, from a base that is unique across the API (query structs share one module).
fn settle_types(api: &mut Api) {
    let mut bases = Namespace::default();
    for op in &mut api.operations {
        let base = bases.claim(naming::type_name(&op.operation_id, "Operation"));
        op.names.request = format!("{base}Request");
        op.names.response = format!("{base}Response");
        op.names.query = format!("{base}Query");
        op.names.success = format!("{base}Success");
    }
}
