//! Reply templates, as leads and administrators keep them: every template by language,
//! retired ones too; create one in a language, change its name or text, retire it (a
//! retired template is no longer offered, and stays for the replies that used it).

use crate::error::ConsoleError;
use crate::form::{Draft, Fields, field};
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_core::LanguageTag;
use rempart_store::reply_templates::{ReplyTemplate, TemplateChanges};

/// One language's templates.
#[derive(Debug)]
pub struct Group {
    pub language: String,
    pub templates: Vec<ReplyTemplate>,
}

#[derive(Template)]
#[template(path = "templates.html")]
struct TemplatesPage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    groups: Vec<Group>,
    /// The template being changed, if any (else the page creates one).
    editing: Option<ReplyTemplate>,
    draft: Draft,
}

async fn render(
    staff: &Staff,
    state: &web::Data<AppState>,
    editing: Option<String>,
    draft: Option<Draft>,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let all = state
        .db(move |c| Ok(rempart_app::templates::list(c, &actor, None, true)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let editing = match editing {
        Some(id) => Some(all.iter().find(|t| t.id == id).cloned().ok_or_else(|| ConsoleError::not_found(staff.lang))?),
        None => None,
    };
    let draft = draft.unwrap_or_else(|| match &editing {
        Some(e) => Draft {
            values: [("name", e.name.clone()), ("body", e.body.clone()), ("language", e.language.clone())]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            error: None,
        },
        None => {
            Draft { values: [("language".to_owned(), staff.lang.tag().to_owned())].into_iter().collect(), error: None }
        }
    });
    let mut groups: Vec<Group> = Vec::new();
    for template in all {
        match groups.iter_mut().find(|g| g.language == template.language) {
            Some(g) => g.templates.push(template),
            None => groups.push(Group { language: template.language.clone(), templates: vec![template] }),
        }
    }
    groups.sort_by(|a, b| a.language.cmp(&b.language));
    let t = staff.tr();
    let page = TemplatesPage {
        chrome: Chrome::for_staff(staff, t.get("templates-title"), "templates"),
        csrf: staff.session.csrf_token.clone(),
        groups,
        editing,
        draft,
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /templates`
pub async fn page(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    render(&staff, &state, None, None, StatusCode::OK).await
}

/// `GET /templates/{id}`
pub async fn edit(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    render(&staff, &state, Some(path.into_inner()), None, StatusCode::OK).await
}

/// The layer's refusal beside its field.
fn refused(t: &Tr, e: &rempart_api::error::ApiError) -> (String, String) {
    let named = e.field_errors().first().map(|f| f.field.clone()).unwrap_or_default();
    let message = crate::pages::case::field_message(t, e);
    match named.as_str() {
        "name" | "body" | "language" => (named, message),
        _ if e.kind() == rempart_api::problem::ProblemType::Conflict => ("name".into(), t.get("templates-name-taken")),
        _ => ("form".into(), message),
    }
}

/// `POST /templates`: a new template.
pub async fn create(staff: Staff, state: web::Data<AppState>, form: Fields) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let back = |error: (String, String)| Some(Draft { values: form.clone(), error: Some(error) });
    let Ok(language) = LanguageTag::parse(field(&form, "language").trim()) else {
        let error = back(("language".into(), t.get("error-language")));
        return render(&staff, &state, None, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let (actor, name, body) = (staff.actor(), field(&form, "name").to_owned(), field(&form, "body").to_owned());
    match state.db(move |c| Ok(rempart_app::templates::create(c, &actor, &language, &name, &body)?)).await {
        Ok(made) => Ok(page::see_other(&format!("/templates#template-{}", made.id))),
        Err(e) if crate::form::refused_by_form(&e) => {
            render(&staff, &state, None, back(refused(&t, &e)), e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// `POST /templates/{id}`: its name, text, and whether it is offered.
pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (form, id) = (form.into_inner(), path.into_inner());
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let changes = TemplateChanges {
        name: Some(field(&form, "name").to_owned()),
        body: Some(field(&form, "body").to_owned()),
        active: Some(field(&form, "active") == "yes"),
    };
    let (actor, wanted) = (staff.actor(), id.clone());
    match state.db(move |c| Ok(rempart_app::templates::update(c, &actor, &wanted, changes)?)).await {
        Ok(_) => Ok(page::see_other(&format!("/templates#template-{id}"))),
        Err(e) if crate::form::refused_by_form(&e) => {
            let draft = Some(Draft { values: form.clone(), error: Some(refused(&t, &e)) });
            render(&staff, &state, Some(id), draft, e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}
