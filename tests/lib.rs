//! Helpers shared by the workspace tests.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    xtask::repo_root()
}

/// Where the real authentik schemas are: `$AUTHENTIK_SCHEMA_DIR`, else `../shared/authentik`
/// beside the repository. `None`, with a one-line notice, when the directory is absent; under
/// CI (`$CI`, which `.ci/run` sets) its absence fails the test instead ([`xtask::test_input`]).
pub fn authentik_schema_dir() -> Option<PathBuf> {
    xtask::authentik_schemas_for("the tests on the real authentik schemas")
}

/// The two real schemas, by version, with how many `/stages/` component schemas each reaches.
pub const REAL_SCHEMAS: &[(&str, usize)] = &[("2024.8.3", 134), ("2026.11.0-rc1", 166)];

/// A fresh, empty directory under the workspace's target directory.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = repo_root().join("target").join("test-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// One set of generated crates (`models/`, `server/`, `client/`, as `xtask::pipeline::Generated::files`
/// holds them) to compile beside others in one workspace.
pub struct CrateSet {
    /// Unique in the workspace; the set's directory, and its package names' prefix
    /// (`tri_state` → `tri-state-models`).
    pub name: String,
    pub files: std::collections::BTreeMap<PathBuf, String>,
}

/// How [`compile_crate_sets`] builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// `cargo check --all-targets`.
    Check,
    /// `cargo clippy --all-targets -- -D warnings`.
    Clippy,
    /// `cargo doc --no-deps` with `RUSTDOCFLAGS=-D warnings`.
    Doc,
}

/// What [`compile_crate_sets`] found.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// The sets that failed, by name, each with the first lines of what went wrong.
    pub failed: std::collections::BTreeMap<String, Vec<String>>,
    /// Errors cargo printed that name no set (empty when everything built).
    pub other: Vec<String>,
    /// Wall time of the cargo invocation(s).
    pub elapsed: std::time::Duration,
}

impl BuildReport {
    pub fn is_ok(&self) -> bool {
        self.failed.is_empty() && self.other.is_empty()
    }

    /// One paragraph per failed set, for an assertion message.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (set, lines) in &self.failed {
            out.push_str(&format!("{set}: does not compile:\n"));
            for line in lines {
                out.push_str(&format!("    {line}\n"));
            }
        }
        if !self.other.is_empty() {
            out.push_str("cargo failed:\n");
            for line in &self.other {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out
    }
}

/// How many lines of compiler output [`BuildReport`] keeps per set.
const ERROR_LINES: usize = 12;

/// The package-name prefix of a set: lowercase, `-` for anything but letters and digits.
pub fn package_prefix(set: &str) -> String {
    let prefix: String = set
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
        prefix
    } else {
        format!("set-{prefix}")
    }
}

/// A generated manifest under the set's own package names: `name = "authentik-models"` →
/// `name = "<prefix>-models"`, and `authentik-models = { path = "../models" }` →
/// `authentik-models = { package = "<prefix>-models", path = "../models" }`, so the code still
/// names `::authentik_models`. Panics when the manifest no longer has the lines this rewrites
/// (the test must then follow the generator).
pub fn rename_manifest(text: &str, krate: &str, prefix: &str) -> String {
    let package = format!("name = \"authentik-{krate}\"");
    let dependency = "authentik-models = {";
    let mut renamed_package = false;
    let mut renamed_dependency = false;
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        if !renamed_package && line.trim_end() == package {
            out.push_str(&format!("name = \"{prefix}-{krate}\"\n"));
            renamed_package = true;
        } else if line.starts_with(dependency) && line.contains("path = \"../models\"") {
            out.push_str(&line.replacen(
                dependency,
                &format!("authentik-models = {{ package = \"{prefix}-models\","),
                1,
            ));
            renamed_dependency = true;
        } else {
            out.push_str(line);
        }
    }
    assert!(
        renamed_package,
        "{krate}/Cargo.toml has no line `{package}`:\n{text}"
    );
    assert!(
        renamed_dependency || krate == "models",
        "{krate}/Cargo.toml has no line `authentik-models = {{ ... path = \"../models\" }}`:\n{text}"
    );
    out
}

/// Writes `text` unless the file already holds it (an unchanged file keeps its time stamp, so
/// cargo does not check it again).
pub fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().expect("a parent"))?;
    std::fs::write(path, text)
}

/// Removes every file under `dir` that `keep` does not name, and empty directories.
pub fn prune(dir: &Path, keep: &std::collections::BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            prune(&path, keep);
            let _ = std::fs::remove_dir(&path); // only when empty
        } else if !keep.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Writes every set into one workspace, `target/test-scratch/<scratch>/<set>/{models,server,client}`,
/// under package names of its own (see [`CrateSet::name`]), and builds them all with one cargo
/// invocation (`--keep-going`, `--offline`, the repository's `Cargo.lock`, `RUSTFLAGS=-D warnings`
/// and `RUSTDOCFLAGS=-D warnings`, `CARGO_TARGET_DIR=target/real-schemas` so dependencies built
/// by other tests are reused).
///
/// The workspace is kept between runs and only changed files are rewritten, so a set already
/// checked is not checked again. A set whose manifest cargo cannot load is reported as failed and
/// left out of another invocation, so one broken manifest does not hide the other sets' results;
/// so is a set with a file that cannot be written (a name over 255 bytes).
pub fn compile_crate_sets(scratch: &str, sets: &[CrateSet], build: Build) -> BuildReport {
    compile_crate_sets_with(scratch, sets, build, &[])
}

/// The cargo arguments that build every set's crates with one resource's feature alone
/// (`--no-default-features --features <set>-models/captcha,<set>-server/captcha,...`).
pub fn one_feature(sets: &[CrateSet], feature: &str) -> Vec<String> {
    let mut features = Vec::new();
    for set in sets {
        let prefix = package_prefix(&set.name);
        for krate in ["models", "server", "client"] {
            features.push(format!("{prefix}-{krate}/{feature}"));
        }
    }
    vec![
        "--no-default-features".to_owned(),
        "--features".to_owned(),
        features.join(","),
    ]
}

/// [`compile_crate_sets`] with more arguments for cargo (e.g. [`one_feature`]'s).
pub fn compile_crate_sets_with(
    scratch: &str,
    sets: &[CrateSet],
    build: Build,
    extra: &[String],
) -> BuildReport {
    let started = std::time::Instant::now();
    let mut report = BuildReport::default();
    let ws = repo_root()
        .join("target")
        .join("test-scratch")
        .join(scratch);
    std::fs::create_dir_all(&ws).expect("create scratch dir");
    let mut keep = std::collections::BTreeSet::new();
    let mut members: Vec<(String, String)> = Vec::new(); // (set, member dir)
    let mut prefixes = std::collections::BTreeMap::new();
    for set in sets {
        let prefix = package_prefix(&set.name);
        assert!(
            prefixes.insert(prefix.clone(), set.name.clone()).is_none(),
            "two sets with the package prefix {prefix}"
        );
        let dir = package_prefix(&set.name);
        let mut crates = std::collections::BTreeSet::new();
        let mut unwritable = None;
        // Only the crates: a file at the top of the set (the API manifest) is no crate.
        let crate_files = set.files.iter().filter(|(p, _)| p.components().count() > 1);
        for (path, text) in crate_files {
            let krate = path
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or_default()
                .to_owned();
            let text = if path.file_name().is_some_and(|n| n == "Cargo.toml") {
                rename_manifest(text, &krate, &prefix)
            } else {
                text.clone()
            };
            let target = ws.join(&dir).join(path);
            if let Err(e) = write_if_changed(&target, &text) {
                unwritable = Some(format!("cannot write {}/{}: {e}", dir, path.display()));
            }
            keep.insert(target);
            crates.insert(krate);
        }
        if let Some(why) = unwritable {
            report.failed.insert(set.name.clone(), vec![why]);
            continue;
        }
        for krate in crates {
            members.push((set.name.clone(), format!("{dir}/{krate}")));
        }
    }
    let lock = ws.join("Cargo.lock");
    let repo_lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).expect("Cargo.lock");
    // Cargo adds the sets' own packages to the lock file; start from the repository's each time
    // only when it changed there, so an unchanged workspace stays fresh.
    if !std::fs::read_to_string(ws.join(".repo-lock")).is_ok_and(|old| old == repo_lock) {
        std::fs::write(&lock, &repo_lock).expect("write Cargo.lock");
        std::fs::write(ws.join(".repo-lock"), &repo_lock).expect("write .repo-lock");
    }
    keep.insert(lock);
    keep.insert(ws.join(".repo-lock"));
    keep.insert(ws.join("Cargo.toml"));
    prune(&ws, &keep);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    loop {
        let live: Vec<&(String, String)> = members
            .iter()
            .filter(|(set, _)| !report.failed.contains_key(set))
            .collect();
        if live.is_empty() {
            break;
        }
        let list: Vec<String> = live.iter().map(|(_, dir)| format!("{dir:?}")).collect();
        write_if_changed(
            &ws.join("Cargo.toml"),
            &format!(
                "[workspace]\nresolver = \"2\"\nmembers = [\n    {},\n]\n",
                list.join(",\n    ")
            ),
        )
        .expect("write the workspace manifest");
        let mut command = std::process::Command::new(&cargo);
        match build {
            Build::Check => command.args(["check", "--all-targets"]),
            Build::Clippy => command.args(["clippy", "--all-targets"]),
            Build::Doc => command.args(["doc", "--no-deps"]),
        };
        command.args(["--offline", "--keep-going", "--message-format=short"]);
        command.args(extra);
        if build == Build::Clippy {
            command.args(["--", "-D", "warnings"]);
        }
        let out = command
            .current_dir(&ws)
            .env("CARGO_TARGET_DIR", repo_root().join("target/real-schemas"))
            .env("RUSTFLAGS", "-D warnings")
            .env("RUSTDOCFLAGS", "-D warnings")
            .env_remove("CARGO_TERM_COLOR")
            .output()
            .expect("run cargo");
        if out.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let before = report.failed.len();
        attribute_errors(&stderr, &live, &prefixes, &mut report);
        if report.failed.len() == before {
            // Nothing names a set: give up with what cargo said.
            report.other = stderr
                .lines()
                .filter(|l| {
                    let l = l.trim_start();
                    !l.starts_with("Checking") && !l.starts_with("Documenting") && !l.is_empty()
                })
                .take(ERROR_LINES * 2)
                .map(str::to_owned)
                .collect();
            break;
        }
        // Without a manifest error every set was built: the failures are all known. With one,
        // cargo built nothing: again without the sets it named.
        if !stderr.contains("failed to load manifest") {
            break;
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Whether `text` names a path in `dir` (a member directory `<set>/<crate>`).
fn names_dir(text: &str, dir: &str) -> bool {
    text.match_indices(dir).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + dir.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
            && matches!(after, Some('/' | '`' | '\'') | None)
    })
}

/// Sorts cargo's `--message-format=short` output by set: a diagnostic line starting with
/// `<set>/<crate>/...`, ``could not compile `<prefix>-<crate>` ``, or an error block (a manifest
/// error and its explanation) naming a set's directory.
fn attribute_errors(
    stderr: &str,
    live: &[&(String, String)],
    prefixes: &std::collections::BTreeMap<String, String>,
    report: &mut BuildReport,
) {
    let set_of_path = |text: &str| {
        live.iter()
            .find(|(_, dir)| names_dir(text, dir))
            .map(|(set, _)| set.clone())
    };
    let set_of_package = |package: &str| {
        prefixes
            .iter()
            .find(|(prefix, _)| {
                ["models", "server", "client"]
                    .iter()
                    .any(|k| package == format!("{prefix}-{k}"))
            })
            .map(|(_, set)| set.clone())
    };
    let lines: Vec<&str> = stderr.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let failed_package = line
            .strip_prefix("error: could not compile `")
            .or_else(|| line.strip_prefix("error: could not document `"));
        let found = if let Some(rest) = failed_package {
            let package = rest.split('`').next().unwrap_or_default();
            set_of_package(package).map(|set| (set, vec![line.to_owned()]))
        } else if line.starts_with("error") {
            // A block: this line and what explains it, up to the next diagnostic.
            let end = lines[i..]
                .iter()
                .position(|l| {
                    l.starts_with("error")
                        || l.starts_with("warning")
                        || l.contains(": error")
                        || l.contains(": warning")
                })
                .map_or(lines.len(), |n| i + n);
            let block = &lines[i - 1..end];
            i = end;
            block.iter().find_map(|l| set_of_path(l)).map(|set| {
                let kept = block
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .take(6)
                    .map(|l| (*l).to_owned())
                    .collect();
                (set, kept)
            })
        } else if line.contains(": error") || line.contains(": warning") {
            set_of_path(line).map(|set| (set, vec![line.to_owned()]))
        } else {
            None
        };
        if let Some((set, why)) = found {
            let entry = report.failed.entry(set).or_default();
            for line in why {
                if entry.len() < ERROR_LINES && !entry.contains(&line) {
                    entry.push(line);
                }
            }
        }
    }
}
