//! Output snapshots: each `tests/fixtures/good/<name>.yaml` is a minimal schema for one feature or
//! one collision class; what the generator makes of it is committed under
//! `tests/snapshots/<name>/` (the generated file tree, without the support modules,
//! `*/src/support/`) and compared byte for byte, so a generator change shows as an output diff.
//!
//! The support modules are copies of the templates (`xtask/templates/<crate>/support/`), the same
//! for every fixture: instead of storing them fifteen times, the test checks that each fixture's
//! crates get exactly the templates, each file the `@generated` line and then the template's
//! bytes.
//!
//! Update every snapshot with `UPDATE_SNAPSHOTS=1 cargo test -p stages-tests --test snapshots`.
//!
//! The second test compiles every fixture's crates, warning-free under clippy, in one workspace.

use stages_tests::{compile_crate_sets, repo_root, Build, CrateSet};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use xtask::codegen;

/// The good fixtures, by name (file stem), sorted.
fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = repo_root().join("tests/fixtures/good");
    let mut fixtures: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/good")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, p)
        })
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() >= 14,
        "the suite lost fixtures: {}",
        fixtures.len()
    );
    fixtures
}

/// Generates one fixture (in-process, panics caught); the files, or what went wrong.
fn generate(name: &str, path: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let label = format!("fixtures/good/{name}.yaml");
    let outcome = std::panic::catch_unwind(|| {
        let doc = codegen::load::parse(&text, &label)?;
        xtask::pipeline::generate_from(&doc, &label, "/stages/")
    });
    match outcome {
        Ok(Ok(generated)) => Ok(generated.files),
        Ok(Err(e)) => Err(format!("generation failed: {e}")),
        Err(panic) => Err(format!("generation panicked: {}", panic_text(&*panic))),
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// The support templates as every fixture's crates get them, by the path of the copy
/// (`server/support/mod.rs` is copied to `server/src/support/mod.rs`), without the header.
fn support_templates() -> BTreeMap<PathBuf, String> {
    let templates = read_tree(&repo_root().join("xtask/templates"));
    assert!(!templates.is_empty(), "no templates under xtask/templates/");
    templates
        .into_iter()
        .map(|(rel, text)| {
            let mut parts = rel.iter();
            let krate = parts.next().expect("a template's crate directory");
            (Path::new(krate).join("src").join(parts.as_path()), text)
        })
        .collect()
}

/// Whether a generated file is in a crate's support module (`<crate>/src/support/...`): a copy
/// of a template, not snapshotted. No resource is named `support`, so nothing else is there.
fn in_support(path: &Path) -> bool {
    let mut parts = path.iter().skip(1);
    parts.next() == Some("src".as_ref()) && parts.next() == Some("support".as_ref())
}

/// What is wrong with a fixture's support modules: a template not copied, a copy that is not
/// the header and the template's bytes, or a file there that is no template's copy.
fn support_report(
    label: &str,
    generated: &BTreeMap<PathBuf, String>,
    templates: &BTreeMap<PathBuf, String>,
) -> String {
    let header = codegen::format::header("//", label);
    let mut report = String::new();
    for (rel, template) in templates {
        match generated.get(rel) {
            None => report.push_str(&format!("  support file missing: {}\n", rel.display())),
            Some(copy) if *copy != format!("{header}\n{template}") => {
                report.push_str(&format!(
                    "  not the header and its template's bytes: {}\n",
                    rel.display()
                ));
            }
            Some(_) => {}
        }
    }
    for rel in generated.keys() {
        if in_support(rel) && !templates.contains_key(rel) {
            report.push_str(&format!(
                "  in support/ but no template's copy: {}\n",
                rel.display()
            ));
        }
    }
    report
}

/// Every file under `dir`, by path relative to it.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(root, &path, out);
            } else {
                let text = std::fs::read(&path).expect("read snapshot");
                let text = String::from_utf8_lossy(&text).into_owned();
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The first lines of a diff: the changed middle between the common first and last lines, each
/// side cut at a few lines.
fn first_diff_lines(expected: &str, actual: &str) -> String {
    const SHOWN: usize = 8;
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_mid, new_mid) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut out = format!(
        "    @@ line {}: {} line(s) committed, {} generated @@\n",
        head + 1,
        old_mid.len(),
        new_mid.len()
    );
    for line in old_mid.iter().take(SHOWN) {
        out.push_str(&format!("    -{line}\n"));
    }
    if old_mid.len() > SHOWN {
        out.push_str(&format!("    -... ({} more)\n", old_mid.len() - SHOWN));
    }
    for line in new_mid.iter().take(SHOWN) {
        out.push_str(&format!("    +{line}\n"));
    }
    if new_mid.len() > SHOWN {
        out.push_str(&format!("    +... ({} more)\n", new_mid.len() - SHOWN));
    }
    if old_mid.is_empty() && new_mid.is_empty() {
        out.push_str("    (only the final newline differs)\n");
    }
    out
}

#[test]
fn generated_output_matches_the_committed_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v != "0" && !v.is_empty());
    let root = repo_root().join("tests/snapshots");
    let fixtures = fixtures();
    let templates = support_templates();
    let mut failures = Vec::new();
    for (name, path) in &fixtures {
        let dir = root.join(name);
        let generated = match generate(name, path) {
            Ok(files) => files,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let support = support_report(
            &format!("fixtures/good/{name}.yaml"),
            &generated,
            &templates,
        );
        if !support.is_empty() {
            failures.push(format!(
                "{name}: the support modules are not the templates:\n{support}"
            ));
        }
        let generated: BTreeMap<PathBuf, String> = generated
            .into_iter()
            .filter(|(p, _)| !in_support(p))
            .collect();
        if update {
            let _ = std::fs::remove_dir_all(&dir);
            for (rel, text) in &generated {
                let target = dir.join(rel);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(&target, text).unwrap();
            }
            continue;
        }
        let committed = read_tree(&dir);
        let mut report = String::new();
        for (rel, text) in &generated {
            match committed.get(rel) {
                None => report.push_str(&format!("  missing: {}\n", rel.display())),
                Some(old) if old != text => {
                    report.push_str(&format!("  differs: {}\n", rel.display()));
                    report.push_str(&first_diff_lines(old, text));
                }
                Some(_) => {}
            }
        }
        for rel in committed.keys().filter(|p| !generated.contains_key(*p)) {
            report.push_str(&format!("  extra: {}\n", rel.display()));
        }
        if !report.is_empty() {
            failures.push(format!(
                "{name}: tests/snapshots/{name}/ is not what the generator makes:\n{report}"
            ));
        }
    }
    // Snapshots of fixtures that are gone.
    let names: BTreeSet<&str> = fixtures.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !names.contains(name.as_str()) {
            if update {
                let _ = std::fs::remove_dir_all(entry.path());
            } else {
                failures.push(format!(
                    "tests/snapshots/{name}/ has no fixture tests/fixtures/good/{name}.yaml"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} snapshot failure(s) (accept the new output with `UPDATE_SNAPSHOTS=1 cargo test -p stages-tests --test snapshots`):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_fixture_compiles_warning_free() {
    let mut failures = Vec::new();
    let mut sets = Vec::new();
    for (name, path) in fixtures() {
        match generate(&name, &path) {
            Ok(files) => sets.push(CrateSet { name, files }),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    let report = compile_crate_sets("snapshots", &sets, Build::Clippy);
    eprintln!(
        "snapshots: {} fixture(s) built with clippy in {:.1} s, {} failed",
        sets.len(),
        report.elapsed.as_secs_f64(),
        report.failed.len()
    );
    if !report.is_ok() {
        failures.push(report.render());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
