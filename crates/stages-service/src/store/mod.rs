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

use authentik_models::{field, CaptchaStage, IdentificationStage};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value as SqlValue;
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

/// The plain columns of a stage, taken from the same stage its document is written from: what
/// lists filter on, and the references a delete clears and `used_by` finds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    pub public_key: Option<String>,
    pub password_stage: Option<String>,
    pub enrollment_flow: Option<String>,
    pub recovery_flow: Option<String>,
    pub passwordless_flow: Option<String>,
    pub case_insensitive_matching: Option<bool>,
    pub show_matched_user: Option<bool>,
    pub show_source_labels: Option<bool>,
}

impl Columns {
    /// The columns of a document given as JSON (a seeded stage): its string members of those
    /// names.
    pub fn from_document(doc: &Value) -> Columns {
        let text = |field: &str| doc.get(field).and_then(Value::as_str).map(str::to_owned);
        let flag = |field: &str| doc.get(field).and_then(Value::as_bool);
        Columns {
            public_key: text(field!(CaptchaStage.public_key)),
            password_stage: text(field!(IdentificationStage.password_stage)),
            enrollment_flow: text(field!(IdentificationStage.enrollment_flow)),
            recovery_flow: text(field!(IdentificationStage.recovery_flow)),
            passwordless_flow: text(field!(IdentificationStage.passwordless_flow)),
            case_insensitive_matching: flag(field!(IdentificationStage.case_insensitive_matching)),
            show_matched_user: flag(field!(IdentificationStage.show_matched_user)),
            show_source_labels: flag(field!(IdentificationStage.show_source_labels)),
        }
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
use schema::{migrate, prepare, REFERENCE_COLUMNS};

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
        let conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.inner.path)?,
        };
        // One deferred transaction: one snapshot. `BEGIN` and `COMMIT` are cached statements.
        let result = (|| {
            conn.prepare_cached("BEGIN")?.execute([])?;
            let value = f(&conn)?;
            conn.prepare_cached("COMMIT")?.execute([])?;
            Ok(value)
        })();
        if result.is_err() {
            rollback(&conn);
        }
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
                let c = Columns::from_document(&stage.data);
                let result = if name_taken(tx, &stage.name, Some(stage.pk))? {
                    Err(StoreError::NameTaken)
                } else {
                    map_unique(
                        tx.execute(
                            "INSERT INTO stages (kind, name, uuid, data, public_key, password_stage,
                                 enrollment_flow, recovery_flow, passwordless_flow,
                                 case_insensitive_matching, show_matched_user, show_source_labels)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                             ON CONFLICT (uuid) DO UPDATE SET kind = ?1, name = ?2, data = ?4,
                                 public_key = ?5, password_stage = ?6, enrollment_flow = ?7,
                                 recovery_flow = ?8, passwordless_flow = ?9,
                                 case_insensitive_matching = ?10, show_matched_user = ?11,
                                 show_source_labels = ?12",
                            params![
                                stage.kind,
                                stage.name,
                                stage.pk.to_string(),
                                stage.data.to_string(),
                                c.public_key,
                                c.password_stage,
                                c.enrollment_flow,
                                c.recovery_flow,
                                c.passwordless_flow,
                                c.case_insensitive_matching,
                                c.show_matched_user,
                                c.show_source_labels,
                            ],
                        )
                        .map(|_| ()),
                    )
                };
                result.map_err(|e| StoreError::Other(format!("stage {}: {e}", stage.name)))?;
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

/// How often the WAL is copied back into the database file, off the writer's thread.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);
/// WAL pages (about 400 MB with 4 KiB pages) after which the writer checkpoints (what the
/// checkpointer has not yet copied) so that the WAL starts over. Each of those checkpoints
/// syncs the WAL and the database on the writer's thread, and every write waits meanwhile: at
/// 20,000 requests/s under load-bench, 12,500 pages (50 MB) had the writer in `fsync` 11% of
/// the time (132 calls in 8 s), 50,000 pages 2.5% (32 calls), one stall of 15-22 ms a second
/// (see [`spawn_checkpointer`]); 100,000 pages halve those stalls again (p99 101-102 ms
/// against 107-109 ms, alternated). The WAL file keeps the size it reached (it is written over
/// from the start, not truncated): up to 400 MB under a sustained write load, a few pages when
/// writes come slower than the checkpointer copies them. The checkpointer thread keeps the WAL
/// copied up to a few milliseconds behind, so a page lookup in the WAL index searches only the
/// frames it has not yet copied, however long the file.
const WRITER_CHECKPOINT_PAGES: i64 = 100_000;

// The writer keeps SQLite's default page cache (2 MB). A 16 MiB one was tried: with the
// database file memory-mapped a miss costs little (`pread` was 0.2% of the service's samples at
// 2 MB), while each commit of the writer ends in `pcache1TruncateUnsafe`, a walk of its whole
// cache, which grew with it: 6.7% of the service's samples late in a 30 s load at 16 MiB, 2.7% at
// 2 MB.

/// Page size of a new database: SQLite's default, 4 KiB. Smaller pages write fewer bytes to the
/// WAL per commit, but a write costs about as many system calls either way (one frame per b-tree
/// it touches), and with 1 KiB pages b-tree pages split four times as often; each split that
/// renumbers pages sends the commit through a scan of the writer's whole page cache
/// (`pcache1TruncateUnsafe`, 8-16% of the writer's time under the load benchmark). Measured
/// under the load benchmark: 4 KiB pages cost the service about a fifth less CPU per request.
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
/// [`HURRY_FROM_FRAMES`] on it does not sleep between passes that make progress. Under the load
/// benchmark that took the writer's checkpoints from 40-55 ms to 15-22 ms (once a second).
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
        migrate(&mut conn).unwrap();
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
        migrate(&mut conn).unwrap();
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
        migrate(&mut conn).unwrap();
        assert_eq!(count(&conn, &all).unwrap(), 1);
        assert_eq!(page(&conn, &all, 10, 0).unwrap(), [row("b").data]);
    }
}
