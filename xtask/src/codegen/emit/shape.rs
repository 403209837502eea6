//! Server, shapes: every model → its `Shape` in the server crate's `shapes` module, the JSON
//! checks the router runs on a request body before decoding it, as Django REST Framework reads
//! one. They are server-only, so the models crate (which the client builds too) does not carry
//! them; the trait is the server's (`support::Shape`), so it may be implemented there for the
//! models crate's types.

use super::common::models;
use super::{ident, type_tokens};
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// What `shapes.rs` starts with.
pub fn emit_head() -> TokenStream {
    quote! {
        //! How the router reads each model in a request body: `support::Shape` for every type of
        //! the models crate.
    }
}

/// One model's `Shape`; nothing for an alias (its target has one).
pub fn emit_shape(api: &Api, m: &Model) -> TokenStream {
    super::gate(api.features.model(&m.rust_name), shape_items(m))
}

fn shape_items(m: &Model) -> TokenStream {
    let name = ident(&m.rust_name);
    let models = models();
    match &m.kind {
        ModelKind::Struct(s) => emit_struct(&quote!(#models::#name), s),
        ModelKind::Enum(_) => quote! {
            impl crate::support::Shape for #models::#name {
                fn shape(value: &mut ::serde_json::Value) -> ::std::option::Option<crate::support::FieldError> {
                    // Unlisted strings decode; `validate()` reports them.
                    if value.is_string() {
                        return ::std::option::Option::None;
                    }
                    ::std::option::Option::Some(crate::support::FieldError::Messages(::std::vec![::std::format!("\"{value}\" is not a valid choice.")]))
                }
            }
        },
        ModelKind::Union(u) => emit_union(&quote!(#models::#name), u),
        ModelKind::Alias(..) => quote!(),
    }
}

fn emit_struct(ty: &TokenStream, s: &Struct) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let mut field_ty = type_tokens(&f.ty, &models());
        if f.boxed {
            field_ty = quote!(::std::boxed::Box<#field_ty>);
        }
        let key = &f.json_name;
        let presence = match f.presence {
            Presence::Required => quote!(required),
            Presence::RequiredNullable => quote!(required_nullable),
            Presence::Optional => quote!(optional),
            Presence::OptionalNullable => quote!(optional_nullable),
        };
        quote!(fields.#presence::<#field_ty>(#key);)
    });
    let fields = if s.fields.is_empty() {
        quote!(|_| {})
    } else {
        quote!(|fields| { #(#fields)* })
    };
    quote! {
        impl crate::support::Shape for #ty {
            const OBJECT: bool = true;

            fn shape(value: &mut ::serde_json::Value) -> ::std::option::Option<crate::support::FieldError> {
                crate::support::shape_object(value, #fields)
            }
        }
    }
}

fn emit_union(ty: &TokenStream, u: &Union) -> TokenStream {
    let property = &u.property;
    let arms = u.variants.iter().map(|v| {
        let variant = type_tokens(&Type::Named(v.model.clone()), &models());
        let tag = &v.tag;
        quote!(::std::option::Option::Some(#tag) => <#variant as crate::support::Shape>::shape(value),)
    });
    quote! {
        impl crate::support::Shape for #ty {
            const OBJECT: bool = true;

            fn shape(value: &mut ::serde_json::Value) -> ::std::option::Option<crate::support::FieldError> {
                if !value.is_object() {
                    return ::std::option::Option::Some(crate::support::not_an_object(value));
                }
                let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(::std::borrow::ToOwned::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    ::std::option::Option::Some(_) => ::std::option::Option::None,
                    ::std::option::Option::None => {
                        let mut errors = crate::support::ValidationErrors::new();
                        errors.add_message(#property, "This field is required.");
                        crate::support::nested(errors)
                    }
                }
            }
        }
    }
}
