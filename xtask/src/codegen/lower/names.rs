//! Names: every Rust name the emitters print is settled here, once, in a namespace per scope.
//!
//! Models, fields, variants and parameters are named as they are lowered (their scopes are local);
//! this pass names what spans the API: resource modules and traits, operation methods and their
//! page streams, and each operation's types. A name that is taken gets the first free numbered
//! form (`Name2`), the same way every run, so no collision is left for rustc; a name an earlier
//! run gave (`super::prior`) is kept first, so an added item is the one numbered.

use super::operations::OperationDraft;
use super::prior::{PriorNames, PriorOperation};
use crate::codegen::diag::{Diagnostics, Pointer};
use crate::codegen::ir::*;
use crate::codegen::naming::{self, Namespace};
use std::collections::BTreeMap;

/// Module names become file names: keep them well within every file system's limit.
const MAX_MODULE_LEN: usize = 100;

/// What this pass makes: the operations, finished, and what spans them.
pub(super) struct Named {
    pub(super) operations: Vec<Operation>,
    pub(super) resources: Vec<Resource>,
    pub(super) error_sets: Vec<ErrorSet>,
    pub(super) response_sets: Vec<ResponseSet>,
}

/// Names everything that spans the API and makes each [`Operation`] from its draft and its
/// paging (one per draft, in order), keeping the names `prior` gave.
pub(super) fn settle(
    drafts: Vec<OperationDraft>,
    paging: Vec<Option<Paging>>,
    prior: &PriorNames,
    diags: &mut Diagnostics,
) -> Named {
    let groups = group_resources(&drafts, diags);
    let methods = method_names(&drafts, &paging, prior);
    let lookups: Vec<Option<(Lookup, Vec<usize>)>> = groups
        .iter()
        .map(|g| lookup(&drafts, &g.operations, &methods.lookup))
        .collect();
    let docs: Vec<Option<String>> = groups
        .iter()
        .map(|g| shared_doc(&drafts, &g.operations))
        .collect();
    let (error_sets, error_names) = error_sets(&drafts);
    let (response_sets, response_names) = response_sets(&drafts);
    let spanning = Spanning {
        bases: type_bases(&drafts, prior),
        error_names,
        response_names,
        group_of: group_of(&groups, drafts.len()),
        looked_up: lookups
            .iter()
            .flatten()
            .flat_map(|(_, ops)| ops.iter().copied())
            .collect(),
    };
    let operations = operations(drafts, methods, paging, &spanning, &groups, &docs);
    let mut resources: Vec<Resource> = groups
        .into_iter()
        .zip(lookups)
        .zip(docs)
        .map(|((g, lookup), doc)| Resource {
            routes: routes(&operations, &g.operations),
            key: g.key,
            module: g.module,
            trait_name: g.trait_name,
            operations: g.operations,
            doc,
            lookup: lookup.map(|(lookup, _)| lookup),
        })
        .collect();
    resources.sort_by(|a, b| a.module.cmp(&b.module));
    Named {
        operations,
        resources,
        error_sets,
        response_sets,
    }
}

/// The names each operation takes from what spans the API, by operation index.
struct Spanning {
    bases: Vec<String>,
    error_names: Vec<String>,
    response_names: Vec<String>,
    /// Each operation's resource, as an index into the groups.
    group_of: Vec<usize>,
    /// The operations a resource's lookup covers.
    looked_up: Vec<usize>,
}

/// Each operation's group (resource), by operation index.
fn group_of(groups: &[Group], operations: usize) -> Vec<usize> {
    let mut group_of = vec![0; operations];
    for (g, group) in groups.iter().enumerate() {
        for &i in &group.operations {
            group_of[i] = g;
        }
    }
    group_of
}

/// Makes each [`Operation`] from its draft, its method names, its paging and the names that
/// span the API.
fn operations(
    drafts: Vec<OperationDraft>,
    methods: Methods,
    paging: Vec<Option<Paging>>,
    spanning: &Spanning,
    groups: &[Group],
    docs: &[Option<String>],
) -> Vec<Operation> {
    let parts = methods.names.into_iter().zip(methods.streams).zip(paging);
    drafts
        .into_iter()
        .zip(parts)
        .enumerate()
        .map(|(i, (d, ((rust_name, all), paging)))| {
            let group = spanning.group_of[i];
            let base = &spanning.bases[i];
            Operation {
                names: OperationNames {
                    request: format!("{base}Request"),
                    response: format!("{base}Response"),
                    response_set: spanning.response_names[i].clone(),
                    query: format!("{base}Query"),
                    error: spanning.error_names[i].clone(),
                    success: format!("{base}Success"),
                    all,
                },
                rust_name,
                // The resource's shared description is said once, on its trait.
                doc: d.doc.filter(|doc| docs[group].as_ref() != Some(doc)),
                resource: groups[group].module.clone(),
                lookup: spanning.looked_up.contains(&i),
                paging,
                operation_id: d.operation_id,
                method: d.method,
                path: d.path,
                pointer: d.pointer,
                deprecated: d.deprecated,
                params: d.params,
                body: d.body,
                responses: d.responses,
                security: d.security,
            }
        })
        .collect()
}

/// The names in the one namespace of operation methods: each operation's, each paginated
/// list's page stream (`<method>_all`) and the server traits' lookup method.
struct Methods {
    names: Vec<String>,
    streams: Vec<Option<String>>,
    lookup: String,
}

/// Names the methods: the methods and page streams an earlier run gave are kept first (a
/// stream with its method), then the others are claimed in order (every method before any
/// stream), then the lookup.
fn method_names(
    drafts: &[OperationDraft],
    paging: &[Option<Paging>],
    prior: &PriorNames,
) -> Methods {
    let mut methods = Namespace::methods();
    let earlier: Vec<Option<&PriorOperation>> = drafts
        .iter()
        .map(|d| prior.operation(&d.operation_id))
        .collect();
    let bases: Vec<String> = drafts
        .iter()
        .map(|d| naming::field_name(&d.operation_id, "operation"))
        .collect();
    let kept: Vec<Option<String>> = bases
        .iter()
        .zip(&earlier)
        .map(|(base, e)| methods.keep(base, e.map(|e| e.method.as_str())))
        .collect();
    let kept_streams: Vec<Option<String>> = kept
        .iter()
        .zip(&earlier)
        .zip(paging)
        .map(|((name, e), paging)| {
            let (name, stream) = (name.as_ref()?, e.and_then(|e| e.stream.as_deref()));
            paging.as_ref()?;
            methods.keep(&format!("{name}_all"), stream)
        })
        .collect();
    let names: Vec<String> = bases
        .into_iter()
        .zip(kept)
        .map(|(base, kept)| kept.unwrap_or_else(|| methods.claim(base)))
        .collect();
    let streams = names
        .iter()
        .zip(paging)
        .zip(kept_streams)
        .map(|((name, paging), kept)| {
            paging.as_ref()?;
            Some(kept.unwrap_or_else(|| methods.claim(format!("{name}_all"))))
        })
        .collect();
    let lookup = methods.claim(LOOKUP_METHOD.to_owned());
    Methods {
        names,
        streams,
        lookup,
    }
}

/// One error enum per distinct set of documented errors (statuses and bodies), named after its
/// variants (`BadRequestOrForbiddenError`; `UndocumentedError` when an operation documents
/// none), numbered when two sets would share a name.
fn error_sets(drafts: &[OperationDraft]) -> (Vec<ErrorSet>, Vec<String>) {
    let mut names = Namespace::default();
    let mut sets: Vec<ErrorSet> = Vec::new();
    let same = |a: &[Response], b: &[&Response]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.status == y.status && x.body == y.body)
    };
    let mut chosen = Vec::with_capacity(drafts.len());
    for op in drafts {
        let errors: Vec<&Response> = op
            .responses
            .iter()
            .filter(|r| r.success.is_none())
            .collect();
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
        chosen.push(sets[index].rust_name.clone());
    }
    (sets, chosen)
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
fn response_sets(drafts: &[OperationDraft]) -> (Vec<ResponseSet>, Vec<String>) {
    let mut names = Namespace::reserving(RESPONSES_MODULE_ITEMS);
    let mut sets: Vec<ResponseSet> = Vec::new();
    let mut chosen = Vec::with_capacity(drafts.len());
    for op in drafts {
        let variants: Vec<SetVariant> = op.responses.iter().map(set_variant).collect();
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
        chosen.push(sets[index].rust_name.clone());
    }
    (sets, chosen)
}

/// A response as a response enum's variant: a JSON body is the type parameter `T<status>`.
fn set_variant(r: &Response) -> SetVariant {
    SetVariant {
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
    }
}

/// The description most operations of a resource share (at least two) is the resource's, said
/// once on its trait; the operations that said it say only what is their own.
fn shared_doc(drafts: &[OperationDraft], operations: &[usize]) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for &i in operations {
        let Some(doc) = drafts[i].doc.as_deref() else {
            continue;
        };
        match counts.iter_mut().find(|(d, _)| *d == doc) {
            Some((_, n)) => *n += 1,
            None => counts.push((doc, 1)),
        }
    }
    // The first of the most common, so ties go the same way every run.
    let &(shared, n) = counts.iter().rev().max_by_key(|(_, n)| *n)?;
    (n >= 2).then(|| shared.to_owned())
}

/// The name of the server traits' "does this object exist?" method.
const LOOKUP_METHOD: &str = "object_exists";

/// Gives each resource whose refusable detail operations (a path parameter, and a body or a
/// query to refuse) all take the same one path parameter a [`Lookup`], and marks those
/// operations.
fn lookup(
    drafts: &[OperationDraft],
    operations: &[usize],
    method: &str,
) -> Option<(Lookup, Vec<usize>)> {
    let refusable: Vec<usize> = operations
        .iter()
        .copied()
        .filter(|&i| {
            let op = &drafts[i];
            let has_path = op.params.iter().any(|p| p.location == ParamLocation::Path);
            let has_query = op.params.iter().any(|p| p.location == ParamLocation::Query);
            has_path && (op.body.is_some() || has_query)
        })
        .collect();
    let mut keys = refusable.iter().map(|&i| {
        let path: Vec<&Param> = drafts[i]
            .params
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
            .collect();
        match path.as_slice() {
            [one] => Some((one.name.clone(), one.value.clone())),
            _ => None,
        }
    });
    let first = keys.next()??;
    if !keys.all(|k| k.as_ref() == Some(&first)) {
        return None;
    }
    let lookup = Lookup {
        method: method.to_owned(),
        param: first.0,
        value: first.1,
    };
    Some((lookup, refusable))
}

/// Groups operations by resource (in key order) and names each resource's module and trait.
fn group_resources(drafts: &[OperationDraft], diags: &mut Diagnostics) -> Vec<Group> {
    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, op) in drafts.iter().enumerate() {
        by_key.entry(op.resource_key.clone()).or_default().push(i);
    }
    let mut modules = Namespace::modules();
    let mut traits = Namespace::root_items();
    let mut groups = Vec::new();
    for (key, operations) in by_key {
        let module = modules.claim(key.clone());
        if module.len() > MAX_MODULE_LEN {
            if let Some(first) = operations.first().map(|&i| &drafts[i]) {
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
        groups.push(Group {
            key,
            module,
            trait_name,
            operations,
        });
    }
    groups
}

/// A resource's operations, with its names, before the rest of its [`Resource`] is known.
struct Group {
    key: String,
    module: String,
    trait_name: String,
    operations: Vec<usize>,
}

/// A resource's operations (indices into `all`) grouped by path, in path order.
fn routes(all: &[Operation], operations: &[usize]) -> Vec<Route> {
    let mut by_path: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in operations {
        by_path
            .entry(all[i].path.text.as_str())
            .or_default()
            .push(i);
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

/// Each operation's base for its types' names (`<Base>Request`, `<Base>Response`, `<Base>Query`
/// and `<Base>Success`), unique across the API (query structs share one module), keeping the
/// bases an earlier run gave.
fn type_bases(drafts: &[OperationDraft], prior: &PriorNames) -> Vec<String> {
    Namespace::default().settle(
        drafts
            .iter()
            .map(|op| {
                let earlier = prior.operation(&op.operation_id);
                let base = naming::type_name(&op.operation_id, "Operation");
                (base, earlier.and_then(|e| e.types.as_deref()))
            })
            .collect(),
    )
}
