//! Field names as JSON text: [`field!`](crate::field), checked by the compiler, and
//! [`Fields`], the names of a generated struct that differ between Rust and JSON.

/// The JSON name of a field of a generated struct (a model or an operation's query struct),
/// checked by the compiler: `field!(CaptchaStage.public_key)` is `"public_key"`, usable in
/// `const`s. Hand-written code that has to name a field as text (an `ordering`, a filter column,
/// a 400 message for a field) names it through this macro, so that when the schema renames or
/// removes the field, the line no longer compiles (`no field `public_key` on type
/// `&CaptchaStage``) instead of failing at run time.
///
/// ```ignore
/// use authentik_models::{field, query::StagesCaptchaListQuery, CaptchaStage};
/// const ORDERING: &[&str] = &[field!(CaptchaStage.name), field!(CaptchaStage.public_key)];
/// assert_eq!(field!(StagesCaptchaListQuery.page_size), "page_size");
/// ```
#[macro_export]
macro_rules! field {
    ($($ty:ident)::+ . $field:ident) => {{
        // Only here for the compiler to check that the field exists.
        #[allow(dead_code)]
        fn field_exists(value: &$($ty)::+) {
            let _ = &value.$field;
        }
        $crate::support::json_name(
            stringify!($field),
            <$($ty)::+ as $crate::support::Fields>::RENAMED,
        )
    }};
}

/// What [`field!`](crate::field) reads of a generated struct: its fields whose Rust name is not
/// their JSON name (`type` is `r#type`, `flow__slug` is `flow_slug`).
pub trait Fields {
    /// (Rust name, JSON name) of each field whose names differ.
    const RENAMED: &'static [(&'static str, &'static str)] = &[];
}

/// The JSON name of the field named `rust` in Rust (raw identifiers included), given its
/// struct's [`Fields::RENAMED`]; for [`field!`](crate::field).
#[doc(hidden)]
pub const fn json_name(
    rust: &'static str,
    renamed: &'static [(&'static str, &'static str)],
) -> &'static str {
    let bare = without_raw(rust.as_bytes());
    let mut i = 0;
    while i < renamed.len() {
        if same_bytes(without_raw(renamed[i].0.as_bytes()), bare) {
            return renamed[i].1;
        }
        i += 1;
    }
    match std::str::from_utf8(bare) {
        Ok(name) => name,
        Err(_) => rust,
    }
}

/// A name without the `r#` of a raw identifier.
const fn without_raw(name: &[u8]) -> &[u8] {
    match name {
        [b'r', b'#', ..] => name.split_at(2).1,
        _ => name,
    }
}

const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    #[allow(dead_code)]
    struct Stage {
        name: String,
        r#type: String,
        flow_slug: String,
    }

    impl super::Fields for Stage {
        const RENAMED: &'static [(&'static str, &'static str)] = &[("flow_slug", "flow__slug")];
    }

    #[allow(dead_code)]
    struct Plain {
        name: String,
    }

    impl super::Fields for Plain {}

    /// Usable in a `const`, raw identifiers and renamed fields included.
    const NAMES: &[&str] = &[
        field!(Stage.name),
        field!(Stage.r#type),
        field!(Stage.flow_slug),
        field!(Plain.name),
        field!(self::Plain.name),
    ];

    #[test]
    fn field_names_are_the_json_names() {
        assert_eq!(NAMES, ["name", "type", "flow__slug", "name", "name"]);
    }
}
