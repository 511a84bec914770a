//! Staff accounts: created and listed by administrators (or the operator at the command
//! line, as the system); read by their owner too ([`crate::access::read_account`]).

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::AppResult;
use rempart_store::DbConn;
use rempart_store::users::{NewUser, User};

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
