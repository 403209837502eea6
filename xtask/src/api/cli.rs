//! `cargo xtask api-diff OLD NEW [--paths PREFIX] [--json]`: every change between two schemas
//! (or manifests), in Rust terms. Exits 0 when nothing changed, 1 when something did, 2 on
//! errors.

use super::{diff, report, Surface};
use crate::codegen::DEFAULT_PATHS;
use std::path::PathBuf;
use std::process::ExitCode;

pub const HELP: &str = "\
cargo xtask api-diff OLD NEW [options]

Every change from OLD to NEW in the selected paths, in terms of the generated Rust (types,
fields, traits, methods), each classified as breaking or compatible for clients and for servers.
OLD and NEW are OpenAPI schemas (YAML or JSON) or api.json manifests that codegen wrote.
NEW is lowered keeping OLD's names, as codegen over OLD's output would: an added item that
collides in Rust with one OLD had is the one numbered.
Exits 0 when nothing changed, 1 when something did, 2 on errors.
      --paths PREFIX  which paths to compare (default: /stages/; / for every path)
      --json          print a JSON array of changes (kind, pointer, document, client, server,
                      resource or type, rust, message) instead of the readable report
";

struct Args {
    old: PathBuf,
    new: PathBuf,
    paths: String,
    json: bool,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut files = Vec::new();
    let mut paths = DEFAULT_PATHS.to_owned();
    let mut json = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--paths" => {
                paths = it
                    .next()
                    .cloned()
                    .ok_or_else(|| "--paths needs a value".to_owned())?;
            }
            "--json" => json = true,
            "--help" | "-h" => return Ok(None),
            other if other.starts_with("--") => {
                return Err(format!("unknown option `{other}` for api-diff\n\n{HELP}"))
            }
            file => files.push(PathBuf::from(file)),
        }
    }
    if !paths.starts_with('/') {
        return Err(format!("--paths must start with `/` (got `{paths}`)"));
    }
    let [old, new]: [PathBuf; 2] = files.try_into().map_err(|files: Vec<PathBuf>| {
        format!(
            "api-diff takes two files, OLD and NEW (got {})\n\n{HELP}",
            files.len()
        )
    })?;
    Ok(Some(Args {
        old,
        new,
        paths,
        json,
    }))
}

/// Runs the task; `Err` is a usage or schema error (exit 2).
pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some(args) = parse(args)? else {
        print!("{HELP}");
        return Ok(ExitCode::SUCCESS);
    };
    let label = |p: &PathBuf| p.display().to_string().replace('\\', "/");
    let (old_label, new_label) = (label(&args.old), label(&args.new));
    let (old, new) = super::load_pair(
        (&args.old, &old_label),
        (&args.new, &new_label),
        &args.paths,
    );
    // Both files' errors, not only the first one's.
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let errors: Vec<String> = [old.err(), new.err()]
                .into_iter()
                .flatten()
                .map(|e| e.to_string())
                .collect();
            return Err(errors.join("\nerror: "));
        }
    };
    if old.paths != new.paths {
        // A manifest keeps the paths it was generated for; --paths selects only in schemas.
        eprintln!(
            "note: {old_label} covers the paths {}, {new_label} the paths {}",
            old.paths, new.paths
        );
    }
    let changes = diff::diff(&old, &new);
    if args.json {
        print!("{}", report::json(&changes));
    } else {
        println!(
            "api-diff: {} → {} (paths {})",
            describe(&old_label, &old),
            describe(&new_label, &new),
            args.paths
        );
        if changes.is_empty() {
            println!("no changes");
        } else {
            print!("{}", report::text(&changes));
        }
    }
    Ok(if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn describe(label: &str, surface: &Surface) -> String {
    format!("{label} ({} {})", surface.title, surface.version)
}
