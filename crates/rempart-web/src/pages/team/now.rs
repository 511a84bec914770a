//! Now: who holds intake, who stands by, who is available (never why someone is not), who
//! takes the next case, and the open escalations, each with whom it told and the lead on
//! it. htmx refreshes the page's live part every five seconds, and a banner on every page
//! of a lead's console counts the escalations nobody has taken on.

use super::TeamNav;
use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_app::team::{Availability, TeamNow};
use rempart_rota::ShiftKind;
use rempart_store::escalation_board::OpenEscalation;
use serde::Deserialize;

/// One escalation on the board.
#[derive(Debug)]
pub struct Alarm {
    pub id: String,
    pub kind: String,
    /// Imminent risk or an intake without its holder: shown first and marked.
    pub urgent: bool,
    pub reference: Option<String>,
    pub raised: String,
    pub raised_iso: String,
    /// Whom it told: channel, recipient, how it went.
    pub told: Vec<String>,
    /// "Ana is on it since 14:03".
    pub acknowledged: Option<String>,
}

/// Someone on call now.
#[derive(Debug)]
pub struct OnCallRow {
    pub name: String,
    pub kind: String,
    pub until: String,
    pub availability: String,
    /// `available`, `awaiting` or `unavailable` (a class for the mark).
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "team_now.html")]
struct NowPage {
    t: Tr,
    chrome: Chrome,
    nav: TeamNav,
    csrf: String,
    alarms: Vec<Alarm>,
    period: Option<String>,
    next_case: String,
    on_call: Vec<OnCallRow>,
}

#[derive(Template)]
#[template(path = "team_alerts.html")]
struct AlertsFragment {
    waiting: usize,
    message: String,
}

fn alarm(t: &Tr, staff: &Staff, e: OpenEscalation) -> Alarm {
    let kind = match e.escalation.kind.as_str() {
        // Not fit or missing read the same: never why someone is not there.
        "check_in_not_fit" | "check_in_missing" => t.get("escalation-intake-uncovered"),
        other => word(t, "escalation", other),
    };
    let told = e
        .notifications
        .iter()
        .map(|n| {
            let status = word(t, "notification", &n.status);
            format!("{} · {} · {status}", word(t, "channel-notify", &n.channel), n.recipient)
        })
        .collect();
    let acknowledged = e.escalation.acknowledged_at.map(|at| {
        let who = e.acknowledged_by_name.clone().unwrap_or_default();
        t.with_all("escalation-on-it", &[("name", &who), ("time", &staff.clock.at(&at))])
    });
    Alarm {
        id: e.escalation.id.clone(),
        urgent: matches!(e.escalation.kind.as_str(), "imminent_risk" | "check_in_not_fit" | "check_in_missing"),
        kind,
        reference: e.case_reference,
        raised: staff.clock.at(&e.escalation.raised_at),
        raised_iso: staff.clock.iso(&e.escalation.raised_at),
        told,
        acknowledged,
    }
}

fn on_call_rows(t: &Tr, staff: &Staff, team: &TeamNow) -> Vec<OnCallRow> {
    team.on_call
        .iter()
        .map(|o| {
            let (availability, state) = match o.availability {
                Some(Availability::Available) => (t.get("availability-available"), "available"),
                Some(Availability::AwaitingCheckIn) => (t.get("availability-awaiting"), "awaiting"),
                Some(Availability::NotAvailable) | None => (t.get("availability-not-available"), "unavailable"),
            };
            OnCallRow {
                name: o.name.clone(),
                kind: t.get(match o.kind {
                    ShiftKind::Intake => "shift-intake",
                    ShiftKind::Standby => "shift-standby",
                }),
                until: staff.clock.at(&o.ends_at),
                availability,
                state,
            }
        })
        .collect()
}

async fn load(staff: &Staff, state: &web::Data<AppState>) -> Result<(TeamNow, Vec<OpenEscalation>), ConsoleError> {
    let (actor, policy, at) = (staff.actor(), state.config.policy.clone(), rempart_store::now());
    state
        .db(move |conn| {
            let escalations = rempart_app::escalations::open(conn, &actor, at)?;
            let team = rempart_app::team::now(conn, &actor, at, &policy)?;
            Ok((team, escalations))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))
}

/// `GET /team`
pub async fn page(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    let (team, escalations) = load(&staff, &state).await?;
    let t = staff.tr();
    let mut alarms: Vec<Alarm> = escalations.into_iter().map(|e| alarm(&t, &staff, e)).collect();
    // Nobody on it first, the most urgent first among them; newest first otherwise.
    alarms.sort_by_key(|a| (a.acknowledged.is_some(), !a.urgent));
    let next_case = match &team.next_case_to {
        Some((_, name)) if team.via_standby => t.with("team-next-case-standby", "name", name),
        Some((_, name)) => t.with("team-next-case", "name", name),
        None => t.get("team-next-case-nobody"),
    };
    let page = NowPage {
        chrome: Chrome::for_staff(&staff, t.get("team-title"), "team"),
        nav: TeamNav::new(&t, "now"),
        csrf: staff.session.csrf_token.clone(),
        alarms,
        period: team.period.as_ref().map(|_| match &team.rotation_intake {
            Some((_, name)) => t.with("team-rotation-intake", "name", name),
            None => t.get("team-no-rotation"),
        }),
        next_case,
        on_call: on_call_rows(&t, &staff, &team),
        t,
    };
    Ok(page::ok(&page))
}

/// `GET /team/alerts`: the banner's content (escalations nobody has taken on yet).
pub async fn alerts(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    let (actor, at) = (staff.actor(), rempart_store::now());
    let open = state
        .db(move |conn| Ok(rempart_app::escalations::open(conn, &actor, at)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let waiting = open.iter().filter(|e| e.escalation.acknowledged_at.is_none()).count();
    let t = staff.tr();
    let fragment =
        AlertsFragment { message: t.count("alerts-waiting", i64::try_from(waiting).unwrap_or(i64::MAX)), waiting };
    Ok(page::ok(&fragment))
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /team/escalations/{id}/acknowledge`: "I am on it".
pub async fn acknowledge(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ConsoleError> {
    staff.check_csrf(&form.csrf)?;
    let (actor, id, at) = (staff.actor(), path.into_inner(), rempart_store::now());
    state
        .db(move |conn| Ok(rempart_app::escalations::acknowledge(conn, &actor, &id, at)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    Ok(page::see_other("/team"))
}
