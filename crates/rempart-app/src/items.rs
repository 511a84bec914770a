//! What a case accumulates beside its thread: actions taken, next steps, third parties and
//! what was said to them, links to other cases, risk assessments and the rota's assignment
//! decisions. Whoever may see a case may read and add these; a link shows the other case
//! only to whoever may see it too.

use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use rempart_core::{Channel, Direction, LinkKind, Party, RiskFactors};
use rempart_store::DbConn;
use rempart_store::case_items::{Action, CaseLink, Comment, NewThirdParty, NextStep, RiskAssessment, ThirdParty};
use rempart_store::messages::{Message, NewMessage};
use rempart_store::rota::DecisionRow;

/// Everything beside the thread of a case, read at once for a page that already loaded the
/// case through [`crate::cases::visible`] (which recorded the read of a restricted case:
/// this records none more). A case the actor may not see is not found.
#[derive(Debug, Default)]
pub struct Beside {
    pub actions: Vec<Action>,
    pub next_steps: Vec<NextStep>,
    pub risks: Vec<RiskAssessment>,
    pub third_parties: Vec<ThirdParty>,
    /// Links the actor may follow.
    pub links: Vec<CaseLink>,
    /// Links to cases the actor may not see: only their number.
    pub hidden_links: usize,
    pub decisions: Vec<DecisionRow>,
}

pub fn beside(conn: &mut DbConn, actor: &Actor, case: &rempart_store::cases::Case) -> AppResult<Beside> {
    if !crate::cases::can_see(actor, case) {
        return Err(AppError::not_found(format!("case {}", case.id)));
    }
    let all = CaseLink::for_case(conn, &case.id)?;
    let (links, hidden_links) = split_links(conn, actor, &case.id, all)?;
    Ok(Beside {
        actions: Action::for_case(conn, &case.id)?,
        next_steps: NextStep::for_case(conn, &case.id)?,
        risks: RiskAssessment::for_case(conn, &case.id)?,
        third_parties: ThirdParty::for_case(conn, &case.id)?,
        links,
        hidden_links,
        decisions: rempart_store::rota::decisions_for_case(conn, &case.id)?,
    })
}

/// Actions taken on case `raw`, oldest first.
pub fn actions(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<Action>> {
    let case = crate::cases::visible(conn, actor, raw, "actions")?;
    Ok(Action::for_case(conn, &case.id)?)
}

/// Records a measure taken on case `raw`, by the actor, now.
pub fn record_action(conn: &mut DbConn, actor: &Actor, raw: &str, text: &str) -> AppResult<Action> {
    let case = crate::cases::visible(conn, actor, raw, "action")?;
    Ok(Action::add(conn, &case.id, text, actor.id())?)
}

/// Next steps of case `raw`.
pub fn next_steps(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<NextStep>> {
    let case = crate::cases::visible(conn, actor, raw, "next steps")?;
    Ok(NextStep::for_case(conn, &case.id)?)
}

/// Plans a next step on case `raw`, due on `due_on` if given.
pub fn plan_next_step(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    text: &str,
    due_on: Option<NaiveDate>,
) -> AppResult<NextStep> {
    let case = crate::cases::visible(conn, actor, raw, "next step")?;
    Ok(NextStep::add(conn, &case.id, text, due_on, actor.id())?)
}

/// Marks next step `step_id` of case `raw` done (or not done again). A step of another
/// case is not found.
pub fn set_next_step_done(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    step_id: &str,
    done: bool,
) -> AppResult<NextStep> {
    let case = crate::cases::visible(conn, actor, raw, "next step")?;
    let step = NextStep::get(conn, step_id)?;
    if step.case_id != case.id {
        return Err(AppError::not_found(format!("next step {step_id}")));
    }
    Ok(NextStep::set_done(conn, step_id, done, actor.id())?)
}

/// Third parties of case `raw`.
pub fn third_parties(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<ThirdParty>> {
    let case = crate::cases::visible(conn, actor, raw, "third parties")?;
    Ok(ThirdParty::for_case(conn, &case.id)?)
}

/// Adds a third party (an intermediary, a platform, a partner) to case `raw`; `new`'s
/// case is this one, whatever it said.
pub fn add_third_party(conn: &mut DbConn, actor: &Actor, raw: &str, new: NewThirdParty) -> AppResult<ThirdParty> {
    let case = crate::cases::visible(conn, actor, raw, "third party")?;
    Ok(ThirdParty::add(conn, NewThirdParty { case_id: case.id, ..new }, actor.id())?)
}

/// Pins the OpenPGP key of third party `third_party_id` of case `raw` (read and checked by
/// the adapter); what waited for it is sent.
pub fn set_third_party_key(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    third_party_id: &str,
    armored: &str,
    fingerprint: &rempart_core::Fingerprint,
) -> AppResult<ThirdParty> {
    let case = crate::cases::visible(conn, actor, raw, "third party key")?;
    let party = ThirdParty::get(conn, third_party_id)?;
    if party.case_id != case.id {
        return Err(AppError::not_found(format!("third party {third_party_id}")));
    }
    Ok(ThirdParty::set_key(conn, &party.id, armored, fingerprint, actor.id())?)
}

/// A message written or heard outside the reply composer.
#[derive(Debug, Clone)]
pub struct Written {
    pub direction: Direction,
    pub channel: Channel,
    /// For an e-mail to a third party, defaults to the case's summary and reference.
    pub subject: Option<String>,
    pub text: String,
}

/// The thread of case `raw`: messages with the beneficiary and third parties, oldest first.
pub fn messages(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<Message>> {
    let case = crate::cases::visible(conn, actor, raw, "messages")?;
    Ok(Message::for_case(conn, &case.id)?)
}

/// Internal comments of case `raw`, oldest first.
pub fn comments(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<Comment>> {
    let case = crate::cases::visible(conn, actor, raw, "comments")?;
    Ok(Comment::for_case(conn, &case.id)?)
}

/// Records a message exchanged with the beneficiary of case `raw` outside the reply
/// composer (a call, a chat; an outbound e-mail is queued for the mail gateway).
pub fn record_message(conn: &mut DbConn, actor: &Actor, raw: &str, written: Written) -> AppResult<Message> {
    let case = crate::cases::visible(conn, actor, raw, "message")?;
    let new = NewMessage {
        subject: written.subject.unwrap_or_default(),
        ..NewMessage::with_beneficiary(&case.id, written.direction, written.channel, written.text)
    };
    Ok(Message::add(conn, new, actor.id())?)
}

/// Records what was said to (`Outbound`) or heard from (`Inbound`) third party
/// `third_party_id` of case `raw`, through `channel`. An e-mail to a third party goes
/// through the mail gateway, encrypted to their key, or waits for one.
pub fn write_to_third_party(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    third_party_id: &str,
    written: Written,
) -> AppResult<Message> {
    let Written { direction, channel, subject, text } = written;
    if text.trim().is_empty() {
        return Err(AppError::validation("body", "must not be empty"));
    }
    let case = crate::cases::visible(conn, actor, raw, "third party message")?;
    let party = ThirdParty::get(conn, third_party_id)?;
    if party.case_id != case.id {
        return Err(AppError::not_found(format!("third party {third_party_id}")));
    }
    let subject = match (direction, channel, subject) {
        (_, _, Some(subject)) if !subject.trim().is_empty() => subject,
        (Direction::Outbound, Channel::Email, _) => {
            let first_line = case.summary.lines().next().unwrap_or_default();
            format!("{} [{}]", first_line.chars().take(120).collect::<String>(), case.reference)
        }
        _ => String::new(),
    };
    let new = NewMessage {
        party: Party::ThirdParty,
        third_party_id: Some(party.id),
        subject,
        ..NewMessage::with_beneficiary(&case.id, direction, channel, text.trim().to_owned())
    };
    Ok(Message::add(conn, new, actor.id())?)
}

/// The links of case `raw` the actor may follow, and how many others exist (to cases they
/// may not see: only their number is told).
pub fn links(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<(Vec<CaseLink>, usize)> {
    let case = crate::cases::visible(conn, actor, raw, "links")?;
    let all = CaseLink::for_case(conn, &case.id)?;
    split_links(conn, actor, &case.id, all)
}

/// Splits `all`, the links of visible case `case_id`, into those the actor may follow and
/// the number of others.
pub fn split_links(
    conn: &mut DbConn,
    actor: &Actor,
    case_id: &str,
    all: Vec<CaseLink>,
) -> AppResult<(Vec<CaseLink>, usize)> {
    let total = all.len();
    let visible = crate::cases::keep_visible(conn, actor, all, |link| {
        if link.source_case_id == case_id { &link.target_case_id } else { &link.source_case_id }
    })?;
    let hidden = total - visible.len();
    Ok((visible, hidden))
}

/// Links case `raw` to case `target` (both must be visible to the actor).
pub fn link(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    target: &str,
    kind: LinkKind,
    note: Option<&str>,
) -> AppResult<CaseLink> {
    let case = crate::cases::visible(conn, actor, raw, "link")?;
    let target = crate::cases::visible(conn, actor, target, "link target")?;
    Ok(CaseLink::add(conn, &case.id, &target.id, kind, note, actor.id())?)
}

/// Risk assessments of case `raw`, oldest first: the history of each named risk.
pub fn risk_assessments(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<RiskAssessment>> {
    let case = crate::cases::visible(conn, actor, raw, "risk")?;
    Ok(RiskAssessment::for_case(conn, &case.id)?)
}

/// Scores a named risk of case `raw` (threats x vulnerabilities / capacities).
pub fn assess_risk(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    risk_name: &str,
    factors: RiskFactors,
    notes: Option<&str>,
) -> AppResult<RiskAssessment> {
    let case = crate::cases::visible(conn, actor, raw, "risk")?;
    Ok(RiskAssessment::add(conn, &case.id, risk_name, factors, notes, actor.id())?)
}

/// Why case `raw` went to whom: the rota's decisions and the overrides given by hand.
pub fn assignment_decisions(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<DecisionRow>> {
    let case = crate::cases::visible(conn, actor, raw, "assignment decisions")?;
    Ok(rempart_store::rota::decisions_for_case(conn, &case.id)?)
}
