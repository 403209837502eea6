//! The support templates (`xtask/templates/<crate>/support/*.rs`) reach the generated crates
//! unchanged: each `<crate>/src/support/<module>.rs` is the `@generated` line and then the
//! template's bytes, comments and tests included, so the code compiled, linted and tested in
//! `generated/` is the templates as written. Every template is copied, and nothing else lands in
//! a generated `support/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use xtask::codegen::{self, format};

/// Unit tests in each crate's templates when the support code was split into modules (issue 21);
/// a template may gain tests, but none may get lost.
const TESTS_AT_THE_SPLIT: &[(&str, usize)] = &[("models", 14), ("server", 24), ("client", 10)];

/// Every file under `xtask/templates/`, by its path there (`server/support/mod.rs`).
fn templates() -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a template directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                out.insert(rel.replace('\\', "/"), text);
            }
        }
    }
    let root = xtask::repo_root().join("xtask/templates");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    assert!(!out.is_empty(), "no templates under {}", root.display());
    out
}

/// Where a template is copied: `server/support/mod.rs` → `server/src/support/mod.rs`.
fn copy_path(template: &str) -> PathBuf {
    let (krate, rest) = template
        .split_once('/')
        .unwrap_or_else(|| panic!("xtask/templates/{template} is in no crate's directory"));
    assert!(
        codegen::CRATES.contains(&krate) && rest.starts_with("support/"),
        "xtask/templates/{template} is not in a crate's support/ directory"
    );
    PathBuf::from(format!("{krate}/src/{rest}"))
}

/// The crate a template belongs to (its first directory).
fn crate_of(template: &str) -> &str {
    template.split('/').next().unwrap_or_default()
}

#[test]
fn support_files_are_the_header_and_the_template_byte_for_byte() {
    let root = xtask::repo_root();
    let label = codegen::DEFAULT_SCHEMA;
    let generated = xtask::pipeline::generate(&root.join(label), label, codegen::DEFAULT_PATHS)
        .unwrap_or_else(|e| panic!("{e}"));
    let header = format::header("//", label);
    let templates = templates();
    for (name, text) in &templates {
        let file = copy_path(name);
        let actual = generated.files.get(&file).unwrap_or_else(|| {
            panic!("xtask/templates/{name} is not copied to {}", file.display())
        });
        assert!(
            *actual == format!("{header}\n{text}"),
            "{} is not the header followed by xtask/templates/{name}",
            file.display()
        );
    }
    // Nothing in a generated support module but the templates' copies, and no `support.rs`
    // beside the directory (the two would be the same module).
    for file in generated.files.keys() {
        let path = file.to_string_lossy().replace('\\', "/");
        let in_support = codegen::CRATES
            .iter()
            .any(|krate| path.starts_with(&format!("{krate}/src/support/")));
        if in_support {
            assert!(
                templates.keys().any(|name| copy_path(name) == *file),
                "{path} is generated in a support module but is no template's copy"
            );
        }
        assert!(
            !path.ends_with("/src/support.rs"),
            "{path} is generated beside src/support/"
        );
    }
}

#[test]
fn every_template_the_generator_copies_is_one_on_disk() {
    let templates = templates();
    for (krate, listed) in codegen::support::CRATES {
        for (path, text) in *listed {
            let name = format!("{krate}/{path}");
            let on_disk = templates
                .get(&name)
                .unwrap_or_else(|| panic!("{name} is listed but not under xtask/templates/"));
            assert!(on_disk == text, "{name} is not the file on disk");
        }
        let count = templates.keys().filter(|n| crate_of(n) == *krate).count();
        assert_eq!(
            count,
            listed.len(),
            "xtask/templates/{krate}/ has a file codegen::support::{} does not list",
            krate.to_uppercase()
        );
    }
}

#[test]
fn templates_keep_their_docs_comments_and_tests() {
    let templates = templates();
    for (name, text) in &templates {
        assert!(text.starts_with("//! "), "{name} opens without module docs");
        let tests = test_count(text);
        if text.contains("#[cfg(test)]\nmod tests {") {
            assert!(tests > 0, "{name} has a `mod tests` without a test");
        }
    }
    for (krate, at_the_split) in TESTS_AT_THE_SPLIT {
        let texts = || templates.iter().filter(|(n, _)| crate_of(n) == *krate);
        let tests: usize = texts().map(|(_, text)| test_count(text)).sum();
        assert!(
            tests >= *at_the_split,
            "the {krate} templates have {tests} unit tests, fewer than the {at_the_split} they had"
        );
        assert!(
            texts().any(|(_, text)| text.lines().any(|l| l.trim_start().starts_with("// "))),
            "the {krate} templates have no `//` comment left to keep"
        );
    }
}

/// The unit tests in a template: `#[test]` and `#[tokio::test]` functions.
fn test_count(text: &str) -> usize {
    text.lines()
        .map(str::trim_start)
        .filter(|l| *l == "#[test]" || *l == "#[tokio::test]")
        .count()
}
