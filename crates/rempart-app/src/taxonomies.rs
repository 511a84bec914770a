//! The helpline's taxonomies (audience types, service types): every member of staff reads
//! them, in their language (falling back to the entry's English label); administrators add,
//! relabel, translate and retire entries (an entry is never deleted: past cases keep it).

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::AppResult;
use rempart_core::TaxonomyCode;
use rempart_store::DbConn;
use rempart_store::taxonomy::{Taxonomy, TaxonomyEntry};
use std::collections::HashMap;

/// Every entry, in display order.
pub fn entries(conn: &mut DbConn, taxonomy: Taxonomy) -> AppResult<Vec<TaxonomyEntry>> {
    Ok(taxonomy.entries(conn)?)
}

/// Each entry's label in `language`, else its English one, by code.
pub fn labels(conn: &mut DbConn, taxonomy: Taxonomy, language: &str) -> AppResult<HashMap<String, String>> {
    Ok(taxonomy.labels(conn, language)?)
}

/// Every translated label: (code, language, label).
pub fn translations(conn: &mut DbConn, actor: &Actor, taxonomy: Taxonomy) -> AppResult<Vec<(String, String, String)>> {
    require(actor, Capability::Administer)?;
    Ok(taxonomy.translations(conn)?)
}

pub fn add_entry(
    conn: &mut DbConn,
    actor: &Actor,
    taxonomy: Taxonomy,
    code: &TaxonomyCode,
    label: &str,
) -> AppResult<TaxonomyEntry> {
    require(actor, Capability::Administer)?;
    Ok(taxonomy.add(conn, code, label, actor.id())?)
}

/// Relabels (in English) or retires an entry.
pub fn update_entry(
    conn: &mut DbConn,
    actor: &Actor,
    taxonomy: Taxonomy,
    code: &str,
    label: Option<&str>,
    active: Option<bool>,
) -> AppResult<TaxonomyEntry> {
    require(actor, Capability::Administer)?;
    Ok(taxonomy.update(conn, code, label, active, actor.id())?)
}

/// Sets an entry's label in `language` (an empty label removes it: English shows).
pub fn translate(
    conn: &mut DbConn,
    actor: &Actor,
    taxonomy: Taxonomy,
    code: &str,
    language: &str,
    label: &str,
) -> AppResult<()> {
    require(actor, Capability::Administer)?;
    Ok(taxonomy.set_translation(conn, code, language, label, actor.id())?)
}
