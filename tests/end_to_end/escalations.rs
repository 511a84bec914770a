//! Escalations through the real binary: an imminent-risk case reaches the leads' webhook
//! from the operation that created it, not at the next poll of the timers.

use rempart_test_db::{TestDb, on_both_backends};
use std::time::Duration;

fn an_imminent_risk_case_reaches_the_webhook_at_once(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let (url, requests) = crate::mail_support::webhook_listener();
    // The timers are polled once an hour here: only the creation itself can send it.
    let env = [
        ("REMPART_ESCALATION__POLL_SECS", "3600".to_owned()),
        ("REMPART_ESCALATION__WEBHOOK_URL", url),
        ("REMPART_ESCALATION__WEBHOOK_SECRET", "a webhook secret".to_owned()),
    ];
    let served = crate::common::serve(dir.path(), db.url(), &env);
    while requests.try_recv().is_ok() {}
    let created = std::time::Instant::now();
    let case: serde_json::Value = reqwest::blocking::Client::new()
        .post(served.url("/api/v1/cases"))
        .bearer_auth(&served.token)
        .json(&serde_json::json!({
            "beneficiary": {"display_name": "Ana", "emails": ["ana@example.org"]},
            "summary": "menacée de mort",
            "imminent_risk": true
        }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("case");
    let reference = case["reference"].as_str().expect("reference").to_owned();
    // Waiting for the outcome, not timing it: it comes within the moment or the test fails
    // after a minute (the poll would take an hour).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let body = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let (_, body) = requests.recv_timeout(left).expect("the webhook was called for the new case");
        if body.contains(&reference) {
            break body;
        }
    };
    // For the record (not a timed assertion): the delay from the request to the webhook.
    eprintln!("webhook {:?} after the creation request", created.elapsed());
    assert!(body.contains("imminent_risk"), "{body}");
    assert!(!body.contains("menacée"), "never case content: {body}");
}

/// A case opened by mail fetched over IMAP that nobody on shift can take reaches the
/// leads at once too: the gateway wakes the notifier of its process.
fn an_unassignable_case_by_imap_reaches_the_webhook_at_once(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let (url, requests) = crate::mail_support::webhook_listener();
    let dovecot = crate::mail_support::Dovecot::start();
    let mut env = crate::common::imap_env(dovecot.port);
    env.extend([
        ("REMPART_ESCALATION__POLL_SECS", "3600".to_owned()),
        ("REMPART_ESCALATION__WEBHOOK_URL", url),
        ("REMPART_ESCALATION__WEBHOOK_SECRET", "a webhook secret".to_owned()),
    ]);
    let _served = crate::common::serve(dir.path(), db.url(), &env);
    while requests.try_recv().is_ok() {}
    let raw = crate::mail_support::plain("bo@example.org", "On me menace", "imap-escalation@example.org", "Aidez-moi.");
    dovecot.deliver("INBOX", &raw);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let body = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let (_, body) = requests.recv_timeout(left).expect("the webhook was called for the mailed-in case");
        if body.contains("unassigned") {
            break body;
        }
    };
    assert!(!body.contains("menace") && !body.contains("bo@example.org"), "never case content: {body}");
}

/// `mailgate` piped by an MTA with no `serve` to hand the message to: the case it files
/// straight into the database reaches the leads before mailgate exits, not at the next
/// poll of whichever `serve` starts later.
fn an_unassignable_case_by_direct_mailgate_reaches_the_webhook(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let (url, requests) = crate::mail_support::webhook_listener();
    let raw =
        crate::mail_support::plain("cy@example.org", "Compte piraté", "direct-escalation@example.org", "Au secours.");
    let out = crate::common::run(
        crate::common::rempart(dir.path())
            .args(["--database", db.url(), "mailgate"])
            .env("REMPART_ESCALATION__WEBHOOK_URL", url)
            .env("REMPART_ESCALATION__POLL_SECS", "3600"),
        &raw,
    );
    let printed = crate::common::ok(&out);
    assert!(printed.contains("\"new_case\":true"), "{printed}");
    // mailgate has exited: the webhook call was made, or it never will be by this process.
    let (_, body) = requests.recv_timeout(Duration::from_secs(5)).expect("mailgate called the webhook itself");
    assert!(body.contains("unassigned"), "{body}");
    assert!(!body.contains("piraté") && !body.contains("cy@example.org"), "never case content: {body}");
}

on_both_backends!(
    an_imminent_risk_case_reaches_the_webhook_at_once,
    an_unassignable_case_by_imap_reaches_the_webhook_at_once,
    an_unassignable_case_by_direct_mailgate_reaches_the_webhook
);
