//! A new beneficiary's rows, checked, then sealed and written.

use super::*;
use crate::sealing::Owner;

/// A new beneficiary's rows, checked and ready to be written: the beneficiary, their
/// addresses (the first is the primary one) and the first entry of their verification
/// history, written with their audit event. Written on their own ([`Beneficiary::create_detailed`]) or
/// with their first case, in the case's statement on PostgreSQL.
#[derive(Debug, Clone)]
pub struct BeneficiaryRows {
    pub(crate) form: BeneficiaryInsertForm,
    pub(crate) emails: Vec<(EmailInsertForm, EmailAddress)>,
    pub(crate) verification: VerificationInsertForm,
    pub(crate) audience_type: Option<TaxonomyCode>,
    preferred_language: Option<LanguageTag>,
}

impl BeneficiaryRows {
    pub fn prepare(new: NewBeneficiary, actor: Option<&str>) -> StoreResult<Self> {
        let display_name = required_text("display_name", &new.display_name, 200)?;
        if new.emails.is_empty() {
            return Err(StoreError::invalid("emails", "at least one email address is required"));
        }
        let (at, id) = (now(), new_id());
        let mut emails: Vec<(EmailInsertForm, EmailAddress)> = Vec::with_capacity(new.emails.len());
        for address in new.emails {
            if emails.iter().any(|(_, a)| *a == address) {
                continue;
            }
            let row = EmailInsertForm {
                id: new_id(),
                beneficiary_id: id.clone(),
                address: address.to_string(),
                is_primary: emails.is_empty(),
                created_at: at,
                address_token: None,
            };
            emails.push((row, address));
        }
        Ok(Self {
            form: BeneficiaryInsertForm {
                id: id.clone(),
                display_name,
                verification_status: VerificationStatus::Unverified.into(),
                audience_type: new.audience_type.as_ref().map(|t| t.as_str().to_owned()),
                preferred_language: new.preferred_language.as_ref().map(|l| l.as_str().to_owned()),
                pgp_certificate: None,
                pgp_fingerprint: None,
                created_at: at,
                updated_at: at,
            },
            emails,
            verification: VerificationInsertForm {
                id: new_id(),
                beneficiary_id: id,
                from_status: None,
                to_status: VerificationStatus::Unverified.into(),
                changed_by: actor.map(str::to_owned),
                reason: "created".to_owned(),
                changed_at: at,
            },
            audience_type: new.audience_type,
            preferred_language: new.preferred_language,
        })
    }

    pub fn id(&self) -> &str {
        &self.form.id
    }

    /// The refusal of an address that belongs to someone else (the unique index said so).
    pub(crate) fn address_taken() -> StoreError {
        StoreError::Conflict("an address already belongs to another beneficiary".into())
    }

    /// The rows as they are stored: sealed with the beneficiary's data key (made here, in
    /// the caller's transaction if there is one: see [`SealedRows::shred_key`]), each
    /// address with its token.
    pub(crate) fn sealed(&self, conn: &mut DbConn) -> StoreResult<SealedRows> {
        let id = self.form.id.as_str();
        let key = crate::sealing::fresh_key(conn, Owner::Beneficiary(id))?;
        let index = crate::sealing::index_key(conn)?;
        let mut form = self.form.clone();
        form.display_name = key.seal(TABLE, "display_name", id, &self.form.display_name);
        let emails = self
            .emails
            .iter()
            .map(|(row, address)| EmailInsertForm {
                address: key.seal(EMAILS, "address", &row.id, &row.address),
                address_token: Some(address_token(&index, address)),
                ..row.clone()
            })
            .collect();
        let mut verification = self.verification.clone();
        verification.reason = key.seal(VERIFICATIONS, "reason", &verification.id, &verification.reason);
        let texts =
            std::iter::once(self.form.display_name.as_str()).chain(self.emails.iter().map(|(r, _)| r.address.as_str()));
        Ok(SealedRows { form, emails, verification, word_tokens: word_tokens(&index, texts) })
    }

    /// Seals and writes the rows, statement by statement, in the caller's transaction.
    pub(crate) fn insert(&self, conn: &mut DbConn) -> StoreResult<()> {
        self.sealed(conn)?.insert(conn)
    }

    /// The beneficiary as the rows say, once written.
    pub fn detail(&self) -> BeneficiaryDetail {
        let at = self.form.created_at;
        BeneficiaryDetail {
            beneficiary: Beneficiary {
                id: self.form.id.clone(),
                display_name: self.form.display_name.clone(),
                verification_status: VerificationStatus::Unverified,
                audience_type: self.audience_type.clone(),
                preferred_language: self.preferred_language.clone(),
                pgp_certificate: None,
                pgp_fingerprint: None,
                created_at: at,
                updated_at: at,
                key_trust: None,
                key_provenance: None,
                key_pinned_at: None,
                key_confirmed_by: None,
                key_confirmed_at: None,
            },
            emails: self
                .emails
                .iter()
                .map(|(row, address)| BeneficiaryEmail {
                    id: row.id.clone(),
                    beneficiary_id: row.beneficiary_id.clone(),
                    address: address.clone(),
                    is_primary: row.is_primary,
                    created_at: at,
                })
                .collect(),
            verification_history: vec![VerificationChange {
                id: self.verification.id.clone(),
                beneficiary_id: self.verification.beneficiary_id.clone(),
                from_status: None,
                to_status: VerificationStatus::Unverified,
                changed_by: self.verification.changed_by.clone(),
                reason: self.verification.reason.clone(),
                changed_at: at,
            }],
            key_changes: Vec::new(),
        }
    }
}

/// A new beneficiary's rows as stored: sealed, with their tokens.
#[derive(Debug, Clone)]
pub(crate) struct SealedRows {
    pub(crate) form: BeneficiaryInsertForm,
    pub(crate) emails: Vec<EmailInsertForm>,
    pub(crate) verification: VerificationInsertForm,
    pub(crate) word_tokens: Vec<String>,
}

impl SealedRows {
    /// Writes the rows, statement by statement, in the caller's transaction.
    pub(crate) fn insert(&self, conn: &mut DbConn) -> StoreResult<()> {
        diesel::insert_into(beneficiaries::table).values(&self.form).execute(conn)?;
        for row in &self.emails {
            match diesel::insert_into(beneficiary_emails::table).values(row).execute(conn) {
                Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                    return Err(BeneficiaryRows::address_taken());
                }
                other => other?,
            };
        }
        diesel::insert_into(verification_changes::table).values(&self.verification).execute(conn)?;
        self.insert_words(conn)?;
        AuditEvent::record(
            conn,
            Audit {
                actor: self.verification.changed_by.as_deref(),
                action: "beneficiary.created",
                target: Some(("beneficiary", &self.form.id)),
                ..Default::default()
            },
        )
    }

    /// Writes the tokens of the words of the name and addresses (after the rows, which
    /// they refer to).
    pub(crate) fn insert_words(&self, conn: &mut DbConn) -> StoreResult<()> {
        set_words(conn, &self.form.id, &self.word_tokens)
    }

    /// Destroys the key of a beneficiary whose creation failed (made outside a transaction).
    pub(crate) fn shred_key(&self, conn: &mut DbConn) -> StoreResult<()> {
        crate::sealing::shred(conn, &[Owner::Beneficiary(&self.form.id)])?;
        Ok(())
    }
}
