//! Server, shapes: every model a request body holds → its `Shape` in the server crate's
//! `shapes` module, the JSON checks the router runs on a request body before decoding it, as
//! Django REST Framework reads one. They are server-only, so the models crate (which the client builds too) does not carry
//! them; the trait is the server's (`support::Shape`), so it may be implemented there for the
//! models crate's types.

use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// What `shapes.rs` starts with: its imports. Models go by `models::X`, so the prelude's names
/// (`String`, `Vec`, `Option`) are never shadowed here.
pub fn emit_head(api: &Api) -> TokenStream {
    let models = api.models.values().any(|m| {
        api.request_models.contains(&m.rust_name) && !matches!(m.kind, ModelKind::Alias(..))
    });
    if !models {
        return quote! {
            //! How the router reads each model in a request body: `support::Shape` for every type a
            //! request body of the schema holds.
        };
    }
    let allow = allow_unused_imports(!api.features.models.is_empty());
    quote! {
        //! How the router reads each model in a request body: `support::Shape` for every type a
        //! request body of the schema holds.
        #allow

        use crate::support::{self, FieldError, Shape};
        use authentik_models as models;
        use serde_json::Value;
    }
}

/// One model's `Shape`; nothing for an alias (its target has one).
pub fn emit_shape(api: &Api, m: &Model) -> TokenStream {
    gate(api.features.model(&m.rust_name), shape_items(m))
}

fn shape_items(m: &Model) -> TokenStream {
    let name = ident(&m.rust_name);
    match &m.kind {
        ModelKind::Struct(s) => emit_struct(&quote!(models::#name), s),
        ModelKind::Enum(_) => quote! {
            impl Shape for models::#name {
                fn shape(value: &mut Value) -> Option<FieldError> {
                    support::shape_string_enum(value)
                }
            }
        },
        ModelKind::Union(u) => emit_union(&quote!(models::#name), u),
        ModelKind::Alias(..) => quote!(),
    }
}

fn emit_struct(ty: &TokenStream, s: &Struct) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let mut field_ty = local_type(&f.ty);
        if f.boxed {
            field_ty = quote!(Box<#field_ty>);
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
    let body = if s.fields.is_empty() {
        quote!(support::ShapeFields::of(value).finish())
    } else {
        quote! {
            let mut fields = support::ShapeFields::of(value);
            #(#fields)*
            fields.finish()
        }
    };
    quote! {
        impl Shape for #ty {
            const OBJECT: bool = true;

            fn shape(value: &mut Value) -> Option<FieldError> {
                #body
            }
        }
    }
}

fn emit_union(ty: &TokenStream, u: &Union) -> TokenStream {
    let property = &u.property;
    let arms = u.variants.iter().map(|v| {
        let variant = local_type(&Type::Named(v.model.clone()));
        let tag = &v.tag;
        quote!(Some(#tag) => <#variant as Shape>::shape(value),)
    });
    quote! {
        impl Shape for #ty {
            const OBJECT: bool = true;

            fn shape(value: &mut Value) -> Option<FieldError> {
                if !value.is_object() {
                    return Some(support::not_an_object(value));
                }
                let tag = value.get(#property).and_then(Value::as_str).map(ToOwned::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    Some(_) => None,
                    None => {
                        let mut errors = support::ValidationErrors::new();
                        errors.add_message(#property, "This field is required.");
                        support::nested(errors)
                    }
                }
            }
        }
    }
}
