//! Client, errors: the `errors` module, one enum per distinct set of documented error responses
//! ([`ErrorSet`]), with its `Display`, its status and how an answer decodes into it.

use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The client's `errors` module: one enum per distinct set of documented error responses,
/// shared by every operation that documents that set.
pub fn emit_errors(api: &Api) -> TokenStream {
    let doc = quote! {
        //! The documented error responses, one enum per distinct set: the `E` of each method's
        //! [`crate::Error<E>`]. Operations that document the same errors share an enum.
    };
    if api.error_sets.is_empty() {
        return doc;
    }
    let sets: TokenStream = api
        .error_sets
        .iter()
        .map(|set| {
            gate(
                api.features.error_set(&set.rust_name),
                emit_error_set(api, set),
            )
        })
        .collect();
    let allow = allow_unused_imports(!api.features.error_sets.is_empty());
    let models_use = models_import(&sets);
    let status_use = use_if(
        &sets,
        "StatusCode",
        quote!(
            use reqwest::StatusCode;
        ),
    );
    quote! {
        #doc
        #allow

        use crate::support::{Answer, ApiStatus, FromAnswer};
        use crate::Error;
        #models_use
        #status_use

        #sets
    }
}

/// The pieces of an error enum, one entry per documented response.
#[derive(Default)]
struct Arms {
    variants: Vec<TokenStream>,
    display: Vec<TokenStream>,
    status: Vec<TokenStream>,
    /// `status => value` for each documented code.
    decode: Vec<TokenStream>,
    /// The value for any other status, when the set documents `default`.
    default: Option<TokenStream>,
}

/// What a response's body is, for its variant: its Rust type, the support function that
/// displays it, and the label decode errors name it by (JSON bodies only).
fn body_of(api: &Api, body: &ResponseBody) -> Option<(TokenStream, Ident, Option<String>)> {
    match body {
        ResponseBody::None => None,
        ResponseBody::Json(ty) => {
            Some((local_type(ty), ident("fmt_error"), Some(api.type_label(ty))))
        }
        ResponseBody::Other(_) => Some((quote!(Vec<u8>), ident("fmt_bytes"), None)),
    }
}

impl Arms {
    fn add(&mut self, api: &Api, r: &Response) {
        let v = ident(&r.variant);
        let docs = doc_attrs(
            Some(&doc_with(r.doc.as_deref(), &status_doc(&r.status))),
            "",
        );
        match (&r.status, body_of(api, &r.body)) {
            (Status::Code(n), Some((t, fmt_body, label))) => {
                let (n, pattern) = (status_literal(*n), client_status_pattern(*n));
                self.variants.push(quote!(#docs #v(#t),));
                self.display
                    .push(quote!(Self::#v(body) => crate::support::#fmt_body(f, #n, body),));
                self.status.push(quote!(Self::#v(_) => #n,));
                self.decode.push(match label {
                    Some(label) => quote!(#pattern => answer.documented(Self::#v, #label),),
                    None => quote!(#pattern => Error::Api(Self::#v(answer.body)),),
                });
            }
            (Status::Code(n), None) => {
                let text = format!("HTTP {n}");
                let (n, pattern) = (status_literal(*n), client_status_pattern(*n));
                self.variants.push(quote!(#docs #v,));
                self.display.push(quote!(Self::#v => f.write_str(#text),));
                self.status.push(quote!(Self::#v => #n,));
                self.decode.push(quote!(#pattern => Error::Api(Self::#v),));
            }
            (Status::Default, Some((t, fmt_body, label))) => {
                self.variants
                    .push(quote!(#docs #v { status: u16, body: #t },));
                self.display.push(
                    quote!(Self::#v { status, body } => crate::support::#fmt_body(f, *status, body),),
                );
                self.status
                    .push(quote!(Self::#v { status, .. } => *status,));
                self.default = Some(match label {
                    Some(label) => {
                        quote!(answer.documented(|body| Self::#v { status, body }, #label))
                    }
                    None => quote!(Error::Api(Self::#v { status, body: answer.body })),
                });
            }
            (Status::Default, None) => {
                self.variants.push(quote!(#docs #v { status: u16 },));
                self.display
                    .push(quote!(Self::#v { status } => write!(f, "HTTP {status}"),));
                self.status.push(quote!(Self::#v { status } => *status,));
                self.default = Some(quote!(Error::Api(Self::#v { status })));
            }
        }
    }

    /// The body of `from_answer`: any status the set does not list is its `default` variant,
    /// or unexpected.
    fn decoding(&self) -> TokenStream {
        let decode = &self.decode;
        match (&self.default, decode.is_empty()) {
            (None, true) => quote!(answer.unexpected()),
            (Some(default), true) => quote! {
                let status = answer.status.as_u16();
                #default
            },
            (None, false) => quote!(match answer.status { #(#decode)* _ => answer.unexpected(), }),
            (Some(default), false) => {
                quote! {
                    let status = answer.status.as_u16();
                    match answer.status { #(#decode)* _ => #default, }
                }
            }
        }
    }

    /// The bodies of `fmt` and `status`; an enum without variants matches on nothing.
    fn display_and_status(&self) -> (TokenStream, TokenStream) {
        if self.variants.is_empty() {
            return (quote!(let _ = f; match *self {}), quote!(match *self {}));
        }
        let (display, status) = (&self.display, &self.status);
        (
            quote!(match self { #(#display)* }),
            quote!(match self { #(#status)* }),
        )
    }
}

fn error_set_doc(set: &ErrorSet) -> String {
    let statuses: Vec<String> = set
        .responses
        .iter()
        .map(|r| status_doc(&r.status))
        .collect();
    if statuses.is_empty() {
        " The errors of an operation that documents none: every failure is one of the other variants of [`crate::Error`].".to_owned()
    } else {
        format!(
            " The documented errors {}, each with its decoded body; other failures are the other variants of [`crate::Error`].",
            statuses.join(", ")
        )
    }
}

fn emit_error_set(api: &Api, set: &ErrorSet) -> TokenStream {
    let name = ident(&set.rust_name);
    let mut arms = Arms::default();
    for r in &set.responses {
        arms.add(api, r);
    }
    let from_answer = arms.decoding();
    let (display_body, status_body) = arms.display_and_status();
    let variants = &arms.variants;
    let doc = error_set_doc(set);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                #display_body
            }
        }

        impl std::error::Error for #name {}

        impl ApiStatus for #name {
            fn status(&self) -> u16 {
                #status_body
            }
        }

        impl FromAnswer for #name {
            fn from_answer(answer: Answer) -> Error<Self> {
                #from_answer
            }
        }
    }
}
