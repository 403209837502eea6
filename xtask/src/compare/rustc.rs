//! Crate-only figures: this binary as `RUSTC_WRAPPER` ([`wrap_rustc`]) logs each rustc run's
//! wall time, CPU time and peak memory, and [`check_alone`] reads them for one crate checked
//! again after `cargo clean -p`.

use super::{cargo, WRAPPER_LOG};
use crate::codegen::{CLIENT_PACKAGE, MODELS_PACKAGE, SERVER_PACKAGE};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// One rustc run, as [`wrap_rustc`] logged it.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Rusage {
    pub(super) wall_s: f64,
    pub(super) cpu_s: f64,
    pub(super) peak_kib: u64,
}

impl Rusage {
    /// Two runs one after the other: times add up, the peak is the larger.
    pub(super) fn plus(self, other: Rusage) -> Rusage {
        Rusage {
            wall_s: self.wall_s + other.wall_s,
            cpu_s: self.cpu_s + other.cpu_s,
            peak_kib: self.peak_kib.max(other.peak_kib),
        }
    }
}

/// `authentik-models` → `authentik_models`.
pub(super) fn crate_name(package: &str) -> String {
    package.replace('-', "_")
}

pub(super) fn is_ours(krate: &str) -> bool {
    [MODELS_PACKAGE, CLIENT_PACKAGE, SERVER_PACKAGE]
        .iter()
        .any(|p| crate_name(p) == krate)
}

/// `cargo clean -p package`, then `cargo check -p package` through the wrapper: rustc's figures
/// for every crate it checked in that run, by crate name.
pub(super) fn check_alone(
    dir: &Path,
    target: &Path,
    wrapper: &Path,
    package: &str,
    flags: &[&str],
) -> Result<BTreeMap<String, Rusage>, String> {
    check_alone_cleaning(dir, target, wrapper, package, &[package], flags)
}

pub(super) fn check_alone_cleaning(
    dir: &Path,
    target: &Path,
    wrapper: &Path,
    package: &str,
    clean: &[&str],
    flags: &[&str],
) -> Result<BTreeMap<String, Rusage>, String> {
    for cleaned in clean {
        let out = Command::new(cargo())
            .args(["clean", "--quiet", "-p", cleaned])
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target)
            .output()
            .map_err(|e| format!("cargo clean: {e}"))?;
        if !out.status.success() {
            return Err(first_error(&out.stderr));
        }
    }
    let log = target.join("rustc-times.log");
    let _ = std::fs::remove_file(&log);
    let out = Command::new(cargo())
        .args(["check", "--quiet", "-p", package])
        .args(flags)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTC_WRAPPER", wrapper)
        .env(WRAPPER_LOG, &log)
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cargo check: {e}"))?;
    if !out.status.success() {
        return Err(first_error(&out.stderr));
    }
    let text = std::fs::read_to_string(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut measured = BTreeMap::new();
    for line in text.lines() {
        let mut fields = line.split('\t');
        let (Some(krate), Some(wall), Some(cpu), Some(peak)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let usage = Rusage {
            wall_s: wall.parse().unwrap_or(f64::NAN),
            cpu_s: cpu.parse().unwrap_or(f64::NAN),
            peak_kib: peak.parse().unwrap_or(0),
        };
        measured.insert(krate.to_owned(), usage);
    }
    Ok(measured)
}

/// The first `error` line cargo printed, with the lines after it, or its last lines.
pub(super) fn first_error(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("error"))
        .unwrap_or(lines.len().saturating_sub(6));
    lines[start..]
        .iter()
        .take(6)
        .copied()
        .collect::<Vec<_>>()
        .join("\n    ")
}

/// The wrapper: `args` are rustc's path and its arguments. Runs rustc with them and appends
/// `crate<TAB>wall s<TAB>cpu s<TAB>peak KiB` to the log for a run that compiles a crate; exits
/// as rustc did.
pub fn wrap_rustc(log: &Path) -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(rustc) = args.next() else {
        eprintln!("error: {WRAPPER_LOG} is set but no rustc was given");
        return ExitCode::from(2);
    };
    let args: Vec<OsString> = args.collect();
    let krate = args
        .iter()
        .position(|a| a == "--crate-name")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.to_string_lossy().into_owned());
    let started = Instant::now();
    let status = match Command::new(&rustc).args(&args).status() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", rustc.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let wall = started.elapsed().as_secs_f64();
    if let Some(krate) = krate {
        let (cpu, peak) = children_usage();
        let line = format!("{krate}\t{wall:.3}\t{cpu:.3}\t{peak}\n");
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
        if let Err(e) = appended {
            eprintln!("warning: cannot log to {}: {e}", log.display());
        }
    }
    match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

/// CPU seconds and peak resident KiB of the children waited for (here: the one rustc).
#[cfg(unix)]
fn children_usage() -> (f64, u64) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the whole struct it is given a pointer to, and it is only read
    // when the call succeeded.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) != 0 {
            return (f64::NAN, 0);
        }
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    // Linux reports ru_maxrss in KiB.
    (
        seconds(usage.ru_utime) + seconds(usage.ru_stime),
        u64::try_from(usage.ru_maxrss).unwrap_or(0),
    )
}

#[cfg(not(unix))]
fn children_usage() -> (f64, u64) {
    (f64::NAN, 0)
}
