//! The people and organisations who ask for help.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{beneficiaries, beneficiary_emails, key_changes, verification_changes};
use crate::taxonomy::Taxonomy;
use crate::util::{Parsed, new_id, now, required_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{EmailAddress, Fingerprint, KeyChangeStatus, LanguageTag, TaxonomyCode, VerificationStatus};
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = beneficiaries)]
pub struct Beneficiary {
    pub id: String,
    pub display_name: String,
    #[diesel(deserialize_as = String)]
    pub verification_status: VerificationStatus,
    #[diesel(deserialize_as = Parsed<TaxonomyCode>)]
    pub audience_type: Option<TaxonomyCode>,
    #[diesel(deserialize_as = Parsed<LanguageTag>)]
    pub preferred_language: Option<LanguageTag>,
    /// The pinned OpenPGP certificate, ASCII-armoured.
    pub pgp_certificate: Option<String>,
    #[diesel(deserialize_as = Parsed<Fingerprint>)]
    pub pgp_fingerprint: Option<Fingerprint>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = beneficiary_emails)]
pub struct BeneficiaryEmail {
    pub id: String,
    pub beneficiary_id: String,
    #[diesel(deserialize_as = String)]
    pub address: EmailAddress,
    pub is_primary: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = verification_changes)]
pub struct VerificationChange {
    pub id: String,
    pub beneficiary_id: String,
    #[diesel(deserialize_as = Parsed<VerificationStatus>)]
    pub from_status: Option<VerificationStatus>,
    #[diesel(deserialize_as = String)]
    pub to_status: VerificationStatus,
    pub changed_by: Option<String>,
    pub reason: String,
    pub changed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = key_changes)]
pub struct KeyChange {
    pub id: String,
    pub beneficiary_id: String,
    #[diesel(deserialize_as = Parsed<Fingerprint>)]
    pub old_fingerprint: Option<Fingerprint>,
    #[diesel(deserialize_as = String)]
    pub new_fingerprint: Fingerprint,
    pub new_certificate: String,
    /// Where the key came from: `manual`, `attached-key`, `autocrypt`, `wkd`, ...
    pub source: String,
    #[diesel(deserialize_as = String)]
    pub status: KeyChangeStatus,
    pub recorded_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
}

/// A beneficiary with their addresses and the history of their verification and keys.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BeneficiaryDetail {
    #[serde(flatten)]
    pub beneficiary: Beneficiary,
    pub emails: Vec<BeneficiaryEmail>,
    pub verification_history: Vec<VerificationChange>,
    pub key_changes: Vec<KeyChange>,
}

#[derive(Debug, Clone)]
pub struct NewBeneficiary {
    pub display_name: String,
    /// At least one; the first is the primary address.
    pub emails: Vec<EmailAddress>,
    pub audience_type: Option<TaxonomyCode>,
    pub preferred_language: Option<LanguageTag>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = beneficiaries)]
pub struct BeneficiaryInsertForm {
    pub id: String,
    pub display_name: String,
    pub verification_status: String,
    pub audience_type: Option<String>,
    pub preferred_language: Option<String>,
    pub pgp_certificate: Option<String>,
    pub pgp_fingerprint: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changes to a beneficiary's profile. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = beneficiaries)]
pub struct BeneficiaryUpdateForm {
    pub display_name: Option<String>,
    pub audience_type: Option<Option<String>>,
    pub preferred_language: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = beneficiary_emails)]
struct EmailInsertForm {
    id: String,
    beneficiary_id: String,
    address: String,
    is_primary: bool,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = verification_changes)]
struct VerificationInsertForm {
    id: String,
    beneficiary_id: String,
    from_status: Option<String>,
    to_status: String,
    changed_by: Option<String>,
    reason: String,
    changed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = key_changes)]
struct KeyChangeInsertForm {
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
    /// This key was already offered and waits for a decision.
    AlreadyPending { key_change_id: String },
    /// Exactly the pinned certificate: nothing to record.
    Unchanged,
}

impl Beneficiary {
    pub fn create(conn: &mut DbConn, new: NewBeneficiary, actor: Option<&str>) -> StoreResult<Beneficiary> {
        let display_name = required_text("display_name", &new.display_name, 200)?;
        if new.emails.is_empty() {
            return Err(StoreError::invalid("emails", "at least one email address is required"));
        }
        conn.write(|conn| {
            let at = now();
            let id = new_id();
            Taxonomy::Audience.ensure_active(conn, new.audience_type.as_ref())?;
            let form = BeneficiaryInsertForm {
                id: id.clone(),
                display_name,
                verification_status: VerificationStatus::Unverified.into(),
                audience_type: new.audience_type.map(String::from),
                preferred_language: new.preferred_language.map(String::from),
                pgp_certificate: None,
                pgp_fingerprint: None,
                created_at: at,
                updated_at: at,
            };
            diesel::insert_into(beneficiaries::table).values(&form).execute(conn)?;
            let mut seen = Vec::new();
            for (i, address) in new.emails.iter().enumerate() {
                if seen.contains(&address) {
                    continue;
                }
                seen.push(address);
                add_email(conn, &id, address, i == 0)?;
            }
            diesel::insert_into(verification_changes::table)
                .values(&VerificationInsertForm {
                    id: new_id(),
                    beneficiary_id: id.clone(),
                    from_status: None,
                    to_status: VerificationStatus::Unverified.into(),
                    changed_by: actor.map(str::to_owned),
                    reason: "created".to_owned(),
                    changed_at: at,
                })
                .execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "beneficiary.created",
                    target: Some(("beneficiary", &id)),
                    ..Default::default()
                },
            )?;
            Beneficiary::get(conn, &id)
        })
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<Beneficiary> {
        beneficiaries::table
            .find(id)
            .select(Beneficiary::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("beneficiary", id))
    }

    /// Not found unless a beneficiary `id` exists (without reading the row).
    pub fn ensure_exists(conn: &mut DbConn, id: &str) -> StoreResult<()> {
        let found: Option<String> = beneficiaries::table.find(id).select(beneficiaries::id).first(conn).optional()?;
        found.map(|_| ()).ok_or_else(|| StoreError::not_found("beneficiary", id))
    }

    pub fn detail(conn: &mut DbConn, id: &str) -> StoreResult<BeneficiaryDetail> {
        use diesel::dsl::exists;
        // The row and whether there is any history to read, in one query (most
        // beneficiaries have neither a verification change nor a key change).
        let (beneficiary, verified, keyed): (Beneficiary, bool, bool) = beneficiaries::table
            .find(id)
            .select((
                Beneficiary::as_select(),
                exists(verification_changes::table.filter(verification_changes::beneficiary_id.eq(id))),
                exists(key_changes::table.filter(key_changes::beneficiary_id.eq(id))),
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("beneficiary", id))?;
        let emails = beneficiary_emails::table
            .filter(beneficiary_emails::beneficiary_id.eq(id))
            .order((beneficiary_emails::is_primary.desc(), beneficiary_emails::created_at.asc()))
            .select(BeneficiaryEmail::as_select())
            .load(conn)?;
        let verification_history = crate::util::if_any(verified, || {
            Ok(verification_changes::table
                .filter(verification_changes::beneficiary_id.eq(id))
                .order((verification_changes::changed_at.asc(), verification_changes::id.asc()))
                .select(VerificationChange::as_select())
                .load(conn)?)
        })?;
        let key_changes = crate::util::if_any(keyed, || {
            Ok(key_changes::table
                .filter(key_changes::beneficiary_id.eq(id))
                .order((key_changes::recorded_at.asc(), key_changes::id.asc()))
                .select(KeyChange::as_select())
                .load(conn)?)
        })?;
        Ok(BeneficiaryDetail { beneficiary, emails, verification_history, key_changes })
    }

    /// The beneficiary who owns this address, if any.
    pub fn find_by_email(conn: &mut DbConn, address: &EmailAddress) -> StoreResult<Option<Beneficiary>> {
        Ok(beneficiaries::table
            .inner_join(beneficiary_emails::table)
            .filter(beneficiary_emails::address.eq(address.as_str()))
            .select(Beneficiary::as_select())
            .first(conn)
            .optional()?)
    }

    /// Beneficiaries, most recently created first.
    pub fn list(conn: &mut DbConn, limit: i64, offset: i64) -> StoreResult<Vec<Beneficiary>> {
        Ok(beneficiaries::table
            .order((beneficiaries::created_at.desc(), beneficiaries::id.desc()))
            .limit(limit)
            .offset(offset)
            .select(Beneficiary::as_select())
            .load(conn)?)
    }

    pub fn update(
        conn: &mut DbConn,
        id: &str,
        mut form: BeneficiaryUpdateForm,
        actor: Option<&str>,
    ) -> StoreResult<Beneficiary> {
        if let Some(name) = &form.display_name {
            form.display_name = Some(required_text("display_name", name, 200)?);
        }
        conn.write(|conn| {
            Beneficiary::get(conn, id)?;
            if let Some(Some(code)) = &form.audience_type {
                let code = TaxonomyCode::parse(code).map_err(|e| StoreError::invalid("audience_type", e))?;
                Taxonomy::Audience.ensure_active(conn, Some(&code))?;
            }
            form.updated_at = Some(now());
            diesel::update(beneficiaries::table.find(id)).set(&form).execute(conn)?;
            AuditEvent::record(
                conn,
                Audit { actor, action: "beneficiary.updated", target: Some(("beneficiary", id)), ..Default::default() },
            )?;
            Beneficiary::get(conn, id)
        })
    }

    /// Adds another address to a beneficiary (an address belongs to one beneficiary only).
    pub fn add_email(conn: &mut DbConn, id: &str, address: &EmailAddress, actor: Option<&str>) -> StoreResult<()> {
        conn.write(|conn| {
            Beneficiary::get(conn, id)?;
            add_email(conn, id, address, false)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "beneficiary.email_added",
                    target: Some(("beneficiary", id)),
                    ..Default::default()
                },
            )
        })
    }

    /// Changes the verification status; the reason is required and kept in the history.
    pub fn set_verification(
        conn: &mut DbConn,
        id: &str,
        to: VerificationStatus,
        reason: &str,
        actor: Option<&str>,
    ) -> StoreResult<Beneficiary> {
        let reason = required_text("reason", reason, 2000)?;
        conn.write(|conn| {
            let current = Beneficiary::get(conn, id)?;
            if current.verification_status == to {
                return Err(StoreError::Conflict(format!("the beneficiary is already {to}")));
            }
            let at = now();
            diesel::update(beneficiaries::table.find(id))
                .set((beneficiaries::verification_status.eq(String::from(to)), beneficiaries::updated_at.eq(at)))
                .execute(conn)?;
            diesel::insert_into(verification_changes::table)
                .values(&VerificationInsertForm {
                    id: new_id(),
                    beneficiary_id: id.to_owned(),
                    from_status: Some(current.verification_status.into()),
                    to_status: to.into(),
                    changed_by: actor.map(str::to_owned),
                    reason,
                    changed_at: at,
                })
                .execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "beneficiary.verification_changed",
                    target: Some(("beneficiary", id)),
                    details: format!("from={} to={to}", current.verification_status),
                    ..Default::default()
                },
            )?;
            Beneficiary::get(conn, id)
        })
    }

    /// Offers an OpenPGP certificate for this beneficiary. The first one is pinned; the
    /// same fingerprint refreshes it; a different one waits as a pending key change.
    pub fn offer_certificate(
        conn: &mut DbConn,
        id: &str,
        armored: &str,
        fingerprint: &Fingerprint,
        source: &str,
        actor: Option<&str>,
    ) -> StoreResult<KeyOffer> {
        if !armored.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
            return Err(StoreError::invalid("certificate", "not an ASCII-armoured OpenPGP public key"));
        }
        let source = required_text("source", source, 64)?;
        conn.write(|conn| {
            let current = Beneficiary::get(conn, id)?;
            let at = now();
            let outcome = match &current.pgp_fingerprint {
                None => {
                    pin(conn, id, armored, fingerprint, at)?;
                    insert_key_change(
                        conn,
                        id,
                        None,
                        fingerprint,
                        armored,
                        &source,
                        KeyChangeStatus::Accepted,
                        actor,
                        at,
                    )?;
                    KeyOffer::Pinned
                }
                // Autocrypt clients send their key with every message: no write, no audit.
                Some(pinned) if pinned == fingerprint && current.pgp_certificate.as_deref() == Some(armored) => {
                    return Ok(KeyOffer::Unchanged);
                }
                Some(pinned) if pinned == fingerprint => {
                    pin(conn, id, armored, fingerprint, at)?;
                    KeyOffer::Refreshed
                }
                Some(pinned) => {
                    let existing: Option<String> = key_changes::table
                        .filter(key_changes::beneficiary_id.eq(id))
                        .filter(key_changes::new_fingerprint.eq(fingerprint.as_str()))
                        .filter(key_changes::status.eq(String::from(KeyChangeStatus::Pending)))
                        .select(key_changes::id)
                        .first(conn)
                        .optional()?;
                    match existing {
                        Some(key_change_id) => KeyOffer::AlreadyPending { key_change_id },
                        None => {
                            let key_change_id = insert_key_change(
                                conn,
                                id,
                                Some(pinned),
                                fingerprint,
                                armored,
                                &source,
                                KeyChangeStatus::Pending,
                                None,
                                at,
                            )?;
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
                    details: format!("fingerprint={fingerprint} source={source} outcome={}", key_offer_name(&outcome)),
                    ..Default::default()
                },
            )?;
            Ok(outcome)
        })
    }

    /// Accepts (the key becomes the pinned one) or rejects a pending key change.
    pub fn decide_key_change(
        conn: &mut DbConn,
        key_change_id: &str,
        accept: bool,
        actor: Option<&str>,
    ) -> StoreResult<KeyChange> {
        conn.write(|conn| {
            let change: KeyChange = key_changes::table
                .find(key_change_id)
                .select(KeyChange::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| StoreError::not_found("key change", key_change_id))?;
            if change.status != KeyChangeStatus::Pending {
                return Err(StoreError::Conflict(format!("the key change is already {}", change.status)));
            }
            let at = now();
            let status = if accept { KeyChangeStatus::Accepted } else { KeyChangeStatus::Rejected };
            if accept {
                pin(conn, &change.beneficiary_id, &change.new_certificate, &change.new_fingerprint, at)?;
            }
            diesel::update(key_changes::table.find(key_change_id))
                .set((
                    key_changes::status.eq(String::from(status)),
                    key_changes::decided_by.eq(actor),
                    key_changes::decided_at.eq(Some(at)),
                ))
                .execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "beneficiary.key_change_decided",
                    target: Some(("beneficiary", &change.beneficiary_id)),
                    details: format!("fingerprint={} decision={status}", change.new_fingerprint),
                    ..Default::default()
                },
            )?;
            Ok(key_changes::table.find(key_change_id).select(KeyChange::as_select()).first(conn)?)
        })
    }
}

fn key_offer_name(outcome: &KeyOffer) -> &'static str {
    match outcome {
        KeyOffer::Pinned => "pinned",
        KeyOffer::Refreshed => "refreshed",
        KeyOffer::PendingChange { .. } => "pending_change",
        KeyOffer::AlreadyPending { .. } => "already_pending",
        KeyOffer::Unchanged => "unchanged",
    }
}

fn pin(conn: &mut DbConn, id: &str, armored: &str, fingerprint: &Fingerprint, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(beneficiaries::table.find(id))
        .set((
            beneficiaries::pgp_certificate.eq(armored),
            beneficiaries::pgp_fingerprint.eq(fingerprint.as_str()),
            beneficiaries::updated_at.eq(at),
        ))
        .execute(conn)?;
    // Replies held for want of a key can leave now.
    crate::mail::Outbox::release_held_for(conn, id)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert_key_change(
    conn: &mut DbConn,
    beneficiary_id: &str,
    old: Option<&Fingerprint>,
    new: &Fingerprint,
    armored: &str,
    source: &str,
    status: KeyChangeStatus,
    decided_by: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<String> {
    let id = new_id();
    let decided = status != KeyChangeStatus::Pending;
    diesel::insert_into(key_changes::table)
        .values(&KeyChangeInsertForm {
            id: id.clone(),
            beneficiary_id: beneficiary_id.to_owned(),
            old_fingerprint: old.map(|f| f.to_string()),
            new_fingerprint: new.to_string(),
            new_certificate: armored.to_owned(),
            source: source.to_owned(),
            status: status.into(),
            recorded_at: at,
            decided_by: if decided { decided_by.map(str::to_owned) } else { None },
            decided_at: decided.then_some(at),
        })
        .execute(conn)?;
    Ok(id)
}

fn add_email(conn: &mut DbConn, beneficiary_id: &str, address: &EmailAddress, is_primary: bool) -> StoreResult<()> {
    if let Some(owner) = Beneficiary::find_by_email(conn, address)? {
        return Err(StoreError::Conflict(if owner.id == beneficiary_id {
            format!("{address} is already recorded for this beneficiary")
        } else {
            format!("{address} already belongs to another beneficiary")
        }));
    }
    diesel::insert_into(beneficiary_emails::table)
        .values(&EmailInsertForm {
            id: new_id(),
            beneficiary_id: beneficiary_id.to_owned(),
            address: address.to_string(),
            is_primary,
            created_at: now(),
        })
        .execute(conn)?;
    Ok(())
}
