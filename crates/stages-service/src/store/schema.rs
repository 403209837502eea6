//! The database schema: the stages table and its indexes, the per-kind counts, how an older
//! database is brought to this layout, and each connection's settings and functions.
//!
//! Layout, chosen for the cost of a write (every b-tree a write touches is one more page in the
//! WAL, written and later copied back into the database) and of a list:
//!
//! - `stages` is a `WITHOUT ROWID` table keyed by `(kind, name)`: a list of a kind in its default
//!   order reads consecutive rows of the table itself, and the key is also the index lists need.
//!   Names are unique across every kind, as in authentik; the key makes them unique within a
//!   kind, and [`super::insert`] and [`super::replace`] check the other kinds (every write runs
//!   on the one writer connection, in a `BEGIN IMMEDIATE` transaction, so nothing comes between
//!   the check and the write).
//! - `uuid` has a unique index: retrieves, patches and deletes find a stage by it.
//! - The columns filters and reference lookups use (`public_key`, the reference columns) are
//!   plain columns the service writes beside the document, from the same stage ([`Columns`]),
//!   so a write computes nothing from the JSON in SQL. The reference columns have partial
//!   indexes (a delete clears the references to a stage through them); `public_key` has none:
//!   every captcha write would pay for it (one more page per create and delete, one or two per
//!   patch) while only a `?public_key=` list uses it, and that list reads its kind's rows in
//!   key order, comparing a plain column. The boolean filters are plain columns too: SQLite
//!   computes a table's virtual generated columns on every insert and update, which for
//!   columns over the document is a `json_extract` each.
//! - Row counts per kind are kept by triggers, so an unfiltered page does not count its rows.

use super::*;

/// The plain columns of the stages table, written by the service beside each document (the
/// members of the document of the same names): every served kind's columns
/// (`StageKind::COLUMNS`), gathered by `kinds::layout`. Names come from
/// those descriptions only (each the JSON name of a stage model's field, `field!`), never from a
/// request, so they may be spliced into SQL.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub columns: Vec<&'static str>,
    /// The columns that hold references: indexed (partial: only rows that reference something).
    pub indexed: Vec<&'static str>,
    /// (column, kind of stage it names): where a deleted stage's references are cleared, and
    /// what its `used_by` reads.
    pub references: Vec<(&'static str, &'static str)>,
    /// The kinds the service serves: their stages come through the API, not from fixtures.
    pub served: Vec<&'static str>,
}

impl Layout {
    /// The columns that may name a stage of `kind`.
    pub(crate) fn columns_referencing(&self, kind: &str) -> Vec<&'static str> {
        self.references
            .iter()
            .filter(|(_, target)| *target == kind)
            .map(|(column, _)| *column)
            .collect()
    }

    /// The layout the served kinds give today (`kinds::layout`, whose test checks that they
    /// still do), for the store's own tests.
    #[cfg(test)]
    pub(crate) fn served() -> Layout {
        Layout {
            columns: vec![
                "public_key",
                "password_stage",
                "enrollment_flow",
                "recovery_flow",
                "passwordless_flow",
                "case_insensitive_matching",
                "show_matched_user",
                "show_source_labels",
            ],
            indexed: vec![
                "password_stage",
                "enrollment_flow",
                "recovery_flow",
                "passwordless_flow",
            ],
            references: vec![("password_stage", "password")],
            served: vec!["captcha", "identification"],
        }
    }
}

/// How much of the database file is memory-mapped (see [`prepare`]).
const MMAP_SIZE: i64 = 256 << 20;

/// Per-connection settings and functions.
pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    // Pages of the database file are read through a memory map rather than a `pread` each
    // (pages still in the WAL are read from it as before). A read connection starts every
    // snapshot with an empty page cache when the database has changed, which under writes is
    // always, so a list or a retrieve reads every page it needs anew: a system call and a copy
    // each without the map. Reads only: SQLite writes the file as before.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    // `icontains(haystack, needle)`: DRF's case-insensitive `search`, Unicode-aware.
    conn.create_scalar_function(
        "icontains",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let haystack = ctx.get::<Option<String>>(0)?.unwrap_or_default();
            let needle = ctx.get::<String>(1)?;
            Ok(haystack.to_lowercase().contains(&needle.to_lowercase()))
        },
    )?;
    Ok(())
}

/// `CREATE TABLE stages` in the current layout.
fn create_stages(tx: &Connection, layout: &Layout) -> rusqlite::Result<()> {
    // No declared type: a column holds what it is given (text, or 0/1 for the booleans), as
    // `json_extract` gives it.
    let plain: String = layout.columns.iter().map(|c| format!("{c}, ")).collect();
    tx.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS stages (
             kind TEXT NOT NULL,
             name TEXT NOT NULL,
             uuid TEXT NOT NULL UNIQUE,
             data TEXT NOT NULL,
             secret TEXT,
             {plain}
             PRIMARY KEY (kind, name)
         ) WITHOUT ROWID"
    ))
}

/// Creates or upgrades the schema to `layout`; recounts the rows per kind.
pub(super) fn migrate(conn: &mut Connection, layout: &Layout) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<String> = tx
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'stages'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if existing.is_some_and(|sql| !sql.contains("WITHOUT ROWID") || sql.contains("GENERATED")) {
        rebuild_earlier_layout(&tx, layout)?;
    }
    create_stages(&tx, layout)?;
    add_columns(&tx, layout)?;
    tx.execute_batch(REFERENTS_AND_COUNTS)?;
    for column in &layout.indexed {
        tx.execute_batch(&format!(
            "CREATE INDEX IF NOT EXISTS stages_{column} ON stages ({column})
             WHERE {column} IS NOT NULL"
        ))?;
    }
    tx.execute_batch(
        "DELETE FROM stage_counts;
         INSERT INTO stage_counts (kind, n) SELECT kind, count(*) FROM stages GROUP BY kind;",
    )?;
    tx.commit()
}

/// An earlier layout (a rowid table, `uuid` its primary key, `name` unique, the filter columns
/// generated from the document), rebuilt in this one, the plain columns read from the documents
/// once. Its indexes and triggers go with it.
fn rebuild_earlier_layout(tx: &Connection, layout: &Layout) -> rusqlite::Result<()> {
    tx.execute_batch("ALTER TABLE stages RENAME TO stages_before_rebuild")?;
    create_stages(tx, layout)?;
    let columns = layout.columns.join(", ");
    let values: Vec<String> = layout
        .columns
        .iter()
        .map(|c| format!("json_extract(data, '$.{c}')"))
        .collect();
    tx.execute_batch(&format!(
        "INSERT INTO stages (kind, name, uuid, data, secret, {columns})
             SELECT kind, name, uuid, data, secret, {} FROM stages_before_rebuild;
         DROP TABLE stages_before_rebuild;",
        values.join(", ")
    ))
}

/// The seeded objects, and the row counts per kind with the triggers that keep them.
const REFERENTS_AND_COUNTS: &str = "
    CREATE TABLE IF NOT EXISTS referents (
        model TEXT NOT NULL,
        uuid TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (model, uuid)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS stage_counts (
        kind TEXT PRIMARY KEY,
        n INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER IF NOT EXISTS stages_counted_in AFTER INSERT ON stages BEGIN
        INSERT INTO stage_counts (kind, n) VALUES (NEW.kind, 1)
            ON CONFLICT (kind) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER IF NOT EXISTS stages_counted_out AFTER DELETE ON stages BEGIN
        UPDATE stage_counts SET n = n - 1 WHERE kind = OLD.kind;
    END;
    CREATE TRIGGER IF NOT EXISTS stages_kind_moves AFTER UPDATE OF kind ON stages
        WHEN OLD.kind <> NEW.kind BEGIN
        UPDATE stage_counts SET n = n - 1 WHERE kind = OLD.kind;
        INSERT INTO stage_counts (kind, n) VALUES (NEW.kind, 1)
            ON CONFLICT (kind) DO UPDATE SET n = n + 1;
    END;

    DROP INDEX IF EXISTS stages_kind_public_key;";

/// Adds the columns of `layout` that an existing table lacks (those of a kind served since it
/// was created), each filled from the documents' members of its name.
fn add_columns(tx: &Connection, layout: &Layout) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare("SELECT name FROM pragma_table_info('stages')")?;
    let existing = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for column in &layout.columns {
        if !existing.iter().any(|c| c == column) {
            tx.execute_batch(&format!(
                "ALTER TABLE stages ADD COLUMN {column};
                 UPDATE stages SET {column} = json_extract(data, '$.{column}');"
            ))?;
        }
    }
    Ok(())
}
