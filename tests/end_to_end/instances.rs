//! Several `serve` processes on one PostgreSQL behave as one service: the outbox and the
//! IMAP fetch are shared through the database, and when one process is killed outright
//! (SIGKILL, no chance to clean up) the other finishes its work. Nothing is lost; nothing
//! is stored twice; a reply is sent twice at most when it was on the wire at the kill.

use diesel::prelude::*;
use rempart_test_db::TestDb;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::common::{ok, rempart, run};
use crate::mail_support::{Dovecot, Gpg, SmtpServer, pgp_mime, plain};

const HELPLINE: &str = "help@helpline.example";
const REPLIES: usize = 60;
const MAILS: usize = 30;

fn header_value(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default().replace("\r\n", "\n");
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

#[test]
fn two_serves_on_one_postgres_survive_a_sigkill() {
    let db = TestDb::postgres();
    let a_dir = tempfile::tempdir().expect("dir");
    let b_dir = tempfile::tempdir().expect("dir");
    // Two machines with the same master key (each reads its own copy), as deploy/README says.
    rempart_test_db::share_master_key(a_dir.path());
    rempart_test_db::share_master_key(b_dir.path());
    ok(&run(rempart(a_dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    // Two machines with the same configuration and the same key.
    std::fs::create_dir_all(b_dir.path().join("data")).expect("data");
    std::fs::copy(a_dir.path().join("data/helpline-key.asc"), b_dir.path().join("data/helpline-key.asc")).expect("key");
    let public = ok(&run(rempart(a_dir.path()).args(["keys", "export"]), ""));
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(public.as_bytes());

    // Ana writes first with her key, so that replies to her can be encrypted.
    let key = ana.export();
    let inner = crate::mail_support::crlf(&format!(
        "Content-Type: multipart/mixed; boundary=\"m\"; protected-headers=\"v1\"\nSubject: Compte piraté\n\n\
         --m\nContent-Type: text/plain; charset=utf-8\n\nAidez-moi.\n\
         --m\nContent-Type: application/pgp-keys; name=\"ana.asc\"\n\n{key}\n--m--\n"
    ));
    let raw =
        pgp_mime(&ana.email, HELPLINE, "...", "first@example.net", "", &ana.encrypt_sign(HELPLINE, inner.as_bytes()));
    let out = ok(&run(rempart(a_dir.path()).args(["--database", db.url(), "mailgate"]), &raw));
    let outcome: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON outcome");
    let case_id = outcome["case_id"].as_str().expect("case id").to_owned();

    // A mailbox both processes fetch from.
    let dovecot = Dovecot::start();
    let mail_ids: Vec<String> = (0..MAILS).map(|i| format!("imap-{i}@example.org")).collect();
    for (i, id) in mail_ids.iter().enumerate() {
        dovecot.deliver("INBOX", &plain(&format!("writer{i}@example.org"), &format!("Message {i}"), id, "Bonjour."));
    }
    let smtp = SmtpServer::start();
    let mut env = crate::common::smtp_env(smtp.port);
    env.extend(crate::common::imap_env(dovecot.port));
    env.extend([("REMPART_MAIL__SMTP__CONCURRENCY", "1".into()), ("REMPART_MAIL__OUTBOX_LEASE_SECS", "3".into())]);
    let mut a = crate::common::serve(a_dir.path(), db.url(), &env);
    let b = crate::common::start(b_dir.path(), db.url(), &env);

    let client = reqwest::blocking::Client::new();
    for i in 0..REPLIES {
        client
            .post(a.url(&format!("/api/v1/cases/{case_id}/replies")))
            .bearer_auth(&a.token)
            .json(&serde_json::json!({"body": format!("Réponse {i}: changez votre mot de passe.")}))
            .send()
            .and_then(|r| r.error_for_status())
            .expect("reply queued");
    }
    // Kill A outright once the work is under way.
    let deadline = Instant::now() + Duration::from_secs(60);
    while smtp.messages().len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    a.child.kill().expect("SIGKILL");
    a.child.wait().expect("reaped");
    let sent_before_kill = smtp.messages().len();

    // B carries on alone: it takes A's replies over once their lease ends.
    let mut conn = db.conn();
    use rempart_store::schema::{mail_receipts, messages};
    let deadline = Instant::now() + Duration::from_secs(120);
    let (sent, filed) = loop {
        let sent: i64 = messages::table
            .filter(messages::case_id.eq(&case_id))
            .filter(messages::delivery_status.eq("sent"))
            .count()
            .get_result(&mut conn)
            .expect("count");
        let filed: i64 = mail_receipts::table
            // (A receipt keeps a Message-ID's token, never the Message-ID: counted by source.)
            .filter(mail_receipts::source.eq("imap"))
            .count()
            .get_result(&mut conn)
            .expect("count");
        if (sent as usize == REPLIES && filed as usize == MAILS) || Instant::now() > deadline {
            break (sent as usize, filed as usize);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(sent, REPLIES, "every reply was sent (B took over A's)");
    assert_eq!(filed, MAILS, "every mail in the box was filed");

    // Each reply reached the SMTP server; at most the one on the wire at the kill twice.
    // (Message-IDs are sealed: read through the store, which opens them.)
    let expected: BTreeSet<String> = rempart_store::messages::Message::for_case(&mut conn, &case_id)
        .expect("messages")
        .into_iter()
        .filter(|m| m.direction == rempart_core::Direction::Outbound)
        .map(|m| {
            let id = m.message_id.expect("a Message-ID fixed before the first attempt");
            format!("<{}>", id.trim_matches(['<', '>']))
        })
        .collect();
    assert_eq!(expected.len(), REPLIES);
    let mut deliveries: BTreeMap<String, usize> = BTreeMap::new();
    for raw in smtp.messages() {
        *deliveries.entry(header_value(&raw, "Message-ID").expect("Message-ID")).or_default() += 1;
    }
    let delivered: BTreeSet<String> = deliveries.keys().cloned().collect();
    assert_eq!(delivered, expected, "nothing lost, nothing invented");
    let twice: Vec<&String> = deliveries.iter().filter(|(_, n)| **n > 1).map(|(id, _)| id).collect();
    assert!(twice.len() <= 1, "only a reply on the wire at the kill may go twice: {twice:?}");
    eprintln!(
        "A was killed after {sent_before_kill} deliveries; {} replies sent twice (in flight at the kill)",
        twice.len()
    );

    // Every fetched mail is stored once: one message row and one receipt per Message-ID.
    // (Message-IDs are sealed: each is found by its token, as threading finds it.)
    let stored: Vec<String> = mail_ids
        .iter()
        .filter_map(|id| rempart_store::messages::Message::find_by_message_id(&mut conn, id).expect("find"))
        .map(|m| m.id)
        .collect();
    assert_eq!(stored.len(), MAILS, "{stored:?}");
    assert_eq!(stored.iter().collect::<BTreeSet<_>>().len(), MAILS);
    let rows: i64 =
        messages::table.filter(messages::direction.eq("inbound")).count().get_result(&mut conn).expect("inbound rows");
    assert_eq!(rows as usize, MAILS + 1, "one message row per Message-ID (and Ana's first mail)");
    assert!(dovecot.flags("INBOX").iter().all(|(_, f)| f.contains("\\Seen")), "all marked once committed");
    let ready = client.get(b.url("/readyz")).send().expect("readyz");
    assert!(ready.status().is_success());
}

/// 30 creations at once through two `serve` processes on one PostgreSQL, all for the one
/// handler on intake: nobody ends over capacity (each creation re-reads the chosen
/// person's load under a lock of them); what does not fit waits for the leads.
#[test]
fn parallel_creations_through_two_serves_never_exceed_capacity() {
    use rempart_store::users::{NewUser, User};
    let db = TestDb::postgres();
    let (a_dir, b_dir) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    rempart_test_db::share_master_key(a_dir.path());
    rempart_test_db::share_master_key(b_dir.path());
    let secret = ("REMPART_AUTH__JWT_SECRET", "a shared token-signing secret of 32+ chars".to_owned());
    let a = crate::common::serve(a_dir.path(), db.url(), std::slice::from_ref(&secret));
    let b = crate::common::start(b_dir.path(), db.url(), std::slice::from_ref(&secret));
    let policy = rempart_rota::Policy::default();
    let handler = {
        let mut conn = db.conn();
        let hash = rempart_auth::hash_password(&rempart_auth::Password::new("a long enough password").expect("policy"))
            .expect("hash");
        let user = User::create(
            &mut conn,
            NewUser {
                email: rempart_core::EmailAddress::parse("ana@helpline.example").expect("email"),
                display_name: "Ana".into(),
                role: rempart_core::Role::Handler,
                languages: rempart_core::Languages::parse("fr,en").expect("languages"),
                password_hash: hash,
                must_change_password: false,
            },
            None,
        )
        .expect("handler");
        let now = rempart_store::now();
        rempart_store::rota::add_shift(
            &mut conn,
            &user.id,
            rempart_rota::ShiftKind::Intake,
            now - chrono::Duration::minutes(10),
            now + chrono::Duration::hours(4),
            &policy,
            None,
        )
        .expect("shift");
        rempart_store::rota::check_in(&mut conn, &user.id, true, None, now).expect("fit");
        rempart_store::rota::set_rotation(
            &mut conn,
            std::slice::from_ref(&user.id),
            rempart_rota::Period::Weekly,
            now.date(),
            None,
        )
        .expect("rotation");
        user
    };
    // Capacity 20; a medium case weighs 2: ten fit, twenty must not.
    let client = reqwest::blocking::Client::new();
    std::thread::scope(|scope| {
        for i in 0..30 {
            let (client, served, token) = (&client, if i % 2 == 0 { &a } else { &b }, &a.token);
            scope.spawn(move || {
                client
                    .post(served.url("/api/v1/cases"))
                    .bearer_auth(token)
                    .json(&serde_json::json!({
                        "beneficiary": {"display_name": "B", "emails": [format!("b{i}@example.org")]},
                        "summary": format!("case {i}")
                    }))
                    .send()
                    .and_then(|r| r.error_for_status())
                    .expect("created");
            });
        }
    });
    use rempart_store::schema::cases;
    let mut conn = db.conn();
    let held: i64 =
        cases::table.filter(cases::assignee_id.eq(&handler.id)).count().get_result(&mut conn).expect("count");
    let waiting: i64 = cases::table.filter(cases::assignee_id.is_null()).count().get_result(&mut conn).expect("count");
    assert_eq!(held, 10, "20/20 exactly, never more");
    assert_eq!(waiting, 20, "the rest waits for the leads");
}
