//! Models, enums: an IR string enum → an enum that keeps values it does not list as `Unknown`,
//! with its conversions and serde impls (its `Shape` is the server's, `emit::shape`).

use crate::codegen::emit::{doc_attrs, doc_line, doc_with, ident};
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit_enum(m: &Model, e: &StringEnum) -> TokenStream {
    let name = ident(&m.rust_name);
    let docs = doc_attrs(Some(&doc_with(m.doc.as_deref(), &format!("Values: {}. A value this version of the schema does not list decodes as `Unknown`.", e.values.iter().map(|v| format!("`{}`", v.json)).collect::<Vec<_>>().join(", ")))), "");
    let variants = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let doc = doc_line(&format!("`{}`", v.json));
        quote!(#doc #vname,)
    });
    let values = e.values.iter().map(|v| &v.json);
    let as_str = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let json = &v.json;
        quote!(Self::#vname => #json,)
    });
    let from_str = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let json = &v.json;
        quote!(#json => Self::#vname,)
    });
    let from_str2 = from_str.clone();
    quote! {
        #docs
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the schema does not list, kept as sent.
            Unknown(::std::string::String),
        }

        impl #name {
            /// Every value the schema lists.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value as it is sent.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// The text of a value the schema does not list.
            pub fn unknown(&self) -> ::std::option::Option<&str> {
                match self {
                    Self::Unknown(value) => ::std::option::Option::Some(value.as_str()),
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#from_str2)*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}
