//! Indicators of compromise and their correlation across cases.

use crate::audit::{Audit, AuditEvent};
use crate::cases::Case;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{cases, indicators};
use crate::util::{new_id, now, optional_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{
    CaseReference, CaseStatus, IndicatorKind, IndicatorRules, NormalizedIndicator, Sensitivity, lookup_candidates_with,
};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = indicators)]
pub struct Indicator {
    pub id: String,
    pub case_id: String,
    #[diesel(deserialize_as = String)]
    pub kind: IndicatorKind,
    /// Normalised value: what correlation compares.
    pub value: String,
    /// As the handler or the beneficiary wrote it.
    pub original_value: String,
    pub note: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub first_seen: NaiveDateTime,
    #[serde(with = "rempart_core::utc")]
    pub last_seen: NaiveDateTime,
    pub added_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = indicators)]
pub struct IndicatorInsertForm {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub value: String,
    pub original_value: String,
    pub note: Option<String>,
    pub first_seen: NaiveDateTime,
    pub last_seen: NaiveDateTime,
    pub added_by: Option<String>,
    pub created_at: NaiveDateTime,
    /// The blind-index token of the kind and normalised value ([`value_token`]).
    pub value_token: String,
}

/// The blind index's domain of indicators.
pub const TOKEN_DOMAIN: &str = "indicator";

/// The token that finds an indicator of `kind` with normalised `value`, under the
/// blind-index key: equal for equal (kind, value), and nothing else to be learnt from it.
pub fn value_token(index: &rempart_vault::IndexKey, kind: IndicatorKind, value: &str) -> String {
    index.token(TOKEN_DOMAIN, &format!("{}\0{value}", kind.as_str()))
}

const TABLE: &str = "indicators";

/// An indicator as reported, before normalisation.
#[derive(Debug, Clone, Copy)]
pub struct NewIndicator<'a> {
    pub kind: IndicatorKind,
    /// As the handler or the beneficiary wrote it.
    pub value: &'a str,
    pub note: Option<&'a str>,
    /// When it was seen; now when absent.
    pub seen_at: Option<NaiveDateTime>,
}

/// A case holding a given indicator.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorMatch {
    pub indicator: Indicator,
    pub case_reference: CaseReference,
    pub case_status: CaseStatus,
    /// The caller must hide restricted cases from whoever may not see them.
    pub case_sensitivity: Sensitivity,
}

type MatchRow = (Indicator, String, String, String);

impl Indicator {
    /// Adds an indicator to a case, normalising its value under the helpline's `rules`.
    /// Seen again on the same case, it widens the first/last-seen window instead of
    /// duplicating.
    pub fn add(
        conn: &mut DbConn,
        case_id: &str,
        new: NewIndicator<'_>,
        rules: IndicatorRules,
        actor: Option<&str>,
    ) -> StoreResult<Indicator> {
        let NewIndicator { kind, value: raw, note, seen_at } = new;
        let normal = NormalizedIndicator::parse_with(kind, raw, rules).map_err(|e| StoreError::invalid("value", e))?;
        let note = optional_text("note", note, 2000)?;
        conn.write(|conn| {
            Case::get(conn, case_id)?;
            let at = now();
            let seen = seen_at.unwrap_or(at);
            let token = value_token(&crate::sealing::index_key(conn)?, kind, &normal.value);
            let existing = indicators::table
                .filter(indicators::case_id.eq(case_id))
                .filter(indicators::value_token.eq(&token))
                .select(Indicator::as_select())
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(found) => {
                    diesel::update(indicators::table.find(&found.id))
                        .set((
                            indicators::first_seen.eq(found.first_seen.min(seen)),
                            indicators::last_seen.eq(found.last_seen.max(seen)),
                        ))
                        .execute(conn)?;
                    found.id
                }
                None => {
                    let id = new_id();
                    let key = crate::sealing::key(conn, crate::sealing::Owner::Case(case_id))?;
                    let form = IndicatorInsertForm {
                        case_id: case_id.to_owned(),
                        kind: kind.into(),
                        value: key.seal(TABLE, "value", &id, &normal.value),
                        original_value: key.seal(TABLE, "original_value", &id, raw.trim()),
                        note: key.seal_opt(TABLE, "note", &id, note.as_deref()),
                        first_seen: seen,
                        last_seen: seen,
                        added_by: actor.map(str::to_owned),
                        created_at: at,
                        value_token: token,
                        id,
                    };
                    diesel::insert_into(indicators::table).values(&form).execute(conn)?;
                    form.id
                }
            };
            Case::touch(conn, case_id)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "indicator.added",
                    case_id: Some(case_id),
                    target: Some(("indicator", &id)),
                    details: format!("kind={kind}"),
                },
            )?;
            let row = indicators::table.find(&id).select(Indicator::as_select()).first(conn)?;
            crate::sealing::open_case_row(conn, case_id, row)
        })
    }

    /// Every case holding `raw`, whatever kind it was filed under and however it was
    /// written (the Jasmine-style check of an address, number or plate).
    pub fn lookup(conn: &mut DbConn, rules: IndicatorRules, raw: &str) -> StoreResult<Vec<IndicatorMatch>> {
        let wanted: BTreeSet<(IndicatorKind, String)> =
            lookup_candidates_with(raw, rules).into_iter().map(|c| (c.kind, c.value)).collect();
        matching(conn, &wanted, None)
    }

    /// Every other case sharing one of this case's indicators.
    pub fn correlate(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<IndicatorMatch>> {
        let wanted: BTreeSet<(IndicatorKind, String)> =
            Indicator::for_case(conn, case_id)?.into_iter().map(|i| (i.kind, i.value)).collect();
        matching(conn, &wanted, Some(case_id))
    }
}

fn matching(
    conn: &mut DbConn,
    wanted: &BTreeSet<(IndicatorKind, String)>,
    exclude_case: Option<&str>,
) -> StoreResult<Vec<IndicatorMatch>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    // The index key this process remembers saves a round trip; the query reads the
    // database's own wrapped key beside the rows, and a mismatch (another database) is
    // looked up again with the right key.
    if let Some((wrapped, index)) = crate::sealing::remembered_index_key() {
        let (rows, stored) = matching_with(conn, &index, wanted, exclude_case)?;
        let stored = match stored {
            Some(stored) => Some(stored),
            // Nothing found: which key did the database hold?
            None => crate::sealing::wrapped_index_key(conn)?,
        };
        if stored.as_deref() == Some(wrapped.as_str()) {
            return matches_of(rows, wanted);
        }
    }
    let index = crate::sealing::index_key(conn)?;
    let (rows, _) = matching_with(conn, &index, wanted, exclude_case)?;
    matches_of(rows, wanted)
}

type FoundRow = (Indicator, String, String, String, Option<String>, Option<String>);

/// The rows holding one of `wanted`'s tokens under `index`, and the database's wrapped
/// index key (read with them; `None` when no row was found).
fn matching_with(
    conn: &mut DbConn,
    index: &rempart_vault::IndexKey,
    wanted: &BTreeSet<(IndicatorKind, String)>,
    exclude_case: Option<&str>,
) -> StoreResult<(Vec<FoundRow>, Option<String>)> {
    let tokens: Vec<String> = wanted.iter().map(|(kind, value)| value_token(index, *kind, value)).collect();
    let mut query = indicators::table
        .inner_join(cases::table)
        .filter(indicators::value_token.eq_any(tokens))
        .select((
            Indicator::as_select(),
            cases::reference,
            cases::status,
            cases::sensitivity,
            // Each case's wrapped key, in the same query: a lookup meets a few cases at
            // random, rarely the same twice.
            crate::sealing::wrapped_case_key(),
            crate::sealing::stored_index_key(),
        ))
        .order((indicators::last_seen.desc(), indicators::id.asc()))
        .into_boxed();
    if let Some(case_id) = exclude_case {
        query = query.filter(indicators::case_id.ne(case_id.to_owned()));
    }
    let rows: Vec<FoundRow> = query.load(conn)?;
    let stored = rows.first().and_then(|r| r.5.clone());
    Ok((rows, stored))
}

fn matches_of(rows: Vec<FoundRow>, wanted: &BTreeSet<(IndicatorKind, String)>) -> StoreResult<Vec<IndicatorMatch>> {
    let opened = rows
        .into_iter()
        .map(|(indicator, reference, status, sensitivity, wrapped, _)| {
            use crate::sealing::Protected;
            let key = crate::sealing::case_key_from(&indicator.case_id, wrapped.as_deref())?;
            Ok((indicator.open_with(key.as_ref())?, reference, status, sensitivity))
        })
        .collect::<StoreResult<Vec<MatchRow>>>()?;
    opened
        .into_iter()
        .filter(|(i, ..)| wanted.contains(&(i.kind, i.value.clone())))
        .map(|(indicator, reference, status, sensitivity)| {
            let bad = |e: String| StoreError::Database(diesel::result::Error::DeserializationError(e.into()));
            Ok(IndicatorMatch {
                indicator,
                case_reference: reference.parse().map_err(|e: rempart_core::ReferenceError| bad(e.to_string()))?,
                case_status: CaseStatus::parse(&status).map_err(|e| bad(e.to_string()))?,
                case_sensitivity: Sensitivity::parse(&sensitivity).map_err(|e| bad(e.to_string()))?,
            })
        })
        .collect()
}

/// An indicator's value, as normalised and as written, and its note are sealed with its
/// case's key; it is found by its token ([`value_token`]).
impl crate::sealing::Protected for Indicator {
    fn open_with(mut self, key: Option<&crate::sealing::Sealer>) -> StoreResult<Self> {
        use crate::sealing::{open_field, open_field_opt};
        open_field(key, TABLE, "value", &self.id, &mut self.value)?;
        open_field(key, TABLE, "original_value", &self.id, &mut self.original_value)?;
        open_field_opt(key, TABLE, "note", &self.id, &mut self.note)?;
        Ok(self)
    }
}

crate::util::items_of_case!(Indicator, indicators, created_at);
