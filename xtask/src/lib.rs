//! Build tasks for the authentik stages generator.
//!
//! The generator lives in [`codegen`]: `cargo xtask codegen` reads an OpenAPI 3.0 document and
//! writes the generated crates; tests and benchmarks call the same functions. [`api`] describes
//! the API they expose in Rust terms and compares two versions of it (`cargo xtask api-diff`).

pub mod api;
pub mod bench;
pub mod codegen;
pub mod compare;

/// Where the real authentik schemas are: `$AUTHENTIK_SCHEMA_DIR`, else `../shared/authentik`
/// beside the repository.
pub fn authentik_schema_dir() -> std::path::PathBuf {
    std::env::var_os("AUTHENTIK_SCHEMA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| codegen::repo_root().join("../shared/authentik"))
}
