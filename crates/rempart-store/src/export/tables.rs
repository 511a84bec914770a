//! The tables of the stream: every column of every table, in foreign-key order, and what
//! writes and reads their rows (generated from the list by `tables!`). A column added to the
//! schema and forgotten here does not compile.

use super::*;

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

        pub(super) fn export_tables(
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
        pub(super) fn insert_rows(conn: &mut DbConn, table: &str, raw: &[Box<RawValue>]) -> StoreResult<()> {
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
        pub(super) fn batch_size(table: &str) -> usize {
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
