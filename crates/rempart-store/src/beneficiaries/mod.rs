//! The people and organisations who ask for help.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
pub use crate::keys::{KeyChange, KeyOffer, KeyOrigin};
use crate::schema::{beneficiaries, beneficiary_emails, key_changes, verification_changes};
use crate::sealing::Owner;
use crate::taxonomy::Taxonomy;
use crate::util::{Parsed, new_id, now, required_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{EmailAddress, Fingerprint, KeyTrust, LanguageTag, Sensitivity, TaxonomyCode, VerificationStatus};
use serde::Serialize;

mod rows;
mod stored;
pub use rows::BeneficiaryRows;
pub(crate) use rows::SealedRows;
pub(crate) use stored::set_words;
pub use stored::{EMAIL_TOKEN_DOMAIN, ERASED_NAME, WORD_TOKEN_DOMAIN, address_token, word_tokens};
use stored::{EMAILS, StoredBeneficiary, StoredEmail, TABLE, VERIFICATIONS};

/// A beneficiary as the store's callers read it: opened. Their name, addresses, key and
/// its provenance are sealed with the beneficiary's data key; what the rota and the
/// statistics read (status, audience, language, dates) stays in clear.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Beneficiary {
    pub id: String,
    pub display_name: String,
    pub verification_status: VerificationStatus,
    pub audience_type: Option<TaxonomyCode>,
    pub preferred_language: Option<LanguageTag>,
    /// The pinned OpenPGP certificate, ASCII-armoured.
    pub pgp_certificate: Option<String>,
    pub pgp_fingerprint: Option<Fingerprint>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc")]
    pub updated_at: NaiveDateTime,
    /// Trust in the pinned key: `unconfirmed` (learned from mail, which anyone can forge)
    /// or `confirmed` (a handler compared the fingerprint out of band, or entered the key).
    pub key_trust: Option<KeyTrust>,
    /// Where the pinned key came from (message, header or attachment, signed or not; or
    /// the handler who entered it).
    pub key_provenance: Option<String>,
    /// When the current key was pinned: replies written before it wait for confirmation.
    #[serde(with = "rempart_core::utc::option")]
    pub key_pinned_at: Option<NaiveDateTime>,
    pub key_confirmed_by: Option<String>,
    #[serde(with = "rempart_core::utc::option")]
    pub key_confirmed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BeneficiaryEmail {
    pub id: String,
    pub beneficiary_id: String,
    pub address: EmailAddress,
    pub is_primary: bool,
    #[serde(with = "rempart_core::utc")]
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
    #[serde(with = "rempart_core::utc")]
    pub changed_at: NaiveDateTime,
}

/// How a member of staff stands to a beneficiary through the beneficiary's cases: the
/// facts the application layer's visibility rule reads (`rempart_app::beneficiaries`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRelation {
    /// The beneficiary has at least one case.
    pub has_cases: bool,
    /// One of them is normal, or restricted and assigned to this user.
    pub sees_a_case: bool,
    /// One of them is assigned to this user.
    pub holds_a_case: bool,
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
pub(crate) struct EmailInsertForm {
    pub(crate) id: String,
    beneficiary_id: String,
    /// Sealed once written.
    pub(crate) address: String,
    pub(crate) is_primary: bool,
    created_at: NaiveDateTime,
    pub(crate) address_token: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = verification_changes)]
pub(crate) struct VerificationInsertForm {
    pub(crate) id: String,
    beneficiary_id: String,
    from_status: Option<String>,
    pub(crate) to_status: String,
    pub(crate) changed_by: Option<String>,
    pub(crate) reason: String,
    pub(crate) changed_at: NaiveDateTime,
}

impl Beneficiary {
    pub fn create(conn: &mut DbConn, new: NewBeneficiary, actor: Option<&str>) -> StoreResult<Beneficiary> {
        Ok(Beneficiary::create_detailed(conn, new, actor)?.beneficiary)
    }

    /// Creates a beneficiary with their addresses (the first is the primary one), the first
    /// entry of their verification history and the audit event, and answers them as
    /// stored, built from what was written (nothing is read back).
    pub fn create_detailed(
        conn: &mut DbConn,
        new: NewBeneficiary,
        actor: Option<&str>,
    ) -> StoreResult<BeneficiaryDetail> {
        let rows = BeneficiaryRows::prepare(new, actor)?;
        let insert = |conn: &mut DbConn| {
            Taxonomy::Audience.ensure_active(conn, rows.audience_type.as_ref())?;
            rows.insert(conn)
        };
        if conn.in_transaction()? {
            insert(conn)?
        } else {
            conn.write(insert)?
        }
        Ok(rows.detail())
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<Beneficiary> {
        let row = beneficiaries::table
            .find(id)
            .select(StoredBeneficiary::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("beneficiary", id))?;
        let key = crate::sealing::existing_key(conn, Owner::Beneficiary(id))?;
        row.open(key.as_ref())
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
        let (beneficiary, verified, keyed): (StoredBeneficiary, bool, bool) = beneficiaries::table
            .find(id)
            .select((
                StoredBeneficiary::as_select(),
                exists(verification_changes::table.filter(verification_changes::beneficiary_id.eq(id))),
                exists(key_changes::table.filter(key_changes::beneficiary_id.eq(id))),
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("beneficiary", id))?;
        let key = crate::sealing::existing_key(conn, Owner::Beneficiary(id))?;
        let key = key.as_ref();
        let beneficiary = beneficiary.open(key)?;
        let emails = beneficiary_emails::table
            .filter(beneficiary_emails::beneficiary_id.eq(id))
            .order((beneficiary_emails::is_primary.desc(), beneficiary_emails::created_at.asc()))
            .select(StoredEmail::as_select())
            .load(conn)?
            .into_iter()
            .map(|e| e.open(key))
            .collect::<StoreResult<Vec<_>>>()?;
        let verification_history = crate::util::if_any(verified, || {
            Ok(verification_changes::table
                .filter(verification_changes::beneficiary_id.eq(id))
                .order((verification_changes::changed_at.asc(), verification_changes::id.asc()))
                .select(VerificationChange::as_select())
                .load(conn)?)
        })?
        .into_iter()
        .map(|mut v: VerificationChange| {
            crate::sealing::open_field(key, VERIFICATIONS, "reason", &v.id.clone(), &mut v.reason)?;
            Ok(v)
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let key_changes = crate::util::if_any(keyed, || crate::keys::changes_of(conn, id, key))?;
        Ok(BeneficiaryDetail { beneficiary, emails, verification_history, key_changes })
    }

    /// The beneficiary who owns this address, if any (found by the address's token).
    pub fn find_by_email(conn: &mut DbConn, address: &EmailAddress) -> StoreResult<Option<Beneficiary>> {
        let token = address_token(&crate::sealing::index_key(conn)?, address);
        let found: Option<String> = beneficiary_emails::table
            .filter(beneficiary_emails::address_token.eq(token))
            .select(beneficiary_emails::beneficiary_id)
            .first(conn)
            .optional()?;
        found.map(|id| Beneficiary::get(conn, &id)).transpose()
    }

    /// Beneficiaries, most recently created first; with `visible_to`, only those who have
    /// no case yet or a case that user sees (normal, or restricted and assigned to them).
    pub fn list(conn: &mut DbConn, visible_to: Option<&str>, limit: i64, offset: i64) -> StoreResult<Vec<Beneficiary>> {
        use crate::schema::cases;
        use diesel::dsl::{exists, not};
        let mut query = beneficiaries::table.into_boxed();
        if let Some(user) = visible_to {
            let any_case = cases::table.filter(cases::beneficiary_id.eq(beneficiaries::id));
            let seen = cases::table.filter(cases::beneficiary_id.eq(beneficiaries::id)).filter(
                cases::sensitivity.eq(String::from(Sensitivity::Normal)).or(cases::assignee_id.eq(user.to_owned())),
            );
            query = query.filter(not(exists(any_case)).or(exists(seen)));
        }
        let rows: Vec<StoredBeneficiary> = query
            .order((beneficiaries::created_at.desc(), beneficiaries::id.desc()))
            .limit(limit)
            .offset(offset)
            .select(StoredBeneficiary::as_select())
            .load(conn)?;
        let owners: Vec<Owner<'_>> = rows.iter().map(|r| Owner::Beneficiary(&r.id)).collect();
        let keys = crate::sealing::keys_of(conn, &owners)?;
        rows.into_iter()
            .map(|r| {
                let key = keys.get(&r.id);
                r.open(key)
            })
            .collect()
    }

    /// How `user` stands to beneficiary `id` through the beneficiary's cases; `None` when
    /// there is no such beneficiary.
    pub fn relation(conn: &mut DbConn, id: &str, user: &str) -> StoreResult<Option<CaseRelation>> {
        use crate::schema::cases;
        use diesel::dsl::exists;
        let of = || cases::table.filter(cases::beneficiary_id.eq(id));
        let found: Option<(bool, bool, bool)> =
            beneficiaries::table
                .find(id)
                .select((
                    exists(of()),
                    exists(of().filter(
                        cases::sensitivity.eq(String::from(Sensitivity::Normal)).or(cases::assignee_id.eq(user)),
                    )),
                    exists(of().filter(cases::assignee_id.eq(user))),
                ))
                .first(conn)
                .optional()?;
        Ok(found.map(|(has_cases, sees_a_case, holds_a_case)| CaseRelation { has_cases, sees_a_case, holds_a_case }))
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
            let renamed = form.display_name.is_some();
            if let Some(name) = form.display_name.take() {
                let key = crate::sealing::key(conn, Owner::Beneficiary(id))?;
                form.display_name = Some(key.seal(TABLE, "display_name", id, &name));
            }
            diesel::update(beneficiaries::table.find(id)).set(&form).execute(conn)?;
            if renamed {
                stored::reindex(conn, id)?;
            }
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
            stored::reindex(conn, id)?;
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
            let change_id = new_id();
            let key = crate::sealing::key(conn, Owner::Beneficiary(id))?;
            diesel::insert_into(verification_changes::table)
                .values(&VerificationInsertForm {
                    reason: key.seal(VERIFICATIONS, "reason", &change_id, &reason),
                    id: change_id,
                    beneficiary_id: id.to_owned(),
                    from_status: Some(current.verification_status.into()),
                    to_status: to.into(),
                    changed_by: actor.map(str::to_owned),
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
}

fn add_email(conn: &mut DbConn, beneficiary_id: &str, address: &EmailAddress, is_primary: bool) -> StoreResult<()> {
    if let Some(owner) = Beneficiary::find_by_email(conn, address)? {
        return Err(StoreError::Conflict(if owner.id == beneficiary_id {
            format!("{address} is already recorded for this beneficiary")
        } else {
            format!("{address} already belongs to another beneficiary")
        }));
    }
    let id = new_id();
    let key = crate::sealing::key(conn, Owner::Beneficiary(beneficiary_id))?;
    let index = crate::sealing::index_key(conn)?;
    diesel::insert_into(beneficiary_emails::table)
        .values(&EmailInsertForm {
            address: key.seal(EMAILS, "address", &id, address.as_str()),
            address_token: Some(address_token(&index, address)),
            id,
            beneficiary_id: beneficiary_id.to_owned(),
            is_primary,
            created_at: now(),
        })
        .execute(conn)?;
    Ok(())
}
