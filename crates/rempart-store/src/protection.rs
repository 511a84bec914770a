//! The upgrade that seals what an older Rempart stored in clear, in place, without loss.
//!
//! Each protection level names the columns it seals. [`upgrade`] seals, batch by batch
//! (each its own transaction, so a stopped upgrade resumes where it was), every value of
//! those columns not sealed yet, with the data key of the row's owner; then it rebuilds the
//! word index as blind-index tokens and records the level reached. Opening what it sealed
//! gives back the values byte for byte: the decrypted content, and so its export digest,
//! is unchanged.

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::protection;
use crate::sealing::{Owner, key};
use crate::util::now;
use diesel::prelude::*;
use diesel::sql_types::Text;

/// The level this version seals to.
pub const LEVEL: i32 = 3;

/// Which key seals a column: the owner is read from a column of the same row.
#[derive(Debug, Clone, Copy)]
enum OwnerColumn {
    /// `case_id` (or the row's own id, for `cases`), a case.
    Case(&'static str),
    /// `user_id`: a member of staff.
    Staff(&'static str),
    /// The row's own id: a quarantined mail.
    Quarantine(&'static str),
    /// `beneficiary_id` (or the row's own id, for `beneficiaries`): a beneficiary.
    Beneficiary(&'static str),
}

impl OwnerColumn {
    fn column(self) -> &'static str {
        match self {
            OwnerColumn::Case(c) | OwnerColumn::Staff(c) | OwnerColumn::Quarantine(c) | OwnerColumn::Beneficiary(c) => {
                c
            }
        }
    }
}

/// A sealed column, as the upgrade finds it.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    pub column: &'static str,
    owner: OwnerColumn,
}

const fn case(table: &'static str, column: &'static str) -> SealedColumn {
    SealedColumn { table, column, owner: OwnerColumn::Case("case_id") }
}

/// Every column sealed at [`LEVEL`] (the raid drill plants a marker in each).
pub const SEALED: &[SealedColumn] = &[
    SealedColumn { table: "cases", column: "summary", owner: OwnerColumn::Case("id") },
    case("case_status_changes", "note"),
    case("messages", "subject"),
    case("messages", "body"),
    case("messages", "gateway_notes"),
    case("messages", "sender_address"),
    case("messages", "sender_name"),
    case("actions", "description"),
    case("comments", "body"),
    case("next_steps", "description"),
    case("risk_assessments", "risk_name"),
    case("risk_assessments", "notes"),
    SealedColumn { table: "case_links", column: "note", owner: OwnerColumn::Case("source_case_id") },
    SealedColumn { table: "check_ins", column: "private_note", owner: OwnerColumn::Staff("user_id") },
    quarantine("reason"),
    quarantine("subject"),
    quarantine("from_address"),
    quarantine("resolution_note"),
    // Level 2.
    SealedColumn { table: "beneficiaries", column: "display_name", owner: OwnerColumn::Beneficiary("id") },
    SealedColumn { table: "beneficiaries", column: "pgp_certificate", owner: OwnerColumn::Beneficiary("id") },
    SealedColumn { table: "beneficiaries", column: "pgp_fingerprint", owner: OwnerColumn::Beneficiary("id") },
    SealedColumn { table: "beneficiaries", column: "key_provenance", owner: OwnerColumn::Beneficiary("id") },
    beneficiary("beneficiary_emails", "address"),
    beneficiary("verification_changes", "reason"),
    beneficiary("key_changes", "old_fingerprint"),
    beneficiary("key_changes", "new_fingerprint"),
    beneficiary("key_changes", "new_certificate"),
    beneficiary("key_changes", "provenance"),
    case("third_parties", "organisation"),
    case("third_parties", "contact_name"),
    case("third_parties", "email"),
    case("third_parties", "phone"),
    case("third_parties", "notes"),
    case("third_parties", "pgp_certificate"),
    case("third_parties", "pgp_fingerprint"),
    case("evidence", "original_name"),
    case("evidence", "description"),
    case("evidence", "submitted_name"),
    case("indicators", "value"),
    case("indicators", "original_value"),
    case("indicators", "note"),
    case("messages", "message_id"),
    case("messages", "in_reply_to"),
    // Level 3: the signer of a signed inbound message (a fingerprint leads to its owner).
    case("messages", "signer_fingerprint"),
    quarantine("message_id_header"),
];

const fn beneficiary(table: &'static str, column: &'static str) -> SealedColumn {
    SealedColumn { table, column, owner: OwnerColumn::Beneficiary("beneficiary_id") }
}

const fn quarantine(column: &'static str) -> SealedColumn {
    SealedColumn { table: "mail_quarantine", column, owner: OwnerColumn::Quarantine("id") }
}

/// The level the database is at.
pub fn level(conn: &mut DbConn) -> StoreResult<i32> {
    Ok(protection::table.find(1).select(protection::level).first(conn)?)
}

/// What an upgrade did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upgraded {
    pub from_level: i32,
    pub sealed_values: usize,
    pub reindexed_cases: usize,
}

/// Seals what is still in clear and records [`LEVEL`]. Nothing to do at that level already.
pub fn upgrade(conn: &mut DbConn) -> StoreResult<Upgraded> {
    let from_level = level(conn)?;
    let mut done = Upgraded { from_level, ..Upgraded::default() };
    if from_level >= LEVEL {
        return Ok(done);
    }
    // The lookups' tokens are computed from the values still in clear, before they are
    // sealed (a stopped upgrade resumes: what has its token is not computed again).
    crate::blind_indexes::build(conn)?;
    for column in SEALED {
        done.sealed_values += seal_column(conn, column)?;
    }
    done.sealed_values += seal_blobs(conn)?;
    if from_level < 1 {
        // The word index held words: it is rebuilt as tokens from the (now sealed) content.
        diesel::delete(crate::schema::case_words::table).execute(conn)?;
        done.reindexed_cases = crate::case_words::reindex_all(conn)?;
    }
    diesel::update(protection::table.find(1))
        .set((protection::level.eq(LEVEL), protection::updated_at.eq(now())))
        .execute(conn)?;
    if done.sealed_values > 0 {
        tracing::info!(from_level, to_level = LEVEL, sealed = done.sealed_values, "sealed the values stored in clear");
    }
    Ok(done)
}

/// Seals the stored files (evidence, raw received mail) still in clear, each under a key of
/// its own, a batch per transaction.
fn seal_blobs(conn: &mut DbConn) -> StoreResult<usize> {
    use crate::schema::evidence_blobs;
    let mut last = String::new();
    let mut sealed = 0;
    loop {
        let page: Vec<(String, Vec<u8>)> = evidence_blobs::table
            .filter(evidence_blobs::sha256.gt(&last))
            .order(evidence_blobs::sha256)
            .limit(50)
            .select((evidence_blobs::sha256, evidence_blobs::content))
            .load(conn)?;
        let Some((tail, _)) = page.last() else { return Ok(sealed) };
        last = tail.clone();
        let clear: Vec<&(String, Vec<u8>)> =
            page.iter().filter(|(_, c)| !rempart_vault::DataKey::is_sealed_bytes(c)).collect();
        if clear.is_empty() {
            continue;
        }
        conn.write(|conn| -> StoreResult<()> {
            // Stored files are immutable (a trigger refuses any update): the upgrade lifts
            // it for its own transaction only.
            immutability(conn, "evidence_blobs", false)?;
            for (sha256, content) in clear {
                let key = key(conn, Owner::Blob(sha256))?;
                diesel::update(evidence_blobs::table.find(sha256))
                    .set(evidence_blobs::content.eq(key.seal_bytes("evidence_blobs", "content", sha256, content)))
                    .execute(conn)?;
                sealed += 1;
            }
            immutability(conn, "evidence_blobs", true)
        })?;
    }
}

/// Lifts (`on` false) or restores the trigger that refuses any update of `table` (stored
/// files and their records are immutable), in the caller's transaction: only the upgrade's
/// own sealing passes.
fn immutability(conn: &mut DbConn, table: &str, on: bool) -> StoreResult<()> {
    let statement = match (&*conn, on) {
        (DbConn::Sqlite(_), false) => format!("DROP TRIGGER {table}_immutable"),
        (DbConn::Sqlite(_), true) => format!(
            "CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} \
             BEGIN SELECT RAISE(ABORT, 'evidence is immutable'); END"
        ),
        (DbConn::Postgres(_), false) => format!("ALTER TABLE {table} DISABLE TRIGGER {table}_immutable"),
        (DbConn::Postgres(_), true) => format!("ALTER TABLE {table} ENABLE TRIGGER {table}_immutable"),
    };
    diesel::sql_query(statement).execute(conn)?;
    Ok(())
}

/// The tables whose rows a trigger keeps from any update.
const IMMUTABLE: &[&str] = &["evidence"];

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    owner: String,
    #[diesel(sql_type = Text)]
    value: String,
}

const BATCH: i64 = 500;

fn owner_of(column: OwnerColumn, id: &str) -> Owner<'_> {
    match column {
        OwnerColumn::Case(_) => Owner::Case(id),
        OwnerColumn::Staff(_) => Owner::Staff(id),
        OwnerColumn::Quarantine(_) => Owner::Quarantine(id),
        OwnerColumn::Beneficiary(_) => Owner::Beneficiary(id),
    }
}

fn seal_column(conn: &mut DbConn, c: &SealedColumn) -> StoreResult<usize> {
    let owner_column = c.owner.column();
    // Values already sealed (in any format) and empty ones (erased) are left as they are.
    // A forgotten beneficiary's name is the erasure's mark, not theirs: it stays, keyless.
    let not_erased = if c.table == "beneficiaries" { " AND erased_at IS NULL" } else { "" };
    let sealed_already: String = rempart_vault::DataKey::SEALED_TEXT_PREFIXES
        .iter()
        .map(|prefix| format!(" AND {col} NOT LIKE '{prefix}%'", col = c.column))
        .collect();
    let select = format!(
        "SELECT id, {owner_column} AS owner, {col} AS value FROM {table} \
         WHERE {col} IS NOT NULL AND {col} <> ''{sealed_already}{not_erased} ORDER BY id LIMIT {BATCH}",
        col = c.column,
        table = c.table
    );
    let mut sealed = 0;
    loop {
        let count = conn.write(|conn| -> StoreResult<usize> {
            let cells: Vec<Cell> = match conn {
                DbConn::Sqlite(s) => diesel::sql_query(&select).load(s)?,
                DbConn::Postgres(p) => diesel::sql_query(&select).load(p)?,
            };
            let immutable = IMMUTABLE.contains(&c.table) && !cells.is_empty();
            if immutable {
                immutability(conn, c.table, false)?;
            }
            for cell in &cells {
                let owner = owner_of(c.owner, &cell.owner);
                let value = key(conn, owner)?.seal(c.table, c.column, &cell.id, &cell.value);
                match conn {
                    DbConn::Sqlite(s) => {
                        diesel::sql_query(format!("UPDATE {} SET {} = ? WHERE id = ?", c.table, c.column))
                            .bind::<Text, _>(&value)
                            .bind::<Text, _>(&cell.id)
                            .execute(s)?
                    }
                    DbConn::Postgres(p) => {
                        diesel::sql_query(format!("UPDATE {} SET {} = $1 WHERE id = $2", c.table, c.column))
                            .bind::<Text, _>(&value)
                            .bind::<Text, _>(&cell.id)
                            .execute(p)?
                    }
                };
            }
            if immutable {
                immutability(conn, c.table, true)?;
            }
            Ok(cells.len())
        })?;
        sealed += count;
        if count < BATCH as usize {
            return Ok(sealed);
        }
    }
}

/// Tables left out of the content digest: the keys, the protection level and the word
/// indexes (words before the upgrade, tokens after: the same content, written otherwise).
pub const NOT_CONTENT: &[&str] = &["data_keys", "protection", "case_words", "beneficiary_words"];

/// Columns left out of the content digest: the lookups' tokens (computed by the upgrade
/// from the content, which they do not add to).
pub const NOT_CONTENT_COLUMNS: &[&str] = &["address_token", "value_token", "message_id_token"];

/// Counts and digests of the decrypted content of every table: equal before and after an
/// upgrade that sealed it, and between a database and its restored or moved copy.
pub fn content_summary(conn: &mut DbConn) -> StoreResult<crate::export::Summary> {
    content(conn, &mut std::io::sink())
}

/// Writes the decrypted content of every table to `out` as JSON lines (`{"t":..,"r":..}`),
/// for checks and for the erasure's tests: what a person with the master key can read.
pub fn content(conn: &mut DbConn, out: &mut dyn std::io::Write) -> StoreResult<crate::export::Summary> {
    let mut keys: std::collections::HashMap<String, Option<crate::sealing::Sealer>> = Default::default();
    let mut filter = |conn: &mut DbConn, table: &str, row: &mut serde_json::Value| -> StoreResult<()> {
        if table == "evidence_blobs" {
            return open_blob_row(conn, row);
        }
        if let Some(object) = row.as_object_mut() {
            for column in NOT_CONTENT_COLUMNS {
                object.remove(*column);
            }
            // A receipt keeps a Message-ID's token in place of the Message-ID (the upgrade
            // replaced it): an index, like the others.
            if table == "mail_receipts" {
                object.remove("message_id_header");
            }
        }
        for c in SEALED.iter().filter(|c| c.table == table) {
            let Some(object) = row.as_object_mut() else { continue };
            let Some(stored) = object.get(c.column).and_then(|v| v.as_str()).map(str::to_owned) else { continue };
            if !rempart_vault::DataKey::is_sealed_text(&stored) {
                continue;
            }
            let id = object.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let owner_column = c.owner.column();
            let owner_id = object.get(owner_column).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let owner = owner_of(c.owner, &owner_id);
            let name = owner.name();
            if !keys.contains_key(&name) {
                let found = crate::sealing::existing_key(conn, owner)?;
                keys.insert(name.clone(), found);
            }
            let opened = crate::sealing::open_or_erased(keys[&name].as_ref(), c.table, c.column, &id, &stored)?;
            object.insert(c.column.to_owned(), serde_json::Value::String(opened));
        }
        Ok(())
    };
    crate::export::export_content(conn, out, &mut filter)
}

/// Opens the file of an `evidence_blobs` row as exported (base64 content).
fn open_blob_row(conn: &mut DbConn, row: &mut serde_json::Value) -> StoreResult<()> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let Some(object) = row.as_object_mut() else { return Ok(()) };
    let sha256 = object.get("sha256").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let Some(encoded) = object.get("content").and_then(|v| v.as_str()) else { return Ok(()) };
    let stored = STANDARD.decode(encoded).map_err(|e| crate::StoreError::Archive(e.to_string()))?;
    if !rempart_vault::DataKey::is_sealed_bytes(&stored) {
        return Ok(());
    }
    let opened = match crate::sealing::existing_key(conn, Owner::Blob(&sha256))? {
        Some(key) => key.open_bytes("evidence_blobs", "content", &sha256, &stored)?,
        None => Vec::new(),
    };
    object.insert("content".into(), serde_json::Value::String(STANDARD.encode(opened)));
    Ok(())
}
