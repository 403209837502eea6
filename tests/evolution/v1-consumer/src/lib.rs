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
//!
//! Two more comments may follow the probes:
//!
//! - `// fix: CODE`: what the line becomes once it failed (nothing: the line goes). rustc leaves
//!   some errors unsaid while another stands in the same construct (a struct literal naming a
//!   removed field is not checked for missing ones; a `match` with an arm naming a removed
//!   variant is not checked for exhaustiveness); the test applies the fixes of the lines that
//!   failed and checks again, as a maintainer would, so those errors show in a second round.
//! - `// disagrees: WHY`: a known disagreement, the compiler doing the opposite of what
//!   api-diff's classification says, for the reason given. The test expects the compiler's
//!   behaviour, prints the disagreement, and fails once the two agree.

pub mod client;
pub mod mock;
pub mod server;
