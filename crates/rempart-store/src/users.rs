//! Staff accounts.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::users;
use crate::util::{new_id, now, required_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{EmailAddress, Languages, Role};
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    #[diesel(deserialize_as = String)]
    pub email: EmailAddress,
    pub display_name: String,
    #[diesel(deserialize_as = String)]
    pub role: Role,
    #[diesel(deserialize_as = String)]
    pub languages: Languages,
    /// argon2id PHC string; never serialised.
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    pub must_change_password: bool,
    pub token_version: i32,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc")]
    pub updated_at: NaiveDateTime,
    /// Base32 TOTP secret; never serialised.
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    /// Weighted load this person can carry (rota).
    pub capacity: i32,
    /// May be given restricted cases (rota).
    pub cleared_for_restricted: bool,
    /// Where the user sees times (stored times are UTC).
    #[diesel(deserialize_as = String)]
    pub time_zone: rempart_core::TimeZoneName,
    /// An administrator reset their authenticator: they must enrol a new one before
    /// anything else.
    pub must_enrol_totp: bool,
}

/// A new account. The password arrives already hashed (see `rempart-auth`).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub display_name: String,
    pub role: Role,
    pub languages: Languages,
    pub password_hash: String,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct UserInsertForm {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub languages: String,
    pub password_hash: String,
    pub active: bool,
    pub must_change_password: bool,
    pub token_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserUpdateForm {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub languages: Option<String>,
    pub password_hash: Option<String>,
    pub active: Option<bool>,
    pub must_change_password: Option<bool>,
    pub token_version: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
    pub totp_secret: Option<Option<String>>,
    pub totp_enabled: Option<bool>,
    pub capacity: Option<i32>,
    pub cleared_for_restricted: Option<bool>,
    pub time_zone: Option<String>,
    pub must_enrol_totp: Option<bool>,
    pub totp_last_step: Option<Option<i64>>,
}

impl User {
    pub fn create(conn: &mut DbConn, new: NewUser, actor: Option<&str>) -> StoreResult<User> {
        let display_name = required_text("display_name", &new.display_name, 200)?;
        if new.password_hash.is_empty() {
            return Err(StoreError::invalid("password", "missing"));
        }
        conn.write(|conn| {
            if User::find_by_email(conn, &new.email)?.is_some() {
                return Err(StoreError::Conflict(format!("a user with email {} already exists", new.email)));
            }
            let at = now();
            let form = UserInsertForm {
                id: new_id(),
                email: new.email.to_string(),
                display_name,
                role: new.role.into(),
                languages: new.languages.to_string(),
                password_hash: new.password_hash,
                active: true,
                must_change_password: new.must_change_password,
                token_version: 0,
                created_at: at,
                updated_at: at,
            };
            diesel::insert_into(users::table).values(&form).execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "user.created",
                    target: Some(("user", &form.id)),
                    details: format!("role={}", new.role),
                    ..Default::default()
                },
            )?;
            User::get(conn, &form.id)
        })
    }

    /// Records the use of the TOTP code of time step `step`. False when that step, or a
    /// later one, was used already: a code works once (RFC 6238, section 5.2), whichever
    /// instance of the service sees it (one conditional update, no read before).
    pub fn use_totp_step(conn: &mut DbConn, id: &str, step: i64) -> StoreResult<bool> {
        let updated = diesel::update(
            users::table.find(id).filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step))),
        )
        .set(users::totp_last_step.eq(Some(step)))
        .execute(conn)?;
        Ok(updated == 1)
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<User> {
        users::table
            .find(id)
            .select(User::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("user", id))
    }

    pub fn find_by_email(conn: &mut DbConn, email: &EmailAddress) -> StoreResult<Option<User>> {
        Ok(users::table.filter(users::email.eq(email.as_str())).select(User::as_select()).first(conn).optional()?)
    }

    /// Every account, by email.
    pub fn list(conn: &mut DbConn) -> StoreResult<Vec<User>> {
        Ok(users::table.order(users::email.asc()).select(User::as_select()).load(conn)?)
    }

    /// Every user's id and display name (to name assignees and authors).
    pub fn names(conn: &mut DbConn) -> StoreResult<Vec<(String, String)>> {
        Ok(users::table.select((users::id, users::display_name)).order(users::display_name.asc()).load(conn)?)
    }

    pub fn count(conn: &mut DbConn) -> StoreResult<i64> {
        Ok(users::table.count().get_result(conn)?)
    }

    /// Applies a change; password, role and active changes bump the token version so that
    /// issued tokens stop working at once.
    pub fn update(conn: &mut DbConn, id: &str, mut form: UserUpdateForm, actor: Option<&str>) -> StoreResult<User> {
        conn.write(|conn| {
            let current = User::get(conn, id)?;
            if let Some(name) = form.display_name.as_deref() {
                form.display_name = Some(crate::util::required_text("display_name", name, 200)?);
            }
            // The same role given again is no change: nobody is signed out for it.
            if form.role.as_deref() == Some(current.role.as_str()) {
                form.role = None;
            }
            if form.password_hash.is_some()
                || form.role.is_some()
                || form.active == Some(false)
                || form.totp_enabled.is_some()
            {
                form.token_version = Some(current.token_version + 1);
            }
            // Enrolling an authenticator satisfies a reset's demand for one.
            if form.totp_enabled == Some(true) {
                form.must_enrol_totp = Some(false);
            }
            form.updated_at = Some(now());
            diesel::update(users::table.find(id)).set(&form).execute(conn)?;
            let mut changed = Vec::new();
            for (name, set) in [
                ("display_name", form.display_name.is_some()),
                ("role", form.role.is_some()),
                ("languages", form.languages.is_some()),
                ("password", form.password_hash.is_some()),
                ("active", form.active.is_some()),
                ("totp", form.totp_enabled.is_some() || form.totp_secret.is_some()),
                ("capacity", form.capacity.is_some()),
                ("cleared_for_restricted", form.cleared_for_restricted.is_some()),
                ("time_zone", form.time_zone.is_some()),
            ] {
                if set {
                    changed.push(name);
                }
            }
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "user.updated",
                    target: Some(("user", id)),
                    details: format!("changed={}", changed.join(",")),
                    ..Default::default()
                },
            )?;
            User::get(conn, id)
        })
    }
}
