//! `cargo xtask bench`: time and peak memory of load + generate + format.
//!
//! Each case runs in a child process (this same binary, `codegen --measure`), so the peak
//! resident memory the kernel reports (`VmHWM`) belongs to that case alone. All cases run in one
//! invocation, side by side, because this machine is noisy.

use crate::codegen;
use crate::pipeline::{add_manifest, Options};
use std::path::PathBuf;
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

struct Case {
    label: String,
    schema: PathBuf,
    paths: &'static str,
    goal_ms: f64,
}

/// Runs every case and prints a table.
pub fn run(args: &[String]) -> Result<ExitCode, String> {
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
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
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
    for case in &cases {
        let mut times = Vec::new();
        let mut loads = Vec::new();
        let mut lowers = Vec::new();
        let mut manifests = Vec::new();
        let mut peak = 0u64;
        let mut counts = (String::new(), String::new());
        for _ in 0..runs {
            let out = Command::new(&exe)
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
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            let field = |key: &str| {
                text.split_whitespace()
                    .find_map(|kv| kv.strip_prefix(key))
                    .unwrap_or("")
                    .to_owned()
            };
            times.push(field("ms=").parse::<f64>().unwrap_or(f64::NAN));
            loads.push(field("load_ms=").parse::<f64>().unwrap_or(f64::NAN));
            lowers.push(field("lower_ms=").parse::<f64>().unwrap_or(f64::NAN));
            manifests.push(field("manifest_ms=").parse::<f64>().unwrap_or(f64::NAN));
            peak = peak.max(field("peak_kib=").parse().unwrap_or(0));
            counts = (field("types="), field("ops="));
        }
        times.sort_by(f64::total_cmp);
        loads.sort_by(f64::total_cmp);
        lowers.sort_by(f64::total_cmp);
        manifests.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "{:<38} {:>6} {:>5} {:>8.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>8.0}",
            case.label,
            counts.0,
            counts.1,
            loads[loads.len() / 2],
            lowers[lowers.len() / 2],
            median,
            times[0],
            manifests[manifests.len() / 2],
            peak as f64 / 1024.0,
            case.goal_ms
        );
    }
    Ok(ExitCode::SUCCESS)
}
