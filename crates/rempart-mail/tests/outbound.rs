//! Replies: encrypted and signed by the gateway, decrypted and verified by GnuPG, delivered
//! to a real SMTP server (aiosmtpd) on loopback, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod support;

use lettre::message::Mailbox;
use rempart_core::{Channel, DeliveryStatus, Direction, Fingerprint, KeyTrust};
use rempart_mail::outbound::{self, Reply, SmtpConfig, SmtpSender, SmtpTls};
use rempart_mail::worker::{NoKeyPolicy, OutboxWorker};
use rempart_mail::{Gateway, Keyring, Limits, Outcome, pgp};
use rempart_store::beneficiaries::Beneficiary;
use rempart_store::messages::Outbox;
use rempart_store::messages::{Message, NewMessage};
use rempart_test_db::{TestDb, on_both_backends};
use support::{Gpg, SmtpServer, free_port, pgp_mime, plain, protected_inner};

const HELPLINE: &str = "help@helpline.example";

fn armored_block(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let start = text.find("-----BEGIN PGP MESSAGE-----").expect("an OpenPGP message in the mail");
    let end = text.find("-----END PGP MESSAGE-----").unwrap() + "-----END PGP MESSAGE-----".len();
    text[start..end].replace("\r\n", "\n")
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
}

#[test]
fn replies_are_pgp_mime_signed_and_encrypted_with_protected_headers() {
    let keyring = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(keyring.public_armored().unwrap().as_bytes());
    let ana_cert = pgp::parse_certificate(ana.export().as_bytes()).unwrap();
    let from: Mailbox = format!("Helpline <{HELPLINE}>").parse().unwrap();
    let to: Mailbox = "ana@example.net".parse().unwrap();
    let reply = Reply {
        from: &from,
        to: &to,
        subject: "Re: compte volé [RMP-2026-000042]",
        body: "Bonjour Ana,\nchangez votre code PIN.\n",
        message_id: "reply-1@helpline.example",
        in_reply_to: Some("first@example.net"),
    };
    let email = outbound::compose(&reply, &ana_cert, &keyring).unwrap();
    let raw = String::from_utf8(email.formatted()).unwrap();
    assert_eq!(header(&raw, "Subject"), Some("..."), "the real subject is only inside");
    assert!(!raw.contains("RMP-2026-000042") && !raw.contains("PIN"), "nothing sensitive outside: {raw}");
    assert!(raw.contains("multipart/encrypted"));
    assert!(raw.contains("protocol=\"application/pgp-encrypted\""));
    assert_eq!(header(&raw, "In-Reply-To"), Some("<first@example.net>"));

    let (plaintext, status) = ana.decrypt(armored_block(raw.as_bytes()).as_bytes());
    let plaintext = String::from_utf8(plaintext).unwrap();
    let validsig = status.lines().find(|l| l.contains("VALIDSIG")).unwrap_or_default();
    assert!(validsig.ends_with(&keyring.fingerprint()), "gpg verified a signature by our primary key: {status}");
    assert!(plaintext.contains("protected-headers=\"v1\""));
    assert!(plaintext.contains("Subject: =?utf-8?B?"), "non-ASCII subject encoded: {plaintext}");
    use base64::Engine;
    let body_b64: String = plaintext.split("\r\n\r\n").nth(1).unwrap().split_whitespace().collect();
    let body = base64::engine::general_purpose::STANDARD.decode(body_b64).unwrap();
    assert_eq!(String::from_utf8(body).unwrap(), "Bonjour Ana,\r\nchangez votre code PIN.\r\n");

    // The helpline can read its own sent copy.
    let opened = pgp::open(armored_block(raw.as_bytes()).as_bytes(), Some(&keyring), &[], 1 << 20).unwrap();
    assert!(opened.encrypted);
}

struct Setup {
    keyring: Keyring,
    ana: Gpg,
    smtp: SmtpServer,
}

fn setup() -> Setup {
    let keyring = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(keyring.public_armored().unwrap().as_bytes());
    Setup { keyring, ana, smtp: SmtpServer::start() }
}

fn worker(db: &TestDb, keyring: &Keyring, port: u16, id: &str) -> OutboxWorker {
    let config = SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        timeout_secs: 5,
    };
    OutboxWorker {
        pool: db.pool().clone(),
        keyring: keyring.clone(),
        smtp: SmtpSender::new(&config).unwrap(),
        from: format!("Helpline <{HELPLINE}>").parse().unwrap(),
        worker_id: id.into(),
        no_key: NoKeyPolicy::Hold,
        batch: 10,
        concurrency: 2,
        lease: chrono::Duration::minutes(5),
    }
}

fn first_contact(db: &TestDb, s: &Setup, with_key: bool) -> (String, String) {
    let gateway = Gateway { keyring: Some(s.keyring.clone()), limits: Limits::default(), ..Default::default() };
    let raw = if with_key {
        // The key travels as an attachment this time (application/pgp-keys).
        let key = s.ana.export();
        let inner = support::crlf(&format!(
            "Content-Type: multipart/mixed; boundary=\"m\"; protected-headers=\"v1\"\nSubject: Au secours\n\n\
             --m\nContent-Type: text/plain; charset=utf-8\n\nMon compte est piraté.\n\
             --m\nContent-Type: application/pgp-keys; name=\"ana.asc\"\nContent-Disposition: attachment; filename=\"ana.asc\"\n\n{key}\n--m--\n"
        ));
        pgp_mime(
            &s.ana.email,
            HELPLINE,
            "...",
            "first@example.net",
            "",
            &s.ana.encrypt_sign(HELPLINE, inner.as_bytes()),
        )
    } else {
        plain("bo@example.org", "Au secours", "first@example.org", "Pas de clé.")
    };
    match gateway.ingest(&mut db.conn(), &raw, "mailgate").unwrap() {
        Outcome::Stored { case_id, reference, .. } => (case_id, reference),
        other => panic!("{other:?}"),
    }
}

fn queue_reply(db: &TestDb, case_id: &str, reference: &str, body: &str) -> String {
    let new = NewMessage {
        subject: format!("Re: Au secours [{reference}]"),
        ..NewMessage::with_beneficiary(case_id, Direction::Outbound, Channel::Email, body)
    };
    let message = Message::add(&mut db.conn(), new, None).unwrap();
    assert_eq!(message.delivery_status, Some(DeliveryStatus::Queued));
    assert!(Outbox::get(&mut db.conn(), &message.id).unwrap().is_some(), "queued and in the outbox together");
    message.id
}

/// The whole round trip: a reply leaves encrypted through SMTP, gpg reads it, and the
/// beneficiary's answer threads back on our Message-ID alone.
fn reply_round_trip_through_smtp(db: TestDb) {
    let s = setup();
    let (case_id, reference) = first_contact(&db, &s, true);
    let id = queue_reply(&db, &case_id, &reference, "Changez votre mot de passe.");
    assert_eq!(worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap(), 1);

    let message = Message::get(&mut db.conn(), &id).unwrap();
    assert_eq!(message.delivery_status, Some(DeliveryStatus::Sent));
    assert!(Outbox::get(&mut db.conn(), &id).unwrap().is_none());
    // The case records what left: encrypted, signed by the helpline, answering Ana's message.
    assert!(message.encrypted);
    assert_eq!(message.signature_status, rempart_core::SignatureStatus::Good);
    assert_eq!(message.signer_fingerprint.as_ref().map(|f| f.as_str().to_owned()), Some(s.keyring.fingerprint()));
    assert_eq!(message.in_reply_to.as_deref(), Some("first@example.net"));
    let sent = s.smtp.messages();
    assert_eq!(sent.len(), 1);
    let raw = String::from_utf8_lossy(&sent[0]).into_owned();
    assert_eq!(header(&raw, "In-Reply-To"), Some("<first@example.net>"));
    let (plaintext, status) = s.ana.decrypt(armored_block(&sent[0]).as_bytes());
    assert!(status.contains("GOODSIG"), "{status}");
    let plaintext = String::from_utf8(plaintext).unwrap();
    assert!(plaintext.contains(&format!("Subject: Re: Au secours [{reference}]")), "{plaintext}");

    // Ana answers with a client that keeps In-Reply-To but drops the reference.
    let our_id = message.message_id.clone().expect("a Message-ID was set before sending");
    assert!(raw.contains(&format!("<{our_id}>")));
    let gateway = Gateway { keyring: Some(s.keyring.clone()), limits: Limits::default(), ..Default::default() };
    let answer = pgp_mime(
        &s.ana.email,
        HELPLINE,
        "...",
        "answer@example.net",
        &format!("In-Reply-To: <{our_id}>\n"),
        &s.ana.encrypt_sign(HELPLINE, &protected_inner("Merci", "C'est fait.")),
    );
    match gateway.ingest(&mut db.conn(), &answer, "mailgate").unwrap() {
        Outcome::Stored { case_id: threaded, new_case, .. } => {
            assert_eq!(threaded, case_id);
            assert!(!new_case);
        }
        other => panic!("{other:?}"),
    }
}

/// A partner of the case writes in too. Each correspondent's mail threads only on their
/// own: the beneficiary's reply never carries the partner's Message-ID (it did: the last
/// inbound message of the case was taken, whoever sent it), and the partner's e-mail waits
/// for their key, then leaves encrypted to it, answering their own message.
fn each_correspondent_threads_on_their_own_mail(db: TestDb) {
    use rempart_store::case_items::{NewThirdParty, ThirdParty};
    let s = setup();
    let (case_id, reference) = first_contact(&db, &s, true);
    let partner = Gpg::new("Partner CERT", "cert@partner.example");
    partner.import(s.keyring.public_armored().unwrap().as_bytes());
    let new = NewThirdParty {
        case_id: case_id.clone(),
        organisation: "Partner CERT".into(),
        contact_name: None,
        role: rempart_core::ThirdPartyRole::Partner,
        email: Some(rempart_core::EmailAddress::parse("cert@partner.example").unwrap()),
        phone: None,
        notes: None,
    };
    let party = ThirdParty::add(&mut db.conn(), new, None).unwrap();
    let gateway = Gateway { keyring: Some(s.keyring.clone()), limits: Limits::default(), ..Default::default() };
    let theirs = plain("cert@partner.example", &format!("Image [{reference}]"), "partner-1@partner.example", "Reçue.");
    match gateway.ingest(&mut db.conn(), &theirs, "mailgate").unwrap() {
        Outcome::Stored { case_id: threaded, .. } => assert_eq!(threaded, case_id),
        other => panic!("{other:?}"),
    }

    let to_ana = queue_reply(&db, &case_id, &reference, "Nous avons des nouvelles.");
    let to_partner = Message::add(
        &mut db.conn(),
        NewMessage {
            party: rempart_core::Party::ThirdParty,
            third_party_id: Some(party.id.clone()),
            subject: format!("Image [{reference}]"),
            ..NewMessage::with_beneficiary(&case_id, Direction::Outbound, Channel::Email, "Merci, analysez-la.")
        },
        None,
    )
    .unwrap();
    assert!(Outbox::get(&mut db.conn(), &to_partner.id).unwrap().is_some(), "in the outbox like a reply");
    assert_eq!(worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap(), 2);
    let ana_copy = Message::get(&mut db.conn(), &to_ana).unwrap();
    assert_eq!(ana_copy.in_reply_to.as_deref(), Some("first@example.net"), "her own message, not the partner's");
    let held = Message::get(&mut db.conn(), &to_partner.id).unwrap();
    assert_eq!(held.delivery_status, Some(DeliveryStatus::NeedsKey), "no key for the partner: nothing in clear");
    assert_eq!(s.smtp.messages().len(), 1);
    let sent = String::from_utf8_lossy(&s.smtp.messages()[0]).into_owned();
    assert!(!sent.contains("partner-1@partner.example"), "{sent}");

    // Their key arrives: the e-mail leaves, encrypted to them, answering their message.
    let cert = pgp::parse_certificate(partner.export().as_bytes()).unwrap();
    let fingerprint = Fingerprint::parse(&cert.fingerprint().to_hex()).unwrap();
    ThirdParty::set_key(&mut db.conn(), &party.id, &partner.export(), &fingerprint, None).unwrap();
    assert_eq!(worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap(), 1);
    let sent = s.smtp.messages();
    assert_eq!(sent.len(), 2);
    // The Maildir's order is not the order of arrival within a second: found by recipient.
    let theirs = sent.iter().find(|m| String::from_utf8_lossy(m).contains("To: cert@partner.example")).unwrap();
    let raw = String::from_utf8_lossy(theirs).into_owned();
    assert_eq!(header(&raw, "In-Reply-To"), Some("<partner-1@partner.example>"));
    assert!(!raw.contains("first@example.net"), "never the beneficiary's Message-ID: {raw}");
    let (plaintext, status) = partner.decrypt(armored_block(theirs).as_bytes());
    assert!(status.contains("GOODSIG"), "{status}");
    assert!(!String::from_utf8_lossy(&plaintext).is_empty());
}

/// No key: held as needs_key, nothing leaves. SMTP down: retried later, still queued.
fn no_key_is_held_and_smtp_failures_are_retried(db: TestDb) {
    let s = setup();
    let (held_case, held_reference) = first_contact(&db, &s, false);
    let id_held = queue_reply(&db, &held_case, &held_reference, "Réponse en clair ? Jamais.");
    worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap();
    let held = Message::get(&mut db.conn(), &id_held).unwrap();
    assert_eq!(held.delivery_status, Some(DeliveryStatus::NeedsKey));
    assert!(s.smtp.messages().is_empty(), "never sent in clear");
    // Why, on the message (sealed with the case); the audit trail, in clear, says only what
    // kind of failure it was: a mail server's words may quote the recipient's address.
    assert!(held.gateway_notes.as_deref().is_some_and(|n| n.starts_with("delivery attempt 1: ")), "{held:?}");
    let trail = rempart_store::audit::AuditEvent::for_case(&mut db.conn(), &held_case).unwrap();
    let delivery = trail.iter().find(|e| e.action == "message.delivery_status").expect("delivery event");
    assert_eq!(delivery.details, "status=needs_key attempts=1 reason=needs_key");

    // A beneficiary with a key, but the SMTP server is down.
    let (case_id, reference) = first_contact(&db, &s, true);
    let id = queue_reply(&db, &case_id, &reference, "Plus tard.");
    let dead_port = free_port();
    worker(&db, &s.keyring, dead_port, "w1").run_once().unwrap();
    let entry = Outbox::get(&mut db.conn(), &id).unwrap().expect("still in the outbox");
    assert_eq!(entry.attempts, 1);
    assert!(entry.next_attempt_at > chrono::Utc::now().naive_utc(), "backs off");
    assert_eq!(entry.last_error.as_deref(), Some("retry"), "the kind of failure, not the server's words");
    let waiting = Message::get(&mut db.conn(), &id).unwrap();
    assert!(waiting.gateway_notes.as_deref().is_some_and(|n| n.starts_with("delivery attempt 1: ")), "{waiting:?}");
    assert_eq!(Message::get(&mut db.conn(), &id).unwrap().delivery_status, Some(DeliveryStatus::Queued));
    // Not due yet: a working server sends nothing now.
    assert_eq!(worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap(), 0);

    // Bo writes again, with his key attached: the held reply leaves, encrypted to it.
    let bo = Gpg::new("Bo", "bo@example.org");
    bo.import(s.keyring.public_armored().unwrap().as_bytes());
    let reference = held_reference;
    let inner = support::crlf(&format!(
        "Content-Type: multipart/mixed; boundary=\"m\"; protected-headers=\"v1\"\nSubject: Ma clé [{reference}]\n\n\
         --m\nContent-Type: text/plain; charset=utf-8\n\nVoici ma clé.\n\
         --m\nContent-Type: application/pgp-keys; name=\"bo.asc\"\n\n{}\n--m--\n",
        bo.export()
    ));
    let raw =
        pgp_mime(&bo.email, HELPLINE, "...", "bo-key@example.org", "", &bo.encrypt_sign(HELPLINE, inner.as_bytes()));
    let gateway = Gateway { keyring: Some(s.keyring.clone()), limits: Limits::default(), ..Default::default() };
    gateway.ingest(&mut db.conn(), &raw, "mailgate").unwrap();
    // Anyone can send mail as Bo with a key of their own: the key is pinned, unconfirmed,
    // and the reply written before it existed stays held.
    let beneficiary = rempart_store::cases::Case::get(&mut db.conn(), &held_case).unwrap().beneficiary_id;
    let bo_row = Beneficiary::get(&mut db.conn(), &beneficiary).unwrap();
    assert_eq!(bo_row.key_trust, Some(KeyTrust::Unconfirmed));
    let provenance = bo_row.key_provenance.unwrap_or_default();
    assert!(provenance.starts_with("attachment in message <bo-key@example.org>"), "{provenance}");
    assert_eq!(
        Message::get(&mut db.conn(), &id_held).unwrap().delivery_status,
        Some(DeliveryStatus::NeedsKey),
        "not released by a key learned from mail"
    );
    let detail = rempart_store::cases::Case::detail(&mut db.conn(), &held_case).unwrap();
    assert!(detail.flags.contains(&"reply_held_confirm_key".to_owned()), "{:?}", detail.flags);
    // The handler compares the fingerprint with Bo by phone and confirms it: the reply leaves.
    let fingerprint = Fingerprint::parse(&bo.fingerprint()).unwrap();
    Beneficiary::confirm_key(&mut db.conn(), &beneficiary, &fingerprint, "read out by phone", None).unwrap();
    assert_eq!(Message::get(&mut db.conn(), &id_held).unwrap().delivery_status, Some(DeliveryStatus::Queued));
    worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap();
    assert_eq!(Message::get(&mut db.conn(), &id_held).unwrap().delivery_status, Some(DeliveryStatus::Sent));
    let sent = s.smtp.messages();
    assert_eq!(sent.len(), 1);
    let (plaintext, _) = bo.decrypt(armored_block(&sent[0]).as_bytes());
    assert!(String::from_utf8_lossy(&plaintext).contains("protected-headers"));
}

/// Two workers (as two processes would) drain one outbox: each reply is sent exactly once.
fn two_workers_never_send_twice(db: TestDb) {
    let s = setup();
    let (case_id, reference) = first_contact(&db, &s, true);
    let ids: Vec<String> = (0..12).map(|n| queue_reply(&db, &case_id, &reference, &format!("Réponse {n}"))).collect();
    let a = worker(&db, &s.keyring, s.smtp.port, "a");
    let b = worker(&db, &s.keyring, s.smtp.port, "b");
    std::thread::scope(|scope| {
        for w in [&a, &b] {
            scope.spawn(move || while w.run_once().unwrap() > 0 {});
        }
    });
    for id in &ids {
        assert_eq!(Message::get(&mut db.conn(), id).unwrap().delivery_status, Some(DeliveryStatus::Sent));
    }
    assert_eq!(s.smtp.messages().len(), ids.len(), "each reply exactly once");
    assert_eq!(Outbox::pending(&mut db.conn()).unwrap(), 0);
}

/// A new key offered by mail is a pending change: replies wait (never silently to the old
/// key) until a handler decides. Rejected: they leave to the old key; accepted: to the new.
fn replies_wait_while_a_key_change_is_pending(db: TestDb) {
    let s = setup();
    let (case_id, reference) = first_contact(&db, &s, true);
    let gateway = Gateway { keyring: Some(s.keyring.clone()), limits: Limits::default(), ..Default::default() };
    let new_device = Gpg::new("Ana", &s.ana.email);
    new_device.import(s.keyring.public_armored().unwrap().as_bytes());
    let offer = |n: u32| {
        let key = new_device.export();
        let inner = support::crlf(&format!(
            "Content-Type: multipart/mixed; boundary=\"m\"; protected-headers=\"v1\"\nSubject: Nouvelle clé [{reference}]\n\n\
             --m\nContent-Type: text/plain; charset=utf-8\n\nNouveau téléphone.\n\
             --m\nContent-Type: application/pgp-keys; name=\"ana.asc\"\n\n{key}\n--m--\n"
        ));
        let raw = pgp_mime(
            &new_device.email,
            HELPLINE,
            "...",
            &format!("new-key-{n}@example.net"),
            "",
            &new_device.encrypt_sign(HELPLINE, inner.as_bytes()),
        );
        gateway.ingest(&mut db.conn(), &raw, "mailgate").unwrap();
    };
    let beneficiary = rempart_store::cases::Case::get(&mut db.conn(), &case_id).unwrap().beneficiary_id;
    let pending_change = |db: &TestDb| {
        Beneficiary::detail(&mut db.conn(), &beneficiary)
            .unwrap()
            .key_changes
            .into_iter()
            .find(|k| k.status == rempart_core::KeyChangeStatus::Pending)
            .expect("a pending key change")
            .id
    };

    offer(1);
    let first = queue_reply(&db, &case_id, &reference, "Première réponse pendant le changement.");
    worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap();
    assert_eq!(Message::get(&mut db.conn(), &first).unwrap().delivery_status, Some(DeliveryStatus::NeedsKey));
    assert!(s.smtp.messages().is_empty(), "not sent to the old key behind the handler's back");
    let flags = rempart_store::cases::Case::detail(&mut db.conn(), &case_id).unwrap().flags;
    assert!(flags.contains(&"reply_held_key_change".to_owned()), "{flags:?}");
    // Rejected: the held reply leaves, to the old key.
    Beneficiary::decide_key_change(&mut db.conn(), &pending_change(&db), false, None).unwrap();
    worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap();
    assert_eq!(Message::get(&mut db.conn(), &first).unwrap().delivery_status, Some(DeliveryStatus::Sent));
    let sent = s.smtp.messages();
    assert_eq!(sent.len(), 1);
    let first_sent = sent[0].clone();
    let (ok, _, _) = new_device.try_run(&["--decrypt"], armored_block(&sent[0]).as_bytes());
    assert!(!ok, "the rejected key cannot read it");
    s.ana.decrypt(armored_block(&sent[0]).as_bytes());

    // Offered again and accepted: the held reply leaves to the new key.
    offer(2);
    let second = queue_reply(&db, &case_id, &reference, "Deuxième réponse.");
    worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap();
    assert_eq!(Message::get(&mut db.conn(), &second).unwrap().delivery_status, Some(DeliveryStatus::NeedsKey));
    Beneficiary::decide_key_change(&mut db.conn(), &pending_change(&db), true, None).unwrap();
    worker(&db, &s.keyring, s.smtp.port, "w1").run_once().unwrap();
    assert_eq!(Message::get(&mut db.conn(), &second).unwrap().delivery_status, Some(DeliveryStatus::Sent));
    let sent = s.smtp.messages();
    assert_eq!(sent.len(), 2);
    // The maildir's file names do not keep the order of arrival: the new one is the other.
    let second = sent.iter().find(|m| **m != first_sent).expect("the second reply");
    let (plaintext, _) = new_device.decrypt(armored_block(second).as_bytes());
    assert!(String::from_utf8_lossy(&plaintext).contains("protected-headers"));
}

/// With `hold_and_ask_for_key`, the notice asking for a key carries a Message-ID, is signed
/// by the helpline (RFC 3156, verified by gpg) and says the fingerprint will be checked.
fn the_key_request_notice_is_signed_and_identified(db: TestDb) {
    let s = setup();
    let (case_id, reference) = first_contact(&db, &s, false);
    let id = queue_reply(&db, &case_id, &reference, "Rien en clair.");
    let mut w = worker(&db, &s.keyring, s.smtp.port, "w1");
    w.no_key = NoKeyPolicy::HoldAndAskForKey;
    w.run_once().unwrap();
    assert_eq!(Message::get(&mut db.conn(), &id).unwrap().delivery_status, Some(DeliveryStatus::NeedsKey));
    let sent = s.smtp.messages();
    assert_eq!(sent.len(), 1);
    // The test server's maildir keeps lines with LF; on the wire they were CRLF.
    let raw = support::crlf(&String::from_utf8_lossy(&sent[0]));
    assert!(!raw.contains("Rien en clair"));
    let message_id = header(&raw, "Message-ID").expect("a Message-ID");
    assert!(message_id.starts_with('<') && message_id.ends_with("@helpline.example>"), "{message_id}");
    assert!(raw.contains("multipart/signed") && raw.contains("protocol=\"application/pgp-signature\""));
    // RFC 3156: the first part, as it travels, is what was signed.
    let boundary = raw.split("boundary=\"").nth(1).and_then(|b| b.split('"').next()).expect("boundary").to_owned();
    let delimiter = format!("\r\n--{boundary}");
    let first = raw.find(&format!("--{boundary}\r\n")).expect("first part") + boundary.len() + 4;
    let end = first + raw[first..].find(&delimiter).expect("second delimiter");
    let signed = &raw[first..end];
    let sig_start = raw.find("-----BEGIN PGP SIGNATURE-----").expect("signature");
    let sig_end = raw.find("-----END PGP SIGNATURE-----").expect("signature end") + 27;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sig.asc"), &raw[sig_start..sig_end]).unwrap();
    std::fs::write(dir.path().join("data"), signed).unwrap();
    let bo = Gpg::new("Bo", "bo@example.org");
    bo.import(s.keyring.public_armored().unwrap().as_bytes());
    let sig = dir.path().join("sig.asc");
    let data = dir.path().join("data");
    let (ok, _, err) =
        bo.try_run(&["--status-fd", "2", "--verify", sig.to_str().unwrap(), data.to_str().unwrap()], b"");
    let status = String::from_utf8_lossy(&err);
    assert!(ok && status.contains("GOODSIG"), "{status}");
    use base64::Engine;
    let text_b64: String = signed
        .split("Content-Transfer-Encoding: base64\r\n\r\n")
        .nth(1)
        .and_then(|p| p.split("--").next())
        .unwrap()
        .split_whitespace()
        .collect();
    let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(text_b64).unwrap()).unwrap();
    assert!(text.contains("check its fingerprint with you"), "{text}");
}

on_both_backends!(
    replies_wait_while_a_key_change_is_pending,
    the_key_request_notice_is_signed_and_identified,
    reply_round_trip_through_smtp,
    each_correspondent_threads_on_their_own_mail,
    no_key_is_held_and_smtp_failures_are_retried,
    two_workers_never_send_twice
);
