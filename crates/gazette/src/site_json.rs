//! `gazette export json` and `gazette import json`: the whole site as one JSON document, for
//! backups, moves between versions, and other tools. The format (docs/EXPORT.md):
//!
//! ```json
//! {"gazette_export": 1, "schema": 9, "exported_at": "2026-12-02T06:00:00Z", "secrets": false,
//!  "tables": {"users": {"columns": ["id", "username", …], "rows": [[1, "ada", …], …]}, …}}
//! ```
//!
//! Every table of the site's content, with its rows in id order and every column as stored
//! (times in unix seconds, booleans as booleans), so ids, threads, statuses and rendered bodies
//! come back exactly and an imported site serves the same pages. Password hashes and the site's
//! secrets are left out (`null`, absent) unless asked for. Written and read as a stream: memory
//! does not grow with the site.

use crate::copy::{Cell, Db, Kind, Sink, TABLES, Target};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

/// The format's version: a reader refuses a document of another.
const FORMAT: u32 = 1;

/// Rows sent from the parser to the writer at a time.
const BATCH: usize = 500;

/// What the document holds: the site's content and what a move needs, not what is true only of
/// the running site (sessions, reset links, login failures, jobs, the change log).
const EXPORTED: &[&str] = &[
    "settings",
    "users",
    "terms",
    "articles",
    "article_terms",
    "slug_redirects",
    "comments",
    "audit_log",
    "bans",
    "classifier_tokens",
    "imported",
    "redirects",
    "pages",
    "media",
];

/// Settings that are the site's secrets (keys for avatars, cookies and form tokens).
const SECRET_SETTINGS: &str = "key LIKE 'secret.%'";

fn order_of(table: &str) -> &'static str {
    TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .map_or("1", |(_, order)| order)
}

/// Writes rows as JSON arrays, one per line.
struct JsonRows<W: Write> {
    out: W,
    first: bool,
    /// The column whose values are left out (`users.password_hash` without secrets).
    blank: Option<usize>,
}

impl<W: Write> Sink for JsonRows<W> {
    async fn take(
        &mut self,
        _table: &str,
        columns: &[(String, Kind)],
        rows: &mut Vec<Vec<Cell>>,
    ) -> anyhow::Result<u64> {
        let count = rows.len() as u64;
        for row in rows.drain(..) {
            let values: Vec<serde_json::Value> = row
                .into_iter()
                .zip(columns)
                .enumerate()
                .map(|(i, (cell, (_, kind)))| match (cell, kind) {
                    _ if Some(i) == self.blank => serde_json::Value::Null,
                    (Cell::Null, _) => serde_json::Value::Null,
                    (Cell::Int(v), Kind::Bool) => serde_json::Value::Bool(v != 0),
                    (Cell::Int(v), _) => v.into(),
                    (Cell::Real(v), _) => v.into(),
                    (Cell::Text(v), _) => v.into(),
                    // Bytes (an uploaded image) as standard base64.
                    (Cell::Bytes(v), _) => BASE64.encode(v).into(),
                })
                .collect();
            self.out
                .write_all(if self.first { b"\n" } else { b",\n" })?;
            self.first = false;
            serde_json::to_writer(&mut self.out, &values)?;
        }
        Ok(count)
    }
}

/// `gazette export json --to FILE [--include-secrets]`: written next to `to` and renamed into
/// place when complete, so a failed export leaves no half file.
pub async fn export_json(db: &str, to: &Path, include_secrets: bool) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    let source = Db::open(db).await?;
    let schema = source.schema_version().await?;
    let partial = to.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let result = write_document(&source, file, schema, include_secrets).await;
    if let Err(error) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, to).with_context(|| format!("writing {}", to.display()))?;
    Ok(())
}

async fn write_document(
    source: &Db,
    file: std::fs::File,
    schema: i64,
    include_secrets: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let exported_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)?
        .to_string();
    write!(
        out,
        "{{\"gazette_export\": {FORMAT}, \"schema\": {schema}, \"exported_at\": {}, \"secrets\": {include_secrets},\n\"tables\": {{",
        serde_json::to_string(&exported_at)?
    )?;
    let mut snapshot = source.snapshot().await?;
    let mut counts = Vec::new();
    for (index, table) in EXPORTED.iter().enumerate() {
        let columns = source.columns(table).await?;
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        write!(
            out,
            "{}\n{}: {{\"columns\": {},\n\"rows\": [",
            if index == 0 { "" } else { "," },
            serde_json::to_string(table)?,
            serde_json::to_string(&names)?
        )?;
        let only = match *table {
            "settings" if !include_secrets => format!("NOT ({SECRET_SETTINGS})"),
            _ => String::new(),
        };
        let blank = match *table {
            "users" if !include_secrets => names.iter().position(|n| *n == "password_hash"),
            _ => None,
        };
        let mut rows = JsonRows {
            out: &mut out,
            first: true,
            blank,
        };
        let written = snapshot
            .stream(table, order_of(table), &only, &columns, &columns, &mut rows)
            .await
            .with_context(|| format!("exporting {table}"))?;
        write!(out, "]}}")?;
        counts.push((*table, written));
    }
    writeln!(out, "\n}}}}")?;
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    for (table, count) in counts {
        println!("{table:<20} {count:>10}");
    }
    if !include_secrets {
        println!("password hashes and site secrets left out (--include-secrets keeps them)");
    }
    Ok(())
}

/// What the parser hands the writer.
enum Piece {
    Schema(i64),
    Table(String, Vec<String>),
    Rows(Vec<Vec<serde_json::Value>>),
}

type Send<'a> = &'a (dyn Fn(Piece) -> Result<(), String> + Sync);

struct Document<'a>(Send<'a>);

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Gazette export (an object starting with \"gazette_export\")")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut format = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "gazette_export" => {
                    let version: u32 = map.next_value()?;
                    if version != FORMAT {
                        return Err(A::Error::custom(format!(
                            "this is a version {version} export; this Gazette reads version {FORMAT}"
                        )));
                    }
                    format = Some(version);
                }
                "schema" => {
                    let schema: i64 = map.next_value()?;
                    (self.0)(Piece::Schema(schema)).map_err(A::Error::custom)?;
                }
                "tables" if format.is_none() => {
                    return Err(A::Error::custom(
                        "not a Gazette export: \"gazette_export\" must come before \"tables\"",
                    ));
                }
                "tables" => map.next_value_seed(Tables(self.0))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if format.is_none() {
            return Err(A::Error::custom(
                "not a Gazette export (no \"gazette_export\" version)",
            ));
        }
        Ok(())
    }
}

struct Tables<'a>(Send<'a>);

impl<'de> DeserializeSeed<'de> for Tables<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Tables<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of tables")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            map.next_value_seed(Table { send: self.0, name })?;
        }
        Ok(())
    }
}

struct Table<'a> {
    send: Send<'a>,
    name: String,
}

impl<'de> DeserializeSeed<'de> for Table<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Table<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table: {\"columns\": […], \"rows\": […]}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut columns = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "columns" => {
                    let names: Vec<String> = map.next_value()?;
                    (self.send)(Piece::Table(self.name.clone(), names))
                        .map_err(A::Error::custom)?;
                    columns = true;
                }
                "rows" if !columns => {
                    return Err(A::Error::custom(format!(
                        "table {}: \"columns\" must come before \"rows\"",
                        self.name
                    )));
                }
                "rows" => map.next_value_seed(Rows(self.send))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Rows<'a>(Send<'a>);

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(row) = seq.next_element::<Vec<serde_json::Value>>()? {
            batch.push(row);
            if batch.len() == BATCH {
                (self.0)(Piece::Rows(std::mem::take(&mut batch))).map_err(A::Error::custom)?;
            }
        }
        if !batch.is_empty() {
            (self.0)(Piece::Rows(batch)).map_err(A::Error::custom)?;
        }
        Ok(())
    }
}

/// What a file says was rendered and checked is rendered and checked again: an export edited
/// by hand (or by an attacker) can no more bring a script or a `javascript:` link onto the site
/// than any other import. Gazette's own output comes through unchanged.
fn sanitise(table: &str, columns: &[(String, Kind)], rows: &mut [Vec<Cell>]) -> anyhow::Result<()> {
    for (index, (column, _)) in columns.iter().enumerate() {
        let check: fn(&str) -> Option<String> = match (table, column.as_str()) {
            ("articles" | "pages", "body_html") => {
                |html| Some(gazette_render::clean_article_html(html))
            }
            ("comments", "body_html") => |html| Some(gazette_render::clean_comment_html(html)),
            ("comments", "author_url") => gazette_domain::validate::imported_website,
            ("media", "url") => gazette_domain::validate::media_url,
            _ => continue,
        };
        for row in rows.iter_mut() {
            if let Some(Cell::Text(value)) = row.get(index) {
                let checked = check(value);
                if checked.is_none() && table == "media" {
                    bail!("media.url {value:?} is not an http(s) address or a path on this site");
                }
                row[index] = checked.map_or(Cell::Null, Cell::Text);
            }
        }
    }
    Ok(())
}

/// A JSON value as a cell of a column of `kind`.
fn cell(value: serde_json::Value, kind: Kind, column: &str) -> anyhow::Result<Cell> {
    use serde_json::Value;
    Ok(match (value, kind) {
        (Value::Null, _) => Cell::Null,
        (Value::Bool(b), Kind::Bool | Kind::Int) => Cell::Int(i64::from(b)),
        (Value::Number(n), Kind::Real) => Cell::Real(
            n.as_f64()
                .with_context(|| format!("{column}: {n} is not a number"))?,
        ),
        (Value::Number(n), Kind::Int | Kind::Bool) => Cell::Int(
            n.as_i64()
                .with_context(|| format!("{column}: {n} is not a whole number"))?,
        ),
        (Value::String(s), Kind::Text) => Cell::Text(s),
        (Value::String(s), Kind::Bytes) => Cell::Bytes(
            BASE64
                .decode(s.as_bytes())
                .with_context(|| format!("{column}: not base64"))?,
        ),
        (other, kind) => bail!("{column}: {other} is not a {kind:?} value"),
    })
}

/// `gazette import json FILE [--replace]`: into an empty site (or, with `replace`, one emptied
/// first), in one transaction: a bad file, a foreign table or column, or a failure part-way
/// writes nothing.
pub async fn import_json(db: &str, file: &Path, replace: bool) -> anyhow::Result<()> {
    let input = std::io::BufReader::with_capacity(
        256 * 1024,
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
    );
    let target = Db::open(db).await?;
    let schema = target.schema_version().await?;
    // Settings alone (the secrets a new site makes) do not make a site.
    let content: Vec<&str> = EXPORTED
        .iter()
        .copied()
        .filter(|t| *t != "settings")
        .collect();
    let occupied = target.occupied(&content).await?;
    if !occupied.is_empty() && !replace {
        bail!(
            "the database already holds a site (rows in {}); import json needs an empty one, or pass --replace to empty it first",
            occupied.join(", ")
        );
    }
    let mut kinds: HashMap<&str, Vec<(String, Kind)>> = HashMap::new();
    for table in EXPORTED {
        kinds.insert(table, target.columns(table).await?);
    }
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Piece>(4);
    let parser = tokio::task::spawn_blocking(move || {
        let send = move |piece: Piece| {
            sender
                .blocking_send(piece)
                .map_err(|_| "the import's writer stopped".to_owned())
        };
        let mut reader = serde_json::Deserializer::from_reader(input);
        Document(&send).deserialize(&mut reader)?;
        reader.end()
    });
    let mut tx = target.begin().await?;
    let all: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
    if replace {
        tx.empty(&all).await?;
    }
    let written = write_pieces(&mut tx, &mut receiver, &kinds, schema).await;
    receiver.close();
    let parsed = parser.await;
    // A writer that refused something stops the parser: its reason is the one to tell. Otherwise
    // a broken file says where it broke.
    let written = written.context("nothing was imported")?;
    match parsed {
        Ok(Ok(())) => {}
        Ok(Err(error)) => bail!("{}: {error}; nothing was imported", file.display()),
        Err(error) => bail!("the import's reader failed: {error}"),
    }
    tx.commit().await?;
    target.close().await;
    for (table, count) in written {
        println!("{table:<20} {count:>10}");
    }
    println!("imported {}", file.display());
    Ok(())
}

async fn write_pieces(
    tx: &mut Target<'_>,
    receiver: &mut tokio::sync::mpsc::Receiver<Piece>,
    kinds: &HashMap<&str, Vec<(String, Kind)>>,
    schema: i64,
) -> anyhow::Result<Vec<(String, u64)>> {
    let mut current: Option<(String, Vec<(String, Kind)>)> = None;
    let mut written: Vec<(String, u64)> = Vec::new();
    let mut seen_schema = false;
    while let Some(piece) = receiver.recv().await {
        match piece {
            Piece::Schema(theirs) => {
                if theirs > schema {
                    bail!(
                        "the export was made by a newer Gazette (schema {theirs}; this one has {schema}): upgrade first"
                    );
                }
                seen_schema = true;
            }
            Piece::Table(name, names) => {
                if !seen_schema {
                    bail!("the export does not say which schema it was made with (\"schema\")");
                }
                if written.iter().any(|(t, _)| *t == name) {
                    bail!("table {name} appears twice");
                }
                let Some(ours) = kinds.get(name.as_str()) else {
                    bail!("the export has a table this Gazette does not import: {name}");
                };
                let columns = names
                    .iter()
                    .map(|column| {
                        ours.iter()
                            .find(|(n, _)| n == column)
                            .cloned()
                            .with_context(|| format!("the site has no column {name}.{column}"))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                written.push((name.clone(), 0));
                current = Some((name, columns));
            }
            Piece::Rows(rows) => {
                let Some((table, columns)) = &current else {
                    bail!("rows outside a table");
                };
                let mut cells = Vec::with_capacity(rows.len());
                for row in rows {
                    if row.len() != columns.len() {
                        bail!(
                            "a row of {table} has {} values for {} columns",
                            row.len(),
                            columns.len()
                        );
                    }
                    cells.push(
                        row.into_iter()
                            .zip(columns)
                            .map(|(value, (column, kind))| {
                                cell(value, *kind, &format!("{table}.{column}"))
                            })
                            .collect::<anyhow::Result<Vec<_>>>()?,
                    );
                }
                sanitise(table, columns, &mut cells)?;
                let count = if table == "settings" {
                    tx.upsert_settings(columns, &mut cells).await?
                } else {
                    tx.insert(table, columns, &mut cells)
                        .await
                        .with_context(|| format!("writing {table}"))?
                };
                if let Some(entry) = written.last_mut() {
                    entry.1 += count;
                }
            }
        }
    }
    Ok(written)
}
