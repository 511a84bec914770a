//! What each role may do, beside what it may see (cases and beneficiaries have their own
//! modules): one table of capabilities, and the rules about accounts.

use crate::actor::Actor;
use crate::error::{AppError, AppResult, ConflictKind};
use rempart_core::Role;

/// Things only some roles may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Accounts and taxonomies: administrators.
    Administer,
    /// The rota and the team's load, the audit trail, erasure, rejecting a beneficiary,
    /// reassigning any case and overriding the rota: leads and administrators.
    Supervise,
    /// The anonymised statistics: analysts, leads and administrators.
    ReadStatistics,
    /// The mail quarantine (it can hold anything anyone sent): everyone but analysts.
    HandleQuarantine,
}

impl Capability {
    pub const ALL: [Capability; 4] =
        [Capability::Administer, Capability::Supervise, Capability::ReadStatistics, Capability::HandleQuarantine];

    fn refusal(self) -> &'static str {
        match self {
            Capability::Administer => "only administrators may do this",
            Capability::Supervise => "only leads and administrators may do this",
            Capability::ReadStatistics => "only analysts, leads and administrators see statistics",
            Capability::HandleQuarantine => "analysts do not see the mail quarantine",
        }
    }
}

/// Whether `actor` has `capability`. The system has every one.
pub fn may(actor: &Actor, capability: Capability) -> bool {
    let Some(role) = actor.role() else { return true };
    match capability {
        Capability::Administer => role == Role::Admin,
        Capability::Supervise => matches!(role, Role::Lead | Role::Admin),
        Capability::ReadStatistics => matches!(role, Role::Analyst | Role::Lead | Role::Admin),
        Capability::HandleQuarantine => role != Role::Analyst,
    }
}

/// [`may`], or why not (forbidden).
pub fn require(actor: &Actor, capability: Capability) -> AppResult<()> {
    if may(actor, capability) { Ok(()) } else { Err(AppError::forbidden(capability.refusal())) }
}

/// An account is read by administrators and by its owner; to anyone else it does not exist.
pub fn read_account(actor: &Actor, id: &str) -> AppResult<()> {
    if may(actor, Capability::Administer) || actor.is(Some(id)) {
        Ok(())
    } else {
        Err(AppError::not_found(format!("user {id}")))
    }
}

/// Administrators change accounts, but never disable or demote themselves (the helpline
/// would be left without one, and their own session would end mid-change).
pub fn change_account(actor: &Actor, id: &str, disables: bool, new_role: Option<Role>) -> AppResult<()> {
    require(actor, Capability::Administer)?;
    if actor.is(Some(id)) && (disables || new_role.is_some_and(|r| r != Role::Admin)) {
        return Err(AppError::conflict(ConflictKind::General, "an administrator cannot disable or demote themself"));
    }
    Ok(())
}
