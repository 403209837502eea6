//! Storage: stages as JSON documents in SQLite, one row per stage, with the write-only secret
//! kept apart from the document that is returned.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// A stored stage: its returned document and its write-only secret.
#[derive(Clone, Debug)]
pub struct Row {
    pub data: Value,
    pub secret: Option<String>,
}

/// What a write can fail with.
#[derive(Debug)]
pub enum StoreError {
    /// Stage names are unique across every kind, as in authentik.
    NameTaken,
    NotFound,
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e)
    }
}

/// A SQLite database: a file (WAL, so readers never wait for writers) or in memory.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (creating) the database at `path`; `:memory:` keeps it in memory.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = if path == Path::new(":memory:") {
            Connection::open_in_memory()?
        } else {
            let conn = Connection::open(path)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS stages (
                 uuid TEXT PRIMARY KEY,
                 kind TEXT NOT NULL,
                 name TEXT NOT NULL UNIQUE,
                 data TEXT NOT NULL,
                 secret TEXT
             );
             CREATE INDEX IF NOT EXISTS stages_kind ON stages (kind);",
        )?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .unwrap_or_else(|e| {
            Err(StoreError::Db(rusqlite::Error::ToSqlConversionFailure(
                Box::new(e),
            )))
        })
    }
}

/// Every stage of a kind, oldest first.
pub fn list(conn: &Connection, kind: &str) -> Result<Vec<Value>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT data FROM stages WHERE kind = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map(params![kind], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(parse(&row?)?);
    }
    Ok(out)
}

/// One stage of a kind.
pub fn get(conn: &Connection, kind: &str, uuid: Uuid) -> Result<Row, StoreError> {
    conn.query_row(
        "SELECT data, secret FROM stages WHERE kind = ?1 AND uuid = ?2",
        params![kind, uuid.to_string()],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
    )
    .optional()?
    .ok_or(StoreError::NotFound)
    .and_then(|(data, secret)| {
        Ok(Row {
            data: parse(&data)?,
            secret,
        })
    })
}

/// Adds a stage; its `pk` and `name` come from the document.
pub fn insert(conn: &mut Connection, kind: &str, uuid: Uuid, row: &Row) -> Result<(), StoreError> {
    let name = row
        .data
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let result = conn.execute(
        "INSERT INTO stages (uuid, kind, name, data, secret) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            uuid.to_string(),
            kind,
            name,
            row.data.to_string(),
            row.secret
        ],
    );
    map_unique(result.map(|_| ()))
}

/// Reads, changes and writes one stage in a single transaction, so concurrent writers lose
/// nothing.
pub fn update(
    conn: &mut Connection,
    kind: &str,
    uuid: Uuid,
    change: impl FnOnce(&mut Row),
) -> Result<Row, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut row = get(&tx, kind, uuid)?;
    change(&mut row);
    let name = row
        .data
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let result = tx.execute(
        "UPDATE stages SET name = ?1, data = ?2, secret = ?3 WHERE uuid = ?4",
        params![name, row.data.to_string(), row.secret, uuid.to_string()],
    );
    map_unique(result.map(|_| ()))?;
    tx.commit()?;
    Ok(row)
}

/// Removes a stage and clears the references other stages hold to it (authentik's `SET_NULL`).
pub fn delete(
    conn: &mut Connection,
    kind: &str,
    uuid: Uuid,
    reference_fields: &[&str],
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let removed = tx.execute(
        "DELETE FROM stages WHERE kind = ?1 AND uuid = ?2",
        params![kind, uuid.to_string()],
    )?;
    if removed == 0 {
        return Err(StoreError::NotFound);
    }
    let id = uuid.to_string();
    for field in reference_fields {
        let path = format!("$.{field}");
        tx.execute(
            "UPDATE stages SET data = json_set(data, ?1, json('null')) WHERE json_extract(data, ?1) = ?2",
            params![path, id],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Stages whose `field` holds `uuid`: `(kind, document)`.
pub fn referencing(
    conn: &Connection,
    field: &str,
    uuid: Uuid,
) -> Result<Vec<(String, Value)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, data FROM stages WHERE json_extract(data, ?1) = ?2 ORDER BY rowid",
    )?;
    let rows = stmt.query_map(params![format!("$.{field}"), uuid.to_string()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, data) = row?;
        out.push((kind, parse(&data)?));
    }
    Ok(out)
}

fn parse(text: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Db(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
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
