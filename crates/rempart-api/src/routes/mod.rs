//! Every route of the API, declared once.

pub mod auth;
pub mod beneficiaries;
pub mod cases;
pub mod evidence;
pub mod health;
pub mod items;
pub mod mail;
pub mod rota;
pub mod stats;
pub mod templates;
pub mod users;

use actix_web::web;
use std::sync::OnceLock;

/// The methods (upper case, in declaration order) under which `path` is served: empty
/// when no route has this path at all.
pub fn methods_of(path: &str) -> Vec<&'static str> {
    static DEFS: OnceLock<Vec<(actix_web::dev::ResourceDef, &'static str)>> = OnceLock::new();
    let defs = DEFS.get_or_init(|| {
        ROUTES
            .iter()
            .map(|(method, pattern)| {
                let upper: &'static str = match *method {
                    "get" => "GET",
                    "post" => "POST",
                    "put" => "PUT",
                    "patch" => "PATCH",
                    "delete" => "DELETE",
                    other => other,
                };
                (actix_web::dev::ResourceDef::new(*pattern), upper)
            })
            .collect()
    });
    let mut out: Vec<&'static str> = Vec::new();
    for (_, method) in defs.iter().filter(|(def, _)| def.is_match(path)) {
        if !out.contains(method) {
            out.push(method);
        }
    }
    out
}

/// Declares the routes: registers them and lists them for the OpenAPI coverage test.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:path ),* $(,)?) => {
        /// Registers every route.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, web::$method().to($handler)); )*
        }

        /// (method, path) of every route, as registered.
        pub const ROUTES: &[(&str, &str)] = &[ $( (stringify!($method), $path) ),* ];
    };
}

api_routes! {
    get "/healthz" => health::healthz,
    get "/readyz" => health::readyz,
    get "/metrics" => health::metrics,
    get "/api/v1/openapi.json" => crate::openapi::document,

    post "/api/v1/unlock" => crate::sealed::unlock_open,
    post "/api/v1/auth/login" => auth::login,
    post "/api/v1/auth/refresh" => auth::refresh,
    post "/api/v1/auth/logout" => auth::logout,
    post "/api/v1/auth/password" => auth::change_password,
    post "/api/v1/auth/totp/enroll" => auth::totp_enroll,
    post "/api/v1/auth/totp/confirm" => auth::totp_confirm,
    post "/api/v1/auth/totp/disable" => auth::totp_disable,
    get "/api/v1/me" => users::me,
    patch "/api/v1/me" => users::update_me,

    get "/api/v1/users" => users::list,
    post "/api/v1/users" => users::create,
    get "/api/v1/users/{id}" => users::get,
    patch "/api/v1/users/{id}" => users::update,
    post "/api/v1/users/{id}/totp-reset" => users::reset_totp,
    get "/api/v1/taxonomies/{taxonomy}" => users::taxonomy,
    post "/api/v1/taxonomies/{taxonomy}" => users::add_taxonomy_entry,
    patch "/api/v1/taxonomies/{taxonomy}/{code}" => users::update_taxonomy_entry,

    get "/api/v1/beneficiaries" => beneficiaries::list,
    post "/api/v1/beneficiaries" => beneficiaries::create,
    get "/api/v1/beneficiaries/{id}" => beneficiaries::get,
    patch "/api/v1/beneficiaries/{id}" => beneficiaries::update,
    post "/api/v1/beneficiaries/{id}/verification" => beneficiaries::set_verification,
    post "/api/v1/beneficiaries/{id}/emails" => beneficiaries::add_email,
    put "/api/v1/beneficiaries/{id}/key" => beneficiaries::enter_key,
    post "/api/v1/beneficiaries/{id}/key/confirmation" => beneficiaries::confirm_key,
    post "/api/v1/beneficiaries/{id}/key-changes/{key_change_id}/decision" => beneficiaries::decide_key_change,

    get "/api/v1/cases" => cases::list,
    post "/api/v1/cases" => cases::create,
    get "/api/v1/cases/{id}" => cases::get,
    patch "/api/v1/cases/{id}" => cases::update,
    post "/api/v1/cases/{id}/transitions" => cases::transition,
    post "/api/v1/cases/{id}/assignment" => cases::assign,
    get "/api/v1/cases/{id}/audit" => cases::audit,

    get "/api/v1/cases/{id}/messages" => items::list_messages,
    post "/api/v1/cases/{id}/messages" => items::add_message,
    post "/api/v1/cases/{id}/replies" => items::reply,
    get "/api/v1/cases/{id}/comments" => items::list_comments,
    post "/api/v1/cases/{id}/comments" => items::add_comment,
    get "/api/v1/cases/{id}/actions" => items::list_actions,
    post "/api/v1/cases/{id}/actions" => items::add_action,
    get "/api/v1/cases/{id}/next-steps" => items::list_next_steps,
    post "/api/v1/cases/{id}/next-steps" => items::add_next_step,
    patch "/api/v1/cases/{id}/next-steps/{step_id}" => items::update_next_step,
    get "/api/v1/cases/{id}/third-parties" => items::list_third_parties,
    post "/api/v1/cases/{id}/third-parties" => items::add_third_party,
    put "/api/v1/cases/{id}/third-parties/{third_party_id}/key" => items::set_third_party_key,
    get "/api/v1/cases/{id}/links" => items::list_links,
    post "/api/v1/cases/{id}/links" => items::add_link,
    get "/api/v1/cases/{id}/risk-assessments" => items::list_risks,
    post "/api/v1/cases/{id}/risk-assessments" => items::add_risk,
    get "/api/v1/cases/{id}/indicators" => items::list_indicators,
    post "/api/v1/cases/{id}/indicators" => items::add_indicator,
    get "/api/v1/cases/{id}/correlations" => items::correlations,
    get "/api/v1/cases/{id}/evidence" => evidence::list,
    post "/api/v1/cases/{id}/evidence" => evidence::upload,
    get "/api/v1/cases/{id}/evidence/{evidence_id}/content" => evidence::download,
    get "/api/v1/indicators/lookup" => items::lookup,

    post "/api/v1/shifts" => rota::add_shift,
    get "/api/v1/shifts" => rota::list_shifts,
    patch "/api/v1/shifts/{id}" => rota::update_shift,
    delete "/api/v1/shifts/{id}" => rota::delete_shift,
    post "/api/v1/check-ins" => rota::check_in,
    get "/api/v1/check-ins/mine" => rota::own_check_ins,
    put "/api/v1/rota/rotation" => rota::set_rotation,
    get "/api/v1/rota/now" => rota::rota_now,
    get "/api/v1/cases/{id}/assignment-decisions" => rota::decisions,
    get "/api/v1/workload" => rota::workload,
    post "/api/v1/rota/rebalance" => rota::rebalance,
    get "/api/v1/cases/{id}/escalations" => rota::escalations,
    get "/api/v1/escalations" => rota::open_escalations,
    post "/api/v1/escalations/{id}/acknowledgement" => rota::acknowledge_escalation,
    get "/api/v1/stats" => stats::stats,
    post "/api/v1/cases/{id}/erase" => stats::erase,

    get "/api/v1/reply-templates" => templates::list,
    post "/api/v1/reply-templates" => templates::create,
    patch "/api/v1/reply-templates/{id}" => templates::update,

    get "/api/v1/helpline-key" => mail::helpline_key,
    get "/.well-known/openpgpkey/hu/{hash}" => mail::wkd_key,
    get "/.well-known/openpgpkey/policy" => mail::wkd_policy,
    get "/api/v1/mail/quarantine" => mail::quarantine,
    get "/api/v1/mail/quarantine/{id}/raw" => mail::quarantine_raw,
    post "/api/v1/mail/quarantine/{id}/resolve" => mail::resolve_quarantine,
    post "/api/v1/mail/quarantine/{id}/attachment" => mail::attach_quarantine,
    post "/api/v1/mail/quarantine/{id}/discard" => mail::discard_quarantine,
    post "/api/v1/cases/{id}/messages/{message_id}/resend" => mail::resend,
}
