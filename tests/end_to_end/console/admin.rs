//! An administrator's console in a real browser, on SQLite and PostgreSQL: an account is
//! created, its owner signs in, enrols an authenticator and is reset (they must enrol
//! again before anything else); taxonomy labels in every language; the helpline key and
//! the effective configuration, secrets masked. Then every lead and admin page, in English,
//! French and Spanish: axe-core finds nothing, no page shows a message key instead of text,
//! and a screenshot of each is kept.

use super::browser::Browser;
use super::helpline::{Helpline, NEW_PASSWORD, totp_code};
use super::{first_sign_in, sign_in};
use crate::common::{ok, rempart, run};
use rempart_test_db::{TestDb, on_both_backends};
use reqwest::Method;
use serde_json::json;

const ADMIN: &str = "admin@rempart.local";
const ADMIN_PASSWORD: &str = "the admin's own passphrase";

/// Every message id of the console's English catalog.
fn message_ids() -> Vec<String> {
    include_str!("../../../crates/rempart-web/locales/en/console.ftl")
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
        .collect()
}

/// Enrols an authenticator on the account page: the secret shown, the code it gives.
fn enrol(b: &Browser, step: u64) {
    b.click("#totp-begin");
    let secret = b.text("#totp-secret");
    b.fill("#code", &totp_code(&secret, step));
    b.click("#totp-confirm");
}

fn an_administrators_console(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", "Helpline <help@helpline.example>"]), ""));
    let h = Helpline::serve(dir.path(), db.url());
    let b = Browser::start("en", true);
    b.goto(&h.url("/login"));
    sign_in(&b, ADMIN, ADMIN_PASSWORD, "");
    b.click("a[href='/admin']");
    b.check_page("en-admin-users");

    // A new colleague: the one-time password is shown once; the same address again is refused.
    b.fill("#user-name", "Nadia New");
    b.fill("#user-email", "nadia@helpline.example");
    b.select("#user-role", "handler");
    b.fill("#user-languages", "fr");
    b.click("form[action='/admin/users'] button[type=submit]");
    let one_time = b.text("#one-time-password");
    assert_eq!(one_time.len(), 20, "{one_time}");
    b.check_page("en-admin-created");
    b.fill("#user-name", "Nadia Again");
    b.fill("#user-email", "nadia@helpline.example");
    b.click("form[action='/admin/users'] button[type=submit]");
    assert!(b.text("#email-error").contains("already"), "{}", b.text("#email-error"));

    // Nadia signs in, chooses her password and enrols an authenticator.
    let nb = Browser::start("fr", true);
    first_sign_in(&nb, &h, "nadia@helpline.example", &one_time, None);
    nb.goto(&h.url("/account"));
    enrol(&nb, 0);
    assert!(nb.exists("p.fate"), "the authenticator is on: {}", nb.text("main"));

    // She lost her phone: the administrator resets the authenticator.
    b.goto(&h.url("/admin"));
    let rows = b.count("#users-table tbody tr");
    let link = (1..=rows)
        .map(|i| format!("#users-table tbody tr:nth-child({i}) th a"))
        .find(|css| b.text(css) == "Nadia New")
        .expect("Nadia's row");
    b.click(&link);
    assert!(b.text("#totp-title + p").contains("Authenticator on"), "{}", b.text("main"));
    b.check_page("en-admin-user");
    b.click("#totp-reset");
    assert!(b.text("#done").contains("reset"), "{}", b.text("main"));
    assert!(b.text("#totp-title + p").contains("must enrol"), "{}", b.text("main"));
    let users = h.call(Method::GET, "/api/v1/users", None);
    let nadia = users.as_array().and_then(|l| l.iter().find(|u| u["email"] == "nadia@helpline.example")).cloned();
    let nadia = nadia.expect("Nadia's account");
    assert_eq!((nadia["totp_enabled"].clone(), nadia["must_enrol_totp"].clone()), (json!(false), json!(true)));

    // Her session ended; she signs in with her password alone and can only enrol again.
    nb.goto(&h.url("/"));
    assert!(nb.url().contains("/login"), "the reset ends her sessions: {}", nb.url());
    sign_in(&nb, "nadia@helpline.example", NEW_PASSWORD, "");
    assert!(nb.url().ends_with("/account"), "{}", nb.url());
    assert!(nb.exists("#must-enrol"));
    nb.check_page("fr-account-must-enrol");
    nb.goto(&h.url("/search"));
    assert!(nb.url().ends_with("/account"), "nothing else opens: {}", nb.url());
    enrol(&nb, 1);
    nb.goto(&h.url("/search"));
    assert!(nb.url().ends_with("/search"), "{}", nb.url());

    // Taxonomy labels: a Spanish label for an entry; French left empty shows English.
    b.goto(&h.url("/admin/taxonomies"));
    b.fill("#service-data_leak-es", "Fuga de datos personales");
    b.fill("#service-data_leak-fr", "");
    b.click("#service-data_leak form button");
    assert_eq!(b.value("#service-data_leak-es"), "Fuga de datos personales");
    assert_eq!(b.value("#service-data_leak-fr"), "");
    // (The browser checks the code's form first; the server checks it anyway.)
    b.remove_attribute("#service-new-code", "pattern");
    b.fill("#service-new-code", "Not A Code");
    b.fill("#service-new-label", "Something");
    b.click("form[action='/admin/taxonomies/service'] button");
    assert!(b.text("#service").contains("Lowercase letters"), "{}", b.text("#service"));

    // The key and the configuration: no secret shown.
    b.goto(&h.url("/admin/key"));
    assert!(b.text("#helpline-fingerprint").split(' ').count() >= 10, "{}", b.text("#helpline-fingerprint"));
    b.goto(&h.url("/admin/configuration"));
    let config = b.text("main");
    assert!(config.contains("auth.jwt_secret") && config.contains("database.url"), "{config}");
    assert!(!b.source().contains("BEGIN PGP PRIVATE"), "no secret key material");

    // Every lead and admin page in the three languages: axe, no message key, a screenshot.
    let template = h.call(Method::GET, "/api/v1/reply-templates", None);
    let template_id = template[0]["id"].as_str().expect("a template").to_owned();
    let pages = [
        ("team-now", "/team".to_owned()),
        ("team-week", "/team/week".to_owned()),
        ("team-workload", "/team/workload".to_owned()),
        ("team-reassign", "/team/reassign".to_owned()),
        ("quarantine", "/quarantine?all=1".to_owned()),
        ("templates", "/templates".to_owned()),
        ("template", format!("/templates/{template_id}")),
        ("statistics", "/statistics".to_owned()),
        ("admin-users", "/admin".to_owned()),
        ("admin-taxonomies", "/admin/taxonomies".to_owned()),
        ("admin-key", "/admin/key".to_owned()),
        ("admin-configuration", "/admin/configuration".to_owned()),
    ];
    let ids = message_ids();
    for lang in ["en", "fr", "es"] {
        h.call(Method::PATCH, "/api/v1/me", Some(json!({"languages": lang})));
        for (name, path) in &pages {
            b.goto(&h.url(path));
            assert_eq!(b.attribute("html", "lang"), lang, "{path}");
            let text = b.text("body");
            let keys: Vec<&String> = ids.iter().filter(|id| id.contains('-') && text.contains(id.as_str())).collect();
            assert!(keys.is_empty(), "{lang} {path} shows message keys: {keys:?}");
            b.check_page(&format!("{lang}-all-{name}"));
        }
    }
}

on_both_backends!(an_administrators_console);
