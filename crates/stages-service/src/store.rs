//! Storage: stages as JSON documents in SQLite, one row per stage, with the write-only secret
//! kept apart from the document that is returned, and the objects stages may reference.
//!
//! Concurrency: a file database runs in WAL mode with one writer connection on a thread of its
//! own, fed through a channel (every write is one `BEGIN IMMEDIATE` transaction, committed before
//! it is acknowledged), and a small pool of read connections that run on the caller's thread and
//! never wait for the writer: each read is one snapshot (a deferred transaction), indexed and
//! bounded by a page size. `:memory:` has a single connection, on the writer thread, for both.
//!
//! The columns lists filter and order on are virtual generated columns over the document
//! (`json_extract`), indexed where a lookup needs it: `(kind, name)` for every list and its
//! default ordering, the reference columns for `SET_NULL` on delete and their filters. Row counts
//! per kind are kept by triggers, so an unfiltered page does not count its rows.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value as SqlValue;
use rusqlite::TransactionBehavior;
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use uuid::Uuid;

/// A stored stage: its returned document (JSON text) and its write-only secret.
#[derive(Clone, Debug)]
pub struct Row {
    pub data: String,
    pub secret: Option<String>,
}

/// What a store operation can fail with.
#[derive(Debug)]
pub enum StoreError {
    /// Stage names are unique across every kind, as in authentik.
    NameTaken,
    NotFound,
    Db(rusqlite::Error),
    /// The writer thread is gone (it panicked, or the store is closing).
    Closed,
    /// Anything else, such as a document that does not parse.
    Other(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e)
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NameTaken => f.write_str("the name is taken"),
            StoreError::NotFound => f.write_str("not found"),
            StoreError::Db(e) => write!(f, "database: {e}"),
            StoreError::Closed => f.write_str("the store's writer has stopped"),
            StoreError::Other(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for StoreError {}

/// Columns the service filters and orders on, generated from the document. Names are fixed here
/// and only ever spliced into SQL from this list.
const GENERATED_COLUMNS: &[&str] = &[
    "public_key",
    "password_stage",
    "enrollment_flow",
    "recovery_flow",
    "passwordless_flow",
    "case_insensitive_matching",
    "show_matched_user",
    "show_source_labels",
];

/// Reference columns (indexed, partial: only rows that reference something).
const REFERENCE_COLUMNS: &[&str] = &[
    "password_stage",
    "enrollment_flow",
    "recovery_flow",
    "passwordless_flow",
];

/// Read connections kept open between reads (more are opened when needed, then closed).
const IDLE_READERS: usize = 8;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

struct Inner {
    writer: Mutex<mpsc::Sender<Job>>,
    /// Dropping it stops the checkpointer thread (file databases only).
    _checkpointer: Option<Mutex<mpsc::Sender<()>>>,
    /// `None` for `:memory:`: reads then go through the writer's connection.
    readers: Option<Mutex<Vec<Connection>>>,
    path: PathBuf,
}

/// A SQLite database: a file (WAL, one writer, pooled readers) or in memory.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

static MEMORY_STORES: AtomicU64 = AtomicU64::new(0);

impl Store {
    /// Opens (creating) the database at `path`; `:memory:` keeps it in memory.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let memory = path == Path::new(":memory:");
        let mut writer = if memory {
            Connection::open_in_memory()?
        } else {
            let conn = Connection::open(path)?;
            // The page size of a new database (an existing one keeps its own): see `PAGE_SIZE`.
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // In WAL mode a commit survives a crash of the process (the WAL is written before
            // the commit returns); only a power loss can cost the last commits.
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            // A thread of its own copies the WAL back into the database most of the time (see
            // `spawn_checkpointer`); the writer checkpoints only what is left, when the WAL has
            // grown this many pages, and the next write then starts the WAL over. Without it the
            // WAL would grow for as long as writes keep coming.
            conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
            conn
        };
        prepare(&writer)?;
        migrate(&mut writer)?;
        let (readers, checkpointer) = if memory {
            (None, None)
        } else {
            let first = open_reader(path)?;
            (
                Some(Mutex::new(vec![first])),
                Some(Mutex::new(spawn_checkpointer(path)?)),
            )
        };
        let (sender, receiver) = mpsc::channel::<Job>();
        let name = format!(
            "stages-store-writer-{}",
            MEMORY_STORES.fetch_add(1, Ordering::Relaxed)
        );
        std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                while let Ok(job) = receiver.recv() {
                    // A panicking job drops its answer channel (the caller sees `Closed`); the
                    // connection and the thread carry on.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        job(&mut writer);
                    }));
                    rollback(&writer);
                }
            })
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(Store {
            inner: Arc::new(Inner {
                writer: Mutex::new(sender),
                _checkpointer: checkpointer,
                readers,
                path: path.to_owned(),
            }),
        })
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`) on the writer connection: committed
    /// when `f` answers `Ok`, rolled back otherwise. Writes run one after another, in order, and
    /// each is answered only after its own `COMMIT` has returned.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = answer.send(in_transaction(conn, f));
        });
        self.inner
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(job)
            .map_err(|_| StoreError::Closed)?;
        answered.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on one snapshot of the database. A file database reads on a pooled connection,
    /// on this thread, without waiting for the writer; `:memory:` goes through the writer.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let Some(pool) = &self.inner.readers else {
            return self.write(move |tx| f(tx)).await;
        };
        let pooled = pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.inner.path)?,
        };
        let result = (|| {
            let tx = conn.transaction()?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        let mut idle = pool.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Adds (or replaces, by pk) the objects of a fixtures file, in one transaction.
    pub async fn seed(&self, fixtures: Fixtures) -> Result<(), StoreError> {
        self.write(move |tx| {
            for flow in &fixtures.flows {
                upsert_referent(tx, "flow", flow)?;
            }
            for source in &fixtures.sources {
                upsert_referent(tx, "source", source)?;
            }
            for stage in &fixtures.stages {
                let result = tx.execute(
                    "INSERT INTO stages (uuid, kind, name, data) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (uuid) DO UPDATE SET kind = ?2, name = ?3, data = ?4",
                    params![
                        stage.pk.to_string(),
                        stage.kind,
                        stage.name,
                        stage.data.to_string()
                    ],
                );
                map_unique(result.map(|_| ()))
                    .map_err(|e| StoreError::Other(format!("stage {}: {e}", stage.name)))?;
            }
            Ok(())
        })
        .await
    }
}

/// One write transaction on the writer's connection. `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK`
/// are cached statements: parsing them anew for every write (as `Connection::transaction` does)
/// is a measurable share of the single writer's time.
fn in_transaction<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let result = f(conn).and_then(|value| {
        conn.prepare_cached("COMMIT")?.execute([])?;
        Ok(value)
    });
    if result.is_err() {
        rollback(conn);
    }
    result
}

/// Ends a transaction left open (by an error or a panicking job); SQLite may have ended it already.
fn rollback(conn: &Connection) {
    if !conn.is_autocommit() {
        let rolled_back = conn
            .prepare_cached("ROLLBACK")
            .and_then(|mut stmt| stmt.execute([]));
        if let Err(e) = rolled_back {
            tracing::warn!(error = %e, "rollback failed");
        }
    }
}

fn upsert_referent(tx: &Connection, model: &str, object: &Referent) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO referents (model, uuid, data) VALUES (?1, ?2, ?3)
         ON CONFLICT (model, uuid) DO UPDATE SET data = ?3",
        params![model, object.pk.to_string(), object.data.to_string()],
    )?;
    Ok(())
}

/// How often the WAL is copied back into the database file, off the writer's thread.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);
/// WAL pages (about 50 MB) after which the writer checkpoints (what the checkpointer has not yet
/// copied) so that the WAL starts over.
const WRITER_CHECKPOINT_PAGES: i64 = 12_500;

/// Page size of a new database: SQLite's default, 4 KiB. Smaller pages write fewer bytes to the
/// WAL per commit, but a write costs about as many system calls either way (one frame per b-tree
/// it touches), and with 1 KiB pages b-tree pages split four times as often; each split that
/// renumbers pages sends the commit through a scan of the writer's whole page cache
/// (`pcache1TruncateUnsafe`, 8-16% of the writer's time under the load benchmark). Measured
/// under the load benchmark: 4 KiB pages cost the service about a fifth less CPU per request.
const PAGE_SIZE: i64 = 4096;

/// A thread that checkpoints the WAL (`PASSIVE`: it never blocks the writer or readers) every
/// [`CHECKPOINT_EVERY`], until the returned sender is dropped; then once more, and it ends.
fn spawn_checkpointer(path: &Path) -> rusqlite::Result<mpsc::Sender<()>> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("stages-store-checkpointer".to_owned())
        .spawn(move || loop {
            let last = matches!(
                stopped.recv_timeout(CHECKPOINT_EVERY),
                Err(mpsc::RecvTimeoutError::Disconnected)
            );
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
            if last {
                break;
            }
        })
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok(stop)
}

/// Per-connection settings and functions.
fn prepare(conn: &Connection) -> rusqlite::Result<()> {
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

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    prepare(&conn)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Creates or upgrades the schema; recounts the rows per kind.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
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

/// One stage of a kind.
pub fn get(conn: &Connection, kind: &str, uuid: Uuid) -> Result<Row, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT data, secret FROM stages WHERE uuid = ?1 AND kind = ?2")?;
    stmt.query_row(params![uuid.to_string(), kind], |r| {
        Ok(Row {
            data: r.get(0)?,
            secret: r.get(1)?,
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound)
}

/// Adds a stage.
pub fn insert(
    conn: &Connection,
    kind: &str,
    uuid: Uuid,
    name: &str,
    row: &Row,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO stages (uuid, kind, name, data, secret) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let result = stmt.execute(params![uuid.to_string(), kind, name, row.data, row.secret]);
    map_unique(result.map(|_| ()))
}

/// Replaces a stage's document and secret, and its name when `renamed` gives a new one (an
/// unchanged name leaves the name indexes alone).
pub fn replace(
    conn: &Connection,
    uuid: Uuid,
    renamed: Option<&str>,
    row: &Row,
) -> Result<(), StoreError> {
    let result = match renamed {
        Some(name) => conn
            .prepare_cached("UPDATE stages SET name = ?1, data = ?2, secret = ?3 WHERE uuid = ?4")?
            .execute(params![name, row.data, row.secret, uuid.to_string()]),
        None => conn
            .prepare_cached("UPDATE stages SET data = ?1, secret = ?2 WHERE uuid = ?3")?
            .execute(params![row.data, row.secret, uuid.to_string()]),
    };
    map_unique(result.map(|_| ()))
}

/// Whether a stage other than `except` is called `name`.
pub fn name_taken(conn: &Connection, name: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT uuid FROM stages WHERE name = ?1")?;
    let owner: Option<String> = stmt.query_row(params![name], |r| r.get(0)).optional()?;
    Ok(match owner {
        None => false,
        Some(owner) => except.is_none_or(|e| e.to_string() != owner),
    })
}

/// Removes a stage (by primary key) and clears the `columns` that reference it in other stages
/// (authentik's `SET_NULL`), each through its index.
pub fn delete(
    conn: &Connection,
    kind: &str,
    uuid: Uuid,
    columns: &[&'static str],
) -> Result<(), StoreError> {
    let id = uuid.to_string();
    let mut stmt = conn.prepare_cached("DELETE FROM stages WHERE uuid = ?1 AND kind = ?2")?;
    if stmt.execute(params![id, kind])? == 0 {
        return Err(StoreError::NotFound);
    }
    for column in columns {
        debug_assert!(REFERENCE_COLUMNS.contains(column));
        let mut stmt = conn.prepare_cached(&format!(
            "UPDATE stages SET data = json_set(data, '$.{column}', json('null'))
             WHERE {column} = ?1"
        ))?;
        stmt.execute(params![id])?;
    }
    Ok(())
}

/// Stages whose reference `column` holds `uuid`: `(kind, document)`, by name.
pub fn referencing(
    conn: &Connection,
    column: &'static str,
    uuid: Uuid,
) -> Result<Vec<(String, String)>, StoreError> {
    debug_assert!(REFERENCE_COLUMNS.contains(&column));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT kind, data FROM stages WHERE {column} = ?1 ORDER BY name"
    ))?;
    let rows = stmt.query_map(params![uuid.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether a stage of `kind` with this pk exists.
pub fn stage_exists(conn: &Connection, kind: &str, uuid: Uuid) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM stages WHERE uuid = ?1 AND kind = ?2")?;
    Ok(stmt.exists(params![uuid.to_string(), kind])?)
}

/// Whether a seeded object of `model` (`flow`, `source`) with this pk exists.
pub fn referent_exists(conn: &Connection, model: &str, uuid: Uuid) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM referents WHERE model = ?1 AND uuid = ?2")?;
    Ok(stmt.exists(params![model, uuid.to_string()])?)
}

/// A filtered, ordered slice of one kind's stages, in SQL. `clause` and `order` come from
/// [`crate::listing`], built from fixed column names only; values are parameters.
pub struct Selection<'a> {
    pub kind: &'a str,
    /// ` AND ...` conditions, each with `?` placeholders.
    pub clause: &'a str,
    pub params: &'a [SqlValue],
    /// `ORDER BY` terms.
    pub order: &'a str,
}

/// How many stages a selection holds: the kept count when nothing narrows it.
pub fn count(conn: &Connection, s: &Selection<'_>) -> Result<i64, StoreError> {
    if s.clause.is_empty() {
        let mut stmt = conn.prepare_cached("SELECT n FROM stage_counts WHERE kind = ?1")?;
        return Ok(stmt
            .query_row(params![s.kind], |r| r.get(0))
            .optional()?
            .unwrap_or(0));
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT count(*) FROM stages WHERE kind = ?{}",
        s.clause
    ))?;
    let params = std::iter::once(SqlValue::Text(s.kind.to_owned())).chain(s.params.iter().cloned());
    Ok(stmt.query_row(params_from_iter(params), |r| r.get(0))?)
}

/// The documents of one page of a selection.
pub fn page(
    conn: &Connection,
    s: &Selection<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT data FROM stages WHERE kind = ?{} ORDER BY {} LIMIT ? OFFSET ?",
        s.clause, s.order
    ))?;
    let params = std::iter::once(SqlValue::Text(s.kind.to_owned()))
        .chain(s.params.iter().cloned())
        .chain([SqlValue::Integer(limit), SqlValue::Integer(offset)]);
    let rows = stmt.query_map(params_from_iter(params), |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn map_unique(result: rusqlite::Result<()>) -> Result<(), StoreError> {
    match result {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(StoreError::NameTaken)
        }
        other => other.map_err(StoreError::Db),
    }
}

/// Objects the service's stages may reference, seeded at start (`--fixtures`): flows, sources,
/// and stages of kinds the service does not serve (such as password stages).
#[derive(Debug, Default)]
pub struct Fixtures {
    pub flows: Vec<Referent>,
    pub sources: Vec<Referent>,
    pub stages: Vec<SeededStage>,
}

/// A flow or a source: its pk and the document given for it.
#[derive(Debug)]
pub struct Referent {
    pub pk: Uuid,
    pub data: Value,
}

/// A stage from the fixtures file.
#[derive(Debug)]
pub struct SeededStage {
    pub pk: Uuid,
    pub kind: String,
    pub name: String,
    pub data: Value,
}

/// Kinds the service serves itself: their stages come through the API, not from fixtures.
const SERVED_KINDS: &[&str] = &["captcha", "identification"];

impl Fixtures {
    /// Reads a fixtures document (JSON):
    /// `{"flows": [{"pk": ...}], "sources": [{"pk": ...}], "stages": [{"pk": ..., "kind": "password", "name": ...}]}`.
    /// Every list is optional; every object needs a `pk` (a UUID), stages also a `kind` and a
    /// `name`; other members are kept as given.
    pub fn from_json(text: &str) -> Result<Fixtures, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(doc) = doc else {
            return Err("the document must be a JSON object".to_owned());
        };
        let mut fixtures = Fixtures::default();
        for (key, value) in doc {
            let items = value
                .as_array()
                .ok_or_else(|| format!("`{key}` must be a list"))?;
            for (i, item) in items.iter().enumerate() {
                let at = format!("{key}[{i}]");
                let pk = item
                    .get("pk")
                    .and_then(Value::as_str)
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(|| format!("{at}: `pk` must be a UUID"))?;
                let text_field = |field: &str| {
                    item.get(field)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{at}: `{field}` must be a string"))
                };
                match key.as_str() {
                    "flows" => fixtures.flows.push(Referent {
                        pk,
                        data: item.clone(),
                    }),
                    "sources" => fixtures.sources.push(Referent {
                        pk,
                        data: item.clone(),
                    }),
                    "stages" => {
                        let kind = text_field("kind")?;
                        if SERVED_KINDS.contains(&kind.as_str()) {
                            return Err(format!(
                                "{at}: {kind} stages are created through the API, not seeded"
                            ));
                        }
                        fixtures.stages.push(SeededStage {
                            pk,
                            name: text_field("name")?,
                            kind,
                            data: item.clone(),
                        });
                    }
                    other => {
                        return Err(format!(
                            "unknown list `{other}` (expected flows, sources, stages)"
                        ))
                    }
                }
            }
        }
        Ok(fixtures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write that fails, or panics, is rolled back and leaves the writer ready for the next.
    #[test]
    fn failed_and_panicking_writes_roll_back() {
        let dir = std::env::temp_dir().join(format!("stages-rollback-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = Store::open(&dir.join("s.db")).unwrap();
            let row = || Row {
                data: r#"{"name": "a"}"#.to_owned(),
                secret: None,
            };
            let failed = store
                .write(move |conn| {
                    insert(conn, "captcha", Uuid::new_v4(), "a", &row())?;
                    Err::<(), _>(StoreError::Other("no".to_owned()))
                })
                .await;
            assert!(matches!(failed, Err(StoreError::Other(_))));
            let panicked: Result<(), _> = store
                .write(move |conn| {
                    insert(conn, "captcha", Uuid::new_v4(), "a", &row())?;
                    panic!("a bug in a write")
                })
                .await;
            assert!(matches!(panicked, Err(StoreError::Closed)));
            let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
            store
                .write(move |conn| insert(conn, "captcha", a, "a", &row()))
                .await
                .unwrap();
            let taken = store
                .write(move |conn| insert(conn, "captcha", b, "a", &row()))
                .await;
            assert!(matches!(taken, Err(StoreError::NameTaken)));
            let stored = store
                .read(|conn| {
                    Ok(conn.query_row("SELECT count(*) FROM stages", [], |r| r.get::<_, i64>(0))?)
                })
                .await
                .unwrap();
            assert_eq!(stored, 1);
        });
        std::fs::remove_dir_all(&dir).ok();
    }

    fn plan(conn: &Connection, sql: &str) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join("; ")
    }

    /// Lists, lookups, deletes and the references a delete clears all go through an index:
    /// nothing the service does per request scans the table or sorts it.
    #[test]
    fn every_request_uses_an_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        prepare(&conn).unwrap();
        migrate(&mut conn).unwrap();
        let cases = [
            (
                "SELECT data FROM stages WHERE kind = 'captcha' ORDER BY name ASC LIMIT 20 OFFSET 40",
                "USING INDEX stages_kind_name (kind=?)",
            ),
            (
                "SELECT data FROM stages WHERE kind = 'captcha' ORDER BY name DESC LIMIT 20",
                "USING INDEX stages_kind_name (kind=?)",
            ),
            (
                "SELECT count(*) FROM stages WHERE kind = 'captcha' AND public_key = 'x'",
                "USING INDEX stages_kind_public_key (kind=? AND public_key=?)",
            ),
            (
                "SELECT data, secret FROM stages WHERE uuid = 'u' AND kind = 'captcha'",
                "USING INDEX sqlite_autoindex_stages_1 (uuid=?)",
            ),
            (
                "DELETE FROM stages WHERE uuid = 'u' AND kind = 'captcha'",
                "USING INDEX sqlite_autoindex_stages_1 (uuid=?)",
            ),
            (
                "UPDATE stages SET data = json_set(data, '$.password_stage', json('null')) WHERE password_stage = 'u'",
                "USING INDEX stages_password_stage (password_stage=?)",
            ),
            (
                "SELECT data FROM stages WHERE kind = 'identification' AND enrollment_flow = 'u' ORDER BY name LIMIT 5",
                "stages_",
            ),
            (
                "SELECT n FROM stage_counts WHERE kind = 'captcha'",
                "USING PRIMARY KEY (kind=?)",
            ),
        ];
        for (sql, expected) in cases {
            let plan = plan(&conn, sql);
            assert!(plan.contains(expected), "{sql}: {plan}");
            assert!(!plan.contains("SCAN stages"), "{sql}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
        }
    }

    #[test]
    fn counts_follow_inserts_and_deletes() {
        let mut conn = Connection::open_in_memory().unwrap();
        prepare(&conn).unwrap();
        migrate(&mut conn).unwrap();
        let row = |name: &str| Row {
            data: format!(r#"{{"name": "{name}"}}"#),
            secret: None,
        };
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        insert(&conn, "captcha", a, "a", &row("a")).unwrap();
        insert(&conn, "captcha", b, "b", &row("b")).unwrap();
        assert!(matches!(
            insert(&conn, "identification", Uuid::new_v4(), "a", &row("a")),
            Err(StoreError::NameTaken)
        ));
        delete(&conn, "captcha", a, &[]).unwrap();
        let all = Selection {
            kind: "captcha",
            clause: "",
            params: &[],
            order: "name ASC",
        };
        assert_eq!(count(&conn, &all).unwrap(), 1);
        // Counts are rebuilt when a database is opened.
        conn.execute("UPDATE stage_counts SET n = 7", []).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(count(&conn, &all).unwrap(), 1);
        assert_eq!(page(&conn, &all, 10, 0).unwrap(), [row("b").data]);
    }
}
