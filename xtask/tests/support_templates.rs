//! The support templates (`xtask/templates/*_support.rs`) reach the generated crates unchanged:
//! each `support.rs` is the `@generated` line and then the template's bytes, comments and tests
//! included, so the code compiled, linted and tested in `generated/` is the template as written.

use std::path::Path;
use xtask::codegen::{self, format};

/// Each generated crate's support file, with the template it copies.
const COPIES: &[(&str, &str)] = &[
    ("models/src/support.rs", "models_support.rs"),
    ("server/src/support.rs", "server_support.rs"),
    ("server/src/support/shape.rs", "server_shape_support.rs"),
    ("client/src/support.rs", "client_support.rs"),
];

fn template(name: &str) -> String {
    let path = xtask::repo_root().join("xtask/templates").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn support_files_are_the_header_and_the_template_byte_for_byte() {
    let root = xtask::repo_root();
    let label = codegen::DEFAULT_SCHEMA;
    let generated = xtask::pipeline::generate(&root.join(label), label, codegen::DEFAULT_PATHS)
        .unwrap_or_else(|e| panic!("{e}"));
    for (file, name) in COPIES {
        let expected = format!("{}\n{}", format::header("//", label), template(name));
        let actual = generated
            .files
            .get(Path::new(file))
            .unwrap_or_else(|| panic!("{file} is not generated"));
        assert!(
            *actual == expected,
            "{file} is not the header followed by xtask/templates/{name}"
        );
    }
}

#[test]
fn templates_keep_their_comments_and_tests() {
    for (_, name) in COPIES {
        let text = template(name);
        assert!(text.starts_with("//! "), "{name} opens without module docs");
        assert!(
            text.contains("#[cfg(test)]\nmod tests {"),
            "{name} has no unit tests"
        );
        assert!(
            text.lines().any(|l| l.trim_start().starts_with("// ")),
            "{name} has no `//` comment left to keep"
        );
    }
}
