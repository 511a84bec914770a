//! The team's rota, workload, escalations and the mail quarantine follow the capability
//! rows of the authorization table (`table::CAPABILITY_TABLE`): every function of
//! `team`, `escalations` and `quarantine` is run as each role, on SQLite and PostgreSQL,
//! and is forbidden exactly where the table says so.

use chrono::Duration;
use rempart_app::intake::{CaseFields, Requester};
use rempart_app::{Actor, AppError, Capability, escalations, quarantine, statistics, taxonomies, team};
use rempart_core::{EmailAddress, Languages, Role};
use rempart_rota::{Period, Policy, ShiftKind};
use rempart_store::DbConn;
use rempart_store::beneficiaries::NewBeneficiary;
use rempart_store::mail::{NewQuarantine, QuarantinedMail};
use rempart_store::users::{NewUser, User};
use rempart_test_db::{TestDb, on_both_backends};

mod table;

use table::Cell::{self, F, Y};

const ROLES: [Option<Role>; 5] = [Some(Role::Handler), Some(Role::Analyst), Some(Role::Lead), Some(Role::Admin), None];

fn user(conn: &mut DbConn, name: &str, role: Role) -> User {
    User::create(
        conn,
        NewUser {
            email: EmailAddress::parse(&format!("{name}@helpline.example")).expect("address"),
            display_name: name.to_owned(),
            role,
            languages: Languages::default(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
            must_change_password: false,
        },
        None,
    )
    .expect("user")
}

/// Allowed (whatever the data then says: not found, a conflict) or forbidden.
fn outcome<T>(result: Result<T, AppError>) -> Cell {
    match result {
        Err(AppError::Forbidden(_)) => F,
        _ => Y,
    }
}

fn expected(capability: Capability, column: usize) -> Cell {
    table::CAPABILITY_TABLE.iter().find(|(c, _)| *c == capability).expect("row").1[column]
}

fn quarantined(conn: &mut DbConn, n: usize) -> QuarantinedMail {
    let raw = format!("From: someone{n}@example.org\r\nSubject: broken {n}\r\n\r\nnot pgp\r\n");
    QuarantinedMail::insert(
        conn,
        NewQuarantine {
            source: "mailgate",
            reason_code: "undecryptable",
            reason: "no key to decrypt it",
            from_address: Some("someone@example.org"),
            subject: "broken",
            message_id_header: None,
            raw: raw.as_bytes(),
        },
    )
    .expect("quarantine")
}

fn supervision_follows_the_capability_table(db: TestDb) {
    let mut conn = db.conn();
    let policy = Policy::default();
    let worker = user(&mut conn, "worker", Role::Handler);
    let now = rempart_store::now();
    let mut wrong = Vec::new();
    for (column, role) in ROLES.iter().enumerate() {
        let actor = match role {
            Some(role) => Actor::staff(user(&mut conn, &format!("{role}-actor"), *role).id, *role),
            None => Actor::System,
        };
        let c = &mut conn;
        let supervise: Vec<(&str, Cell)> = vec![
            (
                "team::plan_shift",
                outcome(team::plan_shift(
                    c,
                    &actor,
                    &worker.id,
                    ShiftKind::Intake,
                    now + Duration::days(column as i64 + 1),
                    now + Duration::days(column as i64 + 1) + Duration::hours(4),
                    &policy,
                )),
            ),
            ("team::change_shift", outcome(team::change_shift(c, &actor, "no-shift", None, None, None, &policy))),
            ("team::cancel_shift", outcome(team::cancel_shift(c, &actor, "no-shift"))),
            ("team::rotations", outcome(team::rotations(c, &actor))),
            ("team::members", outcome(team::members(c, &actor))),
            ("team::shift", outcome(team::shift(c, &actor, "no-shift"))),
            (
                "team::set_rotation",
                outcome(team::set_rotation(
                    c,
                    &actor,
                    std::slice::from_ref(&worker.id),
                    Period::Weekly,
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("monday"),
                )),
            ),
            ("team::workload", outcome(team::workload(c, &actor, now, 4, &policy))),
            ("team::rebalance", outcome(team::rebalance(c, &actor, now, &policy, 5, false))),
            ("team::apply_moves", outcome(team::apply_moves(c, &actor, &[]))),
            ("escalations::open", outcome(escalations::open(c, &actor, now))),
        ];
        for (name, got) in supervise {
            if got != expected(Capability::Supervise, column) {
                wrong.push(format!("{name} as {role:?}: {got:?}"));
            }
        }
        // An acknowledgement names a person: the system has none to give.
        let acknowledged = outcome(escalations::acknowledge(c, &actor, "no-escalation", now));
        let want = if role.is_none() { F } else { expected(Capability::Supervise, column) };
        if acknowledged != want {
            wrong.push(format!("escalations::acknowledge as {role:?}: {acknowledged:?}"));
        }
        let code = rempart_core::TaxonomyCode::parse(&format!("new_code_{column}")).expect("code");
        let service = rempart_store::taxonomy::Taxonomy::Service;
        let administer: Vec<(&str, Cell)> = vec![
            ("taxonomies::translations", outcome(taxonomies::translations(c, &actor, service))),
            ("taxonomies::add_entry", outcome(taxonomies::add_entry(c, &actor, service, &code, "New"))),
            ("taxonomies::update_entry", outcome(taxonomies::update_entry(c, &actor, service, "other", None, None))),
            ("taxonomies::translate", outcome(taxonomies::translate(c, &actor, service, "other", "pt", "Outro"))),
            ("accounts::reset_totp", outcome(rempart_app::accounts::reset_totp(c, &actor, &worker.id))),
            (
                "accounts::update_user",
                outcome(rempart_app::accounts::update_user(
                    c,
                    &actor,
                    &worker.id,
                    rempart_app::accounts::AccountChanges { capacity: Some(12), ..Default::default() },
                )),
            ),
        ];
        for (name, got) in administer {
            if got != expected(Capability::Administer, column) {
                wrong.push(format!("{name} as {role:?}: {got:?}"));
            }
        }
        // Everyone reads the taxonomies, in their language.
        assert_eq!(outcome(taxonomies::labels(c, service, "fr")), Y);
        let stats = outcome(statistics::report(c, &actor, now - Duration::days(30), now, None, 5));
        if stats != expected(Capability::ReadStatistics, column) {
            wrong.push(format!("statistics::report as {role:?}: {stats:?}"));
        }
        let item = quarantined(c, column);
        let fields = CaseFields::intake("Message illisible");
        let someone = Requester::New(NewBeneficiary {
            display_name: format!("Someone {column}"),
            emails: vec![EmailAddress::parse(&format!("q{column}@example.org")).expect("address")],
            audience_type: None,
            preferred_language: None,
        });
        let handle: Vec<(&str, Cell)> = vec![
            ("quarantine::list", outcome(quarantine::list(c, &actor, true, 10))),
            ("quarantine::get", outcome(quarantine::get(c, &actor, &item.id))),
            ("quarantine::raw", outcome(quarantine::raw(c, &actor, &item.id))),
            ("quarantine::attach", outcome(quarantine::attach(c, &actor, &item.id, "RMP-2026-999999"))),
            ("quarantine::open_case", outcome(quarantine::open_case(c, &actor, &item.id, someone, fields, &policy))),
            ("quarantine::discard", outcome(quarantine::discard(c, &actor, &item.id, "spam"))),
            ("quarantine::mark_resolved", outcome(quarantine::mark_resolved(c, &actor, &item.id))),
        ];
        for (name, got) in handle {
            // Dealing with an item names a person: the system only reads the quarantine.
            let by_person = matches!(
                name,
                "quarantine::open_case" | "quarantine::discard" | "quarantine::mark_resolved" | "quarantine::attach"
            );
            let want = if by_person && role.is_none() { F } else { expected(Capability::HandleQuarantine, column) };
            if got != want {
                wrong.push(format!("{name} as {role:?}: {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "the layer disagrees with the capability table:\n{}", wrong.join("\n"));
}

/// A quarantined message kept with a case opened from it: the case holds the raw bytes as
/// evidence, the item says what became of it, and nobody can deal with it twice.
fn a_quarantined_message_opens_a_case(db: TestDb) {
    let mut conn = db.conn();
    let handler = Actor::staff(user(&mut conn, "handler", Role::Handler).id, Role::Handler);
    let item = quarantined(&mut conn, 1);
    let raw = QuarantinedMail::raw(&mut conn, &item.id).expect("raw");
    let requester = Requester::New(NewBeneficiary {
        display_name: "Someone".into(),
        emails: vec![EmailAddress::parse("someone@example.org").expect("address")],
        audience_type: None,
        preferred_language: None,
    });
    let fields = CaseFields::intake("Message illisible reçu");
    let detail =
        quarantine::open_case(&mut conn, &handler, &item.id, requester, fields, &Policy::default()).expect("opened");
    let files = rempart_app::evidence::list(&mut conn, &handler, &detail.case.id).expect("evidence");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].media_type, "message/rfc822");
    let (_, content) =
        rempart_app::evidence::content(&mut conn, &handler, &detail.case.id, &files[0].id).expect("content");
    assert_eq!(content, raw, "the raw bytes, exactly");
    let after = quarantine::get(&mut conn, &handler, &item.id).expect("item");
    assert_eq!(after.resolution.as_deref(), Some("opened"));
    assert_eq!(after.case_id.as_deref(), Some(detail.case.id.as_str()));
    assert!(after.resolved_at.is_some());
    let twice = quarantine::discard(&mut conn, &handler, &item.id, "spam");
    assert_eq!(twice.map(|_| ()).map_err(|e| e.kind()), Err("conflict"));
    assert!(quarantine::list(&mut conn, &handler, false, 10).expect("open").is_empty());
    // Discarding keeps the reason; a blank reason is refused.
    let other = quarantined(&mut conn, 2);
    let blank = quarantine::discard(&mut conn, &handler, &other.id, "  ");
    assert_eq!(blank.map(|_| ()).map_err(|e| e.kind()), Err("validation"));
    let gone = quarantine::discard(&mut conn, &handler, &other.id, "Publicité").expect("discarded");
    assert_eq!((gone.resolution.as_deref(), gone.resolution_note.as_deref()), (Some("discarded"), Some("Publicité")));
}

/// Taxonomy labels follow the reader's language, falling back to English; an administrator
/// translates an entry, and an empty label removes the translation.
fn taxonomy_labels_follow_the_language(db: TestDb) {
    let mut conn = db.conn();
    let admin = Actor::staff(user(&mut conn, "admin", Role::Admin).id, Role::Admin);
    let service = rempart_store::taxonomy::Taxonomy::Service;
    let fr = taxonomies::labels(&mut conn, service, "fr-CA").expect("labels");
    assert_eq!(fr.get("data_leak").map(String::as_str), Some("Fuite de données"));
    let pt = taxonomies::labels(&mut conn, service, "pt").expect("labels");
    assert_eq!(pt.get("data_leak").map(String::as_str), Some("Data leak"), "English when untranslated");
    taxonomies::translate(&mut conn, &admin, service, "data_leak", "pt", "Vazamento de dados").expect("translated");
    let pt = taxonomies::labels(&mut conn, service, "pt-BR").expect("labels");
    assert_eq!(pt.get("data_leak").map(String::as_str), Some("Vazamento de dados"));
    taxonomies::translate(&mut conn, &admin, service, "data_leak", "pt", " ").expect("removed");
    let pt = taxonomies::labels(&mut conn, service, "pt").expect("labels");
    assert_eq!(pt.get("data_leak").map(String::as_str), Some("Data leak"));
    let unknown = taxonomies::translate(&mut conn, &admin, service, "no_such_code", "pt", "x");
    assert_eq!(unknown.map_err(|e| e.kind()), Err("not-found"));
    let bad = taxonomies::translate(&mut conn, &admin, service, "data_leak", "Portuguese!", "x");
    assert_eq!(bad.map_err(|e| e.kind()), Err("invalid"));
}

on_both_backends!(
    supervision_follows_the_capability_table,
    a_quarantined_message_opens_a_case,
    taxonomy_labels_follow_the_language
);
