//! A beneficiary's OpenPGP key, as staff act on it: confirm it after comparing its
//! fingerprint out of band, decide a pending change, enter it by hand. Who may:
//! [`crate::beneficiaries::changeable`] (the assignee of one of their cases, leads, admins).

use crate::actor::Actor;
use crate::error::AppResult;
use rempart_core::{Fingerprint, KeyTrust};
use rempart_store::DbConn;
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryDetail, KeyOrigin};

/// Confirms the pinned key `fingerprint` of beneficiary `id`; `how` says how it was checked.
pub fn confirm(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    fingerprint: &Fingerprint,
    how: &str,
) -> AppResult<BeneficiaryDetail> {
    crate::beneficiaries::changeable(conn, actor, id)?;
    Beneficiary::confirm_key(conn, id, fingerprint, how, actor.id())?;
    Ok(Beneficiary::detail(conn, id)?)
}

/// Accepts or rejects the pending key change `change_id` of beneficiary `id`.
pub fn decide_change(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    change_id: &str,
    accept: bool,
) -> AppResult<BeneficiaryDetail> {
    crate::beneficiaries::changeable(conn, actor, id)?;
    Beneficiary::key_change(conn, id, change_id)?;
    Beneficiary::decide_key_change(conn, change_id, accept, actor.id())?;
    Ok(Beneficiary::detail(conn, id)?)
}

/// Pins a key entered by hand (already read and checked as an encryption-capable OpenPGP
/// certificate by the adapter): confirmed, since the person entering it vouches for it.
pub fn enter(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    armored: &str,
    fingerprint: &Fingerprint,
    entered_by: &str,
) -> AppResult<BeneficiaryDetail> {
    crate::beneficiaries::changeable(conn, actor, id)?;
    let provenance = format!("entered by a handler ({entered_by})");
    let origin = KeyOrigin { source: "manual", provenance: &provenance, trust: KeyTrust::Confirmed };
    Beneficiary::offer_certificate(conn, id, armored, fingerprint, origin, actor.id())?;
    Ok(Beneficiary::detail(conn, id)?)
}
