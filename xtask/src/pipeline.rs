//! One generation: the crates that [`codegen`] makes from a schema, with the API manifest
//! (`api.json`, [`api::Surface`]) beside them; and one `cargo xtask codegen` run, which writes or
//! checks them and says what changed in the API since the manifest already there
//! ([`api::Delta`]). A run keeps the names that manifest records ([`api::Earlier`]): an item
//! that was there keeps its name, and an added one that collides with it is the one numbered.
//! This sits above both: `codegen` knows nothing of manifests, `api` nothing of the output
//! directory.

use crate::api;
use crate::codegen::{self, diag::Error, ir, load, lower::PriorNames, write};
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

/// Loads, lowers, emits and formats: everything but touching the output directory. Every name
/// is made as a fresh run makes it.
pub fn generate(schema: &Path, schema_label: &str, paths: &str) -> Result<Generated, Error> {
    generate_named(schema, schema_label, paths, &PriorNames::default())
}

/// [`generate`] over an earlier generation whose API was `earlier` (its manifest): every item
/// it had keeps its name, and an added one that collides with it in Rust is the one numbered.
pub fn regenerate(
    schema: &Path,
    schema_label: &str,
    paths: &str,
    earlier: &api::Surface,
) -> Result<Generated, Error> {
    generate_named(schema, schema_label, paths, &earlier.prior_names())
}

/// [`generate`], keeping the names `prior` gave.
fn generate_named(
    schema: &Path,
    schema_label: &str,
    paths: &str,
    prior: &PriorNames,
) -> Result<Generated, Error> {
    let doc = load::load_paths(schema, schema_label, paths)?;
    generate_from_named(&doc, schema_label, paths, prior)
}

/// [`generate`] for a document already loaded.
pub fn generate_from(
    doc: &openapiv3::OpenAPI,
    schema_label: &str,
    paths: &str,
) -> Result<Generated, Error> {
    generate_from_named(doc, schema_label, paths, &PriorNames::default())
}

fn generate_from_named(
    doc: &openapiv3::OpenAPI,
    schema_label: &str,
    paths: &str,
    prior: &PriorNames,
) -> Result<Generated, Error> {
    let lowered = codegen::lower_selected(doc, schema_label, paths, prior)?;
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

/// One whole run: generate, keeping the names the manifest already in the output directory
/// records, then write or check.
pub fn run(options: &Options) -> Result<Summary, Error> {
    let start = Instant::now();
    let manifest = Path::new(api::MANIFEST);
    let earlier = api::Earlier::read(&options.out.join(manifest));
    let generated = generate_named(
        &options.schema,
        &options.schema_label,
        &options.paths,
        &earlier.prior_names(),
    )?;
    let delta = earlier.delta(
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
