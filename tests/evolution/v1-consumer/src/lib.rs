//! Hand-written code against the crates generated from `tests/fixtures/evolution/v1.yaml`, the
//! way a downstream crate uses them: [`client`] reads answers, builds requests and calls the
//! client, [`server`] implements the server traits and builds answers.
//!
//! A line that uses an item the schema changes in `v2.yaml`, or one it leaves alone, ends with
//! a probe comment naming the change `cargo xtask api-diff` reports for it and the side the
//! line is on:
//!
//! ```text
//! let size: i64 = w.size; // probe: client field-type-changed Widget::size
//! ```
//!
//! `probe: SIDE KIND ITEM`, several separated by `;`: SIDE is `client` or `server` (whose
//! classification applies), KIND is api-diff's `kind`, ITEM its `rust` item; the kind
//! `unchanged` claims api-diff reports no change of ITEM at all. Against v2's crates a line
//! must fail to compile exactly when one of its probes is breaking for its side (naming what
//! the change names), and no other line may fail. Items are named by their paths
//! (`models::SpinResult`, never an import), so each use gets its own error.

pub mod client;
pub mod server;
