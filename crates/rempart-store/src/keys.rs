//! A beneficiary's OpenPGP key: pinning, trust (unconfirmed until a handler checks the
//! fingerprint out of band), key changes waiting for a decision.

use crate::audit::{Audit, AuditEvent};
use crate::beneficiaries::Beneficiary;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{beneficiaries, key_changes};
use crate::sealing::{Opener, Owner, Sealer, parse};
use crate::util::{new_id, now, required_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{Fingerprint, KeyChangeStatus, KeyTrust};
use serde::Serialize;

/// A key offered for a beneficiary, and what became of it. The fingerprints, the
/// certificate and its provenance are sealed with the beneficiary's key.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyChange {
    pub id: String,
    pub beneficiary_id: String,
    pub old_fingerprint: Option<Fingerprint>,
    pub new_fingerprint: Fingerprint,
    pub new_certificate: String,
    /// Where the key came from: `manual`, `attached-key`, `autocrypt`, `wkd`, ...
    pub source: String,
    pub status: KeyChangeStatus,
    #[serde(with = "rempart_core::utc")]
    pub recorded_at: NaiveDateTime,
    pub decided_by: Option<String>,
    #[serde(with = "rempart_core::utc::option")]
    pub decided_at: Option<NaiveDateTime>,
    /// Which message carried the key and whether it was signed by it, or who entered it.
    pub provenance: String,
}

/// A key change's row as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = key_changes)]
struct StoredKeyChange {
    id: String,
    beneficiary_id: String,
    old_fingerprint: Option<String>,
    new_fingerprint: String,
    new_certificate: String,
    source: String,
    status: String,
    recorded_at: NaiveDateTime,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
    provenance: String,
}

const CHANGES: &str = "key_changes";
const BENEFICIARIES: &str = "beneficiaries";

impl StoredKeyChange {
    fn open(self, key: Option<&Sealer>) -> StoreResult<KeyChange> {
        let at = Opener { key, table: CHANGES, row: &self.id };
        Ok(KeyChange {
            old_fingerprint: at.parsed("old_fingerprint", self.old_fingerprint.as_deref())?,
            new_fingerprint: parse(
                CHANGES,
                "new_fingerprint",
                &self.id,
                at.text("new_fingerprint", &self.new_fingerprint)?,
            )?,
            new_certificate: at.text("new_certificate", &self.new_certificate)?,
            status: parse(CHANGES, "status", &self.id, self.status.clone())?,
            provenance: at.text("provenance", &self.provenance)?,
            source: self.source,
            recorded_at: self.recorded_at,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
            beneficiary_id: self.beneficiary_id,
            id: self.id,
        })
    }
}

/// The key changes of a beneficiary, oldest first, opened with their key.
pub(crate) fn changes_of(conn: &mut DbConn, beneficiary_id: &str, key: Option<&Sealer>) -> StoreResult<Vec<KeyChange>> {
    key_changes::table
        .filter(key_changes::beneficiary_id.eq(beneficiary_id))
        .order((key_changes::recorded_at.asc(), key_changes::id.asc()))
        .select(StoredKeyChange::as_select())
        .load(conn)?
        .into_iter()
        .map(|c| c.open(key))
        .collect()
}

fn beneficiary_key(conn: &mut DbConn, id: &str) -> StoreResult<Sealer> {
    crate::sealing::key(conn, Owner::Beneficiary(id))
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = key_changes)]
pub(crate) struct KeyChangeInsertForm {
    id: String,
    beneficiary_id: String,
    old_fingerprint: Option<String>,
    new_fingerprint: String,
    new_certificate: String,
    source: String,
    status: String,
    recorded_at: NaiveDateTime,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
    provenance: String,
}

/// Where an offered key comes from, and so how far it is trusted.
#[derive(Debug, Clone, Copy)]
pub struct KeyOrigin<'a> {
    /// `manual`, `attached-key`, `autocrypt`, `wkd`, ...
    pub source: &'a str,
    /// In words: the message that carried it and whether it was signed by it, or who entered it.
    pub provenance: &'a str,
    /// `Confirmed` only when a handler entered the key or compared its fingerprint.
    pub trust: KeyTrust,
}

/// What happened to a certificate offered for a beneficiary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum KeyOffer {
    /// No key was pinned: this one is now.
    Pinned,
    /// The pinned key, refreshed (same fingerprint: new expiry, subkeys or user IDs).
    Refreshed,
    /// A different key: recorded as pending until a handler accepts or rejects it.
    PendingChange { key_change_id: String },
    /// A handler entered a different key: it replaces the pinned one at once (recorded as
    /// an accepted key change).
    Replaced,
    /// This key was already offered and waits for a decision.
    AlreadyPending { key_change_id: String },
    /// Exactly the pinned certificate: nothing to record.
    Unchanged,
}

impl Beneficiary {
    /// Offers an OpenPGP certificate for this beneficiary. The first one is pinned (with
    /// the origin's trust); the same fingerprint refreshes it; a different one waits as a
    /// pending key change. Replies held for want of a key are released only to a
    /// confirmed key.
    pub fn offer_certificate(
        conn: &mut DbConn,
        id: &str,
        armored: &str,
        fingerprint: &Fingerprint,
        origin: KeyOrigin<'_>,
        actor: Option<&str>,
    ) -> StoreResult<KeyOffer> {
        if !armored.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
            return Err(StoreError::invalid("certificate", "not an ASCII-armoured OpenPGP public key"));
        }
        let source = required_text("source", origin.source, 64)?;
        let provenance: String = origin.provenance.chars().take(2000).collect();
        conn.write(|conn| {
            let current = Beneficiary::get(conn, id)?;
            let at = now();
            // The row of a change from the pinned key to this one.
            let change_from =
                |old| KeyChangeRow { old, new: fingerprint, armored, source: &source, provenance: &provenance };
            // The same key vouched for by a handler: confirmed, whatever it was.
            let vouched = origin.trust == KeyTrust::Confirmed && current.key_trust != Some(KeyTrust::Confirmed);
            let outcome = match &current.pgp_fingerprint {
                None => {
                    pin(conn, id, armored, fingerprint, Some((origin.trust, &provenance, actor)), at)?;
                    insert_key_change(conn, id, change_from(None), KeyChangeStatus::Accepted, actor, at)?;
                    KeyOffer::Pinned
                }
                // Autocrypt clients send their key with every message: the same certificate
                // again writes nothing and is not audited.
                Some(pinned) if pinned == fingerprint => {
                    let same_certificate = current.pgp_certificate.as_deref() == Some(armored);
                    if !same_certificate {
                        // Same key, new expiry, subkeys or user IDs: its trust stays.
                        pin(conn, id, armored, fingerprint, None, at)?;
                    }
                    if vouched {
                        confirm(conn, id, &provenance, actor, at)?;
                    }
                    if same_certificate {
                        return Ok(KeyOffer::Unchanged);
                    }
                    KeyOffer::Refreshed
                }
                Some(pinned) if origin.trust == KeyTrust::Confirmed => {
                    pin(conn, id, armored, fingerprint, Some((origin.trust, &provenance, actor)), at)?;
                    insert_key_change(conn, id, change_from(Some(pinned)), KeyChangeStatus::Accepted, actor, at)?;
                    KeyOffer::Replaced
                }
                Some(pinned) => {
                    // A beneficiary has a handful of key changes: opened and compared.
                    let key = beneficiary_key(conn, id)?;
                    let existing = changes_of(conn, id, Some(&key))?
                        .into_iter()
                        .find(|c| c.status == KeyChangeStatus::Pending && &c.new_fingerprint == fingerprint)
                        .map(|c| c.id);
                    match existing {
                        Some(key_change_id) => KeyOffer::AlreadyPending { key_change_id },
                        None => {
                            let change = change_from(Some(pinned));
                            let key_change_id =
                                insert_key_change(conn, id, change, KeyChangeStatus::Pending, None, at)?;
                            KeyOffer::PendingChange { key_change_id }
                        }
                    }
                }
            };
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "beneficiary.key_offered",
                    target: Some(("beneficiary", id)),
                    details: format!("source={source} trust={} outcome={}", origin.trust, key_offer_name(&outcome)),
                    ..Default::default()
                },
            )?;
            Ok(outcome)
        })
    }

    /// A handler compared the pinned key's fingerprint with the beneficiary through another
    /// channel: the key becomes `confirmed` and replies held for it leave. `fingerprint` is
    /// what the handler compared; it must be the pinned one (the key may have changed since
    /// the page was read).
    pub fn confirm_key(
        conn: &mut DbConn,
        id: &str,
        fingerprint: &Fingerprint,
        how: &str,
        actor: Option<&str>,
    ) -> StoreResult<Beneficiary> {
        let how = required_text("how", how, 500)?;
        conn.write(|conn| {
            let current = Beneficiary::get(conn, id)?;
            match &current.pgp_fingerprint {
                None => return Err(StoreError::Conflict("the beneficiary has no pinned key to confirm".into())),
                Some(pinned) if pinned != fingerprint => {
                    return Err(StoreError::Conflict(format!(
                        "the pinned key is {pinned}, not {fingerprint}: compare again"
                    )));
                }
                Some(_) if current.key_trust == Some(KeyTrust::Confirmed) => {
                    return Err(StoreError::Conflict("the key is already confirmed".into()));
                }
                Some(_) => {}
            }
            confirm(conn, id, &how, actor, now())?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "beneficiary.key_confirmed",
                    target: Some(("beneficiary", id)),
                    // The trail never names the key (a fingerprint leads to its owner).
                    details: String::new(),
                    ..Default::default()
                },
            )?;
            Beneficiary::get(conn, id)
        })
    }

    /// Whether a key change waits for a handler's decision (replies are held meanwhile).
    pub fn has_pending_key_change(conn: &mut DbConn, id: &str) -> StoreResult<bool> {
        use diesel::dsl::exists;
        Ok(diesel::select(exists(
            key_changes::table
                .filter(key_changes::beneficiary_id.eq(id))
                .filter(key_changes::status.eq(String::from(KeyChangeStatus::Pending))),
        ))
        .get_result(conn)?)
    }

    /// One key change of this beneficiary.
    pub fn key_change(conn: &mut DbConn, beneficiary_id: &str, key_change_id: &str) -> StoreResult<KeyChange> {
        let row = key_changes::table
            .find(key_change_id)
            .filter(key_changes::beneficiary_id.eq(beneficiary_id))
            .select(StoredKeyChange::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("key change", key_change_id))?;
        let key = crate::sealing::existing_key(conn, Owner::Beneficiary(beneficiary_id))?;
        row.open(key.as_ref())
    }

    /// Accepts (the key becomes the pinned one, confirmed by the handler who accepts it) or
    /// rejects a pending key change. Either way, replies held while it was pending leave:
    /// to the new key, or to the old one.
    pub fn decide_key_change(
        conn: &mut DbConn,
        key_change_id: &str,
        accept: bool,
        actor: Option<&str>,
    ) -> StoreResult<KeyChange> {
        conn.write(|conn| {
            let owner: Option<String> =
                key_changes::table.find(key_change_id).select(key_changes::beneficiary_id).first(conn).optional()?;
            let owner = owner.ok_or_else(|| StoreError::not_found("key change", key_change_id))?;
            let change = Beneficiary::key_change(conn, &owner, key_change_id)?;
            if change.status != KeyChangeStatus::Pending {
                return Err(StoreError::Conflict(format!("the key change is already {}", change.status)));
            }
            let at = now();
            let status = if accept { KeyChangeStatus::Accepted } else { KeyChangeStatus::Rejected };
            if accept {
                let provenance = format!("{}; accepted by a handler", change.provenance);
                pin(
                    conn,
                    &change.beneficiary_id,
                    &change.new_certificate,
                    &change.new_fingerprint,
                    Some((KeyTrust::Confirmed, &provenance, actor)),
                    at,
                )?;
            }
            diesel::update(key_changes::table.find(key_change_id))
                .set((
                    key_changes::status.eq(String::from(status)),
                    key_changes::decided_by.eq(actor),
                    key_changes::decided_at.eq(Some(at)),
                ))
                .execute(conn)?;
            // Held while the change was pending: the worker sends them now to whichever
            // key is pinned, or holds them again if something else still stands in the way.
            crate::messages::Outbox::release_held_for(conn, &change.beneficiary_id)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "beneficiary.key_change_decided",
                    target: Some(("beneficiary", &change.beneficiary_id)),
                    details: format!("key_change={} decision={status}", change.id),
                    ..Default::default()
                },
            )?;
            Beneficiary::key_change(conn, &change.beneficiary_id, key_change_id)
        })
    }
}

fn key_offer_name(outcome: &KeyOffer) -> &'static str {
    match outcome {
        KeyOffer::Pinned => "pinned",
        KeyOffer::Refreshed => "refreshed",
        KeyOffer::Replaced => "replaced",
        KeyOffer::PendingChange { .. } => "pending_change",
        KeyOffer::AlreadyPending { .. } => "already_pending",
        KeyOffer::Unchanged => "unchanged",
    }
}

/// Pins a certificate. `trust` is set for a new key (with its provenance and who pinned
/// it) and left alone for a refresh of the same key. Held replies are released only when
/// the key is confirmed.
fn pin(
    conn: &mut DbConn,
    id: &str,
    armored: &str,
    fingerprint: &Fingerprint,
    trust: Option<(KeyTrust, &str, Option<&str>)>,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let key = beneficiary_key(conn, id)?;
    diesel::update(beneficiaries::table.find(id))
        .set((
            beneficiaries::pgp_certificate.eq(key.seal(BENEFICIARIES, "pgp_certificate", id, armored)),
            beneficiaries::pgp_fingerprint.eq(key.seal(BENEFICIARIES, "pgp_fingerprint", id, fingerprint.as_str())),
            beneficiaries::updated_at.eq(at),
        ))
        .execute(conn)?;
    if let Some((trust, provenance, actor)) = trust {
        let confirmed = trust == KeyTrust::Confirmed;
        diesel::update(beneficiaries::table.find(id))
            .set((
                beneficiaries::key_trust.eq(Some(String::from(trust))),
                beneficiaries::key_provenance.eq(Some(key.seal(BENEFICIARIES, "key_provenance", id, provenance))),
                beneficiaries::key_pinned_at.eq(Some(at)),
                beneficiaries::key_confirmed_by.eq(if confirmed { actor } else { None }),
                beneficiaries::key_confirmed_at.eq(confirmed.then_some(at)),
            ))
            .execute(conn)?;
    }
    let trusted: Option<String> = beneficiaries::table.find(id).select(beneficiaries::key_trust).first(conn)?;
    if trusted.as_deref() == Some(KeyTrust::Confirmed.as_str()) {
        // Replies held for want of a key can leave now.
        crate::messages::Outbox::release_held_for(conn, id)?;
    }
    Ok(())
}

/// Marks the pinned key confirmed and releases the replies held for it.
fn confirm(conn: &mut DbConn, id: &str, how: &str, actor: Option<&str>, at: NaiveDateTime) -> StoreResult<()> {
    let current = Beneficiary::get(conn, id)?;
    let provenance = match current.key_provenance {
        Some(p) if !p.is_empty() => format!("{p}; confirmed: {how}"),
        _ => format!("confirmed: {how}"),
    };
    let provenance: String = provenance.chars().take(4000).collect();
    let key = beneficiary_key(conn, id)?;
    diesel::update(beneficiaries::table.find(id))
        .set((
            beneficiaries::key_trust.eq(Some(String::from(KeyTrust::Confirmed))),
            beneficiaries::key_provenance.eq(Some(key.seal(BENEFICIARIES, "key_provenance", id, &provenance))),
            beneficiaries::key_confirmed_by.eq(actor),
            beneficiaries::key_confirmed_at.eq(Some(at)),
            beneficiaries::updated_at.eq(at),
        ))
        .execute(conn)?;
    crate::messages::Outbox::release_held_for(conn, id)?;
    Ok(())
}

/// The key of one key-change row.
#[derive(Debug, Clone, Copy)]
struct KeyChangeRow<'a> {
    old: Option<&'a Fingerprint>,
    new: &'a Fingerprint,
    armored: &'a str,
    source: &'a str,
    provenance: &'a str,
}

fn insert_key_change(
    conn: &mut DbConn,
    beneficiary_id: &str,
    row: KeyChangeRow<'_>,
    status: KeyChangeStatus,
    decided_by: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<String> {
    let id = new_id();
    let decided = status != KeyChangeStatus::Pending;
    let key = beneficiary_key(conn, beneficiary_id)?;
    let seal = |column: &str, value: &str| key.seal(CHANGES, column, &id, value);
    diesel::insert_into(key_changes::table)
        .values(&KeyChangeInsertForm {
            beneficiary_id: beneficiary_id.to_owned(),
            old_fingerprint: row.old.map(|f| seal("old_fingerprint", f.as_str())),
            new_fingerprint: seal("new_fingerprint", row.new.as_str()),
            new_certificate: seal("new_certificate", row.armored),
            source: row.source.to_owned(),
            status: status.into(),
            recorded_at: at,
            decided_by: if decided { decided_by.map(str::to_owned) } else { None },
            decided_at: decided.then_some(at),
            provenance: seal("provenance", row.provenance),
            id: id.clone(),
        })
        .execute(conn)?;
    Ok(id)
}
