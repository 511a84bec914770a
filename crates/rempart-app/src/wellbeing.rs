//! A person's own check-ins: at the start of a shift they say whether they are fit to take
//! cases. Until they answer, the rota gives them no new case. Their note is theirs alone:
//! only the person who wrote it reads it again (leads see fit or not fit on the rota).

use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use chrono::NaiveDateTime;
use rempart_store::DbConn;
use rempart_store::check_ins::{self, OwnCheckIn};
use rempart_store::rota::ShiftRow;

fn own_id(actor: &Actor) -> AppResult<&str> {
    actor.id().ok_or_else(|| AppError::forbidden("only a member of staff checks in to their own shift"))
}

/// Checks `actor` in to their shift covering `at`.
pub fn check_in(
    conn: &mut DbConn,
    actor: &Actor,
    fit: bool,
    note: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<ShiftRow> {
    Ok(check_ins::check_in(conn, own_id(actor)?, fit, note, at)?)
}

/// `actor`'s own check-ins, newest first, with their notes.
pub fn own_check_ins(conn: &mut DbConn, actor: &Actor, limit: i64) -> AppResult<Vec<OwnCheckIn>> {
    Ok(check_ins::own_check_ins(conn, own_id(actor)?, limit)?)
}

/// `actor`'s shift that is starting or under way without their answer yet.
pub fn awaiting_check_in(conn: &mut DbConn, actor: &Actor, at: NaiveDateTime) -> AppResult<Option<ShiftRow>> {
    match actor.id() {
        Some(id) => Ok(check_ins::awaiting_check_in(conn, id, at)?),
        None => Ok(None),
    }
}
