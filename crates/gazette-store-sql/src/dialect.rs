//! Everything the two databases spell differently, in one place. Queries take these fragments and
//! are otherwise the same text on both. When adding a query, reach for one of these before
//! writing SQL that only one database understands.

use crate::db::Sql;

/// The text-search configuration `language` (a PostgreSQL configuration name, from
/// `gazette_domain::search::search_language`) as a literal: the planner reads the query with it
/// and estimates how many articles hold the words (a common word's matches are then read newest
/// first along the index of ids, a rare word's through the GIN index). Read from the settings
/// inside the statement, it was unknown when planning, and every search sorted every match.
fn push_config<'a>(sql: &'a mut Sql, language: &'static str) -> &'a mut Sql {
    sql.push_name(language).push("::regconfig")
}

/// Which database a statement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite: one writer at a time, so no row locks are needed.
    Sqlite,
    /// PostgreSQL: concurrent writers on several nodes, kept apart by row and advisory locks.
    Postgres,
}

impl Dialect {
    /// An article's categories and tags in its row, in order: `kind␟name␟slug` joined by `␞`, so
    /// an article is read in one statement (`gazette_store::rows::ArticleRow` unpacks it).
    pub(crate) fn terms_column(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "(SELECT group_concat(o.kind || char(31) || o.name || char(31) || o.slug, char(30)) \
                 FROM (SELECT t.kind, t.name, t.slug FROM article_terms at JOIN terms t ON t.id = at.term_id \
                 WHERE at.article_id = a.id ORDER BY at.sort_order) o) AS terms"
            }
            Self::Postgres => {
                "(SELECT string_agg(t.kind || chr(31) || t.name || chr(31) || t.slug, chr(30) ORDER BY at.sort_order) \
                 FROM article_terms at JOIN terms t ON t.id = at.term_id WHERE at.article_id = a.id) AS terms"
            }
        }
    }

    /// The co-authors of `articles a`, packed as `id␟name␟slug` joined by `␞`, in byline order.
    pub(crate) fn coauthors_column(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "(SELECT group_concat(o.id || char(31) || o.display_name || char(31) || o.slug, char(30)) \
                 FROM (SELECT cu.id, cu.display_name, cu.slug FROM article_authors aa \
                 JOIN users cu ON cu.id = aa.user_id WHERE aa.article_id = a.id ORDER BY aa.position) o) \
                 AS coauthors"
            }
            Self::Postgres => {
                "(SELECT string_agg(cu.id || chr(31) || cu.display_name || chr(31) || cu.slug, chr(30) \
                 ORDER BY aa.position) FROM article_authors aa JOIN users cu ON cu.id = aa.user_id \
                 WHERE aa.article_id = a.id) AS coauthors"
            }
        }
    }

    /// The UTC month of a unix-seconds column as one number, `year * 12 + month - 1`.
    pub(crate) fn month_index(self, column: &str) -> String {
        match self {
            Self::Sqlite => format!(
                "(CAST(strftime('%Y', {column}, 'unixepoch') AS INTEGER) * 12 \
                 + CAST(strftime('%m', {column}, 'unixepoch') AS INTEGER) - 1)"
            ),
            Self::Postgres => format!(
                "(CAST(EXTRACT(YEAR FROM to_timestamp({column}) AT TIME ZONE 'UTC') AS BIGINT) * 12 \
                 + CAST(EXTRACT(MONTH FROM to_timestamp({column}) AT TIME ZONE 'UTC') AS BIGINT) - 1)"
            ),
        }
    }

    /// An article's corrections in its row, oldest first: `created_at␟id␟body` joined by `␞`
    /// (bodies hold no control characters), unpacked by `ArticleRow` like the terms.
    pub(crate) fn corrections_column(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "(SELECT group_concat(o.created_at || char(31) || o.id || char(31) || o.body, char(30)) \
                 FROM (SELECT k.created_at, k.id, k.body FROM corrections k WHERE k.article_id = a.id \
                 ORDER BY k.created_at, k.id) o) AS corrections"
            }
            Self::Postgres => {
                "(SELECT string_agg(k.created_at || chr(31) || k.id || chr(31) || k.body, chr(30) \
                 ORDER BY k.created_at, k.id) FROM corrections k WHERE k.article_id = a.id) AS corrections"
            }
        }
    }

    /// A table with one small row per indexed article, to count the index cheaply: FTS5's
    /// `docsize` shadow table on SQLite (counting the index itself reads every body).
    pub(crate) fn search_rows_table(self) -> &'static str {
        match self {
            Self::Sqlite => "article_search_docsize",
            Self::Postgres => "article_search",
        }
    }

    /// The search index joined to `articles a`: `s` is the index's row of `a`.
    pub(crate) fn search_tables(self) -> &'static str {
        match self {
            Self::Sqlite => "article_search s JOIN articles a ON a.id = s.rowid",
            Self::Postgres => "article_search s JOIN articles a ON a.id = s.article_id",
        }
    }

    /// The query text for the statements below: `Terms::fts5` on SQLite, `Terms::plain` on
    /// PostgreSQL (both read every word as a literal and require all of them).
    pub(crate) fn search_terms(self, terms: &gazette_domain::search::Terms) -> String {
        match self {
            Self::Sqlite => terms.fts5(),
            Self::Postgres => terms.plain(),
        }
    }

    /// The condition that `s` holds every word of `query`.
    pub(crate) fn push_search_match(self, sql: &mut Sql, query: &str, language: &'static str) {
        match self {
            Self::Sqlite => sql.push("article_search MATCH ").push_bind(query),
            Self::Postgres => {
                sql.push("s.document @@ plainto_tsquery(");
                push_config(sql, language)
                    .push(", ")
                    .push_bind(query)
                    .push(")")
            }
        };
    }

    /// The index's article id column of `s`: matches are taken newest (highest id) first (FTS5
    /// gives that order; PostgreSQL reads a common word's along its id index).
    pub(crate) fn search_id(self) -> &'static str {
        match self {
            Self::Sqlite => "s.rowid",
            Self::Postgres => "s.article_id",
        }
    }

    /// How well `s` matches, higher is better, as a double: the headline counts ten times the
    /// body on SQLite (BM25 with column weights, negated), A over B on PostgreSQL (`ts_rank`'s
    /// weights 1.0 and 0.4).
    pub(crate) fn push_search_score(self, sql: &mut Sql, query: &str, language: &'static str) {
        match self {
            Self::Sqlite => sql.push("-bm25(article_search, 10.0, 1.0)"),
            Self::Postgres => {
                sql.push("CAST(ts_rank(s.document, plainto_tsquery(");
                push_config(sql, language)
                    .push(", ")
                    .push_bind(query)
                    .push(")) AS DOUBLE PRECISION)")
            }
        };
    }

    /// The headline and a passage of the body with the query's words between `\u{2}` and
    /// `\u{3}`, as the columns `title_marked, snippet_marked`.
    pub(crate) fn push_search_marks(self, sql: &mut Sql, query: &str, language: &'static str) {
        match self {
            Self::Sqlite => sql.push(
                "highlight(article_search, 0, char(2), char(3)) AS title_marked, \
                 snippet(article_search, 1, char(2), char(3), '…', 32) AS snippet_marked",
            ),
            Self::Postgres => {
                let marks = "'StartSel=' || chr(2) || ', StopSel=' || chr(3)";
                sql.push("ts_headline(");
                push_config(sql, language).push(", s.title, plainto_tsquery(");
                push_config(sql, language)
                    .push(", ")
                    .push_bind(query)
                    .push(&format!(
                        "), {marks} || ', HighlightAll=true') AS title_marked, "
                    ))
                    .push("ts_headline(");
                push_config(sql, language).push(", s.body, plainto_tsquery(");
                push_config(sql, language)
                    .push(", ")
                    .push_bind(query)
                    .push(&format!(
                        "), {marks} || ', MaxWords=32, MinWords=16, MaxFragments=2, \
                         FragmentDelimiter=\" … \"') AS snippet_marked"
                    ))
            }
        };
    }

    /// Writes (or replaces) an article's row of the search index: `$1` its id, `$2` the
    /// headline, `$3` the body's text.
    pub(crate) fn index_article(self) -> &'static [&'static str] {
        match self {
            Self::Sqlite => &[
                "DELETE FROM article_search WHERE rowid = $1",
                "INSERT INTO article_search (rowid, title, body) VALUES ($1, $2, $3)",
            ],
            Self::Postgres => &[
                "INSERT INTO article_search (article_id, title, body, document) VALUES ($1, $2, $3, \
                 setweight(to_tsvector((SELECT COALESCE(MAX(value), 'simple') FROM settings \
                 WHERE key = 'search.language')::regconfig, $2), 'A') || \
                 setweight(to_tsvector((SELECT COALESCE(MAX(value), 'simple') FROM settings \
                 WHERE key = 'search.language')::regconfig, $3), 'B')) \
                 ON CONFLICT (article_id) DO UPDATE SET title = excluded.title, \
                 body = excluded.body, document = excluded.document",
            ],
        }
    }

    /// Statements that empty the search index and make it ready for `language` (a PostgreSQL
    /// configuration name, from `gazette_domain::search::search_language`). SQLite's tokenizer
    /// is part of the table, so the table is made again; PostgreSQL's rows stay, searchable,
    /// until Gazette indexes each article again.
    pub(crate) fn reset_search(self, language: &str) -> Vec<String> {
        match self {
            Self::Sqlite => {
                let tokenizer = if language == "english" {
                    "porter unicode61 remove_diacritics 2"
                } else {
                    "unicode61 remove_diacritics 2"
                };
                vec![
                    "DROP TABLE IF EXISTS article_search".to_owned(),
                    format!(
                        "CREATE VIRTUAL TABLE article_search USING fts5 (title, body, \
                         tokenize = '{tokenizer}')"
                    ),
                ]
            }
            Self::Postgres => Vec::new(),
        }
    }

    /// Appended to a SELECT inside a write transaction whose rows it will change: nobody else
    /// changes them until it commits. (SQLite's write lock already covers the whole database.)
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }

    /// Appended to a SELECT of rows that must stay as read until commit (a reply's parent).
    pub(crate) fn for_share(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR SHARE",
        }
    }

    /// Appended to the SELECT that picks a job to claim: a row another node is claiming at this
    /// instant is passed over, not waited on. (SQLite's claim is one statement under one writer.)
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// The larger of two values: SQLite's two-argument `MAX`, PostgreSQL's `GREATEST`.
    pub(crate) fn greatest(self) -> &'static str {
        match self {
            Self::Sqlite => "MAX",
            Self::Postgres => "GREATEST",
        }
    }

    /// Statements run at the start and at the end of an import's transaction. SQLite's page
    /// cache is 2 MB by default: a large import's index pages then keep falling out of it (a
    /// 500 MB export took 15 times as long as a 50 MB one), so an import borrows 32 MB while it
    /// runs. PostgreSQL's shared buffers are the server's to size.
    pub(crate) fn import_settings(self) -> (&'static str, &'static str) {
        match self {
            Self::Sqlite => ("PRAGMA cache_size = -32768", "PRAGMA cache_size = -2000"),
            Self::Postgres => ("", ""),
        }
    }

    /// Run once an import has committed. PostgreSQL plans with table statistics, which a
    /// table filled in one transaction does not have yet until autovacuum gets to it: without
    /// them, looking up a re-imported batch scanned every row of its source (20 ms a batch).
    pub(crate) fn after_import(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => "ANALYZE imported",
        }
    }

    /// Ids for the next `$1` comments, one row each, reserved inside a write transaction, so each
    /// comment's path (which ends in its own id) is written in the same INSERT as the comment.
    pub(crate) fn reserve_comment_ids(self) -> &'static str {
        match self {
            // The transaction holds the write lock: nobody else takes these values. A refused
            // comment leaves its id unused, as a gap.
            Self::Sqlite => {
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                 SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'comments'), 0) + i FROM n"
            }
            // A sequence value is never handed out twice, whatever commits.
            Self::Postgres => {
                "SELECT nextval(pg_get_serial_sequence('comments', 'id')) FROM generate_series(1, $1)"
            }
        }
    }

    /// Statements that make concurrent transactions touching the same `keys` take turns until
    /// they commit, on every node: transaction-scoped advisory locks, taken in sorted order so
    /// two transactions never wait on each other. Nothing on SQLite, whose one writer already
    /// takes turns.
    pub(crate) fn lock_keys(self, mut keys: Vec<String>) -> Option<Sql> {
        if self == Self::Sqlite || keys.is_empty() {
            return None;
        }
        keys.sort_unstable();
        keys.dedup();
        let mut sql = Sql::new(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT hashtextextended(key, 0) AS k FROM (VALUES ",
        );
        let mut first = true;
        for key in &keys {
            if !first {
                sql.push(", ");
            }
            first = false;
            sql.push("(");
            sql.push_bind(key.as_str());
            sql.push("::text)");
        }
        // Sorted by the lock number too: the order in which the locks are taken.
        sql.push(") AS keys (key) ORDER BY 1) locks");
        Some(sql)
    }
}
