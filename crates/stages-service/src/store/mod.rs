//! Storage: stages as JSON documents in SQLite, one row per stage, with the write-only secret
//! kept apart from the document that is returned, and the objects stages may reference.
//!
//! Concurrency: a file database runs in WAL mode with one writer connection on a thread of its
//! own, fed through a channel (every write is one `BEGIN IMMEDIATE` transaction, committed before
//! it is acknowledged), and a small pool of read connections that run on the caller's thread and
//! never wait for the writer: each read is one snapshot (a deferred transaction), indexed and
//! bounded by a page size. `:memory:` has a single connection, on the writer thread, for both.
//!
//! Stages are kept in a `WITHOUT ROWID` table keyed by `(kind, name)` (every list and its
//! default ordering read it in order), with a unique index on the pk; the columns filters and
//! reference lookups use are written beside the document and indexed; row counts per kind are
//! kept by triggers, so an unfiltered page does not count its rows (see `schema.rs`).

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSql, Value as SqlValue};
use rusqlite::TransactionBehavior;
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use uuid::Uuid;

/// A stored stage: its returned document (JSON text), its write-only secret, and the columns it
/// is filtered and found by (written; read back as the default, unused).
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub data: String,
    pub secret: Option<String>,
    pub columns: Columns,
}

/// Plain columns of a stage (each a member of its document, of the same name) with their values,
/// taken from the same stage its document is written from: what lists filter on, and the
/// references a delete clears and `used_by` finds. A stage's kind gives its own columns; the
/// table's others stay `NULL` for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns(pub Vec<(&'static str, SqlValue)>);

impl Columns {
    /// The `columns` of a document given as JSON (a seeded stage): its string and boolean
    /// members of those names.
    pub fn from_document(doc: &Value, columns: &[&'static str]) -> Columns {
        let value = |column: &str| match doc.get(column) {
            Some(Value::String(text)) => SqlValue::Text(text.clone()),
            Some(Value::Bool(flag)) => SqlValue::Integer(i64::from(*flag)),
            _ => SqlValue::Null,
        };
        Columns(columns.iter().map(|c| (*c, value(c))).collect())
    }

    fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|(name, _)| *name)
    }

    fn values(&self) -> impl Iterator<Item = &dyn ToSql> + '_ {
        self.0.iter().map(|(_, value)| value as &dyn ToSql)
    }
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
mod fixtures;
mod queries;
mod schema;

pub use fixtures::*;
pub use queries::*;
pub use schema::Layout;
use schema::{migrate, prepare};

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
    layout: Layout,
}

/// A SQLite database: a file (WAL, one writer, pooled readers) or in memory.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

static MEMORY_STORES: AtomicU64 = AtomicU64::new(0);

impl Store {
    /// Opens (creating) the database at `path`; `:memory:` keeps it in memory. Its stages table
    /// has `layout`'s columns ([`Store::open`] gives those of every kind the service serves).
    pub fn open_with(path: &Path, layout: Layout) -> rusqlite::Result<Self> {
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
        migrate(&mut writer, &layout)?;
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
                layout,
            }),
        })
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`) on the writer connection: committed
    /// when `f` answers `Ok`, rolled back otherwise. Writes run one after another, in order, and
    /// each is answered only after its own `COMMIT` has returned. `f` may fail with any error a
    /// [`StoreError`] converts into (the service's refusals, which write nothing).
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = answer.send(in_transaction(conn, "BEGIN IMMEDIATE", f));
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
    pub async fn read<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let Some(pool) = &self.inner.readers else {
            return self.write(move |tx| f(tx)).await;
        };
        let pooled = pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.inner.path).map_err(StoreError::from)?,
        };
        // One deferred transaction: one snapshot.
        let result = in_transaction(&conn, "BEGIN", f);
        let mut idle = pool.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// The reference columns that may name a stage of `kind`: cleared when it is deleted, read
    /// by its `used_by`.
    pub(crate) fn columns_referencing(&self, kind: &str) -> Vec<&'static str> {
        self.inner.layout.columns_referencing(kind)
    }

    /// Adds (or replaces, by pk) the objects of a fixtures file, in one transaction. Stages of
    /// a kind the service serves are refused: they come through the API.
    pub async fn seed(&self, fixtures: Fixtures) -> Result<(), StoreError> {
        let served = &self.inner.layout.served;
        if let Some(stage) = fixtures
            .stages
            .iter()
            .find(|s| served.contains(&s.kind.as_str()))
        {
            return Err(StoreError::Other(format!(
                "stage {}: {} stages are created through the API, not seeded",
                stage.name, stage.kind
            )));
        }
        let columns = self.inner.layout.columns.clone();
        self.write(move |tx| {
            for flow in &fixtures.flows {
                upsert_referent(tx, "flow", flow)?;
            }
            for source in &fixtures.sources {
                upsert_referent(tx, "source", source)?;
            }
            for stage in &fixtures.stages {
                let result = if name_taken(tx, &stage.name, Some(stage.pk))? {
                    Err(StoreError::NameTaken)
                } else {
                    upsert_seeded(tx, stage, &Columns::from_document(&stage.data, &columns))
                };
                result.map_err(|e| StoreError::Other(format!("stage {}: {e}", stage.name)))?;
            }
            Ok(())
        })
        .await
    }
}

/// One transaction, begun with `begin` (`BEGIN IMMEDIATE` for the writer, a deferred `BEGIN`
/// for a snapshot): committed when `f` answers `Ok`, rolled back otherwise. `BEGIN`, `COMMIT`
/// and `ROLLBACK` are cached statements: parsing them anew for every write (as
/// `Connection::transaction` does) is a measurable share of the single writer's time.
fn in_transaction<T, E: From<StoreError>>(
    conn: &Connection,
    begin: &str,
    f: impl FnOnce(&Connection) -> Result<T, E>,
) -> Result<T, E> {
    execute_cached(conn, begin)?;
    let result = f(conn).and_then(|value| {
        execute_cached(conn, "COMMIT")?;
        Ok(value)
    });
    if result.is_err() {
        rollback(conn);
    }
    result
}

fn execute_cached(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
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

/// How often the WAL is copied back into the database file, off the writer's thread.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);
/// WAL pages (about 400 MB with 4 KiB pages) after which the writer checkpoints what the
/// checkpointer has not yet copied, so that the WAL starts over. Each of those checkpoints syncs
/// the WAL and the database on the writer's thread, and every write waits meanwhile: the larger
/// this is, the rarer those stalls, and the larger the WAL file may grow (it is written over
/// from the start, not truncated). Why this size, as measured: docs/service.md, "Tuning the
/// store".
const WRITER_CHECKPOINT_PAGES: i64 = 100_000;

// The writer keeps SQLite's default page cache (2 MB): a larger one makes every commit's walk
// of the cache longer (docs/service.md, "Tuning the store").

/// Page size of a new database: SQLite's default, 4 KiB. Smaller pages write fewer bytes to the
/// WAL per commit but split b-tree pages more often, and a split that renumbers pages sends the
/// commit through a scan of the writer's whole page cache (docs/service.md, "Tuning the store").
const PAGE_SIZE: i64 = 4096;

/// WAL frames from which the checkpointer no longer sleeps between passes that copy something:
/// four fifths of [`WRITER_CHECKPOINT_PAGES`]. The writer's own checkpoint, when the WAL
/// reaches that size, then finds little left to copy (see [`spawn_checkpointer`]).
const HURRY_FROM_FRAMES: i64 = WRITER_CHECKPOINT_PAGES / 5 * 4;

/// A thread that checkpoints the WAL (`PASSIVE`: it never blocks the writer or readers) every
/// [`CHECKPOINT_EVERY`], until the returned sender is dropped; then once more, and it ends.
///
/// The WAL starts over only after a checkpoint that copied all of it, and under a steady flow
/// of writes only the writer's own checkpoint (when the WAL reaches [`WRITER_CHECKPOINT_PAGES`])
/// can: every write waits for it. What it costs is what this thread leaves it: the frames not
/// yet copied and the database pages written since the database file was last synced (SQLite
/// syncs the database only at the end of a checkpoint that copied everything). So this thread
/// syncs the database file itself after each pass that copied pages but not all of them, and from
/// [`HURRY_FROM_FRAMES`] on it does not sleep between passes that make progress.
fn spawn_checkpointer(path: &Path) -> rusqlite::Result<mpsc::Sender<()>> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // The database file, to sync what the passes copied into it (a sync through any descriptor
    // of a file covers all of it). Opened for writing too: some systems sync only a handle
    // that may write; nothing is written through it.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("stages-store-checkpointer".to_owned())
        .spawn(move || {
            let mut hurry = false;
            let mut copied_before = 0;
            loop {
                let wait = if hurry {
                    std::time::Duration::ZERO
                } else {
                    CHECKPOINT_EVERY
                };
                let last = matches!(
                    stopped.recv_timeout(wait),
                    Err(mpsc::RecvTimeoutError::Disconnected)
                );
                // `(busy, frames in the WAL, frames copied)`; -1 for both counts when the
                // pass did not run.
                let pass = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
                });
                hurry = match pass {
                    Err(e) => {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                        false
                    }
                    Ok((frames, copied)) => {
                        // Copied counts from the start of the WAL, which starts over.
                        let progressed = copied > 0 && copied != copied_before;
                        copied_before = copied;
                        // A pass that copied the whole WAL has synced the database itself.
                        if progressed && copied < frames {
                            if let Err(e) = file.sync_data() {
                                tracing::warn!(error = %e, "syncing the database file failed");
                            }
                        }
                        progressed && frames >= HURRY_FROM_FRAMES
                    }
                };
                if last {
                    break;
                }
            }
        })
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok(stop)
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
                ..Row::default()
            };
            let failed = store
                .write(move |conn| {
                    insert(conn, "captcha", Uuid::new_v4(), "a", &row())?;
                    Err::<(), _>(StoreError::Other("no".to_owned()))
                })
                .await;
            assert!(matches!(failed, Err(StoreError::Other(_))));
            let panicked: Result<(), StoreError> = store
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
                    let n = conn.query_row("SELECT count(*) FROM stages", [], |r| r.get(0))?;
                    Ok::<i64, StoreError>(n)
                })
                .await
                .unwrap();
            assert_eq!(stored, 1);
        });
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A database in the earlier layout (a rowid table with `uuid` as its key, a unique `name`,
    /// filter columns generated from the document) is rebuilt in the current one on open, its
    /// stages, secrets and counts kept and its plain columns read from the documents.
    #[test]
    fn an_earlier_layout_is_rebuilt() {
        let dir = std::env::temp_dir().join(format!("stages-rebuild-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.db");
        let (captcha, password, ident) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&format!(
                "CREATE TABLE stages (uuid TEXT PRIMARY KEY, kind TEXT NOT NULL,
                     name TEXT NOT NULL UNIQUE, data TEXT NOT NULL, secret TEXT);
                 ALTER TABLE stages ADD COLUMN public_key
                     GENERATED ALWAYS AS (json_extract(data, '$.public_key')) VIRTUAL;
                 ALTER TABLE stages ADD COLUMN password_stage
                     GENERATED ALWAYS AS (json_extract(data, '$.password_stage')) VIRTUAL;
                 CREATE INDEX stages_kind_name ON stages (kind, name);
                 CREATE INDEX stages_password_stage ON stages (password_stage)
                     WHERE password_stage IS NOT NULL;
                 CREATE TABLE stage_counts (kind TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
                 CREATE TRIGGER stages_counted_in AFTER INSERT ON stages BEGIN
                     INSERT INTO stage_counts (kind, n) VALUES (NEW.kind, 1)
                         ON CONFLICT (kind) DO UPDATE SET n = n + 1;
                 END;
                 INSERT INTO stages (uuid, kind, name, data, secret) VALUES
                     ('{captcha}', 'captcha', 'c', '{{\"name\": \"c\", \"public_key\": \"pub\"}}', 'shh'),
                     ('{password}', 'password', 'p', '{{\"name\": \"p\"}}', NULL),
                     ('{ident}', 'identification', 'i',
                      '{{\"name\": \"i\", \"password_stage\": \"{password}\"}}', NULL);"
            ))
            .unwrap();
        }
        let mut conn = Connection::open(&path).unwrap();
        prepare(&conn).unwrap();
        migrate(&mut conn, &Layout::served()).unwrap();
        let layout: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'stages'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(layout.contains("WITHOUT ROWID"), "{layout}");
        let row = get(&conn, "captcha", captcha).unwrap();
        assert_eq!(row.secret.as_deref(), Some("shh"));
        let key: String = conn
            .query_row("SELECT public_key FROM stages WHERE name = 'c'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(key, "pub");
        assert_eq!(
            referencing(&conn, "password_stage", password)
                .unwrap()
                .len(),
            1
        );
        assert!(name_taken(&conn, "p", None).unwrap());
        let all = Selection {
            kind: "captcha",
            clause: "",
            params: &[],
            order: "name ASC",
        };
        assert_eq!(count(&conn, &all).unwrap(), 1);
        // Deleting the password stage clears the reference, in the document and the column.
        delete(&conn, "password", password, &["password_stage"]).unwrap();
        assert!(referencing(&conn, "password_stage", password)
            .unwrap()
            .is_empty());
        let doc = get(&conn, "identification", ident).unwrap().data;
        assert!(doc.contains(r#""password_stage":null"#), "{doc}");
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A table without a column a served kind has (one added to the service since the database
    /// was made) gains it on open, filled from the documents' members of that name.
    #[test]
    fn a_kinds_new_column_is_added_and_filled() {
        let mut conn = Connection::open_in_memory().unwrap();
        prepare(&conn).unwrap();
        let mut layout = Layout::served();
        let added = layout.columns.pop().unwrap();
        migrate(&mut conn, &layout).unwrap();
        let doc = format!(r#"{{"name": "i", "{added}": true}}"#);
        conn.execute(
            "INSERT INTO stages (kind, name, uuid, data) VALUES ('identification', 'i', 'u', ?1)",
            [&doc],
        )
        .unwrap();
        migrate(&mut conn, &Layout::served()).unwrap();
        let value: i64 = conn
            .query_row(&format!("SELECT {added} FROM stages"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(value, 1);
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
        migrate(&mut conn, &Layout::served()).unwrap();
        let cases = [
            (
                "SELECT data FROM stages WHERE kind = 'captcha' ORDER BY name ASC LIMIT 20 OFFSET 40",
                "USING PRIMARY KEY (kind=?)",
            ),
            (
                "SELECT data FROM stages WHERE kind = 'captcha' ORDER BY name DESC LIMIT 20",
                "USING PRIMARY KEY (kind=?)",
            ),
            // `public_key` has no index of its own (see `schema`): its filter reads the kind's
            // rows, in key order, and compares a plain column.
            (
                "SELECT count(*) FROM stages WHERE kind = 'captcha' AND public_key = 'x'",
                "USING PRIMARY KEY (kind=?)",
            ),
            (
                "SELECT data, secret FROM stages WHERE uuid = 'u' AND kind = 'captcha'",
                "sqlite_autoindex_stages_1 (uuid=?)",
            ),
            (
                "SELECT 1 FROM stages WHERE uuid = 'u' AND kind = 'captcha'",
                "sqlite_autoindex_stages_1 (uuid=?)",
            ),
            (
                "DELETE FROM stages WHERE uuid = 'u' AND kind = 'captcha'",
                "sqlite_autoindex_stages_1 (uuid=?)",
            ),
            (
                "SELECT uuid FROM stages WHERE kind IN (SELECT kind FROM stage_counts) AND name = 'a'",
                "USING PRIMARY KEY (kind=? AND name=?)",
            ),
            (
                "UPDATE stages SET data = json_set(data, '$.password_stage', json('null')), password_stage = NULL WHERE password_stage = 'u'",
                "stages_password_stage (password_stage=?)",
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
        migrate(&mut conn, &Layout::served()).unwrap();
        let row = |name: &str| Row {
            data: format!(r#"{{"name": "{name}"}}"#),
            secret: None,
            ..Row::default()
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
        migrate(&mut conn, &Layout::served()).unwrap();
        assert_eq!(count(&conn, &all).unwrap(), 1);
        assert_eq!(page(&conn, &all, 10, 0).unwrap(), [row("b").data]);
    }
}
