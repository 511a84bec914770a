//! The helpline's OpenPGP key as administrators check it: its fingerprint (to read aloud
//! to a beneficiary), the public key to publish, its Web Key Directory entries, and the
//! extra recipients every backup is encrypted to.

use super::AdminNav;
use crate::ConsoleConfig;
use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;

#[derive(Template)]
#[template(path = "admin_key.html")]
struct KeyPage {
    t: Tr,
    chrome: Chrome,
    nav: AdminNav,
    /// Fingerprint in groups of four, the armored public key, the WKD paths.
    key: Option<(String, String, Vec<String>)>,
    /// Earlier keys kept to decrypt older mail, grouped likewise.
    previous: Vec<String>,
    recipients: Vec<String>,
}

/// `GET /admin/key`
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    config: web::Data<ConsoleConfig>,
) -> Result<HttpResponse, ConsoleError> {
    rempart_app::require(&staff.actor(), rempart_app::Capability::Administer)
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let grouped =
        |f: &str| f.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
    let key = state.config.helpline_key.as_ref().map(|k| {
        let wkd = k.wkd_hashes.iter().map(|h| format!("/.well-known/openpgpkey/hu/{h}")).collect();
        (grouped(&k.fingerprint), k.armored.clone(), wkd)
    });
    let previous =
        state.config.helpline_key.as_ref().map(|k| k.previous_fingerprints.iter().map(|f| grouped(f)).collect());
    let t = staff.tr();
    let page = KeyPage {
        chrome: Chrome::for_staff(&staff, t.get("admin-key"), "admin"),
        nav: AdminNav::new(&t, "key"),
        key,
        previous: previous.unwrap_or_default(),
        recipients: config.backup_recipients.clone(),
        t,
    };
    Ok(page::ok(&page))
}
