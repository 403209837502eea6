//! The generator: schema → generated crates, in passes that each have a module:
//! [`load`] → [`lower`] (into [`ir`]) → [`emit`] → [`mod@format`] → [`mod@write`].

pub mod diag;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod parallel;
pub mod write;

use diag::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
pub use write::Mode;

/// The schema `cargo xtask codegen` reads by default, relative to the repository root.
pub const DEFAULT_SCHEMA: &str = "schema/stages.yaml";
/// Where the generated crates go by default, relative to the repository root.
pub const DEFAULT_OUT: &str = "generated";
/// The paths selected by default.
pub const DEFAULT_PATHS: &str = "/stages/";
/// The generated crates, as directories under the output directory.
pub const CRATES: &[&str] = &["client", "models", "server"];
/// Everything the generator owns in the output directory: the crates and the API manifest.
pub const OWNED: &[&str] = &[crate::api::MANIFEST, "client", "models", "server"];
/// The package name of the generated models crate.
pub const MODELS_PACKAGE: &str = "authentik-models";
/// The package name of the generated server crate.
pub const SERVER_PACKAGE: &str = "authentik-server";
/// The package name of the generated client crate.
pub const CLIENT_PACKAGE: &str = "authentik-client";

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

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
        let root = repo_root();
        Options {
            schema: root.join(DEFAULT_SCHEMA),
            schema_label: DEFAULT_SCHEMA.to_owned(),
            paths: DEFAULT_PATHS.to_owned(),
            out: root.join(DEFAULT_OUT),
            mode: Mode::Write,
        }
    }
}

/// The generated files, in memory, by path relative to the output directory.
#[derive(Debug)]
pub struct Generated {
    pub api: ir::Api,
    /// The API in Rust terms, also among the files as `api.json`.
    pub surface: crate::api::Surface,
    pub files: BTreeMap<PathBuf, String>,
}

/// Loads, lowers, emits and formats: everything but touching the output directory.
pub fn generate(schema: &Path, schema_label: &str, paths: &str) -> Result<Generated, Error> {
    let doc = load::load(schema, schema_label)?;
    generate_from(&doc, schema_label, paths)
}

/// [`generate`] for a document already loaded.
pub fn generate_from(
    doc: &openapiv3::OpenAPI,
    schema_label: &str,
    paths: &str,
) -> Result<Generated, Error> {
    let selection = lower::Selection {
        path_prefix: paths.to_owned(),
    };
    let api = lower::lower(doc, &selection).map_err(|diagnostics| Error::Schema {
        path: schema_label.to_owned(),
        diagnostics,
    })?;
    let mut files = BTreeMap::new();
    emit_models(&api, schema_label, &mut files)?;
    emit_server(&api, schema_label, &mut files)?;
    emit_client(&api, schema_label, &mut files)?;
    let surface = crate::api::Surface::from_api(&api, schema_label, paths);
    files.insert(PathBuf::from(crate::api::MANIFEST), surface.to_json());
    Ok(Generated {
        api,
        surface,
        files,
    })
}

/// One generated crate's files, added to the output as they are made.
struct CrateFiles<'a> {
    /// The crate's directory under the output directory (`models`).
    dir: &'static str,
    header: String,
    files: &'a mut BTreeMap<PathBuf, String>,
}

impl<'a> CrateFiles<'a> {
    fn new(
        dir: &'static str,
        schema_label: &'a str,
        manifest: String,
        files: &'a mut BTreeMap<PathBuf, String>,
    ) -> Self {
        files.insert(PathBuf::from(format!("{dir}/Cargo.toml")), manifest);
        CrateFiles {
            dir,
            header: format::header("//", schema_label),
            files,
        }
    }

    fn path(&self, name: &str) -> String {
        format!("{}/src/{name}", self.dir)
    }

    /// A Rust file from its tokens.
    fn rust(&mut self, name: &str, tokens: proc_macro2::TokenStream) -> Result<(), Error> {
        let rel = self.path(name);
        let text = format::format_rust(&rel, tokens, &self.header)?;
        self.files.insert(PathBuf::from(rel), text);
        Ok(())
    }

    /// A Rust file copied byte for byte from a template (`xtask/templates/`), below the header:
    /// what the template says, comments included, is what the generated crate compiles and tests.
    fn template(&mut self, name: &str, text: &str) {
        let rel = self.path(name);
        let text = format::copy_template(text, &self.header);
        self.files.insert(PathBuf::from(rel), text);
    }

    /// A Rust file made of many items, formatted in parallel parts.
    ///
    /// Token streams cannot cross threads, so each worker emits its run of items and hands the
    /// tokens to the format pass; the printed runs are joined in order.
    fn items<T: Sync>(
        &mut self,
        name: &str,
        head: proc_macro2::TokenStream,
        items: &[T],
        emit: impl Fn(&T) -> proc_macro2::TokenStream + Sync,
        tail: proc_macro2::TokenStream,
    ) -> Result<(), Error> {
        let rel = self.path(name);
        let parts = parallel::map(&parallel::runs(items), |run| {
            let tokens: proc_macro2::TokenStream = run.iter().map(&emit).collect();
            format::print(&rel, tokens)
        });
        let mut text = format!("{}\n{}", self.header, format::print(&rel, head)?);
        for part in parts {
            text.push_str(&part?);
        }
        text.push_str(&format::print(&rel, tail)?);
        self.files.insert(PathBuf::from(rel), text);
        Ok(())
    }

    /// One file per resource, emitted and formatted on every core.
    fn resources(
        &mut self,
        api: &ir::Api,
        emit: impl Fn(&ir::Resource, &[&ir::Operation]) -> proc_macro2::TokenStream + Sync,
    ) -> Result<(), Error> {
        let resources: Vec<(&ir::Resource, Vec<&ir::Operation>)> =
            emit::common::resources(api).collect();
        let outputs = parallel::map(&resources, |(resource, ops)| {
            let rel = self.path(&format!("{}.rs", resource.module));
            let text = format::format_rust(&rel, emit(resource, ops), &self.header);
            (rel, text)
        });
        for (rel, text) in outputs {
            self.files.insert(PathBuf::from(rel), text?);
        }
        Ok(())
    }
}

/// The models crate's files, formatted, into `files`.
pub fn emit_models(
    api: &ir::Api,
    schema_label: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    let manifest = manifest(
        api,
        schema_label,
        MODELS_PACKAGE,
        "Models (serde types)",
        MODELS_DEPENDENCIES,
        MODELS_LINTS,
    );
    let mut out = CrateFiles::new("models", schema_label, manifest, files);
    out.rust("lib.rs", emit::models::emit_lib(api))?;
    let emitter = emit::models::TypesEmitter::new(api);
    let models: Vec<&ir::Model> = api.models.values().collect();
    out.items(
        "types.rs",
        proc_macro2::TokenStream::new(),
        &models,
        |m| emitter.emit_model(m),
        emitter.emit_patterns(),
    )?;
    out.rust("query.rs", emit::query::emit_queries(api))?;
    out.template("support.rs", emit::models::SUPPORT);
    Ok(())
}

/// The server crate's files, formatted, into `files`.
pub fn emit_server(
    api: &ir::Api,
    schema_label: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    use emit::server;
    let manifest = manifest(
        api,
        schema_label,
        SERVER_PACKAGE,
        "Server traits and an axum router",
        SERVER_DEPENDENCIES,
        "",
    );
    let mut out = CrateFiles::new("server", schema_label, manifest, files);
    out.rust("lib.rs", server::emit_lib(api))?;
    out.template("support.rs", server::SUPPORT);
    out.rust("params.rs", server::emit_params(api))?;
    // Handlers in document order, each with its resource.
    let resource_of: BTreeMap<&str, &ir::Resource> = api
        .resources
        .iter()
        .map(|r| (r.module.as_str(), r))
        .collect();
    let handlers: Vec<(&ir::Resource, &ir::Operation)> = api
        .operations
        .iter()
        .filter_map(|op| Some((*resource_of.get(op.resource.as_str())?, op)))
        .collect();
    out.items(
        "router.rs",
        server::emit_router_head(api),
        &handlers,
        |(resource, op)| server::emit_handler(api, resource, op),
        proc_macro2::TokenStream::new(),
    )?;
    out.resources(api, server::emit_resource)
}

/// The client crate's files, formatted, into `files`.
pub fn emit_client(
    api: &ir::Api,
    schema_label: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    use emit::client;
    let manifest = manifest(
        api,
        schema_label,
        CLIENT_PACKAGE,
        "An async client (traits and a reqwest implementation)",
        CLIENT_DEPENDENCIES,
        "too_many_arguments = \"allow\"\n",
    );
    let mut out = CrateFiles::new("client", schema_label, manifest, files);
    out.rust("lib.rs", client::emit_lib(api))?;
    out.template("support.rs", client::SUPPORT);
    out.resources(api, |resource, ops| {
        client::emit_resource(api, resource, ops)
    })
}

const MODELS_DEPENDENCIES: &str = r#"chrono = { version = "0.4", default-features = false, features = ["std", "serde"] }
regex = { version = "1", default-features = false, features = ["std", "unicode"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
uuid = { version = "1", features = ["serde"] }
"#;

const MODELS_LINTS: &str = "tabs_in_doc_comments = \"allow\"\nstruct_excessive_bools = \"allow\"\n";

const SERVER_DEPENDENCIES: &str = r#"authentik-models = { path = "../models" }
axum = { version = "0.8", default-features = false, features = ["tokio", "http1"] }
chrono = { version = "0.4", default-features = false, features = ["std"] }
form_urlencoded = "1"
http-body-util = "0.1"
hyper = { version = "1", features = ["http1", "server"] }
hyper-util = { version = "0.1", default-features = false, features = ["tokio"] }
serde = "1"
serde_json = "1"
serde_path_to_error = "0.1"
tokio = { version = "1", features = ["macros", "net", "rt", "signal", "sync", "time"] }
tower-http = { version = "0.6", default-features = false, features = ["catch-panic"] }
tower-service = "0.3"
tracing = "0.1"
uuid = "1"
"#;

const CLIENT_DEPENDENCIES: &str = r#"authentik-models = { path = "../models" }
chrono = { version = "0.4", default-features = false, features = ["std"] }
form_urlencoded = "1"
futures-core = "0.3"
futures-util = { version = "0.3", default-features = false }
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls"] }
serde = "1"
serde_json = "1"
serde_path_to_error = "0.1"
tracing = { version = "0.1", default-features = false, features = ["std"] }
uuid = "1"
"#;

/// A generated crate's `Cargo.toml`.
fn manifest(
    api: &ir::Api,
    schema_label: &str,
    package: &str,
    what: &str,
    dependencies: &str,
    extra_clippy: &str,
) -> String {
    let header = format::header("#", schema_label);
    let description = format!(
        "{what} for the {} API {}, generated from its OpenAPI schema.",
        api.title, api.version
    )
    .replace('\\', "\\\\")
    .replace('"', "\\\"");
    format!(
        r#"{header}
[package]
name = "{package}"
version = "0.1.0"
edition = "2021"
description = "{description}"
license = "MIT"
publish = false

[lib]
doctest = false

[dependencies]
{dependencies}
# Generated code follows the schema's names and texts; these lints would fight the schema.
[lints.rust]
non_camel_case_types = "allow"
[lints.clippy]
large_enum_variant = "allow"
enum_variant_names = "allow"
doc_lazy_continuation = "allow"
doc_overindented_list_items = "allow"
too_many_lines = "allow"
result_large_err = "allow"
type_complexity = "allow"
{extra_clippy}[lints.rustdoc]
bare_urls = "allow"
broken_intra_doc_links = "allow"
invalid_html_tags = "allow"
invalid_rust_codeblocks = "allow"
"#
    )
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
    pub api: crate::api::Delta,
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
    let manifest = Path::new(crate::api::MANIFEST);
    let api = crate::api::Delta::since(
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
        api,
        elapsed: start.elapsed(),
        mode: options.mode,
    })
}
