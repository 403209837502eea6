//! Names: every Rust identifier the generator emits is made here, from schema text, with `heck`.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keeps only characters that may appear in an identifier, turning the rest into word breaks.
fn words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// A type or variant name: `UpperCamelCase`; `fallback` when nothing is left of `raw`.
pub fn type_name(raw: &str, fallback: &str) -> String {
    let mut name = words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A field, function or module name: `snake_case`, `_`-prefixed before a digit, `_`-suffixed on a keyword.
pub fn field_name(raw: &str, fallback: &str) -> String {
    let mut name = words(raw).to_snake_case();
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Makes `name` unique within `taken` the same way every run (`Name`, `Name2`, `Name3`, ...) and
/// records it.
pub fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let sep = if name.ends_with(|c: char| c.is_ascii_digit()) {
        "_"
    } else {
        ""
    };
    (2..)
        .map(|n| format!("{name}{sep}{n}"))
        .find(|candidate| taken.insert(candidate.clone()))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(type_name("CaptchaStage", "X"), "CaptchaStage");
        assert_eq!(type_name("modelRequest", "X"), "ModelRequest");
        assert_eq!(type_name("content_left", "X"), "ContentLeft");
        assert_eq!(type_name("2fa", "X"), "V2fa");
        assert_eq!(type_name("", "Empty"), "Empty");
        assert_eq!(type_name("ak-stage-captcha", "X"), "AkStageCaptcha");
        assert_eq!(type_name("self", "X"), "Self_");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("stage_uuid", "f"), "stage_uuid");
        assert_eq!(field_name("type", "f"), "type_");
        assert_eq!(field_name("name__iexact", "f"), "name_iexact");
        assert_eq!(field_name("2fa", "f"), "_2fa");
        assert_eq!(field_name("$", "field"), "field");
    }

    #[test]
    fn clashes_break_deterministically() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique("A".into(), &mut taken), "A");
        assert_eq!(unique("A".into(), &mut taken), "A2");
        assert_eq!(unique("A".into(), &mut taken), "A3");
        assert_eq!(unique("V2".into(), &mut taken), "V2");
        assert_eq!(unique("V2".into(), &mut taken), "V2_2");
    }
}
