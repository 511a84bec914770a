//! Escalation timers with a controllable clock, on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use common::{beneficiary, case, user};
use rempart_core::{Channel, Direction, Role, Urgency};
use rempart_rota::Policy;
use rempart_store::case_items::{Message, NewMessage};
use rempart_store::cases::{Case, CaseChanges};
use rempart_store::escalations::{Escalation, Notification};
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
    user(&mut conn, "handler@helpline.example", Role::Handler);
    let b = beneficiary(&mut conn, "ana@example.org");
    let waiting = case(&mut conn, &b.id, "Compte piraté");
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
    let answered = case(&mut conn, &b.id, "Répondu");
    Message::add(
        &mut conn,
        NewMessage::with_beneficiary(&answered.id, Direction::Outbound, Channel::PhoneNote, "Rappelée."),
        None,
    )
    .expect("first response");
    let critical = case(&mut conn, &b.id, "Menace de mort");
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
        raised.iter().map(|e| (e.case_id.as_str(), e.kind.as_str())).collect::<Vec<_>>(),
        [(critical.id.as_str(), "imminent_risk")]
    );
    let later =
        Escalation::raise_due(&mut conn, answered.created_at + Duration::hours(3), &policy, None).expect("tick");
    assert!(later.iter().all(|e| e.case_id != answered.id), "a case answered in time never escalates");
}

on_both_backends!(timers_fire_once_at_their_time);
