//! Opening a case: one operation for whoever opens it. A member of staff opens one through
//! the API or the console ([`open_case`]); the mail gateway files one when a beneficiary
//! writes in ([`file`], inside its own transaction with the message). Either way the
//! assignee is decided the same way (the one asked for, else the rota under a lock of the
//! chosen person), the case is numbered and its decision recorded, and [`alerts_leads`]
//! says whether the leads must hear of it at once.

use crate::actor::Actor;
use crate::error::AppResult;
use rempart_core::{LanguageTag, Priority, Sensitivity, TaxonomyCode, ThreatType, Urgency};
use rempart_rota::{NewCaseInfo, Policy};
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryRows, NewBeneficiary};
use rempart_store::cases::{Case, CaseDetail, NewCase};
use rempart_store::{DbConn, StoreResult};

/// What a new case says of itself.
#[derive(Debug, Clone)]
pub struct CaseFields {
    pub summary: String,
    pub urgency: Urgency,
    /// `None`: the policy's default for the urgency (`escalation.urgent_priority` for a
    /// critical or imminent-risk case, else P3).
    pub priority: Option<Priority>,
    pub service_type: Option<TaxonomyCode>,
    pub threat_type: Option<ThreatType>,
    pub imminent_risk: bool,
    pub sensitivity: Sensitivity,
}

impl CaseFields {
    /// A case as mail opens one: medium urgency, normal sensitivity, nothing classified.
    pub fn intake(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            urgency: Urgency::Medium,
            priority: None,
            service_type: None,
            threat_type: None,
            imminent_risk: false,
            sensitivity: Sensitivity::Normal,
        }
    }
}

/// Whose case it is.
#[derive(Debug, Clone)]
pub enum Requester {
    /// A beneficiary already known, by id.
    Known(String),
    /// Someone new, created with the case.
    New(NewBeneficiary),
}

/// Files a case for `beneficiary_id` as `actor`, in the caller's transaction when there
/// is one: the assignee is `assignee` when given, else the rota's choice for a case of
/// this urgency in `language`. Who may ask for which assignee is decided before
/// ([`open_case`]; the mail gateway files as the system and never asks).
pub fn file(
    conn: &mut DbConn,
    actor: &Actor,
    beneficiary_id: String,
    fields: CaseFields,
    assignee: Option<String>,
    language: Option<LanguageTag>,
    policy: &Policy,
) -> StoreResult<Case> {
    file_for(conn, actor, Whose::Known(beneficiary_id), fields, assignee, language, policy)
}

/// The beneficiary of a case being filed.
enum Whose {
    Known(String),
    /// Someone new, written with the case (on PostgreSQL in the case's one statement).
    New(Box<BeneficiaryRows>),
}

fn file_for(
    conn: &mut DbConn,
    actor: &Actor,
    whose: Whose,
    fields: CaseFields,
    assignee: Option<String>,
    language: Option<LanguageTag>,
    policy: &Policy,
) -> StoreResult<Case> {
    let (beneficiary_id, new_beneficiary) = match whose {
        Whose::Known(id) => (id, None),
        Whose::New(rows) => (rows.id().to_owned(), Some(*rows)),
    };
    let info = NewCaseInfo {
        urgency: fields.urgency,
        imminent_risk: fields.imminent_risk,
        language,
        restricted: fields.sensitivity == Sensitivity::Restricted,
    };
    let new = NewCase {
        beneficiary_id,
        priority: fields.priority.unwrap_or_else(|| policy.default_priority(fields.urgency, fields.imminent_risk)),
        summary: fields.summary,
        urgency: fields.urgency,
        service_type: fields.service_type,
        threat_type: fields.threat_type,
        imminent_risk: fields.imminent_risk,
        sensitivity: fields.sensitivity,
        assignee_id: assignee,
        new_beneficiary,
    };
    Ok(match new.assignee_id {
        Some(_) => Case::insert_decided(conn, new, actor.id(), None)?,
        None => rempart_store::intake::insert_under_rota(conn, new, actor.id(), &info, policy)?.0,
    })
}

/// Opens a case as a member of staff (or the system): for a beneficiary `actor` may see,
/// or a new one whose addresses are not those of someone hidden from them; assigned to
/// `requested` if they may ask for it (handlers only themselves; a handler opening a
/// restricted case keeps it), else by the rota.
pub fn open_case(
    conn: &mut DbConn,
    actor: &Actor,
    requester: Requester,
    fields: CaseFields,
    requested: Option<&str>,
    policy: &Policy,
) -> AppResult<CaseDetail> {
    let assignee = crate::cases::opening_assignee(actor, requested, fields.sensitivity)?;
    match requester {
        Requester::Known(id) => {
            crate::beneficiaries::visible(conn, actor, &id)?;
            let beneficiary = Beneficiary::detail(conn, &id)?;
            let language = beneficiary.beneficiary.preferred_language.clone();
            let case = file(conn, actor, id, fields, assignee, language, policy)?;
            Ok(Case::detail_of_new(case, beneficiary))
        }
        Requester::New(new) => {
            let (language, emails) = (new.preferred_language.clone(), new.emails.clone());
            // The beneficiary and their case are written together, and answered from what
            // was written.
            let rows = BeneficiaryRows::prepare(new, actor.id())?;
            let beneficiary = rows.detail();
            let case = file_for(conn, actor, Whose::New(Box::new(rows)), fields, assignee, language, policy)
                .map_err(|e| crate::beneficiaries::refusal_of_taken(conn, actor, &emails, e))?;
            Ok(Case::detail_of_new(case, beneficiary))
        }
    }
}

/// Whether the leads must hear of a new case now rather than at the next poll of the
/// timers: critical, at imminent risk, or nobody could take it.
pub fn alerts_leads(case: &Case) -> bool {
    case.urgency == Urgency::Critical || case.imminent_risk || case.assignee_id.is_none()
}
