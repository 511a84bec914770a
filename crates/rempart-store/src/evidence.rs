//! Evidence files: content-addressed by SHA-256, stored once, never altered.

use crate::audit::{Audit, AuditEvent};
use crate::cases::Case;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{evidence, evidence_blobs};
use crate::sealing::Owner;
use crate::util::{new_id, now, optional_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

const TABLE: &str = "evidence";

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = evidence)]
pub struct Evidence {
    pub id: String,
    pub case_id: String,
    /// Lower-case hex SHA-256 of the content: its address and its integrity check.
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub original_name: String,
    pub description: Option<String>,
    pub added_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub added_at: NaiveDateTime,
    /// The file name exactly as sent, when it differs from `original_name` (which is
    /// cleaned: no path, no control or bidirectional characters, at most 255 bytes).
    pub submitted_name: Option<String>,
    /// The message it came with (an attachment, or the mail as received).
    pub message_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub case_id: &'a str,
    pub content: &'a [u8],
    pub media_type: &'a str,
    pub original_name: &'a str,
    pub description: Option<&'a str>,
    /// The message it came with, if any.
    pub message_id: Option<&'a str>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = evidence)]
pub struct EvidenceInsertForm {
    pub id: String,
    pub case_id: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub original_name: String,
    pub description: Option<String>,
    pub added_by: Option<String>,
    pub added_at: NaiveDateTime,
    pub submitted_name: Option<String>,
    pub message_id: Option<String>,
}

/// Result of storing a file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredEvidence {
    pub evidence: Evidence,
    /// False when the same file was already attached to this case.
    pub created: bool,
}

pub fn sha256_hex(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// Stores raw bytes once, addressed by their SHA-256 (shared with evidence files).
pub fn put_blob(conn: &mut DbConn, content: &[u8]) -> StoreResult<String> {
    let sha256 = sha256_hex(content);
    let size = i64::try_from(content.len()).map_err(|_| StoreError::invalid("content", "too large"))?;
    let stored: bool = diesel::select(diesel::dsl::exists(evidence_blobs::table.find(&sha256))).get_result(conn)?;
    if stored {
        return Ok(sha256);
    }
    // Each file under a key of its own (it may belong to several cases, or to quarantined
    // mail): the key goes when the last reference to the file goes.
    let key = crate::sealing::key(conn, Owner::Blob(&sha256))?;
    let blob = (
        evidence_blobs::sha256.eq(&sha256),
        evidence_blobs::size.eq(size),
        evidence_blobs::content.eq(key.seal_bytes("evidence_blobs", "content", &sha256, content)),
        evidence_blobs::created_at.eq(now()),
    );
    match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_into(evidence_blobs::table).values(blob).on_conflict_do_nothing().execute(c)?
        }
        DbConn::Postgres(c) => {
            diesel::insert_into(evidence_blobs::table).values(blob).on_conflict_do_nothing().execute(c)?
        }
    };
    Ok(sha256)
}

/// Reads raw bytes back, opens them and checks them against their address.
pub fn get_blob(conn: &mut DbConn, sha256: &str) -> StoreResult<Vec<u8>> {
    let stored: Vec<u8> = evidence_blobs::table
        .find(sha256)
        .select(evidence_blobs::content)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::not_found("blob", sha256))?;
    let key = crate::sealing::existing_key(conn, Owner::Blob(sha256))?
        .ok_or_else(|| StoreError::Unreadable(format!("the key of file {sha256} is gone")))?;
    // Altered on disk (or moved from another file): it must not be used.
    let content = key
        .open_bytes("evidence_blobs", "content", sha256, &stored)
        .map_err(|_| StoreError::EvidenceCorrupted { sha256: sha256.to_owned() })?;
    if sha256_hex(&content) != sha256 {
        return Err(StoreError::EvidenceCorrupted { sha256: sha256.to_owned() });
    }
    Ok(content)
}

impl Evidence {
    /// Stores a file for a case. The same content is stored once however many cases hold
    /// it; attaching it twice to one case returns the first record.
    pub fn add(conn: &mut DbConn, new: NewEvidence<'_>, actor: Option<&str>) -> StoreResult<StoredEvidence> {
        let media_type = parse_media_type(new.media_type)?;
        let original_name = sanitize_file_name(new.original_name);
        let submitted_name = (original_name != new.original_name)
            .then(|| new.original_name.chars().filter(|c| *c != '\0').take(1000).collect::<String>());
        let description = optional_text("description", new.description, 10_000)?;
        let sha256 = sha256_hex(new.content);
        let size = i64::try_from(new.content.len()).map_err(|_| StoreError::invalid("content", "too large"))?;
        conn.write(|conn| {
            Case::get(conn, new.case_id)?;
            let at = now();
            put_blob(conn, new.content)?;
            let existing = evidence::table
                .filter(evidence::case_id.eq(new.case_id))
                .filter(evidence::sha256.eq(&sha256))
                .select(Evidence::as_select())
                .first(conn)
                .optional()?;
            if let Some(evidence) = existing {
                let evidence = crate::sealing::open_case_row(conn, new.case_id, evidence)?;
                return Ok(StoredEvidence { evidence, created: false });
            }
            let id = new_id();
            let key = crate::sealing::key(conn, Owner::Case(new.case_id))?;
            let form = EvidenceInsertForm {
                original_name: key.seal(TABLE, "original_name", &id, &original_name),
                description: key.seal_opt(TABLE, "description", &id, description.as_deref()),
                submitted_name: key.seal_opt(TABLE, "submitted_name", &id, submitted_name.as_deref()),
                id,
                case_id: new.case_id.to_owned(),
                sha256: sha256.clone(),
                size,
                media_type,
                added_by: actor.map(str::to_owned),
                added_at: at,
                message_id: new.message_id.map(str::to_owned),
            };
            diesel::insert_into(evidence::table).values(&form).execute(conn)?;
            Case::touch(conn, new.case_id)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "evidence.added",
                    case_id: Some(new.case_id),
                    target: Some(("evidence", &form.id)),
                    details: format!("sha256={sha256} size={size}"),
                },
            )?;
            let evidence = Evidence::get(conn, &form.id)?;
            Ok(StoredEvidence { evidence, created: true })
        })
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<Evidence> {
        let row = evidence::table
            .find(id)
            .select(Evidence::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("evidence", id))?;
        let case_id = row.case_id.clone();
        crate::sealing::open_case_row(conn, &case_id, row)
    }

    /// The file's bytes, checked against the digest it was stored under.
    pub fn content(conn: &mut DbConn, id: &str) -> StoreResult<Vec<u8>> {
        let record = Evidence::get(conn, id)?;
        get_blob(conn, &record.sha256)
    }
}

/// `type/subtype` with optional parameters, lower-cased; anything else is refused.
fn parse_media_type(raw: &str) -> StoreResult<String> {
    let value = raw.trim().to_ascii_lowercase();
    // It goes back out in a Content-Type header: printable ASCII only.
    if value.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return Err(StoreError::invalid("media_type", "only printable ASCII is allowed"));
    }
    let essence = value.split(';').next().unwrap_or_default().trim();
    let token = |s: &str| {
        !s.is_empty() && s.len() <= 127 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match essence.split_once('/') {
        Some((t, s)) if token(t) && token(s) => Ok(value),
        _ => Err(StoreError::invalid("media_type", format!("`{raw}` is not a media type such as application/pdf"))),
    }
}

/// Keeps the last path component, without control characters, at most 255 bytes.
fn sanitize_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    // Control characters, and the bidirectional marks and overrides that make
    // `invoice\u{202E}fdp.exe` display as `invoiceexe.pdf`.
    let bidi =
        |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let mut name: String = base.chars().filter(|c| !c.is_control() && !bidi(*c)).collect::<String>().trim().to_owned();
    while name.len() > 255 {
        name.pop();
    }
    if name.is_empty() || name == "." || name == ".." { "unnamed".to_owned() } else { name }
}

/// A file's names and description are sealed with its case's key (its bytes, with a key of
/// their own: [`put_blob`]).
impl crate::sealing::Protected for Evidence {
    fn open_with(mut self, key: Option<&crate::sealing::Sealer>) -> StoreResult<Self> {
        use crate::sealing::{open_field, open_field_opt};
        open_field(key, TABLE, "original_name", &self.id, &mut self.original_name)?;
        open_field_opt(key, TABLE, "description", &self.id, &mut self.description)?;
        open_field_opt(key, TABLE, "submitted_name", &self.id, &mut self.submitted_name)?;
        Ok(self)
    }
}

crate::util::items_of_case!(Evidence, evidence, added_at);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(parse_media_type(" Application/PDF ").ok().as_deref(), Some("application/pdf"));
        assert!(parse_media_type("text/plain; charset=utf-8").is_ok());
        for bad in ["", "pdf", "text/", "/plain", "te xt/plain", "text/plain; x=\u{1}", "text/plain; name=é"] {
            assert!(parse_media_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(sanitize_file_name("C:\\Users\\x\\capture.png"), "capture.png");
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(sanitize_file_name(".."), "unnamed");
        assert_eq!(sanitize_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(sanitize_file_name("\u{2067}a\u{2069}\u{200F}.txt"), "a.txt");
        assert_eq!(sanitize_file_name(""), "unnamed");
        assert!(sanitize_file_name(&"é".repeat(300)).len() <= 255);
    }
}
