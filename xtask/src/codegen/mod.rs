//! The generator: schema → generated crates, in passes that each have a module:
//! [`load`] → [`lower`] (into [`ir`]) → [`emit`] → [`mod@format`] → [`mod@write`].

pub mod diag;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
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
    Ok(Generated { api, files })
}

/// The models crate's files, formatted, into `files`.
pub fn emit_models(
    api: &ir::Api,
    schema_label: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    let rust_header = format::header("//", schema_label);
    files.insert(
        PathBuf::from("models/Cargo.toml"),
        models_manifest(api, schema_label),
    );
    files.insert(
        PathBuf::from("models/src/lib.rs"),
        format::format_rust(
            "models/src/lib.rs",
            emit::models::emit_lib(api),
            &rust_header,
        )?,
    );
    files.insert(PathBuf::from("models/src/types.rs"), {
        let emitter = emit::models::TypesEmitter::new(api);
        let models: Vec<&ir::Model> = api.models.values().collect();
        format::format_items(
            "models/src/types.rs",
            proc_macro2::TokenStream::new(),
            &models,
            |m| emitter.emit_model(m),
            emitter.emit_patterns(),
            &rust_header,
        )?
    });
    let support: proc_macro2::TokenStream =
        emit::models::SUPPORT
            .parse()
            .map_err(|e: proc_macro2::LexError| Error::Format {
                file: "models/src/support.rs".to_owned(),
                message: e.to_string(),
            })?;
    files.insert(
        PathBuf::from("models/src/support.rs"),
        format::format_rust("models/src/support.rs", support, &rust_header)?,
    );
    Ok(())
}

fn parse_template(file: &str, text: &str) -> Result<proc_macro2::TokenStream, Error> {
    text.parse()
        .map_err(|e: proc_macro2::LexError| Error::Format {
            file: file.to_owned(),
            message: e.to_string(),
        })
}

/// The server crate's files, formatted, into `files`.
pub fn emit_server(
    api: &ir::Api,
    schema_label: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    use emit::server;
    let rust_header = &format::header("//", schema_label);
    files.insert(
        PathBuf::from("server/Cargo.toml"),
        server_manifest(api, schema_label),
    );
    let mut rust = |name: &str, tokens: proc_macro2::TokenStream| -> Result<(), Error> {
        let rel = format!("server/src/{name}");
        let text = format::format_rust(&rel, tokens, rust_header)?;
        files.insert(PathBuf::from(rel), text);
        Ok(())
    };
    rust("lib.rs", server::emit_lib(api))?;
    rust(
        "support.rs",
        parse_template("server/src/support.rs", server::SUPPORT)?,
    )?;
    rust("params.rs", server::emit_params(api))?;
    let router = format::format_items(
        "server/src/router.rs",
        server::emit_router_head(api),
        &api.operations,
        |op| server::emit_handler(api, op),
        proc_macro2::TokenStream::new(),
        rust_header,
    )?;
    files.insert(PathBuf::from("server/src/router.rs"), router);
    // Resources are independent files: emitted and formatted on every core.
    let resources: Vec<(&str, Vec<&ir::Operation>)> =
        emit::common::resources(api).into_iter().collect();
    let outputs = format::parallel_map(&resources, |(resource, ops)| {
        let rel = format!("server/src/{resource}.rs");
        let text = server::emit_resource(api, resource, ops)
            .map(|tokens| format::format_rust(&rel, tokens, rust_header));
        (rel, text)
    });
    collect_outputs(outputs, schema_label, files)
}

/// The client crate's files, formatted, into `files`.
pub fn emit_client(
    api: &ir::Api,
    schema_label: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    use emit::{client, common};
    let rust_header = &format::header("//", schema_label);
    files.insert(
        PathBuf::from("client/Cargo.toml"),
        client_manifest(api, schema_label),
    );
    let mut rust = |name: &str, tokens: proc_macro2::TokenStream| -> Result<(), Error> {
        let rel = format!("client/src/{name}");
        let text = format::format_rust(&rel, tokens, rust_header)?;
        files.insert(PathBuf::from(rel), text);
        Ok(())
    };
    rust("lib.rs", client::emit_lib(api))?;
    rust(
        "support.rs",
        parse_template("client/src/support.rs", client::SUPPORT)?,
    )?;
    rust("params.rs", client::emit_params(api))?;
    let resources: Vec<(&str, Vec<&ir::Operation>)> = common::resources(api).into_iter().collect();
    let outputs = format::parallel_map(&resources, |(resource, ops)| {
        let rel = format!("client/src/{resource}.rs");
        let text = client::emit_resource(api, resource, ops)
            .map(|tokens| format::format_rust(&rel, tokens, rust_header));
        (rel, text)
    });
    collect_outputs(outputs, schema_label, files)
}

/// Files emitted in parallel: each a text, or the schema problems that kept it from being made.
type Outputs = Vec<(String, Result<Result<String, Error>, Vec<diag::Diagnostic>>)>;

fn collect_outputs(
    outputs: Outputs,
    schema_label: &str,
    files: &mut BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    let mut diagnostics = Vec::new();
    for (rel, text) in outputs {
        match text {
            Ok(text) => {
                files.insert(PathBuf::from(rel), text?);
            }
            Err(d) => diagnostics.extend(d),
        }
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema {
            path: schema_label.to_owned(),
            diagnostics,
        })
    }
}

fn client_manifest(api: &ir::Api, schema_label: &str) -> String {
    let header = format::header("#", schema_label);
    let description = format!(
        "An async client (traits and a reqwest implementation) for the {} API {}, generated from its OpenAPI schema.",
        api.title, api.version
    )
    .replace('\\', "\\\\")
    .replace('"', "\\\"");
    format!(
        r#"{header}
[package]
name = "{CLIENT_PACKAGE}"
version = "0.1.0"
edition = "2021"
description = "{description}"
license = "MIT"
publish = false

[lib]
doctest = false

[dependencies]
{MODELS_PACKAGE} = {{ path = "../models" }}
chrono = {{ version = "0.4", default-features = false, features = ["std"] }}
form_urlencoded = "1"
futures-core = "0.3"
futures-util = {{ version = "0.3", default-features = false }}
reqwest = {{ version = "0.12", default-features = false, features = ["rustls-tls"] }}
serde = "1"
serde_json = "1"
serde_path_to_error = "0.1"
uuid = "1"

[lints.rust]
non_camel_case_types = "allow"
[lints.clippy]
large_enum_variant = "allow"
enum_variant_names = "allow"
doc_lazy_continuation = "allow"
doc_overindented_list_items = "allow"
too_many_lines = "allow"
result_large_err = "allow"
too_many_arguments = "allow"
[lints.rustdoc]
bare_urls = "allow"
broken_intra_doc_links = "allow"
invalid_html_tags = "allow"
invalid_rust_codeblocks = "allow"
"#
    )
}

fn server_manifest(api: &ir::Api, schema_label: &str) -> String {
    let header = format::header("#", schema_label);
    let description = format!(
        "Server traits and an axum router for the {} API {}, generated from its OpenAPI schema.",
        api.title, api.version
    )
    .replace('\\', "\\\\")
    .replace('"', "\\\"");
    format!(
        r#"{header}
[package]
name = "{SERVER_PACKAGE}"
version = "0.1.0"
edition = "2021"
description = "{description}"
license = "MIT"
publish = false

[lib]
doctest = false

[dependencies]
{MODELS_PACKAGE} = {{ path = "../models" }}
axum = {{ version = "0.8", default-features = false, features = ["tokio", "http1"] }}
chrono = {{ version = "0.4", default-features = false, features = ["std"] }}
form_urlencoded = "1"
serde = "1"
serde_json = "1"
serde_path_to_error = "0.1"
tower-http = {{ version = "0.6", default-features = false, features = ["catch-panic"] }}
tracing = "0.1"
uuid = "1"

[lints.rust]
non_camel_case_types = "allow"
[lints.clippy]
large_enum_variant = "allow"
enum_variant_names = "allow"
doc_lazy_continuation = "allow"
doc_overindented_list_items = "allow"
too_many_lines = "allow"
result_large_err = "allow"
[lints.rustdoc]
bare_urls = "allow"
broken_intra_doc_links = "allow"
invalid_html_tags = "allow"
invalid_rust_codeblocks = "allow"
"#
    )
}

fn models_manifest(api: &ir::Api, schema_label: &str) -> String {
    let header = format::header("#", schema_label);
    let description = format!(
        "Models (serde types) for the {} API {}, generated from its OpenAPI schema.",
        api.title, api.version
    )
    .replace('\\', "\\\\")
    .replace('"', "\\\"");
    format!(
        r#"{header}
[package]
name = "{MODELS_PACKAGE}"
version = "0.1.0"
edition = "2021"
description = "{description}"
license = "MIT"
publish = false

[lib]
doctest = false

[dependencies]
chrono = {{ version = "0.4", default-features = false, features = ["std", "serde"] }}
regex = {{ version = "1", default-features = false, features = ["std", "unicode"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
uuid = {{ version = "1", features = ["serde"] }}

# Generated code follows the schema's names and texts; these lints would fight the schema.
[lints.rust]
non_camel_case_types = "allow"
[lints.clippy]
large_enum_variant = "allow"
enum_variant_names = "allow"
doc_lazy_continuation = "allow"
doc_overindented_list_items = "allow"
tabs_in_doc_comments = "allow"
too_many_lines = "allow"
struct_excessive_bools = "allow"
[lints.rustdoc]
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
    let drift = write::sync(&options.out, CRATES, &generated.files, options.mode)?;
    Ok(Summary {
        types: generated.api.models.len(),
        component_types: generated.api.component_models,
        operations: generated.api.operations.len(),
        files: generated.files.len(),
        drift,
        elapsed: start.elapsed(),
        mode: options.mode,
    })
}
