//! The web console in a real browser (Debian's Chromium): a handler's day from sign-in to
//! a closed case, with JavaScript and without, in English and French; what must be refused
//! (a form without its CSRF token, an expired session, a colleague's restricted case).

mod admin;
mod browser;
mod helpline;
mod lead_week;
mod mail_day;
mod unlock;
mod work;

use browser::Browser;
use helpline::{Helpline, NEW_PASSWORD, totp_code};
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

/// Signs in on the sign-in page (where any console page sends a browser without session).
fn sign_in(b: &Browser, email: &str, password: &str, code: &str) {
    b.fill("#email", email);
    b.fill("#password", password);
    b.fill("#code", code);
    b.click("form.stacked button[type=submit]");
}

/// First sign-in of a new colleague: the one-time password, then their own.
fn first_sign_in(b: &Browser, h: &Helpline, email: &str, one_time: &str, screenshots: Option<&str>) {
    b.goto(&h.url("/"));
    assert!(b.url().contains("/login"), "a console page without session leads to the sign-in page: {}", b.url());
    if let Some(lang) = screenshots {
        b.check_page(&format!("{lang}-login"));
    }
    sign_in(b, email, one_time, "");
    assert!(b.url().ends_with("/password"), "a one-time password must be replaced first: {}", b.url());
    if let Some(lang) = screenshots {
        b.check_page(&format!("{lang}-password-change"));
    }
    b.fill("#current", one_time);
    b.fill("#new", NEW_PASSWORD);
    b.fill("#repeat", "another sentence entirely");
    b.click("form.stacked button[type=submit]");
    assert!(b.exists("#repeat-error"), "the mismatch is said beside its field");
    b.fill("#current", one_time);
    b.fill("#new", NEW_PASSWORD);
    b.fill("#repeat", NEW_PASSWORD);
    b.click("form.stacked button[type=submit]");
    assert!(!b.url().ends_with("/password"), "the password was changed: {}", b.url());
}

fn a_handlers_day(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let h = Helpline::serve(dir.path(), db.url());
    let mut hana = h.colleague("hana@helpline.example", "Hana Handler", "en");
    let colin = h.colleague("colin@helpline.example", "Colin Colleague", "fr");
    let (mine, mine_id) = h.case(
        "Compte Signal piraté, l'attaquant écrit aux contacts",
        "Ana Example",
        "ana@example.org",
        json!({"urgency": "high"}),
    );
    h.assign(&mine_id, &hana.id);
    let (hidden, hidden_id) = h.case(
        "Restricted: a source inside a ministry",
        "Bo Example",
        "bo@example.org",
        json!({"sensitivity": "restricted"}),
    );
    h.assign(&hidden_id, &colin.id);

    h.shift_now(&hana.id);

    let b = Browser::start("en", true);
    first_sign_in(&b, &h, &hana.email, &hana.password, Some("en"));
    hana.password = NEW_PASSWORD.to_owned();

    // Her shift has begun: the console asks first whether she is fit to take cases.
    assert!(b.url().ends_with("/check-in"), "the start-of-shift question comes first: {}", b.url());
    b.check_page("en-check-in");
    b.click("form.stacked button[type=submit]");
    assert!(b.exists("#fit-error"), "an answer is needed");
    b.press("#fit-yes");
    b.fill("#note", "Slept badly, but fine for this afternoon.");
    b.click("form.stacked button[type=submit]");
    assert!(b.exists("#queue-mine"), "answered: the queues: {}", b.url());
    b.goto(&h.url("/check-in"));
    assert!(b.text(".history").contains("Slept badly"), "her note, for her to read later");
    b.goto(&h.url("/"));

    // She sets up her authenticator on her account page (a QR code drawn on the server).
    b.goto(&h.url("/account"));
    b.click("#totp-begin");
    let qr = b.attribute(".qr img", "src");
    assert!(qr.starts_with("data:image/svg+xml;base64,"), "{qr}");
    b.check_page("en-account-totp");
    let secret = b.text("#totp-secret");
    b.fill("#code", "000000");
    b.click("#totp-confirm");
    assert!(b.exists("#code-error") && b.text("#totp-secret") == secret, "a wrong code: the same secret, the error");
    b.fill("#code", &totp_code(&secret, 0));
    b.click("#totp-confirm");
    assert!(b.text(".fate").contains("On:"), "enrolled, and still signed in: {}", b.url());
    // From now on signing in needs the code.
    b.click("form.signout button");
    assert!(b.url().contains("/login"), "signed out: {}", b.url());
    sign_in(&b, &hana.email, &hana.password, "");
    assert!(b.exists("#code-error"), "an enrolled account is asked for its code");
    sign_in(&b, &hana.email, &hana.password, &totp_code(&secret, 1));
    assert!(b.exists("#queue-mine"), "signed in with TOTP: {}", b.url());

    // The queues: her case; never the colleague's restricted one.
    let queues = b.text("#queue-mine");
    assert!(queues.contains(&mine), "{queues}");
    assert!(!b.source().contains(&hidden), "a colleague's restricted case is invisible");
    b.check_page("en-queues");

    // A new case arrives: the list shows it without a reload.
    let (arrived, _) = h.case("Doxxing on a forum", "Chris Example", "chris@example.org", json!({}));
    b.wait_for("the new case in the queue, without a reload", || b.text("#queue-new").contains(&arrived));

    // The case.
    b.click(&format!("a[href='/cases/{mine}']"));
    assert!(b.text("h1").contains("Compte Signal piraté"), "{}", b.text("h1"));
    assert!(b.text("#reply-fate").contains("held"), "no key yet: the reply will be held: {}", b.text("#reply-fate"));
    b.check_page("en-case");

    // An empty comment is refused beside its field; a comment is added, marked internal.
    b.click("#comment-submit");
    assert!(b.text("#comment-error").contains("Write something"), "{}", b.text("#comment-error"));
    b.fill("#comment-text", "Called Ana back on Signal: she still has access to her phone.");
    b.click("#comment-submit");
    let comment = b.text("li.entry.comment");
    assert!(comment.contains("Called Ana back") && comment.contains("INTERNAL COMMENT"), "{comment}");
    assert_eq!(h.comments(&mine_id).len(), 1);

    // A reply, queued for the gateway.
    b.fill("#reply-text", "Hello Ana, we have your message and will call you at 15:00.");
    b.click("#reply-submit");
    assert!(b.text("li.entry.outbound").contains("we have your message"), "{}", b.text("li.entry.outbound"));

    // A capture of the threat, kept as evidence with its SHA-256, and downloaded intact.
    let capture = dir.path().join("capture of the threat.txt");
    std::fs::write(&capture, "Pay or we publish your contacts.").expect("capture");
    b.attach("#evidence-file", &capture);
    b.fill("#evidence-description", "the SMS, as she forwarded it");
    b.click("#evidence-submit");
    let digest = rempart_store::evidence::sha256_hex(b"Pay or we publish your contacts.");
    assert!(b.text("section.evidence table").contains(&digest), "{}", b.text("section.evidence"));
    let href = b.attribute("section.evidence a[download]", "href");
    let cookie = b.cookie("rempart").expect("session cookie");
    let file = reqwest::blocking::Client::new()
        .get(h.url(&href))
        .header("Cookie", format!("rempart={cookie}"))
        .send()
        .expect("download");
    assert_eq!(file.headers()["content-type"], "application/octet-stream", "never rendered");
    assert_eq!(file.bytes().expect("bytes").as_ref(), b"Pay or we publish your contacts.");
    b.check_page("en-case-evidence");

    // Someone else moves the case meanwhile: the move is not made, and the page says why.
    let case = h.call(reqwest::Method::GET, &format!("/api/v1/cases/{mine_id}"), None);
    assert_eq!(case["status"], "new");
    h.call(reqwest::Method::POST, &format!("/api/v1/cases/{mine_id}/transitions"), Some(json!({"to": "open"})));
    b.click("form[action$='/status'] button");
    assert!(b.text(".notice.stale").contains("Someone else changed"), "{}", b.text(".notice.stale"));
    b.check_page("en-case-stale");

    // Resolved, then closed, with the buttons of the allowed moves.
    b.click("form:has(input[value='resolved']) button");
    assert!(b.text(".case-head .status").contains("Resolved"));
    b.click("form:has(input[value='closed']) button");
    assert!(b.text(".case-head .status").contains("Closed"));
    b.goto(&h.url("/"));
    assert!(b.text("#queue-closed").contains(&mine));

    // The restricted case of a colleague does not exist for her, by reference or id.
    for path in [format!("/cases/{hidden}"), format!("/cases/{hidden_id}")] {
        b.goto(&h.url(&path));
        assert!(b.text("h1").contains("Nothing here"), "{path}: {}", b.text("h1"));
        assert!(!b.source().contains("ministry"));
    }
}

/// Seed 001's question ("has this number been reported?"), the search, and the
/// beneficiary's key entered by hand; a colleague's restricted case stays out of all of it.
fn search_indicators_and_keys(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    // National numbers are read as the helpline's region writes them.
    let h = Helpline::serve_with(dir.path(), db.url(), &[("REMPART_INDICATORS__DEFAULT_REGION", "FR".to_owned())]);
    let hana = h.colleague("hana@helpline.example", "Hana Handler", "en");
    let colin = h.colleague("colin@helpline.example", "Colin Colleague", "fr");
    let (mine, mine_id) = h.case("Threats by text message", "Ana Example", "ana@example.org", json!({}));
    h.assign(&mine_id, &hana.id);
    let (earlier, earlier_id) = h.case("Same number called a journalist", "Bo Example", "bo@example.org", json!({}));
    let (hidden, hidden_id) = h.case(
        "Restricted: the same number again",
        "Cy Example",
        "cy@example.org",
        json!({"sensitivity": "restricted"}),
    );
    h.assign(&hidden_id, &colin.id);
    for case in [&earlier_id, &hidden_id] {
        h.call(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{case}/indicators"),
            Some(json!({"kind": "phone", "value": "+33 6 12 34 56 78"})),
        );
    }
    let b = Browser::start("en", true);
    first_sign_in(&b, &h, &hana.email, &hana.password, None);

    // On her case: a value that is not a phone number is refused beside the field; the
    // number as the beneficiary wrote it is normalised and found in the earlier case only.
    b.goto(&h.url(&format!("/cases/{mine}")));
    b.select("#indicator-kind", "phone");
    b.fill("#indicator-value", "not a number");
    b.click("#indicator-submit");
    assert!(b.exists("#indicator-error"), "an unreadable value is said beside the field");
    assert_eq!(b.value("#indicator-value"), "not a number", "what was typed is kept");
    assert_eq!(b.value("#indicator-kind"), "phone", "the chosen kind is kept");
    b.fill("#indicator-value", "06.12.34.56.78");
    b.fill("#indicator-note", "caller of the threats");
    b.click("#indicator-submit");
    let table = b.text("section.indicators table");
    assert!(table.contains("+33612345678") && table.contains(&earlier), "{table}");
    assert!(!b.source().contains(&hidden), "never the colleague's restricted case");
    b.check_page("en-case-indicators");
    b.click(&format!("section.indicators a[href='/cases/{earlier}']"));
    assert!(b.text("h1").contains("Same number"), "the correlation is followed");

    // The search: by indicator, by beneficiary, by words, by reference.
    b.goto(&h.url("/search"));
    b.check_page("en-search");
    b.fill("#indicator", "+33612345678");
    b.click("form.search button[type=submit]");
    let found = b.text("#matches-title + table");
    assert!(found.contains(&mine) && found.contains(&earlier) && !found.contains(&hidden), "{found}");
    b.check_page("en-search-results");
    b.goto(&h.url("/search?beneficiary=ana%40example"));
    assert!(b.text("section.results").contains(&mine));
    b.goto(&h.url("/search?q=restricted"));
    assert!(!b.source().contains(&hidden), "words of a restricted case are not found by others");
    b.goto(&h.url(&format!("/search?q={mine}")));
    assert!(b.url().ends_with(&format!("/cases/{mine}")), "a reference opens its case: {}", b.url());
    b.goto(&h.url("/search?urgency=loud"));
    assert!(b.exists(".error"), "a filter the API would refuse is said");

    // The beneficiary's key, given on a call and entered by hand: replies will be encrypted.
    let ana = crate::mail_support::Gpg::new("Ana Example", "ana@example.org");
    b.goto(&h.url(&format!("/cases/{mine}")));
    b.press(".key-entry summary");
    b.fill("#certificate", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot a key\n");
    b.click(".key-entry button");
    assert!(b.exists("#certificate-error"), "an unreadable key is said beside the field");
    b.fill("#certificate", &ana.export());
    b.click(".key-entry button");
    let fingerprint = ana.fingerprint();
    let grouped: Vec<String> =
        fingerprint.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    assert!(b.text("#key-line").contains(&grouped.join(" ")), "{}", b.text("#key-line"));
    assert!(b.text("#reply-fate").contains("(confirmed)"), "{}", b.text("#reply-fate"));
    b.check_page("en-case-key");

    // A reply from a template of her language, its placeholders filled.
    b.select("#template", "tpl-en-initial");
    b.click("form.template-pick button");
    let reply = b.value("#reply-text");
    assert!(
        reply.starts_with("Hello Ana Example,") && reply.contains(&mine) && reply.ends_with("Hana Handler"),
        "{reply}"
    );
    b.click("#reply-submit");
    assert!(b.text("li.entry.outbound").contains("Your request is registered as"));
}

/// In French: the user's language decides every word; the pages are checked and drawn.
fn in_french(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let h = Helpline::serve(dir.path(), db.url());
    let colin = h.colleague("colin@helpline.example", "Colin Colleague", "fr");
    let (reference, id) = h.case("Menaces reçues par SMS", "Dee Example", "dee@example.org", json!({}));
    h.assign(&id, &colin.id);
    let b = Browser::start("fr", true);
    first_sign_in(&b, &h, &colin.email, &colin.password, Some("fr"));
    assert!(b.text("h1").contains("Dossiers"), "{}", b.text("h1"));
    b.check_page("fr-queues");
    b.click(&format!("a[href='/cases/{reference}']"));
    b.check_page("fr-case");
    assert!(b.text("#template").contains("Première réponse"), "templates in his language: {}", b.text("#template"));
    b.click("#comment-submit");
    assert!(b.text("#comment-error").contains("Écrivez"), "{}", b.text("#comment-error"));
    b.check_page("fr-case-error");
    b.goto(&h.url("/cases/RMP-2000-999999"));
    assert!(b.text("h1").contains("Rien ici"), "{}", b.text("h1"));
    b.check_page("fr-not-found");
    b.goto(&h.url("/check-in"));
    b.check_page("fr-check-in");
    b.goto(&h.url("/search?q=menaces"));
    b.check_page("fr-search");
    b.goto(&h.url("/cases/new"));
    b.check_page("fr-new-case");

    // His choice: the console in English, times in Montreal.
    b.goto(&h.url("/account"));
    b.check_page("fr-account");
    b.select("#language", "en");
    b.select("#time_zone", "America/Montreal");
    b.click("#preferences-submit");
    assert_eq!(b.text("h1"), "My account");
    assert_eq!(b.value("#time_zone"), "America/Montreal");
}

/// In Spanish, the console's third language: the queues and a case, checked and drawn.
fn in_spanish(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let h = Helpline::serve(dir.path(), db.url());
    let elena = h.colleague("elena@helpline.example", "Elena Colega", "es");
    let fe = json!({"display_name": "Fe Example", "emails": ["fe@example.org"], "audience_type": "journalist"});
    let (reference, id) = h.case("Amenazas por SMS", "Fe Example", "fe@example.org", json!({"beneficiary": fe}));
    h.assign(&id, &elena.id);
    let b = Browser::start("es", true);
    first_sign_in(&b, &h, &elena.email, &elena.password, Some("es"));
    assert_eq!(b.text("h1"), "Casos");
    b.check_page("es-queues");
    b.click(&format!("a[href='/cases/{reference}']"));
    assert!(b.text("#reply-title").contains("Responder"), "{}", b.text("#reply-title"));
    assert!(b.text("#template").contains("Primera respuesta"), "templates in her language: {}", b.text("#template"));
    assert!(b.text("main").contains("Periodista"), "the audience's label in her language");
    b.click("#comment-submit");
    assert!(b.text("#comment-error").contains("Escriba algo"), "{}", b.text("#comment-error"));
    b.check_page("es-case");
    for path in ["/search?q=amenazas", "/cases/new", "/account", "/check-in"] {
        b.goto(&h.url(path));
        b.check_page(&format!("es{}", path.replace(['/', '?', '='], "-")));
    }
}

/// Without JavaScript (Tor Browser's "safest"): every step is a plain form or link.
fn without_javascript(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let h = Helpline::serve(dir.path(), db.url());
    let hana = h.colleague("hana@helpline.example", "Hana Handler", "en");
    let (reference, id) = h.case("Threats received by text message", "Dee Example", "dee@example.org", json!({}));
    h.assign(&id, &hana.id);
    let b = Browser::start("en", false);
    first_sign_in(&b, &h, &hana.email, &hana.password, None);
    let (arrived, _) = h.case("Doxxing on a forum", "Chris Example", "chris@example.org", json!({}));
    b.click(".refresh a");
    assert!(b.text("#queue-new").contains(&arrived), "the refresh link shows the new case");
    b.click(&format!("a[href='/cases/{reference}']"));
    b.check_page("nojs-case");
    b.fill("#comment-text", "Call back tomorrow morning.");
    b.click("#comment-submit");
    assert!(b.text("li.entry.comment").contains("Call back tomorrow"));
    b.fill("#reply-text", "Hello, we will call you tomorrow morning.");
    b.click("#reply-submit");
    assert!(b.text("li.entry.outbound").contains("we will call you"));
    b.click("form:has(input[value='open']) button");
    assert!(b.text(".case-head .status").contains("Open"), "{}", b.text(".case-head .status"));

    // Dee calls again about something else: a case opened by hand, for the beneficiary
    // her address finds, with the notes of the call as its first message.
    b.goto(&h.url("/cases/new"));
    b.check_page("nojs-new-case");
    b.fill("#email", "someone.new@example.org");
    b.fill("#summary", "Her phone may be tapped");
    b.click("form.stacked button[type=submit]");
    assert!(b.exists("#name-error"), "someone new needs a name, said beside the field");
    assert_eq!(b.value("#summary"), "Her phone may be tapped", "the rest of the form is kept");
    b.fill("#email", "dee@example.org");
    b.fill("#conversation", "She hears clicks during calls since Monday.");
    b.click("form.stacked button[type=submit]");
    assert!(b.url().contains("/cases/RMP-"), "the new case: {}", b.url());
    assert!(b.text("section.beneficiary").contains("Dee Example"), "the known beneficiary");
    assert!(b.text("li.entry.inbound").contains("hears clicks"), "{}", b.text("section.thread"));
    assert!(b.text("section.facts").contains("Hana Handler"), "assigned to her");
    b.click("form.signout button");
    assert!(b.url().contains("/login"));
}

/// A form without its CSRF token does nothing; an expired session sends the browser to the
/// sign-in page and keeps nothing of the form it posted.
fn forged_forms_and_expired_sessions(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let h = Helpline::serve(dir.path(), db.url());
    let hana = h.colleague("hana@helpline.example", "Hana Handler", "en");
    let (reference, id) = h.case("Phishing page imitating the union", "Eli Example", "eli@example.org", json!({}));
    h.assign(&id, &hana.id);
    let b = Browser::start("en", true);
    first_sign_in(&b, &h, &hana.email, &hana.password, None);
    let cookie = b.cookie("rempart").expect("the session cookie");

    // The same session, a form without (or with a wrong) token: refused, nothing stored.
    let http =
        reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    for form in [vec![("text", "forged")], vec![("text", "forged"), ("csrf", "not-the-token")]] {
        let res = http
            .post(h.url(&format!("/cases/{reference}/comments")))
            .header("Cookie", format!("rempart={cookie}"))
            .form(&form)
            .send()
            .expect("post");
        assert_eq!(res.status(), 403);
    }
    assert!(h.comments(&id).is_empty(), "a forged form stored nothing");
    // A form the console did not write is said as a page, never a bare text answer.
    let res = http
        .post(h.url(&format!("/cases/{reference}/status")))
        .header("Cookie", format!("rempart={cookie}"))
        .form(&[("to", "open"), ("version", "not a number")])
        .send()
        .expect("post");
    assert_eq!(res.status(), 400);
    assert!(res.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/html"));

    // The session expires while the comment is being written (its idle timeout passes:
    // the test moves the session's clock back rather than waiting half an hour).
    b.goto(&h.url(&format!("/cases/{reference}")));
    b.fill("#comment-text", "Half-written note");
    {
        use diesel::RunQueryDsl;
        let mut conn = db.conn();
        diesel::sql_query("UPDATE console_sessions SET last_seen_at = created_at - INTERVAL '1 hour'")
            .execute(&mut conn)
            .or_else(|_| {
                diesel::sql_query("UPDATE console_sessions SET last_seen_at = datetime(created_at, '-1 hour')")
                    .execute(&mut conn)
            })
            .expect("age the session");
    }
    b.click("#comment-submit");
    assert!(b.url().contains("/login"), "an expired session returns to the sign-in page: {}", b.url());
    assert!(h.comments(&id).is_empty(), "nothing half-done was kept");
    b.goto(&h.url(&format!("/cases/{reference}")));
    assert!(b.url().contains("/login?next=/cases/"), "and comes back to the case after: {}", b.url());
    sign_in(&b, &hana.email, NEW_PASSWORD, "");
    assert!(b.url().ends_with(&format!("/cases/{reference}")), "{}", b.url());
}

on_both_backends!(a_handlers_day, search_indicators_and_keys);

#[test]
fn in_french_on_sqlite() {
    in_french(TestDb::sqlite());
}

#[test]
fn in_spanish_on_postgres() {
    in_spanish(TestDb::postgres());
}

#[test]
fn without_javascript_on_sqlite() {
    without_javascript(TestDb::sqlite());
}

#[test]
fn forged_forms_and_expired_sessions_on_sqlite() {
    forged_forms_and_expired_sessions(TestDb::sqlite());
}

#[test]
fn forged_forms_and_expired_sessions_on_postgres() {
    forged_forms_and_expired_sessions(TestDb::postgres());
}
