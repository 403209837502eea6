//! Resources and operations: traits and methods added or removed, and what changed in an
//! operation's parameters, request body and responses.

use super::resource::{ResourceChanges, BOTH, CLIENTS, NEITHER, SERVERS};
use super::{Change, Document, Flow, Kind};
use crate::api::surface::{Location, Operation, Param, Resource, Surface};
use std::collections::BTreeSet;

pub(super) fn diff_resources(old: &Surface, new: &Surface, out: &mut Vec<Change>) {
    let modules: BTreeSet<&String> = old.resources.keys().chain(new.resources.keys()).collect();
    for module in modules {
        let mut cx = ResourceChanges { module, out };
        match (old.resources.get(module), new.resources.get(module)) {
            (None, Some(r)) => {
                let pointer = first_pointer(r);
                cx.push(
                    Kind::ResourceAdded,
                    (&pointer, Document::New),
                    NEITHER,
                    r.trait_name.clone(),
                    format!(
                        "`{}` added (resource `{module}`): a server that mounts its resources one by one (`routes`) compiles untouched and answers 404 for it until it implements and mounts `{module}::routes`; one that serves `router()`, which needs every resource trait, must implement it",
                        r.trait_name
                    ),
                );
                for (name, op) in &r.operations {
                    operation_added(&mut cx, r, name, op, true);
                }
            }
            (Some(r), None) => {
                cx.push(
                    Kind::ResourceRemoved,
                    (&first_pointer(r), Document::Old),
                    BOTH,
                    r.trait_name.clone(),
                    format!(
                        "`{}` removed (resource `{module}`): code that names or implements it no longer compiles",
                        r.trait_name
                    ),
                );
                for (name, op) in &r.operations {
                    operation_removed(&mut cx, r, name, op);
                }
            }
            (Some(a), Some(b)) => diff_resource(&mut cx, a, b),
            (None, None) => {}
        }
    }
}

/// Where a resource is: its first operation's path item.
fn first_pointer(r: &Resource) -> String {
    r.operations
        .values()
        .next()
        .map(|op| {
            op.pointer
                .rsplit_once('/')
                .map_or(op.pointer.clone(), |p| p.0.to_owned())
        })
        .unwrap_or_else(|| "#/paths".to_owned())
}

/// An operation added to an existing resource's trait, or (`with_resource`) with a new one,
/// whose trait no server implements yet.
fn operation_added(
    cx: &mut ResourceChanges<'_>,
    r: &Resource,
    name: &str,
    op: &Operation,
    with_resource: bool,
) {
    let (impacts, consequence) = if with_resource {
        (
            NEITHER,
            "with its resource's new trait: nothing implements it yet",
        )
    } else {
        (SERVERS, "every server must implement it; a hand-written client-trait implementation (a mock) must too")
    };
    cx.push(
        Kind::OperationAdded,
        (&op.pointer, Document::New),
        impacts,
        format!("{}::{name}", r.trait_name),
        format!(
            "`{}::{name}` added (`{} {}`): {consequence}",
            r.trait_name, op.method, op.path
        ),
    );
}

fn operation_removed(cx: &mut ResourceChanges<'_>, r: &Resource, name: &str, op: &Operation) {
    cx.push(
        Kind::OperationRemoved,
        (&op.pointer, Document::Old),
        BOTH,
        format!("{}::{name}", r.trait_name),
        format!(
            "`{}::{name}` removed (`{} {}`): calls to it and server implementations of it no longer compile",
            r.trait_name, op.method, op.path
        ),
    );
}

fn diff_resource(cx: &mut ResourceChanges<'_>, old: &Resource, new: &Resource) {
    if old.trait_name != new.trait_name {
        cx.push(
            Kind::ResourceChanged,
            (&first_pointer(new), Document::New),
            BOTH,
            new.trait_name.clone(),
            format!(
                "`{}` is now `{}`: code that names or implements it no longer compiles",
                old.trait_name, new.trait_name
            ),
        );
    }
    for (name, op) in &new.operations {
        match old.operations.get(name) {
            None => operation_added(cx, new, name, op, false),
            Some(o) => diff_operation(cx, &format!("{}::{name}", new.trait_name), o, op),
        }
    }
    for (name, op) in &old.operations {
        if !new.operations.contains_key(name) {
            operation_removed(cx, old, name, op);
        }
    }
}

fn diff_operation(cx: &mut ResourceChanges<'_>, rust: &str, old: &Operation, new: &Operation) {
    let at = (new.pointer.as_str(), Document::New);
    let wire = |what: &str, a: &str, b: &str| {
        format!("`{rust}` {what} `{b}` (was `{a}`): the generated client and router follow; no code changes")
    };
    if (&old.method, &old.path) != (&new.method, &new.path) {
        let message = wire(
            "is now",
            &format!("{} {}", old.method, old.path),
            &format!("{} {}", new.method, new.path),
        );
        cx.push(
            Kind::OperationChanged,
            at,
            NEITHER,
            rust.to_owned(),
            message,
        );
    }
    if old.operation_id != new.operation_id {
        let message = wire("has the operationId", &old.operation_id, &new.operation_id);
        cx.push(
            Kind::OperationChanged,
            at,
            NEITHER,
            rust.to_owned(),
            message,
        );
    }
    if old.deprecated != new.deprecated {
        let message = if new.deprecated {
            format!("`{rust}` is now deprecated in the schema; no code changes")
        } else {
            format!("`{rust}` is no longer deprecated; no code changes")
        };
        cx.push(
            Kind::OperationChanged,
            at,
            NEITHER,
            rust.to_owned(),
            message,
        );
    }
    let (a, b) = (&old.rust_types, &new.rust_types);
    let renamed = [
        ("request", &a.request, &b.request, SERVERS),
        ("response", &a.response, &b.response, SERVERS),
        ("error", &a.error, &b.error, CLIENTS),
    ];
    let both_some = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => Some((x.clone(), y.clone())),
        _ => None,
    };
    let optional = [
        ("success", both_some(&a.success, &b.success), CLIENTS),
        ("query", both_some(&a.query, &b.query), BOTH),
    ];
    let renamed = renamed
        .into_iter()
        .map(|(what, x, y, impacts)| (what, Some((x.clone(), y.clone())), impacts))
        .chain(optional);
    for (what, names, impacts) in renamed {
        if let Some((x, y)) = names.filter(|(x, y)| x != y) {
            cx.push(
                Kind::OperationChanged,
                at,
                impacts,
                rust.to_owned(),
                format!("`{rust}`'s {what} type is now `{y}` (was `{x}`): code that names `{x}` no longer compiles"),
            );
        }
    }
    match (&old.stream, &new.stream) {
        (None, Some(s)) => cx.push(
            Kind::OperationChanged,
            at,
            NEITHER,
            rust.to_owned(),
            format!("`{rust}` is paginated now: the client gains the page stream `{s}`"),
        ),
        (Some(s), None) => cx.push(
            Kind::OperationChanged,
            at,
            CLIENTS,
            rust.to_owned(),
            format!("`{rust}` is no longer paginated: the page stream `{s}` is gone and calls to it no longer compile"),
        ),
        _ => {}
    }
    diff_params(cx, rust, old, new);
    super::bodies::diff_body(cx, rust, old, new);
    super::bodies::diff_responses(cx, rust, old, new);
}

fn query_default(op: &Operation) -> bool {
    !op.params
        .iter()
        .any(|p| p.location == Location::Query && p.required)
}

fn has_query(op: &Operation) -> bool {
    op.params.iter().any(|p| p.location == Location::Query)
}

/// A parameter's value type, without the `Option` an optional query parameter gets.
fn base(p: &Param) -> &str {
    if p.required || p.location == Location::Path {
        &p.ty
    } else {
        p.ty.strip_prefix("Option<")
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(&p.ty)
    }
}

fn diff_params(cx: &mut ResourceChanges<'_>, rust: &str, old: &Operation, new: &Operation) {
    let query = new
        .rust_types
        .query
        .as_deref()
        .or(old.rust_types.query.as_deref())
        .unwrap_or("the query");
    let item = |p: &Param| match p.location {
        Location::Path => format!("{rust}({})", p.rust),
        Location::Query => format!("{query}::{}", p.rust),
    };
    let same = |a: &Param, b: &Param| a.location == b.location && a.name == b.name;
    for p in &new.params {
        let Some(o) = old.params.iter().find(|o| same(o, p)) else {
            let (impacts, consequence) = match p.location {
                Location::Path => (
                    CLIENTS,
                    format!("`{rust}` takes a new argument `{}: {}`: calls to it no longer compile; servers read it from the request", p.rust, p.ty),
                ),
                Location::Query if !has_query(old) => (
                    CLIENTS,
                    format!("`{rust}` takes a new argument `query: &{query}`: calls to it no longer compile"),
                ),
                Location::Query if p.required => (
                    CLIENTS,
                    format!("required: literals of `{query}` lack it and no longer compile"),
                ),
                Location::Query if query_default(old) && query_default(new) => (
                    NEITHER,
                    format!("optional: literals of `{query}` ending in `..Default::default()` compile as they are; one that names every field must add `{}: None`", p.rust),
                ),
                Location::Query => (
                    CLIENTS,
                    format!("optional: `{query}` has required fields, so no `Default`: every literal of it must add `{}: None`", p.rust),
                ),
            };
            cx.push(
                Kind::ParameterAdded,
                (&p.pointer, Document::New),
                impacts,
                item(p),
                format!(
                    "parameter `{}` (`{}: {}`, in {}) added: {consequence}",
                    p.name,
                    p.rust,
                    p.ty,
                    location(p)
                ),
            );
            continue;
        };
        let at = (p.pointer.as_str(), Document::New);
        if o.rust != p.rust {
            cx.push(
                Kind::ParameterRenamed,
                at,
                BOTH,
                item(p),
                format!("parameter `{}` is now `{}` in Rust (was `{}`): code that names it no longer compiles", p.name, item(p), item(o)),
            );
        }
        if base(o) != base(p) {
            cx.push(
                Kind::ParameterTypeChanged,
                at,
                BOTH,
                item(p),
                format!("`{}` changes type from `{}` to `{}`: code that passes or reads it no longer compiles", item(p), o.ty, p.ty),
            );
        }
        if o.required != p.required {
            let kind = if p.required {
                Kind::ParameterRequired
            } else {
                Kind::ParameterOptional
            };
            let mut message = format!(
                "`{}` is now {}: its type goes from `{}` to `{}`: code that sets or reads it no longer compiles",
                item(p),
                if p.required { "required" } else { "optional" },
                o.ty,
                p.ty
            );
            if query_default(old) && !query_default(new) {
                message.push_str(&format!("; `{query}` no longer derives `Default`"));
            }
            cx.push(kind, at, BOTH, item(p), message);
        }
        for c in super::constraints::constraint_changes(&o.constraints, &p.constraints) {
            let (message, impacts) = c.describe(&item(p), Flow::INPUT);
            let (pointer, document) = match c.new {
                Some(_) => (format!("{}/schema/{}", p.pointer, c.keyword), Document::New),
                None => (format!("{}/schema/{}", o.pointer, c.keyword), Document::Old),
            };
            cx.push(
                Kind::ParameterConstraintChanged,
                (&pointer, document),
                impacts,
                item(p),
                message,
            );
        }
    }
    for o in &old.params {
        if !new.params.iter().any(|p| same(o, p)) {
            let consequence = match o.location {
                Location::Path => format!("`{rust}` loses its argument `{}`: calls to it and server code that reads it no longer compile", o.rust),
                Location::Query => "code that sets or reads it no longer compiles".to_owned(),
            };
            cx.push(
                Kind::ParameterRemoved,
                (&o.pointer, Document::Old),
                BOTH,
                item(o),
                format!(
                    "parameter `{}` (`{}`, in {}) removed: {consequence}",
                    o.name,
                    item(o),
                    location(o)
                ),
            );
        }
    }
}

fn location(p: &Param) -> &'static str {
    match p.location {
        Location::Path => "the path",
        Location::Query => "the query",
    }
}
