//! Pass 5, write: generated files → disk, or, with `--check`, a report of what differs.
//!
//! Everything is generated in memory before this pass runs, so a run that fails earlier leaves
//! the old files alone; each file is written to a temporary name and renamed into place.

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
/// `owned` are the directories (relative to `out`) that belong to the generator.
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
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => drift.missing.push(path),
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
    if mode == Mode::Write {
        for path in drift
            .missing
            .iter()
            .chain(drift.stale.iter().map(|(p, _)| p))
        {
            let rel = path.strip_prefix(out).unwrap_or(path);
            write_atomic(path, &files[rel])?;
        }
        for path in &drift.extra {
            std::fs::remove_file(path).map_err(|source| Error::Write {
                path: path.display().to_string(),
                source,
            })?;
        }
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

fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
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
}
