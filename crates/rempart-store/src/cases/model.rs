//! The case row and the forms that write it.

use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{case_status_changes, cases, users};
use crate::util::Parsed;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{CaseReference, CaseStatus, Priority, Sensitivity, TaxonomyCode, ThreatType, Urgency};
use serde::Serialize;

diesel::define_sql_function! {
    /// SQL `lower()`, on both engines.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = cases)]
pub struct Case {
    pub id: String,
    #[diesel(deserialize_as = String)]
    pub reference: CaseReference,
    pub beneficiary_id: String,
    #[diesel(deserialize_as = String)]
    pub status: CaseStatus,
    #[diesel(deserialize_as = String)]
    pub urgency: Urgency,
    #[diesel(deserialize_as = String)]
    pub priority: Priority,
    pub summary: String,
    #[diesel(deserialize_as = Parsed<TaxonomyCode>)]
    pub service_type: Option<TaxonomyCode>,
    #[diesel(deserialize_as = Parsed<ThreatType>)]
    pub threat_type: Option<ThreatType>,
    pub imminent_risk: bool,
    #[diesel(deserialize_as = String)]
    pub sensitivity: Sensitivity,
    pub assignee_id: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc")]
    pub updated_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc::option")]
    pub first_response_at: Option<NaiveDateTime>,
    #[serde(with = "rempart_core::utc::option")]
    pub resolved_at: Option<NaiveDateTime>,
    #[serde(with = "rempart_core::utc::option")]
    pub closed_at: Option<NaiveDateTime>,
    /// Bumped by every change; the API's ETag.
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = case_status_changes)]
pub struct StatusChange {
    pub id: String,
    pub case_id: String,
    #[diesel(deserialize_as = String)]
    pub from_status: CaseStatus,
    #[diesel(deserialize_as = String)]
    pub to_status: CaseStatus,
    pub reopen: bool,
    pub changed_by: Option<String>,
    pub note: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub changed_at: NaiveDateTime,
}

/// What intake knows about a new case.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub beneficiary_id: String,
    pub summary: String,
    pub urgency: Urgency,
    pub priority: Priority,
    pub service_type: Option<TaxonomyCode>,
    pub threat_type: Option<ThreatType>,
    pub imminent_risk: bool,
    pub sensitivity: Sensitivity,
    pub assignee_id: Option<String>,
    /// Someone new, written with the case (their id is `beneficiary_id`): on PostgreSQL in
    /// the case's one statement, so that nobody waits for a longer transaction.
    pub new_beneficiary: Option<crate::beneficiaries::BeneficiaryRows>,
}

impl NewCase {
    /// A case for someone new, written with them.
    pub fn for_new_beneficiary(rows: crate::beneficiaries::BeneficiaryRows, summary: impl Into<String>) -> Self {
        Self { new_beneficiary: Some(rows.clone()), ..Self::new(rows.id(), summary) }
    }

    /// A case with intake defaults: medium urgency, P3, normal sensitivity, unassigned.
    pub fn new(beneficiary_id: impl Into<String>, summary: impl Into<String>) -> Self {
        Self {
            beneficiary_id: beneficiary_id.into(),
            summary: summary.into(),
            urgency: Urgency::Medium,
            priority: Priority::P3,
            service_type: None,
            threat_type: None,
            imminent_risk: false,
            sensitivity: Sensitivity::Normal,
            assignee_id: None,
            new_beneficiary: None,
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cases)]
pub struct CaseInsertForm {
    pub id: String,
    pub reference: String,
    pub beneficiary_id: String,
    pub status: String,
    pub urgency: String,
    pub priority: String,
    pub summary: String,
    pub service_type: Option<String>,
    pub threat_type: Option<String>,
    pub imminent_risk: bool,
    pub sensitivity: String,
    pub assignee_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// Triage changes to a case. `Some(None)` clears an optional field. Status and assignee
/// have their own calls (state machine, assignment record).
#[derive(Debug, Clone, Default)]
pub struct CaseChanges {
    pub summary: Option<String>,
    pub urgency: Option<Urgency>,
    pub priority: Option<Priority>,
    pub service_type: Option<Option<TaxonomyCode>>,
    pub threat_type: Option<Option<ThreatType>>,
    pub imminent_risk: Option<bool>,
    pub sensitivity: Option<Sensitivity>,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CaseUpdateForm {
    pub summary: Option<String>,
    pub urgency: Option<String>,
    pub priority: Option<String>,
    pub service_type: Option<Option<String>>,
    pub threat_type: Option<Option<String>>,
    pub imminent_risk: Option<bool>,
    pub sensitivity: Option<String>,
    pub assignee_id: Option<Option<String>>,
    pub status: Option<String>,
    pub first_response_at: Option<Option<NaiveDateTime>>,
    pub resolved_at: Option<Option<NaiveDateTime>>,
    pub closed_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Every change of a case bumps its version in SQL (`version = version + 1`), never to a
/// value read earlier: two concurrent writes never leave two states under one ETag.
pub(super) fn bump() -> diesel::dsl::Eq<cases::version, diesel::dsl::Add<cases::version, i32>> {
    cases::version.eq(cases::version + 1)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_status_changes)]
pub(super) struct StatusChangeInsertForm {
    pub(super) id: String,
    pub(super) case_id: String,
    pub(super) from_status: String,
    pub(super) to_status: String,
    pub(super) reopen: bool,
    pub(super) changed_by: Option<String>,
    pub(super) note: Option<String>,
    pub(super) changed_at: NaiveDateTime,
}

pub(super) fn ensure_active_user(conn: &mut DbConn, id: &str) -> StoreResult<()> {
    let active: Option<bool> = users::table.find(id).select(users::active).first(conn).optional()?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(StoreError::invalid("assignee_id", "the user is disabled")),
        None => Err(StoreError::invalid("assignee_id", format!("no user `{id}`"))),
    }
}

impl crate::sealing::Protected for Case {
    fn open_with(mut self, key: Option<&crate::sealing::Sealer>) -> crate::error::StoreResult<Self> {
        crate::sealing::open_field(key, "cases", "summary", &self.id, &mut self.summary)?;
        Ok(self)
    }
}

impl crate::sealing::Protected for StatusChange {
    fn open_with(mut self, key: Option<&crate::sealing::Sealer>) -> crate::error::StoreResult<Self> {
        crate::sealing::open_field_opt(key, "case_status_changes", "note", &self.id, &mut self.note)?;
        Ok(self)
    }
}
