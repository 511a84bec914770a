//! The effective configuration, read only: every key, its value (secrets masked) and where
//! it came from, as `serve` loaded it.

use super::AdminNav;
use crate::ConfigEntry;
use crate::ConsoleConfig;
use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "admin_config.html")]
struct ConfigPage {
    t: Tr,
    chrome: Chrome,
    nav: AdminNav,
    /// Sections, each with its keys.
    sections: Vec<(String, Vec<ConfigEntry>)>,
}

/// `GET /admin/configuration`
pub async fn page(staff: Staff, config: web::Data<ConsoleConfig>) -> Result<HttpResponse, ConsoleError> {
    rempart_app::require(&staff.actor(), rempart_app::Capability::Administer)
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let mut sections: Vec<(String, Vec<ConfigEntry>)> = Vec::new();
    for entry in config.effective_config.iter() {
        let section = entry.key.rsplit_once('.').map_or("", |(s, _)| s).to_owned();
        match sections.iter_mut().find(|(s, _)| *s == section) {
            Some((_, list)) => list.push(entry.clone()),
            None => sections.push((section, vec![entry.clone()])),
        }
    }
    let t = staff.tr();
    let page = ConfigPage {
        chrome: Chrome::for_staff(&staff, t.get("admin-config"), "admin"),
        nav: AdminNav::new(&t, "config"),
        sections,
        t,
    };
    Ok(page::ok(&page))
}
