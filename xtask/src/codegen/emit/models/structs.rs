//! Models, structs: an IR struct → the struct, its `validate()` and, when it holds secrets, a
//! redacting `Debug`. Its `Shape` (the JSON checks the server runs before decoding) is the
//! server's (`emit::shape`).

use super::TypesEmitter;
use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

impl TypesEmitter<'_> {
    fn field_type(&self, f: &Field) -> TokenStream {
        let mut ty = type_tokens(&f.ty, &self.models_path());
        if f.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
        }
        match f.presence {
            Presence::Required => ty,
            Presence::RequiredNullable | Presence::Optional => quote!(::std::option::Option<#ty>),
            Presence::OptionalNullable => quote!(crate::support::Maybe<#ty>),
        }
    }

    pub(super) fn emit_struct(&self, m: &Model, s: &Struct) -> TokenStream {
        let name = ident(&m.rust_name);
        let docs = doc_attrs(m.doc.as_deref(), &format!("`{}`", m.name));
        let has_secret = s.fields.iter().any(|f| f.write_only);
        let derives = derives(s, has_secret);
        let patch = self.api.patch_bodies.contains(&m.rust_name);
        let fields = s.fields.iter().map(|f| self.struct_field(f, patch));
        let additional = s.additional.as_ref().map(|a| {
            let fname = ident(&a.rust_name);
            let ty = type_tokens(&a.ty, &self.models_path());
            quote! {
                #[doc = " The object's other keys (`additionalProperties`)."]
                pub #fname: ::std::collections::BTreeMap<::std::string::String, #ty>,
            }
        });
        let json = json_table(&name, s);
        let debug_impl = if has_secret {
            self.emit_redacting_debug(m, s)
        } else {
            quote!()
        };
        let validate = self.emit_struct_validate(s);
        let allow_deprecated = if s.fields.iter().any(|f| f.deprecated) {
            quote!(#[allow(deprecated)])
        } else {
            quote!()
        };
        quote! {
            #docs
            #[derive(#derives)]
            #allow_deprecated
            pub struct #name {
                #(#fields)*
                #additional
            }

            #allow_deprecated
            impl #name {
                /// Checks the schema's constraints on every field, nested values included
                /// ([`support::ValidationErrors`] lists what fails, as authentik's 400 body).
                pub fn validate(&self) -> ::std::result::Result<(), support::ValidationErrors> {
                    #validate
                }
            }

            #json

            #debug_impl
        }
    }

    /// One field: its doc, `#[deprecated]` if it is, and its type.
    fn struct_field(&self, f: &Field, patch: bool) -> TokenStream {
        let fname = ident(&f.rust_name);
        let ty = self.field_type(f);
        let docs =
            field_doc(f, patch).map_or_else(TokenStream::new, |doc| doc_attrs(Some(&doc), ""));
        let deprecated = if f.deprecated {
            quote!(#[deprecated])
        } else {
            quote!()
        };
        quote! {
            #docs
            #deprecated
            pub #fname: #ty,
        }
    }

    fn emit_redacting_debug(&self, m: &Model, s: &Struct) -> TokenStream {
        let name = ident(&m.rust_name);
        let label = &m.rust_name;
        let fields = s.fields.iter().map(|f| {
            let fname = ident(&f.rust_name);
            let label = &f.rust_name;
            if !f.write_only {
                return quote!(.field(#label, &self.#fname));
            }
            match f.presence {
                Presence::Required => quote!(.field(#label, &crate::support::Redacted)),
                Presence::Optional | Presence::RequiredNullable | Presence::OptionalNullable => {
                    quote!(.field(#label, &self.#fname.as_ref().map(|_| crate::support::Redacted)))
                }
            }
        });
        let additional = s.additional.as_ref().map(|a| {
            let fname = ident(&a.rust_name);
            let label = &a.rust_name;
            quote!(.field(#label, &self.#fname))
        });
        quote! {
            /// Prints write-only fields (secrets) as `<redacted>`.
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#label)
                        #(#fields)*
                        #additional
                        .finish()
                }
            }
        }
    }
}

/// What a struct derives: `Debug` unless it holds a secret (it gets a redacting one), and
/// `Default` when nothing is required (PATCH bodies: `..Default::default()` names only what
/// changes).
fn derives(s: &Struct, has_secret: bool) -> TokenStream {
    let debug = if has_secret {
        quote!()
    } else {
        quote!(::std::fmt::Debug,)
    };
    let all_optional = s
        .fields
        .iter()
        .all(|f| matches!(f.presence, Presence::Optional | Presence::OptionalNullable));
    let default = if all_optional {
        quote!(::std::default::Default,)
    } else {
        quote!()
    };
    quote!(Clone, PartialEq, #debug #default)
}

/// The struct's `Serialize`, `Deserialize` and `Fields`: the support module's `json_object!`
/// table, one line per field (Rust name, JSON name where it differs, kind), then the map of
/// other keys.
fn json_table(name: &proc_macro2::Ident, s: &Struct) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let json = &f.json_name;
        let optional = matches!(f.presence, Presence::Optional | Presence::OptionalNullable);
        // authentik writes whole numbers without a fraction (`"count": 3`).
        let kind = match (optional, f.ty.holds_number()) {
            (false, false) => quote!(required),
            (false, true) => quote!(number),
            (true, false) => quote!(optional),
            (true, true) => quote!(optional_number),
        };
        // The JSON name only where it is not the Rust name's text.
        if f.rust_name == f.json_name {
            quote!(#fname => #kind,)
        } else {
            quote!(#fname: #json => #kind,)
        }
    });
    let extra = s.additional.as_ref().map(|a| {
        let fname = ident(&a.rust_name);
        quote!(..#fname)
    });
    quote! {
        support::json_object! {
            #name { #(#fields)* #extra }
        }
    }
}

/// `1 character`, `50 characters`.
fn characters(n: usize) -> String {
    if n == 1 {
        "1 character".to_owned()
    } else {
        format!("{n} characters")
    }
}

/// The field's description, with what the schema says about reading and writing it (and, in a
/// `PATCH` body, what an absent or `null` value does).
fn field_doc(f: &Field, patch: bool) -> Option<String> {
    let mut notes = Vec::new();
    if f.read_only {
        notes.push("Read-only: set by the server.".to_owned());
    }
    if f.write_only {
        notes.push(
            "Write-only: never returned by the server, and printed as `<redacted>` by `Debug`."
                .to_owned(),
        );
    }
    if patch && f.presence == Presence::OptionalNullable {
        notes.push("Absent leaves it as is, `Null` clears it.".to_owned());
    }
    let c = &f.constraints;
    let mut rules = Vec::new();
    if let Some(n) = c.min_length {
        rules.push(format!("at least {}", characters(n)));
    }
    if let Some(n) = c.max_length {
        rules.push(format!("at most {}", characters(n)));
    }
    if let Some(p) = &c.pattern {
        rules.push(format!("matches `{p}`"));
    }
    if !rules.is_empty() {
        notes.push(format!("Constraints: {}.", rules.join(", ")));
    }
    // A field the schema does not describe gets only what the schema says about it, if anything.
    match (&f.doc, notes.is_empty()) {
        (Some(doc), true) => Some(doc.clone()),
        (Some(doc), false) => Some(doc_with(Some(doc), &notes.join(" "))),
        (None, false) => Some(notes.join(" ")),
        (None, true) => None,
    }
}
