//! `cargo xtask compare`: the figures of issue 11 in one run, ours next to the official
//! `authentik-client` crate's: generated lines, crate-only `cargo check` time and peak rustc
//! memory, `cargo xtask codegen` wall time and the release codegen medians of `cargo xtask bench`.
//!
//! Crate-only times come from this binary acting as `RUSTC_WRAPPER` (see [`wrap_rustc`]): it runs
//! rustc, and logs its wall time, CPU time and peak resident memory. Each crate is cleaned
//! (`cargo clean -p`) and checked again with `CARGO_INCREMENTAL=0`; cargo first builds whatever
//! dependency is missing, so rustc checks the crate alone, on a machine otherwise as idle as the
//! caller left it.

mod rustc;

use crate::codegen::{self, write::Mode, CLIENT_PACKAGE, MODELS_PACKAGE, SERVER_PACKAGE};
pub use rustc::wrap_rustc;
use rustc::{check_alone, check_alone_cleaning, crate_name, first_error, is_ours, Rusage};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The environment variable naming the log file: when set, this binary is a rustc wrapper.
pub const WRAPPER_LOG: &str = "XTASK_COMPARE_RUSTC_LOG";

/// The authentik schema the figures are for, in `$AUTHENTIK_SCHEMA_DIR`.
const VERSION: &str = "2026.11.0-rc1";
/// The official crate (OpenAPI Generator's output, on crates.io) we compare with.
const OFFICIAL: &str = "authentik-client";
const OFFICIAL_VERSION: &str = "2026.8.5";
/// Files with at least this many lines are listed one by one.
const BIG_FILE_LINES: usize = 5_000;

const HELP: &str = "\
cargo xtask compare [options]

Prints, in one run, for authentik 2026.11.0-rc1 ($AUTHENTIK_SCHEMA_DIR, default ../shared/authentik):
generated lines (/stages/ and whole, per crate and per file of 5,000 lines or more); crate-only
`cargo check` time and peak rustc memory of our models, client and server (whole schema) and of
the official authentik-client 2026.8.5 from crates.io (CARGO_INCREMENTAL=0, dependencies built
first); `cargo xtask codegen` wall time for the whole schema; the release medians of
`cargo xtask bench`. Scratch projects and their target directories live in target/compare/.

Options:
  --features NAME  also check models, client and server with only this cargo feature
                   (--no-default-features --features NAME; one resource of the whole
                   schema, named after its module, e.g. stages_captcha)
  --runs N         runs for the codegen medians (default 5)
  --no-official    skip the official crate (it is downloaded from crates.io the first time)
  --no-bench       skip the codegen timings
";

struct Args {
    features: Option<String>,
    runs: usize,
    official: bool,
    bench: bool,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        features: None,
        runs: 5,
        official: true,
        bench: true,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--features" => {
                parsed.features = Some(it.next().cloned().ok_or("--features needs a name")?);
            }
            "--runs" => {
                parsed.runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--runs needs a positive number")?;
            }
            "--no-official" => parsed.official = false,
            "--no-bench" => parsed.bench = false,
            "--help" | "-h" => {
                print!("{HELP}");
                return Ok(None);
            }
            other => return Err(format!("unknown option `{other}` for compare\n\n{HELP}")),
        }
    }
    Ok(Some(parsed))
}

/// Runs every measurement and prints the figures as they come.
pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some(args) = parse(args)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let compare = Compare::new(args)?;
    println!(
        "compare: authentik {VERSION}, {} cores, load average {} (at start)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average()
    );
    let (whole, official) = compare.generated_lines()?;
    write_crates(&compare.ours(), &whole, &compare.root)?;
    let ours_sum = compare.check_ours()?;
    if official {
        compare.check_official(ours_sum)?;
    }
    if let Some(feature) = &compare.args.features {
        compare.check_feature(feature);
    }
    if compare.args.bench {
        compare.codegen_times()?;
    }
    println!();
    println!("load average {} (at the end)", load_average());
    Ok(ExitCode::SUCCESS)
}

/// One run of `compare`: what was asked, and where the schema, the scratch projects and this
/// binary (the rustc wrapper) are.
struct Compare {
    args: Args,
    root: PathBuf,
    schema_dir: PathBuf,
    schema: PathBuf,
    scratch: PathBuf,
    wrapper: PathBuf,
}

impl Compare {
    /// Finds the schema (an error when it is missing) and makes the scratch directory.
    fn new(args: Args) -> Result<Self, String> {
        let root = crate::paths::repo_root();
        let schema_dir = crate::authentik_schema_dir();
        let schema = schema_dir.join(format!("schema-{VERSION}.yml"));
        if !schema.is_file() {
            return Err(format!(
                "{} not found (set AUTHENTIK_SCHEMA_DIR)",
                schema.display()
            ));
        }
        let scratch = root.join("target/compare");
        std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
        let wrapper = std::env::current_exe().map_err(|e| e.to_string())?;
        Ok(Compare {
            args,
            root,
            schema_dir,
            schema,
            scratch,
            wrapper,
        })
    }

    /// The workspace our generated crates (whole schema) are checked in.
    fn ours(&self) -> PathBuf {
        self.scratch.join("ours")
    }

    /// Its target directory.
    fn ours_target(&self) -> PathBuf {
        self.scratch.join("ours-target")
    }

    /// Generates `/stages/` and the whole schema (and resolves the official crate unless
    /// skipped) and prints their lines; returns the whole schema's files and whether the
    /// official crate is compared.
    fn generated_lines(&self) -> Result<(BTreeMap<PathBuf, String>, bool), String> {
        let label = format!("schema-{VERSION}.yml");
        let stages = crate::pipeline::generate(&self.schema, &label, "/stages/")
            .map_err(|e| e.to_string())?;
        let whole =
            crate::pipeline::generate(&self.schema, &label, "/").map_err(|e| e.to_string())?;
        let official_src = if self.args.official {
            Some(official_project(&self.scratch)?)
        } else {
            None
        };
        print_lines(&stages.files, &whole.files, official_src.as_deref())?;
        Ok((whole.files, official_src.is_some()))
    }

    /// Checks our models, client and server alone and prints a row for each and one for what
    /// a client user pays (models + client), which it returns.
    fn check_ours(&self) -> Result<Rusage, String> {
        println!();
        println!(
            "crate-only `cargo check`, whole schema (CARGO_INCREMENTAL=0, dependencies built first; rustc of that crate alone)"
        );
        println!(
            "  {:<50} {:>8} {:>8} {:>9}   goal",
            "crate", "wall s", "cpu s", "peak MiB"
        );
        let mut ours_sum = Rusage::default();
        for package in [MODELS_PACKAGE, CLIENT_PACKAGE, SERVER_PACKAGE] {
            let measured = check_alone(
                &self.ours(),
                &self.ours_target(),
                &self.wrapper,
                package,
                &[],
            )?;
            let usage = measured
                .get(&crate_name(package))
                .copied()
                .ok_or_else(|| format!("rustc never checked {package}"))?;
            if package != SERVER_PACKAGE {
                ours_sum = ours_sum.plus(usage);
            }
            print_row(&format!("{package} (ours)"), usage, "");
        }
        print_row(
            "models + client (ours, what a client user pays)",
            ours_sum,
            "<= 20 s, <= half the official's, <= 1024 MiB",
        );
        Ok(ours_sum)
    }

    /// Checks the official crate alone, prints its row and how ours compare with it.
    fn check_official(&self, ours_sum: Rusage) -> Result<(), String> {
        let project = self.scratch.join("official");
        let target = self.scratch.join("official-target");
        let measured = check_alone(&project, &target, &self.wrapper, OFFICIAL, &[])?;
        let usage = measured
            .get(&crate_name(OFFICIAL))
            .copied()
            .ok_or("rustc never checked the official crate")?;
        print_row(
            &format!("{OFFICIAL} {OFFICIAL_VERSION} (official)"),
            usage,
            "",
        );
        println!(
            "  ours (models + client) / official: {:.2} (goal <= 0.50)",
            ours_sum.wall_s / usage.wall_s
        );
        Ok(())
    }

    /// Checks each of our crates with only `feature` and prints a row per crate rustc checked
    /// (a failure is printed, not returned).
    fn check_feature(&self, feature: &str) {
        println!();
        println!("one resource: --no-default-features --features {feature}, whole schema");
        for package in [MODELS_PACKAGE, CLIENT_PACKAGE, SERVER_PACKAGE] {
            // Every generated crate is cleaned, so the models a client or server builds with
            // this feature are checked (and shown) again too.
            let flags = ["--no-default-features", "--features", feature];
            match check_alone_cleaning(
                &self.ours(),
                &self.ours_target(),
                &self.wrapper,
                package,
                &[MODELS_PACKAGE, CLIENT_PACKAGE, SERVER_PACKAGE],
                &flags,
            ) {
                Ok(measured) => {
                    for (krate, usage) in measured.iter().filter(|(k, _)| is_ours(k)) {
                        let goal = if krate == &crate_name(package) {
                            "<= 3 s"
                        } else {
                            ""
                        };
                        print_row(
                            &format!("{krate} (`cargo check -p {package}`)"),
                            *usage,
                            goal,
                        );
                    }
                }
                Err(e) => println!("  {package}: failed: {e}"),
            }
        }
    }

    /// The codegen timings: `cargo xtask codegen` through cargo, then the release build's
    /// `cargo xtask bench`.
    fn codegen_times(&self) -> Result<(), String> {
        println!();
        codegen_wall_time(&self.root, &self.schema, &self.scratch, self.args.runs)?;
        println!();
        println!(
            "release codegen (cargo run --release -p xtask -- bench --runs {}):",
            self.args.runs
        );
        let status = Command::new(cargo())
            .args([
                "run",
                "--release",
                "--quiet",
                "--locked",
                "-p",
                "xtask",
                "--",
            ])
            .args(["bench", "--runs", &self.args.runs.to_string()])
            .current_dir(&self.root)
            .env("AUTHENTIK_SCHEMA_DIR", &self.schema_dir)
            .status()
            .map_err(|e| format!("cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo xtask bench failed: {status}"));
        }
        Ok(())
    }
}

/// One row of the check table: wall and CPU seconds, peak MiB, and the goal.
fn print_row(label: &str, usage: Rusage, goal: &str) {
    println!(
        "  {:<50} {:>8.1} {:>8.1} {:>9.0}   {goal}",
        label,
        usage.wall_s,
        usage.cpu_s,
        usage.peak_kib as f64 / 1024.0
    );
}

/// Writes the generated crates into a workspace of their own at `dir`, with the repository's
/// `Cargo.lock` (the same dependency versions; nothing new is fetched).
fn write_crates(dir: &Path, files: &BTreeMap<PathBuf, String>, root: &Path) -> Result<(), String> {
    codegen::write::sync(dir, crate::pipeline::OWNED, files, Mode::Write)
        .map_err(|e| e.to_string())?;
    let members: Vec<String> = codegen::CRATES.iter().map(|c| format!("{c:?}")).collect();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    Ok(())
}

/// A project depending on the official crate (no TLS feature: its own code is the same with
/// any), resolved with cargo, which downloads it the first time. Returns its `src` directory.
fn official_project(scratch: &Path) -> Result<PathBuf, String> {
    let dir = scratch.join("official");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"official-client-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{OFFICIAL} = {{ version = \"={OFFICIAL_VERSION}\", default-features = false }}\n\n\
             [workspace]\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let out = Command::new(cargo())
        .args(["metadata", "--format-version", "1"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", scratch.join("official-target"))
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cannot resolve {OFFICIAL} {OFFICIAL_VERSION}: {}",
            first_error(&out.stderr)
        ));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == OFFICIAL && p["version"] == OFFICIAL_VERSION)
        .and_then(|p| p["manifest_path"].as_str())
        .and_then(|m| Path::new(m).parent())
        .map(|d| d.join("src"))
        .ok_or_else(|| format!("cargo metadata has no {OFFICIAL} {OFFICIAL_VERSION}"))
}

/// Lines of every `.rs` file under `dir`, by path relative to it.
fn rust_files_under(dir: &Path) -> Result<BTreeMap<PathBuf, usize>, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        let entries = std::fs::read_dir(&next).map_err(|e| format!("{}: {e}", next.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
                found.insert(rel, text.lines().count());
            }
        }
    }
    Ok(found)
}

/// Lines per `.rs` file of generated output.
fn rust_lines(files: &BTreeMap<PathBuf, String>) -> BTreeMap<PathBuf, usize> {
    files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(p, text)| (p.clone(), text.lines().count()))
        .collect()
}

fn per_crate(lines: &BTreeMap<PathBuf, usize>, krate: &str) -> usize {
    lines
        .iter()
        .filter(|(p, _)| p.starts_with(krate))
        .map(|(_, n)| n)
        .sum()
}

fn print_lines(
    stages: &BTreeMap<PathBuf, String>,
    whole: &BTreeMap<PathBuf, String>,
    official_src: Option<&Path>,
) -> Result<(), String> {
    let stages = rust_lines(stages);
    let whole = rust_lines(whole);
    println!();
    println!("generated lines (.rs files)");
    println!("  {:<50} {:>10} {:>10}", "crate", "/stages/", "whole (/)");
    for krate in ["models", "client", "server"] {
        println!(
            "  {:<50} {:>10} {:>10}",
            krate,
            thousands(per_crate(&stages, krate)),
            thousands(per_crate(&whole, krate))
        );
    }
    let total = |lines: &BTreeMap<PathBuf, usize>| lines.values().sum::<usize>();
    println!(
        "  {:<50} {:>10} {:>10}   goal <= 35,000 and <= 180,000",
        "total",
        thousands(total(&stages)),
        thousands(total(&whole))
    );
    let mut big = String::new();
    for (selection, lines) in [("/stages/", &stages), ("whole", &whole)] {
        let mut files: Vec<(&PathBuf, &usize)> = lines
            .iter()
            .filter(|(_, n)| **n >= BIG_FILE_LINES)
            .collect();
        files.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (path, n) in files {
            let _ = writeln!(
                big,
                "  {:<50} {:>10}",
                format!("{selection} {}", path.display()),
                thousands(*n)
            );
        }
    }
    if !big.is_empty() {
        println!("files of {} lines or more:", thousands(BIG_FILE_LINES));
        print!("{big}");
    }
    if let Some(src) = official_src {
        let lines = rust_files_under(src)?;
        println!(
            "official {OFFICIAL} {OFFICIAL_VERSION} (OpenAPI Generator, whole schema): {} lines in {} files",
            thousands(lines.values().sum()),
            lines.len()
        );
    }
    Ok(())
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a maintainer runs: `cargo xtask codegen` for the whole schema, through cargo (the
/// generator already built), median wall time of `runs`.
fn codegen_wall_time(
    root: &Path,
    schema: &Path,
    scratch: &Path,
    runs: usize,
) -> Result<(), String> {
    let out = scratch.join("codegen-out");
    let mut times = Vec::new();
    // One run first, not counted: it builds the generator when it is stale.
    for run in 0..=runs {
        let started = Instant::now();
        let status = Command::new(cargo())
            .args(["xtask", "codegen", "--quiet", "--paths", "/", "--schema"])
            .arg(schema)
            .arg("--out")
            .arg(&out)
            .current_dir(root)
            .status()
            .map_err(|e| format!("cargo xtask codegen: {e}"))?;
        if !status.success() {
            return Err(format!("cargo xtask codegen failed: {status}"));
        }
        if run > 0 {
            times.push(started.elapsed().as_secs_f64());
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "`cargo xtask codegen --paths /` (through cargo, generator built), median of {runs}: {:.2} s (min {:.2} s)   goal <= 0.70 s",
        times[times.len() / 2],
        times[0]
    );
    Ok(())
}

fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(356_400), "356,400");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn options_parse() {
        let args: Vec<String> = ["--features", "captcha", "--runs", "3", "--no-official"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let parsed = parse(&args).unwrap().unwrap();
        assert_eq!(parsed.features.as_deref(), Some("captcha"));
        assert_eq!(parsed.runs, 3);
        assert!(!parsed.official && parsed.bench);
        assert!(parse(&["--runs".to_owned(), "0".to_owned()]).is_err());
        assert!(parse(&["--bogus".to_owned()]).is_err());
    }
}
