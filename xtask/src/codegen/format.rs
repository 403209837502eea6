//! Pass 4, format: token stream → Rust source text, with the `@generated` header. Support
//! templates are not formatted: they are copied below the header as they are ([`copy_template`]).

use super::diag::Error;
use proc_macro2::TokenStream;

/// Parses the tokens as a file, prints it with prettyplease and puts `header` above it.
pub fn format_rust(file: &str, tokens: TokenStream, header: &str) -> Result<String, Error> {
    Ok(format!("{header}\n{}", print(file, tokens)?))
}

/// Parses the tokens as a file and prints it with prettyplease, without a header: the printed
/// parts of a file can be joined in order with a blank line between them ([`join`];
/// prettyplease prints items one after another, so the parts joined equal the whole printed at
/// once), which lets the driver format a large file in parallel runs.
pub fn print(file: &str, tokens: TokenStream) -> Result<String, Error> {
    let parsed: syn::File = syn::parse2(tokens).map_err(|e| Error::Format {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    Ok(spaced(&tables(&prettyplease::unparse(&parsed))))
}

/// The macros whose invocations are tables, one entry per line ([`tables`]).
const TABLE_MACROS: &[&str] = &["json_object! {", "string_enum! {"];

/// Lays out each `json_object!` and `string_enum!` invocation as the table it is, one entry per
/// line:
/// prettyplease fills a macro's tokens into lines like a paragraph (`name : "name" =>
/// required, flow : "flow" => optional, ...`), which a reviewer cannot read in a diff.
fn tables(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if !TABLE_MACROS.iter().any(|m| line.trim_end().ends_with(m)) {
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let close = format!("{indent}}}");
        let mut printed = Vec::new();
        for inner in lines.by_ref() {
            if inner == close {
                break;
            }
            printed.push(inner);
        }
        let body = printed
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let (Some(open), Some(end)) = (body.find('{'), body.rfind('}')) else {
            // Not a table this pass wrote: left as printed.
            for inner in printed {
                out.push_str(inner);
                out.push('\n');
            }
            out.push_str(&close);
            out.push('\n');
            continue;
        };
        let name = body[..open].trim();
        out.push_str(&format!("{indent}    {name} {{\n"));
        for entry in split_entries(&body[open + 1..end]) {
            let entry = entry.replacen(" : ", ": ", 1);
            let comma = if entry.starts_with("..") { "" } else { "," };
            out.push_str(&format!("{indent}        {entry}{comma}\n"));
        }
        out.push_str(&format!("{indent}    }}\n{close}\n"));
    }
    out
}

/// The comma-separated entries of a table, commas inside string literals kept.
fn split_entries(text: &str) -> Vec<String> {
    let mut entries = Vec::new();
    let mut entry = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            entry.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                entry.push(c);
            }
            ',' => entries.push(std::mem::take(&mut entry)),
            _ => entry.push(c),
        }
    }
    entries.push(entry);
    entries
        .into_iter()
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .collect()
}

/// Puts a blank line between items, as a person (and rustfmt's users) would: before an item,
/// its docs or attributes, when the line before it ends another item at the same depth, and
/// after a file's inner docs. `use` lines stay together. prettyplease prints no blank lines.
fn spaced(text: &str) -> String {
    const STARTS: &[&str] = &[
        "///",
        "#[",
        "pub ",
        "pub(",
        "impl",
        "fn ",
        "async fn ",
        "const ",
        "static ",
        "struct ",
        "enum ",
        "trait ",
        "type ",
        "mod ",
        "use ",
        "unsafe ",
    ];
    // Items that are the table macros' invocations: at the top level only (inside a function a
    // line starting so is a call).
    const TOP_STARTS: &[&str] = &["support::json_object!", "crate::support::string_enum!"];
    let is_use = |line: &str| line.starts_with("use ") || line.starts_with("pub use ");
    let is_inner = |line: &str| line.starts_with("//!") || line.starts_with("#![");
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous: Option<&str> = None;
    for line in text.lines() {
        let this = line.trim_start();
        if let Some(before) = previous {
            let last = before.trim_start();
            let after_item = indent(before) == indent(line)
                && (last.ends_with('}') || last.ends_with(';'))
                && (STARTS.iter().any(|s| this.starts_with(s))
                    || (indent(line) == 0 && TOP_STARTS.iter().any(|s| this.starts_with(s))))
                && !(is_use(last) && is_use(this));
            let after_inner_docs = is_inner(last) && !is_inner(this) && !this.is_empty();
            if after_item || after_inner_docs {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        previous = Some(line);
    }
    out
}

/// Printed parts of one file, in order, as [`print()`] would have printed them whole.
pub fn join(parts: impl IntoIterator<Item = String>) -> String {
    let mut text = String::new();
    for part in parts {
        if part.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&part);
    }
    text
}

/// A template copied as it is, below `header`: templates are not formatted, so their comments
/// stay and the generated file is exactly the code that was compiled and tested as the template.
pub fn copy_template(text: &str, header: &str) -> String {
    format!("{header}\n{text}")
}

/// The first line of every generated file; rustfmt and GitHub recognise `@generated`.
pub fn header(comment: &str, schema: &str) -> String {
    format!("{comment} @generated by cargo xtask codegen from {schema}; do not edit.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn formats_with_header() {
        let text = format_rust(
            "x.rs",
            quote!(
                pub struct A {
                    pub b: u8,
                }
            ),
            "// h",
        )
        .unwrap();
        assert_eq!(text, "// h\npub struct A {\n    pub b: u8,\n}\n");
    }

    #[test]
    fn printed_parts_joined_equal_the_whole_printed() {
        let items: Vec<u32> = (0..50).collect();
        let emit = |i: &u32| {
            let name = quote::format_ident!("S{}", i);
            quote!(pub struct #name { pub a: u8 } impl #name { fn f(&self) {} })
        };
        let whole = {
            let all = items.iter().map(emit);
            print("x.rs", quote!(#(#all)*)).unwrap()
        };
        let parts = join(items.chunks(7).map(|run| {
            let run = run.iter().map(emit);
            print("x.rs", quote!(#(#run)*)).unwrap()
        }));
        assert_eq!(parts, whole);
        assert!(whole.contains("}\n\npub struct S1 {"), "{whole}");
    }

    #[test]
    fn items_are_apart_and_uses_together() {
        let text = print(
            "x.rs",
            quote! {
                //! Inner.
                use a::b;
                use c::d;
                pub trait T {
                    fn f(&self);
                    /// Doc.
                    fn g(&self);
                }
                fn h() {
                    let x = 1;
                    let y = x;
                }
            },
        )
        .unwrap();
        assert_eq!(
            text,
            "//! Inner.\n\nuse a::b;\nuse c::d;\n\npub trait T {\n    fn f(&self);\n\n    /// Doc.\n    fn g(&self);\n}\n\nfn h() {\n    let x = 1;\n    let y = x;\n}\n"
        );
    }

    #[test]
    fn json_tables_are_one_field_per_line() {
        let text = print(
            "x.rs",
            quote! {
                #[cfg(feature = "f")]
                support::json_object! {
                    Stage { name: "name" => required, flow_slug: "flow__slug" => optional,
                        odd: "a, \"b\" => c," => required, r#type: "type" => optional_number,
                        ..rest }
                }
                impl A {}
            },
        )
        .unwrap();
        assert_eq!(
            text,
            "#[cfg(feature = \"f\")]\nsupport::json_object! {\n    Stage {\n        name: \"name\" => required,\n        flow_slug: \"flow__slug\" => optional,\n        odd: \"a, \\\"b\\\" => c,\" => required,\n        r#type: \"type\" => optional_number,\n        ..rest\n    }\n}\n\nimpl A {}\n"
        );
    }

    #[test]
    fn templates_are_copied_unchanged_below_the_header() {
        let template = "//! Docs.\n\n// A comment prettyplease would drop.\nfn  spaced() {}\n";
        assert_eq!(copy_template(template, "// h"), format!("// h\n{template}"));
    }

    #[test]
    fn bad_tokens_are_an_error_not_a_panic() {
        let err = format_rust("x.rs", quote!(pub struct), "// h").unwrap_err();
        assert!(err.to_string().contains("x.rs"), "{err}");
    }
}
