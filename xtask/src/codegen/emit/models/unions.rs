//! Models, unions: an IR `oneOf` with a discriminator → an enum chosen by the tag, with its
//! serde impls and `validate()` (its `Shape` is the server's, `emit::shape`).

use super::TypesEmitter;
use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

impl TypesEmitter<'_> {
    pub(super) fn emit_union(&self, m: &Model, u: &Union) -> TokenStream {
        let name = ident(&m.rust_name);
        let docs = doc_attrs(Some(&doc_with(m.doc.as_deref(), &format!("One of several objects, told apart by their `{}` property. A value this version of the schema does not know decodes as `Unknown`.", u.property))), "");
        let variants = u.variants.iter().map(|v| {
            let vname = ident(&v.rust_name);
            let ty = type_tokens(&Type::Named(v.model.clone()), &self.models_path());
            let doc = doc_line(&format!("`{}: {}`", u.property, v.tag));
            quote!(#doc #vname(#ty),)
        });
        let validate_arms = u.variants.iter().map(|v| {
            let vname = ident(&v.rust_name);
            quote!(Self::#vname(value) => value.validate(),)
        });
        let serde = union_serde(&name, u);
        quote! {
            #docs
            #[derive(Clone, PartialEq, ::std::fmt::Debug)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                /// An object whose discriminator this version of the schema does not list, kept whole.
                Unknown(::serde_json::Value),
            }

            impl #name {
                /// Checks the constraints of the object inside ([`crate::support::ValidationErrors`]
                /// lists what fails, as authentik's 400 body).
                pub fn validate(&self) -> ::std::result::Result<(), crate::support::ValidationErrors> {
                    match self {
                        #(#validate_arms)*
                        Self::Unknown(_) => ::std::result::Result::Ok(()),
                    }
                }
            }

            #serde
        }
    }
}

/// A union's `Serialize` (the variant's object, with the tag added where the variant's schema
/// lacks it) and `Deserialize` (chosen by the tag; an unknown tag kept whole).
fn union_serde(name: &proc_macro2::Ident, u: &Union) -> TokenStream {
    let property = &u.property;
    let ser_arms = u.variants.iter().map(|v| {
            let vname = ident(&v.rust_name);
            if !v.add_tag {
                return quote!(Self::#vname(value) => ::serde::Serialize::serialize(value, serializer),);
            }
            let tag = &v.tag;
            quote! {
                Self::#vname(value) => {
                    let mut object = ::serde_json::to_value(value).map_err(<S::Error as ::serde::ser::Error>::custom)?;
                    if let ::std::option::Option::Some(map) = object.as_object_mut() {
                        map.insert(::std::borrow::ToOwned::to_owned(#property), ::serde_json::Value::from(#tag));
                    }
                    ::serde::Serialize::serialize(&object, serializer)
                }
            }
        });
    let de_arms = u.variants.iter().map(|v| {
            let vname = ident(&v.rust_name);
            let tag = &v.tag;
            quote!(::std::option::Option::Some(#tag) => ::serde_json::from_value(value).map(Self::#vname).map_err(<D::Error as ::serde::de::Error>::custom),)
        });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                if !value.is_object() {
                    return ::std::result::Result::Err(<D::Error as ::serde::de::Error>::custom("expected an object"));
                }
                let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(::std::borrow::ToOwned::to_owned);
                match tag.as_deref() {
                    #(#de_arms)*
                    ::std::option::Option::Some(_) => ::std::result::Result::Ok(Self::Unknown(value)),
                    ::std::option::Option::None => ::std::result::Result::Err(<D::Error as ::serde::de::Error>::missing_field(#property)),
                }
            }
        }
    }
}
