//! The generated site as multi-row INSERT statements. Values are written as SQL literals (the
//! text is our own, made of plain words); the same statements run on SQLite and PostgreSQL.

use std::fmt::Write;

/// A string as an SQL literal ('' doubles a quote; standard SQL, as both databases read it).
pub fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// An optional integer as an SQL literal.
pub fn int_or_null(value: Option<i64>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |v| v.to_string())
}

/// Builds `INSERT INTO table (columns) VALUES (...), (...);` from rows of literals.
#[derive(Debug)]
pub struct Insert {
    head: String,
    sql: String,
    rows: usize,
}

impl Insert {
    /// An empty statement for `table` and its `columns`.
    pub fn new(table: &str, columns: &str) -> Self {
        Self {
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            sql: String::new(),
            rows: 0,
        }
    }

    /// Adds one row of literals.
    pub fn row(&mut self, values: &[String]) {
        self.sql
            .push_str(if self.rows == 0 { &self.head } else { ", " });
        let _ = write!(self.sql, "({})", values.join(", "));
        self.rows += 1;
    }

    /// Rows added so far.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The statement (empty when there are no rows), leaving the builder empty.
    pub fn take(&mut self) -> String {
        self.rows = 0;
        let mut sql = std::mem::take(&mut self.sql);
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_one_statement() {
        let mut insert = Insert::new("t", "a, b");
        insert.row(&["1".into(), text("it's")]);
        insert.row(&["2".into(), int_or_null(None)]);
        assert_eq!(
            insert.take(),
            "INSERT INTO t (a, b) VALUES (1, 'it''s'), (2, NULL);\n"
        );
        assert!(insert.is_empty());
        assert_eq!(insert.take(), "");
    }
}
