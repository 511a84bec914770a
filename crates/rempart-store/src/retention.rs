//! Retention and erasure: the identifying content of closed cases is erased after the
//! configured period, or at once on a beneficiary's request. What remains (dates, service,
//! audience and threat types, urgency, indicator kinds, who worked the case) keeps the
//! statistics and the audit trail; the audit trail never held content.

use crate::audit::AuditEventInsertForm;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{
    actions, audit_events, beneficiaries, beneficiary_emails, case_links, case_status_changes, cases, comments,
    erasures, evidence, evidence_blobs, indicators, key_changes, mail_quarantine, mail_receipts, messages, next_steps,
    outbox, risk_assessments, third_parties, verification_changes,
};
use crate::util::{new_id, now};
use chrono::NaiveDateTime;
use diesel::dsl::{exists, not, sql};
use diesel::prelude::*;
use diesel::sql_types::Text;

/// What an erasure removes, recorded with it.
pub const ERASED: &[&str] = &[
    "summary",
    "message_subjects_and_bodies",
    "raw_messages",
    "evidence_files",
    "third_party_contacts",
    "comments",
    "actions",
    "next_steps",
    "risk_names_and_notes",
    "status_and_link_notes",
    "indicator_values",
];

/// Why a case is erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy<'a> {
    /// The retention period after closure.
    Retention { closed_case_days: u32 },
    /// A beneficiary asked to be forgotten; a lead or admin carried it out.
    Request { by: &'a str, reason: &'a str },
}

/// The result of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    pub cases: usize,
    pub beneficiaries: usize,
}

/// Erases the content of these cases (set-based: a few statements per batch, whatever its
/// size) and of their beneficiaries left without a case that keeps content. Cases already
/// erased are skipped. One transaction.
pub fn erase_cases(conn: &mut DbConn, ids: &[String], policy: Policy<'_>) -> StoreResult<Erased> {
    let erased = erase_in_transaction(conn, ids, policy)?;
    if erased.cases > 0 {
        scrub_after_erasure(conn)?;
    }
    Ok(erased)
}

/// What was erased must not stay readable on disk. SQLite zeroes freed content as it
/// writes (`secure_delete`, set on every connection); the write-ahead log still holds the
/// pages as they were until a checkpoint copies it back and truncates it. PostgreSQL keeps
/// dead row versions until VACUUM and old WAL segments until they are recycled (see
/// deploy/README.md, "Security model").
fn scrub_after_erasure(conn: &mut DbConn) -> StoreResult<()> {
    if let DbConn::Sqlite(c) = conn {
        #[derive(QueryableByName)]
        struct Checkpoint {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            busy: i32,
        }
        let result: Checkpoint = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(c)?;
        if result.busy != 0 {
            tracing::warn!(
                "a reader kept the write-ahead log from being truncated after an erasure; it will be at the next checkpoint"
            );
        }
    }
    Ok(())
}

fn erase_in_transaction(conn: &mut DbConn, ids: &[String], policy: Policy<'_>) -> StoreResult<Erased> {
    conn.write(|conn| {
        let ids: Vec<String> = cases::table
            .filter(cases::id.eq_any(ids))
            .filter(cases::erased_at.is_null())
            .select(cases::id)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(Erased::default());
        }
        let at = now();
        let (policy_name, detail, actor) = match policy {
            Policy::Retention { closed_case_days } => {
                ("retention", format!("closed more than {closed_case_days} days ago"), None)
            }
            Policy::Request { by, reason } => ("request", reason.to_owned(), Some(by)),
        };
        let empty = "";
        diesel::update(cases::table.filter(cases::id.eq_any(&ids)))
            .set((cases::summary.eq(empty), cases::erased_at.eq(at), cases::version.eq(cases::version + 1)))
            .execute(conn)?;
        crate::case_words::forget(conn, &ids)?;
        let case_messages = messages::table.filter(messages::case_id.eq_any(&ids)).select(messages::id);
        diesel::delete(outbox::table.filter(outbox::message_row_id.eq_any(case_messages))).execute(conn)?;
        diesel::update(messages::table.filter(messages::case_id.eq_any(&ids)))
            .set((
                messages::subject.eq(empty),
                messages::body.eq(empty),
                messages::message_id.eq(None::<String>),
                messages::message_id_token.eq(None::<String>),
                messages::in_reply_to.eq(None::<String>),
                messages::signer_fingerprint.eq(None::<String>),
                messages::gateway_notes.eq(None::<String>),
                messages::sender_address.eq(None::<String>),
                messages::sender_name.eq(None::<String>),
            ))
            .execute(conn)?;
        // The raw messages as received and the evidence files; their blobs go unless
        // something else still uses them (the same file on another case, a quarantined copy).
        let mut blobs: Vec<String> =
            evidence::table.filter(evidence::case_id.eq_any(&ids)).select(evidence::sha256).load(conn)?;
        blobs.extend(
            mail_receipts::table
                .filter(mail_receipts::case_id.eq_any(&ids))
                .select(mail_receipts::raw_sha256)
                .load::<String>(conn)?,
        );
        blobs.sort_unstable();
        blobs.dedup();
        diesel::delete(mail_receipts::table.filter(mail_receipts::case_id.eq_any(&ids))).execute(conn)?;
        diesel::delete(evidence::table.filter(evidence::case_id.eq_any(&ids))).execute(conn)?;
        diesel::delete(
            evidence_blobs::table
                .filter(evidence_blobs::sha256.eq_any(&blobs))
                .filter(not(exists(evidence::table.filter(evidence::sha256.eq(evidence_blobs::sha256)))))
                .filter(not(exists(mail_receipts::table.filter(mail_receipts::raw_sha256.eq(evidence_blobs::sha256)))))
                .filter(not(exists(
                    mail_quarantine::table.filter(mail_quarantine::raw_sha256.eq(evidence_blobs::sha256)),
                ))),
        )
        .execute(conn)?;
        // The keys of the files that went go with them.
        let kept: Vec<String> = evidence_blobs::table
            .filter(evidence_blobs::sha256.eq_any(&blobs))
            .select(evidence_blobs::sha256)
            .load(conn)?;
        let gone: Vec<crate::sealing::Owner<'_>> =
            blobs.iter().filter(|b| !kept.contains(b)).map(|b| crate::sealing::Owner::Blob(b)).collect();
        crate::sealing::shred(conn, &gone)?;
        diesel::update(third_parties::table.filter(third_parties::case_id.eq_any(&ids)))
            .set((
                third_parties::organisation.eq(empty),
                third_parties::contact_name.eq(None::<String>),
                third_parties::email.eq(None::<String>),
                third_parties::phone.eq(None::<String>),
                third_parties::notes.eq(None::<String>),
                third_parties::pgp_certificate.eq(None::<String>),
                third_parties::pgp_fingerprint.eq(None::<String>),
            ))
            .execute(conn)?;
        diesel::update(comments::table.filter(comments::case_id.eq_any(&ids)))
            .set(comments::body.eq(empty))
            .execute(conn)?;
        diesel::update(actions::table.filter(actions::case_id.eq_any(&ids)))
            .set(actions::description.eq(empty))
            .execute(conn)?;
        diesel::update(next_steps::table.filter(next_steps::case_id.eq_any(&ids)))
            .set(next_steps::description.eq(empty))
            .execute(conn)?;
        diesel::update(risk_assessments::table.filter(risk_assessments::case_id.eq_any(&ids)))
            .set((risk_assessments::risk_name.eq(empty), risk_assessments::notes.eq(None::<String>)))
            .execute(conn)?;
        diesel::update(case_status_changes::table.filter(case_status_changes::case_id.eq_any(&ids)))
            .set(case_status_changes::note.eq(None::<String>))
            .execute(conn)?;
        diesel::update(
            case_links::table
                .filter(case_links::source_case_id.eq_any(&ids).or(case_links::target_case_id.eq_any(&ids))),
        )
        .set(case_links::note.eq(None::<String>))
        .execute(conn)?;
        // The kind stays (statistics); the value must stay unique per case and kind.
        diesel::update(indicators::table.filter(indicators::case_id.eq_any(&ids)))
            .set((
                indicators::value.eq(empty),
                indicators::value_token.eq(sql::<Text>("'erased:' || id")),
                indicators::original_value.eq(empty),
                indicators::note.eq(None::<String>),
            ))
            .execute(conn)?;

        // Crypto-shredding: the cases' data keys go, so whatever of their content remains in
        // free pages, the write-ahead log or a later copy of the disk cannot be opened.
        let owners: Vec<crate::sealing::Owner<'_>> = ids.iter().map(|id| crate::sealing::Owner::Case(id)).collect();
        crate::sealing::shred(conn, &owners)?;

        // Beneficiaries of these cases with no case left that keeps content.
        let owners: Vec<String> =
            cases::table.filter(cases::id.eq_any(&ids)).select(cases::beneficiary_id).distinct().load(conn)?;
        let alive: Vec<String> = cases::table
            .filter(cases::beneficiary_id.eq_any(&owners))
            .filter(cases::erased_at.is_null())
            .select(cases::beneficiary_id)
            .distinct()
            .load(conn)?;
        let forgotten: Vec<String> = owners.into_iter().filter(|b| !alive.contains(b)).collect();
        if !forgotten.is_empty() {
            diesel::update(beneficiaries::table.filter(beneficiaries::id.eq_any(&forgotten)))
                .set((
                    beneficiaries::display_name.eq("[erased]"),
                    beneficiaries::preferred_language.eq(None::<String>),
                    beneficiaries::pgp_certificate.eq(None::<String>),
                    beneficiaries::pgp_fingerprint.eq(None::<String>),
                    beneficiaries::key_trust.eq(None::<String>),
                    beneficiaries::key_provenance.eq(None::<String>),
                    beneficiaries::key_pinned_at.eq(None::<chrono::NaiveDateTime>),
                    beneficiaries::key_confirmed_by.eq(None::<String>),
                    beneficiaries::key_confirmed_at.eq(None::<chrono::NaiveDateTime>),
                    beneficiaries::erased_at.eq(at),
                    beneficiaries::updated_at.eq(at),
                ))
                .execute(conn)?;
            diesel::delete(beneficiary_emails::table.filter(beneficiary_emails::beneficiary_id.eq_any(&forgotten)))
                .execute(conn)?;
            diesel::delete(
                crate::schema::beneficiary_words::table
                    .filter(crate::schema::beneficiary_words::beneficiary_id.eq_any(&forgotten)),
            )
            .execute(conn)?;
            diesel::delete(key_changes::table.filter(key_changes::beneficiary_id.eq_any(&forgotten))).execute(conn)?;
            diesel::update(verification_changes::table.filter(verification_changes::beneficiary_id.eq_any(&forgotten)))
                .set(verification_changes::reason.eq(empty))
                .execute(conn)?;
            let owners: Vec<crate::sealing::Owner<'_>> =
                forgotten.iter().map(|id| crate::sealing::Owner::Beneficiary(id)).collect();
            crate::sealing::shred(conn, &owners)?;
        }
        let owner_of: Vec<(String, String)> =
            cases::table.filter(cases::id.eq_any(&ids)).select((cases::id, cases::beneficiary_id)).load(conn)?;
        let erased = serde_json::to_string(ERASED).map_err(|e| StoreError::Archive(e.to_string()))?;
        let rows: Vec<_> = owner_of
            .iter()
            .map(|(case_id, beneficiary)| {
                (
                    erasures::id.eq(new_id()),
                    erasures::case_id.eq(case_id.clone()),
                    erasures::policy.eq(policy_name),
                    erasures::policy_detail.eq(detail.clone()),
                    erasures::requested_by.eq(actor.map(str::to_owned)),
                    erasures::erased.eq(erased.clone()),
                    erasures::beneficiary_erased.eq(forgotten.contains(beneficiary)),
                    erasures::erased_at.eq(at),
                )
            })
            .collect();
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(erasures::table).values(&rows).execute(c)?,
            DbConn::Postgres(c) => diesel::insert_into(erasures::table).values(&rows).execute(c)?,
        };
        let trail: Vec<AuditEventInsertForm> = owner_of
            .iter()
            .map(|(case_id, _)| AuditEventInsertForm {
                id: new_id(),
                occurred_at: at,
                actor_id: actor.map(str::to_owned),
                action: "case.erased".into(),
                case_id: Some(case_id.clone()),
                target_kind: Some("case".into()),
                target_id: Some(case_id.clone()),
                details: serde_json::json!({ "policy": policy_name }).to_string(),
            })
            .collect();
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(audit_events::table).values(&trail).execute(c)?,
            DbConn::Postgres(c) => diesel::insert_into(audit_events::table).values(&trail).execute(c)?,
        };
        Ok(Erased { cases: ids.len(), beneficiaries: forgotten.len() })
    })
}

/// Cases to erase under the retention period: closed before `cutoff`, not yet erased.
pub fn due(conn: &mut DbConn, cutoff: NaiveDateTime, limit: i64) -> StoreResult<Vec<String>> {
    Ok(cases::table
        .filter(cases::status.eq("closed"))
        .filter(cases::closed_at.lt(cutoff))
        .filter(cases::erased_at.is_null())
        .order(cases::closed_at.asc())
        .select(cases::id)
        .limit(limit)
        .load(conn)?)
}

/// One retention pass: erases every case closed more than `closed_case_days` days before
/// `at`, in batches of `batch`. On PostgreSQL only one process runs it at a time (an
/// advisory lock); `None` when another instance holds it.
pub fn run(conn: &mut DbConn, at: NaiveDateTime, closed_case_days: u32, batch: i64) -> StoreResult<Option<Erased>> {
    if closed_case_days == 0 {
        return Ok(Some(Erased::default()));
    }
    let locked = match conn {
        DbConn::Postgres(_) => {
            #[derive(QueryableByName)]
            struct Locked {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                locked: bool,
            }
            let row: Locked = diesel::sql_query(format!("SELECT pg_try_advisory_lock({RETENTION_LOCK}) AS locked"))
                .get_result(conn)?;
            if !row.locked {
                return Ok(None);
            }
            true
        }
        DbConn::Sqlite(_) => false,
    };
    let cutoff = at - chrono::Duration::days(i64::from(closed_case_days));
    let result = (|| {
        let mut total = Erased::default();
        loop {
            let ids = due(conn, cutoff, batch)?;
            if ids.is_empty() {
                return Ok(total);
            }
            let done = erase_cases(conn, &ids, Policy::Retention { closed_case_days })?;
            total.cases += done.cases;
            total.beneficiaries += done.beneficiaries;
        }
    })();
    if locked {
        diesel::sql_query(format!("SELECT pg_advisory_unlock({RETENTION_LOCK})")).execute(conn)?;
    }
    result.map(Some)
}

/// Advisory lock key of the retention run ("RMPRETEN" as a number).
pub const RETENTION_LOCK: i64 = 0x524d_5052_4554_454e;

/// Erases one case on request. The case must be closed (close it first: replies in flight
/// and open work would otherwise lose their context silently).
pub fn erase_on_request(conn: &mut DbConn, case_id: &str, by: &str, reason: &str) -> StoreResult<Erased> {
    let reason = crate::util::required_text("reason", reason, 2000)?;
    let (status, erased_at): (String, Option<NaiveDateTime>) = cases::table
        .filter(cases::id.eq(case_id))
        .select((cases::status, cases::erased_at))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { entity: "case", id: case_id.to_owned() })?;
    if erased_at.is_some() {
        return Err(StoreError::Conflict("the case is already erased".into()));
    }
    if status != "closed" {
        return Err(StoreError::Conflict(format!("the case is {status}: close it before erasing it")));
    }
    erase_cases(conn, &[case_id.to_owned()], Policy::Request { by, reason: &reason })
}
