//! Reply templates: every member of staff reads them (to answer in the beneficiary's
//! language); leads and administrators write them.

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::AppResult;
use rempart_core::LanguageTag;
use rempart_store::DbConn;
use rempart_store::reply_templates::{ReplyTemplate, TemplateChanges};

/// The templates (of `language`, if given); retired ones only for those who manage them.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    language: Option<&LanguageTag>,
    retired: bool,
) -> AppResult<Vec<ReplyTemplate>> {
    if retired {
        require(actor, Capability::Supervise)?;
    }
    Ok(ReplyTemplate::list(conn, language, retired)?)
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    language: &LanguageTag,
    name: &str,
    body: &str,
) -> AppResult<ReplyTemplate> {
    require(actor, Capability::Supervise)?;
    Ok(ReplyTemplate::create(conn, language, name, body, actor.id())?)
}

pub fn update(conn: &mut DbConn, actor: &Actor, id: &str, changes: TemplateChanges) -> AppResult<ReplyTemplate> {
    require(actor, Capability::Supervise)?;
    Ok(ReplyTemplate::update(conn, id, changes, actor.id())?)
}

/// The text of a template for one reply: its placeholders filled.
pub fn fill(body: &str, beneficiary: &str, reference: &str, handler: &str) -> String {
    body.replace("{beneficiary}", beneficiary).replace("{reference}", reference).replace("{handler}", handler)
}

/// The templates to offer for a reply to someone who reads `languages` (most preferred
/// first): those of the first language that has any, else those of `fallback`.
pub fn offered(conn: &mut DbConn, languages: &[&LanguageTag], fallback: &LanguageTag) -> AppResult<Vec<ReplyTemplate>> {
    let all = ReplyTemplate::list(conn, None, false)?;
    let of = |tag: &LanguageTag| -> Vec<ReplyTemplate> {
        all.iter().filter(|t| t.language.split('-').next() == Some(tag.primary())).cloned().collect()
    };
    Ok(languages.iter().map(|l| of(l)).find(|found| !found.is_empty()).unwrap_or_else(|| of(fallback)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled() {
        let text = fill("Bonjour {beneficiary}, dossier {reference}. {handler}", "Ana", "RMP-2026-000001", "Hana");
        assert_eq!(text, "Bonjour Ana, dossier RMP-2026-000001. Hana");
        assert_eq!(fill("no placeholder", "a", "b", "c"), "no placeholder");
    }
}
