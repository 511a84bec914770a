//! A handler's day with real mail: a beneficiary (GnuPG) writes an encrypted, signed mail
//! through `rempart mailgate`; it reaches the handler's queue without a reload; she reads
//! it decrypted with a good signature, confirms the key learned from the mail, answers
//! with a template (GnuPG at a real SMTP server decrypts it and checks the helpline's
//! signature), writes to a partner whose e-mail waits for their key, then closes the case.

use super::browser::Browser;
use super::first_sign_in;
use super::helpline::Helpline;
use crate::common::{ok, rempart, run, smtp_env};
use crate::mail_support::{Gpg, SmtpServer, crlf, pgp_mime};
use rempart_test_db::{TestDb, on_both_backends};

const HELPLINE: &str = "help@helpline.example";

/// The mail the SMTP server received for `gpg`'s address, read by `gpg`: the wire, the
/// plaintext and GnuPG's status lines.
fn read_sent(smtp: &SmtpServer, gpg: &Gpg) -> (String, String, String) {
    let to = format!("To: {}", gpg.email);
    let sent = smtp.messages().into_iter().map(|m| String::from_utf8_lossy(&m).into_owned());
    let wire = sent.into_iter().find(|m| m.contains(&to)).expect("a mail to them");
    let start = wire.find("-----BEGIN PGP MESSAGE-----").expect("armoured");
    let end = wire.find("-----END PGP MESSAGE-----").expect("armour end") + 25;
    let (plaintext, status) = gpg.decrypt(wire[start..end].replace("\r\n", "\n").as_bytes());
    let plaintext = String::from_utf8_lossy(&plaintext).replace("\r\n", "\n");
    // The inner part: protected headers, then the text in base64.
    let (headers, body) = plaintext.split_once("\n\n").expect("headers and body");
    use base64::Engine;
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let text = base64::engine::general_purpose::STANDARD.decode(compact).expect("base64 body");
    (wire, format!("{headers}\n\n{}", String::from_utf8_lossy(&text)), status)
}

fn a_handlers_day_with_real_mail(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    let helpline_key = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    let ana = Gpg::new("Ana Example", "ana@example.net");
    ana.import(helpline_key.as_bytes());
    let smtp = SmtpServer::start();
    let h = Helpline::serve_with(dir.path(), db.url(), &smtp_env(smtp.port));
    let hana = h.colleague("hana@helpline.example", "Hana Handler", "en");
    h.shift_now(&hana.id);

    let b = Browser::start("en", true);
    first_sign_in(&b, &h, &hana.email, &hana.password, None);
    assert!(b.url().ends_with("/check-in"), "{}", b.url());
    b.press("#fit-yes");
    b.click("form.stacked button[type=submit]");
    assert!(b.exists("#queue-mine"), "{}", b.url());

    // Ana writes in, encrypted and signed, her key attached, as Thunderbird sends it.
    let key = ana.export();
    let inner = crlf(&format!(
        "Content-Type: multipart/mixed; boundary=\"m\"; protected-headers=\"v1\"\nSubject: Phone seized at the border\n\n\
         --m\nContent-Type: text/plain; charset=utf-8\n\nThe police took my phone at the airport.\n\
         --m\nContent-Type: text/plain; name=\"threat.txt\"\nContent-Disposition: attachment; filename=\"threat.txt\"\n\n\
         We know where you live.\n\
         --m\nContent-Type: application/pgp-keys; name=\"ana.asc\"\n\n{key}\n--m--\n"
    ));
    let armored = ana.encrypt_sign(HELPLINE, inner.as_bytes());
    let raw = pgp_mime(&ana.email, HELPLINE, "...", "seized@example.net", "", &armored);
    let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), &raw));
    assert!(out.contains("\"stored\""), "{out}");

    // The new case shows in the queues without a reload; she takes it.
    b.wait_for("the mailed-in case in the queues", || b.text("#queue-new").contains("Phone seized"));
    b.click("#queue-new tbody a");
    b.click("form.take button");
    assert!(b.text("section.facts").contains("Hana Handler"), "{}", b.text("section.facts"));
    let message = b.text("li.entry.inbound");
    assert!(message.contains("The police took my phone"), "decrypted: {message}");
    assert!(message.contains("Good signature") && message.contains("Encrypted"), "{message}");
    let attached = b.text("li.entry.inbound .attachments");
    assert!(attached.contains("threat.txt") && attached.contains(".eml"), "her file, the mail as received: {attached}");
    let fate = b.text("#reply-fate");
    assert!(fate.contains("nobody has confirmed"), "a key learned from mail is not confirmed: {fate}");
    b.check_page("en-case-mail");

    // She calls Ana on Signal, they compare the fingerprint: the key is confirmed.
    b.fill("#key-how", "Fingerprint read aloud on a Signal call");
    b.click("form[action$='/key/confirmation'] button");
    assert!(b.text("#reply-fate").contains("(confirmed)"), "{}", b.text("#reply-fate"));

    // The reply starts from the initial-reply template and leaves encrypted and signed.
    b.select("#template", "tpl-en-initial");
    b.click("form.template-pick button");
    let reference = b.text(".case-head .reference");
    assert!(b.value("#reply-text").contains(&reference), "the reference filled in");
    b.click("#reply-submit");
    b.wait_for("the reply at the SMTP server", || !smtp.messages().is_empty());
    let (wire, plaintext, status) = read_sent(&smtp, &ana);
    assert!(!wire.contains("registered as"), "nothing in clear on the wire");
    assert!(status.contains("GOODSIG"), "the helpline's signature: {status}");
    assert!(plaintext.contains("Your request is registered as") && plaintext.contains(&reference), "{plaintext}");
    let case_url = h.url(&format!("/cases/{reference}"));
    b.wait_for("the reply marked sent", || {
        b.goto(&case_url);
        b.text("li.entry.outbound").contains("Sent")
    });

    // A partner CERT: her e-mail to them waits for their key, then leaves encrypted to it.
    let partner = Gpg::new("Partner CERT", "cert@partner.example");
    partner.import(helpline_key.as_bytes());
    b.press("details.party-new summary");
    b.fill("#party-organisation", "Partner CERT");
    b.select("#party-role", "partner");
    b.fill("#party-email", "cert@partner.example");
    b.click("#party-submit");
    assert!(b.text("div.party").contains("No OpenPGP key"), "{}", b.text("div.party"));
    b.press("div.party details:last-of-type summary");
    b.fill("div.party textarea[name=text]", "Can you look at the forensic image of a seized phone?");
    b.click("form[action$='/messages'] button");
    let held = b.text("li.entry.third-party");
    assert!(held.to_lowercase().contains("to partner cert"), "{held}");
    b.wait_for("the e-mail to the partner held for their key", || {
        b.goto(&case_url);
        b.text("li.entry.third-party").contains("Held: needs a key")
    });
    assert_eq!(smtp.messages().len(), 1, "nothing left in clear");
    b.press("div.party details:first-of-type summary");
    b.fill("div.party textarea[name=certificate]", &partner.export());
    b.click("form[action*='/third-parties/'][action$='/key'] button");
    assert!(b.text("div.party .party-key").contains(&partner.fingerprint()[..4]), "{}", b.text("div.party"));
    b.wait_for("the e-mail to the partner at the SMTP server", || smtp.messages().len() == 2);
    let (wire, plaintext, status) = read_sent(&smtp, &partner);
    assert!(wire.contains("To: cert@partner.example"), "{wire}");
    assert!(!wire.contains("seized@example.net"), "never threaded on the beneficiary's mail");
    assert!(status.contains("GOODSIG") && plaintext.contains("forensic image"), "{status} {plaintext}");

    // A comment, then the case is resolved and closed.
    b.fill("#comment-text", "Partner CERT will examine the image.");
    b.click("#comment-submit");
    b.click("form:has(input[value='open']) button");
    b.click("form:has(input[value='resolved']) button");
    b.click("form:has(input[value='closed']) button");
    assert!(b.text(".case-head .status").contains("Closed"), "{}", b.text(".case-head .status"));
}

on_both_backends!(a_handlers_day_with_real_mail);
