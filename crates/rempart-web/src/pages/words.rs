//! The console's names for the case model's words (statuses, urgencies...), from the
//! catalogs: `status-waiting-beneficiary` for `CaseStatus::WaitingBeneficiary`.

use crate::i18n::Tr;

/// The message id of a vocabulary value: `status` + `waiting_beneficiary`.
pub fn id(prefix: &str, value: &str) -> String {
    format!("{prefix}-{}", value.replace('_', "-"))
}

/// The word for a vocabulary value in the user's language.
pub fn word(t: &Tr, prefix: &str, value: &str) -> String {
    t.get(&id(prefix, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use rempart_core::{
        CaseStatus, Channel, DeliveryStatus, IndicatorKind, KeyTrust, LinkKind, Priority, SignatureStatus,
        ThirdPartyRole, ThreatType, Urgency, VerificationStatus,
    };

    #[test]
    fn every_word_of_the_case_model_has_a_message() {
        let mut wanted = Vec::new();
        wanted.extend(CaseStatus::all().map(|s| id("status", s.as_str())));
        wanted.extend(Urgency::all().map(|s| id("urgency", s.as_str())));
        wanted.extend(Priority::all().map(|s| id("priority", s.as_str())));
        wanted.extend(SignatureStatus::all().map(|s| id("signature", s.as_str())));
        wanted.extend(CaseStatus::all().map(|s| id("move", s.as_str())));
        wanted.extend(DeliveryStatus::all().map(|s| id("delivery", s.as_str())));
        wanted.extend(ThreatType::all().map(|s| id("threat", s.as_str())));
        wanted.extend(VerificationStatus::all().map(|s| id("verification", s.as_str())));
        wanted.extend(KeyTrust::all().map(|s| id("trust", s.as_str())));
        wanted.extend(IndicatorKind::all().map(|s| id("indicator", s.as_str())));
        wanted.extend(ThirdPartyRole::all().map(|s| id("role", s.as_str())));
        wanted.extend(Channel::all().map(|s| id("channel", s.as_str())));
        wanted.extend(LinkKind::all().map(|s| id("link", s.as_str())));
        // The escalations' kinds (those of a case; a shift's read as one), their
        // notifications' statuses and channels.
        wanted.extend(
            ["imminent_risk", "unassigned", "first_response_leads", "first_response_admins"]
                .map(|k| id("escalation", k)),
        );
        wanted.extend(["queued", "sent", "failed", "withdrawn"].map(|s| id("notification", s)));
        wanted.extend(["email", "webhook"].map(|c| id("channel-notify", c)));
        wanted.extend(rempart_core::Role::all().map(|r| id("role-staff", r.as_str())));
        wanted.extend(["audience", "service"].map(|t| id("admin-taxonomy", t)));
        for lang in Lang::ALL {
            let missing: Vec<&String> = wanted.iter().filter(|w| !lang.tr().has(w)).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        }
    }
}
