//! The API in Rust terms, and how it changes: an IR → [`surface::Surface`] (written as
//! `api.json` beside the generated crates) → [`diff::diff`] of two surfaces → [`report`].
//! `cargo xtask api-diff` ([`cli`]) compares two schemas (or manifests); `cargo xtask codegen`
//! compares its new manifest with the one in the output directory.

pub mod cli;
pub mod diff;
pub mod report;
pub mod surface;

use crate::codegen::{self, diag::Error, lower::PriorNames};
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

/// The surface of `path`: a schema (YAML or JSON), loaded and lowered with `paths` selected as
/// a fresh run names it, or a manifest an earlier `cargo xtask codegen` wrote, read as it is.
/// Errors name the file as `label` and, for schema problems, every JSON pointer.
pub fn load_surface(path: &Path, label: &str, paths: &str) -> Result<Surface, Error> {
    read_input(path, label)?.surface(label, paths, &PriorNames::default())
}

/// OLD's surface ([`load_surface`]) and NEW's, NEW lowered keeping OLD's names (api-diff's
/// pair: an item OLD had keeps its name in NEW, so an added one that collides with it is the
/// one numbered, as the next `cargo xtask codegen` over OLD's output would name them). NEW is
/// read while OLD is lowered.
pub fn load_pair(
    (old, old_label): (&Path, &str),
    (new, new_label): (&Path, &str),
    paths: &str,
) -> (Result<Surface, Error>, Result<Surface, Error>) {
    std::thread::scope(|scope| {
        let old = spawn_deep(scope, move || load_surface(old, old_label, paths));
        let new = spawn_deep(scope, move || read_input(new, new_label));
        let old = join(old);
        let prior = old.as_ref().map(Surface::prior_names).unwrap_or_default();
        let new = join(new).and_then(|input| {
            join(spawn_deep(scope, move || {
                input.surface(new_label, paths, &prior)
            }))
        });
        (old, new)
    })
}

/// Runs `work` on a thread of its own with room for reading and lowering, which recurse
/// through nested schemas: the main thread's stack, and more.
fn spawn_deep<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> Result<T, Error> + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, Result<T, Error>>> {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn_scoped(scope, work)
}

fn join<T>(
    handle: std::io::Result<std::thread::ScopedJoinHandle<'_, Result<T, Error>>>,
) -> Result<T, Error> {
    match handle {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(Error::Usage("internal error: loading panicked".to_owned()))),
        Err(e) => Err(Error::Usage(format!("cannot start a thread: {e}"))),
    }
}

/// A file api-diff compares, read: a manifest's surface, or a schema not lowered yet.
pub enum Input {
    Manifest(Surface),
    Schema(Box<openapiv3::OpenAPI>),
}

/// Reads `path` as a manifest or a schema; errors name it as `label`.
pub fn read_input(path: &Path, label: &str) -> Result<Input, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: label.to_owned(),
        source,
    })?;
    if is_manifest(&text) {
        return Surface::from_json(&text)
            .map(Input::Manifest)
            .map_err(|message| {
                Error::Usage(format!(
                    "{label}: not a manifest this version reads: {message}"
                ))
            });
    }
    Ok(Input::Schema(Box::new(codegen::load::parse(&text, label)?)))
}

impl Input {
    /// The surface: a manifest's as it is, a schema's lowered with `paths` selected, keeping
    /// the names `prior` gave.
    pub fn surface(self, label: &str, paths: &str, prior: &PriorNames) -> Result<Surface, Error> {
        match self {
            Input::Manifest(surface) => Ok(surface),
            Input::Schema(doc) => {
                let api = codegen::lower_selected(&doc, label, paths, prior)?;
                Ok(Surface::from_api(&api, label, paths))
            }
        }
    }
}

/// The manifest an earlier run left in the output directory, if any: its text, and its surface
/// or why it does not read.
pub struct Earlier {
    text: Option<String>,
    surface: Option<Result<Surface, String>>,
}

impl Earlier {
    /// Reads the manifest at `path`; none there is no earlier run.
    pub fn read(path: &Path) -> Earlier {
        let text = std::fs::read_to_string(path).ok();
        let surface = text.as_deref().map(Surface::from_json);
        Earlier { text, surface }
    }

    /// The names the earlier run gave, for this one to keep; none when there is no manifest or
    /// it does not read (then names are made as a fresh run makes them).
    pub fn prior_names(&self) -> PriorNames {
        match &self.surface {
            Some(Ok(surface)) => surface.prior_names(),
            _ => PriorNames::default(),
        }
    }

    /// What the API did since: the changes from the earlier manifest to `new`, whose text is
    /// `new_text`.
    pub fn delta(&self, new: &Surface, new_text: &str) -> Delta {
        match (&self.text, &self.surface) {
            (None, _) | (_, None) => Delta::NoManifest,
            // The common case: nothing changed.
            (Some(old_text), _) if old_text == new_text => Delta::Unchanged,
            (_, Some(Ok(old))) => Delta::Changes(diff::diff(old, new)),
            (_, Some(Err(message))) => Delta::Unreadable(message.clone()),
        }
    }
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
