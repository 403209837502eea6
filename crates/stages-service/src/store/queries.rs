//! The statements every read and write runs, each on the connection it is given.

use super::*;

pub(super) fn upsert_referent(
    tx: &Connection,
    model: &str,
    object: &Referent,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO referents (model, uuid, data) VALUES (?1, ?2, ?3)
         ON CONFLICT (model, uuid) DO UPDATE SET data = ?3",
        params![model, object.pk.to_string(), object.data.to_string()],
    )?;
    Ok(())
}

/// One stage of a kind.
pub fn get(conn: &Connection, kind: &str, uuid: Uuid) -> Result<Row, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT data, secret FROM stages WHERE uuid = ?1 AND kind = ?2")?;
    stmt.query_row(params![uuid.to_string(), kind], |r| {
        Ok(Row {
            data: r.get(0)?,
            secret: r.get(1)?,
            columns: Columns::default(),
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound)
}

/// Adds a stage, unless a stage of any kind already has its name (or its pk).
pub fn insert(
    conn: &Connection,
    kind: &str,
    uuid: Uuid,
    name: &str,
    row: &Row,
) -> Result<(), StoreError> {
    if name_taken(conn, name, None)? {
        return Err(StoreError::NameTaken);
    }
    let columns: String = row.columns.names().map(|c| format!(", {c}")).collect();
    let marks = ", ?".repeat(row.columns.0.len());
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO stages (kind, name, uuid, data, secret{columns})
         VALUES (?, ?, ?, ?, ?{marks})"
    ))?;
    let id = uuid.to_string();
    let mut params: Vec<&dyn ToSql> = vec![&kind, &name, &id, &row.data, &row.secret];
    params.extend(row.columns.values());
    map_unique(stmt.execute(params.as_slice()).map(|_| ()))
}

/// Replaces a stage's document, secret and columns, and its name when `renamed` gives a new one
/// (unless another stage has that name; an unchanged name leaves the stage where it is).
pub fn replace(
    conn: &Connection,
    uuid: Uuid,
    renamed: Option<&str>,
    row: &Row,
) -> Result<(), StoreError> {
    let mut params: Vec<&dyn ToSql> = Vec::new();
    let mut set = String::new();
    if let Some(name) = &renamed {
        if name_taken(conn, name, Some(uuid))? {
            return Err(StoreError::NameTaken);
        }
        set.push_str("name = ?, ");
        params.push(name);
    }
    set.push_str("data = ?, secret = ?");
    params.extend([&row.data as &dyn ToSql, &row.secret]);
    for column in row.columns.names() {
        set.push_str(&format!(", {column} = ?"));
    }
    params.extend(row.columns.values());
    let id = uuid.to_string();
    params.push(&id);
    let mut stmt = conn.prepare_cached(&format!("UPDATE stages SET {set} WHERE uuid = ?"))?;
    map_unique(stmt.execute(params.as_slice()).map(|_| ()))
}

/// Adds a seeded stage, or replaces the one of its pk (kind, name, document and `columns`; the
/// secret stays).
pub(super) fn upsert_seeded(
    tx: &Connection,
    stage: &SeededStage,
    columns: &Columns,
) -> Result<(), StoreError> {
    let names: String = columns.names().map(|c| format!(", {c}")).collect();
    let marks = ", ?".repeat(columns.0.len());
    let updates: String = columns
        .names()
        .map(|c| format!(", {c} = excluded.{c}"))
        .collect();
    let id = stage.pk.to_string();
    let data = stage.data.to_string();
    let mut params: Vec<&dyn ToSql> = vec![&stage.kind, &stage.name, &id, &data];
    params.extend(columns.values());
    let result = tx.execute(
        &format!(
            "INSERT INTO stages (kind, name, uuid, data{names}) VALUES (?, ?, ?, ?{marks})
             ON CONFLICT (uuid) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                 data = excluded.data{updates}"
        ),
        params.as_slice(),
    );
    map_unique(result.map(|_| ()))
}

/// Whether a stage other than `except`, of any kind, is called `name`: one lookup of the
/// `(kind, name)` key per kind the store holds.
pub fn name_taken(conn: &Connection, name: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT uuid FROM stages WHERE kind IN (SELECT kind FROM stage_counts) AND name = ?1",
    )?;
    let owner: Option<String> = stmt.query_row(params![name], |r| r.get(0)).optional()?;
    Ok(match owner {
        None => false,
        Some(owner) => except.is_none_or(|e| e.to_string() != owner),
    })
}

/// Removes a stage (found by its pk's index) and clears the `columns` that reference it in other
/// stages (authentik's `SET_NULL`), each through its index. Column names come from the kinds'
/// descriptions ([`super::Layout`]), never from a request.
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
        let mut stmt = conn.prepare_cached(&format!(
            "UPDATE stages SET data = json_set(data, '$.{column}', json('null')), {column} = NULL
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

pub(super) fn map_unique(result: rusqlite::Result<()>) -> Result<(), StoreError> {
    match result {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(StoreError::NameTaken)
        }
        other => other.map_err(StoreError::Db),
    }
}
