//! Staff accounts: created and listed by administrators (or the operator at the command
//! line, as the system); read by their owner too ([`crate::access::read_account`]).

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use rempart_core::{Languages, Role, TimeZoneName};
use rempart_store::DbConn;
use rempart_store::audit::{Audit, AuditEvent};
use rempart_store::sessions::RefreshToken;
use rempart_store::users::{NewUser, User, UserUpdateForm};

/// Creates an account, recorded as `actor`'s doing.
pub fn create_user(conn: &mut DbConn, actor: &Actor, new: NewUser) -> AppResult<User> {
    require(actor, Capability::Administer)?;
    Ok(User::create(conn, new, actor.id())?)
}

/// Every account.
pub fn list_users(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<User>> {
    require(actor, Capability::Administer)?;
    Ok(User::list(conn)?)
}

/// The display name of every member of staff, by id: what a colleague sees of the others
/// (an assignee, the author of a comment).
pub fn names(conn: &mut DbConn) -> AppResult<std::collections::HashMap<String, String>> {
    Ok(User::names(conn)?.into_iter().collect())
}

/// Changes `actor`'s own preferences: the languages they read (the console's language is
/// the first it speaks) and the time zone they read times in.
pub fn update_own_preferences(
    conn: &mut DbConn,
    actor: &Actor,
    languages: Option<rempart_core::Languages>,
    time_zone: Option<rempart_core::TimeZoneName>,
) -> AppResult<User> {
    let id = actor.id().ok_or_else(|| crate::AppError::forbidden("only a member of staff has preferences"))?;
    let form = rempart_store::users::UserUpdateForm {
        languages: languages.map(|l| l.to_string()),
        time_zone: time_zone.map(|z| z.as_str().to_owned()),
        ..Default::default()
    };
    Ok(User::update(conn, id, form, Some(id))?)
}

/// What an administrator changes in an account.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub languages: Option<Languages>,
    /// False disables the account: its sessions and tokens stop working at once.
    pub active: Option<bool>,
    /// Weighted load the person can carry, 0 to 200.
    pub capacity: Option<i32>,
    pub cleared_for_restricted: Option<bool>,
    pub time_zone: Option<TimeZoneName>,
}

/// Changes account `id` (administrators, never disabling or demoting themselves). A role
/// change or disabling signs the person out everywhere.
pub fn update_user(conn: &mut DbConn, actor: &Actor, id: &str, changes: AccountChanges) -> AppResult<User> {
    crate::access::change_account(actor, id, changes.active == Some(false), changes.role)?;
    if changes.capacity.is_some_and(|c| !(0..=200).contains(&c)) {
        return Err(AppError::validation("capacity", "between 0 and 200"));
    }
    conn.write(|conn| {
        // The role given again unchanged is no change: nobody is signed out for it.
        let role_changes = match changes.role {
            Some(role) => User::get(conn, id)?.role != role,
            None => false,
        };
        let revoke = changes.active == Some(false) || role_changes;
        let form = UserUpdateForm {
            display_name: changes.display_name,
            role: changes.role.map(String::from),
            languages: changes.languages.map(|l| l.to_string()),
            active: changes.active,
            capacity: changes.capacity,
            cleared_for_restricted: changes.cleared_for_restricted,
            time_zone: changes.time_zone.map(String::from),
            ..Default::default()
        };
        let updated = User::update(conn, id, form, actor.id())?;
        if revoke {
            RefreshToken::revoke_user(conn, id)?;
        }
        Ok(updated)
    })
}

/// Resets the authenticator of account `id` that its owner lost (administrators): the
/// secret is forgotten, every session and token of theirs ends, and they must enrol a new
/// one at their next sign-in, before anything else. Audited.
pub fn reset_totp(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<User> {
    require(actor, Capability::Administer)?;
    conn.write(|conn| {
        let form = UserUpdateForm {
            totp_enabled: Some(false),
            totp_secret: Some(None),
            totp_last_step: Some(None),
            must_enrol_totp: Some(true),
            ..Default::default()
        };
        let updated = User::update(conn, id, form, actor.id())?;
        RefreshToken::revoke_user(conn, id)?;
        AuditEvent::record(
            conn,
            Audit { actor: actor.id(), action: "user.totp_reset", target: Some(("user", id)), ..Default::default() },
        )?;
        Ok(updated)
    })
}
