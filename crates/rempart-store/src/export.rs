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
//! Every column of every table is listed below, and the row types are loaded with the
//! tables' full column lists: a column added to the schema and forgotten here does not
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

/// Base64 for binary columns (evidence files), so the stream stays text.
mod b64 {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}

/// The smallest key, below every stored one: where keyset pagination starts.
trait Least {
    fn least() -> Self;
}

impl Least for String {
    fn least() -> Self {
        String::new()
    }
}

impl Least for i32 {
    fn least() -> Self {
        i32::MIN
    }
}

/// Writes a row and adds it to its table's digest.
fn emit(out: &mut dyn Write, table: &str, row: &impl Serialize, digest: &mut TableDigest) -> StoreResult<()> {
    let canonical = serde_json::to_vec(row).map_err(json)?;
    digest.add(&canonical);
    out.write_all(b"{\"t\":\"").map_err(io)?;
    out.write_all(table.as_bytes()).map_err(io)?;
    out.write_all(b"\",\"r\":").map_err(io)?;
    out.write_all(&canonical).map_err(io)?;
    out.write_all(b"}\n").map_err(io)
}

macro_rules! tables {
    ($( $table:ident ($pk:ident : $pkty:ty, page $page:literal) {
        $( $col:ident : $ty:ty $([$serde:meta])? $(=> $with:literal)? ),* $(,)?
    } )*) => {
        /// Row types of every table, with every column, for the stream.
        #[allow(non_camel_case_types)]
        mod rows {
            use super::*;
            $(
                #[derive(Debug, Queryable, Insertable, Serialize, Deserialize)]
                #[diesel(table_name = crate::schema::$table)]
                #[serde(deny_unknown_fields)]
                pub struct $table {
                    $( $(#[serde($serde)])? $(#[serde(with = $with)])? pub $col: $ty, )*
                }
            )*
        }

        /// Every table, parents before children.
        pub const TABLES: &[&str] = &[$(stringify!($table)),*];

        /// Every column the stream carries, table by table.
        pub const COLUMNS: &[(&str, &[&str])] = &[$((stringify!($table), &[$(stringify!($col)),*])),*];

        fn export_tables(
            conn: &mut DbConn,
            out: &mut dyn Write,
            mut content: Option<&mut ContentFilter<'_>>,
        ) -> StoreResult<Vec<TableSummary>> {
            let mut summaries = Vec::new();
            $(if content.is_none() || !crate::protection::NOT_CONTENT.contains(&stringify!($table)) {
                use crate::schema::$table::dsl as t;
                let mut digest = TableDigest::default();
                let mut last = <$pkty as Least>::least();
                loop {
                    let page: Vec<rows::$table> = crate::schema::$table::table
                        .filter(t::$pk.gt(&last))
                        .order(t::$pk)
                        .limit($page)
                        .load(conn)?;
                    for row in &page {
                        match content.as_deref_mut() {
                            None => emit(out, stringify!($table), row, &mut digest)?,
                            Some(filter) => {
                                let mut value = serde_json::to_value(row).map_err(json)?;
                                filter(conn, stringify!($table), &mut value)?;
                                emit(out, stringify!($table), &value, &mut digest)?;
                            }
                        }
                    }
                    match page.last() {
                        Some(row) if page.len() == $page => last = row.$pk.clone(),
                        _ => break,
                    }
                }
                summaries.push(digest.finish(stringify!($table)));
            })*
            Ok(summaries)
        }

        /// Inserts rows of one table.
        fn insert_rows(conn: &mut DbConn, table: &str, raw: &[Box<RawValue>]) -> StoreResult<()> {
            match table {
                $(stringify!($table) => {
                    let rows = raw
                        .iter()
                        .map(|r| serde_json::from_str::<rows::$table>(r.get()))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| StoreError::Archive(format!("a row of {} does not fit this version's schema: {e}", stringify!($table))))?;
                    let insert = diesel::insert_into(crate::schema::$table::table).values(&rows);
                    match conn {
                        DbConn::Sqlite(c) => insert.execute(c)?,
                        DbConn::Postgres(c) => insert.execute(c)?,
                    };
                    Ok(())
                })*
                other => Err(StoreError::Archive(format!("unknown table `{other}` in the stream"))),
            }
        }

        /// Rows per insert statement for a table (evidence files are large).
        fn batch_size(table: &str) -> usize {
            match table {
                $(stringify!($table) => $page,)*
                _ => 1,
            }
        }
    };
}

tables! {
users(id: String, page 1000) {
    id: String,
    email: String,
    display_name: String,
    role: String,
    languages: String,
    password_hash: String,
    active: bool,
    must_change_password: bool,
    token_version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    totp_secret: Option<String>,
    totp_enabled: bool,
    capacity: i32,
    cleared_for_restricted: bool,
    time_zone: String,
    totp_last_step: Option<i64>,
    must_enrol_totp: bool,
}
auth_failures(key: String, page 1000) {
    key: String,
    failures: i32,
    window_started_at: NaiveDateTime,
    last_failure_at: NaiveDateTime,
    blocked_until: Option<NaiveDateTime>,
}
refresh_tokens(id: String, page 1000) {
    id: String,
    user_id: String,
    family_id: String,
    token_hash: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}
reply_templates(id: String, page 1000) {
    id: String,
    language: String,
    name: String,
    body: String,
    active: bool,
    updated_by: Option<String>,
    updated_at: NaiveDateTime,
}
console_sessions(id: String, page 1000) {
    id: String,
    token_hash: String,
    user_id: String,
    token_version: i32,
    csrf_token: String,
    created_at: NaiveDateTime,
    last_seen_at: NaiveDateTime,
}
audience_types(code: String, page 1000) {
    code: String,
    label: String,
    position: i32,
    active: bool,
}
service_types(code: String, page 1000) {
    code: String,
    label: String,
    position: i32,
    active: bool,
}
data_keys(owner: String, page 1000) {
    owner: String,
    wrapped: String,
    master_id: String,
    created_at: NaiveDateTime,
}
protection(id: i32, page 1000) {
    id: i32,
    level: i32,
    updated_at: NaiveDateTime,
    // Absent from backups written before it existed.
    shred_epoch: i64 [default],
}
taxonomy_labels(id: String, page 1000) {
    id: String,
    taxonomy: String,
    code: String,
    language: String,
    label: String,
}
shifts(id: String, page 1000) {
    id: String,
    user_id: String,
    kind: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    created_by: Option<String>,
    created_at: NaiveDateTime,
}
check_ins(id: String, page 1000) {
    id: String,
    shift_id: String,
    user_id: String,
    fit: bool,
    private_note: Option<String>,
    checked_at: NaiveDateTime,
}
rotation(id: i32, page 1000) {
    id: i32,
    period: String,
    anchor: NaiveDate,
    member_ids: String,
    updated_by: Option<String>,
    updated_at: NaiveDateTime,
}
beneficiaries(id: String, page 1000) {
    id: String,
    display_name: String,
    verification_status: String,
    audience_type: Option<String>,
    preferred_language: Option<String>,
    pgp_certificate: Option<String>,
    pgp_fingerprint: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    erased_at: Option<NaiveDateTime>,
    key_trust: Option<String>,
    key_provenance: Option<String>,
    key_pinned_at: Option<NaiveDateTime>,
    key_confirmed_by: Option<String>,
    key_confirmed_at: Option<NaiveDateTime>,
}
beneficiary_emails(id: String, page 1000) {
    id: String,
    beneficiary_id: String,
    address: String,
    is_primary: bool,
    created_at: NaiveDateTime,
    address_token: Option<String>,
}
beneficiary_words(id: String, page 1000) {
    id: String,
    beneficiary_id: String,
    word: String,
}
verification_changes(id: String, page 1000) {
    id: String,
    beneficiary_id: String,
    from_status: Option<String>,
    to_status: String,
    changed_by: Option<String>,
    reason: String,
    changed_at: NaiveDateTime,
}
key_changes(id: String, page 1000) {
    id: String,
    beneficiary_id: String,
    old_fingerprint: Option<String>,
    new_fingerprint: String,
    new_certificate: String,
    source: String,
    status: String,
    recorded_at: NaiveDateTime,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
    provenance: String,
}
case_reference_counters(year: i32, page 1000) {
    year: i32,
    last_number: i64,
}
cases(id: String, page 1000) {
    id: String,
    reference: String,
    beneficiary_id: String,
    status: String,
    urgency: String,
    priority: String,
    summary: String,
    service_type: Option<String>,
    threat_type: Option<String>,
    imminent_risk: bool,
    sensitivity: String,
    assignee_id: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    first_response_at: Option<NaiveDateTime>,
    resolved_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    version: i32,
    erased_at: Option<NaiveDateTime>,
}
assignment_decisions(id: String, page 1000) {
    id: String,
    case_id: String,
    assignee_id: Option<String>,
    via_standby: bool,
    alert_leads: bool,
    reasons: String,
    decided_at: NaiveDateTime,
}
case_status_changes(id: String, page 1000) {
    id: String,
    case_id: String,
    from_status: String,
    to_status: String,
    reopen: bool,
    changed_by: Option<String>,
    note: Option<String>,
    changed_at: NaiveDateTime,
}
third_parties(id: String, page 1000) {
    id: String,
    case_id: String,
    organisation: String,
    contact_name: Option<String>,
    role: String,
    email: Option<String>,
    phone: Option<String>,
    notes: Option<String>,
    created_by: Option<String>,
    created_at: NaiveDateTime,
    pgp_certificate: Option<String>,
    pgp_fingerprint: Option<String>,
}
case_words(id: String, page 1000) {
    id: String,
    case_id: String,
    word: String,
}
case_reads(id: String, page 1000) {
    id: String,
    user_id: String,
    case_id: String,
    read_at: NaiveDateTime,
}
messages(id: String, page 1000) {
    id: String,
    case_id: String,
    direction: String,
    party: String,
    third_party_id: Option<String>,
    channel: String,
    subject: String,
    body: String,
    message_id: Option<String>,
    in_reply_to: Option<String>,
    encrypted: bool,
    signature_status: String,
    signer_fingerprint: Option<String>,
    delivery_status: Option<String>,
    author_id: Option<String>,
    created_at: NaiveDateTime,
    gateway_notes: Option<String>,
    sender_address: Option<String>,
    sender_name: Option<String>,
    message_id_token: Option<String>,
}
evidence_blobs(sha256: String, page 16) {
    sha256: String,
    size: i64,
    content: Vec<u8> => "b64",
    created_at: NaiveDateTime,
}
evidence(id: String, page 1000) {
    id: String,
    case_id: String,
    sha256: String,
    size: i64,
    media_type: String,
    original_name: String,
    description: Option<String>,
    added_by: Option<String>,
    added_at: NaiveDateTime,
    submitted_name: Option<String>,
    message_id: Option<String>,
}
indicators(id: String, page 1000) {
    id: String,
    case_id: String,
    kind: String,
    value: String,
    original_value: String,
    note: Option<String>,
    first_seen: NaiveDateTime,
    last_seen: NaiveDateTime,
    added_by: Option<String>,
    created_at: NaiveDateTime,
    value_token: String,
}
case_links(id: String, page 1000) {
    id: String,
    source_case_id: String,
    target_case_id: String,
    kind: String,
    note: Option<String>,
    created_by: Option<String>,
    created_at: NaiveDateTime,
}
actions(id: String, page 1000) {
    id: String,
    case_id: String,
    description: String,
    taken_by: Option<String>,
    taken_at: NaiveDateTime,
}
comments(id: String, page 1000) {
    id: String,
    case_id: String,
    author_id: Option<String>,
    body: String,
    created_at: NaiveDateTime,
}
next_steps(id: String, page 1000) {
    id: String,
    case_id: String,
    description: String,
    due_on: Option<NaiveDate>,
    done: bool,
    done_at: Option<NaiveDateTime>,
    created_by: Option<String>,
    created_at: NaiveDateTime,
}
risk_assessments(id: String, page 1000) {
    id: String,
    case_id: String,
    risk_name: String,
    threats: i32,
    vulnerabilities: i32,
    capacities: i32,
    score: f64,
    notes: Option<String>,
    assessed_by: Option<String>,
    assessed_at: NaiveDateTime,
}
audit_events(id: String, page 1000) {
    id: String,
    occurred_at: NaiveDateTime,
    actor_id: Option<String>,
    action: String,
    case_id: Option<String>,
    target_kind: Option<String>,
    target_id: Option<String>,
    details: String,
}
mail_receipts(id: String, page 1000) {
    id: String,
    message_id_header: String,
    body_sha256: String,
    raw_sha256: String,
    source: String,
    outcome: String,
    case_id: Option<String>,
    message_row_id: Option<String>,
    quarantine_id: Option<String>,
    received_at: NaiveDateTime,
}
mail_quarantine(id: String, page 1000) {
    id: String,
    received_at: NaiveDateTime,
    source: String,
    reason_code: String,
    reason: String,
    from_address: Option<String>,
    subject: String,
    message_id_header: Option<String>,
    raw_sha256: String,
    size: i64,
    resolved_at: Option<NaiveDateTime>,
    resolved_by: Option<String>,
    resolution: Option<String>,
    resolution_note: Option<String>,
    case_id: Option<String>,
}
outbox(message_row_id: String, page 1000) {
    message_row_id: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    locked_until: Option<NaiveDateTime>,
    locked_by: Option<String>,
    last_error: Option<String>,
    created_at: NaiveDateTime,
}
escalations(id: String, page 1000) {
    id: String,
    case_id: Option<String>,
    shift_id: Option<String>,
    kind: String,
    level: String,
    reason: String,
    due_at: NaiveDateTime,
    raised_at: NaiveDateTime,
    acknowledged_by: Option<String>,
    acknowledged_at: Option<NaiveDateTime>,
}
notifications(id: String, page 1000) {
    id: String,
    escalation_id: String,
    channel: String,
    recipient: String,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    locked_until: Option<NaiveDateTime>,
    locked_by: Option<String>,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
}
erasures(id: String, page 1000) {
    id: String,
    case_id: String,
    policy: String,
    policy_detail: String,
    requested_by: Option<String>,
    erased: String,
    beneficiary_erased: bool,
    erased_at: NaiveDateTime,
}}

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
