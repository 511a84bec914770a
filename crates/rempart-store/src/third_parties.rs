//! A case's third-party contacts (a platform, a lawyer, a partner organisation), whom the
//! helpline may write to. Everything that names or reaches them is sealed with the case's
//! key; their role stays in clear.

use crate::case_items::{add_to_case, attach};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::third_parties;
use crate::sealing::{Opener, Owner, Sealer, existing_key, parse};
use crate::util::{now, optional_text, required_text};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::{EmailAddress, Fingerprint, ThirdPartyRole};
use serde::Serialize;

const TABLE: &str = "third_parties";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThirdParty {
    pub id: String,
    pub case_id: String,
    pub organisation: String,
    pub contact_name: Option<String>,
    pub role: ThirdPartyRole,
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
    /// Their OpenPGP key (ASCII-armoured): e-mail to them is encrypted to it.
    #[serde(skip)]
    pub pgp_certificate: Option<String>,
    pub pgp_fingerprint: Option<Fingerprint>,
}

/// A row as stored: the sealed columns as they are in the database.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = third_parties)]
struct Stored {
    id: String,
    case_id: String,
    organisation: String,
    contact_name: Option<String>,
    role: String,
    email: Option<String>,
    phone: Option<String>,
    notes: Option<String>,
    created_by: Option<String>,
    created_at: NaiveDateTime,
    pgp_certificate: Option<String>,
    pgp_fingerprint: Option<String>,
}

impl Stored {
    fn open(self, key: Option<&Sealer>) -> StoreResult<ThirdParty> {
        let at = Opener { key, table: TABLE, row: &self.id };
        Ok(ThirdParty {
            organisation: at.text("organisation", &self.organisation)?,
            contact_name: at.opt("contact_name", self.contact_name.as_deref())?,
            role: parse(TABLE, "role", &self.id, self.role.clone())?,
            email: at.parsed("email", self.email.as_deref())?,
            phone: at.opt("phone", self.phone.as_deref())?,
            notes: at.opt("notes", self.notes.as_deref())?,
            pgp_certificate: at.opt("pgp_certificate", self.pgp_certificate.as_deref())?,
            pgp_fingerprint: at.parsed("pgp_fingerprint", self.pgp_fingerprint.as_deref())?,
            case_id: self.case_id,
            created_by: self.created_by,
            created_at: self.created_at,
            id: self.id,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewThirdParty {
    pub case_id: String,
    pub organisation: String,
    pub contact_name: Option<String>,
    pub role: ThirdPartyRole,
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

impl ThirdParty {
    /// The third party of this case who has this address, if any (a case has a handful:
    /// they are opened and compared, no index needed).
    pub fn find_on_case_by_email(
        conn: &mut DbConn,
        case_id: &str,
        address: &EmailAddress,
    ) -> StoreResult<Option<ThirdParty>> {
        Ok(Self::for_case(conn, case_id)?.into_iter().find(|p| p.email.as_ref() == Some(address)))
    }

    pub fn add(conn: &mut DbConn, new: NewThirdParty, actor: Option<&str>) -> StoreResult<ThirdParty> {
        let organisation = required_text("organisation", &new.organisation, 300)?;
        let contact_name = optional_text("contact_name", new.contact_name.as_deref(), 300)?;
        let phone = optional_text("phone", new.phone.as_deref(), 64)?;
        let notes = optional_text("notes", new.notes.as_deref(), 10_000)?;
        let email = new.email.map(String::from);
        add_to_case(
            conn,
            &new.case_id,
            actor,
            ("third_party.added", "third_party"),
            format!("role={}", new.role),
            |conn, id, key| {
                let seal = |column: &str, value: Option<&str>| key.seal_opt(TABLE, column, id, value);
                Ok(diesel::insert_into(third_parties::table)
                    .values((
                        third_parties::id.eq(id),
                        third_parties::case_id.eq(&new.case_id),
                        third_parties::organisation.eq(key.seal(TABLE, "organisation", id, &organisation)),
                        third_parties::contact_name.eq(seal("contact_name", contact_name.as_deref())),
                        third_parties::role.eq(new.role.as_str()),
                        third_parties::email.eq(seal("email", email.as_deref())),
                        third_parties::phone.eq(seal("phone", phone.as_deref())),
                        third_parties::notes.eq(seal("notes", notes.as_deref())),
                        third_parties::created_by.eq(actor),
                        third_parties::created_at.eq(now()),
                    ))
                    .execute(conn)?)
            },
            ThirdParty::get,
        )
    }

    /// Pins `armored` (already read and checked by the caller, with its `fingerprint`) as the
    /// key of third party `id`, and puts back in the outbox what waited for it.
    pub fn set_key(
        conn: &mut DbConn,
        id: &str,
        armored: &str,
        fingerprint: &Fingerprint,
        actor: Option<&str>,
    ) -> StoreResult<ThirdParty> {
        conn.write(|conn| {
            let party = ThirdParty::get(conn, id)?;
            let key = crate::sealing::key(conn, Owner::Case(&party.case_id))?;
            diesel::update(third_parties::table.find(id))
                .set((
                    third_parties::pgp_certificate.eq(Some(key.seal(TABLE, "pgp_certificate", id, armored))),
                    third_parties::pgp_fingerprint.eq(Some(key.seal(
                        TABLE,
                        "pgp_fingerprint",
                        id,
                        fingerprint.as_str(),
                    ))),
                ))
                .execute(conn)?;
            crate::messages::Outbox::release_held_for_third_party(conn, id)?;
            attach(
                conn,
                &party.case_id,
                actor,
                "third_party.key",
                ("third_party", id),
                // The trail never names a key (a fingerprint leads to its owner): it is sealed
                // with the third party.
                String::new(),
            )?;
            ThirdParty::get(conn, id)
        })
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<ThirdParty> {
        let row = third_parties::table
            .find(id)
            .select(Stored::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("third party", id))?;
        let key = existing_key(conn, Owner::Case(&row.case_id))?;
        row.open(key.as_ref())
    }

    /// The case's third parties, oldest first.
    pub fn for_case(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<ThirdParty>> {
        let rows = Self::stored_for_case(conn, case_id)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = existing_key(conn, Owner::Case(case_id))?;
        rows.into_iter().map(|r| r.open(key.as_ref())).collect()
    }

    /// [`Self::for_case`] with the case's key already read.
    pub(crate) fn for_case_with(
        conn: &mut DbConn,
        case_id: &str,
        key: Option<&Sealer>,
    ) -> StoreResult<Vec<ThirdParty>> {
        Self::stored_for_case(conn, case_id)?.into_iter().map(|r| r.open(key)).collect()
    }

    fn stored_for_case(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<Stored>> {
        Ok(third_parties::table
            .filter(third_parties::case_id.eq(case_id))
            .order((third_parties::created_at.asc(), third_parties::id.asc()))
            .select(Stored::as_select())
            .load(conn)?)
    }
}
