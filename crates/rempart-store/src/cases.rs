//! Cases: creation with a sequential reference, status transitions, updates with
//! optimistic concurrency, listing, and the full case with everything attached.

use crate::audit::{Audit, AuditEvent};
use crate::beneficiaries::{Beneficiary, BeneficiaryDetail};
use crate::case_items::{Action, CaseLink, Comment, Message, NextStep, RiskAssessment, ThirdParty};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::evidence::Evidence;
use crate::indicators::Indicator;
use crate::rota::DecisionInsertForm;
use crate::schema::{assignment_decisions, case_reference_counters, case_status_changes, cases, users};
use crate::taxonomy::Taxonomy;
use crate::util::{Parsed, if_any, new_id, now, required_text};
use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::{CaseReference, CaseStatus, Priority, Sensitivity, TaxonomyCode, ThreatType, Urgency};
use rempart_rota::Decision;
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
}

impl NewCase {
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
fn bump() -> diesel::dsl::Eq<cases::version, diesel::dsl::Add<cases::version, i32>> {
    cases::version.eq(cases::version + 1)
}

/// Filters of the case list; empty vectors mean "any".
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only cases this user may see: normal ones and restricted ones assigned to them.
    /// `None`: every case (leads, admins, the CLI).
    pub visible_to: Option<String>,
    /// Words to find in the summary or in a message body (case-insensitive).
    pub text: Option<String>,
    pub audience_type: Option<TaxonomyCode>,
    pub verification_status: Option<rempart_core::VerificationStatus>,
    pub statuses: Vec<CaseStatus>,
    pub urgencies: Vec<Urgency>,
    pub priorities: Vec<Priority>,
    pub assignee_id: Option<Option<String>>,
    pub service_type: Option<TaxonomyCode>,
    pub threat_type: Option<ThreatType>,
    pub imminent_risk: Option<bool>,
    pub created_from: Option<NaiveDateTime>,
    pub created_before: Option<NaiveDateTime>,
}

/// Order of the case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseSort {
    #[default]
    NewestFirst,
    OldestFirst,
    RecentlyUpdatedFirst,
    LeastRecentlyUpdatedFirst,
}

impl CaseSort {
    /// `-created_at` (default), `created_at`, `-updated_at`, `updated_at`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "-created_at" => CaseSort::NewestFirst,
            "created_at" => CaseSort::OldestFirst,
            "-updated_at" => CaseSort::RecentlyUpdatedFirst,
            "updated_at" => CaseSort::LeastRecentlyUpdatedFirst,
            _ => return None,
        })
    }

    /// The sort key of a case.
    pub fn key(self, case: &Case) -> NaiveDateTime {
        match self {
            CaseSort::NewestFirst | CaseSort::OldestFirst => case.created_at,
            CaseSort::RecentlyUpdatedFirst | CaseSort::LeastRecentlyUpdatedFirst => case.updated_at,
        }
    }
}

/// Position after the last case of a page: its sort key and id. Keyset pagination, so
/// cases created between two pages neither repeat nor push others out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCursor {
    pub created_at: NaiveDateTime,
    pub id: String,
}

/// A case with everything attached: what a handler opens.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    pub beneficiary: BeneficiaryDetail,
    pub messages: Vec<Message>,
    pub evidence: Vec<Evidence>,
    pub indicators: Vec<Indicator>,
    pub links: Vec<CaseLink>,
    /// Links to cases the reader may not see: only their number, never an id or a kind.
    pub hidden_links: usize,
    pub actions: Vec<Action>,
    pub third_parties: Vec<ThirdParty>,
    pub comments: Vec<Comment>,
    pub next_steps: Vec<NextStep>,
    pub risk_assessments: Vec<RiskAssessment>,
    pub status_history: Vec<StatusChange>,
    /// What needs a handler's attention, derived from the rest: `key_change_pending` (the
    /// beneficiary offered a different key), `reply_needs_key` (a reply is held for want of
    /// a usable key), `reply_held_confirm_key` (a reply written before the pinned key
    /// arrived waits until a handler confirms that key's fingerprint out of band: see the
    /// beneficiary's `pgp_fingerprint` and `key_provenance`), `reply_held_key_change` (a
    /// reply waits for a decision on the pending key change), `reply_failed` (a reply could not be delivered), `bad_signature` (an
    /// inbound message failed its signature check).
    pub flags: Vec<String>,
}

fn case_flags(beneficiary: &BeneficiaryDetail, messages: &[Message]) -> Vec<String> {
    use rempart_core::{DeliveryStatus, KeyChangeStatus, SignatureStatus};
    let mut flags = Vec::new();
    if beneficiary.key_changes.iter().any(|k| k.status == KeyChangeStatus::Pending) {
        flags.push("key_change_pending".to_owned());
    }
    let held: Vec<&Message> = messages.iter().filter(|m| m.delivery_status == Some(DeliveryStatus::NeedsKey)).collect();
    if !held.is_empty() {
        flags.push("reply_needs_key".to_owned());
    }
    let b = &beneficiary.beneficiary;
    if b.key_trust == Some(rempart_core::KeyTrust::Unconfirmed)
        && held.iter().any(|m| b.key_pinned_at.is_some_and(|pinned| m.created_at < pinned))
    {
        flags.push("reply_held_confirm_key".to_owned());
    }
    if !held.is_empty() && beneficiary.key_changes.iter().any(|k| k.status == KeyChangeStatus::Pending) {
        flags.push("reply_held_key_change".to_owned());
    }
    if messages.iter().any(|m| m.delivery_status == Some(DeliveryStatus::Failed)) {
        flags.push("reply_failed".to_owned());
    }
    if messages.iter().any(|m| m.signature_status == SignatureStatus::Bad) {
        flags.push("bad_signature".to_owned());
    }
    flags
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_status_changes)]
struct StatusChangeInsertForm {
    id: String,
    case_id: String,
    from_status: String,
    to_status: String,
    reopen: bool,
    changed_by: Option<String>,
    note: Option<String>,
    changed_at: NaiveDateTime,
}

/// Hands out the next number of `year`, for case creation on SQLite (PostgreSQL numbers
/// within [`InsertNumbered`]). Must run inside the creating write transaction: it holds
/// the database write lock, so a rolled-back creation gives its number back (no gaps, no
/// duplicates).
fn allocate_reference(conn: &mut DbConn, year: i32) -> StoreResult<CaseReference> {
    use case_reference_counters::dsl::{case_reference_counters as counters, last_number, year as year_col};
    // One statement: create the year's counter at 1, or increment it. Upsert with
    // RETURNING exists on both engines, though not through MultiConnection.
    let upsert = diesel::insert_into(counters)
        .values((year_col.eq(year), last_number.eq(1_i64)))
        .on_conflict(year_col)
        .do_update()
        .set(last_number.eq(last_number + 1_i64));
    let number: i64 = match conn {
        DbConn::Sqlite(c) => upsert.returning(last_number).get_result(c)?,
        DbConn::Postgres(c) => upsert.returning(last_number).get_result(c)?,
    };
    CaseReference::new(year, number).map_err(|e| StoreError::Conflict(format!("cannot allocate a case reference: {e}")))
}

/// PostgreSQL: takes the next number of the year, inserts the case under it, its audit
/// event and the decision, in one statement. The counter row stays locked only for this
/// statement (and the caller's commit, when there is an enclosing transaction). A query
/// type of its own rather than `sql_query`, so diesel prepares it once per connection
/// instead of PostgreSQL parsing and planning it on every creation.
struct InsertNumbered<'a> {
    year: i32,
    max: i64,
    form: &'a CaseInsertForm,
    audit_id: String,
    actor: Option<&'a str>,
    details: &'a str,
    /// Always bound (empty without a decision, then not inserted): one text, one
    /// prepared statement, as the query id is the type.
    decision: &'a DecisionInsertForm,
    decided: bool,
}

/// Static: the statement's text never changes, so diesel may cache it by type.
#[derive(Debug)]
struct InsertNumberedId;

impl diesel::query_builder::QueryId for InsertNumbered<'_> {
    type QueryId = InsertNumberedId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for InsertNumbered<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamp};
        let f = self.form;
        out.push_sql("WITH n AS (INSERT INTO case_reference_counters (year, last_number) VALUES (");
        out.push_bind_param::<Integer, _>(&self.year)?;
        out.push_sql(
            ", 1) ON CONFLICT (year) DO UPDATE SET last_number = case_reference_counters.last_number + 1 \
             RETURNING last_number), \
             c AS (INSERT INTO cases (id, reference, beneficiary_id, status, urgency, priority, summary, \
             service_type, threat_type, imminent_risk, sensitivity, assignee_id, created_at, updated_at, version) \
             SELECT ",
        );
        out.push_bind_param::<Text, _>(&f.id)?;
        // Past the last number of the year the reference is NULL and the insert fails:
        // the counter's increment is undone with the rest.
        out.push_sql(", CASE WHEN n.last_number <= ");
        out.push_bind_param::<BigInt, _>(&self.max)?;
        out.push_sql(" THEN 'RMP-' || ");
        out.push_bind_param::<Integer, _>(&self.year)?;
        out.push_sql("::text || '-' || lpad(n.last_number::text, 6, '0') END");
        for text in [&f.beneficiary_id, &f.status, &f.urgency, &f.priority, &f.summary] {
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(text)?;
        }
        for optional in [&f.service_type, &f.threat_type] {
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(optional)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&f.imminent_risk)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&f.sensitivity)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&f.assignee_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&f.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&f.updated_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&f.version)?;
        out.push_sql(
            " FROM n RETURNING reference), \
             a AS (INSERT INTO audit_events (id, occurred_at, actor_id, action, case_id, details) SELECT ",
        );
        out.push_bind_param::<Text, _>(&self.audit_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&f.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&self.actor)?;
        out.push_sql(", 'case.created', ");
        out.push_bind_param::<Text, _>(&f.id)?;
        out.push_sql(", 'reference=' || c.reference || ' ' || ");
        out.push_bind_param::<Text, _>(&self.details)?;
        out.push_sql(" FROM c)");
        let d = self.decision;
        out.push_sql(
            ", d AS (INSERT INTO assignment_decisions \
             (id, case_id, assignee_id, via_standby, alert_leads, reasons, decided_at) SELECT ",
        );
        out.push_bind_param::<Text, _>(&d.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&d.case_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&d.assignee_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&d.via_standby)?;
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&d.alert_leads)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&d.reasons)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&d.decided_at)?;
        out.push_sql(" FROM c WHERE ");
        out.push_bind_param::<Bool, _>(&self.decided)?;
        out.push_sql(")");
        out.push_sql(" SELECT last_number FROM n");
        Ok(())
    }
}

impl diesel::query_builder::Query for InsertNumbered<'_> {
    type SqlType = diesel::sql_types::BigInt;
}

impl RunQueryDsl<PgConnection> for InsertNumbered<'_> {}

fn insert_numbered_postgres(
    pg: &mut PgConnection,
    form: &CaseInsertForm,
    actor: Option<&str>,
    details: &str,
    decision: Option<&DecisionInsertForm>,
) -> StoreResult<CaseReference> {
    let year = form.created_at.year();
    let none;
    let (decision, decided) = match decision {
        Some(d) => (d, true),
        None => {
            none = DecisionInsertForm {
                id: String::new(),
                case_id: form.id.clone(),
                assignee_id: None,
                via_standby: false,
                alert_leads: false,
                reasons: String::new(),
                decided_at: form.created_at,
            };
            (&none, false)
        }
    };
    let query = InsertNumbered {
        year,
        max: i64::from(CaseReference::MAX_NUMBER),
        form,
        audit_id: new_id(),
        actor,
        details,
        decision,
        decided,
    };
    let number: i64 = match query.get_result(pg) {
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::NotNullViolation, info))
            if info.column_name() == Some("reference") =>
        {
            return Err(StoreError::Conflict(format!(
                "cannot allocate a case reference: every number of {year} is taken"
            )));
        }
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, info))
            if info.constraint_name() == Some("cases_beneficiary_id_fkey") =>
        {
            return Err(StoreError::not_found("beneficiary", &form.beneficiary_id));
        }
        other => other?,
    };
    CaseReference::new(year, number).map_err(|e| StoreError::Conflict(format!("cannot allocate a case reference: {e}")))
}

impl Case {
    pub fn create(conn: &mut DbConn, new: NewCase, actor: Option<&str>) -> StoreResult<Case> {
        Case::insert_decided(conn, new, actor, None)
    }

    /// Creates the case and answers its id.
    pub fn insert(conn: &mut DbConn, new: NewCase, actor: Option<&str>) -> StoreResult<String> {
        Ok(Case::insert_decided(conn, new, actor, None)?.id)
    }

    /// Creates the case with its `case.created` audit event and, when the rota decided who
    /// takes it, that decision; answers the case as stored (nothing is read back).
    ///
    /// The reference counter is the one point where creations queue: its row (PostgreSQL)
    /// or the write lock (SQLite) is held from the allocation to the commit. Every check
    /// runs before it; on PostgreSQL the counter, the case, the audit event and the
    /// decision are one statement, so outside a caller's transaction the lock lasts one
    /// round trip instead of six (measured: 39 ms of waiting per creation at 16 clients).
    pub fn insert_decided(
        conn: &mut DbConn,
        new: NewCase,
        actor: Option<&str>,
        decision: Option<&Decision>,
    ) -> StoreResult<Case> {
        let summary = required_text("summary", &new.summary, 10_000)?;
        let at = now();
        let form = CaseInsertForm {
            id: new_id(),
            reference: String::new(),
            beneficiary_id: new.beneficiary_id.clone(),
            status: CaseStatus::New.into(),
            urgency: new.urgency.into(),
            priority: new.priority.into(),
            summary,
            service_type: new.service_type.as_ref().map(|s| s.as_str().to_owned()),
            threat_type: new.threat_type.map(String::from),
            imminent_risk: new.imminent_risk,
            sensitivity: new.sensitivity.into(),
            assignee_id: new.assignee_id.clone(),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let details = format!("urgency={} imminent_risk={}", new.urgency, new.imminent_risk);
        let decision = decision.map(|d| DecisionInsertForm::new(&form.id, d, at));
        let checks = |conn: &mut DbConn, beneficiary: bool| -> StoreResult<()> {
            if beneficiary {
                Beneficiary::ensure_exists(conn, &new.beneficiary_id)?;
            }
            Taxonomy::Service.ensure_active(conn, new.service_type.as_ref())?;
            // An assignee the rota just chose was read active a moment ago (its foreign
            // key still holds); any other is checked.
            let chosen = decision.as_ref().and_then(|d| d.assignee_id.as_ref());
            if let Some(assignee) = new.assignee_id.as_ref().filter(|a| Some(*a) != chosen) {
                ensure_active_user(conn, assignee)?;
            }
            Ok(())
        };
        if conn.backend() == crate::Backend::Postgres {
            // Checked before the numbering statement; a row removed in between still fails
            // on its foreign key, and the statement commits all or nothing. The beneficiary
            // is left to its foreign key (named in the error): one query less.
            checks(conn, false)?;
        }
        let reference = match conn {
            DbConn::Postgres(pg) => insert_numbered_postgres(pg, &form, actor, &details, decision.as_ref())?,
            DbConn::Sqlite(_) => conn.write(|conn| {
                checks(conn, true)?;
                let reference = allocate_reference(conn, at.year())?;
                let form = CaseInsertForm { reference: reference.to_string(), ..form.clone() };
                diesel::insert_into(cases::table).values(&form).execute(conn)?;
                AuditEvent::record(
                    conn,
                    Audit {
                        actor,
                        action: "case.created",
                        case_id: Some(&form.id),
                        details: format!("reference={reference} {details}"),
                        ..Default::default()
                    },
                )?;
                if let Some(d) = &decision {
                    diesel::insert_into(assignment_decisions::table).values(d).execute(conn)?;
                }
                Ok::<_, StoreError>(reference)
            })?,
        };
        Ok(Case {
            id: form.id,
            reference,
            beneficiary_id: form.beneficiary_id,
            status: CaseStatus::New,
            urgency: new.urgency,
            priority: new.priority,
            summary: form.summary,
            service_type: new.service_type,
            threat_type: new.threat_type,
            imminent_risk: new.imminent_risk,
            sensitivity: new.sensitivity,
            assignee_id: new.assignee_id,
            created_at: at,
            updated_at: at,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            version: 1,
        })
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<Case> {
        cases::table
            .find(id)
            .select(Case::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("case", id))
    }

    pub fn get_by_reference(conn: &mut DbConn, reference: &CaseReference) -> StoreResult<Case> {
        cases::table
            .filter(cases::reference.eq(reference.to_string()))
            .select(Case::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("case", reference))
    }

    /// A page of cases, newest first, after `cursor`.
    pub fn list(
        conn: &mut DbConn,
        filter: &CaseFilter,
        cursor: Option<&CaseCursor>,
        limit: i64,
    ) -> StoreResult<Vec<Case>> {
        Case::list_sorted(conn, filter, CaseSort::NewestFirst, cursor, limit)
    }

    /// A page of cases in `sort` order, after `cursor` (the sort key and id of the last
    /// case of the previous page).
    pub fn list_sorted(
        conn: &mut DbConn,
        filter: &CaseFilter,
        sort: CaseSort,
        cursor: Option<&CaseCursor>,
        limit: i64,
    ) -> StoreResult<Vec<Case>> {
        use crate::schema::{beneficiaries, messages};
        let mut query = cases::table.select(Case::as_select()).into_boxed();
        if let Some(viewer) = &filter.visible_to {
            query = query
                .filter(cases::sensitivity.eq(Sensitivity::Normal.as_str()).or(cases::assignee_id.eq(viewer.clone())));
        }
        if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            let in_messages = messages::table
                .filter(lower(messages::body).like(pattern.clone()).escape('\\'))
                .select(messages::case_id);
            query = query.filter(lower(cases::summary).like(pattern).escape('\\').or(cases::id.eq_any(in_messages)));
        }
        if let Some(a) = &filter.audience_type {
            let of_audience = beneficiaries::table
                .filter(beneficiaries::audience_type.eq(a.as_str().to_owned()))
                .select(beneficiaries::id);
            query = query.filter(cases::beneficiary_id.eq_any(of_audience));
        }
        if let Some(v) = filter.verification_status {
            let with_status = beneficiaries::table
                .filter(beneficiaries::verification_status.eq(v.as_str()))
                .select(beneficiaries::id);
            query = query.filter(cases::beneficiary_id.eq_any(with_status));
        }
        // One value is compared with `=`, not `= ANY(array)`: PostgreSQL then walks the
        // (status, urgency, created_at, id) index in order and stops after a page, where
        // with an array it scanned the creation-time index and filtered (0.1 ms against
        // 12 ms over 100,000 cases).
        match filter.statuses.as_slice() {
            [] => {}
            [one] => query = query.filter(cases::status.eq(one.as_str())),
            many => query = query.filter(cases::status.eq_any(many.iter().map(|s| s.as_str()))),
        }
        match filter.urgencies.as_slice() {
            [] => {}
            [one] => query = query.filter(cases::urgency.eq(one.as_str())),
            many => query = query.filter(cases::urgency.eq_any(many.iter().map(|s| s.as_str()))),
        }
        match filter.priorities.as_slice() {
            [] => {}
            [one] => query = query.filter(cases::priority.eq(one.as_str())),
            many => query = query.filter(cases::priority.eq_any(many.iter().map(|s| s.as_str()))),
        }
        match &filter.assignee_id {
            Some(Some(a)) => query = query.filter(cases::assignee_id.eq(a.clone())),
            Some(None) => query = query.filter(cases::assignee_id.is_null()),
            None => {}
        }
        if let Some(s) = &filter.service_type {
            query = query.filter(cases::service_type.eq(s.as_str().to_owned()));
        }
        if let Some(t) = filter.threat_type {
            query = query.filter(cases::threat_type.eq(t.as_str()));
        }
        if let Some(r) = filter.imminent_risk {
            query = query.filter(cases::imminent_risk.eq(r));
        }
        if let Some(from) = filter.created_from {
            query = query.filter(cases::created_at.ge(from));
        }
        if let Some(before) = filter.created_before {
            query = query.filter(cases::created_at.lt(before));
        }
        query = match (sort, cursor) {
            (CaseSort::NewestFirst, c) => {
                if let Some(c) = c {
                    query = query.filter(
                        cases::created_at
                            .lt(c.created_at)
                            .or(cases::created_at.eq(c.created_at).and(cases::id.lt(c.id.clone()))),
                    );
                }
                query.order((cases::created_at.desc(), cases::id.desc()))
            }
            (CaseSort::OldestFirst, c) => {
                if let Some(c) = c {
                    query = query.filter(
                        cases::created_at
                            .gt(c.created_at)
                            .or(cases::created_at.eq(c.created_at).and(cases::id.gt(c.id.clone()))),
                    );
                }
                query.order((cases::created_at.asc(), cases::id.asc()))
            }
            (CaseSort::RecentlyUpdatedFirst, c) => {
                if let Some(c) = c {
                    query = query.filter(
                        cases::updated_at
                            .lt(c.created_at)
                            .or(cases::updated_at.eq(c.created_at).and(cases::id.lt(c.id.clone()))),
                    );
                }
                query.order((cases::updated_at.desc(), cases::id.desc()))
            }
            (CaseSort::LeastRecentlyUpdatedFirst, c) => {
                if let Some(c) = c {
                    query = query.filter(
                        cases::updated_at
                            .gt(c.created_at)
                            .or(cases::updated_at.eq(c.created_at).and(cases::id.gt(c.id.clone()))),
                    );
                }
                query.order((cases::updated_at.asc(), cases::id.asc()))
            }
        };
        Ok(query.limit(limit.clamp(1, 1000)).load(conn)?)
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
            diesel::insert_into(case_status_changes::table)
                .values(&StatusChangeInsertForm {
                    id: new_id(),
                    case_id: id.to_owned(),
                    from_status: case.status.into(),
                    to_status: to.into(),
                    reopen: transition.is_reopen(),
                    changed_by: actor.map(str::to_owned),
                    note,
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
                summary,
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

    /// The detail of a case just created (as [`Case::insert_decided`] answers it) for
    /// `beneficiary`: nothing is attached to it yet, so nothing needs reading.
    pub fn detail_of_new(case: Case, beneficiary: BeneficiaryDetail) -> CaseDetail {
        CaseDetail {
            flags: case_flags(&beneficiary, &[]),
            case,
            beneficiary,
            messages: Vec::new(),
            evidence: Vec::new(),
            indicators: Vec::new(),
            links: Vec::new(),
            hidden_links: 0,
            actions: Vec::new(),
            third_parties: Vec::new(),
            comments: Vec::new(),
            next_steps: Vec::new(),
            risk_assessments: Vec::new(),
            status_history: Vec::new(),
        }
    }

    /// Everything recorded on a case.
    pub fn detail(conn: &mut DbConn, id: &str) -> StoreResult<CaseDetail> {
        let case = Case::get(conn, id)?;
        Case::detail_of(conn, case)
    }

    /// Everything recorded on a case already read.
    pub fn detail_of(conn: &mut DbConn, case: Case) -> StoreResult<CaseDetail> {
        use crate::schema::{
            actions, case_links, comments, evidence, indicators, messages, next_steps, risk_assessments, third_parties,
        };
        use diesel::dsl::exists;
        let id = case.id.clone();
        let id = id.as_str();
        let beneficiary = Beneficiary::detail(conn, &case.beneficiary_id)?;
        // One query tells which kinds of item the case has, and only those are read: a case
        // rarely has all ten, and each read is a round trip to the database (a case with
        // messages and indicators: 5 queries instead of 14).
        let (history, msgs, files, iocs, links, acts, parties, notes, steps, risks): (
            bool,
            bool,
            bool,
            bool,
            bool,
            bool,
            bool,
            bool,
            bool,
            bool,
        ) = diesel::select((
            exists(case_status_changes::table.filter(case_status_changes::case_id.eq(id))),
            exists(messages::table.filter(messages::case_id.eq(id))),
            exists(evidence::table.filter(evidence::case_id.eq(id))),
            exists(indicators::table.filter(indicators::case_id.eq(id))),
            exists(case_links::table.filter(case_links::source_case_id.eq(id).or(case_links::target_case_id.eq(id)))),
            exists(actions::table.filter(actions::case_id.eq(id))),
            exists(third_parties::table.filter(third_parties::case_id.eq(id))),
            exists(comments::table.filter(comments::case_id.eq(id))),
            exists(next_steps::table.filter(next_steps::case_id.eq(id))),
            exists(risk_assessments::table.filter(risk_assessments::case_id.eq(id))),
        ))
        .get_result(conn)?;
        let status_history = if_any(history, || {
            Ok(case_status_changes::table
                .filter(case_status_changes::case_id.eq(id))
                .order((case_status_changes::changed_at.asc(), case_status_changes::id.asc()))
                .select(StatusChange::as_select())
                .load(conn)?)
        })?;
        let messages = if_any(msgs, || Message::for_case(conn, id))?;
        Ok(CaseDetail {
            flags: case_flags(&beneficiary, &messages),
            messages,
            evidence: if_any(files, || Evidence::for_case(conn, id))?,
            indicators: if_any(iocs, || Indicator::for_case(conn, id))?,
            links: if_any(links, || CaseLink::for_case(conn, id))?,
            hidden_links: 0,
            actions: if_any(acts, || Action::for_case(conn, id))?,
            third_parties: if_any(parties, || ThirdParty::for_case(conn, id))?,
            comments: if_any(notes, || Comment::for_case(conn, id))?,
            next_steps: if_any(steps, || NextStep::for_case(conn, id))?,
            risk_assessments: if_any(risks, || RiskAssessment::for_case(conn, id))?,
            status_history,
            beneficiary,
            case,
        })
    }

    /// Marks the first response to the beneficiary, once.
    pub(crate) fn mark_first_response(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> StoreResult<()> {
        diesel::update(cases::table.find(id).filter(cases::first_response_at.is_null()))
            .set(cases::first_response_at.eq(Some(at)))
            .execute(conn)?;
        Ok(())
    }

    /// Bumps the case's version and update time after something was attached to it.
    pub(crate) fn touch(conn: &mut DbConn, id: &str) -> StoreResult<()> {
        let changed = diesel::update(cases::table.find(id)).set((cases::updated_at.eq(now()), bump())).execute(conn)?;
        if changed == 0 {
            return Err(StoreError::not_found("case", id));
        }
        Ok(())
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

fn ensure_active_user(conn: &mut DbConn, id: &str) -> StoreResult<()> {
    let active: Option<bool> = users::table.find(id).select(users::active).first(conn).optional()?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(StoreError::invalid("assignee_id", "the user is disabled")),
        None => Err(StoreError::invalid("assignee_id", format!("no user `{id}`"))),
    }
}
