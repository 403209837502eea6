//! Build tasks for the authentik stages generator.
//!
//! The generator's passes live in [`codegen`]: it reads an OpenAPI 3.0 document and makes the
//! generated crates. [`api`] describes the API they expose in Rust terms and compares two
//! versions of it (`cargo xtask api-diff`). [`pipeline`] puts the two together: the crates with
//! their API manifest (`api.json`), and one `cargo xtask codegen` run, which writes or checks
//! them and says what changed in the API. Tests and benchmarks call the same functions.

pub mod api;
pub mod bench;
pub mod codegen;
pub mod compare;
pub mod paths;
pub mod pipeline;

pub use paths::{authentik_schema_dir, authentik_schemas_for, is_ci, repo_root, test_input};
