//! Rempart's web console: the pages where handlers work their cases, rendered on the
//! server from compiled templates (askama), in the user's language (Fluent catalogs).
//!
//! Every rule about who may see or do what is the application layer's (`rempart_app`):
//! the console, like the REST API, only asks it. The console is served by `rempart serve`
//! beside the API ([`configure`]); its assets are embedded in the binary. No page holds an
//! inline script or style, and every flow works with JavaScript disabled: htmx, when it
//! runs, only refreshes lists and submits forms without a full reload.

pub mod assets;
pub mod charts;
pub mod error;
pub mod form;
pub mod i18n;
pub mod page;
pub mod pages;
pub mod session;
pub mod time;

use actix_web::web;
use std::time::Duration;

/// Settings of the console, built by the binary from the configuration.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// A session unused this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute_lifetime: Duration,
    /// The cookie is `__Host-` prefixed and `Secure`: the console is reached over HTTPS
    /// (TLS at a reverse proxy).
    pub secure_cookies: bool,
    /// The effective configuration, secrets masked, for administrators to read.
    pub effective_config: std::sync::Arc<Vec<ConfigEntry>>,
    /// The files of the backups' extra recipients (`backup.recipients`).
    pub backup_recipients: Vec<String>,
}

/// One key of the effective configuration: its value as it may be shown (secrets masked)
/// and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub key: String,
    pub value: String,
    pub origin: String,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_lifetime: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            effective_config: Default::default(),
            backup_recipients: Vec::new(),
        }
    }
}

/// Forms up to `limit` bytes. A form the console did not write (or too large) is said as a
/// page, in the browser's language, never a bare text answer.
fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default().limit(limit).error_handler(|e, req| {
        let refused = rempart_api::error::ApiError::bad_request(format!("form: {e}"));
        error::ConsoleError::Failed(refused, session::request_lang(req)).into()
    })
}

/// The console of a service started sealed: its assets and the unlock page only (the
/// sealed server sends every other page there).
pub fn configure_sealed() -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    |cfg: &mut web::ServiceConfig| {
        cfg.app_data(form_config(16 * 1024))
            .route("/assets/{name}", web::get().to(assets::serve))
            .route("/unlock", web::get().to(pages::unlock::form))
            .route("/unlock", web::post().to(pages::unlock::submit));
    }
}

/// Registers the console's routes (at `/`, beside the API's `/api/v1`).
pub fn configure(config: ConsoleConfig) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(config.clone()))
            .app_data(form_config(256 * 1024))
            .route("/assets/{name}", web::get().to(assets::serve))
            .route("/unlock", web::get().to(pages::unlock::already_open))
            .route("/unlock", web::post().to(pages::unlock::already_open))
            .route("/login", web::get().to(pages::login::form))
            .route("/login", web::post().to(pages::login::submit))
            .route("/logout", web::post().to(pages::login::logout))
            .route("/account", web::get().to(pages::account::page))
            .route("/account", web::post().to(pages::account::save))
            .route("/account/totp", web::post().to(pages::account::begin_totp))
            .route("/account/totp/confirm", web::post().to(pages::account::confirm_totp))
            .route("/password", web::get().to(pages::password::form))
            .route("/password", web::post().to(pages::password::submit))
            .route("/", web::get().to(pages::queues::page))
            .route("/search", web::get().to(pages::search::page))
            .route("/check-in", web::get().to(pages::check_in::page))
            .route("/check-in", web::post().to(pages::check_in::submit))
            .route("/cases/new", web::get().to(pages::new_case::form))
            .route("/cases/new", web::post().to(pages::new_case::submit))
            .route("/cases/{reference}", web::get().to(pages::case::page))
            .route("/cases/{reference}/comments", web::post().to(pages::case::comment))
            .route("/cases/{reference}/replies", web::post().to(pages::case::reply))
            .route("/cases/{reference}/status", web::post().to(pages::case::transition))
            .route("/cases/{reference}/take", web::post().to(pages::case_actions::take))
            .route("/cases/{reference}/key", web::post().to(pages::case_actions::enter_key))
            .route("/cases/{reference}/key/confirmation", web::post().to(pages::case_actions::confirm_key))
            .route("/cases/{reference}/key-changes/{id}", web::post().to(pages::case_actions::decide_key_change))
            .route("/cases/{reference}/indicators", web::post().to(pages::case_actions::add_indicator))
            .route("/cases/{reference}/evidence", web::post().to(pages::case_actions::upload_evidence))
            .route("/cases/{reference}/actions", web::post().to(pages::case_items::action))
            .route("/cases/{reference}/next-steps", web::post().to(pages::case_items::next_step))
            .route("/cases/{reference}/next-steps/{id}", web::post().to(pages::case_items::step_done))
            .route("/cases/{reference}/risks", web::post().to(pages::case_items::risk))
            .route("/cases/{reference}/third-parties", web::post().to(pages::case_items::third_party))
            .route(
                "/cases/{reference}/third-parties/{id}/messages",
                web::post().to(pages::case_items::third_party_message),
            )
            .route("/cases/{reference}/third-parties/{id}/key", web::post().to(pages::case_items::third_party_key))
            .route("/cases/{reference}/links", web::post().to(pages::case_items::link))
            .route("/cases/{reference}/verification", web::post().to(pages::case_items::verification))
            .route("/cases/{reference}/evidence/{id}", web::get().to(pages::case_actions::download_evidence))
            .route("/admin", web::get().to(pages::admin::users::list))
            .route("/admin/users", web::post().to(pages::admin::users::create))
            .route("/admin/users/{id}", web::get().to(pages::admin::users::edit))
            .route("/admin/users/{id}", web::post().to(pages::admin::users::update))
            .route("/admin/users/{id}/totp-reset", web::post().to(pages::admin::users::reset_totp))
            .route("/admin/taxonomies", web::get().to(pages::admin::taxonomies::page))
            .route("/admin/taxonomies/{taxonomy}", web::post().to(pages::admin::taxonomies::add))
            .route("/admin/taxonomies/{taxonomy}/{code}", web::post().to(pages::admin::taxonomies::update))
            .route("/admin/key", web::get().to(pages::admin::key::page))
            .route("/admin/configuration", web::get().to(pages::admin::config::page))
            .route("/quarantine", web::get().to(pages::quarantine::page))
            .route("/quarantine/{id}/raw", web::get().to(pages::quarantine::raw))
            .route("/quarantine/{id}/attach", web::post().to(pages::quarantine::attach))
            .route("/quarantine/{id}/open", web::post().to(pages::quarantine::open))
            .route("/quarantine/{id}/discard", web::post().to(pages::quarantine::discard))
            .route("/statistics", web::get().to(pages::statistics::page))
            .route("/statistics.csv", web::get().to(pages::statistics::csv))
            .route("/templates", web::get().to(pages::templates::page))
            .route("/templates", web::post().to(pages::templates::create))
            .route("/templates/{id}", web::get().to(pages::templates::edit))
            .route("/templates/{id}", web::post().to(pages::templates::update))
            .route("/team", web::get().to(pages::team::now::page))
            .route("/team/alerts", web::get().to(pages::team::now::alerts))
            .route("/team/escalations/{id}/acknowledge", web::post().to(pages::team::now::acknowledge))
            .route("/team/week", web::get().to(pages::team::week::page))
            .route("/team/shifts", web::post().to(pages::team::week::plan))
            .route("/team/shifts/{id}", web::get().to(pages::team::shift::edit))
            .route("/team/shifts/{id}", web::post().to(pages::team::shift::change))
            .route("/team/shifts/{id}/cancel", web::post().to(pages::team::shift::cancel))
            .route("/team/rotation", web::post().to(pages::team::week::rotation))
            .route("/team/workload", web::get().to(pages::team::workload::page))
            .route("/team/rebalance", web::post().to(pages::team::rebalance::preview))
            .route("/team/rebalance/apply", web::post().to(pages::team::rebalance::apply))
            .route("/team/reassign", web::get().to(pages::team::rebalance::reassign_form))
            .route("/team/reassign", web::post().to(pages::team::rebalance::reassign));
    }
}
