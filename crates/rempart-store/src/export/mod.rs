//! The whole database as a stream of JSON lines: what `rempart backup` encrypts, what
//! `rempart restore` reads back, and what `rempart migrate-data` pipes from one engine to
//! the other.
//!
//! The stream is a header line (format, version, the migrations the schema was at), one
//! line per row (`{"t": table, "r": row}`, tables in foreign-key order, rows in key order),
//! and an end line with each table's row count and content digest. The digest of a table
//! is the SHA-256 of its rows' own SHA-256 digests, sorted: it does not depend on the
//! order in which an engine returns rows, so a move between SQLite and PostgreSQL can be
//! checked table by table. A stream without its end line is refused as truncated.
//!
//! Every column of every table is listed in `tables.rs`, and the row types are loaded with
//! the tables' full column lists: a column added to the schema and forgotten there does not
//! compile.

use crate::db::{DbConn, SQLITE_MIGRATIONS};
use crate::error::{StoreError, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};

/// Identifies the stream.
pub const FORMAT: &str = "rempart-export";
/// Version of the stream's layout (not of the schema: see [`Header::migrations`]).
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub created_at: NaiveDateTime,
    /// `sqlite` or `postgres`: where the data came from.
    pub backend: String,
    /// The migrations applied to the source, by version, oldest first.
    pub migrations: Vec<String>,
}

/// Rows and content digest of one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSummary {
    pub table: String,
    pub rows: u64,
    pub digest: String,
}

/// What a stream holds, table by table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub tables: Vec<TableSummary>,
}

impl Summary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn table(&self, name: &str) -> Option<&TableSummary> {
        self.tables.iter().find(|t| t.table == name)
    }

    /// One digest over every table's.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for t in &self.tables {
            h.update(t.table.as_bytes());
            h.update(t.rows.to_be_bytes());
            h.update(t.digest.as_bytes());
        }
        hex::encode(h.finalize())
    }

    /// The tables whose count or digest differ from `other`'s.
    pub fn differences(&self, other: &Summary) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.tables {
            match other.table(&t.table) {
                Some(o) if o == t => {}
                Some(o) => out.push(format!(
                    "{}: {} rows here, {} there{}",
                    t.table,
                    t.rows,
                    o.rows,
                    if o.rows == t.rows { " (content differs)" } else { "" }
                )),
                None => out.push(format!("{}: missing there", t.table)),
            }
        }
        for o in &other.tables {
            if self.table(&o.table).is_none() {
                out.push(format!("{}: missing here", o.table));
            }
        }
        out
    }
}

#[derive(Serialize)]
struct HeaderLine<'a> {
    header: &'a Header,
}

#[derive(Serialize)]
struct EndLine<'a> {
    end: &'a Summary,
}

/// Any line of the stream; rows stay unparsed until their table is known.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow, default)]
    t: Option<&'a str>,
    #[serde(borrow, default)]
    r: Option<&'a RawValue>,
    #[serde(default)]
    header: Option<Header>,
    #[serde(default)]
    end: Option<Summary>,
}

/// Accumulates a table's digest.
#[derive(Default)]
struct TableDigest {
    rows: u64,
    hashes: Vec<[u8; 32]>,
}

impl TableDigest {
    fn add(&mut self, canonical: &[u8]) {
        self.rows += 1;
        self.hashes.push(Sha256::digest(canonical).into());
    }

    fn finish(mut self, table: &str) -> TableSummary {
        self.hashes.sort_unstable();
        let mut h = Sha256::new();
        for row in &self.hashes {
            h.update(row);
        }
        TableSummary { table: table.to_owned(), rows: self.rows, digest: hex::encode(h.finalize()) }
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Archive(format!("writing the export: {e}"))
}

fn json(e: serde_json::Error) -> StoreError {
    StoreError::Archive(format!("encoding a row: {e}"))
}

mod tables;
pub use tables::{COLUMNS, TABLES};
use tables::{batch_size, export_tables, insert_rows};

/// The migrations applied to the database, oldest first (read only: also inside a
/// read-only snapshot).
pub fn applied_migrations(conn: &mut DbConn) -> StoreResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let rows: Vec<Applied> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version").load(conn)?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}

/// The migrations this version of Rempart knows (the same names on both engines).
fn known_migrations() -> StoreResult<Vec<String>> {
    use diesel::migration::MigrationSource;
    let list = <_ as MigrationSource<diesel::sqlite::Sqlite>>::migrations(&SQLITE_MIGRATIONS)
        .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(list.iter().map(|m| m.name().version().to_string()).collect())
}

/// Runs `f` inside one read-only snapshot of the database: a consistent picture even while
/// the service keeps writing (REPEATABLE READ on PostgreSQL, a WAL read transaction on
/// SQLite).
fn in_snapshot<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> StoreResult<T>) -> StoreResult<T> {
    let begin = match conn {
        DbConn::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        DbConn::Sqlite(_) => "BEGIN DEFERRED",
    };
    diesel::sql_query(begin).execute(conn)?;
    let result = f(conn);
    let end = diesel::sql_query("ROLLBACK").execute(conn);
    let value = result?;
    end?;
    Ok(value)
}

/// Writes the whole database to `out` as one consistent snapshot.
pub fn export(conn: &mut DbConn, out: &mut dyn Write) -> StoreResult<Summary> {
    in_snapshot(conn, |conn| {
        let header = Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            created_at: crate::util::now(),
            backend: match conn {
                DbConn::Sqlite(_) => "sqlite",
                DbConn::Postgres(_) => "postgres",
            }
            .to_owned(),
            migrations: applied_migrations(conn)?,
        };
        serde_json::to_writer(&mut *out, &HeaderLine { header: &header }).map_err(json)?;
        out.write_all(b"\n").map_err(io)?;
        let summary = Summary { tables: export_tables(conn, out, None)? };
        serde_json::to_writer(&mut *out, &EndLine { end: &summary }).map_err(json)?;
        out.write_all(b"\n").map_err(io)?;
        out.flush().map_err(io)?;
        Ok(summary)
    })
}

/// Rewrites a row (as JSON) before it is digested: opens its sealed values.
pub(crate) type ContentFilter<'a> = dyn FnMut(&mut DbConn, &str, &mut serde_json::Value) -> StoreResult<()> + 'a;

/// Every table's rows as `filter` shows them (the tables that hold keys and tokens left
/// out), with their counts and digests, in one snapshot: see [`crate::protection::content`].
pub(crate) fn export_content(
    conn: &mut DbConn,
    out: &mut dyn Write,
    filter: &mut ContentFilter<'_>,
) -> StoreResult<Summary> {
    in_snapshot(conn, |conn| Ok(Summary { tables: export_tables(conn, out, Some(filter))? }))
}

/// Counts and digests of every table, without writing anything.
pub fn summarize(conn: &mut DbConn) -> StoreResult<Summary> {
    export(conn, &mut std::io::sink())
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Imported {
    pub header: Header,
    pub summary: Summary,
}

/// Reads a stream written by [`export`] into an empty database (migrated here first), in
/// one transaction: either everything is in, checked against the stream's own counts and
/// digests, or nothing is. `input` is read to its end before the commit, so a signature
/// check done by the reader at the end of the data (an OpenPGP layer) can still refuse it.
pub fn import(conn: &mut DbConn, input: &mut dyn BufRead) -> StoreResult<Imported> {
    crate::db::run_migrations(conn)?;
    ensure_empty(conn)?;
    let known = known_migrations()?;
    let mut line = String::new();
    let header = match read_line(input, &mut line)? {
        Some(Line { header: Some(h), .. }) => h,
        _ => return Err(StoreError::Archive("not a Rempart export: the first line is not its header".into())),
    };
    if header.format != FORMAT || header.version != VERSION {
        return Err(StoreError::Archive(format!(
            "unsupported export {} version {} (this Rempart reads {FORMAT} version {VERSION})",
            header.format, header.version
        )));
    }
    if let Some(newer) = header.migrations.iter().find(|m| !known.contains(m)) {
        return Err(StoreError::Archive(format!(
            "the export comes from a newer Rempart (schema migration {newer} is unknown here): upgrade first"
        )));
    }
    conn.write(|conn| {
        // The taxonomies and reply templates seeded by migrations come back from the export.
        diesel::delete(crate::schema::audience_types::table).execute(conn)?;
        diesel::delete(crate::schema::service_types::table).execute(conn)?;
        diesel::delete(crate::schema::taxonomy_labels::table).execute(conn)?;
        diesel::delete(crate::schema::protection::table).execute(conn)?;
        diesel::delete(crate::schema::reply_templates::table).execute(conn)?;
        let mut done: Vec<String> = Vec::new();
        let mut pending: Vec<Box<RawValue>> = Vec::new();
        let end = loop {
            let Some(parsed) = read_line(input, &mut line)? else {
                return Err(StoreError::Archive("the export is truncated: it ends before its end line".into()));
            };
            match parsed {
                Line { t: Some(table), r: Some(row), header: None, end: None } => {
                    if done.last().map(String::as_str) != Some(table) {
                        if let Some(previous) = done.last() {
                            insert_rows(conn, previous, &pending)?;
                            pending.clear();
                        }
                        if done.iter().any(|t| t == table) {
                            return Err(StoreError::Archive(format!("rows of {table} are split in the stream")));
                        }
                        done.push(table.to_owned());
                    }
                    pending.push(row.to_owned());
                    if pending.len() >= batch_size(table) {
                        insert_rows(conn, table, &pending)?;
                        pending.clear();
                    }
                }
                Line { end: Some(end), t: None, r: None, header: None } => break end,
                _ => return Err(StoreError::Archive("a line of the export is neither a row nor its end".into())),
            }
        };
        if let Some(last) = done.last() {
            insert_rows(conn, last, &pending)?;
        }
        let mut rest = Vec::new();
        input.read_to_end(&mut rest).map_err(|e| StoreError::Archive(format!("reading the export: {e}")))?;
        if !rest.iter().all(u8::is_ascii_whitespace) {
            return Err(StoreError::Archive("data follows the end line of the export".into()));
        }
        // What the database now holds, read back, not what was parsed: a value the engine
        // could not keep exactly (a timestamp finer than PostgreSQL's microsecond) shows here.
        let summary = Summary { tables: export_tables(conn, &mut std::io::sink(), None)? };
        let differences = summary.differences(&end);
        if !differences.is_empty() {
            return Err(StoreError::Archive(format!(
                "the imported rows do not match the export's own record: {}",
                differences.join("; ")
            )));
        }
        Ok(Imported { header, summary })
    })
}

fn read_line<'a>(input: &mut dyn BufRead, buf: &'a mut String) -> StoreResult<Option<Line<'a>>> {
    buf.clear();
    let n = input.read_line(buf).map_err(|e| StoreError::Archive(format!("reading the export: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    serde_json::from_str(buf.trim_end())
        .map(Some)
        .map_err(|e| StoreError::Archive(format!("a line of the export is not valid: {e}")))
}

/// Refuses to import over data: only a database with no case, beneficiary, user or audit
/// event (freshly migrated) is accepted.
fn ensure_empty(conn: &mut DbConn) -> StoreResult<()> {
    use crate::schema::{audit_events, beneficiaries, cases, users};
    let counts = [
        ("users", users::table.count().get_result::<i64>(conn)?),
        ("cases", cases::table.count().get_result::<i64>(conn)?),
        ("beneficiaries", beneficiaries::table.count().get_result::<i64>(conn)?),
        ("audit events", audit_events::table.count().get_result::<i64>(conn)?),
    ];
    let held: Vec<String> = counts.iter().filter(|(_, n)| *n > 0).map(|(what, n)| format!("{n} {what}")).collect();
    if held.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "the target database is not empty ({}): restore into a new, empty database",
            held.join(", ")
        )))
    }
}
