//! Accounts: every member of staff with their role, languages, time zone, capacity,
//! clearance, second factor and whether the account is active; create one (its one-time
//! password shown once), change one, disable one, reset a lost authenticator (audited;
//! the person enrols a new one at the next sign-in).

use super::AdminNav;
use crate::error::ConsoleError;
use crate::form::{Draft, Fields, field};
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_api::routes::users::NewUserRequest;
use rempart_app::accounts::AccountChanges;
use rempart_core::{Languages, Role, TimeZoneName};
use rempart_store::users::User;

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    t: Tr,
    chrome: Chrome,
    nav: AdminNav,
    csrf: String,
    users: Vec<User>,
    roles: Vec<(&'static str, String)>,
    draft: Draft,
    /// Just created: their name and one-time password, shown once.
    created: Option<(String, String)>,
}

impl UsersPage {
    fn role(&self, role: &Role) -> String {
        word(&self.t, "role-staff", role.as_str())
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    t: Tr,
    chrome: Chrome,
    nav: AdminNav,
    csrf: String,
    user: User,
    roles: Vec<(&'static str, String)>,
    zones: Vec<&'static str>,
    draft: Draft,
    /// What was just done ("saved", "reset").
    done: Option<String>,
}

fn roles(t: &Tr) -> Vec<(&'static str, String)> {
    Role::all().map(|r| (r.as_str(), word(t, "role-staff", r.as_str()))).collect()
}

async fn render_list(
    staff: &Staff,
    state: &web::Data<AppState>,
    draft: Draft,
    created: Option<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let users = state
        .db(move |c| Ok(rempart_app::accounts::list_users(c, &actor)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let page = UsersPage {
        chrome: Chrome::for_staff(staff, t.get("admin-users"), "admin"),
        nav: AdminNav::new(&t, "users"),
        csrf: staff.session.csrf_token.clone(),
        users,
        roles: roles(&t),
        draft,
        created,
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /admin`
pub async fn list(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    render_list(&staff, &state, Draft::default(), None, StatusCode::OK).await
}

/// `POST /admin/users`: a new account.
pub async fn create(staff: Staff, state: web::Data<AppState>, form: Fields) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let back = |f: &str, message: String| Draft { values: form.clone(), error: Some((f.to_owned(), message)) };
    let Ok(role) = Role::parse(field(&form, "role")) else {
        return render_list(
            &staff,
            &state,
            back("role", t.get("error-choice")),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let request = NewUserRequest {
        email: field(&form, "email").trim().to_owned(),
        display_name: field(&form, "name").to_owned(),
        role,
        languages: field(&form, "languages").to_owned(),
    };
    match rempart_api::routes::users::create_account(&state, &staff.actor(), request).await {
        Ok(created) => {
            let shown = Some((created.user.display_name, created.one_time_password));
            render_list(&staff, &state, Draft::default(), shown, StatusCode::CREATED).await
        }
        Err(e) if crate::form::refused_by_form(&e) => {
            let (field_name, message) = match e.field_errors().first().map(|f| f.field.as_str()) {
                Some("email") => ("email", t.get("error-email")),
                Some("languages") => ("languages", t.get("error-language")),
                Some("display_name") => ("name", crate::pages::case::field_message(&t, &e)),
                _ if e.kind() == rempart_api::problem::ProblemType::Conflict => ("email", t.get("admin-email-taken")),
                _ => ("form", crate::pages::case::field_message(&t, &e)),
            };
            render_list(&staff, &state, back(field_name, message), None, e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

async fn render_user(
    staff: &Staff,
    state: &web::Data<AppState>,
    id: String,
    draft: Option<Draft>,
    done: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let user = state
        .db(move |c| {
            let all = rempart_app::accounts::list_users(c, &actor)?;
            Ok(all.into_iter().find(|u| u.id == id))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?
        .ok_or_else(|| ConsoleError::not_found(staff.lang))?;
    let draft = draft.unwrap_or_else(|| {
        Draft::of([
            ("name", user.display_name.clone()),
            ("role", user.role.as_str().to_owned()),
            ("languages", user.languages.to_string()),
            ("time_zone", user.time_zone.as_str().to_owned()),
            ("capacity", user.capacity.to_string()),
        ])
    });
    let t = staff.tr();
    let page = UserPage {
        chrome: Chrome::for_staff(staff, user.display_name.clone(), "admin"),
        nav: AdminNav::new(&t, "users"),
        csrf: staff.session.csrf_token.clone(),
        roles: roles(&t),
        zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
        user,
        draft,
        done,
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /admin/users/{id}`
pub async fn edit(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    render_user(&staff, &state, path.into_inner(), None, None, StatusCode::OK).await
}

/// `POST /admin/users/{id}`: the account's settings.
pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (form, id) = (form.into_inner(), path.into_inner());
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let back = |f: &str, message: String| Some(Draft { values: form.clone(), error: Some((f.to_owned(), message)) });
    let refuse = |f: &str, id_: &str| back(f, t.get(id_));
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(role) = Role::parse(field(&form, "role")) else {
        return render_user(&staff, &state, id, refuse("role", "error-choice"), None, invalid).await;
    };
    let Ok(languages) = Languages::parse(field(&form, "languages")) else {
        return render_user(&staff, &state, id, refuse("languages", "error-language"), None, invalid).await;
    };
    let Ok(time_zone) = TimeZoneName::parse(field(&form, "time_zone")) else {
        return render_user(&staff, &state, id, refuse("time_zone", "error-choice"), None, invalid).await;
    };
    let Ok(capacity) = field(&form, "capacity").trim().parse::<i32>() else {
        return render_user(&staff, &state, id, refuse("capacity", "admin-capacity-range"), None, invalid).await;
    };
    let changes = AccountChanges {
        display_name: Some(field(&form, "name").to_owned()),
        role: Some(role),
        languages: Some(languages),
        active: Some(field(&form, "active") == "yes"),
        capacity: Some(capacity),
        cleared_for_restricted: Some(field(&form, "cleared") == "yes"),
        time_zone: Some(time_zone),
    };
    let (actor, wanted) = (staff.actor(), id.clone());
    match state.db(move |c| Ok(rempart_app::accounts::update_user(c, &actor, &wanted, changes)?)).await {
        Ok(_) => render_user(&staff, &state, id, None, Some(t.get("admin-saved")), StatusCode::OK).await,
        Err(e) if crate::form::refused_by_form(&e) => {
            let named = e.field_errors().first().map(|f| f.field.clone());
            let (f, message) = match named.as_deref() {
                Some("capacity") => ("capacity", t.get("admin-capacity-range")),
                Some("display_name") => ("name", crate::pages::case::field_message(&t, &e)),
                _ if e.kind() == rempart_api::problem::ProblemType::Conflict => ("active", t.get("admin-not-yourself")),
                _ => ("form", crate::pages::case::field_message(&t, &e)),
            };
            render_user(&staff, &state, id, back(f, message), None, e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// `POST /admin/users/{id}/totp-reset`
pub async fn reset_totp(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (form, id) = (form.into_inner(), path.into_inner());
    staff.check_csrf(field(&form, "csrf"))?;
    let (actor, wanted) = (staff.actor(), id.clone());
    state
        .db(move |c| Ok(rempart_app::accounts::reset_totp(c, &actor, &wanted)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    render_user(&staff, &state, id, None, Some(staff.tr().get("admin-totp-was-reset")), StatusCode::OK).await
}
