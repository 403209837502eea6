//! Server, router: IR operations → the server crate's `router.rs` (the state handlers share and
//! `router()`) and, in each resource module, one handler per operation that authenticates,
//! parses, validates and calls the trait, and `routes`, which mounts them.

use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// The router module: the state handlers share and `router`, which mounts every resource's
/// routes. Each resource module has its handlers ([`emit_handler`]) and mounts them
/// (`emit_routes`).
pub fn emit_router(api: &Api) -> TokenStream {
    let config_field = if api.resources.len() > 1 {
        // A resource's feature may leave every handler out.
        quote!(#[allow(dead_code)] pub(crate) config: crate::support::RouterConfig,)
    } else {
        quote!(pub(crate) config: crate::support::RouterConfig,)
    };
    let bounds: Vec<TokenStream> = api
        .resources
        .iter()
        .map(|r| {
            let m = ident(&r.module);
            let t = ident(&r.trait_name);
            quote!(crate::#m::#t)
        })
        .collect();
    let merges = api.resources.iter().map(|r| {
        let m = ident(&r.module);
        quote!(.merge(crate::#m::routes(Arc::clone(&service), config.clone())))
    });
    let (bounds, unused) = if bounds.is_empty() {
        (quote!(), quote!(let _ = (service, config);))
    } else {
        (quote!(where S: #(#bounds)+*,), quote!())
    };
    let full = Features::FULL;
    let full = quote!(#[cfg(feature = #full)]);
    let allow = allow_unused_imports(api.resources.len() > 1);
    quote! {
        //! The router: every resource's routes, each of whose handlers authenticates, parses,
        //! validates and dispatches (in the resource's module).
        #allow

        use crate::support;
        use std::sync::Arc;

        /// What every handler of a resource shares.
        pub(crate) struct Shared<S> {
            pub(crate) service: Arc<S>,
            #config_field
        }

        /// Mounts every resource's operations under the schema's base path, each with its
        /// method, for a service that implements them all; a path nothing is mounted at answers
        /// 404 and a method a path lacks answers 405 with `Allow`, both with authentik's
        /// `{"detail": ...}` body. A panic answers 500. To mount some resources only, or each
        /// with a service of its own, merge their modules' `routes` ([`support::Routes`]).
        #full
        pub fn router<S>(service: Arc<S>, config: support::RouterConfig) -> ::axum::Router
        #bounds
        {
            #unused
            support::Routes::new()
                #(#merges)*
                .into_router()
        }
    }
}

/// A resource module's `routes`: one `.route` per path of the resource, each with its methods
/// and a 405 fallback naming them.
pub(super) fn emit_routes(api: &Api, resource: &Resource) -> TokenStream {
    let trait_ident = ident(&resource.trait_name);
    let routes = resource.routes.iter().map(|route| {
        // Full paths rather than a nested router: one routing step per request.
        let path = format!("{}{}", api.base_path, route_text(&route.path));
        let methods = route.operations.iter().map(|&i| {
            let op = &api.operations[i];
            let handler = ident(&op.rust_name);
            let m = ident(op.method.key());
            // `self::`: `routes`' parameters and locals (`service`, `config`, `state`, `api`)
            // would hide a handler of the same name.
            quote!(.#m(self::#handler::<S>))
        });
        let allow: Vec<&str> = route.allow.iter().map(|m| m.as_str()).collect();
        let allow = allow.join(", ");
        // One statement per route: a single long method chain is slow to parse and print.
        quote! {
            let api = api.route(#path, MethodRouter::new() #(#methods)*
                .fallback(|method: Method| async move { support::method_not_allowed(&method, #allow) }));
        }
    });
    let doc = format!(
        " Mounts the `{}` operations alone, served by `service`: merge with other resources' routes ([`support::Routes::merge`]) and serve [`support::Routes::into_router`]. Paths of resources not mounted answer 404.",
        resource.key
    );
    quote! {
        #[doc = #doc]
        pub fn routes<S: #trait_ident>(service: Arc<S>, config: support::RouterConfig) -> support::Routes {
            let state = Arc::new(Shared { service, config });
            let api = axum::Router::new();
            #(#routes)*
            support::Routes::from(api.with_state(state))
        }
    }
}

/// A path as axum's router matches it: each parameter as `{name}`.
fn route_text(path: &PathTemplate) -> String {
    path.parts
        .iter()
        .map(|part| match part {
            PathPart::Literal(text) => text.clone(),
            PathPart::Param { name, .. } => format!("{{{name}}}"),
        })
        .collect()
}

/// One operation's handler, in its resource's module: authenticate, parse, validate, call the
/// trait, answer. Each step answers `Err(response)` to refuse the request; `support::traced`
/// logs the outcome.
pub fn emit_handler(api: &Api, resource: &Resource, op: &Operation) -> TokenStream {
    let h = Handler::new(api, resource, op);
    let handler = ident(&op.rust_name);
    let trait_ident = ident(&resource.trait_name);
    let request = ident(&op.names.request);
    let op_id = &op.operation_id;
    let auth = if op.security.is_empty() {
        quote!()
    } else {
        quote!(let principal = input.authenticate(&*state.service).await?;)
    };
    let path = h.bound_path();
    let checked = h.checked();
    let init = h.request_fields();
    let body_binding = if op.body.is_some() {
        quote!(body)
    } else {
        quote!(_)
    };
    let principal_arg = if op.security.is_empty() {
        quote!()
    } else {
        quote!(&principal,)
    };
    let uses_input =
        !op.security.is_empty() || !h.path_params.is_empty() || h.has_query || op.body.is_some();
    let input = match (uses_input, h.path_params.is_empty()) {
        (false, _) => quote!(_),
        (true, true) => quote!(input),
        (true, false) => quote!(mut input),
    };
    // The lookup names the operation too: once, as `OP`.
    let (op_const, op_name) = match h.lookup {
        Some(_) => (quote!(const OP: &str = #op_id;), quote!(OP)),
        None => (quote!(), quote!(#op_id)),
    };
    let method = ident(&op.rust_name);
    quote! {
        async fn #handler<S: #trait_ident>(
            State(state): State<Arc<Shared<S>>>,
            request: Request,
        ) -> Response {
            #op_const
            let span = support::span(#op_name, &request);
            let handle = async move {
                let (#input, #body_binding) = support::Input::new(request, &state.config);
                #auth
                #(#path)*
                #checked
                let request = #request { #(#init)* };
                Ok(state.service.#method(#principal_arg request).await)
            };
            support::traced(span, handle).await
        }
    }
}

/// What a handler reads, and in which order.
struct Handler<'a> {
    op: &'a Operation,
    path_params: Vec<&'a Param>,
    has_query: bool,
    /// The resource's lookup, when this operation asks it before refusing a request.
    lookup: Option<&'a Lookup>,
    /// Path values are read first, into locals, before a lookup or a page number; otherwise
    /// each value is read in the request's literal, in the same order.
    bind_path: bool,
    /// The body's read (a future of `Result<T, Response>`) and the type it states, if any.
    body_read: Option<(TokenStream, Option<TokenStream>)>,
}

impl<'a> Handler<'a> {
    fn new(api: &'a Api, resource: &'a Resource, op: &'a Operation) -> Self {
        let lookup = resource.lookup.as_ref().filter(|_| op.lookup);
        Handler {
            op,
            path_params: op.path_params().collect(),
            has_query: !op.query_params().is_empty(),
            lookup,
            bind_path: lookup.is_some() || op.paging.is_some(),
            body_read: op.body.as_ref().map(|b| body_read(api, b)),
        }
    }

    /// `let` statements reading the path values, when they are read first.
    fn bound_path(&self) -> Vec<TokenStream> {
        if !self.bind_path {
            return Vec::new();
        }
        let lends_text = self.op.lookup;
        self.path_params
            .iter()
            .map(|p| {
                let name = ident(&p.rust_name);
                let key = &p.name;
                // A text key is lent to the lookup as `&str`: the type is stated, not inferred.
                if lends_text && p.value == ParamValue::String {
                    quote!(let #name: String = input.path(#key).await?;)
                } else {
                    quote!(let #name = input.path(#key).await?;)
                }
            })
            .collect()
    }

    /// DRF's paginator answers 404 for a page that is not a page number, whatever else is
    /// wrong: the page is checked before the query and the body.
    fn page(&self) -> TokenStream {
        if self.op.paging.is_some() {
            quote!(input.page_number()?;)
        } else {
            quote!()
        }
    }

    /// What is read before the request is built: the page number and, with a lookup, the
    /// query and the body, whose refusal first asks whether the object exists.
    fn checked(&self) -> TokenStream {
        match self.lookup {
            None => self.page(),
            Some(lookup) => self.checked_with(lookup),
        }
    }

    fn checked_with(&self, lookup: &Lookup) -> TokenStream {
        let mut names = Vec::new();
        if self.has_query {
            names.push(quote!(query));
        }
        if self.op.body.is_some() {
            names.push(quote!(body));
        }
        let values = match names.as_slice() {
            [one] => one.clone(),
            many => quote!((#(#many),*)),
        };
        let hook = ident(&lookup.method);
        let key = self
            .path_params
            .iter()
            .find(|p| p.name == lookup.param)
            .map(|p| ident(&p.rust_name));
        let principal = if self.op.security.is_empty() {
            quote!(None)
        } else {
            quote!(Some(&principal))
        };
        // The body alone is read as it is; with the query, both in one block.
        let checked = match (&self.body_read, self.has_query) {
            (Some((read, None)), false) => quote!(let checked = #read.await;),
            (Some((read, Some(ty))), false) => quote!(let checked: Result<#ty, _> = #read.await;),
            _ => {
                let page = self.page();
                let query = self.has_query.then(|| quote!(let query = input.query()?;));
                let body = match &self.body_read {
                    None => quote!(),
                    Some((read, None)) => quote!(let body = #read.await?;),
                    Some((read, Some(ty))) => quote!(let body: #ty = #read.await?;),
                };
                quote! {
                    let checked = async {
                        #page
                        #query
                        #body
                        Ok(#values)
                    }
                    .await;
                }
            }
        };
        quote! {
            #checked
            let exists = || state.service.#hook(#principal, OP, &#key);
            let #values = support::unless_missing(checked, exists).await?;
        }
    }

    /// The request's fields: the values read above, or (without a lookup) read here.
    fn request_fields(&self) -> Vec<TokenStream> {
        let mut init = Vec::new();
        for p in &self.path_params {
            let name = ident(&p.rust_name);
            let key = &p.name;
            init.push(if self.bind_path {
                quote!(#name,)
            } else {
                quote!(#name: input.path(#key).await?,)
            });
        }
        let looked_up = self.lookup.is_some();
        if self.has_query {
            init.push(if looked_up {
                quote!(query,)
            } else {
                quote!(query: input.query()?,)
            });
        }
        if let Some((read, _)) = &self.body_read {
            init.push(if looked_up {
                quote!(body,)
            } else {
                quote!(body: #read.await?,)
            });
        }
        init
    }
}

/// How a handler reads its body (a future of `Result<T, Response>`: JSON checked by the type's
/// `validate()`, or raw bytes) and, without a `validate` to name it, the type it states.
fn body_read(api: &Api, b: &Body) -> (TokenStream, Option<TokenStream>) {
    let validates = api.has_validate(&b.ty);
    let read = match (b.kind, b.required) {
        (BodyKind::Json, required) => {
            let check = if validates {
                let ty = local_type(&b.ty);
                quote!(#ty::validate)
            } else {
                quote!(support::unchecked)
            };
            if required {
                quote!(input.json(body, #check))
            } else {
                quote!(input.optional_json(body, #check))
            }
        }
        (_, true) => quote!(input.raw(body)),
        (_, false) => quote!(input.optional_raw(body)),
    };
    let ty = (b.kind == BodyKind::Json && !validates).then(|| {
        let ty = local_type(&b.ty);
        if b.required {
            ty
        } else {
            quote!(Option<#ty>)
        }
    });
    (read, ty)
}
