//! The console's words, from Fluent catalogs (`locales/<lang>/console.ftl`) built into the
//! binary. The language is the user's first console language, else the browser's
//! (`Accept-Language`), else English.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    Es,
}

const CATALOGS: &[(Lang, &str, &str)] = &[
    (Lang::En, "en", include_str!("../locales/en/console.ftl")),
    (Lang::Fr, "fr", include_str!("../locales/fr/console.ftl")),
    (Lang::Es, "es", include_str!("../locales/es/console.ftl")),
];

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Es];

    /// The BCP 47 tag (`<html lang>`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    fn from_primary(primary: &str) -> Option<Lang> {
        Self::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The first of `tags` (most preferred first) the console speaks.
    pub fn first_of<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Lang> {
        tags.into_iter().find_map(|t| Self::from_primary(t.split(['-', '_']).next().unwrap_or(t).trim()))
    }

    /// The browser's preference (`Accept-Language`, by quality), if the console speaks any.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut bits = part.split(';');
                let tag = bits.next()?.trim();
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0 && !tag.is_empty()).then_some((q, tag))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        Self::first_of(ranked.into_iter().map(|(_, t)| t))
    }

    pub fn tr(self) -> Tr {
        Tr { lang: self, bundle: bundle(self) }
    }
}

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: OnceLock<Vec<(Lang, FluentBundle<FluentResource>)>> = OnceLock::new();
    let all = BUNDLES.get_or_init(|| {
        CATALOGS
            .iter()
            .map(|(lang, tag, text)| {
                let id = tag.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // No Unicode isolation marks around arguments: the values are ours (numbers,
                // references, names) and the marks would show in copied text.
                bundle.set_use_isolating(false);
                let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(res, errors)| {
                    tracing::error!(?errors, lang = tag, "errors in the console's catalog");
                    res
                });
                if let Err(errors) = bundle.add_resource(resource) {
                    tracing::error!(?errors, lang = tag, "duplicate messages in the console's catalog");
                }
                (*lang, bundle)
            })
            .collect()
    });
    all.iter().find(|(l, _)| *l == lang).map(|(_, b)| b).unwrap_or(&all[0].1)
}

/// The catalog of one language, as templates use it: `t.get("queue-mine")`.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
    bundle: &'static FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tr").field("lang", &self.lang).finish()
    }
}

impl Tr {
    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, lang = self.lang.tag(), "missing console message");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "console message formatted with errors");
        }
        text.into_owned()
    }

    /// The message `id`.
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with its `$count` (plural forms follow the language's rules).
    pub fn count(&self, id: &str, count: i64) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count));
        self.format(id, Some(&args))
    }

    /// The message `id` with one named text argument.
    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        self.with_all(id, &[(name, value)])
    }

    /// Whether the catalog has `id` (tests).
    /// A message with several named values.
    pub fn with_all(&self, id: &str, values: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set((*name).to_owned(), FluentValue::from((*value).to_owned()));
        }
        self.format(id, Some(&args))
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let mut ids: Vec<String> = text
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn every_catalog_has_the_same_messages() {
        let (_, _, english) = CATALOGS[0];
        for (lang, _, text) in CATALOGS {
            assert_eq!(ids(text), ids(english), "{lang:?} and English differ");
            let resource = FluentResource::try_new((*text).to_owned());
            assert!(resource.is_ok(), "{lang:?}: {:?}", resource.err().map(|(_, e)| e));
        }
    }

    #[test]
    fn every_message_a_template_asks_for_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        for folder in ["templates", "src", "src/pages"] {
            for entry in std::fs::read_dir(dir.join(folder)).expect("folder") {
                let path = entry.expect("entry").path();
                if path.is_file() {
                    sources.push(std::fs::read_to_string(&path).expect("read"));
                }
            }
        }
        let english = Lang::En.tr();
        let mut missing = Vec::new();
        for source in &sources {
            for call in ["t.get(\"", "t.count(\"", "t.with(\"", "tr.get(\"", "tr.count(\"", "tr.with(\""] {
                for piece in source.split(call).skip(1) {
                    let id = piece.split('"').next().unwrap_or_default();
                    if !english.has(id) {
                        missing.push(id.to_owned());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "messages used but missing from the catalogs: {missing:?}");
    }

    #[test]
    fn the_browser_language_is_read_by_quality() {
        assert_eq!(Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("de;q=1, en;q=0.5, fr;q=0.7"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("de, it"), None);
        assert_eq!(Lang::from_accept_language("fr;q=0, en"), Some(Lang::En));
        assert_eq!(Lang::first_of(["pt-BR", "fr"]), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("es-MX,es;q=0.9,en;q=0.5"), Some(Lang::Es));
    }

    #[test]
    fn plurals_follow_the_language() {
        assert_eq!(Lang::En.tr().count("queue-count", 1), "1 case");
        assert_eq!(Lang::En.tr().count("queue-count", 3), "3 cases");
        assert_eq!(Lang::Fr.tr().count("queue-count", 0), "0 dossier");
        assert_eq!(Lang::Fr.tr().count("queue-count", 2), "2 dossiers");
        assert_eq!(Lang::Es.tr().count("queue-count", 1), "1 caso");
        assert_eq!(Lang::Es.tr().count("queue-count", 4), "4 casos");
    }
}
