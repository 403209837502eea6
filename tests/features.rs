//! Per-resource cargo features: each resource's feature alone (`--no-default-features
//! --features captcha`) builds the generated models, server and client warning-free, for our
//! schema and, when they are there, for a sample of the real authentik 2026 `/stages/`
//! resources (one with models of its own, ones sharing models with others).

use stages_tests::{
    authentik_schema_dir, compile_crate_sets_with, one_feature, repo_root, Build, CrateSet,
};

fn clippy_each(scratch: &str, set: CrateSet, features: &[&str]) {
    let sets = [set];
    for feature in features {
        let report =
            compile_crate_sets_with(scratch, &sets, Build::Clippy, &one_feature(&sets, feature));
        assert!(
            report.is_ok(),
            "with only the `{feature}` feature the crates do not build warning-free:\n{}",
            report.render()
        );
    }
}

#[test]
fn each_resource_of_our_schema_builds_alone() {
    let schema = repo_root().join("schema/stages.yaml");
    let generated = xtask::pipeline::generate(&schema, "stages.yaml", "/stages/").unwrap();
    let resources: Vec<String> = generated
        .api
        .resources
        .iter()
        .map(|r| r.module.clone())
        .collect();
    assert_eq!(resources, ["captcha", "identification"]);
    let features: Vec<&str> = resources.iter().map(String::as_str).collect();
    let set = CrateSet {
        name: "ours".to_owned(),
        files: generated.files,
    };
    clippy_each("features", set, &features);
}

#[test]
fn sample_real_resources_build_alone() {
    let Some(dir) = authentik_schema_dir() else {
        return;
    };
    let schema = dir.join("schema-2026.11.0-rc1.yml");
    let generated =
        xtask::pipeline::generate(&schema, "schema-2026.11.0-rc1.yml", "/stages/").unwrap();
    let features = &generated.api.features;
    // A resource whose models are shared with others (the stage types' `FlowSet`) and one that
    // reaches a model no other resource does.
    assert!(features.resources["identification"]
        .iter()
        .any(|f| f.starts_with('_')));
    assert!(features.models.values().any(|f| f == "authenticator_duo"));
    let set = CrateSet {
        name: "real-2026".to_owned(),
        files: generated.files,
    };
    clippy_each(
        "features-real",
        set,
        &["captcha", "identification", "authenticator_duo", "all"],
    );
}
