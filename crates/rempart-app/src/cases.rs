//! Who sees a case, and who may open, restrict and assign one. A case reaches an actor only
//! through [`visible`].

use crate::access::{Capability, may};
use crate::actor::Actor;
use crate::error::{AppError, AppResult, ConflictKind};
use rempart_core::{CaseReference, Sensitivity};
use rempart_store::DbConn;
use rempart_store::audit::{Audit, AuditEvent};
use rempart_store::cases::{Case, CaseCursor, CaseFilter, CaseSort};

/// Restricted cases are seen by their assignee, leads and admins; the others by all staff.
pub fn can_see(actor: &Actor, case: &Case) -> bool {
    sees(actor, case.sensitivity, case.assignee_id.as_deref())
}

/// The rule of [`can_see`], on what decides it.
fn sees(actor: &Actor, sensitivity: Sensitivity, assignee: Option<&str>) -> bool {
    sensitivity == Sensitivity::Normal || actor.supervises() || actor.is(assignee)
}

/// The user whose cases a list is limited to (restricted ones assigned to them), or `None`
/// for everything (leads, admins, the system).
pub fn list_scope(actor: &Actor) -> Option<String> {
    if actor.supervises() { None } else { actor.id().map(str::to_owned) }
}

/// A page of the cases `actor` may see that match `filter`, in `sort` order after
/// `cursor`: whatever `filter.visible_to` said, the actor's own scope applies.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    filter: CaseFilter,
    sort: CaseSort,
    cursor: Option<&CaseCursor>,
    limit: i64,
) -> AppResult<Vec<Case>> {
    let filter = CaseFilter { visible_to: list_scope(actor), ..filter };
    Ok(Case::list_sorted(conn, &filter, sort, cursor, limit)?)
}

/// A case by id (UUID) or reference (RMP-YYYY-NNNNNN), whoever asks: for the layer's own
/// use. Anything else is not a case (not found).
fn resolve(conn: &mut DbConn, raw: &str) -> AppResult<Case> {
    if let Ok(reference) = raw.parse::<CaseReference>() {
        return Ok(Case::get_by_reference(conn, &reference)?);
    }
    if uuid::Uuid::parse_str(raw).is_err() {
        return Err(AppError::not_found(format!("case `{raw}` (neither a case id nor a reference)")));
    }
    Ok(Case::get(conn, raw)?)
}

/// The case, if `actor` may see it; else not found, as if it did not exist. A read of a
/// restricted case is recorded in the audit trail with `purpose`.
pub fn visible(conn: &mut DbConn, actor: &Actor, raw: &str, purpose: &str) -> AppResult<Case> {
    let case = resolve(conn, raw)?;
    if !can_see(actor, &case) {
        return Err(AppError::not_found(format!("case {raw}")));
    }
    if case.sensitivity == Sensitivity::Restricted {
        AuditEvent::record(
            conn,
            Audit {
                actor: actor.id(),
                action: "case.read",
                case_id: Some(&case.id),
                details: format!("what={purpose}"),
                ..Default::default()
            },
        )?;
    }
    Ok(case)
}

/// Keeps what refers to a case `actor` may see (links, correlations, lookups).
pub fn keep_visible<T>(
    conn: &mut DbConn,
    actor: &Actor,
    items: Vec<T>,
    case_of: impl Fn(&T) -> &str,
) -> AppResult<Vec<T>> {
    if items.is_empty() {
        return Ok(items);
    }
    // Who may see each case, in one query for all (nothing sealed is opened for it).
    let ids: Vec<&str> = items.iter().map(&case_of).collect();
    let access = Case::access_of(conn, &ids)?;
    Ok(items
        .into_iter()
        .filter(|item| {
            access
                .get(case_of(item))
                .is_some_and(|(sensitivity, assignee)| sees(actor, *sensitivity, assignee.as_deref()))
        })
        .collect())
}

/// Who a new case goes to when `actor` opens it: handlers may name only themselves; a
/// handler who opens a restricted case keeps it (else they could not see it any more).
/// `None`: the rota decides.
pub fn opening_assignee(actor: &Actor, requested: Option<&str>, sensitivity: Sensitivity) -> AppResult<Option<String>> {
    if let Some(a) = requested
        && !actor.supervises()
        && !actor.is(Some(a))
    {
        return Err(AppError::forbidden("handlers may assign a new case to themselves only"));
    }
    Ok(match (requested, sensitivity) {
        (None, Sensitivity::Restricted) if !actor.supervises() => actor.id().map(str::to_owned),
        (a, _) => a.map(str::to_owned),
    })
}

/// Restricting a case: its assignee, leads and admins.
pub fn may_restrict(actor: &Actor, case: &Case, to: Option<Sensitivity>) -> AppResult<()> {
    if to == Some(Sensitivity::Restricted) && !actor.supervises() && !actor.is(case.assignee_id.as_deref()) {
        return Err(AppError::forbidden("only the assignee, leads and admins may restrict a case"));
    }
    Ok(())
}

/// Assigning a case: leads and admins any; others hand on a case they hold or take a free
/// one for themselves. Only leads and admins override the rota's wellbeing rules.
pub fn may_assign(actor: &Actor, case: &Case, to: Option<&str>, overrides: bool) -> AppResult<()> {
    let holds = actor.is(case.assignee_id.as_deref());
    let takes_free = case.assignee_id.is_none() && actor.is(to);
    if !actor.supervises() && !holds && !takes_free {
        return Err(AppError::forbidden("only leads and admins reassign a case you do not hold"));
    }
    if overrides && !may(actor, Capability::Supervise) {
        return Err(AppError::forbidden("only leads and admins may override the rota's rules"));
    }
    Ok(())
}

/// Whom the rota's wellbeing rules protect in an assignment to `to`: handlers, the rota's
/// people, given a case by someone else. Analysts and leads take cases by arrangement, not
/// by shift; someone taking a case themself decides for themself.
pub fn wellbeing_applies<'a>(conn: &mut DbConn, actor: &Actor, to: Option<&'a str>) -> AppResult<Option<&'a str>> {
    let Some(to) = to.filter(|t| !actor.is(Some(t))) else { return Ok(None) };
    match rempart_store::users::User::get(conn, to) {
        Ok(user) if user.role == rempart_core::Role::Handler => Ok(Some(to)),
        Ok(_) | Err(rempart_store::StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The refusal of an assignment the rota's wellbeing rules forbid. Leads learn why; a
/// handler handing a case on learns only that the colleague cannot take it now (a not-fit
/// answer stays private).
pub fn assignee_unavailable(actor: &Actor, name: &str, why: &str) -> AppError {
    let detail = if actor.supervises() {
        format!("{name} should not take a case now: {why}; give override_reason to assign it anyway")
    } else {
        format!("{name} cannot take this case now; ask a lead to assign it")
    };
    AppError::conflict(ConflictKind::AssigneeUnavailable, detail)
}
