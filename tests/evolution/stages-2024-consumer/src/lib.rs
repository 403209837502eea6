//! Hand-written code against the crates generated from authentik 2024.8.3's `/stages/` paths,
//! a realistic spread of what a downstream crate does: [`client`] reads and builds the captcha,
//! identification, password and email stages and calls the client, [`server`] implements the
//! captcha and password server traits. Probe comments as in `tests/evolution/v1-consumer`:
//! `// probe: SIDE KIND ITEM[; ...]`, then optionally `// fix: CODE` (what the line becomes
//! once it failed, so that errors rustc leaves unsaid while it stands show in the next check)
//! and `// disagrees: WHY` (a known disagreement between api-diff and the compiler).

pub mod client;
pub mod server;
