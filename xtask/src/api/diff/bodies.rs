//! Request bodies and responses of an operation present in both surfaces.

use super::operations::ResourceChanges;
use super::{Document, Impact, Kind};
use crate::api::surface::{Operation, Response};

const BOTH: (Impact, Impact) = (Impact::Breaking, Impact::Breaking);
const NEITHER: (Impact, Impact) = (Impact::Compatible, Impact::Compatible);
const CLIENTS: (Impact, Impact) = (Impact::Breaking, Impact::Compatible);

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
            format!("`{rust}` takes no request body now (was `{}`): calls to it and server code that reads the body no longer compile", b.ty),
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

pub(super) fn diff_responses(
    cx: &mut ResourceChanges<'_>,
    rust: &str,
    old: &Operation,
    new: &Operation,
) {
    let successes = |op: &Operation| op.responses.iter().filter(|r| r.success).count();
    let (old_successes, new_successes) = (successes(old), successes(new));
    let body = |r: &Response| r.ty.clone().unwrap_or_else(|| "no body".to_owned());
    for r in &new.responses {
        let Some(o) = old.responses.iter().find(|o| o.status == r.status) else {
            let client = if r.success {
                if old_successes == 1 && new_successes > 1 {
                    format!("the client now returns `{}`, an enum of the successes, instead of the one success's body: calls that use the result no longer compile", new.rust_types.success.as_deref().unwrap_or("an enum"))
                } else if old_successes > 1 {
                    format!(
                        "a `match` on `{}` without a `_` arm no longer compiles",
                        new.rust_types
                            .success
                            .as_deref()
                            .unwrap_or("the success enum")
                    )
                } else {
                    "the client returns it as the success".to_owned()
                }
            } else {
                format!("a `match` on `{}` without a `_` arm no longer compiles; the status came as `Error::UnexpectedStatus` before", new.rust_types.error)
            };
            let client_breaks = !(r.success && old_successes == 0);
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
            continue;
        };
        let at = (r.pointer.as_str(), Document::New);
        if o.ty != r.ty || o.variant != r.variant {
            cx.push(
                Kind::ResponseChanged,
                at,
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
