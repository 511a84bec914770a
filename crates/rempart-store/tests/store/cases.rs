//! Case storage behaviour, each test on SQLite and on PostgreSQL.

use crate::common::{beneficiary, case, email, user};
use chrono::Datelike;
use diesel::prelude::*;
use rempart_core::*;
use rempart_store::audit::AuditEvent;
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryRows, KeyOffer, KeyOrigin, NewBeneficiary};
use rempart_store::case_items::*;
use rempart_store::cases::{Case, CaseChanges, CaseCursor, CaseFilter, NewCase};
use rempart_store::evidence::{Evidence, NewEvidence, sha256_hex};
use rempart_store::indicators::{Indicator, NewIndicator};
use rempart_store::messages::*;
use rempart_store::users::User;
use rempart_store::{Backend, StoreError};
use rempart_test_db::{TestDb, on_both_backends};

fn references_are_sequential_per_year(db: TestDb) {
    let mut conn = db.conn();
    let b = beneficiary(&mut conn, "ana@example.org");
    let year = chrono::Utc::now().year();
    for n in 1..=3 {
        let c = case(&mut conn, &b.id, "Compte Signal compromis");
        assert_eq!(c.reference, CaseReference::new(year, n).expect("valid"));
        assert_eq!(c.status, CaseStatus::New);
        assert_eq!(c.version, 1);
    }
    let found = Case::get_by_reference(&mut conn, &CaseReference::new(year, 2).expect("valid")).expect("by reference");
    assert_eq!(found.reference.to_string(), format!("RMP-{year}-000002"));
}

fn state_machine_is_enforced_and_history_kept(db: TestDb) {
    let mut conn = db.conn();
    let handler = user(&mut conn, "handler@helpline.example", Role::Handler);
    let b = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &b.id, "Hameçonnage ciblé");
    let actor = Some(handler.id.as_str());

    let err = Case::transition(&mut conn, &c.id, CaseStatus::Closed, None, actor).expect_err("new -> closed");
    match err {
        StoreError::IllegalTransition(e) => assert_eq!(e.allowed, vec![CaseStatus::Open]),
        other => panic!("expected an illegal transition, got {other}"),
    }
    assert_eq!(Case::get(&mut conn, &c.id).expect("case").status, CaseStatus::New, "nothing changed");

    for to in [CaseStatus::Open, CaseStatus::WaitingBeneficiary, CaseStatus::Open, CaseStatus::Resolved] {
        Case::transition(&mut conn, &c.id, to, None, actor).expect("legal");
    }
    let resolved = Case::get(&mut conn, &c.id).expect("case");
    assert!(resolved.resolved_at.is_some());
    let closed = Case::transition(&mut conn, &c.id, CaseStatus::Closed, Some("done"), actor).expect("close");
    assert!(closed.closed_at.is_some());
    let reopened =
        Case::transition(&mut conn, &c.id, CaseStatus::Open, Some("beneficiary wrote again"), actor).expect("reopen");
    assert_eq!(reopened.status, CaseStatus::Open);
    assert!(reopened.closed_at.is_none() && reopened.resolved_at.is_none(), "reopen clears the end dates");

    let detail = Case::detail(&mut conn, &c.id).expect("detail");
    let moves: Vec<(CaseStatus, CaseStatus, bool)> =
        detail.status_history.iter().map(|s| (s.from_status, s.to_status, s.reopen)).collect();
    use CaseStatus::*;
    assert_eq!(
        moves,
        vec![
            (New, Open, false),
            (Open, WaitingBeneficiary, false),
            (WaitingBeneficiary, Open, false),
            (Open, Resolved, false),
            (Resolved, Closed, false),
            (Closed, Open, true),
        ]
    );
    assert!(detail.status_history.iter().all(|s| s.changed_by.as_deref() == Some(handler.id.as_str())));
    let trail = AuditEvent::for_case(&mut conn, &c.id).expect("audit");
    assert_eq!(trail.iter().filter(|e| e.action == "case.reopened").count(), 1);
    assert_eq!(trail.iter().filter(|e| e.action == "case.status_changed").count(), 5);
}

fn updates_use_optimistic_concurrency(db: TestDb) {
    let mut conn = db.conn();
    let b = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &b.id, "Site défiguré");
    let changes = CaseChanges {
        urgency: Some(Urgency::Critical),
        priority: Some(Priority::P1),
        imminent_risk: Some(true),
        service_type: Some(Some(TaxonomyCode::parse("website_down").expect("code"))),
        threat_type: Some(Some(ThreatType::Direct)),
        ..Default::default()
    };
    let updated = Case::update(&mut conn, &c.id, changes.clone(), Some(c.version), None).expect("update");
    assert_eq!((updated.urgency, updated.priority, updated.imminent_risk), (Urgency::Critical, Priority::P1, true));
    assert_eq!(updated.threat_type, Some(ThreatType::Direct));
    assert_eq!(updated.version, c.version + 1);
    let stale = Case::update(&mut conn, &c.id, changes, Some(c.version), None).expect_err("stale version");
    assert!(matches!(stale, StoreError::VersionMismatch { .. }), "{stale}");
    let cleared = Case::update(
        &mut conn,
        &c.id,
        CaseChanges { threat_type: Some(None), ..Default::default() },
        Some(updated.version),
        None,
    )
    .expect("clear");
    assert_eq!(cleared.threat_type, None);
    let bad = Case::update(
        &mut conn,
        &c.id,
        CaseChanges { service_type: Some(Some(TaxonomyCode::parse("astrology").expect("code"))), ..Default::default() },
        None,
        None,
    )
    .expect_err("unknown service type");
    assert_eq!(bad.kind(), "invalid");
    let empty =
        Case::update(&mut conn, &c.id, CaseChanges { summary: Some("  ".into()), ..Default::default() }, None, None)
            .expect_err("empty summary");
    assert_eq!(empty.kind(), "invalid");
}

fn a_full_case_carries_every_item(db: TestDb) {
    let mut conn = db.conn();
    let handler = user(&mut conn, "handler@helpline.example", Role::Handler);
    let actor = Some(handler.id.as_str());
    let b = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &b.id, "Téléphone saisi lors d'une garde à vue");
    let other = case(&mut conn, &b.id, "Suite: comptes à sécuriser");

    let inbound = Message::add(
        &mut conn,
        NewMessage {
            subject: "Aide urgente".into(),
            encrypted: true,
            signature_status: SignatureStatus::Good,
            signer_fingerprint: Some(Fingerprint::parse(&"AB".repeat(20)).expect("fp")),
            message_id: Some("<m1@example.org>".into()),
            ..NewMessage::with_beneficiary(&c.id, Direction::Inbound, Channel::Email, "On m'a pris mon téléphone.")
        },
        None,
    )
    .expect("inbound");
    assert_eq!(inbound.delivery_status, None);
    assert!(Case::get(&mut conn, &c.id).expect("case").first_response_at.is_none());
    let reply = Message::add(
        &mut conn,
        NewMessage::with_beneficiary(&c.id, Direction::Outbound, Channel::Email, "Nous vous rappelons."),
        actor,
    )
    .expect("reply");
    assert_eq!(reply.delivery_status, Some(DeliveryStatus::Queued), "outbound email is queued by default");
    let first_response = Case::get(&mut conn, &c.id).expect("case").first_response_at.expect("first response set");
    Message::add(
        &mut conn,
        NewMessage::with_beneficiary(&c.id, Direction::Outbound, Channel::PhoneNote, "Appel: consignes données."),
        actor,
    )
    .expect("phone note");
    assert_eq!(Case::get(&mut conn, &c.id).expect("case").first_response_at, Some(first_response), "set once");
    let bad = Message::add(
        &mut conn,
        NewMessage {
            delivery_status: Some(DeliveryStatus::Sent),
            ..NewMessage::with_beneficiary(&c.id, Direction::Inbound, Channel::Email, "x")
        },
        None,
    )
    .expect_err("inbound with a delivery status");
    assert_eq!(bad.kind(), "invalid");
    assert_eq!(
        Message::find_by_message_id(&mut conn, "<m1@example.org>").expect("lookup").map(|m| m.id),
        Some(inbound.id.clone())
    );
    let sent = Message::set_delivery_status(&mut conn, &reply.id, DeliveryStatus::Sent).expect("sent");
    assert_eq!(sent.delivery_status, Some(DeliveryStatus::Sent));

    let platform = ThirdParty::add(
        &mut conn,
        NewThirdParty {
            case_id: c.id.clone(),
            organisation: "Plateforme Exemple".into(),
            contact_name: Some("Équipe sécurité".into()),
            role: ThirdPartyRole::PlatformEscalation,
            email: Some(email("trust@platform.example")),
            phone: None,
            notes: None,
        },
        actor,
    )
    .expect("third party");
    Message::add(
        &mut conn,
        NewMessage {
            party: Party::ThirdParty,
            third_party_id: Some(platform.id.clone()),
            ..NewMessage::with_beneficiary(&c.id, Direction::Outbound, Channel::Email, "Escalade: compte usurpé.")
        },
        actor,
    )
    .expect("message to the third party");
    let missing_party = Message::add(
        &mut conn,
        NewMessage {
            party: Party::ThirdParty,
            ..NewMessage::with_beneficiary(&c.id, Direction::Inbound, Channel::Email, "x")
        },
        None,
    )
    .expect_err("third-party message without its contact");
    assert_eq!(missing_party.kind(), "invalid");

    let content = b"capture d'ecran du message de menace";
    let stored = Evidence::add(
        &mut conn,
        NewEvidence {
            case_id: &c.id,
            content,
            media_type: "image/png",
            original_name: "C:\\Users\\ana\\menace.png",
            description: Some("Capture"),
            message_id: None,
        },
        actor,
    )
    .expect("evidence");
    assert!(stored.created);
    assert_eq!(stored.evidence.sha256, sha256_hex(content));
    assert_eq!(stored.evidence.original_name, "menace.png");
    assert_eq!(stored.evidence.size, content.len() as i64);
    let again = Evidence::add(
        &mut conn,
        NewEvidence {
            case_id: &c.id,
            content,
            media_type: "image/png",
            original_name: "copy.png",
            description: None,
            message_id: None,
        },
        actor,
    )
    .expect("same file again");
    assert!(!again.created);
    assert_eq!(again.evidence.id, stored.evidence.id);
    Evidence::add(
        &mut conn,
        NewEvidence {
            case_id: &other.id,
            content,
            media_type: "image/png",
            original_name: "m.png",
            description: None,
            message_id: None,
        },
        actor,
    )
    .expect("same file, other case");
    let blobs: i64 = rempart_store::schema::evidence_blobs::table.count().get_result(&mut *conn).expect("count");
    assert_eq!(blobs, 1, "content is stored once");
    assert_eq!(Evidence::content(&mut conn, &stored.evidence.id).expect("content"), content);

    let ind = Indicator::add(
        &mut conn,
        &c.id,
        NewIndicator { kind: IndicatorKind::Domain, value: "Evil[.]Example.", note: None, seen_at: None },
        IndicatorRules::default(),
        actor,
    )
    .expect("indicator");
    assert_eq!((ind.value.as_str(), ind.original_value.as_str()), ("evil.example", "Evil[.]Example."));
    Indicator::add(
        &mut conn,
        &c.id,
        NewIndicator { kind: IndicatorKind::Phone, value: "+33 6 12 34 56 78", note: None, seen_at: None },
        IndicatorRules::default(),
        actor,
    )
    .expect("phone");
    let invalid = Indicator::add(
        &mut conn,
        &c.id,
        NewIndicator { kind: IndicatorKind::Ip, value: "999.1.1.1", note: None, seen_at: None },
        IndicatorRules::default(),
        actor,
    )
    .expect_err("invalid ip");
    assert_eq!(invalid.kind(), "invalid");

    CaseLink::add(&mut conn, &c.id, &other.id, LinkKind::ParentOf, None, actor).expect("link");
    let dup = CaseLink::add(&mut conn, &c.id, &other.id, LinkKind::ParentOf, None, actor).expect_err("dup link");
    assert_eq!(dup.kind(), "conflict");
    assert_eq!(
        CaseLink::add(&mut conn, &c.id, &c.id, LinkKind::Related, None, actor).map_err(|e| e.kind()).err(),
        Some("invalid")
    );
    assert_eq!(CaseLink::for_case(&mut conn, &other.id).expect("links").len(), 1, "visible from both ends");

    Action::add(&mut conn, &c.id, "Sessions Signal déconnectées à distance", actor).expect("action");
    Comment::add(&mut conn, &c.id, "Vérifier l'identité par l'intermédiaire connu.", actor).expect("comment");
    let step = NextStep::add(&mut conn, &c.id, "Rappeler demain", chrono::NaiveDate::from_ymd_opt(2026, 12, 1), actor)
        .expect("next step");
    let done = NextStep::set_done(&mut conn, &step.id, true, actor).expect("done");
    assert!(done.done && done.done_at.is_some());
    let r1 =
        RiskAssessment::add(&mut conn, &c.id, "Arrestation", RiskFactors::new(8, 6, 4).expect("factors"), None, actor)
            .expect("risk");
    assert_eq!(r1.score, 12.0);
    RiskAssessment::add(&mut conn, &c.id, "Arrestation", RiskFactors::new(8, 6, 8).expect("factors"), None, actor)
        .expect("risk again");

    let detail = Case::detail(&mut conn, &c.id).expect("detail");
    assert_eq!(detail.messages.len(), 4);
    assert_eq!(detail.evidence.len(), 1);
    assert_eq!(detail.indicators.len(), 2);
    assert_eq!(detail.links.len(), 1);
    assert_eq!(detail.actions.len(), 1);
    assert_eq!(detail.third_parties.len(), 1);
    assert_eq!(detail.comments.len(), 1);
    assert_eq!(detail.next_steps.len(), 1);
    assert_eq!(detail.risk_assessments.iter().map(|r| r.score).collect::<Vec<_>>(), vec![12.0, 6.0], "history kept");
    assert_eq!(detail.beneficiary.emails[0].address.as_str(), "ana@example.org");
    assert!(detail.case.version > c.version, "attachments bump the version");
    let json = serde_json::to_value(&detail).expect("serialisable");
    assert_eq!(json["reference"], c.reference.to_string());
    // Only the kinds a case has are read: the other case has the link (as its target) and
    // nothing else; a third has nothing at all.
    let linked = Case::detail(&mut conn, &other.id).expect("detail of the linked case");
    assert_eq!(linked.links.len(), 1, "a link is read from its target too");
    assert_eq!(linked.links[0].id, detail.links[0].id);
    assert!(linked.messages.is_empty() && linked.indicators.is_empty() && linked.comments.is_empty());
    let bare = case(&mut conn, &b.id, "Rien encore");
    let bare = Case::detail(&mut conn, &bare.id).expect("detail of a bare case");
    assert!(bare.links.is_empty() && bare.messages.is_empty() && bare.status_history.is_empty());
    assert_eq!(bare.beneficiary.emails.len(), 1);

    let actions: Vec<String> =
        AuditEvent::for_case(&mut conn, &c.id).expect("audit").into_iter().map(|e| e.action).collect();
    for expected in [
        "case.created",
        "message.added",
        "message.delivery_status",
        "third_party.added",
        "evidence.added",
        "indicator.added",
        "case_link.added",
        "action.added",
        "comment.added",
        "next_step.added",
        "next_step.updated",
        "risk.assessed",
    ] {
        assert!(actions.iter().any(|a| a == expected), "missing audit {expected} in {actions:?}");
    }
}

fn evidence_is_immutable_and_checked_on_read(db: TestDb) {
    let mut conn = db.conn();
    let b = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &b.id, "Fuite de données");
    let stored = Evidence::add(
        &mut conn,
        NewEvidence {
            case_id: &c.id,
            content: b"original",
            media_type: "text/plain",
            original_name: "a.txt",
            description: None,
            message_id: None,
        },
        None,
    )
    .expect("evidence");
    let update = diesel::sql_query("UPDATE evidence_blobs SET content = content").execute(&mut *conn);
    assert!(update.is_err(), "the database refuses to alter evidence");
    let rename = diesel::sql_query("UPDATE evidence SET original_name = 'x'").execute(&mut *conn);
    assert!(rename.is_err(), "the record is immutable too");

    // Someone with raw database access bypasses the trigger: reading detects it.
    let tamper = match db.backend() {
        Backend::Sqlite => {
            vec!["DROP TRIGGER evidence_blobs_immutable", "UPDATE evidence_blobs SET content = X'6d6f646966696564'"]
        }
        Backend::Postgres => vec![
            "ALTER TABLE evidence_blobs DISABLE TRIGGER evidence_blobs_immutable",
            "UPDATE evidence_blobs SET content = '\\x6d6f646966696564'::bytea",
        ],
    };
    for sql in tamper {
        diesel::sql_query(sql).execute(&mut *conn).expect(sql);
    }
    let err = Evidence::content(&mut conn, &stored.evidence.id).expect_err("tampered content");
    assert_eq!(err.kind(), "evidence-corrupted");
}

fn indicators_correlate_across_cases(db: TestDb) {
    let mut conn = db.conn();
    let b1 = beneficiary(&mut conn, "ana@example.org");
    let b2 = beneficiary(&mut conn, "bo@example.net");
    let c1 = case(&mut conn, &b1.id, "Harcèlement par SMS");
    let c2 = case(&mut conn, &b2.id, "Menaces téléphoniques");
    let c3 = case(&mut conn, &b2.id, "Sans rapport");
    Indicator::add(
        &mut conn,
        &c1.id,
        NewIndicator { kind: IndicatorKind::Phone, value: "0033 6 12 34 56 78", note: None, seen_at: None },
        IndicatorRules::default(),
        None,
    )
    .expect("add");
    Indicator::add(
        &mut conn,
        &c2.id,
        NewIndicator { kind: IndicatorKind::Phone, value: "+33 (0)6 12-34-56-78", note: None, seen_at: None },
        IndicatorRules::default(),
        None,
    )
    .expect("add");
    Indicator::add(
        &mut conn,
        &c1.id,
        NewIndicator { kind: IndicatorKind::LicencePlate, value: "ab-123-cd", note: None, seen_at: None },
        IndicatorRules::default(),
        None,
    )
    .expect("add");
    Indicator::add(
        &mut conn,
        &c3.id,
        NewIndicator { kind: IndicatorKind::Domain, value: "unrelated.example", note: None, seen_at: None },
        IndicatorRules::default(),
        None,
    )
    .expect("add");

    let others = Indicator::correlate(&mut conn, &c1.id).expect("correlate");
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].indicator.case_id, c2.id);
    assert_eq!(others[0].case_reference, c2.reference);

    let by_lookup = Indicator::lookup(&mut conn, IndicatorRules::default(), "+33612345678").expect("lookup");
    let mut cases: Vec<&str> = by_lookup.iter().map(|m| m.indicator.case_id.as_str()).collect();
    cases.sort();
    let mut want = vec![c1.id.as_str(), c2.id.as_str()];
    want.sort();
    assert_eq!(cases, want);
    assert_eq!(Indicator::lookup(&mut conn, IndicatorRules::default(), "AB 123 CD").expect("plate").len(), 1);
    assert!(Indicator::lookup(&mut conn, IndicatorRules::default(), "+33700000000").expect("none").is_empty());
    assert!(Indicator::correlate(&mut conn, &c3.id).expect("none").is_empty());

    // Seen again: one row, a wider window.
    let earlier = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(3, 4, 5));
    let again = Indicator::add(
        &mut conn,
        &c1.id,
        NewIndicator { kind: IndicatorKind::Phone, value: "+33612345678", note: None, seen_at: earlier },
        IndicatorRules::default(),
        None,
    )
    .expect("again");
    assert_eq!(Some(again.first_seen), earlier);
    assert!(again.last_seen > again.first_seen);
    assert_eq!(Indicator::for_case(&mut conn, &c1.id).expect("list").len(), 2);

    // A national number stored before the helpline set its region is still found once
    // it has one, and a new national number is stored in E.164.
    let fr = IndicatorRules { default_region: Some("FR".parse().expect("FR")) };
    let old = NewIndicator { kind: IndicatorKind::Phone, value: "07 98 76 54 32", note: None, seen_at: None };
    Indicator::add(&mut conn, &c3.id, old, IndicatorRules::default(), None).expect("before the region");
    let new = NewIndicator { kind: IndicatorKind::Phone, value: "07.98.76.54.32", note: None, seen_at: None };
    assert_eq!(Indicator::add(&mut conn, &c2.id, new, fr, None).expect("with the region").value, "+33798765432");
    let found = Indicator::lookup(&mut conn, fr, "+33 7 98 76 54 32").expect("lookup");
    let mut cases: Vec<&str> = found.iter().map(|m| m.indicator.case_id.as_str()).collect();
    cases.sort();
    let mut want = vec![c2.id.as_str(), c3.id.as_str()];
    want.sort();
    assert_eq!(cases, want);
    assert_eq!(Indicator::lookup(&mut conn, IndicatorRules::default(), "0798765432").expect("no region").len(), 1);
}

fn beneficiaries_keep_verification_and_key_history(db: TestDb) {
    let mut conn = db.conn();
    let lead = user(&mut conn, "lead@helpline.example", Role::Lead);
    let b = beneficiary(&mut conn, "Ana.Silva@Example.ORG");
    assert_eq!(b.verification_status, VerificationStatus::Unverified);
    let found = Beneficiary::find_by_email(&mut conn, &email("ana.silva@example.org")).expect("find");
    assert_eq!(found.map(|f| f.id), Some(b.id.clone()), "addresses are matched normalised");
    let dup = Beneficiary::create(
        &mut conn,
        rempart_store::beneficiaries::NewBeneficiary {
            display_name: "Someone else".into(),
            emails: vec![email("ANA.SILVA@example.org")],
            audience_type: None,
            preferred_language: None,
        },
        None,
    )
    .expect_err("an address belongs to one beneficiary");
    assert_eq!(dup.kind(), "conflict");
    let unknown_audience = Beneficiary::create(
        &mut conn,
        rempart_store::beneficiaries::NewBeneficiary {
            display_name: "X".into(),
            emails: vec![email("x@example.org")],
            audience_type: Some(TaxonomyCode::parse("astronaut").expect("code")),
            preferred_language: None,
        },
        None,
    )
    .expect_err("audience not in taxonomy");
    assert_eq!(unknown_audience.kind(), "invalid");

    let no_reason = Beneficiary::set_verification(&mut conn, &b.id, VerificationStatus::Verified, " ", Some(&lead.id));
    assert_eq!(no_reason.map_err(|e| e.kind()).err(), Some("invalid"));
    Beneficiary::set_verification(
        &mut conn,
        &b.id,
        VerificationStatus::Verified,
        "vouched by partner org",
        Some(&lead.id),
    )
    .expect("verify");
    Beneficiary::set_verification(&mut conn, &b.id, VerificationStatus::Rejected, "outside mandate", Some(&lead.id))
        .expect("reject");
    let detail = Beneficiary::detail(&mut conn, &b.id).expect("detail");
    let history: Vec<(Option<VerificationStatus>, VerificationStatus, &str)> =
        detail.verification_history.iter().map(|v| (v.from_status, v.to_status, v.reason.as_str())).collect();
    use VerificationStatus::*;
    assert_eq!(
        history,
        vec![
            (None, Unverified, "created"),
            (Some(Unverified), Verified, "vouched by partner org"),
            (Some(Verified), Rejected, "outside mandate"),
        ]
    );

    let key = |n: &str| format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{n}\n-----END PGP PUBLIC KEY BLOCK-----\n");
    let fp1 = Fingerprint::parse(&"1".repeat(40)).expect("fp");
    let fp2 = Fingerprint::parse(&"2".repeat(40)).expect("fp");
    let mail = |source| KeyOrigin {
        source,
        provenance: "autocrypt in message <m1@example.org>",
        trust: KeyTrust::Unconfirmed,
    };
    assert_eq!(
        Beneficiary::offer_certificate(&mut conn, &b.id, &key("k1"), &fp1, mail("autocrypt"), None).expect("pin"),
        KeyOffer::Pinned
    );
    let pinned = Beneficiary::get(&mut conn, &b.id).expect("b");
    assert_eq!(pinned.key_trust, Some(KeyTrust::Unconfirmed), "learned from mail: not trusted yet");
    assert_eq!(pinned.key_provenance.as_deref(), Some("autocrypt in message <m1@example.org>"));
    assert_eq!(
        Beneficiary::offer_certificate(&mut conn, &b.id, &key("k1-refreshed"), &fp1, mail("autocrypt"), None)
            .expect("refresh"),
        KeyOffer::Refreshed
    );
    assert_eq!(
        Beneficiary::offer_certificate(&mut conn, &b.id, &key("k1-refreshed"), &fp1, mail("autocrypt"), None)
            .expect("same again"),
        KeyOffer::Unchanged,
        "the same certificate again records nothing"
    );
    assert_eq!(Beneficiary::get(&mut conn, &b.id).expect("b").key_trust, Some(KeyTrust::Unconfirmed));
    // The handler compares the fingerprint by phone: the one compared must be the pinned one.
    assert_eq!(
        Beneficiary::confirm_key(&mut conn, &b.id, &fp2, "by phone", Some(&lead.id)).map_err(|e| e.kind()).err(),
        Some("conflict")
    );
    let confirmed = Beneficiary::confirm_key(&mut conn, &b.id, &fp1, "by phone", Some(&lead.id)).expect("confirm");
    assert_eq!(confirmed.key_trust, Some(KeyTrust::Confirmed));
    assert_eq!(confirmed.key_confirmed_by.as_deref(), Some(lead.id.as_str()));
    assert!(confirmed.key_provenance.unwrap_or_default().ends_with("confirmed: by phone"));
    assert_eq!(
        Beneficiary::confirm_key(&mut conn, &b.id, &fp1, "again", Some(&lead.id)).map_err(|e| e.kind()).err(),
        Some("conflict")
    );
    assert!(!Beneficiary::has_pending_key_change(&mut conn, &b.id).expect("pending?"));
    let pending =
        Beneficiary::offer_certificate(&mut conn, &b.id, &key("k2"), &fp2, mail("autocrypt"), None).expect("offer");
    assert!(Beneficiary::has_pending_key_change(&mut conn, &b.id).expect("pending?"));
    let KeyOffer::PendingChange { key_change_id } = pending else { panic!("a different key must wait: {pending:?}") };
    let still = Beneficiary::get(&mut conn, &b.id).expect("b");
    assert_eq!(still.pgp_fingerprint, Some(fp1.clone()), "never silently replaced");
    assert_eq!(
        Beneficiary::offer_certificate(&mut conn, &b.id, &key("k2"), &fp2, mail("autocrypt"), None).expect("again"),
        KeyOffer::AlreadyPending { key_change_id: key_change_id.clone() }
    );
    let decided = Beneficiary::decide_key_change(&mut conn, &key_change_id, true, Some(&lead.id)).expect("accept");
    assert_eq!(decided.status, KeyChangeStatus::Accepted);
    assert_eq!(decided.old_fingerprint, Some(fp1.clone()));
    let now_pinned = Beneficiary::get(&mut conn, &b.id).expect("b");
    assert_eq!(now_pinned.pgp_fingerprint, Some(fp2));
    assert!(now_pinned.pgp_certificate.as_deref().unwrap_or_default().contains("k2"));
    assert_eq!(now_pinned.key_trust, Some(KeyTrust::Confirmed), "accepted by a handler");
    assert!(!Beneficiary::has_pending_key_change(&mut conn, &b.id).expect("pending?"));
    assert_eq!(
        Beneficiary::decide_key_change(&mut conn, &key_change_id, false, Some(&lead.id)).map_err(|e| e.kind()).err(),
        Some("conflict")
    );
    assert!(Beneficiary::offer_certificate(&mut conn, &b.id, "not a key", &fp1, mail("manual"), None).is_err());
}

fn users_are_unique_and_listed(db: TestDb) {
    let mut conn = db.conn();
    let a = user(&mut conn, "a@helpline.example", Role::Admin);
    user(&mut conn, "b@helpline.example", Role::Handler);
    let dup = User::create(
        &mut conn,
        rempart_store::users::NewUser {
            email: email("A@Helpline.Example"),
            display_name: "dup".into(),
            role: Role::Handler,
            languages: Languages::default(),
            password_hash: "x".into(),
            must_change_password: false,
        },
        None,
    )
    .expect_err("duplicate email");
    assert_eq!(dup.kind(), "conflict");
    let list = User::list(&mut conn).expect("list");
    assert_eq!(list.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(), ["a@helpline.example", "b@helpline.example"]);
    assert_eq!(list[0].languages.to_string(), "fr,en");
    let changed = User::update(
        &mut conn,
        &a.id,
        rempart_store::users::UserUpdateForm { password_hash: Some("new".into()), ..Default::default() },
        None,
    )
    .expect("update");
    assert_eq!(changed.token_version, a.token_version + 1, "a password change revokes tokens");
    let someone = beneficiary(&mut conn, "z@example.org");
    let unknown_assignee =
        Case::create(&mut conn, NewCase { assignee_id: Some("nobody".into()), ..NewCase::new(someone.id, "x") }, None)
            .expect_err("assignee must exist");
    assert_eq!(unknown_assignee.kind(), "invalid");
}

/// A case found by its beneficiary's whole address, or by whole words of their name or
/// addresses, case-insensitively (names and addresses are sealed: the search reads tokens).
fn list_by_beneficiary_name_or_address(db: TestDb) {
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana.perez@example.org");
    Beneficiary::update(
        &mut conn,
        &ana.id,
        rempart_store::beneficiaries::BeneficiaryUpdateForm {
            display_name: Some("Ana Pérez_2".into()),
            ..Default::default()
        },
        None,
    )
    .expect("rename");
    let bo = beneficiary(&mut conn, "bo@collectif.example");
    let ana_case = case(&mut conn, &ana.id, "compte piraté");
    let bo_case = case(&mut conn, &bo.id, "menaces");
    let found = |who: &str| -> Vec<String> {
        let filter = CaseFilter { beneficiary: Some(who.to_owned()), ..Default::default() };
        Case::list(&mut db.conn(), &filter, None, 50).expect("list").into_iter().map(|c| c.id).collect()
    };
    assert_eq!(found("PÉREZ"), vec![ana_case.id.clone()], "a word of the name, any case");
    assert_eq!(found("Ana.Perez@Example.org"), vec![ana_case.id.clone()], "the whole address");
    assert_eq!(found("ana.perez"), vec![ana_case.id.clone()], "words of an address");
    assert_eq!(found("collectif.example"), vec![bo_case.id.clone()], "an address's domain");
    assert!(found("pére").is_empty(), "whole words only");
    assert!(found("ana bo").is_empty(), "every word asked for");
    assert!(found("nobody@example.org").is_empty());
    assert!(found("nobody").is_empty());
    // Renamed: the old name no longer finds them, the new one does.
    Beneficiary::update(
        &mut conn,
        &ana.id,
        rempart_store::beneficiaries::BeneficiaryUpdateForm {
            display_name: Some("Ana Lopez".into()),
            ..Default::default()
        },
        None,
    )
    .expect("rename");
    assert!(found("pérez").is_empty());
    assert_eq!(found("lopez"), vec![ana_case.id.clone()]);
}

fn list_filters_and_cursor_pagination(db: TestDb) {
    let mut conn = db.conn();
    let handler = user(&mut conn, "h@helpline.example", Role::Handler);
    let b = beneficiary(&mut conn, "ana@example.org");
    let mut ids = Vec::new();
    for i in 0..25 {
        let urgency = [Urgency::Critical, Urgency::High, Urgency::Medium, Urgency::Low][i % 4];
        let c = Case::create(
            &mut conn,
            NewCase {
                urgency,
                assignee_id: (i % 2 == 0).then(|| handler.id.clone()),
                ..NewCase::new(&b.id, format!("case {i}"))
            },
            None,
        )
        .expect("create");
        if i % 3 == 0 {
            Case::transition(&mut conn, &c.id, CaseStatus::Open, None, None).expect("open");
        }
        ids.push(c.id);
    }
    let filter =
        CaseFilter { statuses: vec![CaseStatus::Open], urgencies: vec![Urgency::Critical], ..Default::default() };
    let open_critical = Case::list(&mut conn, &filter, None, 50).expect("list");
    // i % 3 == 0 and i % 4 == 0 -> i in {0, 12, 24}
    assert_eq!(open_critical.len(), 3);
    assert!(open_critical.iter().all(|c| c.status == CaseStatus::Open && c.urgency == Urgency::Critical));
    let unassigned =
        Case::list(&mut conn, &CaseFilter { assignee_id: Some(None), ..Default::default() }, None, 50).expect("list");
    assert_eq!(unassigned.len(), 12);

    // Pages of 10, newest first, with new cases arriving between pages.
    let mut seen = Vec::new();
    let mut cursor: Option<CaseCursor> = None;
    loop {
        let page = Case::list(&mut conn, &CaseFilter::default(), cursor.as_ref(), 10).expect("page");
        if page.is_empty() {
            break;
        }
        case(&mut conn, &b.id, "arrived while paging");
        let last = page.last().expect("non-empty");
        cursor = Some(CaseCursor { created_at: last.created_at, id: last.id.clone() });
        seen.extend(page.into_iter().map(|c| c.id));
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected, "every case once, in order, none skipped or repeated");
}

/// A new case is answered as built, not read back: the answer must be what was stored,
/// with its audit event and the decision that assigned it.
fn a_new_case_is_answered_as_stored(db: TestDb) {
    let mut conn = db.conn();
    let b = beneficiary(&mut conn, "ana@example.org");
    let handler = user(&mut conn, "bo@helpline.example", Role::Handler);
    let new = NewCase {
        urgency: Urgency::Critical,
        priority: Priority::P1,
        service_type: Some(TaxonomyCode::parse("account_compromise").expect("code")),
        threat_type: Some(ThreatType::Direct),
        imminent_risk: true,
        sensitivity: Sensitivity::Restricted,
        assignee_id: Some(handler.id.clone()),
        ..NewCase::new(&b.id, "  Téléphone saisi à la frontière  ")
    };
    let decision = rempart_rota::Decision {
        assignee: Some(handler.id.clone()),
        reasons: vec!["rotation week 48: intake is Bo".into(), "assigned to Bo".into()],
        via_standby: false,
        alert_leads: true,
    };
    let created = Case::insert_decided(&mut conn, new, Some(&handler.id), Some(&decision)).expect("create");
    let stored = Case::get(&mut conn, &created.id).expect("stored");
    assert_eq!(
        serde_json::to_value(&created).expect("json"),
        serde_json::to_value(&stored).expect("json"),
        "the answer is the stored row"
    );
    assert_eq!(stored.summary, "Téléphone saisi à la frontière");
    let trail = AuditEvent::for_case(&mut conn, &created.id).expect("trail");
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "case.created");
    assert_eq!(trail[0].actor_id.as_deref(), Some(handler.id.as_str()));
    assert_eq!(trail[0].details, format!("reference={} urgency=critical imminent_risk=true", created.reference));
    let decisions = rempart_store::rota::decisions_for_case(&mut conn, &created.id).expect("decisions");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].assignee_id.as_deref(), Some(handler.id.as_str()));
    assert_eq!(decisions[0].reasons, "rotation week 48: intake is Bo\nassigned to Bo");
    assert!(decisions[0].alert_leads && !decisions[0].via_standby);
    // Without a decision, none is recorded.
    let plain = case(&mut conn, &b.id, "Compte Signal compromis");
    assert!(rempart_store::rota::decisions_for_case(&mut conn, &plain.id).expect("decisions").is_empty());
}

/// A case for someone new is written with them (on PostgreSQL in one statement): all of it
/// or nothing. An address that belongs to someone else refuses the whole, leaves no
/// beneficiary, no case and no gap in the year's numbers.
fn a_case_is_written_with_its_new_beneficiary(db: TestDb) {
    let mut conn = db.conn();
    let year = chrono::Utc::now().year();
    let someone = |addresses: &[&str]| NewBeneficiary {
        display_name: "Collectif".into(),
        emails: addresses.iter().map(|a| email(a)).collect(),
        audience_type: Some(TaxonomyCode::parse("journalist").expect("code")),
        preferred_language: Some(LanguageTag::parse("fr").expect("tag")),
    };
    let rows = BeneficiaryRows::prepare(someone(&["one@example.org", "two@example.org", "one@example.org"]), None)
        .expect("rows");
    let answered = rows.detail();
    let created = Case::create(&mut conn, NewCase::for_new_beneficiary(rows, "Menaces"), None).expect("created");
    assert_eq!(created.reference, CaseReference::new(year, 1).expect("valid"));
    let stored = Beneficiary::detail(&mut conn, &created.beneficiary_id).expect("stored");
    assert_eq!(serde_json::to_value(&stored).expect("json"), serde_json::to_value(&answered).expect("json"));
    let addresses: Vec<_> = stored.emails.iter().map(|e| (e.address.as_str(), e.is_primary)).collect();
    assert_eq!(addresses, [("one@example.org", true), ("two@example.org", false)]);
    let trail = AuditEvent::for_target(&mut conn, "beneficiary", &created.beneficiary_id).expect("trail");
    assert_eq!(trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["beneficiary.created"]);

    let taken = BeneficiaryRows::prepare(someone(&["three@example.org", "two@example.org"]), None).expect("rows");
    let refused = Case::create(&mut conn, NewCase::for_new_beneficiary(taken, "Encore"), None).expect_err("taken");
    assert!(matches!(&refused, StoreError::Conflict(m) if m.contains("already belongs")), "{refused:?}");
    assert!(Beneficiary::find_by_email(&mut conn, &email("three@example.org")).expect("lookup").is_none());
    let next = case(&mut conn, &created.beneficiary_id, "Encore");
    assert_eq!(next.reference, CaseReference::new(year, 2).expect("valid"), "no gap");
}

on_both_backends!(
    list_by_beneficiary_name_or_address,
    a_case_is_written_with_its_new_beneficiary,
    a_new_case_is_answered_as_stored,
    references_are_sequential_per_year,
    state_machine_is_enforced_and_history_kept,
    updates_use_optimistic_concurrency,
    a_full_case_carries_every_item,
    evidence_is_immutable_and_checked_on_read,
    indicators_correlate_across_cases,
    beneficiaries_keep_verification_and_key_history,
    users_are_unique_and_listed,
    list_filters_and_cursor_pagination,
);
