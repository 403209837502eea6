//! Hand-written code against the crates generated from `tests/fixtures/evolution/more-v1.yaml`,
//! which `more-v2.yaml` changes in the ways `v1.yaml` → `v2.yaml` does not (unions, aliases,
//! an enum value, a parameter and a field added that collide in Rust with existing ones, which
//! keep their names, request bodies added, removed and retyped, a resource removed, ...).
//! [`client`] reads, builds and calls; [`server`] implements the traits. Probe comments as in
//! `tests/evolution/v1-consumer`.

pub mod client;
pub mod server;
