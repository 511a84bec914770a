//! The word index behind the search by words: filled when a case is opened and when a
//! message is added, rebuilt when the summary changes, emptied by an erasure, and read as
//! whole words, every one asked for.

use crate::common::{beneficiary, case, user};
use rempart_core::{Channel, Direction, Role};
use rempart_store::cases::{Case, CaseChanges, CaseFilter};
use rempart_store::messages::{Message, NewMessage};
use rempart_test_db::{TestDb, on_both_backends};

fn found(conn: &mut rempart_store::DbConn, text: &str) -> Vec<String> {
    let filter = CaseFilter { text: Some(text.to_owned()), ..Default::default() };
    let mut ids: Vec<String> = Case::list(conn, &filter, None, 50).expect("list").into_iter().map(|c| c.id).collect();
    ids.sort();
    ids
}

fn words_are_indexed_searched_and_forgotten(db: TestDb) {
    let mut conn = db.conn();
    let lead = user(&mut conn, "lead@helpline.example", Role::Lead);
    let ana = beneficiary(&mut conn, "ana@example.org");
    let signal = case(&mut conn, &ana.id, "Compte Signal piraté");
    let phone = case(&mut conn, &ana.id, "Téléphone saisi à la frontière");
    let body = "L'attaquant écrit à mes contacts depuis mon compte.";
    let new = NewMessage::with_beneficiary(&phone.id, Direction::Inbound, Channel::Email, body);
    Message::add(&mut conn, NewMessage { subject: "Urgent".into(), ..new }, None).expect("message");

    assert_eq!(found(&mut conn, "SIGNAL"), vec![signal.id.clone()], "the summary, any case");
    assert_eq!(found(&mut conn, "contacts"), vec![phone.id.clone()], "a message body");
    assert_eq!(found(&mut conn, "urgent"), vec![phone.id.clone()], "a message subject");
    let mut both = vec![signal.id.clone(), phone.id.clone()];
    both.sort();
    assert_eq!(found(&mut conn, "compte"), both, "in a summary of one, a body of the other");
    assert_eq!(found(&mut conn, "compte piraté"), vec![signal.id.clone()], "every word asked for");
    assert!(found(&mut conn, "pira").is_empty(), "whole words");
    assert!(found(&mut conn, "%").is_empty(), "no word: nothing");

    // The summary changes: its old words go, the messages' stay.
    let changes = CaseChanges { summary: Some("Téléphone rendu".into()), ..Default::default() };
    Case::update(&mut conn, &phone.id, changes, None, Some(&lead.id)).expect("update");
    assert!(found(&mut conn, "frontière").is_empty());
    assert_eq!(found(&mut conn, "rendu"), vec![phone.id.clone()]);
    assert_eq!(found(&mut conn, "contacts"), vec![phone.id.clone()]);

    // Erased on request: nothing of it can be found any more.
    for to in [rempart_core::CaseStatus::Open, rempart_core::CaseStatus::Resolved, rempart_core::CaseStatus::Closed] {
        Case::transition(&mut conn, &phone.id, to, None, None).expect("transition");
    }
    rempart_store::retention::erase_on_request(&mut conn, &phone.id, &lead.id, "asked").expect("erase");
    assert!(found(&mut conn, "contacts").is_empty() && found(&mut conn, "rendu").is_empty());

    // Rebuilt from scratch (as when the index is created on a database with cases).
    assert_eq!(rempart_store::case_words::reindex_all(&mut conn).expect("reindex"), 1, "erased cases are left out");
    assert_eq!(found(&mut conn, "signal"), vec![signal.id]);
    assert!(found(&mut conn, "contacts").is_empty());
}

on_both_backends!(words_are_indexed_searched_and_forgotten);
