//! The database schema: tables, the generated columns lists filter and order on, their
//! indexes and the per-kind counts, and each connection's settings and functions.

use super::*;
use authentik_models::{field, CaptchaStage, IdentificationStage};

/// Columns the service filters and orders on, generated from the document. Names are fixed here
/// and only ever spliced into SQL from this list; each is the JSON name of a stage model's field
/// (`field!`), so a field the schema renames or removes stops the build here.
pub(super) const GENERATED_COLUMNS: &[&str] = &[
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

/// Per-connection settings and functions.
pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
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

/// Creates or upgrades the schema; recounts the rows per kind.
pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS stages (
             uuid TEXT PRIMARY KEY,
             kind TEXT NOT NULL,
             name TEXT NOT NULL UNIQUE,
             data TEXT NOT NULL,
             secret TEXT
         );
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
         DROP INDEX IF EXISTS stages_kind;
         CREATE INDEX IF NOT EXISTS stages_kind_name ON stages (kind, name);",
    )?;
    let existing: Vec<String> = {
        let mut stmt = tx.prepare("SELECT name FROM pragma_table_xinfo('stages')")?;
        let names = stmt.query_map([], |r| r.get(0))?;
        names.collect::<rusqlite::Result<_>>()?
    };
    for column in GENERATED_COLUMNS {
        if !existing.iter().any(|c| c == column) {
            tx.execute_batch(&format!(
                "ALTER TABLE stages ADD COLUMN {column}
                 GENERATED ALWAYS AS (json_extract(data, '$.{column}')) VIRTUAL"
            ))?;
        }
    }
    for column in REFERENCE_COLUMNS {
        tx.execute_batch(&format!(
            "CREATE INDEX IF NOT EXISTS stages_{column} ON stages ({column})
             WHERE {column} IS NOT NULL"
        ))?;
    }
    tx.execute_batch(
        "CREATE INDEX IF NOT EXISTS stages_kind_public_key ON stages (kind, public_key);
         DELETE FROM stage_counts;
         INSERT INTO stage_counts (kind, n) SELECT kind, count(*) FROM stages GROUP BY kind;",
    )?;
    tx.commit()
}
