//! Support types shared by the generated models, their `validate()` methods, the client and the
//! server: the three-state [`Maybe`] for optional nullable fields, [`ValidationErrors`] shaped
//! like authentik's (Django REST Framework's) 400 body, and the checks that fill it. One module
//! per concern, all re-exported here, so the generated code names everything as `support::...`:
//!
//! - `maybe`: [`Maybe`], and what an optional field is (absent, or there);
//! - `tables`: the `json_object!` and `string_enum!` tables the generated types are written as,
//!   read and written by `ser` and `de`;
//! - `numbers`: whole numbers written without a fraction, as Python writes them;
//! - `opaque`: [`Binary`], and `Redacted`, values `Debug` does not show;
//! - `errors`: [`ValidationErrors`] and [`FieldError`], authentik's 400 body;
//! - `check` and `field`: the checks behind `validate()`, with DRF's messages;
//! - `params`: values written as path segments and query pairs;
//! - `names`: [`field!`](crate::field), a field's JSON name checked by the compiler.
//!
//! Items hidden from the documentation are for the generated code only; they may change with any
//! regeneration.

#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod de;
mod errors;
#[doc(hidden)]
pub mod field;
mod maybe;
mod names;
mod numbers;
mod opaque;
mod params;
#[doc(hidden)]
pub mod ser;
mod tables;

pub use errors::{FieldError, ValidationErrors, NON_FIELD_ERRORS};
#[doc(hidden)]
pub use field::Checks;
pub use maybe::Maybe;
#[doc(hidden)]
pub use maybe::Optional;
pub use names::Fields;
#[doc(hidden)]
pub use names::json_name;
#[doc(hidden)]
pub use numbers::{serialize_whole, WholeNumbers, EXACT_INTEGERS};
pub use opaque::Binary;
#[doc(hidden)]
pub use opaque::Redacted;
#[doc(hidden)]
pub use params::{Pairs, ToParam};
#[doc(hidden)]
#[allow(unused_imports)]
pub(crate) use tables::{json_key, json_object, string_enum};
