//! `tests/run --check-prereqs` on machines that lack something: it names what is missing and the
//! Debian packages that bring it, exits 1, and builds nothing. The machines are simulated with a
//! `PATH` of symbolic links to this one's programs, less the ones a case takes away.

use stages_tests::{repo_root, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A directory of links to every program on this `PATH`, first one of each name winning, except
/// those `drop` accepts.
fn path_without(name: &str, drop: impl Fn(&str) -> bool) -> PathBuf {
    let dir = scratch_dir(&format!("prereqs-{name}"));
    let path = std::env::var_os("PATH").expect("PATH");
    for bin_dir in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&bin_dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name();
            let Some(file) = file.to_str() else {
                continue;
            };
            let link = dir.join(file);
            if drop(file) || link.symlink_metadata().is_ok() {
                continue;
            }
            std::os::unix::fs::symlink(entry.path(), &link).expect("symlink");
        }
    }
    dir
}

fn is_python(file: &str) -> bool {
    file == "python" || file.starts_with("python3")
}

fn check_prereqs(path: &Path) -> Output {
    Command::new("bash")
        .arg(repo_root().join("tests/run"))
        .arg("--check-prereqs")
        .env("PATH", path)
        .env_remove("CC")
        .env_remove("AR")
        .output()
        .expect("run tests/run")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn without_python_it_names_python3_and_its_debian_packages() {
    let out = check_prereqs(&path_without("no-python", is_python));
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("missing prerequisites; nothing was built"),
        "{text}"
    );
    assert!(text.contains("  - python3 (3.11 or newer)"), "{text}");
    assert!(
        text.contains("apt-get install python3 python3-venv"),
        "{text}"
    );
    // Nothing else is reported missing on a machine that has the rest.
    assert_eq!(text.lines().filter(|l| l.starts_with("  - ")).count(), 1);
}

#[test]
fn without_a_c_compiler_it_names_gcc_and_the_c_headers() {
    let out = check_prereqs(&path_without("no-cc", |f| {
        matches!(f, "cc" | "gcc" | "ar") || is_python(f)
    }));
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("  - a C compiler `cc`"), "{text}");
    assert!(text.contains("  - `ar`"), "{text}");
    assert!(
        text.contains("apt-get install gcc libc6-dev binutils python3 python3-venv"),
        "{text}"
    );
}

/// Debian's python3 without python3-venv: `python3 -m venv` fails for want of ensurepip.
#[test]
fn without_the_venv_module_it_names_the_versioned_venv_package() {
    let dir = path_without("no-venv", is_python);
    let fake = dir.join("python3");
    std::fs::write(
        &fake,
        "#!/bin/sh\n\
         if [ \"$1\" = -m ] && [ \"$2\" = venv ]; then\n\
         echo 'The virtual environment was not created successfully because ensurepip is not available.' >&2\n\
         exit 1\n\
         fi\n\
         echo 3.11\n",
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&fake, permissions).unwrap();
    // Without a schemathesis venv of its own, the check has to try the module.
    let root = scratch_dir("prereqs-no-venv-checkout");
    std::fs::create_dir_all(root.join("tests")).unwrap();
    std::fs::copy(repo_root().join("tests/run"), root.join("tests/run")).unwrap();
    let out = Command::new("bash")
        .arg(root.join("tests/run"))
        .arg("--check-prereqs")
        .env("PATH", &dir)
        .env_remove("CC")
        .env_remove("AR")
        .output()
        .unwrap();
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("python3's venv module with ensurepip")
            && text.contains("ensurepip is not available"),
        "{text}"
    );
    assert!(text.contains("apt-get install python3.11-venv"), "{text}");
}

#[test]
fn an_unknown_option_is_refused() {
    let out = Command::new("bash")
        .arg(repo_root().join("tests/run"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("usage: tests/run [--check-prereqs]"));
}
