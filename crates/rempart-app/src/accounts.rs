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
