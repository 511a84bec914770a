//! The console's static files, embedded in the binary and served under names that carry
//! their content's digest (`console.3f2a9c1b.css`), so browsers may keep them for a year.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    stem: &'static str,
    ext: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        stem: "console",
        ext: "css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/console.css"),
    },
    Asset {
        stem: "htmx",
        ext: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/htmx.min.js"),
    },
];

/// Each asset's served name, by stem.
fn names() -> &'static Vec<(&'static str, String)> {
    static NAMES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = hex::encode(&Sha256::digest(a.bytes)[..6]);
                (a.stem, format!("{}.{digest}.{}", a.stem, a.ext))
            })
            .collect()
    })
}

/// The URL of the asset `stem` (`/assets/console.<digest>.css`).
pub fn url(stem: &str) -> String {
    let name = names().iter().find(|(s, _)| *s == stem).map_or(stem, |(_, n)| n.as_str());
    format!("/assets/{name}")
}

/// `GET /assets/{name}`: only a current name is served (an old digest is not found).
pub async fn serve(name: web::Path<String>) -> HttpResponse {
    let found = names().iter().position(|(_, n)| *n == *name).map(|i| &ASSETS[i]);
    match found {
        Some(asset) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, asset.content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.bytes),
        None => HttpResponse::NotFound().insert_header((header::CACHE_CONTROL, "no-store")).finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_digest_of_the_content() {
        let css = url("console");
        assert!(css.starts_with("/assets/console.") && css.ends_with(".css"), "{css}");
        assert_eq!(css.len(), "/assets/console..css".len() + 12);
        assert_ne!(url("htmx"), url("console"));
    }

    #[test]
    fn vendored_htmx_is_the_published_file() {
        let digest = hex::encode(Sha256::digest(include_bytes!("../assets/htmx.min.js")));
        let record = include_str!("../assets/VENDORED.md");
        assert!(record.contains(&digest), "assets/htmx.min.js changed without VENDORED.md (sha256 {digest})");
    }
}
