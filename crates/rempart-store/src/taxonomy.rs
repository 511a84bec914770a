//! The configurable taxonomies: audience types and service types.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{audience_types, service_types, taxonomy_labels};
use crate::util::required_text;
use diesel::prelude::*;
use rempart_core::TaxonomyCode;
use serde::Serialize;

/// Which taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxonomy {
    Audience,
    Service,
}

/// One entry of a taxonomy. Retired entries (`active = false`) stay for past cases.
#[derive(Debug, Clone, Queryable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxonomyEntry {
    pub code: String,
    pub label: String,
    pub position: i32,
    pub active: bool,
}

impl Taxonomy {
    fn field(self) -> &'static str {
        match self {
            Taxonomy::Audience => "audience_type",
            Taxonomy::Service => "service_type",
        }
    }

    /// Every entry, in display order.
    pub fn entries(self, conn: &mut DbConn) -> StoreResult<Vec<TaxonomyEntry>> {
        Ok(match self {
            Taxonomy::Audience => audience_types::table
                .order(audience_types::position)
                .select((audience_types::code, audience_types::label, audience_types::position, audience_types::active))
                .load(conn)?,
            Taxonomy::Service => service_types::table
                .order(service_types::position)
                .select((service_types::code, service_types::label, service_types::position, service_types::active))
                .load(conn)?,
        })
    }

    /// Checks that `code` (when given) is an active entry of this taxonomy.
    pub fn ensure_active(self, conn: &mut DbConn, code: Option<&TaxonomyCode>) -> StoreResult<()> {
        let Some(code) = code else { return Ok(()) };
        let active: Option<bool> = match self {
            Taxonomy::Audience => {
                audience_types::table.find(code.as_str()).select(audience_types::active).first(conn).optional()?
            }
            Taxonomy::Service => {
                service_types::table.find(code.as_str()).select(service_types::active).first(conn).optional()?
            }
        };
        match active {
            Some(true) => Ok(()),
            Some(false) => Err(StoreError::invalid(self.field(), format!("`{code}` is retired"))),
            None => Err(StoreError::invalid(self.field(), format!("`{code}` is not in the taxonomy"))),
        }
    }

    /// Each entry's label in `language` (its primary subtag: `fr` for `fr-CA`), falling back
    /// to the entry's own (English) label, by code.
    pub fn labels(self, conn: &mut DbConn, language: &str) -> StoreResult<std::collections::HashMap<String, String>> {
        let primary = language.split(['-', '_']).next().unwrap_or(language).to_ascii_lowercase();
        let mut labels: std::collections::HashMap<String, String> =
            self.entries(conn)?.into_iter().map(|e| (e.code, e.label)).collect();
        let translated: Vec<(String, String)> = taxonomy_labels::table
            .filter(taxonomy_labels::taxonomy.eq(self.field()))
            .filter(taxonomy_labels::language.eq(&primary))
            .select((taxonomy_labels::code, taxonomy_labels::label))
            .load(conn)?;
        labels.extend(translated);
        Ok(labels)
    }

    /// Every translated label of every entry: (code, language, label).
    pub fn translations(self, conn: &mut DbConn) -> StoreResult<Vec<(String, String, String)>> {
        Ok(taxonomy_labels::table
            .filter(taxonomy_labels::taxonomy.eq(self.field()))
            .order((taxonomy_labels::code.asc(), taxonomy_labels::language.asc()))
            .select((taxonomy_labels::code, taxonomy_labels::language, taxonomy_labels::label))
            .load(conn)?)
    }

    /// Sets (or, with an empty label, removes) an entry's label in `language`.
    pub fn set_translation(
        self,
        conn: &mut DbConn,
        code: &str,
        language: &str,
        label: &str,
        actor: Option<&str>,
    ) -> StoreResult<()> {
        let language = language.trim().to_ascii_lowercase();
        if language.is_empty() || language.len() > 8 || !language.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(StoreError::invalid("language", "a primary language subtag such as fr or es"));
        }
        conn.write(|conn| {
            self.get(conn, code)?;
            let id = format!("{}:{code}:{language}", self.field());
            diesel::delete(taxonomy_labels::table.find(&id)).execute(conn)?;
            if !label.trim().is_empty() {
                let label = required_text("label", label, 200)?;
                diesel::insert_into(taxonomy_labels::table)
                    .values((
                        taxonomy_labels::id.eq(&id),
                        taxonomy_labels::taxonomy.eq(self.field()),
                        taxonomy_labels::code.eq(code),
                        taxonomy_labels::language.eq(&language),
                        taxonomy_labels::label.eq(&label),
                    ))
                    .execute(conn)?;
            }
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "taxonomy.translated",
                    target: Some(("taxonomy", self.name())),
                    details: format!("code={code} language={language}"),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
    }

    fn name(self) -> &'static str {
        match self {
            Taxonomy::Audience => "audience",
            Taxonomy::Service => "service",
        }
    }

    fn get(self, conn: &mut DbConn, code: &str) -> StoreResult<TaxonomyEntry> {
        self.entries(conn)?
            .into_iter()
            .find(|e| e.code == code)
            .ok_or_else(|| StoreError::not_found("taxonomy entry", code))
    }

    /// Adds an entry at the end of the list.
    pub fn add(
        self,
        conn: &mut DbConn,
        code: &TaxonomyCode,
        label: &str,
        actor: Option<&str>,
    ) -> StoreResult<TaxonomyEntry> {
        let label = required_text("label", label, 200)?;
        conn.write(|conn| {
            if self.entries(conn)?.iter().any(|e| e.code == code.as_str()) {
                return Err(StoreError::Conflict(format!("`{code}` is already in the {} taxonomy", self.name())));
            }
            let position = self.entries(conn)?.iter().map(|e| e.position).max().unwrap_or(0) + 1;
            match self {
                Taxonomy::Audience => diesel::insert_into(audience_types::table)
                    .values((
                        audience_types::code.eq(code.as_str()),
                        audience_types::label.eq(&label),
                        audience_types::position.eq(position),
                        audience_types::active.eq(true),
                    ))
                    .execute(conn)?,
                Taxonomy::Service => diesel::insert_into(service_types::table)
                    .values((
                        service_types::code.eq(code.as_str()),
                        service_types::label.eq(&label),
                        service_types::position.eq(position),
                        service_types::active.eq(true),
                    ))
                    .execute(conn)?,
            };
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "taxonomy.added",
                    target: Some(("taxonomy", self.name())),
                    details: format!("code={code}"),
                    ..Default::default()
                },
            )?;
            self.get(conn, code.as_str())
        })
    }

    /// Relabels or retires (active = false) an entry. Entries are never deleted: past
    /// cases keep their meaning.
    pub fn update(
        self,
        conn: &mut DbConn,
        code: &str,
        label: Option<&str>,
        active: Option<bool>,
        actor: Option<&str>,
    ) -> StoreResult<TaxonomyEntry> {
        let label = label.map(|l| required_text("label", l, 200)).transpose()?;
        conn.write(|conn| {
            self.get(conn, code)?;
            match self {
                Taxonomy::Audience => {
                    if let Some(l) = &label {
                        diesel::update(audience_types::table.find(code))
                            .set(audience_types::label.eq(l))
                            .execute(conn)?;
                    }
                    if let Some(a) = active {
                        diesel::update(audience_types::table.find(code))
                            .set(audience_types::active.eq(a))
                            .execute(conn)?;
                    }
                }
                Taxonomy::Service => {
                    if let Some(l) = &label {
                        diesel::update(service_types::table.find(code))
                            .set(service_types::label.eq(l))
                            .execute(conn)?;
                    }
                    if let Some(a) = active {
                        diesel::update(service_types::table.find(code))
                            .set(service_types::active.eq(a))
                            .execute(conn)?;
                    }
                }
            }
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "taxonomy.updated",
                    target: Some(("taxonomy", self.name())),
                    details: format!("code={code} active={active:?}"),
                    ..Default::default()
                },
            )?;
            self.get(conn, code)
        })
    }
}
