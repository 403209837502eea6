//! Where things are: the repository, and the test inputs that live outside it (the real
//! authentik schemas, the corpus), with what a test does when one is missing.

use std::path::{Path, PathBuf};

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where the real authentik schemas are: `$AUTHENTIK_SCHEMA_DIR` (relative to the repository
/// root when relative), else `../shared/authentik` beside the repository.
pub fn authentik_schema_dir() -> PathBuf {
    let root = repo_root();
    match std::env::var_os("AUTHENTIK_SCHEMA_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("../shared/authentik"),
    }
}

/// Whether this is a CI run: `$CI` set to anything but empty, `0` or `false`, as CI services
/// and `.ci/run` set it.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

/// A test input that lives outside the repository (the real authentik schemas, a corpus file):
/// `Some(path)` when it exists. When it does not, a local run prints one line and the test skips
/// (`None`); a CI run ([`is_ci`]) panics instead, so that a check which could not run never
/// passes there. `what` names the test that needs it.
///
/// # Panics
///
/// When `path` does not exist and the run is CI's.
pub fn test_input(path: &Path, what: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_owned());
    }
    if is_ci() {
        panic!(
            "{} not found (set AUTHENTIK_SCHEMA_DIR): {what} cannot run, and under CI a test that cannot run fails",
            path.display()
        );
    }
    eprintln!(
        "notice: {} not found (set AUTHENTIK_SCHEMA_DIR); {what} skipped",
        path.display()
    );
    None
}

/// [`authentik_schema_dir`] through [`test_input`]: `None` (skip) locally when it is absent,
/// a panic under CI.
pub fn authentik_schemas_for(what: &str) -> Option<PathBuf> {
    test_input(&authentik_schema_dir(), what)
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    /// Runs one test of this binary again, with the real schemas' directory missing and `$CI`
    /// as given, and returns whether it passed and what it printed.
    fn rerun_without_schemas(ci: &str) -> (bool, String) {
        let out = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "codegen::load::fast::tests::agrees_with_serde_yaml_on_every_schema_at_hand",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("AUTHENTIK_SCHEMA_DIR", "/nonexistent/authentik-schemas")
            .env("CI", ci)
            .output()
            .expect("run the test binary");
        let printed = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            printed.contains("1 passed") || printed.contains("1 failed"),
            "{printed}"
        );
        (out.status.success(), printed)
    }

    #[test]
    fn a_test_whose_real_schemas_are_missing_fails_under_ci_and_skips_locally() {
        let (passed, printed) = rerun_without_schemas("true");
        assert!(!passed, "passed under CI without its input:\n{printed}");
        assert!(
            printed.contains("/nonexistent/authentik-schemas/schema-2024.8.3.yml not found")
                && printed.contains("under CI a test that cannot run fails"),
            "{printed}"
        );
        for local in ["", "false", "0"] {
            let (passed, printed) = rerun_without_schemas(local);
            assert!(passed, "CI={local:?}:\n{printed}");
            assert!(
                printed.contains("notice: /nonexistent/authentik-schemas/schema-2024.8.3.yml not found (set AUTHENTIK_SCHEMA_DIR); its comparison skipped"),
                "{printed}"
            );
        }
    }
}
