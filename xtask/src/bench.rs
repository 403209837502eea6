//! `cargo xtask bench`: time and peak memory of load + generate + format.
//!
//! Each case runs in a child process (this same binary, `codegen --measure`), so the peak
//! resident memory the kernel reports (`VmHWM`) belongs to that case alone. All cases run in one
//! invocation, side by side, because this machine is noisy.

use crate::codegen;
use crate::pipeline::{add_manifest, Options};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Runs in the child: generates in memory, prints `ms=<f64> load_ms=<f64> lower_ms=<f64> ...`:
/// the time to load, to load and lower, and to make every crate and the API manifest
/// (`manifest_ms`: the manifest's share).
pub fn measure_child(options: &Options) -> Result<ExitCode, String> {
    let start = Instant::now();
    let doc = codegen::load::load_paths(&options.schema, &options.schema_label, &options.paths)
        .map_err(|e| e.to_string())?;
    let load_ms = start.elapsed().as_secs_f64() * 1000.0;
    let fresh = codegen::lower::PriorNames::default();
    let api = codegen::lower_selected(&doc, &options.schema_label, &options.paths, &fresh)
        .map_err(|e| e.to_string())?;
    drop(doc);
    let lower_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut files = std::collections::BTreeMap::new();
    codegen::emit_crates(&api, &options.schema_label, &mut files).map_err(|e| e.to_string())?;
    let crates_ms = start.elapsed().as_secs_f64() * 1000.0;
    add_manifest(&api, &options.schema_label, &options.paths, &mut files);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let manifest_ms = ms - crates_ms;
    let bytes: usize = files.values().map(String::len).sum();
    println!(
        "ms={ms:.1} load_ms={load_ms:.1} lower_ms={lower_ms:.1} manifest_ms={manifest_ms:.1} peak_kib={} types={} ops={} bytes={bytes}",
        peak_kib().unwrap_or(0),
        api.models.len(),
        api.operations.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Peak resident set size of this process, from `/proc/self/status`.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One schema and path selection to time, with the time it should stay under.
struct Case {
    label: String,
    schema: PathBuf,
    paths: &'static str,
    goal_ms: f64,
}

/// Runs every case and prints a table.
pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let runs = parse(args)?;
    let cases = cases();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    print_header(runs);
    for case in &cases {
        let mut samples = Samples::default();
        for _ in 0..runs {
            samples.add(&measure(&exe, case)?);
        }
        println!("{}", samples.row(case));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads `bench`'s options: how many runs per case.
fn parse(args: &[String]) -> Result<usize, String> {
    let mut runs = 5usize;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--runs needs a positive number")?;
            }
            other => return Err(format!("unknown option `{other}` for bench")),
        }
    }
    Ok(runs)
}

/// Our schema's `/stages/`, then `/stages/` and the whole of each real authentik schema found
/// (a notice for each one missing).
fn cases() -> Vec<Case> {
    let root = crate::paths::repo_root();
    let dir = crate::authentik_schema_dir();
    let mut cases = vec![Case {
        label: "ours (schema/stages.yaml), /stages/".into(),
        schema: root.join(codegen::DEFAULT_SCHEMA),
        paths: "/stages/",
        goal_ms: 300.0,
    }];
    for version in ["2024.8.3", "2026.11.0-rc1"] {
        let schema = dir.join(format!("schema-{version}.yml"));
        if !schema.exists() {
            eprintln!(
                "notice: {} not found; its cases are skipped",
                schema.display()
            );
            continue;
        }
        cases.push(Case {
            label: format!("authentik {version}, /stages/"),
            schema: schema.clone(),
            paths: "/stages/",
            goal_ms: 300.0,
        });
        cases.push(Case {
            label: format!("authentik {version}, whole (/)"),
            schema,
            paths: "/",
            goal_ms: 1000.0,
        });
    }
    cases
}

/// What the table shows and the column headings.
fn print_header(runs: usize) {
    let profile = if cfg!(debug_assertions) {
        "debug (dev profile)"
    } else {
        "release"
    };
    println!("load + generate + format, in memory; median of {runs} runs, each in its own process; build: {profile}");
    println!("columns are cumulative: load; load + lower; load + lower + the three crates (emitted and formatted on every core at once) + api.json (the whole run); then api.json's share of it");
    println!(
        "{:<38} {:>6} {:>5} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "case",
        "types",
        "ops",
        "load ms",
        "+lower ms",
        "whole ms",
        "min ms",
        "api.json ms",
        "peak MiB",
        "goal ms"
    );
}

/// One run of a case in a child process: the line [`measure_child`] prints.
fn measure(exe: &Path, case: &Case) -> Result<String, String> {
    let out = Command::new(exe)
        .args(["codegen", "--measure", "--paths", case.paths, "--schema"])
        .arg(&case.schema)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "{} failed: {}",
            case.label,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

/// The figures of a case's runs so far.
#[derive(Default)]
struct Samples {
    times: Vec<f64>,
    loads: Vec<f64>,
    lowers: Vec<f64>,
    manifests: Vec<f64>,
    peak: u64,
    counts: (String, String),
}

impl Samples {
    /// Adds one run's figures, read from the `key=value` line of [`measure_child`].
    fn add(&mut self, text: &str) {
        let field = |key: &str| {
            text.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key))
                .unwrap_or("")
                .to_owned()
        };
        self.times
            .push(field("ms=").parse::<f64>().unwrap_or(f64::NAN));
        self.loads
            .push(field("load_ms=").parse::<f64>().unwrap_or(f64::NAN));
        self.lowers
            .push(field("lower_ms=").parse::<f64>().unwrap_or(f64::NAN));
        self.manifests
            .push(field("manifest_ms=").parse::<f64>().unwrap_or(f64::NAN));
        self.peak = self.peak.max(field("peak_kib=").parse().unwrap_or(0));
        self.counts = (field("types="), field("ops="));
    }

    /// The case's row: medians, the fastest whole run, the peak memory and the goal.
    fn row(mut self, case: &Case) -> String {
        for figures in [
            &mut self.times,
            &mut self.loads,
            &mut self.lowers,
            &mut self.manifests,
        ] {
            figures.sort_by(f64::total_cmp);
        }
        let median = |figures: &[f64]| figures[figures.len() / 2];
        format!(
            "{:<38} {:>6} {:>5} {:>8.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>8.0}",
            case.label,
            self.counts.0,
            self.counts.1,
            median(&self.loads),
            median(&self.lowers),
            median(&self.times),
            self.times[0],
            median(&self.manifests),
            self.peak as f64 / 1024.0,
            case.goal_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_parse() {
        assert_eq!(parse(&[]), Ok(5));
        assert_eq!(parse(&["--runs".to_owned(), "3".to_owned()]), Ok(3));
        assert!(parse(&["--runs".to_owned(), "0".to_owned()]).is_err());
        assert!(parse(&["--bogus".to_owned()]).is_err());
    }

    /// Medians of each column, the fastest whole run, the largest peak, the last counts.
    #[test]
    fn a_row_takes_medians_of_the_runs() {
        let mut samples = Samples::default();
        for (ms, peak) in [(30.0, 2048), (10.0, 1024), (20.0, 4096)] {
            samples.add(&format!(
                "ms={ms} load_ms={} lower_ms={} manifest_ms=1.5 peak_kib={peak} types=7 ops=3 bytes=9",
                ms / 10.0,
                ms / 5.0
            ));
        }
        let case = Case {
            label: "case".to_owned(),
            schema: PathBuf::new(),
            paths: "/",
            goal_ms: 300.0,
        };
        let row = samples.row(&case);
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells,
            ["case", "7", "3", "2.0", "4.0", "20.0", "10.0", "1.5", "4.0", "300"]
        );
    }
}
