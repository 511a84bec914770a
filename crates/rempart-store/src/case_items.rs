//! What a case accumulates beside its messages ([`crate::messages`]) and its third-party
//! contacts ([`crate::third_parties`], re-exported here): links to other cases, actions taken, internal comments, next steps and risk
//! assessments.

use crate::audit::{Audit, AuditEvent};
use crate::cases::Case;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{actions, case_links, comments, next_steps, risk_assessments};
use crate::sealing::{Owner, Protected, Sealer, open_case_row, open_field, open_field_opt};
use crate::util::{new_id, now, optional_text, required_text};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::{LinkKind, RiskFactors};
use serde::Serialize;

pub use crate::third_parties::{NewThirdParty, ThirdParty};

/// Adds one item to a case in a write transaction: the case must exist, `insert` writes
/// the row under a fresh id, then the case version is bumped and the audit event written.
pub(crate) fn add_to_case<T>(
    conn: &mut DbConn,
    case_id: &str,
    actor: Option<&str>,
    (action, kind): (&str, &str),
    details: String,
    insert: impl FnOnce(&mut DbConn, &str, &Sealer) -> StoreResult<usize>,
    load: impl FnOnce(&mut DbConn, &str) -> StoreResult<T>,
) -> StoreResult<T> {
    conn.write(|conn| {
        Case::get(conn, case_id)?;
        let id = new_id();
        let key = crate::sealing::key(conn, Owner::Case(case_id))?;
        insert(conn, &id, &key)?;
        attach(conn, case_id, actor, action, (kind, &id), details)?;
        load(conn, &id)
    })
}

/// Records an audited write on a case: bumps the case version and writes the trail entry.
pub(crate) fn attach(
    conn: &mut DbConn,
    case_id: &str,
    actor: Option<&str>,
    action: &str,
    target: (&str, &str),
    details: String,
) -> StoreResult<()> {
    Case::touch(conn, case_id)?;
    AuditEvent::record(conn, Audit { actor, action, case_id: Some(case_id), target: Some(target), details })
}

// ------------------------------------------------------------------------- case links

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = case_links)]
pub struct CaseLink {
    pub id: String,
    pub source_case_id: String,
    pub target_case_id: String,
    #[diesel(deserialize_as = String)]
    pub kind: LinkKind,
    pub note: Option<String>,
    pub created_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_links)]
pub struct CaseLinkInsertForm {
    pub id: String,
    pub source_case_id: String,
    pub target_case_id: String,
    pub kind: String,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl CaseLink {
    /// Links `source` to `target`: `parent_of` reads "source is the parent of target",
    /// `duplicate_of` "source duplicates target". `related` is symmetric.
    pub fn add(
        conn: &mut DbConn,
        source: &str,
        target: &str,
        kind: LinkKind,
        note: Option<&str>,
        actor: Option<&str>,
    ) -> StoreResult<CaseLink> {
        if source == target {
            return Err(StoreError::invalid("target_case_id", "a case cannot be linked to itself"));
        }
        let mut form = CaseLinkInsertForm {
            id: new_id(),
            source_case_id: source.to_owned(),
            target_case_id: target.to_owned(),
            kind: kind.into(),
            note: optional_text("note", note, 2000)?,
            created_by: actor.map(str::to_owned),
            created_at: now(),
        };
        conn.write(|conn| {
            Case::get(conn, source)?;
            Case::get(conn, target)?;
            let existing: i64 = case_links::table
                .filter(case_links::kind.eq(kind.as_str()))
                .filter(
                    (case_links::source_case_id.eq(source).and(case_links::target_case_id.eq(target)))
                        .or(case_links::source_case_id.eq(target).and(case_links::target_case_id.eq(source))),
                )
                .count()
                .get_result(conn)?;
            if existing > 0 {
                return Err(StoreError::Conflict(format!("the cases are already linked as {kind}")));
            }
            let key = crate::sealing::key(conn, Owner::Case(source))?;
            form.note = key.seal_opt("case_links", "note", &form.id, form.note.as_deref());
            diesel::insert_into(case_links::table).values(&form).execute(conn)?;
            Case::touch(conn, target)?;
            attach(conn, source, actor, "case_link.added", ("case", target), format!("kind={kind}"))?;
            let row = case_links::table.find(&form.id).select(CaseLink::as_select()).first(conn)?;
            open_case_row(conn, source, row)
        })
    }

    /// Links where the case is either end.
    /// A link's note is sealed with the key of the case it was written from (its source).
    pub fn for_case(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<CaseLink>> {
        let rows: Vec<CaseLink> = case_links::table
            .filter(case_links::source_case_id.eq(case_id).or(case_links::target_case_id.eq(case_id)))
            .order((case_links::created_at.asc(), case_links::id.asc()))
            .select(CaseLink::as_select())
            .load(conn)?;
        rows.into_iter()
            .map(|row| {
                let source = row.source_case_id.clone();
                open_case_row(conn, &source, row)
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------- actions

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = actions)]
pub struct Action {
    pub id: String,
    pub case_id: String,
    pub description: String,
    pub taken_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub taken_at: NaiveDateTime,
}

impl Action {
    /// Records a measure taken on the case, by the actor, now.
    pub fn add(conn: &mut DbConn, case_id: &str, description: &str, actor: Option<&str>) -> StoreResult<Action> {
        let description = required_text("description", description, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("action.added", "action"),
            String::new(),
            |conn, id, key| {
                Ok(diesel::insert_into(actions::table)
                    .values((
                        actions::id.eq(id),
                        actions::case_id.eq(case_id),
                        actions::description.eq(key.seal("actions", "description", id, &description)),
                        actions::taken_by.eq(actor),
                        actions::taken_at.eq(now()),
                    ))
                    .execute(conn)?)
            },
            |conn, id| {
                let row = actions::table.find(id).select(Action::as_select()).first(conn)?;
                open_case_row(conn, case_id, row)
            },
        )
    }
}

// --------------------------------------------------------------------------- comments

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: String,
    pub case_id: String,
    pub author_id: Option<String>,
    pub body: String,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

impl Comment {
    /// An internal note of the people handling the case; never sent to anyone.
    pub fn add(conn: &mut DbConn, case_id: &str, body: &str, actor: Option<&str>) -> StoreResult<Comment> {
        let body = required_text("text", body, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("comment.added", "comment"),
            String::new(),
            |conn, id, key| {
                Ok(diesel::insert_into(comments::table)
                    .values((
                        comments::id.eq(id),
                        comments::case_id.eq(case_id),
                        comments::author_id.eq(actor),
                        comments::body.eq(key.seal("comments", "body", id, &body)),
                        comments::created_at.eq(now()),
                    ))
                    .execute(conn)?)
            },
            |conn, id| {
                let row = comments::table.find(id).select(Comment::as_select()).first(conn)?;
                open_case_row(conn, case_id, row)
            },
        )
    }
}

// ------------------------------------------------------------------------- next steps

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = next_steps)]
pub struct NextStep {
    pub id: String,
    pub case_id: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub done: bool,
    #[serde(with = "rempart_core::utc::option")]
    pub done_at: Option<NaiveDateTime>,
    pub created_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

impl NextStep {
    pub fn add(
        conn: &mut DbConn,
        case_id: &str,
        description: &str,
        due_on: Option<NaiveDate>,
        actor: Option<&str>,
    ) -> StoreResult<NextStep> {
        let description = required_text("description", description, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("next_step.added", "next_step"),
            String::new(),
            |conn, id, key| {
                Ok(diesel::insert_into(next_steps::table)
                    .values((
                        next_steps::id.eq(id),
                        next_steps::case_id.eq(case_id),
                        next_steps::description.eq(key.seal("next_steps", "description", id, &description)),
                        next_steps::due_on.eq(due_on),
                        next_steps::done.eq(false),
                        next_steps::created_by.eq(actor),
                        next_steps::created_at.eq(now()),
                    ))
                    .execute(conn)?)
            },
            NextStep::get,
        )
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<NextStep> {
        let row: NextStep = next_steps::table
            .find(id)
            .select(NextStep::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("next step", id))?;
        let case_id = row.case_id.clone();
        open_case_row(conn, &case_id, row)
    }

    /// Marks a step done (or not done again).
    pub fn set_done(conn: &mut DbConn, id: &str, done: bool, actor: Option<&str>) -> StoreResult<NextStep> {
        conn.write(|conn| {
            let step = NextStep::get(conn, id)?;
            diesel::update(next_steps::table.find(id))
                .set((next_steps::done.eq(done), next_steps::done_at.eq(done.then(now))))
                .execute(conn)?;
            attach(conn, &step.case_id, actor, "next_step.updated", ("next_step", id), format!("done={done}"))?;
            NextStep::get(conn, id)
        })
    }
}

// ------------------------------------------------------------------- risk assessments

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = risk_assessments)]
pub struct RiskAssessment {
    pub id: String,
    pub case_id: String,
    pub risk_name: String,
    pub threats: i32,
    pub vulnerabilities: i32,
    pub capacities: i32,
    /// threats x vulnerabilities / capacities, computed here, never supplied.
    pub score: f64,
    pub notes: Option<String>,
    pub assessed_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub assessed_at: NaiveDateTime,
}

impl RiskAssessment {
    /// Scores a named risk. Earlier assessments stay: the history shows the trend.
    pub fn add(
        conn: &mut DbConn,
        case_id: &str,
        risk_name: &str,
        factors: RiskFactors,
        notes: Option<&str>,
        actor: Option<&str>,
    ) -> StoreResult<RiskAssessment> {
        let risk_name = required_text("risk_name", risk_name, 300)?;
        let notes = optional_text("notes", notes, 10_000)?;
        add_to_case(
            conn,
            case_id,
            actor,
            ("risk.assessed", "risk_assessment"),
            format!("score={:.2}", factors.score()),
            |conn, id, key| {
                Ok(diesel::insert_into(risk_assessments::table)
                    .values((
                        risk_assessments::id.eq(id),
                        risk_assessments::case_id.eq(case_id),
                        risk_assessments::risk_name.eq(key.seal("risk_assessments", "risk_name", id, &risk_name)),
                        risk_assessments::threats.eq(i32::from(factors.threats())),
                        risk_assessments::vulnerabilities.eq(i32::from(factors.vulnerabilities())),
                        risk_assessments::capacities.eq(i32::from(factors.capacities())),
                        risk_assessments::score.eq(factors.score()),
                        risk_assessments::notes.eq(key.seal_opt("risk_assessments", "notes", id, notes.as_deref())),
                        risk_assessments::assessed_by.eq(actor),
                        risk_assessments::assessed_at.eq(now()),
                    ))
                    .execute(conn)?)
            },
            |conn, id| {
                let row = risk_assessments::table.find(id).select(RiskAssessment::as_select()).first(conn)?;
                open_case_row(conn, case_id, row)
            },
        )
    }
}

crate::util::items_of_case!(Action, actions, taken_at);

crate::util::items_of_case!(Comment, comments, created_at);

crate::util::items_of_case!(NextStep, next_steps, created_at);

crate::util::items_of_case!(RiskAssessment, risk_assessments, assessed_at);

impl Protected for CaseLink {
    fn open_with(mut self, key: Option<&Sealer>) -> StoreResult<Self> {
        open_field_opt(key, "case_links", "note", &self.id, &mut self.note)?;
        Ok(self)
    }
}

impl Protected for Action {
    fn open_with(mut self, key: Option<&Sealer>) -> StoreResult<Self> {
        open_field(key, "actions", "description", &self.id, &mut self.description)?;
        Ok(self)
    }
}

impl Protected for Comment {
    fn open_with(mut self, key: Option<&Sealer>) -> StoreResult<Self> {
        open_field(key, "comments", "body", &self.id, &mut self.body)?;
        Ok(self)
    }
}

impl Protected for NextStep {
    fn open_with(mut self, key: Option<&Sealer>) -> StoreResult<Self> {
        open_field(key, "next_steps", "description", &self.id, &mut self.description)?;
        Ok(self)
    }
}

impl Protected for RiskAssessment {
    fn open_with(mut self, key: Option<&Sealer>) -> StoreResult<Self> {
        open_field(key, "risk_assessments", "risk_name", &self.id, &mut self.risk_name)?;
        open_field_opt(key, "risk_assessments", "notes", &self.id, &mut self.notes)?;
        Ok(self)
    }
}
