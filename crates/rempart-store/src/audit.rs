//! The audit trail: who did what to which case, when.

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::audit_events;
use crate::util::{new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: String,
    #[serde(with = "rempart_core::utc")]
    pub occurred_at: NaiveDateTime,
    /// The staff member who acted; `None` for the system (mail gateway, timers).
    pub actor_id: Option<String>,
    /// Stable dotted name such as `case.created` or `case.status_changed`.
    pub action: String,
    pub case_id: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// Short structured description; never message bodies or other case content.
    pub details: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventInsertForm {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub details: String,
}

/// What to record: built by each write, inserted in the write's transaction.
#[derive(Debug, Clone, Default)]
pub struct Audit<'a> {
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub case_id: Option<&'a str>,
    pub target: Option<(&'a str, &'a str)>,
    pub details: String,
}

impl AuditEvent {
    pub fn record(conn: &mut DbConn, audit: Audit<'_>) -> StoreResult<()> {
        let form = AuditEventInsertForm {
            id: new_id(),
            occurred_at: now(),
            actor_id: audit.actor.map(str::to_owned),
            action: audit.action.to_owned(),
            case_id: audit.case_id.map(str::to_owned),
            target_kind: audit.target.map(|(k, _)| k.to_owned()),
            target_id: audit.target.map(|(_, id)| id.to_owned()),
            details: audit.details,
        };
        diesel::insert_into(audit_events::table).values(&form).execute(conn)?;
        Ok(())
    }

    /// The trail of one case, oldest first.
    pub fn for_case(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<AuditEvent>> {
        Ok(audit_events::table
            .filter(audit_events::case_id.eq(case_id))
            .order((audit_events::occurred_at.asc(), audit_events::id.asc()))
            .select(AuditEvent::as_select())
            .load(conn)?)
    }

    /// The trail of one target (a beneficiary, a quarantined message ...), oldest first.
    pub fn for_target(conn: &mut DbConn, kind: &str, id: &str) -> StoreResult<Vec<AuditEvent>> {
        Ok(audit_events::table
            .filter(audit_events::target_kind.eq(kind))
            .filter(audit_events::target_id.eq(id))
            .order((audit_events::occurred_at.asc(), audit_events::id.asc()))
            .select(AuditEvent::as_select())
            .load(conn)?)
    }
}
