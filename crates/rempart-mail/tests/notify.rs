//! The escalation notifier: e-mail to the leads through a real SMTP server (aiosmtpd) and a
//! webhook to a real HTTP listener, with a controllable clock, on both backends.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use rempart_core::{EmailAddress, Languages, Role, Urgency};
use rempart_mail::notify::{Notifier, Tick, Webhook};
use rempart_mail::outbound::{SmtpConfig, SmtpSender, SmtpTls};
use rempart_rota::Policy;
use rempart_store::beneficiaries::{Beneficiary, NewBeneficiary};
use rempart_store::cases::{Case, NewCase};
use rempart_store::escalations::{Escalation, Notification};
use rempart_store::users::{NewUser, User};
use rempart_test_db::{TestDb, on_both_backends};
use support::{SmtpServer, webhook_listener};

fn staff(conn: &mut rempart_store::PooledConn, email: &str, role: Role) -> String {
    User::create(
        conn,
        NewUser {
            email: EmailAddress::parse(email).unwrap(),
            display_name: email.into(),
            role,
            languages: Languages::default(),
            password_hash: "not a login".into(),
            must_change_password: false,
        },
        None,
    )
    .unwrap()
    .id
}

fn leads_hear_of_an_imminent_risk_by_email_and_webhook(db: TestDb) {
    let mut conn = db.conn();
    staff(&mut conn, "lead@helpline.example", Role::Lead);
    staff(&mut conn, "admin@helpline.example", Role::Admin);
    let handler = staff(&mut conn, "handler@helpline.example", Role::Handler);
    let b = Beneficiary::create(
        &mut conn,
        NewBeneficiary {
            display_name: "Ana Secret".into(),
            emails: vec![EmailAddress::parse("ana@example.org").unwrap()],
            audience_type: None,
            preferred_language: None,
        },
        None,
    )
    .unwrap();
    let mut new = NewCase::new(b.id.clone(), "Menacée de mort par son ex-compagnon");
    new.urgency = Urgency::Critical;
    new.assignee_id = Some(handler.clone());
    let case = Case::create(&mut conn, new, None).unwrap();

    let smtp = SmtpServer::start();
    let (url, requests) = webhook_listener();
    let notifier = Notifier {
        pool: db.pool().clone(),
        policy: Policy::default(),
        smtp: Some(
            SmtpSender::new(&SmtpConfig {
                host: "127.0.0.1".into(),
                port: smtp.port,
                tls: SmtpTls::None,
                username: None,
                password: None,
                timeout_secs: 5,
            })
            .unwrap(),
        ),
        from: Some("Rempart <rempart@helpline.example>".parse().unwrap()),
        webhook: Some(Webhook { url: url.clone(), secret: "s3cret-token".into() }),
        worker_id: "n1".into(),
    };
    let tick = notifier.tick(case.created_at).unwrap();
    assert_eq!(tick, Tick { raised: 1, sent: 2, failed_attempts: 0 }, "the lead's e-mail and the webhook");
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    let mail = String::from_utf8_lossy(&mails[0]).into_owned();
    assert!(mail.contains("lead@helpline.example") && !mail.contains("admin@helpline.example"));
    assert!(mail.contains(&case.reference.to_string()));
    for secret in ["Ana", "Menac", "ana@example.org"] {
        assert!(!mail.contains(secret), "staff e-mail leaks {secret:?}: {mail}");
    }
    let (headers, body) = requests.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert!(headers.to_ascii_lowercase().contains("authorization: bearer s3cret-token"), "{headers}");
    let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["event"], "case.escalated");
    assert_eq!(payload["kind"], "imminent_risk");
    assert_eq!(payload["case_reference"], case.reference.to_string());
    assert!(!body.contains("Menac"));

    // Nothing twice; at 90 minutes the admins hear (the case had no first response).
    assert_eq!(notifier.tick(case.created_at + Duration::minutes(1)).unwrap(), Tick::default());
    let later = notifier.tick(case.created_at + Duration::minutes(90)).unwrap();
    assert_eq!(later.raised, 2, "first response: leads and admins");
    assert_eq!(smtp.messages().len(), 3);

    // The webhook is down: the notification stays queued and is retried later.
    let broken = Notifier {
        webhook: Some(Webhook { url: "http://127.0.0.1:1/down".into(), secret: String::new() }),
        ..notifier
    };
    let mut second = NewCase::new(b.id.clone(), "Autre menace");
    second.imminent_risk = true;
    second.assignee_id = Some(handler.clone());
    let other = Case::create(&mut conn, second, None).unwrap();
    let tick = broken.tick(other.created_at).unwrap();
    assert_eq!((tick.raised, tick.failed_attempts), (1, 1));
    let escalation = Escalation::for_case(&mut conn, &other.id).unwrap().remove(0);
    let hook = Notification::for_escalation(&mut conn, &escalation.id)
        .unwrap()
        .into_iter()
        .find(|n| n.channel == "webhook")
        .unwrap();
    assert_eq!((hook.status.as_str(), hook.attempts), ("queued", 1));
    assert!(hook.last_error.is_some());
}

on_both_backends!(leads_hear_of_an_imminent_risk_by_email_and_webhook);
