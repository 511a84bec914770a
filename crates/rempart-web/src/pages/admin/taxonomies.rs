//! The taxonomies (audience types, service types) with a label in every console language:
//! add an entry, relabel it in English, French and Spanish, retire it (never deleted: past
//! cases keep their meaning). A label left empty in French or Spanish shows the English one.

use super::AdminNav;
use crate::error::ConsoleError;
use crate::form::{Draft, Fields, field};
use crate::i18n::{Lang, Tr};
use crate::page::{self, Chrome};
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_core::TaxonomyCode;
use rempart_store::taxonomy::Taxonomy;

/// An entry with its labels in the console's languages (English first).
#[derive(Debug)]
pub struct Entry {
    pub code: String,
    pub labels: Vec<(&'static str, String)>,
    pub active: bool,
}

/// One taxonomy.
#[derive(Debug)]
pub struct Section {
    pub name: &'static str,
    pub title: String,
    pub entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "admin_taxonomies.html")]
struct TaxonomiesPage {
    t: Tr,
    chrome: Chrome,
    nav: AdminNav,
    csrf: String,
    sections: Vec<Section>,
    /// The form refused: its taxonomy (and code), its values and the error.
    draft: Draft,
    draft_for: String,
}

fn which(name: &str) -> Option<Taxonomy> {
    match name {
        "audience" => Some(Taxonomy::Audience),
        "service" => Some(Taxonomy::Service),
        _ => None,
    }
}

async fn render(
    staff: &Staff,
    state: &web::Data<AppState>,
    draft: (String, Draft),
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let loaded = state
        .db(move |c| {
            let mut out = Vec::new();
            for (name, taxonomy) in [("audience", Taxonomy::Audience), ("service", Taxonomy::Service)] {
                let entries = rempart_app::taxonomies::entries(c, taxonomy)?;
                let translations = rempart_app::taxonomies::translations(c, &actor, taxonomy)?;
                out.push((name, entries, translations));
            }
            Ok(out)
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let sections = loaded
        .into_iter()
        .map(|(name, entries, translations)| Section {
            name,
            title: t.get(&format!("admin-taxonomy-{name}")),
            entries: entries
                .into_iter()
                .map(|e| {
                    let mut labels = vec![("en", e.label.clone())];
                    for lang in Lang::ALL.iter().filter(|l| **l != Lang::En) {
                        let found = translations.iter().find(|(code, l, _)| *code == e.code && l == lang.tag());
                        labels.push((lang.tag(), found.map(|(_, _, label)| label.clone()).unwrap_or_default()));
                    }
                    Entry { code: e.code, labels, active: e.active }
                })
                .collect(),
        })
        .collect();
    let page = TaxonomiesPage {
        chrome: Chrome::for_staff(staff, t.get("admin-taxonomies"), "admin"),
        nav: AdminNav::new(&t, "taxonomies"),
        csrf: staff.session.csrf_token.clone(),
        sections,
        draft_for: draft.0,
        draft: draft.1,
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /admin/taxonomies`
pub async fn page(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    render(&staff, &state, Default::default(), StatusCode::OK).await
}

/// `POST /admin/taxonomies/{taxonomy}`: a new entry.
pub async fn add(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (form, name) = (form.into_inner(), path.into_inner());
    staff.check_csrf(field(&form, "csrf"))?;
    let taxonomy = which(&name).ok_or_else(|| ConsoleError::not_found(staff.lang))?;
    let t = staff.tr();
    let back = |f: &str, m: String| (name.clone(), Draft { values: form.clone(), error: Some((f.to_owned(), m)) });
    let Ok(code) = TaxonomyCode::parse(field(&form, "code").trim()) else {
        return render(&staff, &state, back("code", t.get("admin-code-format")), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    };
    let (actor, label) = (staff.actor(), field(&form, "label").to_owned());
    match state.db(move |c| Ok(rempart_app::taxonomies::add_entry(c, &actor, taxonomy, &code, &label)?)).await {
        Ok(_) => Ok(page::see_other(&format!("/admin/taxonomies#{name}"))),
        Err(e) if crate::form::refused_by_form(&e) => {
            let (f, m) = if e.kind() == rempart_api::problem::ProblemType::Conflict {
                ("code", t.get("admin-code-taken"))
            } else {
                ("label", crate::pages::case::field_message(&t, &e))
            };
            render(&staff, &state, back(f, m), e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// `POST /admin/taxonomies/{taxonomy}/{code}`: its labels and whether it is offered.
pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (form, (name, code)) = (form.into_inner(), path.into_inner());
    staff.check_csrf(field(&form, "csrf"))?;
    let taxonomy = which(&name).ok_or_else(|| ConsoleError::not_found(staff.lang))?;
    let t = staff.tr();
    let actor = staff.actor();
    let values = form.clone();
    let wanted = code.clone();
    let done = state
        .db(move |c| {
            let english = field(&values, "label-en");
            rempart_app::taxonomies::update_entry(
                c,
                &actor,
                taxonomy,
                &wanted,
                Some(english),
                Some(field(&values, "active") == "yes"),
            )?;
            for lang in Lang::ALL.iter().filter(|l| **l != Lang::En) {
                let label = field(&values, &format!("label-{}", lang.tag()));
                rempart_app::taxonomies::translate(c, &actor, taxonomy, &wanted, lang.tag(), label)?;
            }
            Ok(())
        })
        .await;
    match done {
        Ok(()) => Ok(page::see_other(&format!("/admin/taxonomies#{name}-{code}"))),
        Err(e) if crate::form::refused_by_form(&e) => {
            let message = crate::pages::case::field_message(&t, &e);
            let draft =
                (format!("{name}/{code}"), Draft { values: form.clone(), error: Some(("label-en".into(), message)) });
            render(&staff, &state, draft, e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}
