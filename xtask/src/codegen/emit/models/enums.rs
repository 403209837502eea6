//! Models, enums: an IR string enum → an enum that keeps values it does not list as `Unknown`,
//! with its conversions and serde impls from the support module's `string_enum!` table (its
//! `Shape` is the server's, `emit::shape`).

use crate::codegen::emit::rust::*;
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
    let table = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let json = &v.json;
        quote!(#vname = #json,)
    });
    quote! {
        #docs
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the schema does not list, kept as sent.
            Unknown(::std::string::String),
        }

        crate::support::string_enum! {
            #name { #(#table)* }
        }
    }
}
