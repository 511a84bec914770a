//! Check-ins: at the start of a shift each person says whether they are fit to take cases,
//! with a private note that only they ever read again.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::rota::ShiftRow;
use crate::schema::{check_ins, shifts};
use crate::util::{new_id, optional_text};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

/// A shift may be checked in to from this long before it starts.
pub const EARLY: Duration = Duration::minutes(15);

/// The shift of `user_id` covering `at` (or starting within [`EARLY`]) that has no
/// check-in yet: the question the console asks first.
pub fn awaiting_check_in(conn: &mut DbConn, user_id: &str, at: NaiveDateTime) -> StoreResult<Option<ShiftRow>> {
    use diesel::dsl::{exists, not};
    Ok(shifts::table
        .filter(shifts::user_id.eq(user_id))
        .filter(shifts::starts_at.le(at + EARLY))
        .filter(shifts::ends_at.gt(at))
        .filter(not(exists(check_ins::table.filter(check_ins::shift_id.eq(shifts::id)))))
        .order(shifts::starts_at.asc())
        .select(ShiftRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records the caller's check-in for their shift covering `at` (or starting within the
/// next 15 minutes). The private note is stored for its author only.
pub fn check_in(
    conn: &mut DbConn,
    user_id: &str,
    fit: bool,
    note: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<ShiftRow> {
    let note = optional_text("note", note, 2000)?;
    conn.write(|conn| {
        let shift = shifts::table
            .filter(shifts::user_id.eq(user_id))
            .filter(shifts::starts_at.le(at + EARLY))
            .filter(shifts::ends_at.gt(at))
            .order(shifts::starts_at.asc())
            .select(ShiftRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::Conflict("you have no shift now: nothing to check in to".into()))?;
        let id = new_id();
        let key = crate::sealing::key(conn, crate::sealing::Owner::Staff(user_id))?;
        diesel::insert_into(check_ins::table)
            .values((
                check_ins::id.eq(&id),
                check_ins::shift_id.eq(&shift.id),
                check_ins::user_id.eq(user_id),
                check_ins::fit.eq(fit),
                check_ins::private_note.eq(key.seal_opt("check_ins", "private_note", &id, note.as_deref())),
                check_ins::checked_at.eq(at),
            ))
            .execute(conn)?;
        // The trail says that a check-in happened, never how the person feels.
        AuditEvent::record(
            conn,
            Audit {
                actor: Some(user_id),
                action: "shift.checked_in",
                target: Some(("shift", &shift.id)),
                ..Default::default()
            },
        )?;
        Ok(shift)
    })
}

/// A check-in as its author reads it back: with the private note.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = check_ins)]
pub struct OwnCheckIn {
    pub id: String,
    pub shift_id: String,
    pub fit: bool,
    /// Only its author ever reads it.
    pub private_note: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub checked_at: NaiveDateTime,
}

/// The check-ins of `user_id` (theirs only, with their notes), newest first.
pub fn own_check_ins(conn: &mut DbConn, user_id: &str, limit: i64) -> StoreResult<Vec<OwnCheckIn>> {
    let rows: Vec<OwnCheckIn> = check_ins::table
        .filter(check_ins::user_id.eq(user_id))
        .order((check_ins::checked_at.desc(), check_ins::id.desc()))
        .limit(limit)
        .select(OwnCheckIn::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(rows);
    }
    let key = crate::sealing::existing_key(conn, crate::sealing::Owner::Staff(user_id))?;
    rows.into_iter()
        .map(|mut row| {
            crate::sealing::open_field_opt(key.as_ref(), "check_ins", "private_note", &row.id, &mut row.private_note)?;
            Ok(row)
        })
        .collect()
}
