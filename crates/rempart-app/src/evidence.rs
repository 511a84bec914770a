//! Evidence files of a case: stored by their SHA-256, immutable, read back checked against
//! it. Whoever may see the case may add and read its evidence.

use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use rempart_store::DbConn;
use rempart_store::evidence::{Evidence, NewEvidence, StoredEvidence};

/// A file to keep as evidence of case `raw`.
#[derive(Debug)]
pub struct Upload<'a> {
    pub content: &'a [u8],
    pub media_type: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
}

pub fn add(conn: &mut DbConn, actor: &Actor, raw: &str, upload: Upload<'_>) -> AppResult<StoredEvidence> {
    let case = crate::cases::visible(conn, actor, raw, "evidence")?;
    let new = NewEvidence {
        case_id: &case.id,
        content: upload.content,
        media_type: upload.media_type,
        original_name: upload.name,
        description: upload.description,
        message_id: None,
    };
    Ok(Evidence::add(conn, new, actor.id())?)
}

/// The evidence of case `raw`.
pub fn list(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<Evidence>> {
    let case = crate::cases::visible(conn, actor, raw, "evidence list")?;
    Ok(Evidence::for_case(conn, &case.id)?)
}

/// One file of case `raw` and its content, checked against its digest.
pub fn content(conn: &mut DbConn, actor: &Actor, raw: &str, evidence_id: &str) -> AppResult<(Evidence, Vec<u8>)> {
    let case = crate::cases::visible(conn, actor, raw, "evidence download")?;
    let record = Evidence::get(conn, evidence_id)?;
    if record.case_id != case.id {
        return Err(AppError::not_found(format!("evidence {evidence_id}")));
    }
    let content = Evidence::content(conn, &record.id)?;
    Ok((record, content))
}
