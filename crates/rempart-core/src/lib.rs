//! The case model of Rempart, free of I/O.
//!
//! Everything a helpline case records (see `shared/DOMAIN.md`) is typed here: the closed
//! vocabularies as enums with a stable text form, the values that must be parsed before
//! they are trusted (email addresses, case references, indicators, taxonomy codes,
//! language tags, risk factors) as newtypes, and the case status state machine.
//! Storage, HTTP and mail crates convert to and from these types at their boundary.

pub mod email;
pub mod indicator;
pub mod phone;
pub mod reference;
pub mod risk;
pub mod stats;
pub mod status;
pub mod text;
pub mod utc;
pub mod vocab;

pub use email::{EmailAddress, EmailError};
pub use indicator::{
    IndicatorError, IndicatorKind, IndicatorRules, NormalizedIndicator, lookup_candidates, lookup_candidates_with,
};
pub use phone::PhoneRegion;
pub use reference::{CaseReference, ReferenceError};
pub use risk::{RiskError, RiskFactors};
pub use status::{CaseStatus, IllegalTransition, Transition};
pub use text::{Fingerprint, FingerprintError, LanguageTag, Languages, TaxonomyCode, TextError, TimeZoneName};
pub use vocab::*;

/// OpenAPI schemas of the values that travel as strings.
#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};

    macro_rules! string_schema {
        ($ty:ty, $description:literal, $example:literal $(, $pattern:literal)?) => {
            impl utoipa::PartialSchema for $ty {
                fn schema() -> RefOr<Schema> {
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some($description))
                        .examples([serde_json::json!($example)])
                        $(.pattern(Some($pattern)))?
                        .into()
                }
            }
            impl utoipa::ToSchema for $ty {}
        };
    }

    string_schema!(crate::CaseReference, "Case reference", "RMP-2026-000042", "^RMP-[0-9]{4}-[0-9]{6}$");
    // The documented form is a plain ASCII address (what a generated client checks); the
    // server also reads `<...>`, `mailto:` and internationalised domains.
    string_schema!(
        crate::EmailAddress,
        "Email address, normalised (lower case, punycode domain)",
        "ana@example.org",
        "^[A-Za-z0-9_%+-]{1,20}([.][A-Za-z0-9_%+-]{1,20}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?[.]){1,4}[A-Za-z]{2,20}$"
    );
    string_schema!(crate::TaxonomyCode, "Code of a configurable taxonomy", "journalist", "^[a-z][a-z0-9_]{0,63}$");
    string_schema!(
        crate::LanguageTag,
        "BCP 47 language tag",
        "pt-BR",
        "^[A-Za-z]{2,3}([-_]([A-Za-z]{4}|[A-Za-z]{2}|[0-9]{3})){0,2}$"
    );
    string_schema!(
        crate::Fingerprint,
        "OpenPGP fingerprint, upper-case hex",
        "D1A66E1A23B182C9980F788CFBFCC82A015E7330",
        "^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$"
    );

    impl utoipa::PartialSchema for crate::TimeZoneName {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("IANA time zone"))
                .examples([serde_json::json!("Europe/Paris")])
                .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
                .into()
        }
    }
    impl utoipa::ToSchema for crate::TimeZoneName {}

    impl utoipa::PartialSchema for crate::Languages {
        fn schema() -> RefOr<Schema> {
            ArrayBuilder::new().items(<crate::LanguageTag as utoipa::PartialSchema>::schema()).into()
        }
    }
    impl utoipa::ToSchema for crate::Languages {}
}
