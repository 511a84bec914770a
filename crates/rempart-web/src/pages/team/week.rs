//! The week: a grid of each person's shifts by day, in the lead's time zone; forms to plan,
//! shorten or cancel a shift (within `rota.max_shift_hours`) and to set the weekly intake
//! rotation; the team's check-in completion for the week (never per person).

use super::TeamNav;
use crate::error::ConsoleError;
use crate::form::{Draft, Fields, field};
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use crate::time::monday_of;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rempart_api::AppState;
use rempart_rota::{Period, ShiftKind};
use rempart_store::rota::ShiftRow;
use serde::Deserialize;
use std::collections::HashMap;

/// A shift as the grid shows it.
#[derive(Debug)]
pub struct Cell {
    pub id: String,
    pub label: String,
    pub intake: bool,
}

#[derive(Debug)]
pub struct Row {
    pub name: String,
    /// Seven days, each with the shifts starting that day.
    pub days: Vec<Vec<Cell>>,
}

#[derive(Template)]
#[template(path = "team_week.html")]
struct WeekPage {
    t: Tr,
    chrome: Chrome,
    nav: TeamNav,
    csrf: String,
    /// `2026-12-07`: the Monday shown.
    week: String,
    previous: String,
    next: String,
    /// The seven days' headings.
    days: Vec<String>,
    rows: Vec<Row>,
    people: Vec<(String, String)>,
    completion: Option<String>,
    /// The rotations set (in force, planned), as read, and who holds intake the week shown.
    rotations: Vec<String>,
    holder: Option<String>,
    /// Each person's place in the rotation (empty when out of it).
    places: Vec<(String, String, String)>,
    rotation_period: String,
    rotation_anchor: String,
    /// The planning form, or the rotation form ("rotation-").
    draft: Draft,
    zone: &'static str,
}

#[derive(Debug, Deserialize)]
pub struct WeekQuery {
    /// Any day of the week to show (default: today).
    pub week: Option<String>,
}

pub(crate) fn parse_day(value: &str) -> Option<NaiveDate> {
    crate::form::day(value)
}

fn parse_time(value: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M").ok()
}

async fn render(
    staff: &Staff,
    state: &web::Data<AppState>,
    monday: NaiveDate,
    draft: Draft,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let clock = staff.clock;
    let start = clock.utc_of(monday.and_time(NaiveTime::MIN)).unwrap_or(monday.and_time(NaiveTime::MIN));
    let end = clock.utc_of((monday + Duration::days(7)).and_time(NaiveTime::MIN)).unwrap_or(start + Duration::days(7));
    let (actor, policy, now) = (staff.actor(), state.config.policy.clone(), rempart_store::now());
    let this_monday = monday_of(clock.today());
    let weeks_back = (this_monday - monday).num_weeks();
    let (people, shifts, rotation, workload) = state
        .db(move |conn| {
            let people = rempart_app::team::members(conn, &actor)?;
            let shifts = rempart_app::team::shifts(conn, start, end)?;
            let rotation = rempart_app::team::rotations(conn, &actor)?;
            // The team's check-in completion of this week or a past one (never per person).
            let workload = match u32::try_from(weeks_back + 1) {
                Ok(weeks @ 1..=104) => Some(rempart_app::team::workload(conn, &actor, now, weeks, &policy)?),
                _ => None,
            };
            Ok((people, shifts, rotation, workload))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let completion = workload
        .and_then(|w| w.weekly.first().and_then(|week| week.check_in_completion))
        .map(|ratio| t.with("week-check-in-completion", "percent", &format!("{:.0}", ratio * 100.0)));
    let rows = grid(&t, staff, &people, &shifts, monday);
    let names: HashMap<&str, &str> = people.iter().map(|(id, n)| (id.as_str(), n.as_str())).collect();
    // The rotation of the week shown (the latest anchored on or before its Monday), and
    // what each rotation set says.
    let shown = rotation.iter().rposition(|r| r.anchor <= monday).or((!rotation.is_empty()).then_some(0));
    let rotation_text: Vec<String> = rotation
        .iter()
        .map(|r| {
            let order: Vec<&str> = r.order.iter().map(|id| names.get(id.as_str()).copied().unwrap_or(id)).collect();
            t.with_all("week-rotation-from", &[("date", &r.anchor.to_string()), ("order", &order.join(" → "))])
        })
        .collect();
    let this_week = shown.map(|i| &rotation[i]).map(|r| {
        let at = clock.utc_of(monday.and_time(NaiveTime::MIN)).unwrap_or(now);
        let holder = r.order_at(at).first().and_then(|id| names.get(*id).copied()).unwrap_or_default().to_owned();
        t.with("week-rotation-holder", "name", &holder)
    });
    let (places, period, anchor) = match shown.map(|i| &rotation[i]) {
        Some(r) => {
            let place =
                |id: &str| r.order.iter().position(|m| m == id).map(|p| (p + 1).to_string()).unwrap_or_default();
            let places = people.iter().map(|(id, n)| (id.clone(), n.clone(), place(id))).collect();
            let period = if r.period == Period::Daily { "daily" } else { "weekly" };
            (places, period.to_owned(), monday.max(r.anchor).to_string())
        }
        None => (
            people.iter().map(|(id, n)| (id.clone(), n.clone(), String::new())).collect(),
            "weekly".to_owned(),
            monday.to_string(),
        ),
    };
    // A fresh form proposes the week's Monday, a day shift.
    let mut draft = draft;
    if draft.values.is_empty() {
        for (k, v) in [("day", monday.to_string()), ("from", "09:00".into()), ("to", "17:00".into())] {
            draft.values.insert(k.to_owned(), v);
        }
    }
    let page = WeekPage {
        chrome: Chrome::for_staff(staff, t.get("week-title"), "team"),
        nav: TeamNav::new(&t, "week"),
        csrf: staff.session.csrf_token.clone(),
        week: monday.to_string(),
        previous: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        days: (0..7).map(|d| (monday + Duration::days(d)).format("%a %d/%m").to_string()).collect(),
        rows,
        people,
        completion,
        rotations: rotation_text,
        holder: this_week,
        places,
        rotation_period: period,
        rotation_anchor: anchor,
        draft,
        zone: clock.zone(),
        t,
    };
    Ok(page::html(status, page.render()))
}

/// Each person's shifts by the local day they start on.
fn grid(t: &Tr, staff: &Staff, people: &[(String, String)], shifts: &[ShiftRow], monday: NaiveDate) -> Vec<Row> {
    people
        .iter()
        .map(|(id, name)| {
            let mut days: Vec<Vec<Cell>> = (0..7).map(|_| Vec::new()).collect();
            for s in shifts.iter().filter(|s| &s.user_id == id) {
                let (from, to) = (staff.clock.local(&s.starts_at), staff.clock.local(&s.ends_at));
                let day = (from.date() - monday).num_days();
                let Some(cell) = usize::try_from(day).ok().and_then(|d| days.get_mut(d)) else { continue };
                let intake = s.kind == "intake";
                let kind = t.get(if intake { "shift-intake" } else { "shift-standby" });
                cell.push(Cell {
                    id: s.id.clone(),
                    label: format!("{kind} {}–{}", from.format("%H:%M"), to.format("%H:%M")),
                    intake,
                });
            }
            Row { name: name.clone(), days }
        })
        .collect()
}

/// `GET /team/week`
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<WeekQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let day = query.week.as_deref().and_then(parse_day).unwrap_or_else(|| staff.clock.today());
    render(&staff, &state, monday_of(day), Draft::default(), StatusCode::OK).await
}

/// The start and end (UTC) of a shift from its form: a day, a start and an end time in
/// the lead's zone; an end at or before the start is on the next day.
pub(crate) fn shift_times(
    t: &Tr,
    staff: &Staff,
    form: &HashMap<String, String>,
) -> Result<(NaiveDateTime, NaiveDateTime), (String, String)> {
    let bad = |f: &str, id: &str| (f.to_owned(), t.get(id));
    let day = parse_day(field(form, "day")).ok_or_else(|| bad("day", "error-date"))?;
    let from = parse_time(field(form, "from")).ok_or_else(|| bad("from", "error-time"))?;
    let to = parse_time(field(form, "to")).ok_or_else(|| bad("to", "error-time"))?;
    let end_day = if to <= from { day + Duration::days(1) } else { day };
    let start = staff.clock.utc_of(day.and_time(from)).ok_or_else(|| bad("from", "error-time-skipped"))?;
    let end = staff.clock.utc_of(end_day.and_time(to)).ok_or_else(|| bad("to", "error-time-skipped"))?;
    Ok((start, end))
}

pub(crate) fn kind_of(value: &str) -> Option<ShiftKind> {
    match value {
        "intake" => Some(ShiftKind::Intake),
        "standby" => Some(ShiftKind::Standby),
        _ => None,
    }
}

/// What the layer refused, beside the field it names, in the user's language.
pub(crate) fn refusal(t: &Tr, max_hours: i64, e: &rempart_api::error::ApiError) -> (String, String) {
    let named = e.field_errors().first().map(|f| f.field.clone()).unwrap_or_default();
    match named.as_str() {
        "ends_at" => ("to".to_owned(), t.with("error-shift-length", "hours", &max_hours.to_string())),
        "user_id" => ("person".to_owned(), t.get("error-choice")),
        _ => ("form".to_owned(), crate::pages::case::field_message(t, e)),
    }
}

/// `POST /team/shifts`: plans a shift.
pub async fn plan(staff: Staff, state: web::Data<AppState>, form: Fields) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let monday = parse_day(field(&form, "day")).map_or_else(|| monday_of(staff.clock.today()), monday_of);
    let back = |error: (String, String)| Draft { values: form.clone(), error: Some(error) };
    let Some(kind) = kind_of(field(&form, "kind")) else {
        return render(
            &staff,
            &state,
            monday,
            back(("kind".into(), t.get("error-choice"))),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (start, end) = match shift_times(&t, &staff, &form) {
        Ok(times) => times,
        Err(error) => return render(&staff, &state, monday, back(error), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let (actor, policy, person) = (staff.actor(), state.config.policy.clone(), field(&form, "person").to_owned());
    let max_hours = policy.max_shift.num_hours();
    match state.db(move |c| Ok(rempart_app::team::plan_shift(c, &actor, &person, kind, start, end, &policy)?)).await {
        Ok(_) => Ok(page::see_other(&format!("/team/week?week={monday}"))),
        Err(e) if crate::form::refused_by_form(&e) => {
            let error = refusal(&t, max_hours, &e);
            render(&staff, &state, monday, back(error), e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// `POST /team/rotation`: the intake rotation, from each person's place (blank: out of it).
pub async fn rotation(staff: Staff, state: web::Data<AppState>, form: Fields) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let monday = parse_day(field(&form, "week")).map_or_else(|| monday_of(staff.clock.today()), monday_of);
    let back = |f: &str, id: &str| Draft { values: form.clone(), error: Some((f.to_owned(), t.get(id))) };
    let period = match field(&form, "period") {
        "weekly" => Period::Weekly,
        "daily" => Period::Daily,
        _ => {
            return render(&staff, &state, monday, back("period", "error-choice"), StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let Some(anchor) = parse_day(field(&form, "anchor")) else {
        return render(&staff, &state, monday, back("anchor", "error-date"), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let mut placed: Vec<(u32, String)> = Vec::new();
    for (name, value) in &form {
        let (Some(id), false) = (name.strip_prefix("place-"), value.trim().is_empty()) else { continue };
        match value.trim().parse::<u32>() {
            Ok(n @ 1..=999) => placed.push((n, id.to_owned())),
            _ => {
                return render(&staff, &state, monday, back(name, "error-place"), StatusCode::UNPROCESSABLE_ENTITY)
                    .await;
            }
        }
    }
    if placed.is_empty() {
        return render(
            &staff,
            &state,
            monday,
            back("rotation", "error-rotation-empty"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    placed.sort();
    let members: Vec<String> = placed.into_iter().map(|(_, id)| id).collect();
    let actor = staff.actor();
    match state.db(move |c| Ok(rempart_app::team::set_rotation(c, &actor, &members, period, anchor)?)).await {
        Ok(()) => Ok(page::see_other(&format!("/team/week?week={monday}#rotation"))),
        Err(e)
            if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY || e.kind().status() == StatusCode::CONFLICT =>
        {
            let message = crate::pages::case::field_message(&t, &e);
            let draft = Draft { values: form.clone(), error: Some(("rotation".into(), message)) };
            render(&staff, &state, monday, draft, e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}
