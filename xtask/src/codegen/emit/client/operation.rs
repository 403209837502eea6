//! Client, one operation: its trait method (and page stream), the types it adds to its
//! resource's module, and the method's implementation on [`crate::Client`] (the generated one).

use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// What one operation adds to its resource's module.
pub(super) struct EmittedOperation {
    /// Types: the query struct's re-export, the enum of successes.
    pub items: TokenStream,
    /// The trait's method, and its page stream.
    pub method: TokenStream,
    /// The method on `crate::Client`.
    pub implementation: TokenStream,
}

pub(super) fn emit_operation(api: &Api, op: &Operation) -> EmittedOperation {
    let inputs = Inputs::of(api, op);
    let outputs = Outputs::of(api, op);
    let error = ident(&op.names.error);
    let success = &outputs.ty;
    let output = quote!(Result<#success, Error<#error>>);
    let docs = doc_attrs(Some(&operation_doc(op)), "");
    let method = ident(&op.rust_name);
    let args = &inputs.args;
    let mut method_tokens = quote! {
        #docs
        fn #method(&self, #(#args),*) -> impl Future<Output = #output> + Send;
    };
    if let (Some(paging), Some(all)) = (&op.paging, &op.names.all) {
        method_tokens.extend(page_stream(op, paging, all, &inputs));
    }
    let query_items = if inputs.has_query {
        // The query struct lives in the models crate, shared with the server.
        let query = ident(&op.names.query);
        quote!(pub use authentik_models::query::#query;)
    } else {
        quote!()
    };
    let success_items = &outputs.items;
    EmittedOperation {
        items: quote! {
            #query_items
            #success_items
        },
        method: method_tokens,
        implementation: implementation(op, &inputs, &outputs),
    }
}

/// An operation's arguments: path parameters, the query, the body.
struct Inputs {
    args: Vec<TokenStream>,
    /// The path parameters' names (the first `path_names.len()` of `args`).
    path_names: Vec<Ident>,
    /// What the page stream clones of them for each page: enums (the rest are copied).
    path_clones: Vec<TokenStream>,
    has_query: bool,
    /// The body, encoded (and checked) before the request goes: `Result<Payload, Failure>`.
    payload: Option<TokenStream>,
}

impl Inputs {
    fn of(api: &Api, op: &Operation) -> Inputs {
        let mut inputs = Inputs {
            args: Vec::new(),
            path_names: Vec::new(),
            path_clones: Vec::new(),
            has_query: !op.query_params().is_empty(),
            payload: None,
        };
        for p in op.path_params() {
            let name = ident(&p.rust_name);
            let ty = match &p.value {
                ParamValue::String => quote!(&str),
                other => local_type(&other.ty()),
            };
            inputs.args.push(quote!(#name: #ty));
            if matches!(p.value, ParamValue::Enum(_)) {
                inputs.path_clones.push(quote!(let #name = #name.clone();));
            }
            inputs.path_names.push(name);
        }
        if inputs.has_query {
            let query = ident(&op.names.query);
            inputs.args.push(quote!(query: &#query));
        }
        if let Some(body) = &op.body {
            let ty = if body.kind == BodyKind::Json {
                let ty = local_type(&body.ty);
                quote!(&#ty)
            } else {
                quote!(support::RawBody)
            };
            inputs.args.push(if body.required {
                quote!(body: #ty)
            } else {
                quote!(body: Option<#ty>)
            });
            inputs.payload = Some(payload(api, body));
        }
        inputs
    }
}

/// How the body becomes the request's payload: JSON encoded (after `validate()` where the type
/// has one), or raw bytes.
fn payload(api: &Api, body: &Body) -> TokenStream {
    let json = BodyKind::Json == body.kind;
    let check = api.has_validate(&body.ty).then(|| {
        let ty = local_type(&body.ty);
        quote!(#ty::validate)
    });
    match (json, check, body.required) {
        (true, Some(check), true) => quote!(self.json(body, #check)),
        (true, Some(check), false) => quote!(self.optional_json(body, #check)),
        (true, None, true) => quote!(support::json(body)),
        (true, None, false) => quote!(body.map_or(Ok(support::Payload::None), support::json)),
        (false, _, true) => quote!(Ok(support::Payload::Raw(body))),
        (false, _, false) => {
            quote!(Ok(
                body.map_or(support::Payload::None, support::Payload::Raw)
            ))
        }
    }
}

/// An operation's success value: its type, the enum of successes when there are several, and
/// how the answer is read into it (`answer` in scope). The documented errors are the shared
/// enum's.
struct Outputs {
    ty: TokenStream,
    items: TokenStream,
    read: TokenStream,
}

impl Outputs {
    fn of(api: &Api, op: &Operation) -> Outputs {
        let successes: Vec<(u16, &Response)> = op
            .responses
            .iter()
            .filter_map(|r| r.success.map(|n| (n, r)))
            .collect();
        match successes.as_slice() {
            [] => Outputs {
                ty: quote!(()),
                items: quote!(),
                read: quote!(answer.empty(None)),
            },
            [(n, one)] => Outputs::one(api, *n, one),
            many => Outputs::several(api, op, many),
        }
    }

    fn one(api: &Api, n: u16, response: &Response) -> Outputs {
        let n = status_code(n);
        let (ty, read) = match &response.body {
            ResponseBody::None => (quote!(()), quote!(answer.empty(Some(#n)))),
            ResponseBody::Json(ty) => {
                let label = api.type_label(ty);
                (local_type(ty), quote!(answer.json(#n, #label)))
            }
            ResponseBody::Other(_) => (quote!(Vec<u8>), quote!(answer.bytes(#n))),
        };
        Outputs {
            ty,
            items: quote!(),
            read,
        }
    }

    fn several(api: &Api, op: &Operation, many: &[(u16, &Response)]) -> Outputs {
        let success = ident(&op.names.success);
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        for &(n, r) in many {
            let n = client_status_pattern(n);
            let v = ident(&r.variant);
            let docs = doc_attrs(
                Some(&doc_with(r.doc.as_deref(), &status_doc(&r.status))),
                "",
            );
            match &r.body {
                ResponseBody::None => {
                    variants.push(quote!(#docs #v,));
                    arms.push(quote!(#n => Ok(#success::#v),));
                }
                ResponseBody::Json(ty) => {
                    let t = local_type(ty);
                    let label = api.type_label(ty);
                    variants.push(quote!(#docs #v(#t),));
                    arms.push(quote!(#n => Ok(#success::#v(answer.decode(#label)?)),));
                }
                ResponseBody::Other(_) => {
                    variants.push(quote!(#docs #v(Vec<u8>),));
                    arms.push(quote!(#n => Ok(#success::#v(answer.body)),));
                }
            }
        }
        let doc = format!(
            " The successful answers the schema documents for `{} {}`.",
            op.method, op.path
        );
        Outputs {
            ty: quote!(#success),
            items: quote! {
                #[doc = #doc]
                #[derive(Clone, Debug, PartialEq)]
                #[non_exhaustive]
                pub enum #success {
                    #(#variants)*
                }
            },
            read: quote! {
                match answer.status {
                    #(#arms)*
                    _ => Err(answer.failure()),
                }
            },
        }
    }
}

/// The trait's provided `..._all` method of a paginated list: every item across pages, as a
/// stream.
fn page_stream(op: &Operation, paging: &Paging, all: &str, inputs: &Inputs) -> TokenStream {
    let all = ident(all);
    let method = ident(&op.rust_name);
    let query = ident(&op.names.query);
    let error = ident(&op.names.error);
    let item = local_type(&paging.item);
    let page_field = ident(&paging.page_field);
    let results = ident(&paging.results_field);
    let pagination = ident(&paging.pagination_field);
    let next = ident(&paging.next_field);
    let page_value = if paging.page_bits == 32 {
        quote!(i32::try_from(page).unwrap_or(i32::MAX))
    } else {
        quote!(page)
    };
    let path_args = &inputs.args[..inputs.path_names.len()];
    let (path_names, path_clones) = (&inputs.path_names, &inputs.path_clones);
    let doc = format!(
        " Every item of `{} {}`, across all pages from `query.page` (or the first) on, as a stream: [`Self::{}`] page by page, following `pagination.next`. The stream ends after the last page or the first error.",
        op.method, op.path, op.rust_name
    );
    quote! {
        #[doc = #doc]
        fn #all(&self, #(#path_args,)* query: #query)
            -> impl ::futures_core::Stream<Item = Result<#item, Error<#error>>> + Send + '_
        {
            let first = query.#page_field.map_or(1, i64::from);
            support::paginate(first, move |page| {
                let query = #query { #page_field: Some(#page_value), ..query.clone() };
                #(#path_clones)*
                async move {
                    let list = self.#method(#(#path_names,)* &query).await?;
                    Ok((list.#results, list.#pagination.#next))
                }
            })
        }
    }
}

/// The method on `crate::Client`: a plain function returning the one generic `call` future, so
/// nothing per operation is `async` and the future borrows only the client.
fn implementation(op: &Operation, inputs: &Inputs, outputs: &Outputs) -> TokenStream {
    let method = ident(&op.rust_name);
    let error = ident(&op.names.error);
    let (args, success, read) = (&inputs.args, &outputs.ty, &outputs.read);
    let (path_build, path) = path_expr(op);
    let http_method = format_ident!("{}", op.method.as_str());
    let (payload_build, payload) = match &inputs.payload {
        Some(payload) => (quote!(let payload = #payload;), quote!(payload)),
        None => (quote!(), quote!(Ok(support::Payload::None))),
    };
    let send = match (inputs.has_query, inputs.payload.is_some()) {
        (true, _) => {
            quote!(self.call_with(Method::#http_method, #path, query.to_pairs(), #payload, |answer| #read))
        }
        (false, true) => quote!(self.send(Method::#http_method, #path, #payload, |answer| #read)),
        (false, false) => quote!(self.call(Method::#http_method, #path, |answer| #read)),
    };
    quote! {
        fn #method(&self, #(#args),*) -> support::Call<'_, #success, #error> {
            #payload_build
            #path_build
            #send
        }
    }
}

/// The path after the base URL, each parameter percent-encoded: a statement that builds it in
/// `path` (none for a fixed path), and the expression to pass on.
fn path_expr(op: &Operation) -> (TokenStream, TokenStream) {
    if op.path.is_fixed() {
        let path = &op.path.text;
        return (quote!(), quote!(#path));
    }
    let mut template = String::new();
    let mut values = Vec::new();
    for part in &op.path.parts {
        match part {
            PathPart::Literal(text) => {
                template.push_str(&text.replace('{', "{{").replace('}', "}}"))
            }
            PathPart::Param { index, .. } => {
                template.push_str("{}");
                let v = ident(&op.params[*index].rust_name);
                values.push(quote!(support::segment(#v)));
            }
        }
    }
    (
        quote!(let path = format!(#template, #(#values),*);),
        quote!(path),
    )
}
