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
