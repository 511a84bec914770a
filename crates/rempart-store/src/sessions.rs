//! Refresh tokens: stored as digests, rotated on every use, revoked by family.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::refresh_tokens;
use crate::util::{new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// Valid: it is now used; issue the next one in `family_id`.
    Valid { user_id: String, family_id: String },
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used: someone replayed it. The whole family has been revoked.
    Reused { user_id: String },
}

impl RefreshToken {
    /// Records a new token (by its digest) in `family_id`.
    pub fn store(
        conn: &mut DbConn,
        user_id: &str,
        family_id: &str,
        token_hash: &str,
        expires_at: NaiveDateTime,
    ) -> StoreResult<()> {
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::id.eq(new_id()),
                refresh_tokens::user_id.eq(user_id),
                refresh_tokens::family_id.eq(family_id),
                refresh_tokens::token_hash.eq(token_hash),
                refresh_tokens::created_at.eq(now()),
                refresh_tokens::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Uses the token with this digest, once.
    pub fn redeem(conn: &mut DbConn, token_hash: &str) -> StoreResult<Redemption> {
        conn.write(|conn| {
            let found = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(token_hash))
                .select(RefreshToken::as_select())
                .first(conn)
                .optional()?;
            let Some(token) = found else { return Ok(Redemption::Invalid) };
            let at = now();
            if token.used_at.is_some() {
                if token.revoked_at.is_none() {
                    RefreshToken::revoke_family(conn, &token.family_id)?;
                    AuditEvent::record(
                        conn,
                        Audit {
                            actor: Some(&token.user_id),
                            action: "auth.refresh_token_reused",
                            target: Some(("user", &token.user_id)),
                            details: "token family revoked".into(),
                            ..Default::default()
                        },
                    )?;
                }
                return Ok(Redemption::Reused { user_id: token.user_id });
            }
            if token.revoked_at.is_some() || token.expires_at <= at {
                return Ok(Redemption::Invalid);
            }
            diesel::update(refresh_tokens::table.find(&token.id))
                .set(refresh_tokens::used_at.eq(Some(at)))
                .execute(conn)?;
            Ok(Redemption::Valid { user_id: token.user_id, family_id: token.family_id })
        })
    }

    /// Revokes every token of a family (logout, reuse).
    pub fn revoke_family(conn: &mut DbConn, family_id: &str) -> StoreResult<usize> {
        Ok(diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id)))
            .filter(refresh_tokens::revoked_at.is_null())
            .set(refresh_tokens::revoked_at.eq(Some(now())))
            .execute(conn)?)
    }

    /// Whether the session `family_id` was ended (logout, refresh-token reuse, password
    /// change): its access tokens stop working with it.
    pub fn family_revoked(conn: &mut DbConn, family_id: &str) -> StoreResult<bool> {
        use diesel::dsl::exists;
        Ok(diesel::select(exists(
            refresh_tokens::table
                .filter(refresh_tokens::family_id.eq(family_id))
                .filter(refresh_tokens::revoked_at.is_not_null()),
        ))
        .get_result(conn)?)
    }

    /// The family of a token, if the digest is known.
    pub fn family_of(conn: &mut DbConn, token_hash: &str) -> StoreResult<Option<(String, String)>> {
        Ok(refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select((refresh_tokens::user_id, refresh_tokens::family_id))
            .first(conn)
            .optional()?)
    }

    /// Revokes every token of a user (password change, disabling).
    pub fn revoke_user(conn: &mut DbConn, user_id: &str) -> StoreResult<usize> {
        Ok(diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
            .filter(refresh_tokens::revoked_at.is_null())
            .set(refresh_tokens::revoked_at.eq(Some(now())))
            .execute(conn)?)
    }
}
