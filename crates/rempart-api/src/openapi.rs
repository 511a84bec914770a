//! The OpenAPI 3.1 document, generated from the handlers' annotations.

mod complete;
mod constraints;

pub use complete::NO_NUL;

use crate::routes::{auth, beneficiaries, cases, evidence, health, items, mail, rota, stats, templates, users};
use actix_web::HttpResponse;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Rempart",
        description = "Case tracking for a digital-security helpline for civil society. Errors are \
            application/problem+json (RFC 9457) with a stable `type` of the form urn:rempart:problem:<slug>."
    ),
    paths(
        health::healthz, health::readyz, health::metrics, document, crate::sealed::unlock_open,
        auth::login, auth::refresh, auth::logout, auth::change_password,
        auth::totp_enroll, auth::totp_confirm, auth::totp_disable,
        users::me, users::update_me, users::list, users::create, users::get, users::update, users::reset_totp, users::taxonomy,
        users::add_taxonomy_entry, users::update_taxonomy_entry,
        beneficiaries::list, beneficiaries::create, beneficiaries::get, beneficiaries::update,
        beneficiaries::set_verification, beneficiaries::add_email, beneficiaries::enter_key, beneficiaries::confirm_key,
        beneficiaries::decide_key_change,
        cases::list, cases::create, cases::get, cases::update, cases::transition, cases::assign, cases::audit,
        items::list_messages, items::add_message, items::reply,
        items::list_comments, items::add_comment, items::list_actions, items::add_action,
        items::list_next_steps, items::add_next_step, items::update_next_step,
        items::list_third_parties, items::add_third_party, items::set_third_party_key, items::list_links, items::add_link,
        items::list_risks, items::add_risk, items::list_indicators, items::add_indicator,
        items::correlations, items::lookup,
        evidence::list, evidence::upload, evidence::download,
        rota::add_shift, rota::list_shifts, rota::update_shift, rota::delete_shift, rota::check_in, rota::own_check_ins, rota::set_rotation, rota::rota_now, rota::decisions, rota::workload, rota::escalations, rota::rebalance,
        rota::open_escalations, rota::acknowledge_escalation,
        mail::helpline_key, mail::wkd_key, mail::wkd_policy, mail::quarantine, mail::quarantine_raw,
        mail::resolve_quarantine, mail::attach_quarantine, mail::discard_quarantine, mail::resend,
        stats::stats, stats::erase,
        templates::list, templates::create, templates::update,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The document as served: the handlers' annotations completed with what every
/// operation shares (see [`complete`]).
pub fn document_value() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let missing = constraints::apply(&mut doc);
    debug_assert!(missing.is_empty(), "constraints name no field: {missing:?}");
    complete::complete(&mut doc);
    // The closed list of problem types, as clients may branch on them.
    if let Some(kind) = doc.pointer_mut("/components/schemas/Problem/properties/type") {
        let urns: Vec<String> = crate::problem::ProblemType::ALL
            .iter()
            .map(|p| format!("{}{}", crate::error::PROBLEM_PREFIX, p.slug()))
            .collect();
        kind["enum"] = serde_json::json!(urns);
    }
    doc
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_constraint_names_a_field_of_the_document() {
        let mut doc = serde_json::to_value(<super::ApiDoc as utoipa::OpenApi>::openapi()).expect("document");
        assert_eq!(super::constraints::apply(&mut doc), Vec::<String>::new());
    }

    #[test]
    fn the_document_lists_every_problem_type() {
        let doc = super::document_value();
        let listed = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"].as_array().expect("enum");
        assert_eq!(listed.len(), crate::problem::ProblemType::ALL.len());
        assert!(listed.iter().any(|t| t == "urn:rempart:problem:assignee-unavailable"));
    }

    /// The list filters' patterns are written by hand: they must name exactly the words of
    /// their vocabulary, or a generated client refuses a status the server has.
    #[test]
    fn list_filter_patterns_follow_the_vocabularies() {
        let doc = super::document_value();
        let params = doc["paths"]["/api/v1/cases"]["get"]["parameters"].as_array().expect("parameters").clone();
        let words_of = |name: &str| -> std::collections::BTreeSet<String> {
            let pattern = params.iter().find(|p| p["name"] == name).expect("parameter")["schema"]["pattern"]
                .as_str()
                .expect("pattern")
                .to_owned();
            let inner = pattern.split('(').nth(1).and_then(|s| s.split(')').next()).expect("alternation");
            inner.split('|').map(str::to_owned).collect()
        };
        let set = |words: Vec<&str>| words.into_iter().map(str::to_owned).collect::<std::collections::BTreeSet<_>>();
        assert_eq!(words_of("status"), set(rempart_core::CaseStatus::all().map(|s| s.as_str()).collect()));
        assert_eq!(words_of("urgency"), set(rempart_core::Urgency::all().map(|s| s.as_str()).collect()));
        assert_eq!(words_of("priority"), set(rempart_core::Priority::all().map(|s| s.as_str()).collect()));
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = super::document_value();
        let mut ids = Vec::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("item").values() {
                ids.push(op["operationId"].as_str().expect("operationId").to_owned());
            }
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "duplicated operationId among {ids:?}");
    }
}

/// The document as JSON, built once.
pub fn json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_string(&document_value()).unwrap_or_else(|_| "{}".to_owned()))
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(json())
}
