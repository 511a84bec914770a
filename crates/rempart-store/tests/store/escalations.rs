//! Escalation timers with a controllable clock, on SQLite and PostgreSQL.

use crate::common::{beneficiary, case, user};
use chrono::Duration;
use rempart_core::{Channel, Direction, Role, Urgency};
use rempart_rota::Policy;
use rempart_rota::ShiftKind;
use rempart_store::cases::{Case, CaseChanges};
use rempart_store::escalations::{Escalation, Notification};
use rempart_store::messages::{Message, NewMessage};
use rempart_store::rota;
use rempart_test_db::{TestDb, on_both_backends};

fn kinds(list: &[Escalation]) -> Vec<&str> {
    list.iter().map(|e| e.kind.as_str()).collect()
}

fn timers_fire_once_at_their_time(db: TestDb) {
    let mut conn = db.conn();
    let policy = Policy::default();
    user(&mut conn, "lead1@helpline.example", Role::Lead);
    user(&mut conn, "lead2@helpline.example", Role::Lead);
    user(&mut conn, "admin@helpline.example", Role::Admin);
    let handler = user(&mut conn, "handler@helpline.example", Role::Handler);
    let b = beneficiary(&mut conn, "ana@example.org");
    let held = |conn: &mut _, summary: &str| {
        let c = case(conn, &b.id, summary);
        Case::assign(conn, &c.id, Some(&handler.id), "test", None).expect("assign")
    };
    let waiting = held(&mut conn, "Compte piraté");
    let t0 = waiting.created_at;

    // The clock is an argument: nothing before 60 minutes.
    let raise = |conn: &mut _, minutes| {
        Escalation::raise_due(conn, t0 + Duration::minutes(minutes), &policy, Some("https://hooks.example/rempart"))
    };
    assert!(raise(&mut conn, 59).expect("tick").is_empty());
    let at_60 = raise(&mut conn, 60).expect("tick");
    assert_eq!(kinds(&at_60), ["first_response_leads"]);
    let notified = Notification::for_escalation(&mut conn, &at_60[0].id).expect("notifications");
    let mut recipients: Vec<(&str, &str)> =
        notified.iter().map(|n| (n.channel.as_str(), n.recipient.as_str())).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            ("email", "lead1@helpline.example"),
            ("email", "lead2@helpline.example"),
            ("webhook", "https://hooks.example/rempart")
        ],
        "every active lead, and the webhook"
    );
    assert!(notified.iter().all(|n| n.status == "queued"));
    // A restart, or a second process, ticking again: nothing twice.
    assert!(raise(&mut conn, 61).expect("tick").is_empty());
    assert_eq!(kinds(&raise(&mut conn, 90).expect("tick")), ["first_response_admins"]);
    let admins = Escalation::for_case(&mut conn, &waiting.id).expect("list");
    assert_eq!(kinds(&admins), ["first_response_leads", "first_response_admins"]);
    let to_admin = Notification::for_escalation(&mut conn, &admins[1].id).expect("notifications");
    assert!(to_admin.iter().any(|n| n.recipient == "admin@helpline.example"));
    assert!(!to_admin.iter().any(|n| n.recipient.starts_with("lead")), "admins level goes to admins");

    // Answered in time: no first-response escalation. Critical: at once.
    let answered = held(&mut conn, "Répondu");
    Message::add(
        &mut conn,
        NewMessage::with_beneficiary(&answered.id, Direction::Outbound, Channel::PhoneNote, "Rappelée."),
        None,
    )
    .expect("first response");
    let critical = held(&mut conn, "Menace de mort");
    Case::update(
        &mut conn,
        &critical.id,
        CaseChanges { urgency: Some(Urgency::Critical), ..Default::default() },
        Some(critical.version),
        None,
    )
    .expect("critical");
    let now = critical.created_at;
    let raised = Escalation::raise_due(&mut conn, now, &policy, None).expect("tick");
    assert_eq!(
        raised.iter().map(|e| (e.case_id.as_deref().unwrap_or_default(), e.kind.as_str())).collect::<Vec<_>>(),
        [(critical.id.as_str(), "imminent_risk")]
    );
    let later =
        Escalation::raise_due(&mut conn, answered.created_at + Duration::hours(3), &policy, None).expect("tick");
    assert!(
        later.iter().all(|e| e.case_id.as_deref() != Some(answered.id.as_str())),
        "a case answered in time never escalates"
    );
}

/// Intake shifts checked in not fit, or not at all past the grace period, tell the leads,
/// once, without naming anyone; a fit check-in and standby shifts do not.
fn check_in_escalations_reach_the_leads(db: TestDb) {
    let mut conn = db.conn();
    let policy = Policy::default();
    user(&mut conn, "lead@helpline.example", Role::Lead);
    let ana = user(&mut conn, "ana@helpline.example", Role::Handler);
    let bo = user(&mut conn, "bo@helpline.example", Role::Handler);
    let cy = user(&mut conn, "cy@helpline.example", Role::Handler);
    let now = chrono::Utc::now().naive_utc();
    let start = now - Duration::minutes(20);
    let plan = |conn: &mut _, who: &str, kind| {
        rota::add_shift(conn, who, kind, start, start + Duration::hours(4), &policy, None).expect("shift")
    };
    let ana_shift = plan(&mut conn, &ana.id, ShiftKind::Intake);
    let bo_shift = plan(&mut conn, &bo.id, ShiftKind::Intake);
    plan(&mut conn, &cy.id, ShiftKind::Standby);
    rota::check_in(&mut conn, &ana.id, false, Some("nuit blanche"), now - Duration::minutes(19)).expect("not fit");

    // Within the grace period only the "not fit" is known.
    let early = Escalation::raise_due(&mut conn, start + Duration::minutes(10), &policy, None).expect("tick");
    assert_eq!(kinds(&early), ["check_in_not_fit"]);
    assert_eq!(early[0].shift_id.as_deref(), Some(ana_shift.id.as_str()));
    assert!(!early[0].reason.contains("ana") && !early[0].reason.contains("nuit"), "{}", early[0].reason);
    let later = Escalation::raise_due(&mut conn, now, &policy, None).expect("tick");
    assert_eq!(kinds(&later), ["check_in_missing"], "bo never checked in; cy stands by");
    assert_eq!(later[0].shift_id.as_deref(), Some(bo_shift.id.as_str()));
    // The reason names the shift by its time, so a lead knows which one without a lookup.
    let when = format!(
        "the intake shift of {} to {} UTC",
        start.format("%Y-%m-%d %H:%M"),
        (start + Duration::hours(4)).format("%H:%M")
    );
    assert!(later[0].reason.contains(&when), "{}", later[0].reason);
    assert!(later[0].reason.contains("15 minutes after it started"), "{}", later[0].reason);
    assert!(!later[0].reason.contains("bo"), "{}", later[0].reason);
    assert!(Escalation::raise_due(&mut conn, now + Duration::minutes(1), &policy, None).expect("tick").is_empty());
    let told = Notification::for_escalation(&mut conn, &later[0].id).expect("notifications");
    assert_eq!(told.iter().map(|n| n.recipient.as_str()).collect::<Vec<_>>(), ["lead@helpline.example"]);
}

on_both_backends!(timers_fire_once_at_their_time, check_in_escalations_reach_the_leads);
