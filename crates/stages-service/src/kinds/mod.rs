//! The kinds of stage the service serves, each a [`StageKind`] description in a module of its
//! own, and [`SERVED`], the list of them that the router, the store and the fixtures read.

mod captcha;
mod identification;

use crate::kind::StageKind;
use crate::references::{Reference, Target};
use crate::store::Layout;
use crate::StagesService;
use authentik_server::{RouterConfig, Routes};
use std::sync::Arc;

/// Every kind the service serves.
pub(crate) const SERVED: &[Served] = &[
    Served::of::<captcha::Captcha>(),
    Served::of::<identification::Identification>(),
];

/// What the router, the store and the fixtures need of a kind, without its types.
pub(crate) struct Served {
    pub kind: &'static str,
    pub columns: fn() -> Vec<&'static str>,
    pub references: &'static [Reference],
    pub routes: fn(Arc<StagesService>, RouterConfig) -> Routes,
}

impl Served {
    const fn of<K: StageKind>() -> Served {
        Served {
            kind: K::KIND,
            columns: column_names::<K>,
            references: K::REFERENCES,
            routes: K::routes,
        }
    }
}

fn column_names<K: StageKind>() -> Vec<&'static str> {
    K::COLUMNS.iter().map(|column| column.name).collect()
}

/// Whether the service serves stages of `kind` (their stages come through the API, not from
/// fixtures).
pub(crate) fn is_served(kind: &str) -> bool {
    SERVED.iter().any(|served| served.kind == kind)
}

/// The stages table's plain columns: every served kind's, each once, in the order the kinds
/// give them; those that hold a reference are indexed.
pub(crate) fn layout() -> Layout {
    let mut layout = Layout::default();
    for served in SERVED {
        for column in (served.columns)() {
            if layout.columns.contains(&column) {
                continue;
            }
            layout.columns.push(column);
            let references = SERVED.iter().flat_map(|s| s.references);
            if references.into_iter().any(|r| r.field == column) {
                layout.indexed.push(column);
            }
        }
    }
    layout
}

/// The reference columns, of every served kind, that may name a stage of `kind`: cleared when
/// it is deleted, read by its `used_by`.
pub(crate) fn columns_referencing(kind: &str) -> Vec<&'static str> {
    let mut columns = Vec::new();
    for served in SERVED {
        let stored = (served.columns)();
        for reference in served.references {
            let names_kind = matches!(reference.target, Target::Stage(k) if k == kind);
            if names_kind
                && stored.contains(&reference.field)
                && !columns.contains(&reference.field)
            {
                columns.push(reference.field);
            }
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table the kinds' descriptions come to: the columns and indexes the store had when it
    /// listed them itself, so existing databases and their query plans stay as they were.
    #[test]
    fn the_kinds_give_the_stores_columns_and_references() {
        let layout = layout();
        assert_eq!(
            layout.columns,
            [
                "public_key",
                "password_stage",
                "enrollment_flow",
                "recovery_flow",
                "passwordless_flow",
                "case_insensitive_matching",
                "show_matched_user",
                "show_source_labels",
            ]
        );
        assert_eq!(
            layout.indexed,
            [
                "password_stage",
                "enrollment_flow",
                "recovery_flow",
                "passwordless_flow"
            ]
        );
        // `sources` is a reference but a list, not a column: nothing to clear or index.
        assert_eq!(columns_referencing("password"), ["password_stage"]);
        assert!(columns_referencing("captcha").is_empty());
        assert!(is_served("captcha") && is_served("identification") && !is_served("password"));
    }
}
