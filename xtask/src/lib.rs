//! Build tasks for the authentik stages generator.
//!
//! The generator lives in [`codegen`]: `cargo xtask codegen` reads an OpenAPI 3.0 document and
//! writes the generated crates; tests and benchmarks call the same functions. [`api`] describes
//! the API they expose in Rust terms and compares two versions of it (`cargo xtask api-diff`).

pub mod api;
pub mod bench;
pub mod codegen;
pub mod compare;
