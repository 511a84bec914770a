//! How the case page shows a case: its facts, its beneficiary and their key, its
//! indicators and where else they were seen, the thread, and the forms.

use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::case::{CaseData, Draft, Entry};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use rempart_app::operations::ReplyFate;
use rempart_core::{Direction, IndicatorKind, KeyChangeStatus, KeyTrust, Party};

/// A pending key change, to accept or reject.
#[derive(Debug)]
pub struct PendingKey {
    pub id: String,
    pub fingerprint: String,
    pub source: String,
    pub provenance: String,
    pub when: String,
}

/// A file kept as evidence.
#[derive(Debug)]
pub struct EvidenceView {
    pub id: String,
    pub name: String,
    pub size: String,
    pub sha256: String,
    pub description: String,
    pub who: String,
    pub when: String,
}

/// An indicator of the case, and the other cases (visible to the user) where it was seen.
#[derive(Debug)]
pub struct IndicatorView {
    pub kind: String,
    pub value: String,
    pub original: String,
    pub note: String,
    pub seen_in: Vec<String>,
}

/// `12 KB`, `3.4 MB`: a file's size, short.
pub fn size(t: &Tr, bytes: i64) -> String {
    match bytes {
        b if b < 1024 => t.count("size-bytes", b),
        b if b < 1024 * 1024 => t.count("size-kb", (b + 1023) / 1024),
        b => t.with("size-mb", "size", &format!("{:.1}", b as f64 / (1024.0 * 1024.0))),
    }
}

/// `1234 ABCD 5678 ...`: a fingerprint as people compare it aloud.
pub fn grouped(fingerprint: &str) -> String {
    let chars: Vec<char> = fingerprint.chars().filter(|c| !c.is_whitespace()).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// One entry as the template shows it.
#[derive(Debug)]
pub struct EntryView {
    /// What it is: an internal comment, a reply, a message, a message to or from a third party.
    pub kind: String,
    pub comment: bool,
    pub third_party: bool,
    pub outbound: bool,
    pub who: String,
    pub when: String,
    pub when_iso: String,
    pub subject: String,
    pub body: String,
    /// Security of a message: its encryption and signature, and for a reply its delivery.
    pub badges: Vec<(String, &'static str)>,
    /// Files it came with (kept as evidence): id, name, size.
    pub attachments: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    reference: String,
    version: i32,
    summary: String,
    facts: Vec<(String, String)>,
    status: String,
    imminent: bool,
    restricted: bool,
    /// A key change waits for a decision.
    key_change_pending: bool,
    /// A message of the thread carries a signature that does not verify.
    bad_signature: bool,
    moves: Vec<(&'static str, String)>,
    beneficiary: Vec<(String, String)>,
    key_line: String,
    /// The pinned key's fingerprint, when it waits for a confirmation.
    unconfirmed_key: Option<String>,
    key_origin: String,
    pending_keys: Vec<PendingKey>,
    /// The user may change the beneficiary (confirm keys, enter one).
    may_change_beneficiary: bool,
    unassigned: bool,
    indicators: Vec<IndicatorView>,
    indicator_kinds: Vec<(&'static str, String)>,
    evidence: Vec<EvidenceView>,
    /// Reply templates offered: id, name, language.
    templates: Vec<(String, String, String)>,
    fate: String,
    fate_held: bool,
    thread: Vec<EntryView>,
    work: crate::pages::case_work::WorkView,
    draft: Draft,
}

impl CasePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        (self.draft.error_field == field && !self.draft.error.is_empty()).then_some(self.draft.error.as_str())
    }

    /// Whether the layer refused this field of the form shown again.
    fn invalid(&self, name: &str) -> bool {
        !self.draft.error.is_empty() && self.draft.error_at == name
    }

    /// A value of `form` shown again after its refusal.
    fn kept(&self, form: &str, name: &str) -> &str {
        if self.draft.error_field != form {
            return "";
        }
        self.draft.kept.get(name).map(String::as_str).unwrap_or_default()
    }
}

fn entry_view(t: &Tr, staff: &Staff, data: &CaseData, entry: &Entry) -> EntryView {
    let name = |id: &Option<String>| id.as_ref().and_then(|i| data.names.get(i)).cloned().unwrap_or_default();
    match entry {
        Entry::Comment(c) => EntryView {
            kind: t.get("thread-kind-comment"),
            comment: true,
            third_party: false,
            outbound: false,
            who: name(&c.author_id),
            when: staff.clock.at(&c.created_at),
            when_iso: staff.clock.iso(&c.created_at),
            subject: String::new(),
            body: c.body.clone(),
            badges: Vec::new(),
            attachments: Vec::new(),
        },
        Entry::Message(m) => {
            let outbound = m.direction == Direction::Outbound;
            let third_party = m.party == Party::ThirdParty;
            let party_name = || {
                let party = m
                    .third_party_id
                    .as_ref()
                    .and_then(|id| data.work.beside.third_parties.iter().find(|p| &p.id == id));
                party.map_or_else(|| t.get("thread-third-party"), |p| p.organisation.clone())
            };
            let kind = match (third_party, outbound) {
                (true, true) => t.with("thread-kind-to-party", "name", &party_name()),
                (true, false) => t.with("thread-kind-from-party", "name", &party_name()),
                (false, true) => t.get("thread-kind-reply"),
                (false, false) => t.get("thread-kind-message"),
            };
            let who = if outbound {
                name(&m.author_id)
            } else if third_party {
                // The kind already names the organisation: the address it wrote from, if any.
                m.sender_address.clone().unwrap_or_default()
            } else {
                match (&m.sender_name, &m.sender_address) {
                    (Some(n), Some(a)) => format!("{n} <{a}>"),
                    (None, Some(a)) => a.clone(),
                    _ => data.beneficiary.beneficiary.display_name.clone(),
                }
            };
            let mut badges = Vec::new();
            if m.channel != rempart_core::Channel::Email {
                badges.push((word(t, "channel", m.channel.as_str()), "neutral"));
            } else if outbound && let Some(status) = m.delivery_status {
                badges.push((
                    word(t, "delivery", status.as_str()),
                    if status.as_str() == "sent" { "good" } else { "warn" },
                ));
            }
            if m.channel == rempart_core::Channel::Email && !outbound {
                let (text, class) = if m.encrypted {
                    (t.get("thread-encrypted"), "good")
                } else {
                    (t.get("thread-not-encrypted"), "warn")
                };
                badges.push((text, class));
                let signature = m.signature_status.as_str();
                let class = match signature {
                    "good" => "good",
                    "bad" => "bad",
                    _ => "warn",
                };
                badges.push((word(t, "signature", signature), class));
            }
            EntryView {
                kind,
                comment: false,
                third_party,
                outbound,
                who,
                when: staff.clock.at(&m.created_at),
                when_iso: staff.clock.iso(&m.created_at),
                subject: m.subject.clone(),
                body: m.body.clone(),
                badges,
                attachments: data
                    .evidence
                    .iter()
                    .filter(|e| e.message_id.as_deref() == Some(m.id.as_str()))
                    .map(|e| (e.id.clone(), e.original_name.clone(), size(t, e.size)))
                    .collect(),
            }
        }
    }
}

pub fn render(staff: &Staff, data: &CaseData, draft: Draft, status: StatusCode) -> HttpResponse {
    let t = staff.tr();
    let case = &data.case;
    let b = &data.beneficiary;
    let none = t.get("value-none");
    let assignee = case.assignee_id.as_ref().and_then(|i| data.names.get(i)).cloned().unwrap_or_else(|| none.clone());
    let mut facts = vec![
        (t.get("case-urgency"), word(&t, "urgency", case.urgency.as_str())),
        (t.get("case-priority"), word(&t, "priority", case.priority.as_str())),
        (t.get("case-assignee"), assignee),
        (t.get("case-opened"), staff.clock.at(&case.created_at)),
    ];
    if let Some(threat) = case.threat_type {
        facts.push((t.get("case-threat"), word(&t, "threat", threat.as_str())));
    }
    let moves =
        case.status.allowed_next().iter().map(|s| (s.as_str(), word(&t, "move", s.as_str()))).collect::<Vec<_>>();
    let ben = &b.beneficiary;
    let addresses = b.emails.iter().map(|e| e.address.to_string()).collect::<Vec<_>>().join(", ");
    let mut beneficiary = vec![
        (t.get("beneficiary-name"), ben.display_name.clone()),
        (t.get("beneficiary-addresses"), if addresses.is_empty() { none.clone() } else { addresses }),
        (t.get("beneficiary-verification"), word(&t, "verification", ben.verification_status.as_str())),
    ];
    if let Some(audience) = &data.audience {
        beneficiary.push((t.get("beneficiary-audience"), audience.clone()));
    }
    if let Some(language) = &ben.preferred_language {
        beneficiary.push((t.get("beneficiary-language"), language.as_str().to_owned()));
    }
    let key_line = match (&ben.pgp_fingerprint, ben.key_trust) {
        (Some(fp), trust) => {
            let trust = word(&t, "trust", trust.map_or("unconfirmed", |k| k.as_str()));
            format!("{} ({trust})", grouped(fp.as_str()))
        }
        (None, _) => t.get("key-none"),
    };
    let unconfirmed_key = match (&ben.pgp_fingerprint, ben.key_trust) {
        (Some(fp), trust) if trust != Some(KeyTrust::Confirmed) => Some(fp.to_string()),
        _ => None,
    };
    let pending_keys = b
        .key_changes
        .iter()
        .filter(|k| k.status == KeyChangeStatus::Pending)
        .map(|k| PendingKey {
            id: k.id.clone(),
            fingerprint: grouped(k.new_fingerprint.as_str()),
            source: k.source.clone(),
            provenance: k.provenance.clone(),
            when: staff.clock.at(&k.recorded_at),
        })
        .collect();
    let indicators = data
        .indicators
        .iter()
        .map(|i| {
            let mut seen_in: Vec<String> = data
                .correlations
                .iter()
                .filter(|m| m.indicator.kind == i.kind && m.indicator.value == i.value)
                .map(|m| m.case_reference.to_string())
                .collect();
            seen_in.dedup();
            IndicatorView {
                kind: word(&t, "indicator", i.kind.as_str()),
                value: i.value.clone(),
                original: i.original_value.clone(),
                note: i.note.clone().unwrap_or_default(),
                seen_in,
            }
        })
        .collect();
    let indicator_kinds = IndicatorKind::all().map(|k| (k.as_str(), word(&t, "indicator", k.as_str()))).collect();
    let fate = rempart_app::operations::reply_fate(b);
    let fate_held = !matches!(fate, ReplyFate::Encrypted { .. });
    let fate = match fate {
        ReplyFate::Encrypted { fingerprint, confirmed: true } => {
            t.with("fate-encrypted-confirmed", "key", &grouped(&fingerprint))
        }
        ReplyFate::Encrypted { fingerprint, confirmed: false } => {
            t.with("fate-encrypted-unconfirmed", "key", &grouped(&fingerprint))
        }
        ReplyFate::HeldKeyChange { new_fingerprint } => {
            t.with("fate-held-key-change", "key", &grouped(&new_fingerprint))
        }
        ReplyFate::HeldNoKey => t.get("fate-held-no-key"),
    };
    let thread = data.thread.iter().map(|e| entry_view(&t, staff, data, e)).collect();
    let page = CasePage {
        chrome: Chrome::for_staff(staff, format!("{} · {}", case.reference, t.get("case-title")), "queues"),
        csrf: staff.session.csrf_token.clone(),
        reference: case.reference.to_string(),
        version: case.version,
        summary: case.summary.clone(),
        facts,
        status: word(&t, "status", case.status.as_str()),
        imminent: case.imminent_risk,
        restricted: case.sensitivity == rempart_core::Sensitivity::Restricted,
        key_change_pending: b.key_changes.iter().any(|k| k.status == KeyChangeStatus::Pending),
        bad_signature: data
            .thread
            .iter()
            .any(|e| matches!(e, Entry::Message(m) if m.signature_status == rempart_core::SignatureStatus::Bad)),
        moves,
        beneficiary,
        key_line,
        unconfirmed_key,
        key_origin: ben.key_provenance.clone().unwrap_or_default(),
        pending_keys,
        may_change_beneficiary: data.may_change_beneficiary,
        unassigned: case.assignee_id.is_none(),
        indicators,
        indicator_kinds,
        evidence: data
            .evidence
            .iter()
            .map(|e| EvidenceView {
                id: e.id.clone(),
                name: e.original_name.clone(),
                size: size(&t, e.size),
                sha256: e.sha256.clone(),
                description: e.description.clone().unwrap_or_default(),
                who: match &e.added_by {
                    Some(id) => data.names.get(id).cloned().unwrap_or_default(),
                    None => t.get("evidence-by-gateway"),
                },
                when: staff.clock.at(&e.added_at),
            })
            .collect(),
        templates: data.templates.iter().map(|t| (t.id.clone(), t.name.clone(), t.language.clone())).collect(),
        fate,
        fate_held,
        thread,
        work: crate::pages::case_work::WorkView::new(&t, staff, &data.work, &data.names, b),
        draft,
        t,
    };
    page::html(status, page.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_grouped_by_four() {
        assert_eq!(grouped("0123456789ABCDEF01"), "0123 4567 89AB CDEF 01");
    }
}
