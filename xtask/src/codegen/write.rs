//! Pass 5, write: generated files → disk, or, with `--check`, a report of what differs.
//!
//! Everything is generated in memory before this pass runs, so a run that fails earlier leaves
//! the old files alone; a run that writes stages every changed crate directory beside the old
//! one and swaps them in only when all are written, so it writes everything or nothing. A file
//! the generator owns at the top of the output directory (the API manifest) is staged and
//! swapped in the same way, beside the directories.

use super::diag::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What differs between the generated files and the ones on disk.
#[derive(Debug, Default)]
pub struct Drift {
    /// Files whose text differs, with a unified diff of the first differences.
    pub stale: Vec<(PathBuf, String)>,
    pub missing: Vec<PathBuf>,
    /// Files under a generated crate that the generator does not produce.
    pub extra: Vec<PathBuf>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }

    /// How many files differ in any way.
    pub fn len(&self) -> usize {
        self.stale.len() + self.missing.len() + self.extra.len()
    }

    /// A report naming every file, with diffs.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for path in &self.missing {
            out.push_str(&format!("missing: {}\n", path.display()));
        }
        for path in &self.extra {
            out.push_str(&format!("extra (not generated): {}\n", path.display()));
        }
        for (path, diff) in &self.stale {
            out.push_str(&format!("stale: {}\n{diff}\n", path.display()));
        }
        out
    }
}

/// How many lines of a file's diff the report shows.
const DIFF_LINES: usize = 40;

/// Compares `files` (paths relative to `out`) with the disk and, in [`Mode::Write`], makes the
/// disk match: changed and missing files are written, extra files under `owned` are removed.
/// `owned` are the directories, and single files, (relative to `out`) that belong to the
/// generator.
pub fn sync(
    out: &Path,
    owned: &[&str],
    files: &BTreeMap<PathBuf, String>,
    mode: Mode,
) -> Result<Drift, Error> {
    let mut drift = Drift::default();
    for (rel, text) in files {
        let path = out.join(rel);
        match std::fs::read_to_string(&path) {
            Ok(old) if old == *text => {}
            Ok(old) => {
                // Only a check reports diffs; writing does not need them.
                let diff = match mode {
                    Mode::Check => first_differences(&old, text, rel),
                    Mode::Write => String::new(),
                };
                drift.stale.push((path, diff));
            }
            // A name no file system takes is missing too; writing it fails with its path.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidFilename
                ) =>
            {
                drift.missing.push(path)
            }
            Err(source) => {
                return Err(Error::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        }
    }
    for dir in owned {
        let mut found = Vec::new();
        list_files(&out.join(dir), &mut found);
        for path in found {
            let rel = path.strip_prefix(out).unwrap_or(&path);
            if !files.contains_key(rel) {
                drift.extra.push(path);
            }
        }
    }
    drift.extra.sort();
    if mode == Mode::Write && !drift.is_empty() {
        let changed: Vec<&str> = owned
            .iter()
            .copied()
            .filter(|dir| drift_touches(&drift, &out.join(dir)))
            .collect();
        replace_dirs(out, &changed, files)?;
    }
    Ok(drift)
}

fn first_differences(old: &str, new: &str, rel: &Path) -> String {
    // A bounded diff: a file that changed beyond recognition still reports quickly.
    let diff = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_millis(500))
        .diff_lines(old, new);
    let name = rel.display().to_string();
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (on disk)"), &format!("{name} (generated)"))
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    lines.truncate(DIFF_LINES);
    let mut out = lines.join("\n");
    if total > DIFF_LINES {
        out.push_str(&format!("\n... ({} more diff lines)", total - DIFF_LINES));
    }
    out
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) {
    // An owned single file lists itself.
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                if path.file_name().is_some_and(|n| n == "target") {
                    continue;
                }
                list_files(&path, out);
            }
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
}

fn drift_touches(drift: &Drift, dir: &Path) -> bool {
    drift
        .stale
        .iter()
        .map(|(p, _)| p)
        .chain(&drift.missing)
        .chain(&drift.extra)
        .any(|p| p.starts_with(dir))
}

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Replaces each of `dirs` (under `out`) with its generated files, all or nothing: every new
/// directory is first staged beside the old one (unchanged files hard-linked, so their times stay
/// and cargo does not rebuild for them), and only when all are complete are they swapped in. A
/// failed write removes the staging and leaves every old directory as it was.
fn replace_dirs(out: &Path, dirs: &[&str], files: &BTreeMap<PathBuf, String>) -> Result<(), Error> {
    let pid = std::process::id();
    let staged: Vec<(PathBuf, PathBuf)> = dirs
        .iter()
        .map(|dir| (out.join(dir), out.join(format!(".{dir}.codegen-new-{pid}"))))
        .collect();
    let cleanup = |staged: &[(PathBuf, PathBuf)]| {
        for (_, stage) in staged {
            remove(stage);
        }
    };
    for ((live, stage), dir) in staged.iter().zip(dirs) {
        if let Err(e) = stage_dir(out, dir, live, stage, files) {
            cleanup(&staged);
            return Err(e);
        }
    }
    let mut swapped: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for ((live, stage), dir) in staged.iter().zip(dirs) {
        let old = out.join(format!(".{dir}.codegen-old-{pid}"));
        let moved_old = if live.exists() {
            if let Err(e) = std::fs::rename(live, &old) {
                roll_back(&swapped);
                cleanup(&staged);
                return Err(write_error(live)(e));
            }
            Some(old)
        } else {
            None
        };
        // An owned file the generator no longer makes has no stage: moving it aside removes it.
        let result = if stage.exists() {
            std::fs::rename(stage, live)
        } else {
            Ok(())
        };
        if let Err(e) = result {
            if let Some(old) = &moved_old {
                let _ = std::fs::rename(old, live);
            }
            roll_back(&swapped);
            cleanup(&staged);
            return Err(write_error(live)(e));
        }
        swapped.push((live.clone(), moved_old));
    }
    for (live, old) in swapped {
        if let Some(old) = old {
            // A build directory inside a crate directory is not ours: it moves along.
            let target = old.join("target");
            if target.is_dir() {
                let _ = std::fs::rename(&target, live.join("target"));
            }
            remove(&old);
        }
    }
    Ok(())
}

/// Puts the old directories back after a failed swap.
fn roll_back(swapped: &[(PathBuf, Option<PathBuf>)]) {
    for (live, old) in swapped.iter().rev() {
        if let Some(old) = old {
            let aside = live.with_extension("codegen-failed");
            if !live.exists() {
                let _ = std::fs::rename(old, live);
            } else if std::fs::rename(live, &aside).is_ok() && std::fs::rename(old, live).is_ok() {
                remove(&aside);
            }
        }
    }
}

/// Removes a file or a directory tree, whichever `path` is; what cannot be removed stays.
fn remove(path: &Path) {
    if path.is_dir() {
        let _ = std::fs::remove_dir_all(path);
    } else {
        let _ = std::fs::remove_file(path);
    }
}

/// Writes `dir`'s generated files into `stage`, linking those that did not change; an owned
/// single file (`dir` is itself a generated file) is staged as a file.
fn stage_dir(
    out: &Path,
    dir: &str,
    live: &Path,
    stage: &Path,
    files: &BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    remove(stage);
    if let Some(text) = files.get(Path::new(dir)) {
        std::fs::create_dir_all(out).map_err(write_error(out))?;
        return std::fs::write(stage, text).map_err(write_error(&out.join(dir)));
    }
    if !files.keys().any(|rel| rel.starts_with(dir)) && !live.is_dir() {
        // Nothing to stage: an owned file that is no longer generated.
        return Ok(());
    }
    std::fs::create_dir_all(stage).map_err(write_error(stage))?;
    for (rel, text) in files.iter().filter(|(rel, _)| rel.starts_with(dir)) {
        let inner = rel.strip_prefix(dir).unwrap_or(rel);
        let target = stage.join(inner);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(write_error(parent))?;
        }
        let current = live.join(inner);
        let unchanged = std::fs::read(&current).is_ok_and(|old| old == text.as_bytes());
        if unchanged && std::fs::hard_link(&current, &target).is_ok() {
            continue;
        }
        std::fs::write(&target, text).map_err(write_error(&out.join(rel)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn check_names_stale_missing_and_extra_files_then_write_fixes_them() {
        let dir = tempdir("sync");
        let mut files = BTreeMap::new();
        files.insert(PathBuf::from("models/src/lib.rs"), "a\nb\nc\n".to_owned());
        files.insert(PathBuf::from("models/Cargo.toml"), "x\n".to_owned());
        std::fs::create_dir_all(dir.join("models/src")).unwrap();
        std::fs::write(dir.join("models/src/lib.rs"), "a\nB\nc\n").unwrap();
        std::fs::write(dir.join("models/src/old.rs"), "old\n").unwrap();

        let drift = sync(&dir, &["models"], &files, Mode::Check).unwrap();
        assert_eq!(drift.missing, vec![dir.join("models/Cargo.toml")]);
        assert_eq!(drift.extra, vec![dir.join("models/src/old.rs")]);
        assert_eq!(drift.stale.len(), 1);
        let diff = &drift.stale[0].1;
        assert!(diff.contains("-B\n+b"), "{diff}");
        assert!(diff.contains("models/src/lib.rs (on disk)"), "{diff}");
        // Check mode writes nothing.
        assert!(!dir.join("models/Cargo.toml").exists());

        let drift = sync(&dir, &["models"], &files, Mode::Write).unwrap();
        assert_eq!(drift.len(), 3);
        let drift = sync(&dir, &["models"], &files, Mode::Check).unwrap();
        assert!(drift.is_empty(), "{}", drift.report());
        assert!(!dir.join("models/src/old.rs").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempdir("all-or-nothing");
        for krate in ["client", "models", "server"] {
            std::fs::create_dir_all(dir.join(krate).join("src")).unwrap();
            std::fs::write(dir.join(krate).join("src/lib.rs"), "old\n").unwrap();
        }
        let mut files = BTreeMap::new();
        for krate in ["client", "models", "server"] {
            files.insert(
                PathBuf::from(format!("{krate}/src/lib.rs")),
                "new\n".to_owned(),
            );
        }
        // No file system takes a name this long: the server's staging fails after the client's
        // and the models' succeeded.
        files.insert(
            PathBuf::from(format!("server/src/{}.rs", "x".repeat(300))),
            "x\n".to_owned(),
        );
        let owned = ["client", "models", "server"];
        let error = sync(&dir, &owned, &files, Mode::Write).unwrap_err();
        assert!(matches!(error, Error::Write { .. }), "{error}");
        assert!(error.to_string().contains("xxxxxxxx"), "{error}");
        for krate in owned {
            let text = std::fs::read_to_string(dir.join(krate).join("src/lib.rs")).unwrap();
            assert_eq!(text, "old\n", "{krate} was rewritten");
        }
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("codegen"))
            .collect();
        assert!(left.is_empty(), "staging left behind: {left:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unchanged_files_keep_their_times() {
        let dir = tempdir("times");
        let mut files = BTreeMap::new();
        files.insert(PathBuf::from("models/src/a.rs"), "same\n".to_owned());
        files.insert(PathBuf::from("models/src/b.rs"), "one\n".to_owned());
        sync(&dir, &["models"], &files, Mode::Write).unwrap();
        let before = std::fs::metadata(dir.join("models/src/a.rs"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        files.insert(PathBuf::from("models/src/b.rs"), "two\n".to_owned());
        sync(&dir, &["models"], &files, Mode::Write).unwrap();
        let after = std::fs::metadata(dir.join("models/src/a.rs"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
        assert_eq!(
            std::fs::read_to_string(dir.join("models/src/b.rs")).unwrap(),
            "two\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_owned_file_is_written_checked_and_swapped_with_the_directories() {
        let dir = tempdir("owned-file");
        let owned = ["api.json", "models"];
        let mut files = BTreeMap::new();
        files.insert(PathBuf::from("api.json"), "{\"v\": 1}\n".to_owned());
        files.insert(PathBuf::from("models/src/lib.rs"), "one\n".to_owned());
        let drift = sync(&dir, &owned, &files, Mode::Write).unwrap();
        assert_eq!(drift.missing.len(), 2);
        assert_eq!(
            std::fs::read_to_string(dir.join("api.json")).unwrap(),
            "{\"v\": 1}\n"
        );
        assert!(sync(&dir, &owned, &files, Mode::Check).unwrap().is_empty());

        files.insert(PathBuf::from("api.json"), "{\"v\": 2}\n".to_owned());
        let drift = sync(&dir, &owned, &files, Mode::Check).unwrap();
        assert_eq!(drift.stale.len(), 1, "{}", drift.report());
        assert!(
            drift.stale[0].1.contains("+{\"v\": 2}"),
            "{}",
            drift.report()
        );

        // A failed write of a directory leaves the old file too.
        files.insert(
            PathBuf::from(format!("models/src/{}.rs", "x".repeat(300))),
            "x\n".to_owned(),
        );
        assert!(sync(&dir, &owned, &files, Mode::Write).is_err());
        assert_eq!(
            std::fs::read_to_string(dir.join("api.json")).unwrap(),
            "{\"v\": 1}\n"
        );
        files.retain(|p, _| !p.to_string_lossy().contains("xxx"));
        sync(&dir, &owned, &files, Mode::Write).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("api.json")).unwrap(),
            "{\"v\": 2}\n"
        );
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("codegen"))
            .collect();
        assert!(left.is_empty(), "staging left behind: {left:?}");

        // An owned file the generator no longer makes is extra, and removed.
        files.remove(Path::new("api.json"));
        let drift = sync(&dir, &owned, &files, Mode::Check).unwrap();
        assert_eq!(drift.extra, vec![dir.join("api.json")]);
        sync(&dir, &owned, &files, Mode::Write).unwrap();
        assert!(!dir.join("api.json").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
