//! The work recorded on a case beside its thread, as the case page shows it: next steps,
//! actions, risk assessments (with their history drawn as a chart), third parties, links
//! to other cases, the rota's assignment decisions and the beneficiary's verification.

use crate::i18n::Tr;
use crate::pages::words::word;
use crate::session::Staff;
use rempart_app::Actor;
use rempart_core::{Channel, LinkKind, ThirdPartyRole, VerificationStatus};
use rempart_store::DbConn;
use rempart_store::case_items::{CaseLink, RiskAssessment};
use rempart_store::cases::Case;
use std::collections::HashMap;

/// What the page reads besides the case, its beneficiary and its thread.
#[derive(Debug, Default)]
pub struct Work {
    pub beside: rempart_app::items::Beside,
    /// For each followed link: whether this case is its source, and the other case's
    /// reference and summary.
    pub links: Vec<(CaseLink, bool, String, String)>,
}

impl Work {
    /// Reads it for `case`, already found visible to `actor` (one audited read, not eight).
    pub fn load(conn: &mut DbConn, actor: &Actor, case: &Case) -> rempart_app::AppResult<Work> {
        let mut beside = rempart_app::items::beside(conn, actor, case)?;
        let links = std::mem::take(&mut beside.links)
            .into_iter()
            .map(|link| {
                let source = link.source_case_id == case.id;
                let other = Case::get(conn, if source { &link.target_case_id } else { &link.source_case_id })?;
                Ok((link, source, other.reference.to_string(), other.summary))
            })
            .collect::<Result<Vec<_>, rempart_store::StoreError>>()?;
        Ok(Work { beside, links })
    }
}

#[derive(Debug)]
pub struct StepView {
    pub id: String,
    pub text: String,
    pub due: String,
    pub overdue: bool,
    pub done: bool,
}

#[derive(Debug)]
pub struct Dated {
    pub text: String,
    pub who: String,
    pub when: String,
}

/// One named risk: its latest assessment, its history and the chart of its score.
#[derive(Debug)]
pub struct RiskView {
    pub name: String,
    pub latest: String,
    pub factors: String,
    pub notes: String,
    /// An SVG line of the scores, oldest first (`None` with a single assessment).
    pub chart: Option<String>,
    pub history: Vec<(String, String)>,
    /// "3 assessments".
    pub history_label: String,
}

#[derive(Debug)]
pub struct PartyView {
    pub id: String,
    pub organisation: String,
    pub contact: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
    /// Their key's fingerprint, grouped by four; empty without a key.
    pub key: String,
}

#[derive(Debug)]
pub struct LinkView {
    pub reference: String,
    pub summary: String,
    pub relation: String,
    pub note: String,
}

/// The template's view of [`Work`].
#[derive(Debug)]
pub struct WorkView {
    pub next_steps: Vec<StepView>,
    pub actions: Vec<Dated>,
    pub risks: Vec<RiskView>,
    pub third_parties: Vec<PartyView>,
    pub roles: Vec<(&'static str, String)>,
    pub channels: Vec<(&'static str, String)>,
    pub links: Vec<LinkView>,
    pub hidden_links: String,
    pub link_kinds: Vec<(&'static str, String)>,
    pub decisions: Vec<Dated>,
    pub verification: Vec<Dated>,
    /// Statuses the verification may move to (rejection only for leads and admins).
    pub verification_moves: Vec<(&'static str, String)>,
}

const CHART_WIDTH: f64 = 240.0;
const CHART_HEIGHT: f64 = 60.0;

/// The scores (0.1 to 100) as an SVG polyline, on a scale of 0 to 100 or to the highest
/// score when lower, so that a change shows. Drawn with attributes only: the page's
/// Content-Security-Policy forbids inline style.
pub fn chart(scores: &[f64]) -> Option<String> {
    if scores.len() < 2 {
        return None;
    }
    let top = scores.iter().copied().fold(1.0_f64, f64::max).min(100.0);
    let step = CHART_WIDTH / (scores.len() - 1) as f64;
    let points: Vec<(f64, f64)> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| (i as f64 * step, CHART_HEIGHT - 4.0 - (s / top) * (CHART_HEIGHT - 8.0)))
        .collect();
    let line = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
    let dots: String =
        points.iter().map(|(x, y)| format!(r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="#7a1f1f"/>"##)).collect();
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 0 {w} {h}" width="{w}" height="{h}" focusable="false" aria-hidden="true"><line x1="0" y1="{base}" x2="{cw}" y2="{base}" stroke="#999" stroke-width="1"/><polyline points="{line}" fill="none" stroke="#7a1f1f" stroke-width="2"/>{dots}</svg>"##,
        w = CHART_WIDTH + 8.0,
        h = CHART_HEIGHT,
        cw = CHART_WIDTH,
        base = CHART_HEIGHT - 4.0,
    ))
}

fn score(t: &Tr, value: f64) -> String {
    t.with("risk-score", "score", &format!("{value:.1}"))
}

impl WorkView {
    pub fn new(
        t: &Tr,
        staff: &Staff,
        work: &Work,
        names: &HashMap<String, String>,
        beneficiary: &rempart_store::beneficiaries::BeneficiaryDetail,
    ) -> WorkView {
        let name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i)).cloned().unwrap_or_default();
        let today = staff.clock.today();
        let next_steps = work
            .beside
            .next_steps
            .iter()
            .map(|s| StepView {
                id: s.id.clone(),
                text: s.description.clone(),
                due: s.due_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                overdue: !s.done && s.due_on.is_some_and(|d| d < today),
                done: s.done,
            })
            .collect();
        let actions = work
            .beside
            .actions
            .iter()
            .map(|a| Dated { text: a.description.clone(), who: name(&a.taken_by), when: staff.clock.at(&a.taken_at) })
            .collect();
        let mut order: Vec<&str> = Vec::new();
        let mut by_name: HashMap<&str, Vec<&RiskAssessment>> = HashMap::new();
        for r in &work.beside.risks {
            if !by_name.contains_key(r.risk_name.as_str()) {
                order.push(&r.risk_name);
            }
            by_name.entry(&r.risk_name).or_default().push(r);
        }
        let risks = order
            .into_iter()
            .map(|n| {
                let history = &by_name[n];
                let last = history[history.len() - 1];
                RiskView {
                    name: n.to_owned(),
                    latest: score(t, last.score),
                    factors: format!(
                        "{} {} · {} {} · {} {}",
                        t.get("risk-threats"),
                        last.threats,
                        t.get("risk-vulnerabilities"),
                        last.vulnerabilities,
                        t.get("risk-capacities"),
                        last.capacities
                    ),
                    notes: last.notes.clone().unwrap_or_default(),
                    chart: chart(&history.iter().map(|r| r.score).collect::<Vec<_>>()),
                    history_label: t.count("risks-history", history.len() as i64),
                    history: history
                        .iter()
                        .map(|r| {
                            (
                                staff.clock.at(&r.assessed_at),
                                format!("{} ({})", score(t, r.score), name(&r.assessed_by)),
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        let third_parties = work
            .beside
            .third_parties
            .iter()
            .map(|p| PartyView {
                id: p.id.clone(),
                organisation: p.organisation.clone(),
                contact: p.contact_name.clone().unwrap_or_default(),
                role: word(t, "role", p.role.as_str()),
                email: p.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                phone: p.phone.clone().unwrap_or_default(),
                notes: p.notes.clone().unwrap_or_default(),
                key: p
                    .pgp_fingerprint
                    .as_ref()
                    .map(|f| crate::pages::case_view::grouped(f.as_str()))
                    .unwrap_or_default(),
            })
            .collect();
        let links = work
            .links
            .iter()
            .map(|(link, source, reference, summary)| LinkView {
                reference: reference.clone(),
                summary: summary.clone(),
                relation: match (link.kind, source) {
                    (LinkKind::Related, _) => word(t, "link", "related"),
                    (LinkKind::ParentOf, true) => t.get("link-parent-of"),
                    (LinkKind::ParentOf, false) => t.get("link-child-of"),
                    (LinkKind::DuplicateOf, true) => t.get("link-duplicate-of"),
                    (LinkKind::DuplicateOf, false) => t.get("link-duplicated-by"),
                },
                note: link.note.clone().unwrap_or_default(),
            })
            .collect();
        let decisions = work
            .beside
            .decisions
            .iter()
            .map(|d| Dated {
                text: d.reasons.lines().collect::<Vec<_>>().join(" · "),
                who: name(&d.assignee_id),
                when: staff.clock.at(&d.decided_at),
            })
            .collect();
        let verification = beneficiary
            .verification_history
            .iter()
            .map(|v| Dated {
                text: format!("{} — {}", word(t, "verification", v.to_status.as_str()), v.reason),
                who: name(&v.changed_by),
                when: staff.clock.at(&v.changed_at),
            })
            .collect();
        let current = beneficiary.beneficiary.verification_status;
        let verification_moves = VerificationStatus::all()
            .filter(|s| *s != current && rempart_app::beneficiaries::verification_allowed(&staff.actor(), *s))
            .map(|s| (s.as_str(), word(t, "verification", s.as_str())))
            .collect();
        WorkView {
            next_steps,
            actions,
            risks,
            third_parties,
            roles: ThirdPartyRole::all().map(|r| (r.as_str(), word(t, "role", r.as_str()))).collect(),
            channels: [Channel::Email, Channel::PhoneNote, Channel::Other]
                .into_iter()
                .map(|c| (c.as_str(), word(t, "channel", c.as_str())))
                .collect(),
            links,
            hidden_links: if work.beside.hidden_links == 0 {
                String::new()
            } else {
                t.count("links-hidden", work.beside.hidden_links as i64)
            },
            link_kinds: LinkKind::all().map(|k| (k.as_str(), word(t, "link", k.as_str()))).collect(),
            decisions,
            verification,
            verification_moves,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_assessment_has_no_chart_and_a_history_draws_one_point_each() {
        assert_eq!(chart(&[12.0]), None);
        let svg = chart(&[12.0, 3.5, 40.0]).expect("a chart");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(!svg.contains("style"), "the CSP forbids inline style");
        // The highest score touches the top margin, the lowest sits above the base line.
        assert!(svg.contains(",4.0"), "{svg}");
    }
}
