//! Creation: the sequential reference of the year (on PostgreSQL numbered within the
//! insert statement), the case, its first status and its assignment decision.

use super::model::*;
use crate::audit::{Audit, AuditEvent};
use crate::beneficiaries::{Beneficiary, BeneficiaryRows, SealedRows};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::rota::DecisionInsertForm;
use crate::schema::{assignment_decisions, case_reference_counters, cases};
use crate::taxonomy::Taxonomy;
use crate::util::{new_id, now, required_text};
use chrono::Datelike;
use diesel::prelude::*;
use rempart_core::{CaseReference, CaseStatus};
use rempart_rota::Decision;

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
struct InsertNumbered<'a, const NEW: bool> {
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
    /// Someone new written with the case, in the same statement (`NEW`: a statement of
    /// its own, prepared once as the other is).
    beneficiary: Option<NewRows<'a>>,
}

/// A new beneficiary's rows as the statement binds them (the addresses as arrays).
struct NewRows<'a> {
    rows: &'a SealedRows,
    /// The id of the `beneficiary.created` audit event.
    audit_id: String,
    email_ids: Vec<&'a str>,
    email_addresses: Vec<&'a str>,
    email_tokens: Vec<Option<&'a str>>,
    email_primary: Vec<bool>,
}

/// Static: each statement's text never changes, so diesel may cache it by type.
#[derive(Debug)]
struct InsertNumberedId<const NEW: bool>;

impl<const NEW: bool> diesel::query_builder::QueryId for InsertNumbered<'_, NEW> {
    type QueryId = InsertNumberedId<NEW>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const NEW: bool> diesel::query_builder::QueryFragment<diesel::pg::Pg> for InsertNumbered<'_, NEW> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text, Timestamp};
        let f = self.form;
        out.push_sql("WITH ");
        if let Some(new) = &self.beneficiary {
            let b = new.rows;
            out.push_sql(
                "b AS (INSERT INTO beneficiaries (id, display_name, verification_status, audience_type, \
             preferred_language, created_at, updated_at) SELECT ",
            );
            out.push_bind_param::<Text, _>(&b.form.id)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&b.form.display_name)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&b.form.verification_status)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&b.form.audience_type)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&b.form.preferred_language)?;
            out.push_sql(", ");
            out.push_bind_param::<Timestamp, _>(&b.form.created_at)?;
            out.push_sql(", ");
            out.push_bind_param::<Timestamp, _>(&b.form.updated_at)?;
            out.push_sql(
                " RETURNING id), \
             e AS (INSERT INTO beneficiary_emails (id, beneficiary_id, address, address_token, is_primary, \
             created_at) SELECT e.id, b.id, e.address, e.address_token, e.is_primary, ",
            );
            out.push_bind_param::<Timestamp, _>(&b.form.created_at)?;
            out.push_sql(" FROM b, unnest(");
            out.push_bind_param::<Array<Text>, _>(&new.email_ids)?;
            out.push_sql(", ");
            out.push_bind_param::<Array<Text>, _>(&new.email_addresses)?;
            out.push_sql(", ");
            out.push_bind_param::<Array<Nullable<Text>>, _>(&new.email_tokens)?;
            out.push_sql(", ");
            out.push_bind_param::<Array<Bool>, _>(&new.email_primary)?;
            out.push_sql(
                ") AS e (id, address, address_token, is_primary)), \
             v AS (INSERT INTO verification_changes (id, beneficiary_id, from_status, to_status, changed_by, \
             reason, changed_at) SELECT ",
            );
            out.push_bind_param::<Text, _>(&b.verification.id)?;
            out.push_sql(", b.id, NULL, ");
            out.push_bind_param::<Text, _>(&b.verification.to_status)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&b.verification.changed_by)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&b.verification.reason)?;
            out.push_sql(", ");
            out.push_bind_param::<Timestamp, _>(&b.verification.changed_at)?;
            out.push_sql(
                " FROM b), \
             ba AS (INSERT INTO audit_events (id, occurred_at, actor_id, action, target_kind, target_id, details) \
             SELECT ",
            );
            out.push_bind_param::<Text, _>(&new.audit_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Timestamp, _>(&b.form.created_at)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&b.verification.changed_by)?;
            out.push_sql(", 'beneficiary.created', 'beneficiary', b.id, '' FROM b), ");
        }
        out.push_sql("n AS (INSERT INTO case_reference_counters (year, last_number) VALUES (");
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

impl<const NEW: bool> diesel::query_builder::Query for InsertNumbered<'_, NEW> {
    type SqlType = diesel::sql_types::BigInt;
}

impl<const NEW: bool> RunQueryDsl<PgConnection> for InsertNumbered<'_, NEW> {}

fn insert_numbered_postgres(
    pg: &mut PgConnection,
    form: &CaseInsertForm,
    actor: Option<&str>,
    details: &str,
    decision: Option<&DecisionInsertForm>,
    beneficiary: Option<&SealedRows>,
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
    let new = beneficiary.map(|rows| NewRows {
        rows,
        audit_id: new_id(),
        email_ids: rows.emails.iter().map(|row| row.id.as_str()).collect(),
        email_addresses: rows.emails.iter().map(|row| row.address.as_str()).collect(),
        email_tokens: rows.emails.iter().map(|row| row.address_token.as_deref()).collect(),
        email_primary: rows.emails.iter().map(|row| row.is_primary).collect(),
    });
    let max = i64::from(CaseReference::MAX_NUMBER);
    let (audit_id, with_new) = (new_id(), new.is_some());
    let result = if with_new {
        InsertNumbered::<true> { year, max, form, audit_id, actor, details, decision, decided, beneficiary: new }
            .get_result::<i64>(pg)
    } else {
        InsertNumbered::<false> { year, max, form, audit_id, actor, details, decision, decided, beneficiary: None }
            .get_result::<i64>(pg)
    };
    let number: i64 = match result {
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, info))
            if info.table_name() == Some("beneficiary_emails") =>
        {
            return Err(BeneficiaryRows::address_taken());
        }
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
        let id = new_id();
        // The case's data key (and a new beneficiary's) is made first, on its own: on
        // PostgreSQL the case is one statement. If the creation fails, the keys (of a case
        // and a beneficiary that never were) go.
        let key = crate::sealing::fresh_key(conn, crate::sealing::Owner::Case(&id))?;
        let beneficiary = new.new_beneficiary.as_ref().map(|rows| rows.sealed(conn)).transpose()?;
        let form = CaseInsertForm {
            summary: key.seal("cases", "summary", &id, &summary),
            id,
            reference: String::new(),
            beneficiary_id: new.beneficiary_id.clone(),
            status: CaseStatus::New.into(),
            urgency: new.urgency.into(),
            priority: new.priority.into(),
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
            match &new.new_beneficiary {
                Some(rows) => Taxonomy::Audience.ensure_active(conn, rows.audience_type.as_ref())?,
                None if beneficiary => Beneficiary::ensure_exists(conn, &new.beneficiary_id)?,
                None => {}
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
        // On PostgreSQL checked before the numbering statement; a row removed in between
        // still fails on its foreign key, and the statement commits all or nothing. The
        // beneficiary is left to its foreign key (named in the error): one query less.
        let checked = if conn.backend() == crate::Backend::Postgres { checks(conn, false) } else { Ok(()) };
        let numbered = checked.and_then(|()| match conn {
            DbConn::Postgres(pg) => {
                insert_numbered_postgres(pg, &form, actor, &details, decision.as_ref(), beneficiary.as_ref())
            }
            DbConn::Sqlite(_) => conn.write(|conn| {
                checks(conn, true)?;
                if let Some(rows) = &beneficiary {
                    rows.insert(conn)?;
                }
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
            }),
        });
        let reference = match numbered {
            Ok(reference) => reference,
            Err(e) => {
                crate::sealing::shred(conn, &[crate::sealing::Owner::Case(&form.id)])?;
                if let Some(rows) = &beneficiary {
                    rows.shred_key(conn)?;
                }
                return Err(e);
            }
        };
        if let (Some(rows), crate::Backend::Postgres) = (&beneficiary, conn.backend()) {
            // In the statement's wake: the words of the new beneficiary's name.
            rows.insert_words(conn)?;
        }
        crate::case_words::add(conn, &form.id, &[&summary])?;
        Ok(Case {
            id: form.id,
            reference,
            beneficiary_id: form.beneficiary_id,
            status: CaseStatus::New,
            urgency: new.urgency,
            priority: new.priority,
            summary,
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
}
