//! The support module of each generated crate (`src/support/`), which the generator does not
//! write item by item: it copies the templates under `xtask/templates/<crate>/support/`, one
//! file per concern, byte for byte below the `@generated` header
//! ([`CrateFiles::template`](super::plan::CrateFiles::template)). What the templates say,
//! comments and unit tests included, is what the generated crates compile, lint and test.
//!
//! Each crate has one list of its templates; adding a support module is one line in it (and the
//! `mod` line in the template's `mod.rs`).

/// One template: its path under the crate's `src/` (the same as under
/// `xtask/templates/<crate>/`), and its text.
pub type Template = (&'static str, &'static str);

/// `(path, text)` for each file under `xtask/templates/<crate>/`, read at build time.
macro_rules! templates {
    ($krate:literal: $($file:literal,)*) => {
        &[$((
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $krate, "/", $file)),
        ),)*]
    };
}

/// The models crate's support module: types and checks the models, the client and the server
/// share.
pub const MODELS: &[Template] = templates!("models":
    "support/mod.rs",
    "support/check.rs",
    "support/de.rs",
    "support/errors.rs",
    "support/field.rs",
    "support/maybe.rs",
    "support/names.rs",
    "support/numbers.rs",
    "support/opaque.rs",
    "support/params.rs",
    "support/ser.rs",
    "support/tables.rs",
);

/// The server crate's support module: the runtime of the generated router.
pub const SERVER: &[Template] = templates!("server":
    "support/mod.rs",
    "support/auth.rs",
    "support/body.rs",
    "support/deadline.rs",
    "support/input.rs",
    "support/json.rs",
    "support/params.rs",
    "support/query.rs",
    "support/responses.rs",
    "support/routes.rs",
    "support/serving.rs",
    "support/shape.rs",
    "support/testing.rs",
    "support/trace.rs",
);

/// The client crate's support module: the HTTP client and what the generated methods share.
pub const CLIENT: &[Template] = templates!("client":
    "support/mod.rs",
    "support/answer.rs",
    "support/client.rs",
    "support/error.rs",
    "support/pages.rs",
    "support/request.rs",
    "support/testing.rs",
);

/// Every crate's templates, by the crate's directory (`models`, `server`, `client`).
pub const CRATES: &[(&str, &[Template])] =
    &[("models", MODELS), ("server", SERVER), ("client", CLIENT)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crate_lists_its_mod_rs_first_and_each_file_once() {
        for (krate, templates) in CRATES {
            assert_eq!(templates[0].0, "support/mod.rs", "{krate}");
            let mut paths: Vec<&str> = templates.iter().map(|(path, _)| *path).collect();
            paths.sort_unstable();
            paths.dedup();
            assert_eq!(paths.len(), templates.len(), "{krate} lists a file twice");
        }
    }
}
