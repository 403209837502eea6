//! The real authentik schemas in `$AUTHENTIK_SCHEMA_DIR`: every `/stages/` schema becomes a type
//! and the generated models, server and client crates compile warning-free; the whole schemas generate
//! without error.
//! Skipped, with a notice, when the directory is absent; under CI (`$CI`) its absence fails.

use stages_tests::{authentik_schema_dir, compile_crate_sets, Build, CrateSet, REAL_SCHEMAS};
use xtask::codegen::ir::{ResponseBody, Type};

#[test]
fn stages_subsets_generate_every_schema_and_compile_warning_free() {
    let Some(dir) = authentik_schema_dir() else {
        return;
    };
    let mut sets = Vec::new();
    for (version, expected) in REAL_SCHEMAS {
        let schema = dir.join(format!("schema-{version}.yml"));
        let label = format!("schema-{version}.yml");
        let generated = xtask::pipeline::generate(&schema, &label, "/stages/")
            .unwrap_or_else(|e| panic!("{e}"));
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

        // Each version's crates under package names of their own (`real-2024-8-3-models`), so
        // both versions build in one workspace.
        sets.push(CrateSet {
            name: format!("real-{version}"),
            files: generated.files,
        });
    }
    // Warning-free for the compiler, clippy and rustdoc alike: one cargo invocation for every
    // crate of both versions for each of clippy and rustdoc, so cargo spreads the crates over the
    // cores and builds the dependencies once.
    for build in [Build::Clippy, Build::Doc] {
        let report = compile_crate_sets("real-schemas", &sets, build);
        assert!(
            report.is_ok(),
            "{build:?} on the generated /stages/ crates is not warning-free:\n{}",
            report.render()
        );
    }
}

#[test]
fn whole_schemas_generate_without_error() {
    let Some(dir) = authentik_schema_dir() else {
        return;
    };
    for (version, _) in REAL_SCHEMAS {
        let schema = dir.join(format!("schema-{version}.yml"));
        let generated = xtask::pipeline::generate(&schema, "whole.yml", "/")
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
        let again = xtask::pipeline::generate(&schema, "whole.yml", "/").unwrap();
        assert!(again.files == generated.files, "{version}: two runs differ");
    }
}
