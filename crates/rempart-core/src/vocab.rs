//! Closed vocabularies of the case model, each with one stable text form.
//!
//! The text form (snake_case) is what the database stores and the API speaks. Parsing is
//! strict: an unknown word is an error naming the vocabulary and the accepted words.

use serde::{Deserialize, Serialize};

/// An unknown word for one of the closed vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {vocabulary}; expected one of: {expected}")]
pub struct UnknownVariant {
    pub vocabulary: &'static str,
    pub value: String,
    pub expected: String,
}

/// Declares a closed vocabulary: strum gives the text form, this macro adds the
/// conversions the storage layer relies on (`TryFrom<String>`, `From<T> for String`).
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident ($label:literal) {
            $( $(#[$vmeta:meta])* $variant:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize,
            strum::Display, strum::EnumString, strum::AsRefStr, strum::EnumIter, strum::IntoStaticStr,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Human name of this vocabulary, used in error messages.
            pub const LABEL: &'static str = $label;

            /// Every variant, in declaration order.
            pub fn all() -> impl Iterator<Item = Self> {
                <Self as strum::IntoEnumIterator>::iter()
            }

            /// The stable text form.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// Parses the stable text form, with an error listing the accepted words.
            pub fn parse(value: &str) -> Result<Self, $crate::vocab::UnknownVariant> {
                value.parse().map_err(|_| $crate::vocab::UnknownVariant {
                    vocabulary: $label,
                    value: value.to_owned(),
                    expected: Self::all().map(Self::as_str).collect::<Vec<_>>().join(", "),
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::vocab::UnknownVariant;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// Whether the helpline has vetted the person asking for help (mandate and identity check).
    VerificationStatus ("verification status") { Unverified, Verified, Rejected }
}

vocabulary! {
    /// How fast the incident needs a response (separate from priority).
    Urgency ("urgency") { Critical, High, Medium, Low }
}

impl Urgency {
    /// Rank for sorting, most urgent first (critical = 0).
    pub fn rank(self) -> u8 {
        match self {
            Urgency::Critical => 0,
            Urgency::High => 1,
            Urgency::Medium => 2,
            Urgency::Low => 3,
        }
    }
}

/// Priority of the work, P1 (first) to P4, set by the team independently of urgency.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::AsRefStr,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const LABEL: &'static str = "priority";
    pub fn all() -> impl Iterator<Item = Self> {
        <Self as strum::IntoEnumIterator>::iter()
    }
    pub fn as_str(self) -> &'static str {
        self.into()
    }
    /// Accepts `P1`..`P4`, case-insensitively.
    pub fn parse(value: &str) -> Result<Self, UnknownVariant> {
        value.to_ascii_uppercase().parse().map_err(|_| UnknownVariant {
            vocabulary: Self::LABEL,
            value: value.to_owned(),
            expected: "P1, P2, P3, P4".to_owned(),
        })
    }
}

impl TryFrom<String> for Priority {
    type Error = UnknownVariant;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Priority> for String {
    fn from(value: Priority) -> String {
        value.as_str().to_owned()
    }
}

vocabulary! {
    /// Seed 000: a direct threat, an indirect threat (against a group one belongs to), or a
    /// security incident (harm whose intent is unknown).
    ThreatType ("threat type") { Direct, Indirect, SecurityIncident }
}

vocabulary! {
    /// A `restricted` case is visible only to its assignee, leads and admins.
    Sensitivity ("sensitivity") { Normal, Restricted }
}

vocabulary! {
    /// Whether a message came to the helpline or left it.
    Direction ("direction") { Inbound, Outbound }
}

vocabulary! {
    /// Who the helpline exchanged a message with.
    Party ("party") { Beneficiary, ThirdParty }
}

vocabulary! {
    /// How a message was exchanged.
    Channel ("channel") { Email, PhoneNote, Other }
}

vocabulary! {
    /// Result of checking an OpenPGP signature against the pinned certificate.
    SignatureStatus ("signature status") { Good, Bad, UnknownKey, None }
}

vocabulary! {
    /// Delivery state of an outbound message.
    DeliveryStatus ("delivery status") { Queued, Sent, Failed, NeedsKey }
}

vocabulary! {
    /// How two cases relate. `parent_of` reads "source is the parent of target";
    /// `duplicate_of` reads "source duplicates target".
    LinkKind ("link kind") { Related, ParentOf, DuplicateOf }
}

vocabulary! {
    /// Why another party is involved in a case.
    ThirdPartyRole ("third-party role") { Intermediary, PlatformEscalation, Partner, Other }
}

vocabulary! {
    /// What a staff account may do.
    Role ("role") { Handler, Analyst, Lead, Admin }
}

vocabulary! {
    /// State of a proposed change of a beneficiary's OpenPGP certificate.
    KeyChangeStatus ("key change status") { Pending, Accepted, Rejected }
}

vocabulary! {
    /// Trust in a beneficiary's pinned key. Mail alone never proves who wrote it (From and
    /// Autocrypt headers, even self-signatures, are forgeable): a key learned from mail is
    /// `unconfirmed` until a handler compares its fingerprint through another channel, or
    /// enters the key themselves (`confirmed`).
    KeyTrust ("key trust") { Unconfirmed, Confirmed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for u in Urgency::all() {
            assert_eq!(Urgency::parse(u.as_str()), Ok(u));
        }
        for r in Role::all() {
            assert_eq!(Role::try_from(String::from(r)), Ok(r));
        }
        assert_eq!(ThreatType::SecurityIncident.as_str(), "security_incident");
        assert_eq!(DeliveryStatus::NeedsKey.as_str(), "needs_key");
        assert_eq!(Channel::PhoneNote.as_str(), "phone_note");
        assert_eq!(serde_json::to_string(&LinkKind::DuplicateOf).ok().as_deref(), Some("\"duplicate_of\""));
    }

    #[test]
    fn unknown_words_are_errors_naming_the_choices() {
        let err = Urgency::parse("urgent").expect_err("not a word of the vocabulary");
        assert_eq!(err.vocabulary, "urgency");
        assert!(err.to_string().contains("critical, high, medium, low"), "{err}");
        assert!(VerificationStatus::parse("Verified").is_err(), "text forms are case-sensitive");
    }

    #[test]
    fn priority_accepts_either_case() {
        assert_eq!(Priority::parse("p2"), Ok(Priority::P2));
        assert_eq!(Priority::parse("P4"), Ok(Priority::P4));
        assert!(Priority::parse("P5").is_err());
        assert!(Priority::P1 < Priority::P4);
    }

    #[test]
    fn urgency_rank_orders_most_urgent_first() {
        let mut all: Vec<_> = Urgency::all().collect();
        all.sort_by_key(|u| std::cmp::Reverse(u.rank()));
        assert_eq!(all.last(), Some(&Urgency::Critical));
    }
}
