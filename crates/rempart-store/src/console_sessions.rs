//! Sessions of the web console: the browser's cookie token, stored as its digest, with the
//! user's token version when it began and the session's CSRF token.

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::console_sessions;
use crate::util::{new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = console_sessions)]
pub struct ConsoleSession {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    /// The user's token version when the session began: a change ends the session.
    pub token_version: i32,
    /// Sent back by every form of the session.
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

impl ConsoleSession {
    /// Records a new session of `user_id` (the cookie token by its digest).
    pub fn start(
        conn: &mut DbConn,
        user_id: &str,
        token_version: i32,
        token_hash: &str,
        csrf_token: &str,
    ) -> StoreResult<ConsoleSession> {
        let at = now();
        let session = ConsoleSession {
            id: new_id(),
            token_hash: token_hash.to_owned(),
            user_id: user_id.to_owned(),
            token_version,
            csrf_token: csrf_token.to_owned(),
            created_at: at,
            last_seen_at: at,
        };
        diesel::insert_into(console_sessions::table)
            .values((
                console_sessions::id.eq(&session.id),
                console_sessions::token_hash.eq(&session.token_hash),
                console_sessions::user_id.eq(&session.user_id),
                console_sessions::token_version.eq(session.token_version),
                console_sessions::csrf_token.eq(&session.csrf_token),
                console_sessions::created_at.eq(session.created_at),
                console_sessions::last_seen_at.eq(session.last_seen_at),
            ))
            .execute(conn)?;
        Ok(session)
    }

    /// The session whose cookie token has this digest.
    pub fn find(conn: &mut DbConn, token_hash: &str) -> StoreResult<Option<ConsoleSession>> {
        Ok(console_sessions::table
            .filter(console_sessions::token_hash.eq(token_hash))
            .select(ConsoleSession::as_select())
            .first(conn)
            .optional()?)
    }

    /// Marks the session as used at `at` (its idle timeout starts again).
    pub fn touch(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> StoreResult<()> {
        diesel::update(console_sessions::table.find(id)).set(console_sessions::last_seen_at.eq(at)).execute(conn)?;
        Ok(())
    }

    /// Ends one session (logout, timeout).
    pub fn end(conn: &mut DbConn, id: &str) -> StoreResult<()> {
        diesel::delete(console_sessions::table.find(id)).execute(conn)?;
        Ok(())
    }

    /// Forgets sessions idle since before `idle_before` or begun before `begun_before`.
    pub fn purge(conn: &mut DbConn, idle_before: NaiveDateTime, begun_before: NaiveDateTime) -> StoreResult<usize> {
        Ok(diesel::delete(
            console_sessions::table.filter(
                console_sessions::last_seen_at.lt(idle_before).or(console_sessions::created_at.lt(begun_before)),
            ),
        )
        .execute(conn)?)
    }
}
