//! `cargo xtask <task>`: the project's build tasks. See `cargo xtask help`.

use std::path::PathBuf;
use std::process::ExitCode;
use xtask::codegen;
use xtask::pipeline::{Mode, Options, Summary};

// Generating is mostly small allocations (token trees, syntax trees) on several threads;
// mimalloc serves those faster than the system allocator (`cargo xtask bench` shows it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HELP: &str = "\
cargo xtask <task> [options]

Tasks:
  codegen   Generate the crates in generated/ from the OpenAPI schema.
      --schema PATH   the schema, YAML or JSON (default: schema/stages.yaml)
      --paths PREFIX  which paths to generate (default: /stages/; / for every path)
      --out DIR       where the generated crates go (default: generated/)
      --check         write nothing; name every stale, missing or extra file with a diff,
                      and exit 1 when any is found
      --quiet, -q     print nothing on success
            Besides the crates it writes api.json, the API in Rust terms; a run that changes
            files prints what changed in the API since the api.json already there, and
            --check explains drift the same way before its file diffs.
  api-diff OLD NEW  Every change between two schemas (or api.json manifests) in Rust terms,
            grouped by resource and type, each breaking or compatible for clients and servers.
            Exits 0 when nothing changed, 1 when something did, 2 on errors.
      --paths PREFIX  which paths to compare (default: /stages/; / for every path)
      --json          a JSON array of changes (kind, pointer, client, server, message, ...)
  bench     Time load + generate + format, and measure peak memory, for our schema and each
            real authentik schema in $AUTHENTIK_SCHEMA_DIR (default ../shared/authentik).
      --runs N        runs per case (default 5); the median is reported
  compare   Generated lines, crate-only `cargo check` time and memory (ours and the official
            authentik-client crate's) and codegen times, for authentik 2026.11.0-rc1, in one run.
      --features NAME  also check each crate with only this feature (one resource)
      --runs N         runs for the codegen medians (default 5)
      --no-official    skip the official crate;  --no-bench  skip the codegen timings
  help      Print this text.
";

fn main() -> ExitCode {
    // `cargo xtask compare` runs this binary as rustc's wrapper to time each crate.
    if let Some(log) = std::env::var_os(xtask::compare::WRAPPER_LOG) {
        return xtask::compare::wrap_rustc(std::path::Path::new(&log));
    }
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let result = match task.as_deref() {
        Some("codegen") => codegen_task(&rest),
        Some("api-diff") => xtask::api::cli::run(&rest),
        Some("bench") => xtask::bench::run(&rest),
        Some("compare") => xtask::compare::run(&rest),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// `cargo xtask codegen`: generates (or checks) the crates and reports how the run went.
fn codegen_task(args: &[String]) -> Result<ExitCode, String> {
    let Some(CodegenArgs {
        options,
        quiet,
        measure,
    }) = parse_codegen(args)?
    else {
        print!("{HELP}");
        return Ok(ExitCode::SUCCESS);
    };
    if !options.paths.starts_with('/') {
        return Err(format!(
            "--paths must start with `/` (got `{}`)",
            options.paths
        ));
    }
    if measure {
        return xtask::bench::measure_child(&options);
    }
    match xtask::pipeline::run(&options) {
        Ok(summary) if options.mode == Mode::Check && !summary.drift.is_empty() => {
            report_stale(&options, &summary);
            Ok(ExitCode::FAILURE)
        }
        Ok(summary) => {
            if !quiet {
                report_run(&summary);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The options of `codegen`.
struct CodegenArgs {
    options: Options,
    quiet: bool,
    /// Used by `bench`: generate in memory only and print time and peak memory.
    measure: bool,
}

/// Reads `codegen`'s options; `None` when `--help` asks for the help text instead.
fn parse_codegen(args: &[String]) -> Result<Option<CodegenArgs>, String> {
    let mut parsed = CodegenArgs {
        options: Options::defaults(),
        quiet: false,
        measure: false,
    };
    let options = &mut parsed.options;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--schema" => {
                let v = value("--schema")?;
                options.schema = PathBuf::from(v);
                options.schema_label = codegen::schema_label(&options.schema);
            }
            "--paths" => options.paths = value("--paths")?,
            "--out" => options.out = PathBuf::from(value("--out")?),
            "--check" => options.mode = Mode::Check,
            "--quiet" | "-q" => parsed.quiet = true,
            "--measure" => parsed.measure = true,
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown option `{other}` for codegen\n\n{HELP}")),
        }
    }
    Ok(Some(parsed))
}

/// `--check` found drift: what changed in the API, the file diffs, the summary and the
/// command that brings the output up to date, on stderr.
fn report_stale(options: &Options, summary: &Summary) {
    let manifest = options.out.join(xtask::api::MANIFEST);
    if let Some(explained) = summary.api.explain(&manifest) {
        eprint!("{explained}");
    }
    eprint!("{}", summary.drift.report());
    eprintln!("{}", summary.line());
    eprintln!("generated code is stale: run `cargo xtask codegen` and commit the result");
}

/// A run that went well: its summary line and, when it changed files that were there before,
/// what changed in the API.
fn report_run(summary: &Summary) {
    println!("{}", summary.line());
    // A first run into an empty directory has nothing to compare with.
    if !summary.drift.is_empty() && summary.drift.missing.len() < summary.files {
        println!("{}", summary.api.line());
    }
}
