//! Who sees and changes a beneficiary: through their cases.
//!
//! Leads, admins and the system see and change everyone. Other staff see a beneficiary who
//! has no case yet, or one case they can see (normal, or restricted and assigned to them),
//! and change one of whose cases they are the assignee. A beneficiary of restricted cases
//! only is hidden from the rest: their name, addresses and key would lead to those cases.

use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use rempart_core::EmailAddress;
use rempart_store::DbConn;
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryDetail, CaseRelation, NewBeneficiary};

/// What an actor may do with a beneficiary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Not found, or only behind cases this actor cannot see: answered as not found.
    Hidden,
    Read,
    /// Read, rename, add addresses, change verification and key trust.
    Change,
}

/// The rule, on the facts the store reads.
pub fn access_from(actor: &Actor, relation: Option<CaseRelation>) -> Access {
    match relation {
        None => Access::Hidden,
        Some(_) if actor.supervises() => Access::Change,
        Some(r) if r.holds_a_case => Access::Change,
        Some(r) if !r.has_cases || r.sees_a_case => Access::Read,
        Some(_) => Access::Hidden,
    }
}

pub fn access(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Access> {
    let relation = match actor.id() {
        Some(user) => Beneficiary::relation(conn, id, user)?,
        // The system supervises: only whether the beneficiary exists matters.
        None => match Beneficiary::get(conn, id) {
            Ok(_) => Some(CaseRelation { has_cases: true, sees_a_case: true, holds_a_case: true }),
            Err(rempart_store::StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        },
    };
    Ok(access_from(actor, relation))
}

/// Not found unless `actor` may see this beneficiary.
pub fn visible(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Access> {
    match access(conn, actor, id)? {
        Access::Hidden => Err(AppError::not_found(format!("beneficiary {id}"))),
        access => Ok(access),
    }
}

/// Renaming, adding addresses, verification and key trust: the assignee of one of their
/// cases, leads and admins. Hidden beneficiaries are not found.
pub fn changeable(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<()> {
    match visible(conn, actor, id)? {
        Access::Change => Ok(()),
        _ => Err(AppError::forbidden(
            "only the assignee of one of the beneficiary's cases, leads and administrators may change them",
        )),
    }
}

/// An address that already belongs to a beneficiary this actor may not see answers as not
/// found, never as "already belongs to another beneficiary" (that would say whether
/// someone is a client of the helpline).
pub fn addresses_not_hidden(conn: &mut DbConn, actor: &Actor, addresses: &[EmailAddress]) -> AppResult<()> {
    for address in addresses {
        if let Some(owner) = Beneficiary::find_by_email(conn, address)?
            && access(conn, actor, &owner.id)? == Access::Hidden
        {
            return Err(AppError::not_found(format!("beneficiary with the address {address}")));
        }
    }
    Ok(())
}

/// Creates a beneficiary as `actor` (inside the caller's transaction when there is one).
/// An address that already belongs to someone answers a conflict, or not found when that
/// someone is hidden from `actor` ([`addresses_not_hidden`], asked only then).
pub fn create(conn: &mut DbConn, actor: &Actor, new: NewBeneficiary) -> AppResult<BeneficiaryDetail> {
    let emails = new.emails.clone();
    Beneficiary::create_detailed(conn, new, actor.id()).map_err(|e| refusal_of_taken(conn, actor, &emails, e))
}

/// What to answer when creating someone with `addresses` failed with `error`: a taken
/// address whose owner `actor` may not see is not found, anything else as it is. Runs
/// after the failed transaction, outside it.
pub(crate) fn refusal_of_taken(
    conn: &mut DbConn,
    actor: &Actor,
    addresses: &[EmailAddress],
    error: rempart_store::StoreError,
) -> AppError {
    if !matches!(error, rempart_store::StoreError::Conflict(_)) {
        return error.into();
    }
    if conn.in_transaction().unwrap_or(true) {
        // The failed transaction cannot be asked whose the address is: say nothing.
        return AppError::not_found("a beneficiary with one of these addresses");
    }
    match addresses_not_hidden(conn, actor, addresses) {
        Err(hidden) => hidden,
        Ok(()) => error.into(),
    }
}

/// The owner of `address`, if `actor` may see them.
pub fn find_by_email(conn: &mut DbConn, actor: &Actor, address: &EmailAddress) -> AppResult<Option<Beneficiary>> {
    let Some(found) = Beneficiary::find_by_email(conn, address)? else { return Ok(None) };
    Ok((access(conn, actor, &found.id)? != Access::Hidden).then_some(found))
}

/// Whose beneficiaries a list is limited to, or `None` for everyone.
pub fn list_scope(actor: &Actor) -> Option<String> {
    crate::cases::list_scope(actor)
}

/// A page of the beneficiaries `actor` may see, most recent first.
pub fn list(conn: &mut DbConn, actor: &Actor, limit: i64, offset: i64) -> AppResult<Vec<Beneficiary>> {
    Ok(Beneficiary::list(conn, list_scope(actor).as_deref(), limit, offset)?)
}

/// Changes the verification status of beneficiary `id`, with a reason kept in the history.
/// Like every change of a beneficiary, for the assignee of one of their cases, leads and
/// admins; rejecting someone is for leads and admins only.
pub fn set_verification(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    status: rempart_core::VerificationStatus,
    reason: &str,
) -> AppResult<BeneficiaryDetail> {
    changeable(conn, actor, id)?;
    if !verification_allowed(actor, status) {
        crate::access::require(actor, crate::access::Capability::Supervise)?;
    }
    Beneficiary::set_verification(conn, id, status, reason, actor.id())?;
    Ok(Beneficiary::detail(conn, id)?)
}

/// Whether `actor` may give a beneficiary they may change this verification status:
/// rejecting someone is for leads and administrators.
pub fn verification_allowed(actor: &Actor, status: rempart_core::VerificationStatus) -> bool {
    status != rempart_core::VerificationStatus::Rejected || actor.supervises()
}
