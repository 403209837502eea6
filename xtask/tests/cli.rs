//! `cargo xtask codegen` as a command: exit codes, the drift report, and that a failed run
//! leaves the old files alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask")
}

fn root() -> PathBuf {
    xtask::repo_root()
}

fn scratch(name: &str) -> PathBuf {
    let dir = root()
        .join("target/test-scratch")
        .join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Generates into `dir`; returns how many files a run makes.
fn generate_into(dir: &Path) -> usize {
    let out = xtask(&["codegen", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    let rest = line
        .strip_prefix("codegen: 20 types (20 schemas), 14 operations, ")
        .unwrap_or_else(|| panic!("{line}"));
    let (changed, rest) = rest.split_once(" of ").unwrap_or_else(|| panic!("{line}"));
    let (total, _) = rest
        .split_once(" files changed, ")
        .unwrap_or_else(|| panic!("{line}"));
    assert_eq!(changed, total, "a first run writes every file: {line}");
    total.parse().unwrap()
}

#[test]
fn check_fails_naming_a_hand_edited_file_with_a_diff() {
    let dir = scratch("check");
    let total = generate_into(&dir);
    let out = xtask(&["codegen", "--check", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("0 of {total} files stale")));

    // Only the captcha resource reaches `CaptchaStage`: it is in that resource's module.
    let types = dir.join("models/src/captcha.rs");
    let edited = std::fs::read_to_string(&types).unwrap().replace(
        "pub struct CaptchaStage {",
        "pub struct CaptchaStage {\n    pub hand_edit: bool,",
    );
    std::fs::write(&types, edited).unwrap();
    std::fs::write(dir.join("models/src/extra.rs"), "// not generated\n").unwrap();
    std::fs::remove_file(dir.join("models/Cargo.toml")).unwrap();

    let out = xtask(&["codegen", "--check", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("stale: {}", types.display())),
        "{err}"
    );
    assert!(err.contains("-    pub hand_edit: bool,"), "{err}");
    assert!(err.contains("@@ "), "{err}");
    assert!(
        err.contains("missing: ") && err.contains("models/Cargo.toml"),
        "{err}"
    );
    assert!(
        err.contains("extra (not generated): ") && err.contains("models/src/extra.rs"),
        "{err}"
    );
    assert!(err.contains("run `cargo xtask codegen`"), "{err}");
    // --check wrote nothing.
    assert!(!dir.join("models/Cargo.toml").exists());

    // Writing repairs all three.
    let out = xtask(&["codegen", "--out", dir.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains(&format!("3 of {total} files changed")),
        "{}",
        text(&out.stdout)
    );
    let out = xtask(&["codegen", "--check", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success());
}

#[test]
fn a_bad_schema_exits_non_zero_and_leaves_old_files_alone() {
    let dir = scratch("bad");
    generate_into(&dir);
    let before = std::fs::read_to_string(dir.join("models/src/types.rs")).unwrap();
    let bad = root().join("tests/fixtures/bad/oneof_without_discriminator.yaml");
    let out = xtask(&[
        "codegen",
        "--schema",
        bad.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("oneof_without_discriminator.yaml#/components/schemas/X/properties/y: oneOf without discriminator is not supported"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("models/src/types.rs")).unwrap(),
        before
    );
}

#[test]
fn json_schemas_are_read_too() {
    let dir = scratch("json");
    let yaml = std::fs::read_to_string(root().join("schema/stages.yaml")).unwrap();
    let value: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
    let json_path = dir.join("stages.json");
    std::fs::write(&json_path, serde_json::to_string(&value).unwrap()).unwrap();
    let out = xtask(&[
        "codegen",
        "--schema",
        json_path.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("20 types"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(xtask(&["codegen", "--frobnicate"]).status.code(), Some(2));
    assert_eq!(
        xtask(&["codegen", "--paths", "stages"]).status.code(),
        Some(2)
    );
    assert_eq!(xtask(&["nope"]).status.code(), Some(2));
    assert!(xtask(&["help"]).status.success());
}

#[test]
fn a_schema_change_is_told_in_api_terms_by_check_and_by_the_run_that_writes_it() {
    let dir = scratch("api-summary");
    let out_dir = dir.to_str().unwrap();
    let v1 = root().join("tests/fixtures/evolution/v1.yaml");
    let v2 = root().join("tests/fixtures/evolution/v2.yaml");
    let (v1, v2) = (v1.to_str().unwrap(), v2.to_str().unwrap());
    let out = xtask(&["codegen", "--schema", v1, "--out", out_dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A first run has no earlier manifest and says nothing about the API.
    assert!(!text(&out.stdout).contains("api:"), "{}", text(&out.stdout));
    let manifest = std::fs::read_to_string(dir.join("api.json")).unwrap();
    assert!(
        manifest.starts_with("{\n  \"@generated\": \"by cargo xtask codegen from "),
        "{manifest}"
    );

    // --check explains the drift in API terms first, then names the files.
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir, "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let api = err
        .find("api: the schema's API differs from")
        .unwrap_or_else(|| panic!("{err}"));
    let stale = err.find("stale: ").unwrap_or_else(|| panic!("{err}"));
    assert!(api < stale, "{err}");
    assert!(err.contains("4 fields added, 2 fields removed"), "{err}");
    assert!(
        err.contains("`Widget::legacy` removed: code that sets or reads it no longer compiles"),
        "{err}"
    );
    assert!(err.contains("stale: ") && err.contains("api.json"), "{err}");

    // The run that writes it prints one line of API summary.
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout.lines().nth(1).unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.starts_with("api: 1 resource added, 2 operations added"),
        "{line}"
    );
    assert!(
        line.ends_with("24 breaking for clients, 20 for servers"),
        "{line}"
    );

    // Nothing changed: nothing to say.
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir]);
    assert!(!text(&out.stdout).contains("api:"), "{}", text(&out.stdout));

    // A hand-edited manifest is stale like any generated file, and said to be unreadable.
    std::fs::write(dir.join("api.json"), "{}\n").unwrap();
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir, "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("could not be read"), "{err}");
    assert!(err.contains("stale: ") && err.contains("api.json"), "{err}");
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(dir.join("api.json")).unwrap().len() > 100);
}

/// The Rust name of `json` among the values of the enum `ty` in the manifest at `dir`.
fn value_name(dir: &Path, ty: &str, json: &str) -> String {
    let text = std::fs::read_to_string(dir.join("api.json")).unwrap();
    let surface = xtask::api::Surface::from_json(&text).unwrap();
    match &surface.types[ty].shape {
        xtask::api::surface::Shape::Enum(e) => e
            .values
            .iter()
            .find(|v| v.json == json)
            .map(|v| v.rust.clone())
            .unwrap_or_else(|| panic!("{ty} has no value {json:?}")),
        other => panic!("{ty} is a {}", other.name()),
    }
}

#[test]
fn regenerating_keeps_the_names_the_manifest_there_records() {
    let dir = scratch("stable-names");
    let out_dir = dir.to_str().unwrap();
    let fixture = |v: &str| root().join(format!("tests/fixtures/evolution/{v}.yaml"));
    let (v1, v2) = (fixture("more-v1"), fixture("more-v2"));
    let (v1, v2) = (v1.to_str().unwrap(), v2.to_str().unwrap());
    let out = xtask(&["codegen", "--schema", v1, "--out", out_dir, "-q"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(value_name(&dir, "ThemeEnum", "dark-mode"), "DarkMode");

    // more-v2 adds "dark_mode" before "dark-mode": the value that was there keeps `DarkMode`.
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(value_name(&dir, "ThemeEnum", "dark-mode"), "DarkMode");
    assert_eq!(value_name(&dir, "ThemeEnum", "dark_mode"), "DarkMode2");
    // The API summary says so: additions, nothing renamed.
    let stdout = text(&out.stdout);
    for said in ["1 parameter added", "1 field added", "1 enum value added"] {
        assert!(stdout.contains(said), "{said}: {stdout}");
    }
    assert!(!stdout.contains("renamed"), "{stdout}");
    let models = std::fs::read_to_string(dir.join("models/src/types.rs")).unwrap();
    for variant in [r#"DarkMode2 = "dark_mode","#, r#"DarkMode = "dark-mode","#] {
        assert!(models.contains(variant), "{variant} in {models}");
    }

    // Generated over its own output, it is what is there.
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir, "--check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Without the manifest, names are made afresh: the added value, listed first, takes
    // `DarkMode`, so the crates there are stale.
    std::fs::remove_file(dir.join("api.json")).unwrap();
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir, "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let out = xtask(&["codegen", "--schema", v2, "--out", out_dir, "-q"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(value_name(&dir, "ThemeEnum", "dark_mode"), "DarkMode");
    assert_eq!(value_name(&dir, "ThemeEnum", "dark-mode"), "DarkMode2");
    let _ = std::fs::remove_dir_all(&dir);
}
