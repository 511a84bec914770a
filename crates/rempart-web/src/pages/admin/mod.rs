//! Administration: the accounts ([`users`]), the taxonomies with their labels in every
//! console language ([`taxonomies`]), the helpline's OpenPGP key ([`key`]) and the effective
//! configuration, read only ([`config`]). Administrators only (the layer's Administer
//! capability); everyone else is refused.

pub mod config;
pub mod key;
pub mod taxonomies;
pub mod users;

use crate::i18n::Tr;

/// The administration's own navigation.
#[derive(Debug, Clone)]
pub struct AdminNav {
    pub items: Vec<(&'static str, String, &'static str)>,
}

impl AdminNav {
    pub fn new(t: &Tr, current: &str) -> Self {
        let items = [
            ("/admin", "admin-users", "users"),
            ("/admin/taxonomies", "admin-taxonomies", "taxonomies"),
            ("/admin/key", "admin-key", "key"),
            ("/admin/configuration", "admin-config", "config"),
        ]
        .into_iter()
        .map(|(href, id, key)| (href, t.get(id), if key == current { "page" } else { "false" }))
        .collect();
        Self { items }
    }
}
