//! Running one statement on either database. Every query in this crate is a [`Sql`]: its text
//! (with `$1`, `$2`… placeholders, which SQLite and PostgreSQL both read) and its arguments. The
//! few places that must know which database they are on are the `match`es below, one per way of
//! running a statement, and `dialect.rs`.
//!
//! Why not sqlx's `Any` driver: it converts every row into its own value type (a copy per column
//! on the hot read paths) and cannot bind the few PostgreSQL-only statements we need. Why not
//! code generic over `sqlx::Database`: the bounds on every function (each argument type must be
//! `Encode` and `Type` for the database, each row `FromRow`) spread through every query and
//! double compile times (STYLE.md). Here the bound is one trait, [`Row`], and the rest is plain.

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::{Query, QueryAs};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{
    AssertSqlSafe, FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool,
};
use std::borrow::Cow;

/// A row type both databases decode: every row struct of `gazette_store::rows` and tuples of
/// `i64`, `String`, `bool`, `Option<…>`.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// One argument of a statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    /// An integer (ids, times, counts).
    Int(i64),
    /// An integer or NULL.
    OptInt(Option<i64>),
    /// A boolean (SQLite stores 0 or 1).
    Bool(bool),
    /// Text.
    Text(String),
    /// Text or NULL.
    OptText(Option<String>),
    /// Bytes (a BLOB on SQLite, BYTEA on PostgreSQL).
    Bytes(Vec<u8>),
    /// Bytes or NULL.
    OptBytes(Option<Vec<u8>>),
}

impl From<Option<&[u8]>> for Arg {
    fn from(value: Option<&[u8]>) -> Self {
        Self::OptBytes(value.map(<[u8]>::to_vec))
    }
}

impl From<&[u8]> for Arg {
    fn from(value: &[u8]) -> Self {
        Self::Bytes(value.to_vec())
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Self::OptInt(value)
    }
}

impl From<bool> for Arg {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<Option<&str>> for Arg {
    fn from(value: Option<&str>) -> Self {
        Self::OptText(value.map(str::to_owned))
    }
}

impl From<&Option<String>> for Arg {
    fn from(value: &Option<String>) -> Self {
        Self::OptText(value.clone())
    }
}

/// A statement and its arguments. Written whole (`Sql::new(text).bind(a).bind(b)`) or built up
/// (`push`, `push_bind`, `push_list`), which numbers the placeholders.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    text: Cow<'static, str>,
    args: Vec<Arg>,
}

impl Sql {
    /// A statement whose placeholders `$1`… are bound in order with [`Sql::bind`].
    pub(crate) fn new(text: impl Into<Cow<'static, str>>) -> Self {
        Self {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, arg: impl Into<Arg>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.to_mut().push_str(text);
        self
    }

    /// Appends a placeholder for `arg`.
    pub(crate) fn push_bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        let n = self.args.len();
        self.text.to_mut().push_str(&format!("${n}"));
        self
    }

    /// Appends `$n, $n+1, …` for each of `args` (an `IN (…)` list; at least one).
    /// Appends one of a fixed set of values (an enum's name) as a string literal written into
    /// the text. The planner sees a literal's value and not a bound one's (SQLite is built with
    /// SQLITE_ENABLE_QPSG), and a status is skewed: a few held comments among a million approved
    /// ones are read through the status index only when the planner knows which status it is.
    pub(crate) fn push_name(&mut self, name: &'static str) -> &mut Self {
        self.push("'").push(&name.replace('\'', "''")).push("'")
    }

    pub(crate) fn push_list<A: Into<Arg>>(
        &mut self,
        args: impl IntoIterator<Item = A>,
    ) -> &mut Self {
        let mut first = true;
        for arg in args {
            if !first {
                self.push(", ");
            }
            first = false;
            self.push_bind(arg);
        }
        if first {
            // `IN ()` is not SQL; an empty list matches nothing.
            self.push("NULL");
        }
        self
    }

    fn sqlite(&self) -> Result<Query<'static, Sqlite, SqliteArguments>, sqlx::Error> {
        Ok(sqlx::query_with(
            self.text(),
            arguments::<Sqlite>(&self.args)?,
        ))
    }

    fn postgres(&self) -> Result<Query<'static, Postgres, PgArguments>, sqlx::Error> {
        Ok(sqlx::query_with(
            self.text(),
            arguments::<Postgres>(&self.args)?,
        ))
    }

    fn sqlite_as<T: Row>(
        &self,
    ) -> Result<QueryAs<'static, Sqlite, T, SqliteArguments>, sqlx::Error> {
        Ok(sqlx::query_as_with(
            self.text(),
            arguments::<Sqlite>(&self.args)?,
        ))
    }

    fn postgres_as<T: Row>(
        &self,
    ) -> Result<QueryAs<'static, Postgres, T, PgArguments>, sqlx::Error> {
        Ok(sqlx::query_as_with(
            self.text(),
            arguments::<Postgres>(&self.args)?,
        ))
    }

    fn text(&self) -> AssertSqlSafe<Cow<'static, str>> {
        AssertSqlSafe(self.text.clone())
    }
}

/// The arguments, encoded for database `DB`. The one generic function here: its bounds say that
/// each kind of [`Arg`] can be sent to `DB`, which holds for SQLite and PostgreSQL alike.
fn arguments<DB>(args: &[Arg]) -> Result<DB::Arguments, sqlx::Error>
where
    DB: sqlx::Database,
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> Option<i64>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> bool: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> Option<String>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> Vec<u8>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> Option<Vec<u8>>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    use sqlx::Arguments;
    let mut encoded = DB::Arguments::default();
    for arg in args {
        match arg {
            Arg::Int(v) => encoded.add(*v),
            Arg::OptInt(v) => encoded.add(*v),
            Arg::Bool(v) => encoded.add(*v),
            Arg::Text(v) => encoded.add(v.clone()),
            Arg::OptText(v) => encoded.add(v.clone()),
            Arg::Bytes(v) => encoded.add(v.clone()),
            Arg::OptBytes(v) => encoded.add(v.clone()),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(encoded)
}

/// Where a statement runs: a pool (each statement on any free connection) or one connection
/// (inside a transaction).
pub(crate) enum On<'c> {
    /// A SQLite pool.
    SqlitePool(&'c SqlitePool),
    /// A PostgreSQL pool.
    PgPool(&'c PgPool),
    /// One SQLite connection.
    Sqlite(&'c mut SqliteConnection),
    /// One PostgreSQL connection.
    Postgres(&'c mut PgConnection),
}

impl On<'_> {
    /// Every row.
    pub(crate) async fn all<T: Row>(self, sql: &Sql) -> Result<Vec<T>, sqlx::Error> {
        match self {
            On::SqlitePool(pool) => sql.sqlite_as()?.fetch_all(pool).await,
            On::PgPool(pool) => sql.postgres_as()?.fetch_all(pool).await,
            On::Sqlite(conn) => sql.sqlite_as()?.fetch_all(conn).await,
            On::Postgres(conn) => sql.postgres_as()?.fetch_all(conn).await,
        }
    }

    /// Exactly one row (`RowNotFound` when there is none).
    pub(crate) async fn one<T: Row>(self, sql: &Sql) -> Result<T, sqlx::Error> {
        match self {
            On::SqlitePool(pool) => sql.sqlite_as()?.fetch_one(pool).await,
            On::PgPool(pool) => sql.postgres_as()?.fetch_one(pool).await,
            On::Sqlite(conn) => sql.sqlite_as()?.fetch_one(conn).await,
            On::Postgres(conn) => sql.postgres_as()?.fetch_one(conn).await,
        }
    }

    /// The first row, if any.
    pub(crate) async fn optional<T: Row>(self, sql: &Sql) -> Result<Option<T>, sqlx::Error> {
        match self {
            On::SqlitePool(pool) => sql.sqlite_as()?.fetch_optional(pool).await,
            On::PgPool(pool) => sql.postgres_as()?.fetch_optional(pool).await,
            On::Sqlite(conn) => sql.sqlite_as()?.fetch_optional(conn).await,
            On::Postgres(conn) => sql.postgres_as()?.fetch_optional(conn).await,
        }
    }

    /// Runs it; the number of rows it changed.
    pub(crate) async fn execute(self, sql: &Sql) -> Result<u64, sqlx::Error> {
        match self {
            On::SqlitePool(pool) => sql.sqlite()?.execute(pool).await.map(|r| r.rows_affected()),
            On::PgPool(pool) => sql
                .postgres()?
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            On::Sqlite(conn) => sql.sqlite()?.execute(conn).await.map(|r| r.rows_affected()),
            On::Postgres(conn) => sql
                .postgres()?
                .execute(conn)
                .await
                .map(|r| r.rows_affected()),
        }
    }
}

/// The scalar of a one-column row.
pub(crate) async fn scalar<T>(on: On<'_>, sql: &Sql) -> Result<T, sqlx::Error>
where
    (T,): Row,
{
    on.one::<(T,)>(sql).await.map(|(value,)| value)
}
