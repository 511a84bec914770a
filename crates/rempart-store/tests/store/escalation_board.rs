//! The leads' board of open escalations and the acknowledgement that stops reminders, with
//! a clock the test controls, on SQLite and PostgreSQL.

use crate::common::{beneficiary, case, user};
use chrono::Duration;
use rempart_core::{Channel, Direction, Role};
use rempart_rota::Policy;
use rempart_store::cases::Case;
use rempart_store::escalation_board::open_escalations;
use rempart_store::escalations::{Escalation, Notification};
use rempart_store::messages::{Message, NewMessage};
use rempart_test_db::{TestDb, on_both_backends};

fn acknowledged_escalations_stop_their_reminders(db: TestDb) {
    let mut conn = db.conn();
    let policy = Policy::default();
    let ana = user(&mut conn, "ana.lead@helpline.example", Role::Lead);
    user(&mut conn, "bruno.lead@helpline.example", Role::Lead);
    user(&mut conn, "admin@helpline.example", Role::Admin);
    let handler = user(&mut conn, "handler@helpline.example", Role::Handler);
    let b = beneficiary(&mut conn, "someone@example.org");
    let held = |conn: &mut _, summary: &str| {
        let c = case(conn, &b.id, summary);
        Case::assign(conn, &c.id, Some(&handler.id), "test", None).expect("assign")
    };
    let waiting = held(&mut conn, "Compte piraté");
    let other = held(&mut conn, "Site en panne");
    let t0 = waiting.created_at;
    let raise = |conn: &mut _, minutes| Escalation::raise_due(conn, t0 + Duration::minutes(minutes), &policy, None);

    let raised = raise(&mut conn, 61).expect("tick");
    assert_eq!(raised.len(), 2, "both cases wait for a first response");
    let board = open_escalations(&mut conn, t0 + Duration::minutes(61)).expect("board");
    assert_eq!(board.len(), 2);
    let mine = board.iter().find(|e| e.escalation.case_id.as_deref() == Some(waiting.id.as_str())).expect("listed");
    assert_eq!(mine.case_reference.as_deref(), Some(waiting.reference.to_string().as_str()));
    assert_eq!(mine.notifications.len(), 2, "both leads are told");
    assert!(mine.acknowledged_by_name.is_none());

    // Ana takes it on: the leads' e-mails not sent yet are withdrawn.
    let at = t0 + Duration::minutes(62);
    let acked = Escalation::acknowledge(&mut conn, &mine.escalation.id, &ana.id, at).expect("acknowledge");
    assert_eq!(acked.acknowledged_by.as_deref(), Some(ana.id.as_str()));
    assert_eq!(acked.acknowledged_at, Some(at));
    let told = Notification::for_escalation(&mut conn, &acked.id).expect("notifications");
    assert!(told.iter().all(|n| n.status == "withdrawn"), "{told:?}");
    assert!(
        Notification::claim(&mut conn, "notifier", 10, Duration::minutes(1))
            .expect("claim")
            .iter()
            .all(|o| o.case_id.as_deref() != Some(waiting.id.as_str())),
        "a withdrawn notification is never sent"
    );
    // Saying it again (or another lead saying it) changes nothing: the first stays named.
    let again = Escalation::acknowledge(&mut conn, &acked.id, &handler.id, at + Duration::minutes(1)).expect("again");
    assert_eq!(again.acknowledged_by.as_deref(), Some(ana.id.as_str()));
    assert_eq!(again.acknowledged_at, Some(at));
    let board = open_escalations(&mut conn, at).expect("board");
    let mine = board.iter().find(|e| e.escalation.id == acked.id).expect("still open, marked");
    assert_eq!(mine.acknowledged_by_name.as_deref(), Some(ana.display_name.as_str()));

    // Later, the unacknowledged case goes on to the administrators; the acknowledged one does not.
    let later = raise(&mut conn, 120).expect("tick");
    assert_eq!(
        later.iter().map(|e| (e.case_id.as_deref(), e.kind.as_str())).collect::<Vec<_>>(),
        [(Some(other.id.as_str()), "first_response_admins")]
    );

    // Answered: the case's escalations leave the board.
    Message::add(
        &mut conn,
        NewMessage::with_beneficiary(&waiting.id, Direction::Outbound, Channel::PhoneNote, "Rappelée."),
        None,
    )
    .expect("first response");
    let board = open_escalations(&mut conn, t0 + Duration::minutes(121)).expect("board");
    assert!(board.iter().all(|e| e.escalation.case_id.as_deref() == Some(other.id.as_str())), "{board:?}");
    assert_eq!(board.len(), 2, "the other case: leads, then admins");
    // An unknown escalation is not found.
    assert!(Escalation::acknowledge(&mut conn, "no-such-escalation", &ana.id, at).is_err());
}

on_both_backends!(acknowledged_escalations_stop_their_reminders);
