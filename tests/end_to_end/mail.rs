//! End-to-end mail: `keys`, `mailgate` fed like an MTA pipe, and `serve` sending an
//! encrypted reply to a real SMTP server, with GnuPG as the beneficiary.

use rempart_test_db::{TestDb, on_both_backends};
use std::time::{Duration, Instant};

use crate::common::{ok, rempart, run, serve, text};
use crate::mail_support::{Dovecot, Gpg, SmtpServer, autocrypt_header, crlf, pgp_mime, protected_inner};

const HELPLINE: &str = "help@helpline.example";

#[test]
fn keys_init_export_and_refusal_to_overwrite() {
    let dir = tempfile::tempdir().expect("dir");
    let out = ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    assert!(out.contains("created the helpline key"), "{out}");
    let key_file = dir.path().join("data/helpline-key.asc");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let public = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    assert!(public.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"), "{public}");
    assert!(!public.contains("PRIVATE"));
    let again = run(rempart(dir.path()).args(["keys", "init", "--uid", "Other <other@example.org>"]), "");
    assert!(!again.status.success(), "never replaces the helpline key");
    assert!(text(&again.stderr).contains("refusing"), "{}", text(&again.stderr));

    // GnuPG accepts the exported key.
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(public.as_bytes());
    let (ok_list, listed, _) = ana.try_run(&["--list-keys", HELPLINE], b"");
    assert!(ok_list && String::from_utf8_lossy(&listed).contains("Helpline"));

    // A helpline moving from GnuPG imports its existing secret key.
    let old = Gpg::new("Old helpline", "old@helpline.example");
    let secret = old.run(&["--armor", "--passphrase", "", "--export-secret-keys", &old.email], b"");
    let other = tempfile::tempdir().expect("dir");
    std::fs::write(other.path().join("old.asc"), &secret).expect("write");
    ok(&run(rempart(other.path()).args(["keys", "import", "old.asc"]), ""));
    let exported = ok(&run(rempart(other.path()).args(["keys", "export"]), ""));
    let check = Gpg::new("Check", "check@example.net");
    check.import(exported.as_bytes());
    let listed = String::from_utf8(check.run(&["--with-colons", "--list-keys", &old.email], b"")).expect("utf-8");
    assert!(listed.contains(&old.fingerprint()), "the imported key is the one exported: {listed}");
    // A public key is not a helpline key.
    let third = tempfile::tempdir().expect("dir");
    std::fs::write(third.path().join("public.asc"), old.export()).expect("write");
    let refused = run(rempart(third.path()).args(["keys", "import", "public.asc"]), "");
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("no secret key material"), "{}", text(&refused.stderr));
}

#[test]
fn mailgate_exits_75_when_the_database_is_unreachable() {
    let dir = tempfile::tempdir().expect("dir");
    let raw = crate::mail_support::plain("ana@example.net", "Bonjour", "m1@example.net", "Aidez-moi.");
    let out =
        run(rempart(dir.path()).args(["--database", "postgres://postgres@127.0.0.1:1/nowhere", "mailgate"]), &raw);
    assert_eq!(out.status.code(), Some(75), "EX_TEMPFAIL so that the MTA keeps the message: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not stored"), "{}", text(&out.stderr));
}

/// An MTA pipes an encrypted message and some garbage into `mailgate`; `serve` then sends
/// the handler's reply encrypted through SMTP, and GnuPG reads it.
fn mailgate_then_encrypted_reply_through_serve(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    let public = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(public.as_bytes());

    // The first message carries Ana's key as an attachment.
    let key = ana.export();
    let inner = crate::mail_support::crlf(&format!(
        "Content-Type: multipart/mixed; boundary=\"m\"; protected-headers=\"v1\"\nSubject: Téléphone saisi\n\n\
         --m\nContent-Type: text/plain; charset=utf-8\n\nLa police a pris mon téléphone.\n\
         --m\nContent-Type: application/pgp-keys; name=\"ana.asc\"\n\n{key}\n--m--\n"
    ));
    let raw =
        pgp_mime(&ana.email, HELPLINE, "...", "first@example.net", "", &ana.encrypt_sign(HELPLINE, inner.as_bytes()));
    let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), &raw));
    let outcome: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON outcome");
    assert_eq!(outcome["outcome"], "stored", "{outcome}");
    assert_eq!(outcome["new_case"], true);
    let case_id = outcome["case_id"].as_str().expect("case id").to_owned();

    // The same delivery again: a duplicate, nothing stored twice.
    let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), &raw));
    assert!(out.contains("\"duplicate\""), "{out}");

    let garbage = b"\x00\x01 not a message".to_vec();
    let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), &garbage));
    assert!(out.contains("\"quarantined\""), "exit 0: the bytes are committed to the quarantine: {out}");

    let smtp = SmtpServer::start();
    let served = serve(
        dir.path(),
        db.url(),
        &[crate::common::smtp_env(smtp.port), vec![("REMPART_ESCALATION__POLL_SECS", "1".into())]].concat(),
    );
    let client = reqwest::blocking::Client::new();
    let get = |path: &str| client.get(served.url(path)).bearer_auth(&served.token).send().expect("request");

    // With `serve` running, mailgate hands the message over its socket: it works even when
    // this mailgate could not reach the database itself.
    let inner = protected_inner("Par la socket", "Deuxième message.");
    let raw2 = pgp_mime(&ana.email, HELPLINE, "...", "second@example.net", "", &ana.encrypt_sign(HELPLINE, &inner));
    let out = ok(&run(
        rempart(dir.path()).args(["--database", "postgres://postgres@127.0.0.1:1/nowhere", "mailgate"]),
        &raw2,
    ));
    assert!(out.contains("\"stored\""), "{out}");

    // The public key, as served to beneficiaries and by WKD.
    let served_key = client.get(served.url("/api/v1/helpline-key")).send().expect("key");
    assert_eq!(served_key.status().as_u16(), 200);
    assert_eq!(served_key.headers()["content-type"], "application/pgp-keys");
    assert_eq!(served_key.text().expect("text"), public);
    let wkd =
        client.get(served.url("/.well-known/openpgpkey/hu/1eyf7u3ztd7qiy4gw6e39qongecekapm")).send().expect("wkd");
    assert_eq!(wkd.status().as_u16(), 200, "WKD entry for the local part `help`");
    assert!(!wkd.bytes().expect("bytes").is_empty());

    // The quarantine lists the garbage, with its bytes intact.
    let items: serde_json::Value = get("/api/v1/mail/quarantine").json().expect("json");
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["reason_code"], "malformed");
    let raw_back = get(&format!("/api/v1/mail/quarantine/{}/raw", items[0]["id"].as_str().expect("id")));
    assert_eq!(raw_back.bytes().expect("bytes").to_vec(), garbage);

    // The case as the handler sees it: decrypted, protected subject, good signature.
    let case: serde_json::Value = get(&format!("/api/v1/cases/{case_id}")).json().expect("case");
    assert_eq!(case["summary"], "Téléphone saisi");
    assert_eq!(case["messages"][0]["signature_status"], "good");
    assert_eq!(case["messages"][0]["encrypted"], true);
    assert_eq!(case["beneficiary"]["verification_status"], "unverified");

    // Marked critical: the service's escalation timer raises it within its poll.
    let etag = get(&format!("/api/v1/cases/{case_id}")).headers()["etag"].to_str().expect("etag").to_owned();
    client
        .patch(served.url(&format!("/api/v1/cases/{case_id}")))
        .bearer_auth(&served.token)
        .header("if-match", etag)
        .json(&serde_json::json!({"urgency": "critical"}))
        .send()
        .and_then(|r| r.error_for_status())
        .expect("critical");
    let deadline = Instant::now() + Duration::from_secs(60);
    let escalations = loop {
        let list: serde_json::Value = get(&format!("/api/v1/cases/{case_id}/escalations")).json().expect("escalations");
        let critical = list.as_array().is_some_and(|l| l.iter().any(|e| e["kind"] == "imminent_risk"));
        if critical || Instant::now() > deadline {
            break list;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let kinds: Vec<&str> = escalations.as_array().expect("list").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(kinds.contains(&"imminent_risk"), "{escalations}");
    assert!(kinds.contains(&"unassigned"), "nobody was on shift to take the mailed-in case: {escalations}");

    let reply: serde_json::Value = client
        .post(served.url(&format!("/api/v1/cases/{case_id}/replies")))
        .bearer_auth(&served.token)
        .json(&serde_json::json!({"body": "Ne rallumez pas le téléphone. Nous vous appelons."}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("reply queued");
    assert_eq!(reply["delivery_status"], "queued");
    let reply_id = reply["id"].as_str().expect("id").to_owned();

    // The worker polls every second; wait for the outcome (not a timing assertion).
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let messages: serde_json::Value = get(&format!("/api/v1/cases/{case_id}/messages")).json().expect("messages");
        let status = messages
            .as_array()
            .and_then(|all| all.iter().find(|m| m["id"] == reply_id.as_str()))
            .map(|m| m["delivery_status"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        if status != "queued" || Instant::now() > deadline {
            break status;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status, "sent");
    let sent = smtp.messages();
    assert_eq!(sent.len(), 1);
    let text_sent = String::from_utf8_lossy(&sent[0]).into_owned();
    assert!(!text_sent.contains("rallumez"), "nothing in clear on the wire");
    let start = text_sent.find("-----BEGIN PGP MESSAGE-----").expect("armored");
    let end = text_sent.find("-----END PGP MESSAGE-----").expect("armored end") + 25;
    let (plaintext, status) = ana.decrypt(text_sent[start..end].replace("\r\n", "\n").as_bytes());
    assert!(status.contains("GOODSIG"), "{status}");
    let plaintext = String::from_utf8_lossy(&plaintext).into_owned();
    assert!(plaintext.contains("protected-headers=\"v1\""), "{plaintext}");
    let encoded = plaintext
        .lines()
        .find_map(|l| l.strip_prefix("Subject: =?utf-8?B?"))
        .and_then(|l| l.strip_suffix("?="))
        .expect("the protected subject, RFC 2047 encoded");
    use base64::Engine;
    let subject = base64::engine::general_purpose::STANDARD.decode(encoded).expect("base64");
    let reference = case["reference"].as_str().expect("reference");
    assert_eq!(String::from_utf8(subject).expect("utf-8"), format!("Re: Téléphone saisi [{reference}]"));
}

/// `serve` fetches the helpline's mailbox over IMAP (Dovecot) and files the message.
#[test]
fn serve_fetches_the_mailbox_over_imap() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("dir");
    ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    let public = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(public.as_bytes());
    let dovecot = Dovecot::start();
    let raw = pgp_mime(
        &ana.email,
        HELPLINE,
        "...",
        "imap-e2e@example.net",
        "",
        &ana.encrypt_sign(HELPLINE, &protected_inner("Arrivé par IMAP", "Bonjour par IMAP.")),
    );
    dovecot.deliver("INBOX", &raw);
    let served = serve(dir.path(), db.url(), &crate::common::imap_env(dovecot.port));
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let cases = loop {
        let cases: serde_json::Value = client
            .get(served.url("/api/v1/cases"))
            .bearer_auth(&served.token)
            .send()
            .and_then(|r| r.json())
            .expect("cases");
        let found = cases["items"].as_array().is_some_and(|items| !items.is_empty());
        if found || Instant::now() > deadline {
            break cases;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(cases["items"][0]["summary"], "Arrivé par IMAP", "{cases}");
    assert!(dovecot.flags("INBOX").iter().all(|(_, f)| f.contains("\\Seen")), "marked after the commit");
}

/// An oversized message is quarantined whole, whichever way mailgate stores it: through the
/// socket of a running serve, or directly when it is too large for the socket.
#[test]
fn oversized_mail_is_quarantined_whole_through_the_socket_or_not() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("dir");
    let limit = [("REMPART_MAIL__MAX_MESSAGE_BYTES", "1000".to_owned())];
    let served = serve(dir.path(), db.url(), &limit);
    let mailgate = |database: &str, raw: &[u8]| {
        let mut cmd = rempart(dir.path());
        cmd.args(["--database", database, "mailgate"]).env(limit[0].0, &limit[0].1);
        ok(&run(&mut cmd, raw))
    };
    // 1,500 bytes: over the limit, within what the socket takes. The unreachable database
    // proves it went through serve.
    let medium = crate::mail_support::plain("ana@example.net", "Long", "medium@example.net", &"m".repeat(1300));
    let out = mailgate("postgres://postgres@127.0.0.1:1/nowhere", &medium);
    assert!(out.contains("\"too_large\""), "{out}");
    // 5,000 bytes: more than the socket takes; stored directly, not cut.
    let large = crate::mail_support::plain("ana@example.net", "Longer", "large@example.net", &"l".repeat(4800));
    let out = mailgate(db.url(), &large);
    assert!(out.contains("\"too_large\""), "{out}");
    let client = reqwest::blocking::Client::new();
    let items: serde_json::Value = client
        .get(served.url("/api/v1/mail/quarantine"))
        .bearer_auth(&served.token)
        .send()
        .and_then(|r| r.json())
        .expect("quarantine");
    let mut kept: Vec<Vec<u8>> = items
        .as_array()
        .expect("list")
        .iter()
        .map(|item| {
            let id = item["id"].as_str().expect("id");
            client
                .get(served.url(&format!("/api/v1/mail/quarantine/{id}/raw")))
                .bearer_auth(&served.token)
                .send()
                .and_then(|r| r.bytes())
                .expect("raw")
                .to_vec()
        })
        .collect();
    kept.sort_by_key(Vec::len);
    assert_eq!(kept, [medium, large], "both kept byte for byte");
}

/// Waits (polling, not timing) until the message leaves `from_status`; answers its status.
fn wait_for_status(served: &crate::common::Served, case_id: &str, message_id: &str, from_status: &str) -> String {
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let messages: serde_json::Value = client
            .get(served.url(&format!("/api/v1/cases/{case_id}/messages")))
            .bearer_auth(&served.token)
            .send()
            .and_then(|r| r.json())
            .expect("messages");
        let status = messages
            .as_array()
            .and_then(|all| all.iter().find(|m| m["id"] == message_id))
            .and_then(|m| m["delivery_status"].as_str())
            .unwrap_or_default()
            .to_owned();
        if status != from_status || Instant::now() > deadline {
            return status;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Issue 12, item 1: a reply waits as `needs_key` for someone@example.com. An attacker
/// sends a plaintext, unsigned message `From: someone@example.com` with an Autocrypt header
/// carrying their own key, through `rempart mailgate` like an MTA. The key is pinned, but
/// unconfirmed: the held reply stays held and the case says why, with the fingerprint and
/// where it came from. When the real beneficiary sends their key and a handler accepts it
/// after comparing fingerprints by phone, the reply leaves to them, never to the attacker.
fn a_forged_autocrypt_key_never_receives_a_held_reply(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    let public = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    let victim = Gpg::new("Someone", "someone@example.com");
    victim.import(public.as_bytes());
    let attacker = Gpg::new("Someone", "someone@example.com");
    let mailgate = |raw: &[u8]| {
        let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), raw));
        let outcome: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON outcome");
        assert_eq!(outcome["outcome"], "stored", "{outcome}");
        outcome
    };
    let first = crate::mail_support::plain(&victim.email, "Besoin d'aide", "someone-1@example.com", "On me menace.");
    let case_id = mailgate(&first)["case_id"].as_str().expect("case").to_owned();

    let smtp = SmtpServer::start();
    let served = serve(dir.path(), db.url(), &crate::common::smtp_env(smtp.port));
    let client = reqwest::blocking::Client::new();
    let get = |path: &str| -> serde_json::Value {
        client.get(served.url(path)).bearer_auth(&served.token).send().and_then(|r| r.json()).expect("get")
    };
    let post = |path: &str, body: serde_json::Value| {
        client.post(served.url(path)).bearer_auth(&served.token).json(&body).send().expect("post")
    };
    let reply =
        post(&format!("/api/v1/cases/{case_id}/replies"), serde_json::json!({"body": "Voici où nous trouver."}));
    let reply: serde_json::Value = reply.error_for_status().and_then(|r| r.json()).expect("reply queued");
    let reply_id = reply["id"].as_str().expect("id").to_owned();
    assert_eq!(wait_for_status(&served, &case_id, &reply_id, "queued"), "needs_key");

    // The forgery: plaintext, unsigned, the victim's From, the attacker's key.
    let mut forged = crlf(&autocrypt_header(&attacker));
    forged.push_str(
        &String::from_utf8(crate::mail_support::plain(
            &victim.email,
            "Re: Besoin d'aide",
            "forged@evil.example",
            "Ma nouvelle clé est dans l'en-tête.",
        ))
        .expect("utf-8"),
    );
    let forged_case = mailgate(forged.as_bytes())["case_id"].as_str().expect("case").to_owned();
    let case = get(&format!("/api/v1/cases/{case_id}"));
    let beneficiary = &case["beneficiary"];
    assert_eq!(beneficiary["pgp_fingerprint"], attacker.fingerprint().as_str(), "pinned, as learned");
    assert_eq!(beneficiary["key_trust"], "unconfirmed");
    let provenance = beneficiary["key_provenance"].as_str().unwrap_or_default();
    assert!(
        provenance.contains("autocrypt in message <forged@evil.example>") && provenance.contains("not signed"),
        "{provenance}"
    );
    let flags: Vec<&str> = case["flags"].as_array().expect("flags").iter().filter_map(|f| f.as_str()).collect();
    assert!(flags.contains(&"reply_held_confirm_key"), "{flags:?}");
    // Held, and not even back in the outbox: nothing can take it to the attacker's key.
    let messages = get(&format!("/api/v1/cases/{case_id}/messages"));
    let held = messages.as_array().expect("messages").iter().find(|m| m["id"] == reply_id.as_str()).cloned();
    assert_eq!(held.expect("the reply")["delivery_status"], "needs_key");
    let forged_in = get(&format!("/api/v1/cases/{forged_case}/messages"));
    assert_eq!(forged_in[0]["sender_address"], "someone@example.com", "{forged_in}");

    // The handler calls the beneficiary: the fingerprints differ, and confirming the real
    // one is refused (it is not the pinned key).
    let beneficiary_id = beneficiary["id"].as_str().expect("id").to_owned();
    let refused = post(
        &format!("/api/v1/beneficiaries/{beneficiary_id}/key/confirmation"),
        serde_json::json!({"fingerprint": victim.fingerprint(), "how": "read out by phone"}),
    );
    assert_eq!(refused.status().as_u16(), 409);

    // The real beneficiary sends their key, signed and encrypted: a pending change, accepted
    // by the handler after comparing fingerprints by phone.
    let inner = protected_inner("Ma vraie clé", "Voici ma clé.");
    let real = pgp_mime(
        &victim.email,
        HELPLINE,
        "...",
        "someone-2@example.com",
        &autocrypt_header(&victim),
        &victim.encrypt_sign(HELPLINE, &inner),
    );
    mailgate(&real);
    let detail = get(&format!("/api/v1/beneficiaries/{beneficiary_id}"));
    let change = detail["key_changes"]
        .as_array()
        .expect("key changes")
        .iter()
        .find(|k| k["status"] == "pending" && k["new_fingerprint"] == victim.fingerprint().as_str())
        .expect("the real key waits for a decision")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let accepted = post(
        &format!("/api/v1/beneficiaries/{beneficiary_id}/key-changes/{change}/decision"),
        serde_json::json!({"accept": true}),
    );
    assert_eq!(accepted.status().as_u16(), 200);
    assert_eq!(wait_for_status(&served, &case_id, &reply_id, "queued"), "sent");
    let sent = smtp.messages();
    assert_eq!(sent.len(), 1, "one reply, to one key");
    let text_sent = String::from_utf8_lossy(&sent[0]).into_owned();
    let start = text_sent.find("-----BEGIN PGP MESSAGE-----").expect("armored");
    let end = text_sent.find("-----END PGP MESSAGE-----").expect("armored end") + 25;
    let armored = text_sent[start..end].replace("\r\n", "\n");
    let (attacker_reads, _, _) = attacker.try_run(&["--decrypt"], armored.as_bytes());
    assert!(!attacker_reads, "the attacker's key cannot read the reply");
    let (plaintext, status) = victim.decrypt(armored.as_bytes());
    assert!(status.contains("GOODSIG"), "{status}");
    assert!(!plaintext.is_empty());
}

on_both_backends!(mailgate_then_encrypted_reply_through_serve, a_forged_autocrypt_key_never_receives_a_held_reply);
