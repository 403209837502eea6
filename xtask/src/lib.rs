//! Build tasks for the authentik stages generator.
//!
//! The generator lives in [`codegen`]: `cargo xtask codegen` reads an OpenAPI 3.0 document and
//! writes the generated crates; tests and benchmarks call the same functions.

pub mod bench;
pub mod codegen;
pub mod compare;
