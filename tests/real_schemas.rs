//! The real authentik schemas in `$AUTHENTIK_SCHEMA_DIR`: every `/stages/` schema becomes a type
//! and the generated models, server and client crates compile warning-free; the whole schemas generate
//! without error.
//! Skipped, with a notice, when the directory is absent.

use stages_tests::{authentik_schema_dir, repo_root, scratch_dir, REAL_SCHEMAS};
use std::process::Command;
use xtask::codegen;
use xtask::codegen::ir::{ResponseBody, Type};

#[test]
fn stages_subsets_generate_every_schema_and_compile_warning_free() {
    let Some(dir) = authentik_schema_dir() else {
        return;
    };
    // One test runs every compile in turn: cargo builds must not run side by side.
    for (version, expected) in REAL_SCHEMAS {
        let schema = dir.join(format!("schema-{version}.yml"));
        let label = format!("schema-{version}.yml");
        let generated =
            codegen::generate(&schema, &label, "/stages/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            generated.api.component_models, *expected,
            "{version}: /stages/ schemas modeled"
        );
        assert!(!generated.api.operations.is_empty());

        // Every paginated list (a `GET` answering a `Paginated*List`, with a `page` parameter)
        // gets a stream of all its items in the client.
        let paginated = generated
            .api
            .operations
            .iter()
            .filter(|op| {
                op.params.iter().any(|p| p.name == "page")
                    && op.responses.iter().any(|r| {
                        matches!(&r.body, ResponseBody::Json(Type::Named(n)) if n.starts_with("Paginated"))
                    })
            })
            .count();
        let streams: usize = generated
            .files
            .iter()
            .filter(|(path, _)| path.starts_with("client/src"))
            .map(|(_, text)| {
                text.lines()
                    .filter(|l| l.trim_start().starts_with("fn ") && l.contains("_all("))
                    .count()
            })
            .sum();
        assert!(paginated > 10, "{version}: {paginated} paginated lists");
        assert_eq!(streams, paginated, "{version}: page streams");

        let ws = scratch_dir(&format!("real-{version}"));
        for (path, text) in &generated.files {
            let path = ws.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::write(
            ws.join("Cargo.toml"),
            "[workspace]\nresolver = \"2\"\nmembers = [\"client\", \"models\", \"server\"]\n",
        )
        .unwrap();
        // Same dependency versions as the repository, so nothing new is fetched.
        std::fs::copy(repo_root().join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        // Warning-free for the compiler, clippy and rustdoc alike.
        let runs: [(&[&str], &str, &str); 2] = [
            (
                &[
                    "clippy",
                    "--offline",
                    "--quiet",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
                "RUSTFLAGS",
                "-D warnings",
            ),
            (
                &["doc", "--offline", "--quiet", "--no-deps"],
                "RUSTDOCFLAGS",
                "-D warnings",
            ),
        ];
        for (args, flag_var, flags) in runs {
            let out = Command::new(&cargo)
                .args(args)
                .current_dir(&ws)
                .env("CARGO_TARGET_DIR", repo_root().join("target/real-schemas"))
                .env(flag_var, flags)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{version}: `cargo {}` on the generated /stages/ crates is not warning-free:\n{}",
                args[0],
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn whole_schemas_generate_without_error() {
    let Some(dir) = authentik_schema_dir() else {
        return;
    };
    for (version, _) in REAL_SCHEMAS {
        let schema = dir.join(format!("schema-{version}.yml"));
        let generated = codegen::generate(&schema, "whole.yml", "/")
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        let api = &generated.api;
        assert!(
            api.operations.len() > 800,
            "{version}: {} operations",
            api.operations.len()
        );
        assert!(
            api.component_models > 600,
            "{version}: {} schemas",
            api.component_models
        );
        // Determinism holds on the largest input too.
        let again = codegen::generate(&schema, "whole.yml", "/").unwrap();
        assert!(again.files == generated.files, "{version}: two runs differ");
    }
}
