//! Resources and operations: traits and methods added or removed, and what changed in an
//! operation's parameters, request body and responses.

use super::resource::{ResourceChanges, BOTH, CLIENTS, NEITHER, SERVERS};
use super::{Change, Document, Flow, Impact, Kind};
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

/// What changed in an operation kept from `old` to `new`: how it is reached, its own types,
/// its pagination, then its parameters, request body and responses.
fn diff_operation(cx: &mut ResourceChanges<'_>, rust: &str, old: &Operation, new: &Operation) {
    operation_wire(cx, rust, old, new);
    operation_types(cx, rust, old, new);
    operation_stream(cx, rust, old, new);
    diff_params(cx, rust, old, new);
    super::bodies::diff_body(cx, rust, old, new);
    super::bodies::diff_responses(cx, rust, old, new);
}

/// Whether the method and path, the `operationId` or the deprecation changed: none breaks.
fn operation_wire(cx: &mut ResourceChanges<'_>, rust: &str, old: &Operation, new: &Operation) {
    let wire = |what: &str, a: &str, b: &str| {
        format!("`{rust}` {what} `{b}` (was `{a}`): the generated client and router follow; no code changes")
    };
    let mut messages = Vec::new();
    if (&old.method, &old.path) != (&new.method, &new.path) {
        messages.push(wire(
            "is now",
            &format!("{} {}", old.method, old.path),
            &format!("{} {}", new.method, new.path),
        ));
    }
    if old.operation_id != new.operation_id {
        messages.push(wire(
            "has the operationId",
            &old.operation_id,
            &new.operation_id,
        ));
    }
    if old.deprecated != new.deprecated {
        messages.push(if new.deprecated {
            format!("`{rust}` is now deprecated in the schema; no code changes")
        } else {
            format!("`{rust}` is no longer deprecated; no code changes")
        });
    }
    for message in messages {
        cx.push(
            Kind::OperationChanged,
            (&new.pointer, Document::New),
            NEITHER,
            rust.to_owned(),
            message,
        );
    }
}

/// Which of the operation's own types (request, response, error, success, query) were
/// renamed, and whom the new name breaks: whoever names the old one.
fn operation_types(cx: &mut ResourceChanges<'_>, rust: &str, old: &Operation, new: &Operation) {
    let (a, b) = (&old.rust_types, &new.rust_types);
    let both_some = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => Some((x.clone(), y.clone())),
        _ => None,
    };
    let types = [
        (
            "request",
            Some((a.request.clone(), b.request.clone())),
            SERVERS,
        ),
        (
            "response",
            Some((a.response.clone(), b.response.clone())),
            SERVERS,
        ),
        ("error", Some((a.error.clone(), b.error.clone())), CLIENTS),
        ("success", both_some(&a.success, &b.success), CLIENTS),
        ("query", both_some(&a.query, &b.query), BOTH),
    ];
    for (what, names, impacts) in types {
        if let Some((x, y)) = names.filter(|(x, y)| x != y) {
            cx.push(
                Kind::OperationChanged,
                (&new.pointer, Document::New),
                impacts,
                rust.to_owned(),
                format!("`{rust}`'s {what} type is now `{y}` (was `{x}`): code that names `{x}` no longer compiles"),
            );
        }
    }
}

/// Whether the operation became paginated (a stream added: breaks nobody) or stopped being
/// (the stream is gone: breaks clients).
fn operation_stream(cx: &mut ResourceChanges<'_>, rust: &str, old: &Operation, new: &Operation) {
    let at = (new.pointer.as_str(), Document::New);
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

/// Each parameter added, kept (and what changed in it) or removed, matched by place and name.
fn diff_params(cx: &mut ResourceChanges<'_>, rust: &str, old: &Operation, new: &Operation) {
    let query = new
        .rust_types
        .query
        .as_deref()
        .or(old.rust_types.query.as_deref())
        .unwrap_or("the query");
    let params = Params {
        rust,
        query,
        old,
        new,
    };
    for p in &new.params {
        match old.params.iter().find(|o| same_param(o, p)) {
            None => params.added(cx, p),
            Some(o) => params.kept(cx, o, p),
        }
    }
    for o in &old.params {
        if !new.params.iter().any(|p| same_param(o, p)) {
            params.removed(cx, o);
        }
    }
}

/// Whether two parameters are the same one: the same place and name.
fn same_param(a: &Param, b: &Param) -> bool {
    a.location == b.location && a.name == b.name
}

/// The parameters of an operation kept from `old` to `new`, with what their changes share.
struct Params<'a> {
    /// The operation's method: `CaptchaApi::stages_captcha_create`.
    rust: &'a str,
    /// The query struct's name (NEW's, else OLD's), or "the query".
    query: &'a str,
    old: &'a Operation,
    new: &'a Operation,
}

impl Params<'_> {
    /// The Rust item a parameter is: the method's argument (path) or the query struct's field.
    fn item(&self, p: &Param) -> String {
        match p.location {
            Location::Path => format!("{}({})", self.rust, p.rust),
            Location::Query => format!("{}::{}", self.query, p.rust),
        }
    }

    /// An added parameter: a new argument, or a new field of the query struct.
    fn added(&self, cx: &mut ResourceChanges<'_>, p: &Param) {
        let (impacts, consequence) = self.added_consequence(p);
        cx.push(
            Kind::ParameterAdded,
            (&p.pointer, Document::New),
            impacts,
            self.item(p),
            format!(
                "parameter `{}` (`{}: {}`, in {}) added: {consequence}",
                p.name,
                p.rust,
                p.ty,
                location(p)
            ),
        );
    }

    /// Whom an added parameter breaks: callers, unless it is an optional query field of a
    /// query struct that derives `Default` before and after.
    fn added_consequence(&self, p: &Param) -> ((Impact, Impact), String) {
        let (rust, query) = (self.rust, self.query);
        match p.location {
            Location::Path => (
                CLIENTS,
                format!("`{rust}` takes a new argument `{}: {}`: calls to it no longer compile; servers read it from the request", p.rust, p.ty),
            ),
            Location::Query if !has_query(self.old) => (
                CLIENTS,
                format!("`{rust}` takes a new argument `query: &{query}`: calls to it no longer compile"),
            ),
            Location::Query if p.required => (
                CLIENTS,
                format!("required: literals of `{query}` lack it and no longer compile"),
            ),
            Location::Query if query_default(self.old) && query_default(self.new) => (
                NEITHER,
                format!("optional: literals of `{query}` ending in `..Default::default()` compile as they are; one that names every field must add `{}: None`", p.rust),
            ),
            Location::Query => (
                CLIENTS,
                format!("optional: `{query}` has required fields, so no `Default`: every literal of it must add `{}: None`", p.rust),
            ),
        }
    }

    /// What changed in a kept parameter: its Rust name, its type, its required-ness (each
    /// breaks both sides), then its constraints.
    fn kept(&self, cx: &mut ResourceChanges<'_>, o: &Param, p: &Param) {
        let at = (p.pointer.as_str(), Document::New);
        let item = self.item(p);
        if o.rust != p.rust {
            cx.push(
                Kind::ParameterRenamed,
                at,
                BOTH,
                item.clone(),
                format!("parameter `{}` is now `{item}` in Rust (was `{}`): code that names it no longer compiles", p.name, self.item(o)),
            );
        }
        if base(o) != base(p) {
            cx.push(
                Kind::ParameterTypeChanged,
                at,
                BOTH,
                item.clone(),
                format!("`{item}` changes type from `{}` to `{}`: code that passes or reads it no longer compiles", o.ty, p.ty),
            );
        }
        if o.required != p.required {
            let kind = if p.required {
                Kind::ParameterRequired
            } else {
                Kind::ParameterOptional
            };
            let mut message = format!(
                "`{item}` is now {}: its type goes from `{}` to `{}`: code that sets or reads it no longer compiles",
                if p.required { "required" } else { "optional" },
                o.ty,
                p.ty
            );
            if query_default(self.old) && !query_default(self.new) {
                message.push_str(&format!("; `{}` no longer derives `Default`", self.query));
            }
            cx.push(kind, at, BOTH, item.clone(), message);
        }
        self.constraints(cx, o, p);
    }

    /// Each constraint keyword of a kept parameter that changed (parameters are input),
    /// placed in OLD when it was removed.
    fn constraints(&self, cx: &mut ResourceChanges<'_>, o: &Param, p: &Param) {
        let item = self.item(p);
        for c in super::constraints::constraint_changes(&o.constraints, &p.constraints) {
            let (message, impacts) = c.describe(&item, Flow::INPUT);
            let (pointer, document) = match c.new {
                Some(_) => (format!("{}/schema/{}", p.pointer, c.keyword), Document::New),
                None => (format!("{}/schema/{}", o.pointer, c.keyword), Document::Old),
            };
            cx.push(
                Kind::ParameterConstraintChanged,
                (&pointer, document),
                impacts,
                item.clone(),
                message,
            );
        }
    }

    /// A removed parameter: a lost argument, or a field gone from the query struct.
    fn removed(&self, cx: &mut ResourceChanges<'_>, o: &Param) {
        let consequence = match o.location {
            Location::Path => format!("`{}` loses its argument `{}`: calls to it and server code that reads it no longer compile", self.rust, o.rust),
            Location::Query => "code that sets or reads it no longer compiles".to_owned(),
        };
        cx.push(
            Kind::ParameterRemoved,
            (&o.pointer, Document::Old),
            BOTH,
            self.item(o),
            format!(
                "parameter `{}` (`{}`, in {}) removed: {consequence}",
                o.name,
                self.item(o),
                location(o)
            ),
        );
    }
}

fn location(p: &Param) -> &'static str {
    match p.location {
        Location::Path => "the path",
        Location::Query => "the query",
    }
}
