//! `gazette copy-db`: moves a whole site between databases (SQLite ⇄ PostgreSQL, or to another
//! database of the same kind) — articles, comments with their threads, staff, sessions, settings
//! and secrets, the audit log, bans, the classifier, static pages, media and redirects — then checks every table's row count.
//! Both schemas have the same tables and columns (a test holds them to it); only a few column
//! types differ (SQLite keeps booleans as integers), and values are converted by the target's type.

use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use gazette_store_sql::Pool;
use sqlx::{PgPool, Row, SqlitePool};

/// Every table, parents before children (foreign keys), each with the column that orders its
/// rows (so that a reply is copied after the comment it answers).
pub(crate) const TABLES: &[(&str, &str)] = &[
    ("settings", "key"),
    ("users", "id"),
    ("terms", "id"),
    ("articles", "id"),
    ("article_terms", "article_id, term_id"),
    ("article_authors", "article_id, position"),
    ("slug_redirects", "old_slug"),
    ("comments", "id"),
    ("sessions", "token_hash"),
    ("password_resets", "token_hash"),
    ("login_failures", "id"),
    ("audit_log", "id"),
    ("bans", "id"),
    ("classifier_tokens", "token"),
    ("jobs", "id"),
    // Where imported rows came from, so a later import of the same site still finds them.
    ("imported", "source, kind, original_id"),
    ("redirects", "path"),
    // Static pages (a parent before its children is not needed: parent_id has no foreign key).
    ("pages", "id"),
    ("media", "id"),
    // Uploaded images' stored sizes, with their bytes.
    ("media_files", "media_id, width"),
    ("corrections", "id"),
];

/// Tables that stay behind: the change log (nothing in it is true of the copy), newsroom
/// uploads with their import runs (their files are imported where they were uploaded), and the
/// search index (a different kind of table on each database, with SQLite's FTS5 shadow tables):
/// the copy's first start finds it missing articles and indexes every article again.
const NOT_COPIED: &[&str] = &[
    "changes",
    "imports",
    "import_chunks",
    "article_search",
    "article_search_data",
    "article_search_idx",
    "article_search_content",
    "article_search_docsize",
    "article_search_config",
];

/// Tables whose `id` comes from a sequence that PostgreSQL must be told about after the copy.
pub(crate) const WITH_IDS: &[&str] = &[
    "users",
    "terms",
    "articles",
    "comments",
    "login_failures",
    "audit_log",
    "bans",
    "changes",
    "jobs",
    "pages",
    "media",
    "corrections",
];

/// Rows per INSERT statement.
const BATCH: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Bool,
    Real,
    Text,
    Bytes,
}

#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    pub(crate) async fn open(url: &str) -> anyhow::Result<Self> {
        // Opening through the stores creates and migrates the schema, so both ends match.
        Ok(match crate::setup::open_backend(url).await?.pool() {
            Pool::Sqlite(pool) => Self::Sqlite(pool.clone()),
            Pool::Postgres(pool) => Self::Postgres(pool.clone()),
        })
    }

    /// Tables besides sqlx's bookkeeping.
    pub(crate) async fn tables(&self) -> anyhow::Result<Vec<String>> {
        Ok(match self {
            Self::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
                )
                .fetch_all(pool)
                .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(pool)
                .await?
            }
        })
    }

    pub(crate) async fn columns(&self, table: &str) -> anyhow::Result<Vec<(String, Kind)>> {
        let rows: Vec<(String, String)> = match self {
            Self::Sqlite(pool) => {
                sqlx::query_as("SELECT name, type FROM pragma_table_info(?) ORDER BY cid")
                    .bind(table)
                    .fetch_all(pool)
                    .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(pool)
                .await?
            }
        };
        if rows.is_empty() {
            bail!("table {table} is missing");
        }
        rows.into_iter()
            .map(|(name, declared)| {
                let declared = declared.to_lowercase();
                let kind = if declared.contains("bool") {
                    Kind::Bool
                } else if declared.contains("int") {
                    Kind::Int
                } else if declared.contains("real")
                    || declared.contains("double")
                    || declared.contains("float")
                {
                    Kind::Real
                } else if declared.contains("text") || declared.contains("char") {
                    Kind::Text
                } else if declared.contains("blob") || declared.contains("bytea") {
                    Kind::Bytes
                } else {
                    bail!("{table}.{name} has a type copy-db does not know: {declared}")
                };
                Ok((name, kind))
            })
            .collect()
    }

    pub(crate) async fn count(&self, table: &str) -> anyhow::Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        Ok(match self {
            Self::Sqlite(pool) => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_one(pool)
                    .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    /// A read transaction: every table read through it shows the same moment of the site,
    /// whatever is written meanwhile.
    pub(crate) async fn snapshot(&self) -> anyhow::Result<Snapshot> {
        Ok(match self {
            Self::Sqlite(pool) => Snapshot::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Snapshot::Postgres(tx)
            }
        })
    }

    /// A write transaction for the whole copy or import.
    pub(crate) async fn begin(&self) -> anyhow::Result<Target<'static>> {
        Ok(match self {
            Self::Sqlite(pool) => Target::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => Target::Postgres(pool.begin().await?),
        })
    }

    /// The tables of `tables` that hold rows.
    pub(crate) async fn occupied(&self, tables: &[&str]) -> anyhow::Result<Vec<String>> {
        let mut occupied = Vec::new();
        for table in tables {
            if self.count(table).await? > 0 {
                occupied.push((*table).to_owned());
            }
        }
        Ok(occupied)
    }

    /// Closes the pool (SQLite folds its write-ahead log back into the file).
    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }

    /// The newest migration applied: the schema's version.
    pub(crate) async fn schema_version(&self) -> anyhow::Result<i64> {
        let sql = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        Ok(match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            Self::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        })
    }
}

/// Where a batch of rows goes: another database's transaction, or an export file.
pub(crate) trait Sink {
    /// Takes `rows` of `table` (emptying it); `columns` name and type each cell.
    async fn take(
        &mut self,
        table: &str,
        columns: &[(String, Kind)],
        rows: &mut Vec<Vec<Cell>>,
    ) -> anyhow::Result<u64>;
}

impl Sink for Target<'_> {
    async fn take(
        &mut self,
        table: &str,
        columns: &[(String, Kind)],
        rows: &mut Vec<Vec<Cell>>,
    ) -> anyhow::Result<u64> {
        self.insert(table, columns, rows).await
    }
}

/// A consistent read of the whole site (see [`Db::snapshot`]).
pub(crate) enum Snapshot {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Snapshot {
    /// Streams `table`'s rows in `order` (read as `columns`, the source's types; `only` is a
    /// condition, or empty), `BATCH` at a time, into `sink` (given `into`, the same columns
    /// with the sink's types).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn stream(
        &mut self,
        table: &str,
        order: &str,
        only: &str,
        columns: &[(String, Kind)],
        into: &[(String, Kind)],
        sink: &mut impl Sink,
    ) -> anyhow::Result<u64> {
        let list = column_list(columns);
        let only = if only.is_empty() {
            String::new()
        } else {
            format!(" WHERE {only}")
        };
        let sql = format!("SELECT {list} FROM {table}{only} ORDER BY {order}");
        let mut batch: Vec<Vec<Cell>> = Vec::with_capacity(BATCH);
        let mut copied = 0u64;
        match self {
            Self::Sqlite(tx) => {
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch(&mut **tx);
                while let Some(row) = rows.try_next().await? {
                    batch.push(read_sqlite(&row, columns)?);
                    if batch.len() == BATCH {
                        copied += sink.take(table, into, &mut batch).await?;
                    }
                }
            }
            Self::Postgres(tx) => {
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch(&mut **tx);
                while let Some(row) = rows.try_next().await? {
                    batch.push(read_postgres(&row, columns)?);
                    if batch.len() == BATCH {
                        copied += sink.take(table, into, &mut batch).await?;
                    }
                }
            }
        }
        copied += sink.take(table, into, &mut batch).await?;
        Ok(copied)
    }
}

fn column_list(columns: &[(String, Kind)]) -> String {
    columns
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_sqlite(
    row: &sqlx::sqlite::SqliteRow,
    columns: &[(String, Kind)],
) -> anyhow::Result<Vec<Cell>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Int | Kind::Bool => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Cell::Null, Cell::Int),
                Kind::Real => row
                    .try_get::<Option<f64>, _>(i)?
                    .map_or(Cell::Null, Cell::Real),
                Kind::Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(Cell::Null, Cell::Text),
                Kind::Bytes => row
                    .try_get::<Option<Vec<u8>>, _>(i)?
                    .map_or(Cell::Null, Cell::Bytes),
            })
        })
        .collect()
}

fn read_postgres(
    row: &sqlx::postgres::PgRow,
    columns: &[(String, Kind)],
) -> anyhow::Result<Vec<Cell>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Int => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Cell::Null, Cell::Int),
                Kind::Bool => row
                    .try_get::<Option<bool>, _>(i)?
                    .map_or(Cell::Null, |b| Cell::Int(i64::from(b))),
                Kind::Real => row
                    .try_get::<Option<f64>, _>(i)?
                    .map_or(Cell::Null, Cell::Real),
                Kind::Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(Cell::Null, Cell::Text),
                Kind::Bytes => row
                    .try_get::<Option<Vec<u8>>, _>(i)?
                    .map_or(Cell::Null, Cell::Bytes),
            })
        })
        .collect()
}

/// The write side: one transaction for the whole copy, so a failed copy leaves nothing.
pub(crate) enum Target<'c> {
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
}

impl Target<'_> {
    async fn execute(&mut self, sql: String) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(tx) => {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut **tx)
                    .await?;
            }
            Self::Postgres(tx) => {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// Empties `tables` (listed parents first; emptied children first) and the change log,
    /// since nothing in it is true of what comes in.
    pub(crate) async fn empty(&mut self, tables: &[&str]) -> anyhow::Result<()> {
        for table in tables.iter().rev().chain(&["changes"]) {
            self.execute(format!("DELETE FROM {table}")).await?;
        }
        Ok(())
    }

    /// Moves PostgreSQL's id sequences past the ids written, then commits.
    pub(crate) async fn commit(mut self) -> anyhow::Result<()> {
        if let Self::Postgres(_) = self {
            for table in WITH_IDS {
                self.execute(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ))
                .await?;
            }
        }
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Writes settings rows (`key`, `value` among `columns`) over the ones already there.
    pub(crate) async fn upsert_settings(
        &mut self,
        columns: &[(String, Kind)],
        rows: &mut Vec<Vec<Cell>>,
    ) -> anyhow::Result<u64> {
        let at = |name: &str| {
            columns
                .iter()
                .position(|(n, _)| n == name)
                .with_context(|| format!("settings rows need a {name} column"))
        };
        let (key, value) = (at("key")?, at("value")?);
        let count = rows.len() as u64;
        for row in rows.drain(..) {
            let (Some(Cell::Text(k)), Some(Cell::Text(v))) = (row.get(key), row.get(value)) else {
                bail!("a settings row needs a text key and value");
            };
            let sql = "INSERT INTO settings (key, value) VALUES ($1, $2) \
                       ON CONFLICT (key) DO UPDATE SET value = excluded.value";
            match self {
                Self::Sqlite(tx) => {
                    sqlx::query(sql).bind(k).bind(v).execute(&mut **tx).await?;
                }
                Self::Postgres(tx) => {
                    sqlx::query(sql).bind(k).bind(v).execute(&mut **tx).await?;
                }
            }
        }
        Ok(count)
    }

    /// Inserts `rows` (emptied afterwards); `columns` are the target's, in the source's order.
    pub(crate) async fn insert(
        &mut self,
        table: &str,
        columns: &[(String, Kind)],
        rows: &mut Vec<Vec<Cell>>,
    ) -> anyhow::Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let count = rows.len() as u64;
        let list = column_list(columns);
        match self {
            Self::Sqlite(tx) => {
                let mut builder = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
                    "INSERT INTO {table} ({list}) "
                ));
                builder.push_values(rows.drain(..), |mut b, row| {
                    for cell in row {
                        match cell {
                            Cell::Null => b.push_bind(None::<i64>),
                            Cell::Int(v) => b.push_bind(v),
                            Cell::Real(v) => b.push_bind(v),
                            Cell::Text(v) => b.push_bind(v),
                            Cell::Bytes(v) => b.push_bind(v),
                        };
                    }
                });
                builder.build().execute(&mut **tx).await?;
            }
            Self::Postgres(tx) => {
                let mut builder = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
                    "INSERT INTO {table} ({list}) "
                ));
                builder.push_values(rows.drain(..), |mut b, row| {
                    for (cell, (_, kind)) in row.into_iter().zip(columns) {
                        match (cell, kind) {
                            (Cell::Null, Kind::Bool) => b.push_bind(None::<bool>),
                            (Cell::Null, Kind::Text) => b.push_bind(None::<String>),
                            (Cell::Null, Kind::Real) => b.push_bind(None::<f64>),
                            (Cell::Null, Kind::Int) => b.push_bind(None::<i64>),
                            (Cell::Null, Kind::Bytes) => b.push_bind(None::<Vec<u8>>),
                            (Cell::Int(v), Kind::Bool) => b.push_bind(v != 0),
                            (Cell::Int(v), Kind::Real) => b.push_bind(v as f64),
                            (Cell::Int(v), _) => b.push_bind(v),
                            (Cell::Real(v), _) => b.push_bind(v),
                            (Cell::Text(v), _) => b.push_bind(v),
                            (Cell::Bytes(v), _) => b.push_bind(v),
                        };
                    }
                });
                builder.build().execute(&mut **tx).await?;
            }
        }
        Ok(count)
    }
}

/// Copies every table from `from` to `to`. `replace` empties a target that holds a site
/// already; without it such a target is refused.
pub async fn copy_db(from: &str, to: &str, replace: bool) -> anyhow::Result<()> {
    if from == to {
        bail!("--from and --to name the same database");
    }
    let source = Db::open(from).await.context("opening the source")?;
    let target = Db::open(to).await.context("opening the target")?;
    // A table this build does not list would be left behind: refuse rather than copy part of a site.
    let unknown: Vec<String> = source
        .tables()
        .await?
        .into_iter()
        // The change log and uploads waiting to be imported are only true of the source.
        .filter(|t| !NOT_COPIED.contains(&t.as_str()) && !TABLES.iter().any(|(name, _)| name == t))
        .collect();
    if !unknown.is_empty() {
        bail!(
            "the source has tables copy-db does not know ({}); nothing was copied",
            unknown.join(", ")
        );
    }
    let names: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
    let occupied = target.occupied(&names).await?;
    if !occupied.is_empty() && !replace {
        bail!(
            "the target already holds a site (rows in {}); pass --replace to empty it first",
            occupied.join(", ")
        );
    }
    let mut tx = target.begin().await?;
    tx.empty(&names).await?;
    let mut snapshot = source.snapshot().await?;
    let mut copied = Vec::new();
    for (table, order) in TABLES {
        let source_columns = source.columns(table).await?;
        let target_columns = target.columns(table).await?;
        // The target's types, in the source's column order; a column missing on one side is a
        // schema mismatch (different Gazette versions), and nothing is written.
        let into: Vec<(String, Kind)> = source_columns
            .iter()
            .map(|(name, _)| {
                target_columns
                    .iter()
                    .find(|(n, _)| n == name)
                    .cloned()
                    .with_context(|| format!("the target has no column {table}.{name}"))
            })
            .collect::<anyhow::Result<_>>()?;
        if into.len() != target_columns.len() {
            bail!("the target's {table} has columns the source lacks (different versions?)");
        }
        let written = snapshot
            .stream(table, order, "", &source_columns, &into, &mut tx)
            .await
            .with_context(|| format!("copying {table}"))?;
        copied.push((*table, written));
    }
    drop(snapshot);
    tx.commit().await?;
    println!("{:<20} {:>10} {:>10}", "table", "source", "target");
    let mut mismatched = Vec::new();
    for (table, written) in copied {
        let (have, got) = (source.count(table).await?, target.count(table).await?);
        println!("{table:<20} {have:>10} {got:>10}");
        if have != got || u64::try_from(got).ok() != Some(written) {
            mismatched.push(table);
        }
    }
    if !mismatched.is_empty() {
        bail!(
            "row counts differ in {} (the source changed during the copy?)",
            mismatched.join(", ")
        );
    }
    println!("copied; every table's count matches");
    Ok(())
}
