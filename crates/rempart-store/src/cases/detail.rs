//! The full case with everything attached: what a handler opens.

use super::model::*;
use crate::beneficiaries::{Beneficiary, BeneficiaryDetail};
use crate::case_items::{Action, CaseLink, Comment, NextStep, RiskAssessment, ThirdParty};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::evidence::Evidence;
use crate::indicators::Indicator;
use crate::messages::Message;
use crate::schema::{case_status_changes, cases};
use crate::util::{if_any, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

/// A case with everything attached: what a handler opens.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    pub beneficiary: BeneficiaryDetail,
    pub messages: Vec<Message>,
    pub evidence: Vec<Evidence>,
    pub indicators: Vec<Indicator>,
    pub links: Vec<CaseLink>,
    /// Links to cases the reader may not see: only their number, never an id or a kind.
    pub hidden_links: usize,
    pub actions: Vec<Action>,
    pub third_parties: Vec<ThirdParty>,
    pub comments: Vec<Comment>,
    pub next_steps: Vec<NextStep>,
    pub risk_assessments: Vec<RiskAssessment>,
    pub status_history: Vec<StatusChange>,
    /// What needs a handler's attention, derived from the rest: `key_change_pending` (the
    /// beneficiary offered a different key), `reply_needs_key` (a reply is held for want of
    /// a usable key), `reply_held_confirm_key` (a reply written before the pinned key
    /// arrived waits until a handler confirms that key's fingerprint out of band: see the
    /// beneficiary's `pgp_fingerprint` and `key_provenance`), `reply_held_key_change` (a
    /// reply waits for a decision on the pending key change), `reply_failed` (a reply could not be delivered), `bad_signature` (an
    /// inbound message failed its signature check).
    pub flags: Vec<String>,
}

fn case_flags(beneficiary: &BeneficiaryDetail, messages: &[Message]) -> Vec<String> {
    use rempart_core::{DeliveryStatus, KeyChangeStatus, SignatureStatus};
    let mut flags = Vec::new();
    if beneficiary.key_changes.iter().any(|k| k.status == KeyChangeStatus::Pending) {
        flags.push("key_change_pending".to_owned());
    }
    let held: Vec<&Message> = messages.iter().filter(|m| m.delivery_status == Some(DeliveryStatus::NeedsKey)).collect();
    if !held.is_empty() {
        flags.push("reply_needs_key".to_owned());
    }
    let b = &beneficiary.beneficiary;
    if b.key_trust == Some(rempart_core::KeyTrust::Unconfirmed)
        && held.iter().any(|m| b.key_pinned_at.is_some_and(|pinned| m.created_at < pinned))
    {
        flags.push("reply_held_confirm_key".to_owned());
    }
    if !held.is_empty() && beneficiary.key_changes.iter().any(|k| k.status == KeyChangeStatus::Pending) {
        flags.push("reply_held_key_change".to_owned());
    }
    if messages.iter().any(|m| m.delivery_status == Some(DeliveryStatus::Failed)) {
        flags.push("reply_failed".to_owned());
    }
    if messages.iter().any(|m| m.signature_status == SignatureStatus::Bad) {
        flags.push("bad_signature".to_owned());
    }
    flags
}

/// Which kinds of item a case has (ten), and its wrapped key.
type ItemsAndKey = (bool, bool, bool, bool, bool, bool, bool, bool, bool, bool, Option<String>);

impl Case {
    /// The detail of a case just created (as [`Case::insert_decided`] answers it) for
    /// `beneficiary`: nothing is attached to it yet, so nothing needs reading.
    pub fn detail_of_new(case: Case, beneficiary: BeneficiaryDetail) -> CaseDetail {
        CaseDetail {
            flags: case_flags(&beneficiary, &[]),
            case,
            beneficiary,
            messages: Vec::new(),
            evidence: Vec::new(),
            indicators: Vec::new(),
            links: Vec::new(),
            hidden_links: 0,
            actions: Vec::new(),
            third_parties: Vec::new(),
            comments: Vec::new(),
            next_steps: Vec::new(),
            risk_assessments: Vec::new(),
            status_history: Vec::new(),
        }
    }

    /// Everything recorded on a case.
    pub fn detail(conn: &mut DbConn, id: &str) -> StoreResult<CaseDetail> {
        let case = Case::get(conn, id)?;
        Case::detail_of(conn, case)
    }

    /// Everything recorded on a case already read.
    pub fn detail_of(conn: &mut DbConn, case: Case) -> StoreResult<CaseDetail> {
        use crate::schema::{
            actions, case_links, comments, data_keys, evidence, indicators, messages, next_steps, risk_assessments,
            third_parties,
        };
        use diesel::dsl::exists;
        let id = case.id.clone();
        let id = id.as_str();
        let beneficiary = Beneficiary::detail(conn, &case.beneficiary_id)?;
        // One query tells which kinds of item the case has, and only those are read: a case
        // rarely has all ten, and each read is a round trip to the database (a case with
        // messages and indicators: 5 queries instead of 14).
        // The case's key is read in the same query, once for all its items.
        let owner = crate::sealing::Owner::Case(id).name();
        let (history, msgs, files, iocs, links, acts, parties, notes, steps, risks, wrapped): ItemsAndKey =
            diesel::select((
                exists(case_status_changes::table.filter(case_status_changes::case_id.eq(id))),
                exists(messages::table.filter(messages::case_id.eq(id))),
                exists(evidence::table.filter(evidence::case_id.eq(id))),
                exists(indicators::table.filter(indicators::case_id.eq(id))),
                exists(
                    case_links::table.filter(case_links::source_case_id.eq(id).or(case_links::target_case_id.eq(id))),
                ),
                exists(actions::table.filter(actions::case_id.eq(id))),
                exists(third_parties::table.filter(third_parties::case_id.eq(id))),
                exists(comments::table.filter(comments::case_id.eq(id))),
                exists(next_steps::table.filter(next_steps::case_id.eq(id))),
                exists(risk_assessments::table.filter(risk_assessments::case_id.eq(id))),
                data_keys::table.filter(data_keys::owner.eq(&owner)).select(data_keys::wrapped).single_value(),
            ))
            .get_result(conn)?;
        let key = crate::sealing::case_key_from(id, wrapped.as_deref())?;
        let key = key.as_ref();
        let status_history = if_any(history, || {
            use crate::sealing::Protected;
            let rows: Vec<StatusChange> = case_status_changes::table
                .filter(case_status_changes::case_id.eq(id))
                .order((case_status_changes::changed_at.asc(), case_status_changes::id.asc()))
                .select(StatusChange::as_select())
                .load(conn)?;
            rows.into_iter().map(|r| r.open_with(key)).collect()
        })?;
        let messages = if_any(msgs, || Message::for_case_with(conn, id, key))?;
        Ok(CaseDetail {
            flags: case_flags(&beneficiary, &messages),
            messages,
            evidence: if_any(files, || Evidence::for_case_with(conn, id, key))?,
            indicators: if_any(iocs, || Indicator::for_case_with(conn, id, key))?,
            links: if_any(links, || CaseLink::for_case(conn, id))?,
            hidden_links: 0,
            actions: if_any(acts, || Action::for_case_with(conn, id, key))?,
            third_parties: if_any(parties, || ThirdParty::for_case_with(conn, id, key))?,
            comments: if_any(notes, || Comment::for_case_with(conn, id, key))?,
            next_steps: if_any(steps, || NextStep::for_case_with(conn, id, key))?,
            risk_assessments: if_any(risks, || RiskAssessment::for_case_with(conn, id, key))?,
            status_history,
            beneficiary,
            case,
        })
    }

    /// Marks the first response to the beneficiary, once.
    pub(crate) fn mark_first_response(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> StoreResult<()> {
        diesel::update(cases::table.find(id).filter(cases::first_response_at.is_null()))
            .set(cases::first_response_at.eq(Some(at)))
            .execute(conn)?;
        Ok(())
    }

    /// Bumps the case's version and update time after something was attached to it.
    pub(crate) fn touch(conn: &mut DbConn, id: &str) -> StoreResult<()> {
        let changed = diesel::update(cases::table.find(id)).set((cases::updated_at.eq(now()), bump())).execute(conn)?;
        if changed == 0 {
            return Err(StoreError::not_found("case", id));
        }
        Ok(())
    }
}
