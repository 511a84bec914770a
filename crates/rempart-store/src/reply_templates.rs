//! Reply templates: canned answers per language, with placeholders filled when inserted.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::reply_templates;
use crate::util::{new_id, now, required_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::LanguageTag;
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = reply_templates)]
pub struct ReplyTemplate {
    pub id: String,
    /// The language of its text (BCP 47).
    pub language: String,
    pub name: String,
    /// The text, with `{beneficiary}`, `{reference}` and `{handler}` placeholders.
    pub body: String,
    /// Retired templates are kept but no longer offered.
    pub active: bool,
    pub updated_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub updated_at: NaiveDateTime,
}

/// What changes in a template (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct TemplateChanges {
    pub name: Option<String>,
    pub body: Option<String>,
    pub active: Option<bool>,
}

const MAX_NAME: usize = 200;
const MAX_BODY: usize = 20_000;

fn unique(e: diesel::result::Error) -> StoreError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            StoreError::Conflict("a template of this language already has this name".into())
        }
        other => other.into(),
    }
}

impl ReplyTemplate {
    /// The templates, by language then name; only active ones unless `retired` too.
    pub fn list(conn: &mut DbConn, language: Option<&LanguageTag>, retired: bool) -> StoreResult<Vec<ReplyTemplate>> {
        let mut query = reply_templates::table.select(ReplyTemplate::as_select()).into_boxed();
        if let Some(language) = language {
            query = query.filter(reply_templates::language.eq(language.as_str().to_owned()));
        }
        if !retired {
            query = query.filter(reply_templates::active.eq(true));
        }
        Ok(query.order((reply_templates::language.asc(), reply_templates::name.asc())).load(conn)?)
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<ReplyTemplate> {
        reply_templates::table
            .find(id)
            .select(ReplyTemplate::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("reply template", id))
    }

    pub fn create(
        conn: &mut DbConn,
        language: &LanguageTag,
        name: &str,
        body: &str,
        actor: Option<&str>,
    ) -> StoreResult<ReplyTemplate> {
        let name = required_text("name", name, MAX_NAME)?;
        let body = required_text("body", body, MAX_BODY)?;
        let id = new_id();
        conn.write(|conn| {
            diesel::insert_into(reply_templates::table)
                .values((
                    reply_templates::id.eq(&id),
                    reply_templates::language.eq(language.as_str()),
                    reply_templates::name.eq(&name),
                    reply_templates::body.eq(&body),
                    reply_templates::active.eq(true),
                    reply_templates::updated_by.eq(actor),
                    reply_templates::updated_at.eq(now()),
                ))
                .execute(conn)
                .map_err(unique)?;
            let target = Some(("reply_template", id.as_str()));
            AuditEvent::record(conn, Audit { actor, action: "reply_template.created", target, ..Default::default() })?;
            ReplyTemplate::get(conn, &id)
        })
    }

    pub fn update(
        conn: &mut DbConn,
        id: &str,
        changes: TemplateChanges,
        actor: Option<&str>,
    ) -> StoreResult<ReplyTemplate> {
        let name = changes.name.as_deref().map(|n| required_text("name", n, MAX_NAME)).transpose()?;
        let body = changes.body.as_deref().map(|b| required_text("body", b, MAX_BODY)).transpose()?;
        conn.write(|conn| {
            ReplyTemplate::get(conn, id)?;
            let row = reply_templates::table.find(id);
            if let Some(name) = &name {
                diesel::update(row).set(reply_templates::name.eq(name)).execute(conn).map_err(unique)?;
            }
            if let Some(body) = &body {
                diesel::update(row).set(reply_templates::body.eq(body)).execute(conn)?;
            }
            if let Some(active) = changes.active {
                diesel::update(row).set(reply_templates::active.eq(active)).execute(conn)?;
            }
            diesel::update(row)
                .set((reply_templates::updated_by.eq(actor), reply_templates::updated_at.eq(now())))
                .execute(conn)?;
            let target = Some(("reply_template", id));
            AuditEvent::record(conn, Audit { actor, action: "reply_template.updated", target, ..Default::default() })?;
            ReplyTemplate::get(conn, id)
        })
    }
}
