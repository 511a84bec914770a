//! The work beside the thread on the case page: next steps, actions, risk assessments with
//! their chart, third parties and what is said to them, links to other cases (a
//! colleague's restricted one only counted), the rota's decisions, the beneficiary's
//! verification with its history.

use super::browser::Browser;
use super::first_sign_in;
use super::helpline::Helpline;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

fn the_work_beside_the_thread(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let h = Helpline::serve(dir.path(), db.url());
    let hana = h.colleague("hana@helpline.example", "Hana Handler", "en");
    let colin = h.colleague("colin@helpline.example", "Colin Colleague", "fr");
    let (mine, mine_id) = h.case("Harassment campaign after an article", "Ana Example", "ana@example.org", json!({}));
    h.assign(&mine_id, &hana.id);
    let (sibling, _) = h.case("Her colleague targeted too", "Bo Example", "bo@example.org", json!({}));
    let (hidden, hidden_id) = h.case(
        "Restricted: the same campaign against a source",
        "Cy Example",
        "cy@example.org",
        json!({"sensitivity": "restricted"}),
    );
    h.assign(&hidden_id, &colin.id);
    // A lead linked the restricted case to hers: she learns only that a link exists.
    h.call(
        reqwest::Method::POST,
        &format!("/api/v1/cases/{hidden_id}/links"),
        Some(json!({"target": mine_id, "kind": "related"})),
    );

    let b = Browser::start("en", true);
    first_sign_in(&b, &h, &hana.email, &hana.password, None);

    // New activity: marked until she opens the case, and again when someone else writes on it.
    let fresh = format!("#queue-mine tr.fresh a[href='/cases/{mine}']");
    b.goto(&h.url("/"));
    assert!(b.exists(&fresh), "a case she never opened is marked: {}", b.text("#queue-mine"));
    b.goto(&h.url(&format!("/cases/{mine}")));
    b.goto(&h.url("/"));
    assert!(!b.exists(&fresh), "opened: no longer marked: {}", b.text("#queue-mine"));
    let path = format!("/api/v1/cases/{mine_id}/comments");
    h.call(reqwest::Method::POST, &path, Some(json!({"text": "The editor called: more posts tonight."})));
    b.wait_for("the mark of a colleague's comment", || b.exists(&fresh));
    b.goto(&h.url(&format!("/cases/{mine}")));

    // The rota's decision for the assignment made at set-up.
    assert!(b.text("section.decisions").contains("set-up of the test"), "{}", b.text("section.decisions"));

    // Next steps: one due yesterday is overdue; marked done, it is crossed out.
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    b.fill("#step-text", "Check her accounts' recovery addresses");
    b.fill_date("#step-due", &yesterday);
    b.click("#step-submit");
    let steps = b.text("section.steps");
    assert!(steps.contains("Check her accounts") && steps.contains("Overdue"), "{steps}");
    b.click("section.steps li form button");
    assert!(b.exists("section.steps li.step.done"), "{}", b.text("section.steps"));
    b.click("#step-submit");
    assert!(b.exists("#step-error"), "an empty step is refused beside its field");

    // An action taken.
    b.fill("#action-text", "Reported the doxxing posts to the platform");
    b.click("#action-submit");
    assert!(b.text("section.actions").contains("Reported the doxxing posts"));

    // Risk assessed twice: the second lowers the score, and the chart shows the history.
    b.fill("#risk-threats", "8");
    b.fill("#risk-vulnerabilities", "6");
    b.fill("#risk-capacities", "4");
    b.click("#risk-submit");
    assert!(b.text("#risk-error").contains("Write something"), "{}", b.text("section.risks"));
    assert_eq!(b.attribute("#risk-name", "aria-invalid"), "true", "the refused field is marked");
    assert_eq!(b.value("#risk-vulnerabilities"), "6", "the form is kept");
    b.fill("#risk-name", "Physical attack at home");
    b.click("#risk-submit");
    assert!(b.text("section.risks").contains("score 12.0"), "{}", b.text("section.risks"));
    assert!(!b.exists("section.risks svg"), "one assessment: no chart yet");
    b.fill("#risk-name", "Physical attack at home");
    b.fill("#risk-threats", "8");
    b.fill("#risk-vulnerabilities", "3");
    b.fill("#risk-capacities", "6");
    b.click("#risk-submit");
    assert!(b.text("section.risks h3").contains("score 4.0"), "{}", b.text("section.risks"));
    assert_eq!(b.count("section.risks svg circle"), 2, "one point per assessment");

    // A third party, a call with them, and an e-mail that waits for their key.
    b.press("details.party-new summary");
    b.select("#party-role", "platform_escalation");
    b.fill("#party-email", "escalations@platform.example");
    b.click("#party-submit");
    assert!(b.exists("#party-error"), "an organisation is needed: {}", b.text("section.parties"));
    assert_eq!(b.value("#party-email"), "escalations@platform.example", "the form is kept");
    assert_eq!(b.value("#party-role"), "platform_escalation", "the form is kept");
    b.fill("#party-organisation", "Example Platform Trust & Safety");
    b.click("#party-submit");
    assert!(b.text("section.parties").contains("Example Platform Trust & Safety"));
    b.press("div.party details:last-of-type summary");
    b.select("div.party select[name=channel]", "phone_note");
    b.fill("div.party textarea[name=text]", "They will review the posts within 24 hours.");
    b.press("div.party input[value=inbound]");
    b.click("form[action$='/messages'] button");
    let entry = b.text("li.entry.third-party").to_lowercase();
    assert!(entry.contains("from example platform") && entry.contains("within 24 hours"), "{entry}");
    assert!(entry.contains("phone call"), "the channel is shown: {entry}");

    // Links: to a case she may see, by reference; an unknown one is refused beside the field.
    b.fill("#link-target", "RMP-2000-999999");
    b.click("#link-submit");
    assert!(b.text("#link-error").contains("No case you can see"), "{}", b.text("section.links"));
    b.fill("#link-target", &sibling);
    b.select("#link-kind", "parent_of");
    b.click("#link-submit");
    let links = b.text("section.links");
    assert!(links.contains("Parent of") && links.contains(&sibling), "{links}");
    assert!(links.contains("1 other linked case you may not see"), "{links}");
    assert!(!b.source().contains(&hidden), "the restricted case is only counted");
    b.click(&format!("section.links a[href='/cases/{sibling}']"));
    assert!(b.text("section.links").contains("Part of"), "the other end reads the link back");
    b.goto(&h.url(&format!("/cases/{mine}")));

    // Verification, with its reason in the history; rejecting is not offered to a handler.
    b.press("details.verification summary");
    let offered = b.text("#verification-status");
    assert!(offered.contains("Verified") && !offered.contains("Rejected"), "{offered}");
    b.select("#verification-status", "verified");
    b.click("#verification-submit");
    assert!(b.exists("#verification-error"), "a reason is required");
    b.fill("#verification-reason", "Vouched for by her editor on a call");
    b.click("#verification-submit");
    b.press("details.verification-history summary");
    assert!(b.text("details.verification-history").contains("Vouched for by her editor"));
    b.check_page("en-case-work");
}

on_both_backends!(the_work_beside_the_thread);
