//! The configurable taxonomies: audience types and service types.

use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{audience_types, service_types};
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
}
