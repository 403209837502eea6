//! Names: every Rust identifier the generator emits is made here, from schema text, with `heck`,
//! and claimed in a [`Namespace`] that already holds the names the generated code uses itself.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Rust's strict and reserved keywords, and `_`: what syn does not take as an identifier,
/// sorted (for `binary_search`). The one keyword list: made names avoid these, and an emitted
/// identifier that is one of them is raw ([`is_keyword`]).
pub const KEYWORDS: &[&str] = &[
    "Self", "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords of a later edition (2024's `gen`): identifiers in the generated crates' edition 2021,
/// but made names avoid them too, so that the crates can move to a later edition unchanged.
const LATER_KEYWORDS: &[&str] = &["gen"];

/// Whether `name` is one of [`KEYWORDS`].
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.binary_search(&name).is_ok()
}

/// Whether a made name must not be `name`: a keyword of this edition or a later one.
fn avoided(name: &str) -> bool {
    is_keyword(name) || LATER_KEYWORDS.contains(&name)
}

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
    if avoided(&name) {
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
    if avoided(&name) {
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

/// Whether `name` is `base` or one of the numbered forms [`unique`] makes of it (`base2`, or
/// `base_2` when `base` ends in a digit): a name an item may keep from an earlier run.
pub fn is_form_of(name: &str, base: &str) -> bool {
    let Some(rest) = name.strip_prefix(base) else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let number = if base.ends_with(|c: char| c.is_ascii_digit()) {
        rest.strip_prefix('_')
    } else {
        Some(rest)
    };
    number.is_some_and(|n| {
        n.bytes().all(|b| b.is_ascii_digit())
            && !n.starts_with('0')
            && n.parse::<u64>().is_ok_and(|n| n >= 2)
    })
}

/// The names one scope of generated code may not give away, and those already given.
#[derive(Clone, Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

/// Crates and modules the generated code names (`::std::...`, `crate::support::...`): a resource
/// module must not take their names.
const RESERVED_MODULES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "serde",
    "serde_json",
    "serde_path_to_error",
    "axum",
    "reqwest",
    "tower_http",
    "tracing",
    "chrono",
    "uuid",
    "regex",
    "form_urlencoded",
    "futures_core",
    "futures_util",
    "authentik_models",
    "authentik_server",
    "authentik_client",
    "support",
    "router",
    "params",
    "models",
    "query",
    "types",
    "patterns",
    "errors",
    "shapes",
    "responses",
    // Cargo features are named after resource modules; these are cargo's and ours (the client's
    // TLS and middleware features; `native-tls` cannot be a module's name).
    "default",
    "full",
    "rustls",
    "middleware",
];

/// Items at the root of the server and client crates, beside the resource traits.
const RESERVED_ROOT_ITEMS: &[&str] = &[
    "ApiError",
    "AuthError",
    "Authenticate",
    "RouterConfig",
    "BuildError",
    "Client",
    "ClientBuilder",
    "Error",
    "HttpClient",
    "RawBody",
];

/// Methods the client has (`check` was one, and stays reserved so that no name chosen before
/// changes), and the names a server resource module holds beside its handlers: an operation's
/// method (its handler is named after it) must not take them.
const RESERVED_METHODS: &[&str] = &[
    "new",
    "builder",
    "base_url",
    "validates_requests",
    "execute",
    "call",
    "call_with",
    "send",
    "check",
    "json",
    "optional_json",
    "authenticate",
    "router",
    // What a server resource module names beside its handlers.
    "routes",
    "support",
    "models",
    "responses",
];

/// Locals and fields of generated functions that take path parameters: the server's handler and
/// request (`query`, `body`), and the client's methods and page streams.
const RESERVED_PATH_PARAMS: &[&str] = &[
    "input",
    "checked",
    "exists",
    "span",
    "handle",
    "state",
    "request",
    "parts",
    "params",
    "query",
    "body",
    "principal",
    "answer",
    "path",
    "payload",
    "page",
    "list",
    "first",
    "errors",
    "pairs",
    "api",
];

/// Locals of the query struct's `to_pairs` and of the server's parser (`reader`; `errors` was
/// one, and stays reserved so that no name chosen before changes).
const RESERVED_QUERY_PARAMS: &[&str] = &["pairs", "errors", "reader"];

impl Namespace {
    pub fn reserving(names: &[&str]) -> Self {
        Namespace {
            taken: names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    /// The models crate's types: every name is the schema's own; fully qualified paths in the
    /// generated code keep them from shadowing anything.
    pub fn types() -> Self {
        Self::default()
    }

    /// Enum variants: `Unknown` holds values the schema does not list.
    pub fn variants() -> Self {
        Self::reserving(&["Unknown"])
    }

    /// Resource modules at the server's and client's roots.
    pub fn modules() -> Self {
        Self::reserving(RESERVED_MODULES)
    }

    /// Traits at the server's and client's roots.
    pub fn root_items() -> Self {
        Self::reserving(RESERVED_ROOT_ITEMS)
    }

    /// Operation methods (one namespace for the API: the client implements every trait).
    pub fn methods() -> Self {
        Self::reserving(RESERVED_METHODS)
    }

    /// One operation's path parameters.
    pub fn path_params() -> Self {
        Self::reserving(RESERVED_PATH_PARAMS)
    }

    /// One operation's query parameters.
    pub fn query_params() -> Self {
        Self::reserving(RESERVED_QUERY_PARAMS)
    }

    /// Takes `name`, or the first free `name2`, `name3`, ... when it is taken.
    pub fn claim(&mut self, name: String) -> String {
        unique(name, &mut self.taken)
    }

    /// Takes `prior`, the name an earlier run gave the item that `base` names now, when it is
    /// still `base` or a numbered form of it and is free; `None` otherwise (the item is then
    /// named like a new one).
    pub fn keep(&mut self, base: &str, prior: Option<&str>) -> Option<String> {
        let prior = prior.filter(|p| is_form_of(p, base))?;
        self.taken
            .insert(prior.to_owned())
            .then(|| prior.to_owned())
    }

    /// Names a scope's items, each given as its base name and the name an earlier run gave it:
    /// first every item keeps its earlier name ([`Self::keep`]), then the others, in order,
    /// [`Self::claim`] theirs. An added item that collides with an existing one is the one
    /// numbered; without earlier names this is `claim` in order, as a fresh run names.
    pub fn settle(&mut self, items: Vec<(String, Option<&str>)>) -> Vec<String> {
        let kept: Vec<Option<String>> = items
            .iter()
            .map(|(base, prior)| self.keep(base, *prior))
            .collect();
        items
            .into_iter()
            .zip(kept)
            .map(|((base, _), kept)| kept.unwrap_or_else(|| self.claim(base)))
            .collect()
    }
}

/// A Rust name as a `static`'s name: `FlowSet_slug` → `FLOW_SET_SLUG`.
pub fn shouty(name: &str) -> String {
    name.to_shouty_snake_case()
}

/// Schema text as one line of documentation or metadata: control characters (line breaks
/// included) become spaces.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
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
    fn namespaces_hold_the_generated_codes_own_names() {
        let mut params = Namespace::path_params();
        assert_eq!(params.claim("state".into()), "state2");
        assert_eq!(params.claim("stage_uuid".into()), "stage_uuid");
        let mut modules = Namespace::modules();
        assert_eq!(modules.claim("support".into()), "support2");
        assert_eq!(modules.claim("captcha".into()), "captcha");
        let mut queries = Namespace::query_params();
        assert_eq!(queries.claim("page".into()), "page");
        assert_eq!(one_line("a\nb\u{7}c "), "a b c");
    }

    #[test]
    fn numbered_forms_are_told_from_other_names() {
        assert!(is_form_of("DarkMode", "DarkMode"));
        assert!(is_form_of("DarkMode2", "DarkMode"));
        assert!(is_form_of("DarkMode12", "DarkMode"));
        assert!(is_form_of("V2_3", "V2"));
        assert!(!is_form_of("V23", "V2"));
        assert!(!is_form_of("DarkMode1", "DarkMode"));
        assert!(!is_form_of("DarkMode02", "DarkMode"));
        assert!(!is_form_of("DarkMode+2", "DarkMode"));
        assert!(!is_form_of("DarkModes", "DarkMode"));
        assert!(!is_form_of("Dark", "DarkMode"));
    }

    /// `items`' bases settled in a variants namespace with `prior` (item index → earlier name).
    fn settled(items: &[&str], prior: &[(usize, &str)]) -> Vec<String> {
        let items = items
            .iter()
            .enumerate()
            .map(|(i, base)| {
                let earlier = prior.iter().find(|(j, _)| *j == i).map(|(_, n)| *n);
                ((*base).to_owned(), earlier)
            })
            .collect();
        Namespace::variants().settle(items)
    }

    #[test]
    fn a_fresh_run_claims_in_order() {
        let bases = ["DarkMode", "DarkMode", "Light", "Unknown", "DarkMode"];
        let mut one_by_one = Namespace::variants();
        let claimed: Vec<String> = bases
            .iter()
            .map(|b| one_by_one.claim((*b).to_owned()))
            .collect();
        assert_eq!(
            claimed,
            ["DarkMode", "DarkMode2", "Light", "Unknown2", "DarkMode3"]
        );
        assert_eq!(settled(&bases, &[]), claimed);
    }

    #[test]
    fn an_earlier_name_is_kept_and_the_added_item_numbered() {
        // "dark_mode" added before "dark-mode", which was `DarkMode`.
        let names = settled(
            &["DarkMode", "DarkMode", "Light"],
            &[(1, "DarkMode"), (2, "Light")],
        );
        assert_eq!(names, ["DarkMode2", "DarkMode", "Light"]);
        // A numbered name is kept too, once the item it made way for is gone.
        assert_eq!(settled(&["DarkMode"], &[(0, "DarkMode2")]), ["DarkMode2"]);
    }

    #[test]
    fn a_name_whose_item_is_gone_is_free_again() {
        // Earlier: "dark-mode" `DarkMode`, "dark_mode" `DarkMode2`; "dark-mode" is gone and
        // "darkMode" is added: it takes the freed `DarkMode`.
        let names = settled(&["DarkMode", "DarkMode"], &[(0, "DarkMode2")]);
        assert_eq!(names, ["DarkMode2", "DarkMode"]);
    }

    #[test]
    fn an_earlier_name_that_no_longer_fits_is_not_kept() {
        // Not a form of the item's name (a foreign or hand-edited manifest), reserved, or
        // given twice: the item is named like a new one.
        assert_eq!(settled(&["Light"], &[(0, "DarkMode")]), ["Light"]);
        assert_eq!(settled(&["Unknown"], &[(0, "Unknown")]), ["Unknown2"]);
        assert_eq!(settled(&["A", "A"], &[(0, "A2"), (1, "A2")]), ["A2", "A"]);
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
