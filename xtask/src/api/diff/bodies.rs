//! Request bodies and responses of an operation present in both surfaces.

use super::resource::{ResourceChanges, BOTH, CLIENTS, NEITHER};
use super::{Document, Kind};
use crate::api::surface::{Operation, Response};

pub(super) fn diff_body(
    cx: &mut ResourceChanges<'_>,
    rust: &str,
    old: &Operation,
    new: &Operation,
) {
    let arg = |required: bool, ty: &str| {
        if required {
            format!("&{ty}")
        } else {
            format!("Option<&{ty}>")
        }
    };
    match (&old.body, &new.body) {
        (None, Some(b)) => cx.push(
            Kind::RequestBodyAdded,
            (&b.pointer, Document::New),
            CLIENTS,
            rust.to_owned(),
            format!("`{rust}` takes a request body now (`body: {}`, {}): calls to it no longer compile; servers read it from the request", arg(b.required, &b.ty), b.content_type),
        ),
        (Some(b), None) => cx.push(
            Kind::RequestBodyRemoved,
            (&b.pointer, Document::Old),
            BOTH,
            rust.to_owned(),
            format!("`{rust}` takes no request body now (was `{}`): calls to it and server code that reads `{}::body` no longer compile", b.ty, new.rust_types.request),
        ),
        (Some(a), Some(b)) => {
            let at = (b.pointer.as_str(), Document::New);
            if a.ty != b.ty {
                cx.push(
                    Kind::RequestBodyChanged,
                    at,
                    BOTH,
                    rust.to_owned(),
                    format!("`{rust}`'s request body is now `{}` (was `{}`): calls to it and server code that reads it no longer compile", b.ty, a.ty),
                );
            } else if a.content_type != b.content_type {
                cx.push(
                    Kind::RequestBodyChanged,
                    at,
                    NEITHER,
                    rust.to_owned(),
                    format!("`{rust}`'s request body is sent as {} now (was {}): the generated client and router follow; no code changes", b.content_type, a.content_type),
                );
            }
            if a.required != b.required {
                cx.push(
                    Kind::RequestBodyRequiredChanged,
                    at,
                    BOTH,
                    rust.to_owned(),
                    format!("`{rust}`'s request body is {} now: the argument goes from `{}` to `{}`: calls to it and server code that reads it no longer compile", if b.required { "required" } else { "optional" }, arg(a.required, &a.ty), arg(b.required, &b.ty)),
                );
            }
        }
        (None, None) => {}
    }
}

/// Each response added, changed (its body or variant) or removed, matched by status.
pub(super) fn diff_responses(
    cx: &mut ResourceChanges<'_>,
    rust: &str,
    old: &Operation,
    new: &Operation,
) {
    for r in &new.responses {
        let Some(o) = old.responses.iter().find(|o| o.status == r.status) else {
            response_added(cx, rust, old, new, r);
            continue;
        };
        if o.ty != r.ty || o.variant != r.variant {
            cx.push(
                Kind::ResponseChanged,
                (&r.pointer, Document::New),
                BOTH,
                format!("{}::{}", new.rust_types.response, r.variant),
                format!("`{rust}`'s {} answer is now `{}({})` (was `{}({})`): servers that build it and clients that read it no longer compile", r.status, r.variant, body(r), o.variant, body(o)),
            );
        }
    }
    for o in &old.responses {
        if !new.responses.iter().any(|r| r.status == o.status) {
            cx.push(
                Kind::ResponseRemoved,
                (&o.pointer, Document::Old),
                BOTH,
                format!("{}::{}", old.rust_types.response, o.variant),
                format!("`{rust}` no longer answers {} (`{}::{}`): servers that build it and clients that match it no longer compile", o.status, old.rust_types.response, o.variant),
            );
        }
    }
}

/// A response's body type, or "no body".
fn body(r: &Response) -> String {
    r.ty.clone().unwrap_or_else(|| "no body".to_owned())
}

/// An added response `r`: servers may answer it; whether it breaks clients is
/// [`added_response_for_clients`]'s call.
fn response_added(
    cx: &mut ResourceChanges<'_>,
    rust: &str,
    old: &Operation,
    new: &Operation,
    r: &Response,
) {
    let (client_breaks, client) = added_response_for_clients(old, new, r);
    cx.push(
        Kind::ResponseAdded,
        (&r.pointer, Document::New),
        if client_breaks { CLIENTS } else { NEITHER },
        format!("{}::{}", new.rust_types.response, r.variant),
        format!(
            "`{rust}` answers {} now (`{}::{}`, {}): servers may answer it; {client}",
            r.status,
            new.rust_types.response,
            r.variant,
            body(r)
        ),
    );
}

/// Whether an added response breaks clients, and why: an error status when it renames the
/// error enum, a success when it changes what the client returns.
fn added_response_for_clients(old: &Operation, new: &Operation, r: &Response) -> (bool, String) {
    let successes = |op: &Operation| op.responses.iter().filter(|r| r.success).count();
    let (old_successes, new_successes) = (successes(old), successes(new));
    let old_success = old.responses.iter().find(|o| o.success).map(|o| &o.ty);
    let unit = |ty: &Option<String>| ty.clone().unwrap_or_else(|| "()".to_owned());
    if !r.success {
        // Error enums are named after the statuses they hold and are `#[non_exhaustive]`:
        // a new status renames the operation's enum (unless a collision kept the name).
        if old.rust_types.error == new.rust_types.error {
            (false, format!("`{}` is `#[non_exhaustive]`, so every `match` on it has a `_` arm and compiles; the status came as `Error::UnexpectedStatus` before", new.rust_types.error))
        } else {
            (true, format!("the operation's errors are `{}` now (was `{}`): code that names `{}` for it no longer compiles; the status came as `Error::UnexpectedStatus` before", new.rust_types.error, old.rust_types.error, old.rust_types.error))
        }
    } else if new_successes > 1 && old_successes <= 1 {
        (true, format!("the client now returns `{}`, an enum of the successes, instead of `{}`: calls that use the result no longer compile", new.rust_types.success.as_deref().unwrap_or("an enum"), unit(old_success.unwrap_or(&None))))
    } else if old_successes > 1 {
        (
            false,
            format!(
                "`{}` is `#[non_exhaustive]`, so every `match` on it has a `_` arm and compiles",
                new.rust_types
                    .success
                    .as_deref()
                    .unwrap_or("the success enum")
            ),
        )
    } else if old_success.unwrap_or(&None) != &r.ty {
        (true, format!("the client now returns `{}` (was `{}`): calls that use the result no longer compile", unit(&r.ty), unit(old_success.unwrap_or(&None))))
    } else {
        (
            false,
            format!("the client returns `{}` as before", unit(&r.ty)),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::api::diff::{diff, Impact, Kind};
    use crate::api::Surface;

    fn surface(responses: &str) -> Surface {
        let yaml = format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /stages/a/:\n    post:\n      operationId: stages_a_create\n      responses:\n{responses}components:\n  schemas:\n    A:\n      type: object\n      properties:\n        x: {{type: string}}\n");
        let api = crate::codegen::lower::lower_text(&yaml, "/stages/");
        Surface::from_api(&api, "t.yaml", "/stages/")
    }

    const NO_CONTENT: &str = "        '204': {description: ''}\n";
    const OK: &str = "        '200': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n";
    const CREATED: &str = "        '201': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n";
    const ACCEPTED: &str = "        '202': {description: ''}\n";

    /// The one change's (client, server) impact and message.
    fn added(old: &str, new: &str) -> ((Impact, Impact), String) {
        let changes = diff(&surface(old), &surface(new));
        let added: Vec<_> = changes
            .iter()
            .filter(|c| c.kind == Kind::ResponseAdded)
            .collect();
        assert_eq!(added.len(), 1, "{changes:?}");
        ((added[0].client, added[0].server), added[0].message.clone())
    }

    #[test]
    fn an_added_success_breaks_clients_when_the_return_type_changes() {
        use Impact::{Breaking as B, Compatible as C};
        // One success to two: the client returns an enum of them.
        let (impacts, message) = added(OK, &format!("{OK}{CREATED}"));
        assert_eq!(impacts, (B, C));
        assert!(
            message.contains("`StagesACreateSuccess`, an enum of the successes, instead of `A`"),
            "{message}"
        );
        // A success beside one that is gone, with the same body: the same return type.
        let (impacts, message) = added(OK, CREATED);
        assert_eq!(impacts, (C, C), "{message}");
        // `()` before (a 204), a body now (a 200).
        let (impacts, message) = added(NO_CONTENT, OK);
        assert_eq!(impacts, (B, C), "{message}");
        assert!(message.contains("now returns `A` (was `()`)"), "{message}");
        // Two successes to three: the success enum, `#[non_exhaustive]`, gains a variant.
        let (impacts, message) = added(
            &format!("{OK}{CREATED}"),
            &format!("{OK}{CREATED}{ACCEPTED}"),
        );
        assert_eq!(impacts, (C, C), "{message}");
        assert!(message.contains("#[non_exhaustive]"), "{message}");
    }
}
