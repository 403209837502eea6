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

/// Plain columns, written by the service beside the document (the members of the document of
/// the same names). Names are fixed here and only ever spliced into SQL from this list; each is
/// the JSON name of a stage model's field (`field!`), so a field the schema renames or removes
/// stops the build here.
pub(super) const PLAIN_COLUMNS: &[&str] = &[
    field!(CaptchaStage.public_key),
    field!(IdentificationStage.password_stage),
    field!(IdentificationStage.enrollment_flow),
    field!(IdentificationStage.recovery_flow),
    field!(IdentificationStage.passwordless_flow),
    field!(IdentificationStage.case_insensitive_matching),
    field!(IdentificationStage.show_matched_user),
    field!(IdentificationStage.show_source_labels),
];

/// Reference columns (indexed, partial: only rows that reference something).
pub(super) const REFERENCE_COLUMNS: &[&str] = &[
    field!(IdentificationStage.password_stage),
    field!(IdentificationStage.enrollment_flow),
    field!(IdentificationStage.recovery_flow),
    field!(IdentificationStage.passwordless_flow),
];

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
fn create_stages(tx: &Connection) -> rusqlite::Result<()> {
    // No declared type: a column holds what it is given (text, or 0/1 for the booleans), as
    // `json_extract` gives it.
    let plain: String = PLAIN_COLUMNS.iter().map(|c| format!("{c}, ")).collect();
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

/// Creates or upgrades the schema; recounts the rows per kind.
pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<String> = tx
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'stages'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if existing.is_some_and(|sql| !sql.contains("WITHOUT ROWID") || sql.contains("GENERATED")) {
        // An earlier layout (a rowid table, `uuid` its primary key, `name` unique, the filter
        // columns generated from the document): rebuilt in this one, the plain columns read
        // from the documents once. Its indexes and triggers go with it.
        tx.execute_batch("ALTER TABLE stages RENAME TO stages_before_rebuild")?;
        create_stages(&tx)?;
        let columns = PLAIN_COLUMNS.join(", ");
        let values: Vec<String> = PLAIN_COLUMNS
            .iter()
            .map(|c| format!("json_extract(data, '$.{c}')"))
            .collect();
        tx.execute_batch(&format!(
            "INSERT INTO stages (kind, name, uuid, data, secret, {columns})
                 SELECT kind, name, uuid, data, secret, {} FROM stages_before_rebuild;
             DROP TABLE stages_before_rebuild;",
            values.join(", ")
        ))?;
    }
    create_stages(&tx)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS referents (
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

         DROP INDEX IF EXISTS stages_kind_public_key;",
    )?;
    for column in REFERENCE_COLUMNS {
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
