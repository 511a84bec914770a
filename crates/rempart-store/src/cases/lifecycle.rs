//! A case's life after creation: reads by id or reference, status transitions, changes
//! with optimistic concurrency, assignment, counts.

use super::model::*;
use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{case_status_changes, cases};
use crate::sealing::Owner;
use crate::taxonomy::Taxonomy;
use crate::util::{new_id, now, required_text};
use diesel::prelude::*;
use rempart_core::{CaseReference, CaseStatus};

fn open_with_wrapped(row: Case, wrapped: Option<&str>) -> StoreResult<Case> {
    use crate::sealing::Protected;
    let key = crate::sealing::case_key_from(&row.id, wrapped)?;
    row.open_with(key.as_ref())
}

/// What [`Case::access_of`] reads of a case, parsed as [`Case`] parses it.
#[derive(Queryable)]
struct CaseAccess {
    id: String,
    #[diesel(deserialize_as = String)]
    sensitivity: rempart_core::Sensitivity,
    assignee_id: Option<String>,
}

impl Case {
    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<Case> {
        let (row, wrapped): (Case, Option<String>) = cases::table
            .find(id)
            .select((Case::as_select(), crate::sealing::wrapped_case_key()))
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("case", id))?;
        open_with_wrapped(row, wrapped.as_deref())
    }

    pub fn get_by_reference(conn: &mut DbConn, reference: &CaseReference) -> StoreResult<Case> {
        let (row, wrapped): (Case, Option<String>) = cases::table
            .filter(cases::reference.eq(reference.to_string()))
            .select((Case::as_select(), crate::sealing::wrapped_case_key()))
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("case", reference))?;
        open_with_wrapped(row, wrapped.as_deref())
    }

    /// What decides who may see each of these cases: its sensitivity and its assignee, in
    /// one query, nothing sealed read. A case that does not exist is absent.
    pub fn access_of(
        conn: &mut DbConn,
        ids: &[&str],
    ) -> StoreResult<std::collections::HashMap<String, (rempart_core::Sensitivity, Option<String>)>> {
        let mut access = std::collections::HashMap::with_capacity(ids.len());
        // In chunks: SQLite binds each id (an indicator met in thousands of cases).
        for chunk in ids.chunks(500) {
            let rows: Vec<CaseAccess> = cases::table
                .filter(cases::id.eq_any(chunk))
                .select((cases::id, cases::sensitivity, cases::assignee_id))
                .load(conn)?;
            access.extend(rows.into_iter().map(|r| (r.id, (r.sensitivity, r.assignee_id))));
        }
        Ok(access)
    }

    /// Moves a case through the state machine, recording the change (and a reopen).
    pub fn transition(
        conn: &mut DbConn,
        id: &str,
        to: CaseStatus,
        note: Option<&str>,
        actor: Option<&str>,
    ) -> StoreResult<Case> {
        let note = crate::util::optional_text("note", note, 2000)?;
        conn.write(|conn| {
            let case = Case::get(conn, id)?;
            let transition = case.status.transition(to)?;
            let at = now();
            let mut form = CaseUpdateForm { status: Some(to.into()), updated_at: Some(at), ..Default::default() };
            match to {
                CaseStatus::Resolved => form.resolved_at = Some(Some(at)),
                CaseStatus::Closed => form.closed_at = Some(Some(at)),
                CaseStatus::Open if transition.is_reopen() => {
                    form.resolved_at = Some(None);
                    form.closed_at = Some(None);
                }
                _ => {}
            }
            let changed = diesel::update(cases::table.find(id).filter(cases::version.eq(case.version)))
                .set((&form, bump()))
                .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::VersionMismatch { expected: case.version });
            }
            let change = new_id();
            let key = crate::sealing::key(conn, Owner::Case(id))?;
            diesel::insert_into(case_status_changes::table)
                .values(&StatusChangeInsertForm {
                    id: change.clone(),
                    case_id: id.to_owned(),
                    from_status: case.status.into(),
                    to_status: to.into(),
                    reopen: transition.is_reopen(),
                    changed_by: actor.map(str::to_owned),
                    note: key.seal_opt("case_status_changes", "note", &change, note.as_deref()),
                    changed_at: at,
                })
                .execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: if transition.is_reopen() { "case.reopened" } else { "case.status_changed" },
                    case_id: Some(id),
                    details: format!("from={} to={to}", case.status),
                    ..Default::default()
                },
            )?;
            Case::get(conn, id)
        })
    }

    /// Applies triage changes if the case is still at `expected_version` (else
    /// [`StoreError::VersionMismatch`]); `None` skips the check.
    pub fn update(
        conn: &mut DbConn,
        id: &str,
        changes: CaseChanges,
        expected_version: Option<i32>,
        actor: Option<&str>,
    ) -> StoreResult<Case> {
        let summary = changes.summary.as_deref().map(|s| required_text("summary", s, 10_000)).transpose()?;
        conn.write(|conn| {
            let case = Case::get(conn, id)?;
            let version = expected_version.unwrap_or(case.version);
            if case.version != version {
                return Err(StoreError::VersionMismatch { expected: version });
            }
            if let Some(Some(code)) = &changes.service_type {
                Taxonomy::Service.ensure_active(conn, Some(code))?;
            }
            let mut fields = Vec::new();
            for (name, set) in [
                ("summary", summary.is_some()),
                ("urgency", changes.urgency.is_some()),
                ("priority", changes.priority.is_some()),
                ("service_type", changes.service_type.is_some()),
                ("threat_type", changes.threat_type.is_some()),
                ("imminent_risk", changes.imminent_risk.is_some()),
                ("sensitivity", changes.sensitivity.is_some()),
            ] {
                if set {
                    fields.push(name);
                }
            }
            let form = CaseUpdateForm {
                summary: match &summary {
                    Some(text) => Some(crate::sealing::key(conn, Owner::Case(id))?.seal("cases", "summary", id, text)),
                    None => None,
                },
                urgency: changes.urgency.map(String::from),
                priority: changes.priority.map(String::from),
                service_type: changes.service_type.map(|o| o.map(String::from)),
                threat_type: changes.threat_type.map(|o| o.map(String::from)),
                imminent_risk: changes.imminent_risk,
                sensitivity: changes.sensitivity.map(String::from),
                updated_at: Some(now()),
                ..Default::default()
            };
            let changed = diesel::update(cases::table.find(id).filter(cases::version.eq(version)))
                .set((&form, bump()))
                .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::VersionMismatch { expected: version });
            }
            if fields.contains(&"summary") {
                crate::case_words::reindex(conn, id)?;
            }
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "case.updated",
                    case_id: Some(id),
                    details: format!("fields={}", fields.join(",")),
                    ..Default::default()
                },
            )?;
            Case::get(conn, id)
        })
    }

    /// Gives the case to `assignee` (or nobody), recording who did it and why.
    pub fn assign(
        conn: &mut DbConn,
        id: &str,
        assignee: Option<&str>,
        reason: &str,
        actor: Option<&str>,
    ) -> StoreResult<Case> {
        let reason = required_text("reason", reason, 2000)?;
        conn.write(|conn| {
            let case = Case::get(conn, id)?;
            if let Some(a) = assignee {
                ensure_active_user(conn, a)?;
            }
            let form = CaseUpdateForm {
                assignee_id: Some(assignee.map(str::to_owned)),
                updated_at: Some(now()),
                ..Default::default()
            };
            diesel::update(cases::table.find(id)).set((&form, bump())).execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "case.assigned",
                    case_id: Some(id),
                    target: assignee.map(|a| ("user", a)),
                    details: format!("from={} reason={reason}", case.assignee_id.as_deref().unwrap_or("-")),
                },
            )?;
            Case::get(conn, id)
        })
    }

    /// How many cases stand in each status (statuses without a case are absent).
    pub fn count_by_status(conn: &mut DbConn) -> StoreResult<Vec<(CaseStatus, i64)>> {
        let rows: Vec<(String, i64)> =
            cases::table.group_by(cases::status).select((cases::status, diesel::dsl::count_star())).load(conn)?;
        rows.into_iter()
            .map(|(s, n)| {
                CaseStatus::parse(&s)
                    .map(|s| (s, n))
                    .map_err(|e| StoreError::Database(diesel::result::Error::DeserializationError(e.into())))
            })
            .collect()
    }

    pub fn count(conn: &mut DbConn) -> StoreResult<i64> {
        Ok(cases::table.count().get_result(conn)?)
    }
}
