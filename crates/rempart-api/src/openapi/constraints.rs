//! The rules the server applies to request fields, written into the document so that a
//! generated client checks what the server checks (a test keeps every entry pointing at a
//! real field).
//!
//! Free texts are trimmed and counted in characters (`rempart_store::util::required_text`);
//! codes, languages, addresses and time zones take the pattern or list of their
//! `rempart_core` type.

use serde_json::{Value, json};

/// At least one character that is neither white space (what Rust's `trim` removes: the
/// Unicode White_Space characters, listed because `\\s` differs between regex dialects)
/// nor NUL.
pub const NON_BLANK: &str = "^[^\\u0000]*[^\\u0000\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000]*$";

/// A case id (UUID) or reference.
pub const CASE_ID: &str =
    "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|RMP-[0-9]{4}-[0-9]{6})$";

/// A comma-separated list of language tags (`fr, en,pt-BR`).
const LANGUAGE_LIST: &str = "^ *([A-Za-z]{2,3}([-_]([A-Za-z]{4}|[A-Za-z]{2}|[0-9]{3})){0,2})? *(, *([A-Za-z]{2,3}([-_]([A-Za-z]{4}|[A-Za-z]{2}|[0-9]{3})){0,2})? *)*$";

#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Required free text: not blank, at most this many characters.
    Text(u32),
    /// Optional free text (blank means none): at most this many characters.
    OptionalText(u32),
    /// The pattern or list of values of a component schema (a `rempart_core` type).
    Like(&'static str),
    /// Each item of an array like this component.
    ItemsLike(&'static str),
    Pattern(&'static str),
    Range(i64, i64),
    Words(&'static [&'static str]),
    MinItems(u32),
}

use Rule::*;

/// (component schema, property, rule).
pub const RULES: &[(&str, &str, Rule)] = &[
    ("AssignmentRequest", "reason", Text(2000)),
    ("AssignmentRequest", "override_reason", OptionalText(2000)),
    ("AttachRequest", "case", Pattern(CASE_ID)),
    ("DiscardRequest", "reason", Text(2000)),
    ("BeneficiaryPatch", "audience_type", Like("TaxonomyCode")),
    ("BeneficiaryPatch", "display_name", Text(200)),
    ("BeneficiaryPatch", "preferred_language", Like("LanguageTag")),
    ("CasePatch", "service_type", Like("TaxonomyCode")),
    ("CasePatch", "summary", Text(10_000)),
    ("CheckInRequest", "note", OptionalText(2000)),
    ("EmailRequest", "address", Like("EmailAddress")),
    ("EraseRequest", "reason", Text(2000)),
    ("IndicatorRequest", "kind", Words(INDICATOR_KINDS)),
    ("IndicatorRequest", "value", Text(2048)),
    ("IndicatorRequest", "note", OptionalText(2000)),
    ("KeyConfirmation", "how", Text(500)),
    ("LinkRequest", "target", Pattern(CASE_ID)),
    ("LinkRequest", "note", OptionalText(2000)),
    ("MessageRequest", "body", Text(100_000)),
    ("MessageRequest", "subject", OptionalText(998)),
    ("NewBeneficiaryRequest", "display_name", Text(200)),
    ("NewBeneficiaryRequest", "emails", ItemsLike("EmailAddress")),
    ("NewBeneficiaryRequest", "emails", MinItems(1)),
    ("NewBeneficiaryRequest", "preferred_language", Like("LanguageTag")),
    ("NewCaseRequest", "summary", Text(10_000)),
    ("NewTaxonomyEntry", "label", Text(200)),
    ("NewTemplate", "language", Like("LanguageTag")),
    ("NewTemplate", "name", Text(200)),
    ("NewTemplate", "body", Text(20_000)),
    ("NewUserRequest", "display_name", Text(200)),
    ("NewUserRequest", "email", Like("EmailAddress")),
    ("NewUserRequest", "languages", Pattern(LANGUAGE_LIST)),
    ("NextStepRequest", "text", Text(10_000)),
    ("Preferences", "languages", Pattern(LANGUAGE_LIST)),
    ("Preferences", "time_zone", Like("TimeZoneName")),
    ("RebalanceRequest", "max_moves", Range(0, 200)),
    ("ReplyRequest", "body", Text(100_000)),
    ("ReplyRequest", "subject", OptionalText(998)),
    ("RiskRequest", "risk_name", Text(300)),
    ("RiskRequest", "notes", OptionalText(10_000)),
    ("RiskRequest", "threats", Range(1, 10)),
    ("RiskRequest", "vulnerabilities", Range(1, 10)),
    ("RiskRequest", "capacities", Range(1, 10)),
    ("RotationRequest", "members", MinItems(1)),
    ("RotationRequest", "period", Words(&["weekly", "daily"])),
    ("ShiftChange", "kind", Words(&["intake", "standby"])),
    ("ShiftRequest", "kind", Words(&["intake", "standby"])),
    ("TaxonomyEntryPatch", "label", Text(200)),
    ("TextRequest", "text", Text(10_000)),
    ("ThirdPartyRequest", "organisation", Text(300)),
    ("ThirdPartyRequest", "contact_name", OptionalText(300)),
    ("ThirdPartyRequest", "email", Like("EmailAddress")),
    ("ThirdPartyRequest", "phone", OptionalText(64)),
    ("ThirdPartyRequest", "notes", OptionalText(10_000)),
    ("TransitionRequest", "note", OptionalText(2000)),
    ("UserPatch", "capacity", Range(0, 200)),
    ("UserPatch", "display_name", Text(200)),
    ("TemplatePatch", "name", Text(200)),
    ("TemplatePatch", "body", Text(20_000)),
    ("UserPatch", "languages", Pattern(LANGUAGE_LIST)),
    ("UserPatch", "time_zone", Like("TimeZoneName")),
    ("VerificationRequest", "reason", Text(2000)),
];

/// Indicator kinds as the API reads them: snake_case or hyphenated.
const INDICATOR_KINDS: &[&str] = &[
    "domain",
    "ip",
    "cidr",
    "url",
    "email",
    "phone",
    "hash_md5",
    "hash-md5",
    "hash_sha1",
    "hash-sha1",
    "hash_sha256",
    "hash-sha256",
    "file_name",
    "file-name",
    "licence_plate",
    "licence-plate",
    "other",
];

/// `If-Match`: `*` or an ETag of this API (`"v3"`, weak or strong).
pub const IF_MATCH: &str = "^(\\*|(W/)?\"v[0-9]{1,9}\")$";

/// Applies [`RULES`]; returns the entries that name no field (a test wants none).
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut missing = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let params = paths.values_mut().flat_map(|item| item.as_object_mut().into_iter().flat_map(|i| i.values_mut()));
        for param in params.filter_map(|op| op.get_mut("parameters")).filter_map(Value::as_array_mut).flatten() {
            let pattern = match (param.get("in").and_then(Value::as_str), param.get("name").and_then(Value::as_str)) {
                (Some("header"), Some("If-Match")) => IF_MATCH,
                // The indicator lookup's `value`.
                (Some("query"), Some("value")) => NON_BLANK,
                _ => continue,
            };
            if let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) {
                schema.insert("pattern".into(), json!(pattern));
            }
        }
    }
    for (schema, property, rule) in RULES {
        let borrowed = match rule {
            Like(name) | ItemsLike(name) => doc.pointer(&format!("/components/schemas/{name}")).cloned(),
            _ => None,
        };
        let Some(field) = doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{property}")) else {
            missing.push(format!("{schema}.{property}"));
            continue;
        };
        let Some(field) = field.as_object_mut() else { continue };
        let mut set = |key: &str, value: Value| {
            field.insert(key.to_owned(), value);
        };
        match *rule {
            Text(max) => {
                set("minLength", json!(1));
                set("maxLength", json!(max));
                set("pattern", json!(NON_BLANK));
            }
            OptionalText(max) => set("maxLength", json!(max)),
            Pattern(p) => set("pattern", json!(p)),
            Range(min, max) => {
                set("minimum", json!(min));
                set("maximum", json!(max));
            }
            Words(words) => set("pattern", json!(format!("^({})$", words.join("|")))),
            MinItems(n) => set("minItems", json!(n)),
            Like(name) | ItemsLike(name) => {
                let Some(source) = borrowed else {
                    missing.push(format!("{name} (for {schema}.{property})"));
                    continue;
                };
                let target = if matches!(rule, ItemsLike(_)) {
                    field.entry("items").or_insert_with(|| json!({})).as_object_mut()
                } else {
                    Some(field)
                };
                if let Some(target) = target {
                    for key in ["pattern", "enum"] {
                        if let Some(v) = source.get(key) {
                            if key == "enum" && target.get("type").is_some_and(|t| t.is_array()) {
                                // A nullable field keeps null among its values.
                                let mut values = v.as_array().cloned().unwrap_or_default();
                                values.push(Value::Null);
                                target.insert(key.to_owned(), Value::Array(values));
                            } else {
                                target.insert(key.to_owned(), v.clone());
                            }
                        }
                    }
                }
            }
        }
    }
    missing
}
