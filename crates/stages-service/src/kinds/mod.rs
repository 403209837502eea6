//! The kinds of stage the service serves, each a [`StageKind`] description in a module of its
//! own, and [`SERVED`], the list of them that the router, the store and the fixtures read.

mod captcha;
mod identification;

use crate::kind::StageKind;
use crate::references::{Reference, Target};
use crate::store::{Layout, Store};
use crate::StagesService;
use authentik_server::{RouterConfig, Routes};
use std::path::Path;
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

/// The stages table's plain columns: every served kind's, each once, in the order the kinds
/// give them; those that hold a reference are indexed. With them, which column names which
/// kind of stage, and the kinds served.
pub(crate) fn layout() -> Layout {
    let mut layout = Layout::default();
    for served in SERVED {
        layout.served.push(served.kind);
        let stored = (served.columns)();
        for reference in served.references {
            if let Target::Stage(kind) = reference.target {
                let entry = (reference.field, kind);
                if stored.contains(&reference.field) && !layout.references.contains(&entry) {
                    layout.references.push(entry);
                }
            }
        }
        for column in stored {
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

impl Store {
    /// Opens (creating) the database at `path`; `:memory:` keeps it in memory. Its stages
    /// table has the columns of every kind the service serves (`kinds::layout`).
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        Store::open_with(path, layout())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table the kinds' descriptions come to: the columns and indexes the store had when it
    /// listed them itself, so existing databases and their query plans stay as they were.
    #[test]
    fn the_kinds_give_the_stores_columns_and_references() {
        // `sources` is a reference but a list, not a column: nothing to clear or index.
        assert_eq!(layout(), Layout::served());
        assert_eq!(layout().columns_referencing("password"), ["password_stage"]);
        assert!(layout().columns_referencing("captcha").is_empty());
    }
}
