//! The API in Rust terms, and how it changes: an IR → [`surface::Surface`] (written as
//! `api.json` beside the generated crates) → [`diff::diff`] of two surfaces → [`report`].
//! `cargo xtask api-diff` ([`cli`]) compares two schemas (or manifests); `cargo xtask codegen`
//! compares its new manifest with the one in the output directory.

pub mod cli;
pub mod diff;
pub mod report;
pub mod surface;

use crate::codegen::{self, diag::Error};
use std::path::Path;
pub use surface::Surface;

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = "api.json";

/// Whether `text` is an API manifest rather than a schema: a JSON object whose first key is the
/// manifest's marker (no schema has it; a schema is not parsed twice to find out).
pub fn is_manifest(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with('{')
        && text
            .find("\"@generated\"")
            .is_some_and(|at| text[1..at].trim().is_empty())
}

/// The surface of `path`: a schema (YAML or JSON), loaded and lowered with `paths` selected, or
/// a manifest an earlier `cargo xtask codegen` wrote, read as it is. Errors name the file as
/// `label` and, for schema problems, every JSON pointer.
pub fn load_surface(path: &Path, label: &str, paths: &str) -> Result<Surface, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: label.to_owned(),
        source,
    })?;
    if is_manifest(&text) {
        return Surface::from_json(&text).map_err(|message| {
            Error::Usage(format!(
                "{label}: not a manifest this version reads: {message}"
            ))
        });
    }
    let doc = codegen::load::parse(&text, label)?;
    let api = codegen::lower_selected(&doc, label, paths)?;
    Ok(Surface::from_api(&api, label, paths))
}

/// What the API did since the manifest already in the output directory.
#[derive(Debug)]
pub enum Delta {
    /// The manifest there is the one generated now.
    Unchanged,
    /// There was none.
    NoManifest,
    /// There was one that could not be read (hand-edited, or an older format).
    Unreadable(String),
    /// The changes from the manifest there to the one generated now.
    Changes(Vec<diff::Change>),
}

impl Delta {
    /// Compares the manifest at `path` (if any) with `new`, whose text is `new_text`.
    pub fn since(path: &Path, new: &Surface, new_text: &str) -> Delta {
        let old_text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(_) => return Delta::NoManifest,
        };
        // The common case, and the cheap one: nothing to parse.
        if old_text == new_text {
            return Delta::Unchanged;
        }
        match Surface::from_json(&old_text) {
            Ok(old) => Delta::Changes(diff::diff(&old, new)),
            Err(message) => Delta::Unreadable(message),
        }
    }

    /// The line a run that changed files prints.
    pub fn line(&self) -> String {
        match self {
            Delta::Unchanged => report::summary_line(&[]),
            Delta::NoManifest => format!("api: no earlier {MANIFEST} to compare with"),
            Delta::Unreadable(why) => {
                format!("api: the earlier {MANIFEST} could not be read ({why}); no API summary")
            }
            Delta::Changes(changes) => report::summary_line(changes),
        }
    }

    /// What `--check` says before its file diffs: the summary and every change.
    pub fn explain(&self, manifest: &Path) -> Option<String> {
        let shown = manifest.display();
        match self {
            Delta::Unchanged => None,
            Delta::NoManifest => Some(format!(
                "api: {shown} is missing, so the API change cannot be told\n"
            )),
            Delta::Unreadable(why) => Some(format!("api: {shown} could not be read ({why})\n")),
            Delta::Changes(changes) if changes.is_empty() => Some(format!(
                "api: the API is as {shown} says; only the generated code differs\n"
            )),
            Delta::Changes(changes) => {
                let line = report::summary_line(changes);
                let counts = line.strip_prefix("api: ").unwrap_or(&line);
                Some(format!(
                    "api: the schema's API differs from {shown}: {counts}\n{}\n",
                    report::text(changes).trim_end()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_manifest;

    #[test]
    fn a_manifest_is_told_from_a_schema_by_its_first_key() {
        assert!(is_manifest(
            "{\n  \"@generated\": \"by cargo xtask codegen\",\n  \"format\": 1}"
        ));
        assert!(!is_manifest(
            "{\"openapi\": \"3.0.3\", \"info\": {\"description\": \"\\\"@generated\\\"\"}}"
        ));
        assert!(!is_manifest("openapi: 3.0.3\n# \"@generated\"\n"));
        assert!(!is_manifest(""));
    }
}
