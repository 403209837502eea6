//! Helpers shared by the workspace tests.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    xtask::codegen::repo_root()
}

/// Where the real authentik schemas are: `$AUTHENTIK_SCHEMA_DIR`, else `../shared/authentik`
/// beside the repository. `None`, with a notice, when the directory is absent.
pub fn authentik_schema_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AUTHENTIK_SCHEMA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/authentik"));
    let dir = if dir.is_relative() {
        repo_root().join(dir)
    } else {
        dir
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: {} not found (set AUTHENTIK_SCHEMA_DIR); tests on the real authentik schemas are skipped",
            dir.display()
        );
        None
    }
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
