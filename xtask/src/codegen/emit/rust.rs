//! The emitters' helpers, the one place where IR facts become Rust spelling: identifiers,
//! types, doc attributes, `#[cfg]` gates, and the imports a file's items need.

use crate::codegen::ir::*;
use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

/// The Rust type for an IR type; `models` is the path models are reached by (`crate` inside the
/// models crate). Everything else is named by its full path: a model may be called `String`.
pub fn type_tokens(ty: &Type, models: &TokenStream) -> TokenStream {
    type_tokens_in(ty, models, false)
}

/// The Rust type for an IR type in the server's and client's modules, which `use` the models
/// crate as `models` and whose own items (`...Request`, `...Query`, `...Api`, `...Error`) cannot
/// shadow the prelude: `String`, `Vec` and `Option` go by their short names there.
pub fn local_type(ty: &Type) -> TokenStream {
    type_tokens_in(ty, &quote!(models), true)
}

fn type_tokens_in(ty: &Type, models: &TokenStream, prelude: bool) -> TokenStream {
    match ty {
        Type::String if prelude => quote!(String),
        Type::String => quote!(::std::string::String),
        Type::Uuid => quote!(::uuid::Uuid),
        Type::DateTime => quote!(::chrono::DateTime<::chrono::FixedOffset>),
        Type::Date => quote!(::chrono::NaiveDate),
        Type::Binary => quote!(#models::support::Binary),
        Type::Integer { bits: 32 } => quote!(i32),
        Type::Integer { .. } => quote!(i64),
        Type::Number => quote!(f64),
        Type::Boolean => quote!(bool),
        Type::Any => quote!(::serde_json::Value),
        Type::Named(name) => {
            let ident = ident(name);
            quote!(#models::#ident)
        }
        Type::Array(inner) => {
            let inner = type_tokens_in(inner, models, prelude);
            if prelude {
                quote!(Vec<#inner>)
            } else {
                quote!(::std::vec::Vec<#inner>)
            }
        }
        Type::Map(inner) => {
            let inner = type_tokens_in(inner, models, prelude);
            if prelude {
                quote!(::std::collections::BTreeMap<String, #inner>)
            } else {
                quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
            }
        }
        Type::Nullable(inner) => {
            let inner = type_tokens_in(inner, models, prelude);
            if prelude {
                quote!(Option<#inner>)
            } else {
                quote!(::std::option::Option<#inner>)
            }
        }
    }
}

/// An identifier; names come from `naming`, so they are valid (raw only if ever needed).
pub fn ident(name: &str) -> Ident {
    // Plain ASCII names (all that naming makes from ASCII text) are checked against the
    // keywords here, without a parser; anything else asks syn.
    let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.bytes().next().is_some_and(|b| !b.is_ascii_digit());
    let keyword = if plain {
        crate::codegen::naming::is_keyword(name)
    } else {
        syn::parse_str::<Ident>(name).is_err()
    };
    if keyword {
        format_ident!("r#{}", name)
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// `#[doc]` attributes for a description, or the fallback when there is none.
///
/// Each line is led by a space so it prints as `/// text`. Leading indentation is dropped and
/// code fences are broken, so schema text never becomes a doctest or a code block.
pub fn doc_attrs(doc: Option<&str>, fallback: &str) -> TokenStream {
    let text = doc
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(fallback);
    // Control characters (a lone carriage return, a bell...) would end up raw in a comment.
    let text: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let lines = text.lines().map(|line| {
        let line = line.trim().replace("```", "` ` `");
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// A parameter's description; without one, its name on the wire where the Rust name differs
/// (`pageSize`), else nothing: a doc that only repeats the field's name says nothing.
pub fn param_doc(p: &Param) -> TokenStream {
    let bare = p.rust_name.strip_prefix("r#").unwrap_or(&p.rust_name);
    let fallback = if bare == p.name {
        String::new()
    } else {
        format!("`{}`", p.name)
    };
    doc_attrs(p.doc.as_deref(), &fallback)
}

/// One `#[doc]` line for a short text that may hold schema strings (values, tags, patterns):
/// control characters become spaces, so it stays one line.
pub fn doc_line(text: &str) -> TokenStream {
    let line = format!(" {}", crate::codegen::naming::one_line(text));
    quote!(#[doc = #line])
}

/// `items` (a sequence of items) with `#[cfg(feature = "...")]` on each one (after its doc
/// comment), so that the cargo feature compiles them; unchanged when `feature` is `None` (always compiled).
///
/// An item ends at a top-level `;` or at a top-level `{ ... }` that no `;` follows
/// (`struct X { .. }`, `impl X { .. }`; not `use a::{b, c};` or `const X: T = T { .. };`).
pub fn gate(feature: Option<&str>, items: TokenStream) -> TokenStream {
    let Some(feature) = feature else {
        return items;
    };
    let cfg = quote!(#[cfg(feature = #feature)]);
    let mut out = TokenStream::new();
    let mut tokens = items.into_iter().peekable();
    let mut at_start = true;
    while let Some(token) = tokens.next() {
        if at_start {
            // After the item's doc comment, before its other attributes.
            if is_pound(&token) && matches!(tokens.peek(), Some(TokenTree::Group(g)) if is_doc(g)) {
                out.extend([token]);
                out.extend(tokens.next());
                continue;
            }
            out.extend(cfg.clone());
        }
        let ends = match &token {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        out.extend([token]);
        at_start = ends;
    }
    out
}

fn is_pound(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == '#')
}

/// Whether an attribute's `[...]` is `[doc = ...]`.
fn is_doc(group: &proc_macro2::Group) -> bool {
    group.delimiter() == Delimiter::Bracket
        && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc")
}

/// `#![allow(unused_imports)]` for a file whose items are behind different features (`gated`):
/// with some resources' features off, every item that uses one of its imports may be left out.
pub fn allow_unused_imports(gated: bool) -> TokenStream {
    if gated {
        quote!(#![allow(unused_imports)])
    } else {
        quote!()
    }
}

/// Appends a paragraph to a doc text.
pub fn doc_with(doc: Option<&str>, extra: &str) -> String {
    match doc.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => format!("{d}\n\n{extra}"),
        None => extra.to_owned(),
    }
}

/// How the server and client crates name the models crate.
pub fn models() -> TokenStream {
    quote!(::authentik_models)
}

pub fn operation_doc(op: &Operation) -> String {
    doc_with(
        op.doc.as_deref(),
        &format!("`{} {}` (`{}`)", op.method, op.path, op.operation_id),
    )
}

/// The Rust type of one path or query value, with models reached through `models` (`crate`
/// inside the models crate).
pub fn param_value_tokens(value: &ParamValue, models: &TokenStream) -> TokenStream {
    match value {
        ParamValue::String => quote!(::std::string::String),
        other => type_tokens(&other.ty(), models),
    }
}

pub fn status_doc(status: &Status) -> String {
    match status {
        Status::Code(n) => format!("`{n}`"),
        Status::Default => "Any other status (`default`).".to_owned(),
    }
}

/// `use authentik_models as models;` where `items` name the models crate (an unused import
/// would fail the generated crates' lints).
pub fn models_import(items: &TokenStream) -> TokenStream {
    if names_path(items, "models") {
        quote!(
            use authentik_models as models;
        )
    } else {
        quote!()
    }
}

/// `impl Fields for X` (the models' `support::Fields`, which `field!` reads): the fields whose
/// Rust name (without `r#`) is not their JSON name, given as (Rust name, JSON name).
pub fn fields_impl<'a>(
    support: &TokenStream,
    name: &proc_macro2::Ident,
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> TokenStream {
    let renamed: Vec<TokenStream> = fields
        .filter_map(|(rust, json)| {
            let bare = rust.strip_prefix("r#").unwrap_or(rust);
            (bare != json).then(|| quote!((#bare, #json)))
        })
        .collect();
    if renamed.is_empty() {
        quote!(impl #support::Fields for #name {})
    } else {
        quote! {
            impl #support::Fields for #name {
                const RENAMED: &'static [(&'static str, &'static str)] = &[#(#renamed),*];
            }
        }
    }
}

/// A status code as a person writes it (`200`, not `200u16`).
pub fn status_literal(n: u16) -> proc_macro2::Literal {
    proc_macro2::Literal::u16_unsuffixed(n)
}

/// Whether `tokens` name `ident` anywhere, inside groups too: how an emitter derives its
/// imports from what it emitted.
pub fn mentions(tokens: &TokenStream, ident: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(i) => i == ident,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), ident),
        _ => false,
    })
}

/// Whether `tokens` use `ident` as the start of a path (`models::Thing`), inside groups too:
/// unlike [`mentions`], a parameter or field of that name (`models: &str`) does not count.
pub fn names_path(tokens: &TokenStream, ident: &str) -> bool {
    let mut trees = tokens.clone().into_iter().peekable();
    while let Some(tree) = trees.next() {
        let found = match &tree {
            proc_macro2::TokenTree::Ident(i) => {
                *i == ident
                    && matches!(trees.peek(), Some(proc_macro2::TokenTree::Punct(p))
                        if p.as_char() == ':' && p.spacing() == proc_macro2::Spacing::Joint)
            }
            proc_macro2::TokenTree::Group(g) => names_path(&g.stream(), ident),
            _ => false,
        };
        if found {
            return true;
        }
    }
    false
}

/// `import` where `tokens` name `ident`, else nothing (an unused import would fail the
/// generated crates' lints).
pub fn use_if(tokens: &TokenStream, ident: &str, import: TokenStream) -> TokenStream {
    if mentions(tokens, ident) {
        import
    } else {
        quote!()
    }
}

/// A status as `http`'s named constant (`StatusCode::OK`, the same type in axum and reqwest);
/// a code without one is made by the crate's `support::status_code` (`lower` checked it is a
/// valid status).
pub fn status_code(n: u16) -> TokenStream {
    match named_status(n) {
        Some(name) => {
            let name = format_ident!("{}", name);
            quote!(StatusCode::#name)
        }
        None => {
            let n = status_literal(n);
            quote!(support::status_code(#n))
        }
    }
}

/// The name of the `StatusCode` constant for a status, where it has one.
pub fn named_status(n: u16) -> Option<&'static str> {
    const NAMED: &[(u16, &str)] = &[
        (200, "OK"),
        (201, "CREATED"),
        (202, "ACCEPTED"),
        (203, "NON_AUTHORITATIVE_INFORMATION"),
        (204, "NO_CONTENT"),
        (205, "RESET_CONTENT"),
        (206, "PARTIAL_CONTENT"),
        (300, "MULTIPLE_CHOICES"),
        (301, "MOVED_PERMANENTLY"),
        (302, "FOUND"),
        (303, "SEE_OTHER"),
        (304, "NOT_MODIFIED"),
        (307, "TEMPORARY_REDIRECT"),
        (308, "PERMANENT_REDIRECT"),
        (400, "BAD_REQUEST"),
        (401, "UNAUTHORIZED"),
        (402, "PAYMENT_REQUIRED"),
        (403, "FORBIDDEN"),
        (404, "NOT_FOUND"),
        (405, "METHOD_NOT_ALLOWED"),
        (406, "NOT_ACCEPTABLE"),
        (408, "REQUEST_TIMEOUT"),
        (409, "CONFLICT"),
        (410, "GONE"),
        (411, "LENGTH_REQUIRED"),
        (412, "PRECONDITION_FAILED"),
        (413, "PAYLOAD_TOO_LARGE"),
        (414, "URI_TOO_LONG"),
        (415, "UNSUPPORTED_MEDIA_TYPE"),
        (416, "RANGE_NOT_SATISFIABLE"),
        (417, "EXPECTATION_FAILED"),
        (418, "IM_A_TEAPOT"),
        (422, "UNPROCESSABLE_ENTITY"),
        (423, "LOCKED"),
        (428, "PRECONDITION_REQUIRED"),
        (429, "TOO_MANY_REQUESTS"),
        (500, "INTERNAL_SERVER_ERROR"),
        (501, "NOT_IMPLEMENTED"),
        (502, "BAD_GATEWAY"),
        (503, "SERVICE_UNAVAILABLE"),
        (504, "GATEWAY_TIMEOUT"),
    ];
    NAMED
        .iter()
        .find(|(code, _)| *code == n)
        .map(|(_, name)| *name)
}

/// The pattern of a `match` arm on the client's `answer.status` for a status: its constant, or
/// a guard for a code without a name.
pub fn client_status_pattern(n: u16) -> TokenStream {
    match named_status(n) {
        Some(_) => status_code(n),
        None => {
            let n = status_literal(n);
            quote!(status if status.as_u16() == #n)
        }
    }
}

#[cfg(test)]
mod gate_tests {
    use super::gate;
    use quote::quote;

    #[test]
    fn a_path_is_told_from_a_binding_of_the_same_name() {
        use super::names_path;
        assert!(names_path(
            &quote!(
                fn f(x: Vec<models::Thing>) {}
            ),
            "models"
        ));
        assert!(!names_path(
            &quote!(
                fn f(models: &str) {
                    let models = 1;
                }
            ),
            "models"
        ));
        assert!(!names_path(&quote!(authentik_models::query::Q), "models"));
    }

    #[test]
    fn every_item_gets_the_cfg_and_nothing_else_does() {
        let items = quote! {
            #[doc = " A"]
            #[derive(Debug)]
            pub struct A { x: u8 }
            impl A { fn f() {} }
            pub struct B(u8);
            use a::{b, c};
            const C: A = A { x: 1 };
            static P: L = L::new(|| { 1 });
            type T = u8;
        };
        let gated = gate(Some("captcha"), items.clone()).to_string();
        assert_eq!(
            gated.matches("# [cfg (feature = \"captcha\")]").count(),
            7,
            "{gated}"
        );
        assert!(
            gated.starts_with("# [doc = \" A\"] # [cfg (feature = \"captcha\")] # [derive"),
            "{gated}"
        );
        assert!(gated.contains("} ; # [cfg"), "{gated}");
        assert_eq!(gate(None, items.clone()).to_string(), items.to_string());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keywords_are_what_syn_refuses_and_sorted() {
        use crate::codegen::naming::KEYWORDS;
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        for keyword in KEYWORDS {
            assert!(syn::parse_str::<syn::Ident>(keyword).is_err(), "{keyword}");
        }
        // Near misses syn takes as identifiers: not listed.
        for word in [
            "gen",
            "union",
            "macro_rules",
            "raw",
            "safe",
            "auto",
            "default",
            "types",
        ] {
            assert!(syn::parse_str::<syn::Ident>(word).is_ok(), "{word}");
            assert!(!KEYWORDS.contains(&word), "{word}");
        }
        assert_eq!(super::ident("type").to_string(), "r#type");
        // A later edition's keyword is an identifier here, but made names avoid it.
        assert_eq!(super::ident("gen").to_string(), "gen");
        assert_eq!(crate::codegen::naming::field_name("gen", "x"), "gen_");
        assert_eq!(super::ident("types").to_string(), "types");
        assert_eq!(super::ident("é").to_string(), "é");
    }
}
