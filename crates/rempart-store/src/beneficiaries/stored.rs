//! How a beneficiary is stored: the identifying columns sealed with the beneficiary's data
//! key, the address and the words of the name found by blind-index tokens.

use super::{Beneficiary, BeneficiaryEmail};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::{beneficiaries, beneficiary_emails, beneficiary_words};
use crate::sealing::{Opener, Sealer, parse};
use crate::util::new_id;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::EmailAddress;
use rempart_vault::IndexKey;

pub(crate) const TABLE: &str = "beneficiaries";
pub(crate) const EMAILS: &str = "beneficiary_emails";
pub(crate) const VERIFICATIONS: &str = "verification_changes";

/// What an erasure leaves of a forgotten beneficiary's name (their key is destroyed).
pub const ERASED_NAME: &str = "[erased]";
/// The blind index's domain of addresses.
pub const EMAIL_TOKEN_DOMAIN: &str = "email";
/// The blind index's domain of the words of beneficiaries' names and addresses.
pub const WORD_TOKEN_DOMAIN: &str = "beneficiary-word";

/// The token that finds an address (addresses are stored normalised: lower-cased).
pub fn address_token(index: &IndexKey, address: &EmailAddress) -> String {
    index.token(EMAIL_TOKEN_DOMAIN, address.as_str())
}

/// The tokens of the words of a name and addresses (whole words, lower-cased, as the case
/// word index: `ana.perez@example.org` holds `ana`, `perez`, `example` and `org`).
pub fn word_tokens<'a>(index: &IndexKey, texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    crate::case_words::words(texts).iter().map(|w| index.token(WORD_TOKEN_DOMAIN, w)).collect()
}

/// Rebuilds the word tokens of beneficiary `id` from their name and addresses as they are now.
pub(crate) fn reindex(conn: &mut DbConn, id: &str) -> StoreResult<()> {
    let detail = super::Beneficiary::detail(conn, id)?;
    let index = crate::sealing::index_key(conn)?;
    let mut texts = vec![detail.beneficiary.display_name.as_str()];
    texts.extend(detail.emails.iter().map(|e| e.address.as_str()));
    set_words(conn, id, &word_tokens(&index, texts))
}

/// Replaces the word tokens of beneficiary `id`.
pub(crate) fn set_words(conn: &mut DbConn, id: &str, tokens: &[String]) -> StoreResult<()> {
    diesel::delete(beneficiary_words::table.filter(beneficiary_words::beneficiary_id.eq(id))).execute(conn)?;
    let rows: Vec<_> = tokens
        .iter()
        .map(|t| {
            (
                beneficiary_words::id.eq(new_id()),
                beneficiary_words::beneficiary_id.eq(id),
                beneficiary_words::word.eq(t),
            )
        })
        .collect();
    match conn {
        _ if rows.is_empty() => 0,
        DbConn::Sqlite(c) => diesel::insert_into(beneficiary_words::table).values(&rows).execute(c)?,
        DbConn::Postgres(c) => diesel::insert_into(beneficiary_words::table).values(&rows).execute(c)?,
    };
    Ok(())
}

/// A beneficiary's row as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = beneficiaries)]
pub(crate) struct StoredBeneficiary {
    pub(crate) id: String,
    display_name: String,
    verification_status: String,
    audience_type: Option<String>,
    preferred_language: Option<String>,
    pgp_certificate: Option<String>,
    pgp_fingerprint: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    key_trust: Option<String>,
    key_provenance: Option<String>,
    key_pinned_at: Option<NaiveDateTime>,
    key_confirmed_by: Option<String>,
    key_confirmed_at: Option<NaiveDateTime>,
}

impl StoredBeneficiary {
    /// Opens the row with the beneficiary's key (`None`: forgotten, their key destroyed).
    pub(crate) fn open(self, key: Option<&Sealer>) -> StoreResult<Beneficiary> {
        let at = Opener { key, table: TABLE, row: &self.id };
        fn clear<T: TryFrom<String>>(id: &str, column: &str, value: Option<String>) -> StoreResult<Option<T>> {
            value.map(|v| parse(TABLE, column, id, v)).transpose()
        }
        let display_name = match (key, self.display_name.as_str()) {
            (None, ERASED_NAME) => ERASED_NAME.to_owned(),
            (_, stored) => at.text("display_name", stored)?,
        };
        Ok(Beneficiary {
            display_name,
            verification_status: parse(TABLE, "verification_status", &self.id, self.verification_status.clone())?,
            audience_type: clear(&self.id, "audience_type", self.audience_type.clone())?,
            preferred_language: clear(&self.id, "preferred_language", self.preferred_language.clone())?,
            pgp_certificate: at.opt("pgp_certificate", self.pgp_certificate.as_deref())?,
            pgp_fingerprint: at.parsed("pgp_fingerprint", self.pgp_fingerprint.as_deref())?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            key_trust: clear(&self.id, "key_trust", self.key_trust.clone())?,
            key_provenance: at.opt("key_provenance", self.key_provenance.as_deref())?,
            key_pinned_at: self.key_pinned_at,
            key_confirmed_by: self.key_confirmed_by.clone(),
            key_confirmed_at: self.key_confirmed_at,
            id: self.id,
        })
    }
}

/// An address's row as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = beneficiary_emails)]
pub(crate) struct StoredEmail {
    id: String,
    beneficiary_id: String,
    address: String,
    is_primary: bool,
    created_at: NaiveDateTime,
}

impl StoredEmail {
    pub(crate) fn open(self, key: Option<&Sealer>) -> StoreResult<BeneficiaryEmail> {
        let at = Opener { key, table: EMAILS, row: &self.id };
        let address = parse(EMAILS, "address", &self.id, at.text("address", &self.address)?)?;
        Ok(BeneficiaryEmail {
            id: self.id,
            beneficiary_id: self.beneficiary_id,
            address,
            is_primary: self.is_primary,
            created_at: self.created_at,
        })
    }
}
