//! One generation: the crates that [`codegen`] makes from a schema, with the API manifest
//! (`api.json`, [`api::Surface`]) beside them; and one `cargo xtask codegen` run, which writes or
//! checks them and says what changed in the API since the manifest already there
//! ([`api::Delta`]). This sits above both: `codegen` knows nothing of manifests, `api` nothing
//! of the output directory.

use crate::api;
use crate::codegen::{self, diag::Error, ir, load, write};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
pub use write::Mode;

/// Everything a run owns in the output directory: the crates and the API manifest.
pub const OWNED: &[&str] = &[api::MANIFEST, "client", "models", "server"];

/// What one run does.
#[derive(Clone, Debug)]
pub struct Options {
    pub schema: PathBuf,
    /// How generated files name the schema in their header (`schema/stages.yaml`).
    pub schema_label: String,
    pub paths: String,
    pub out: PathBuf,
    pub mode: Mode,
}

impl Options {
    /// The defaults: our schema, `/stages/`, `generated/`, writing.
    pub fn defaults() -> Self {
        let root = crate::repo_root();
        Options {
            schema: root.join(codegen::DEFAULT_SCHEMA),
            schema_label: codegen::DEFAULT_SCHEMA.to_owned(),
            paths: codegen::DEFAULT_PATHS.to_owned(),
            out: root.join(codegen::DEFAULT_OUT),
            mode: Mode::Write,
        }
    }
}

/// The generated files, in memory, by path relative to the output directory.
#[derive(Debug)]
pub struct Generated {
    pub api: ir::Api,
    /// The API in Rust terms, also among the files as `api.json`.
    pub surface: api::Surface,
    pub files: BTreeMap<PathBuf, String>,
}

/// Loads, lowers, emits and formats: everything but touching the output directory.
pub fn generate(schema: &Path, schema_label: &str, paths: &str) -> Result<Generated, Error> {
    let doc = load::load_paths(schema, schema_label, paths)?;
    generate_from(&doc, schema_label, paths)
}

/// [`generate`] for a document already loaded.
pub fn generate_from(
    doc: &openapiv3::OpenAPI,
    schema_label: &str,
    paths: &str,
) -> Result<Generated, Error> {
    let lowered = codegen::lower_selected(doc, schema_label, paths)?;
    let mut files = BTreeMap::new();
    codegen::emit_crates(&lowered, schema_label, &mut files)?;
    let surface = add_manifest(&lowered, schema_label, paths, &mut files);
    Ok(Generated {
        api: lowered,
        surface,
        files,
    })
}

/// The API manifest of `api` (lowered from `schema_label` with `paths` selected), added to
/// `files` as `api.json`; its surface.
pub fn add_manifest(
    api: &ir::Api,
    schema_label: &str,
    paths: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> api::Surface {
    let surface = api::Surface::from_api(api, schema_label, paths);
    files.insert(PathBuf::from(api::MANIFEST), surface.to_json());
    surface
}

/// What a run did.
#[derive(Debug)]
pub struct Summary {
    pub types: usize,
    pub component_types: usize,
    pub operations: usize,
    pub files: usize,
    pub drift: write::Drift,
    /// What changed in the API since the manifest in the output directory.
    pub api: api::Delta,
    pub elapsed: Duration,
    pub mode: Mode,
}

impl Summary {
    /// The one line a run prints.
    pub fn line(&self) -> String {
        let verb = match self.mode {
            Mode::Write => "changed",
            Mode::Check => "stale",
        };
        format!(
            "codegen: {} types ({} schemas), {} operations, {} of {} files {verb}, {} ms",
            self.types,
            self.component_types,
            self.operations,
            self.drift.len(),
            self.files,
            self.elapsed.as_millis()
        )
    }
}

/// One whole run: generate, then write or check.
pub fn run(options: &Options) -> Result<Summary, Error> {
    let start = Instant::now();
    let generated = generate(&options.schema, &options.schema_label, &options.paths)?;
    let manifest = Path::new(api::MANIFEST);
    let delta = api::Delta::since(
        &options.out.join(manifest),
        &generated.surface,
        generated.files.get(manifest).map_or("", String::as_str),
    );
    let drift = write::sync(&options.out, OWNED, &generated.files, options.mode)?;
    Ok(Summary {
        types: generated.api.models.len(),
        component_types: generated.api.component_models,
        operations: generated.api.operations.len(),
        files: generated.files.len(),
        drift,
        api: delta,
        elapsed: start.elapsed(),
        mode: options.mode,
    })
}
