//! A lead's week in a real browser, on SQLite and PostgreSQL: next week's shifts and
//! rotation planned; a handler checks in not fit and the lead sees "not available" (never
//! why, never the note) and the standby taking intake; an encrypted mail arrives, the
//! standby marks it an imminent risk and it reaches both leads' consoles without a reload;
//! one lead says "I am on it" and the other sees it; the workload's figures are those of
//! `GET /api/v1/workload`; a rebalance is previewed and applied; a quarantined message is
//! attached to a case; a handler is refused the team's pages.

use super::browser::Browser;
use super::first_sign_in;
use super::helpline::Helpline;
use crate::common::{ok, rempart, run, smtp_env};
use crate::mail_support::{Gpg, SmtpServer, crlf, pgp_mime};
use chrono::Datelike;
use rempart_test_db::{TestDb, on_both_backends};
use reqwest::Method;
use serde_json::{Value, json};

const HELPLINE: &str = "help@helpline.example";

/// The cells of the table row whose header is `name`.
fn row(b: &Browser, table: &str, name: &str) -> Vec<String> {
    let rows = b.count(&format!("{table} tbody tr"));
    for i in 1..=rows {
        let head = b.text(&format!("{table} tbody tr:nth-child({i}) th"));
        if head == name {
            let cells = b.count(&format!("{table} tbody tr:nth-child({i}) td"));
            return (1..=cells)
                .map(|j| b.text(&format!("{table} tbody tr:nth-child({i}) td:nth-child({})", j + 1)))
                .collect();
        }
    }
    panic!("no row {name} in {table}");
}

fn a_leads_week(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    let helpline_key = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    let smtp = SmtpServer::start();
    let h = Helpline::serve_with(dir.path(), db.url(), &smtp_env(smtp.port));
    let lena = h.member("lena@helpline.example", "Lena Lead", "en", "lead");
    let leo = h.member("leo@helpline.example", "Leo Lead", "fr", "lead");
    let mut hana = h.member("hana@helpline.example", "Hana Handler", "en", "handler");
    let mut hugo = h.member("hugo@helpline.example", "Hugo Standby", "en", "handler");
    let mut ines = h.member("ines@helpline.example", "Ines Standby", "es", "handler");

    // Today: Hana holds intake (the rotation names her); Hugo and Ines stand by.
    h.shift_now_as(&hana.id, "intake");
    h.shift_now_as(&hugo.id, "standby");
    h.shift_now_as(&ines.id, "standby");
    let today = chrono::Utc::now().date_naive();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    h.call(Method::PUT, "/api/v1/rota/rotation", Some(json!({"members": [hana.id], "anchor": monday.to_string()})));
    let (hana_token, hugo_token, ines_token) = (h.token_of(&mut hana), h.token_of(&mut hugo), h.token_of(&mut ines));
    let check_in = |token: &str, fit: bool, note: &str| {
        h.call_as(token, Method::POST, "/api/v1/check-ins", Some(json!({"fit": fit, "note": note})));
    };
    check_in(&hana_token, false, "migraine since dawn");
    check_in(&hugo_token, true, "");
    check_in(&ines_token, true, "");

    // Lena sees Hana not available, never why, and the standby taking intake.
    let b = Browser::start("en", true);
    first_sign_in(&b, &h, &lena.email, &lena.password, None);
    b.click("a[href='/team']");
    let availability = |name: &str| row(&b, "#team-live table", name).last().cloned().unwrap_or_default();
    assert_eq!(availability("Hana Handler"), "Not available");
    assert_eq!(availability("Hugo Standby"), "Available");
    assert!(b.text(".next-case").contains("(standby)"), "{}", b.text(".next-case"));
    assert!(!b.source().contains("migraine"), "a check-in's note is its author's alone");
    assert!(!b.source().to_lowercase().contains("not fit"), "not why: only 'not available'");
    b.check_page("en-team-now");

    // Next week's shifts: one too long is refused beside its end; then Hana's and Hugo's.
    let next_monday = monday + chrono::Duration::days(7);
    b.goto(&h.url(&format!("/team/week?week={next_monday}")));
    let plan = |person: &str, kind: &str, to: &str| {
        b.select("#plan-person", person);
        b.select("#plan-kind", kind);
        b.fill_date("#plan-day", &next_monday.to_string());
        b.set_value("#plan-from", "09:00");
        b.set_value("#plan-to", to);
        b.click("form.plan-form button[type=submit]");
    };
    plan(&hana.id, "intake", "19:30");
    assert!(b.exists("#to-error"), "a ten-hour shift is refused beside its end");
    assert!(b.text("#to-error").contains("8 hours"), "{}", b.text("#to-error"));
    plan(&hana.id, "intake", "17:00");
    plan(&hugo.id, "standby", "17:00");
    let grid = b.text("table.week-grid");
    assert!(grid.contains("Intake 09:00–17:00") && grid.contains("Standby 09:00–17:00"), "{grid}");
    // The rotation from next Monday: Hana, then Ines.
    b.fill(&format!("#place-{}", hana.id), "1");
    b.fill(&format!("#place-{}", ines.id), "2");
    b.fill(&format!("#place-{}", hugo.id), "");
    b.select("#rotation-period", "weekly");
    b.fill_date("#rotation-anchor", &next_monday.to_string());
    b.click("#rotation form button[type=submit]");
    let rotation = b.text("#rotation");
    assert!(rotation.contains(&format!("From {next_monday}: Hana Handler → Ines Standby")), "{rotation}");
    assert!(rotation.contains(&format!("From {monday}: Hana Handler,")), "this week's stays in force: {rotation}");
    b.check_page("en-team-week");
    let from = format!("{next_monday}T00:00:00Z");
    let planned = h.call(Method::GET, &format!("/api/v1/shifts?from={from}"), None);
    assert_eq!(planned.as_array().map(Vec::len), Some(2), "{planned}");
    // A planned shift opens for a change; it can be cancelled (nobody checked in).
    b.click("table.week-grid a.shift.intake");
    b.check_page("en-team-shift");
    b.set_value("#shift-to", "13:00");
    b.click("form[action^='/team/shifts/']:not([action$='/cancel']) button");
    assert!(b.text("table.week-grid").contains("Intake 09:00–13:00"), "{}", b.text("table.week-grid"));

    // A week at the end of the calendar is not a week: this week is shown (it once overflowed).
    let last = chrono::NaiveDate::MAX.format("%Y-%m-%d").to_string().replace('+', "%2B");
    b.goto(&h.url(&format!("/team/week?week={last}")));
    assert!(b.exists("table.week-grid"), "{}", b.text("body"));

    // Leo, the other lead, watches the team in French.
    let b2 = Browser::start("fr", true);
    first_sign_in(&b2, &h, &leo.email, &leo.password, None);
    b2.goto(&h.url("/team"));
    b.goto(&h.url("/team"));
    assert!(
        b.text("#team-live").contains("by the rotation: Hana Handler"),
        "planning next week's rotation keeps this week's"
    );

    // A beneficiary writes in, encrypted: the standby gets the case, reads of a threat for
    // tonight and marks it an imminent risk.
    let sara = Gpg::new("Sara Example", "sara@example.net");
    sara.import(helpline_key.as_bytes());
    let inner = crlf(
        "Content-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\nSubject: They said they would come tonight\n\n\
         The men who followed me said they would come to the office tonight.\n",
    );
    let raw = pgp_mime(
        &sara.email,
        HELPLINE,
        "...",
        "threat@example.net",
        "",
        &sara.encrypt_sign(HELPLINE, inner.as_bytes()),
    );
    let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), &raw));
    let outcome: Value = serde_json::from_str(out.trim()).expect("JSON outcome");
    let case_id = outcome["case_id"].as_str().expect("case id").to_owned();
    let case = h.call(Method::GET, &format!("/api/v1/cases/{case_id}"), None);
    let reference = case["reference"].as_str().expect("reference").to_owned();
    let holder = case["assignee_id"].as_str().expect("the standby took it").to_owned();
    assert!(holder == hugo.id || holder == ines.id, "{case}");
    let holder_token = if holder == hugo.id { &hugo_token } else { &ines_token };
    h.call_as(holder_token, Method::PATCH, &format!("/api/v1/cases/{case_id}"), Some(json!({"imminent_risk": true})));

    // Both leads see it without a reload; Lena takes it on and Leo sees that she did.
    let alarm = format!("li.alarm:has(a[href='/cases/{reference}'])");
    b.wait_for("the imminent risk on Lena's console", || b.exists(&alarm) && b.text(&alarm).contains("Imminent risk"));
    b2.wait_for("the imminent risk on Leo's console", || {
        b2.exists(&alarm) && b2.text(&alarm).contains("Risque imminent")
    });
    b.wait_for("the banner counting it", || b.text("#alerts").contains("wait"));
    b.wait_for("whom it told", || b.text(&alarm).contains("leo@helpline.example"));
    b.check_page("en-team-escalation");
    b.click(&format!("{alarm} form button"));
    assert!(b.text(&alarm).contains("Lena Lead is on it"), "{}", b.text(&alarm));
    b2.wait_for("Leo to see Lena on it", || b2.text(&alarm).contains("Lena Lead s'en occupe"));
    b2.check_page("fr-team-now");
    let board = h.call(Method::GET, "/api/v1/escalations", None);
    let imminent = board
        .as_array()
        .and_then(|l| l.iter().find(|e| e["case_id"] == case_id.as_str() && e["kind"] == "imminent_risk"))
        .cloned()
        .expect("on the board");
    assert_eq!(imminent["acknowledged_by"], lena.id.as_str(), "{imminent}");

    // More cases for Hugo: the workload shows what the API says.
    for n in 0..4 {
        let (_, id) = h.case(
            &format!("Compte piraté {n}"),
            &format!("Person {n}"),
            &format!("p{n}@example.org"),
            json!({"urgency": "high"}),
        );
        h.assign(&id, &hugo.id);
    }
    b.goto(&h.url("/team/workload"));
    let api = h.call(Method::GET, "/api/v1/workload", None);
    for handler in api["handlers"].as_array().expect("handlers") {
        let name = handler["name"].as_str().expect("name");
        let cells = row(&b, "#load-table", name);
        assert_eq!(cells[4], handler["weighted_load"].to_string(), "{name}'s load: {cells:?}");
        assert_eq!(cells[5], handler["capacity"].to_string(), "{name}'s capacity: {cells:?}");
    }
    let this_week = api["weekly"].as_array().and_then(|w| w.last()).expect("this week");
    let week = this_week["week_start"].as_str().expect("week");
    assert_eq!(row(&b, "#received-table", week).last().cloned().unwrap_or_default(), this_week["received"].to_string());
    assert!(b.count("figure.chart svg") >= 5, "every chart drawn");
    b.check_page("en-team-workload");

    // A rebalance, previewed then applied as shown.
    b.click("form[action='/team/rebalance'] button");
    let proposal = b.text("ol.proposal");
    assert!(proposal.contains("Hugo Standby → "), "{proposal}");
    b.check_page("en-team-rebalance");
    let moves = b.count("ol.proposal li");
    b.click("form[action='/team/rebalance/apply'] button");
    assert!(b.text("#applied-title").contains(&format!("{moves} case")), "{}", b.text("#applied-title"));
    let after = h.call(Method::GET, "/api/v1/workload", None);
    let load = |name: &str| {
        after["handlers"]
            .as_array()
            .and_then(|l| l.iter().find(|h| h["name"] == name))
            .map(|h| h["weighted_load"].clone())
    };
    assert_ne!(
        load("Hugo Standby"),
        api["handlers"]
            .as_array()
            .and_then(|l| l.iter().find(|h| h["name"] == "Hugo Standby"))
            .map(|h| h["weighted_load"].clone()),
        "Hugo gave cases away"
    );

    // A message the gateway could not read: kept with the case.
    let garbage = b"\x00\x01 not a message at all".to_vec();
    let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), &garbage));
    assert!(out.contains("\"quarantined\""), "{out}");
    b.click("a[href='/quarantine']");
    assert!(b.text("li.quarantined").contains("Not a readable message"), "{}", b.text("li.quarantined"));
    b.check_page("en-quarantine");
    b.press("li.quarantined details summary");
    b.fill("li.quarantined input[name=case]", "RMP-2000-999999");
    b.click("li.quarantined form[action$='/attach'] button");
    assert!(b.text("li.quarantined .error").contains("No case"), "{}", b.text("li.quarantined"));
    b.fill("li.quarantined input[name=case]", &reference);
    b.click("li.quarantined form[action$='/attach'] button");
    assert!(b.url().ends_with(&format!("/cases/{reference}")), "{}", b.url());
    assert!(b.source().contains("quarantined-"), "the message as received is among the case's files");

    // Without JavaScript (Tor Browser's "safest"), Leo reads the team and gives the case to
    // Ines by hand: plain pages and forms.
    let bn = Browser::start("fr", false);
    bn.goto(&h.url("/login"));
    super::sign_in(&bn, &leo.email, super::helpline::NEW_PASSWORD, "");
    bn.goto(&h.url("/team"));
    assert!(bn.text("#team-live").contains("Lena Lead s'en occupe"), "{}", bn.text("#team-live"));
    bn.check_page("nojs-fr-team-now");
    bn.goto(&h.url(&format!("/team/reassign?case={reference}")));
    bn.select("#reassign-person", &ines.id);
    bn.fill("#reassign-reason", "Elle parle avec la personne depuis hier");
    bn.fill("#reassign-override", "Continuité avec la personne");
    bn.click("form[action='/team/reassign'] button");
    assert!(bn.url().ends_with(&format!("/cases/{reference}")), "{}", bn.url());
    assert!(bn.text("section.facts").contains("Ines Standby"), "{}", bn.text("section.facts"));

    // A handler is refused the team's pages, as the capability table says (forbidden).
    let bh = Browser::start("en", false);
    bh.goto(&h.url("/login"));
    super::sign_in(&bh, &hana.email, &hana.password, "");
    let refused = [
        "/team",
        "/team/week",
        "/team/workload",
        "/team/reassign",
        "/templates",
        "/statistics",
        "/admin",
        "/admin/taxonomies",
        "/admin/key",
        "/admin/configuration",
    ];
    for page in refused {
        bh.goto(&h.url(page));
        assert!(bh.text("main").contains("403"), "{page}: {}", bh.text("main"));
    }
    for link in ["/team", "/templates", "/statistics", "/admin"] {
        assert!(!bh.source().contains(&format!("href=\"{link}\"")), "the navigation offers no {link} to a handler");
    }
    bh.goto(&h.url("/quarantine"));
    assert!(bh.text("h1").contains("quarantine"), "handlers deal with the quarantine: {}", bh.text("main"));
}

on_both_backends!(a_leads_week);
