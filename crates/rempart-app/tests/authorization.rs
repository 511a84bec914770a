//! The authorization table: who may see and do what, read as a specification.
//!
//! Rows are operations of the layer in a situation relative to the actor; columns are the
//! actors: a handler, an analyst, a lead, an administrator, and the system (mail intake,
//! timers, the operator's command line). A disabled account never becomes an actor: the
//! adapters refuse its session first (the API answers 401 `token-revoked`, tested in
//! rempart-api's auth tests).
//!
//! `Y` allowed, `N` not found (the actor may not know it exists), `F` forbidden (known, but
//! not theirs to do). Each cell runs on a fresh case, on SQLite and on PostgreSQL.

use rempart_app::beneficiaries;
use rempart_app::intake::{self, CaseFields, Requester};
use rempart_app::{Actor, AppError, cases, evidence, indicators, keys, operations};
use rempart_core::{
    CaseStatus, Channel, EmailAddress, Fingerprint, IndicatorKind, IndicatorRules, Languages, Role, Sensitivity,
};
use rempart_rota::Policy;
use rempart_store::DbConn;
use rempart_store::beneficiaries::{Beneficiary, NewBeneficiary};
use rempart_store::cases::{Case, NewCase};
use rempart_store::indicators::NewIndicator;
use rempart_store::users::{NewUser, User};
use rempart_test_db::{TestDb, on_both_backends};

mod table;

use table::Cell::{F, N, Y};
use table::Operation::*;
use table::Situation::*;
use table::{CAPABILITY_TABLE, CASE_TABLE, Cell, Operation, Situation};

const ROLES: [Option<Role>; 5] = [Some(Role::Handler), Some(Role::Analyst), Some(Role::Lead), Some(Role::Admin), None];

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).expect("address")
}

fn user(conn: &mut DbConn, name: &str, role: Role) -> User {
    User::create(
        conn,
        NewUser {
            email: email(&format!("{name}@helpline.example")),
            display_name: name.to_owned(),
            role,
            languages: Languages::default(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
            must_change_password: false,
        },
        None,
    )
    .expect("user")
}

struct World {
    colleague: User,
    actors: Vec<Actor>,
    next: usize,
}

impl World {
    fn new(conn: &mut DbConn) -> Self {
        let colleague = user(conn, "colleague", Role::Handler);
        let actors = ROLES
            .iter()
            .map(|role| match role {
                Some(role) => {
                    let u = user(conn, &format!("{role}-actor"), *role);
                    Actor::staff(u.id, *role)
                }
                None => Actor::System,
            })
            .collect();
        Self { colleague, actors, next: 0 }
    }

    /// A fresh case (with its own beneficiary) in `situation` relative to `actor`.
    fn case(&mut self, conn: &mut DbConn, actor: &Actor, situation: Situation) -> Case {
        self.next += 1;
        let b = Beneficiary::create(
            conn,
            NewBeneficiary {
                display_name: format!("Beneficiary {}", self.next),
                emails: vec![email(&format!("b{}@example.org", self.next))],
                audience_type: None,
                preferred_language: None,
            },
            None,
        )
        .expect("beneficiary");
        let mine = actor.id().map(str::to_owned).unwrap_or_else(|| self.colleague.id.clone());
        let (assignee, sensitivity) = match situation {
            Own => (Some(mine), Sensitivity::Normal),
            Colleagues | Erased => (Some(self.colleague.id.clone()), Sensitivity::Normal),
            Unassigned => (None, Sensitivity::Normal),
            RestrictedColleagues => (Some(self.colleague.id.clone()), Sensitivity::Restricted),
            RestrictedOwn => (Some(mine), Sensitivity::Restricted),
        };
        let mut new = NewCase::new(&b.id, "Compte compromis");
        new.assignee_id = assignee;
        new.sensitivity = sensitivity;
        let case = Case::create(conn, new, None).expect("case");
        if situation == Erased {
            for to in
                [rempart_core::CaseStatus::Open, rempart_core::CaseStatus::Resolved, rempart_core::CaseStatus::Closed]
            {
                Case::transition(conn, &case.id, to, None, None).expect("transition");
            }
            rempart_store::retention::erase_on_request(conn, &case.id, &self.colleague.id, "asked to be forgotten")
                .expect("erase");
        }
        case
    }
}

fn outcome<T>(result: Result<T, AppError>) -> Cell {
    match result {
        Ok(_) => Y,
        Err(AppError::NotFound(_)) => N,
        Err(AppError::Forbidden(_)) => F,
        Err(e) => panic!("neither allowed nor refused: {e:?}"),
    }
}

fn run(conn: &mut DbConn, world: &World, actor: &Actor, op: Operation, case: &Case) -> Cell {
    let colleague = world.colleague.id.as_str();
    let seen = cases::visible(conn, actor, &case.id, "authorization table");
    let seen = match (op, seen) {
        (SeeBeneficiary | ChangeBeneficiary | OpenCase | OpenCaseForColleague | Erase, _) => None,
        (_, Err(e)) => return outcome::<()>(Err(e)),
        (_, Ok(case)) => Some(case),
    };
    let result = match op {
        See => Ok(()),
        Restrict => cases::may_restrict(actor, seen.as_ref().expect("seen"), Some(Sensitivity::Restricted)),
        HandOn => cases::may_assign(actor, seen.as_ref().expect("seen"), Some(colleague), false),
        Take => cases::may_assign(actor, seen.as_ref().expect("seen"), actor.id().or(Some(colleague)), false),
        Override => cases::may_assign(actor, seen.as_ref().expect("seen"), Some(colleague), true),
        SeeBeneficiary => beneficiaries::visible(conn, actor, &case.beneficiary_id).map(|_| ()),
        ChangeBeneficiary => beneficiaries::changeable(conn, actor, &case.beneficiary_id).and_then(|_| {
            let armored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n";
            let fingerprint = Fingerprint::parse(&"AB".repeat(20)).expect("fingerprint");
            keys::enter(conn, actor, &case.beneficiary_id, armored, &fingerprint, "the table")?;
            let verified = rempart_core::VerificationStatus::Verified;
            beneficiaries::set_verification(conn, actor, &case.beneficiary_id, verified, "the table").map(|_| ())
        }),
        OpenCase | OpenCaseForColleague => {
            let requested = (op == OpenCaseForColleague).then_some(colleague);
            let requester = Requester::Known(case.beneficiary_id.clone());
            let fields = CaseFields::intake("Encore un compte compromis");
            intake::open_case(conn, actor, requester, fields, requested, &Policy::default()).map(|_| ())
        }
        Work => operations::reply(conn, actor, &case.id, "Bonjour".into(), None)
            .and_then(|_| operations::transition(conn, actor, &case.id, CaseStatus::Open, None))
            .and_then(|_| operations::comment(conn, actor, &case.id, "Rappelée"))
            .and_then(|_| operations::record_conversation(conn, actor, &case.id, Channel::PhoneNote, "Appel"))
            .and_then(|_| {
                let new = NewIndicator { kind: IndicatorKind::Domain, value: "exemple.org", note: None, seen_at: None };
                indicators::add(conn, actor, &case.id, new, IndicatorRules::default())
            })
            .and_then(|_| indicators::of_case(conn, actor, &case.id))
            .and_then(|_| indicators::correlations(conn, actor, &case.id))
            .and_then(|_| {
                let file = evidence::Upload {
                    content: b"capture",
                    media_type: "text/plain",
                    name: "a.txt",
                    description: None,
                };
                evidence::add(conn, actor, &case.id, file)
            })
            .and_then(|stored| evidence::content(conn, actor, &case.id, &stored.evidence.id))
            .and_then(|_| evidence::list(conn, actor, &case.id))
            .and_then(|_| work_beside_the_thread(conn, actor, &case.id)),
        Erase => {
            for to in [CaseStatus::Open, CaseStatus::Resolved, CaseStatus::Closed] {
                Case::transition(conn, &case.id, to, None, None).expect("transition");
            }
            operations::erase_case(conn, actor, &case.id, "asked to be forgotten").map(|_| ())
        }
    };
    outcome(result)
}

/// The Work row's items beside the thread: each loads the case through `cases::visible`.
fn work_beside_the_thread(conn: &mut DbConn, actor: &Actor, case: &str) -> Result<(), AppError> {
    use rempart_app::items::{self, Written};
    items::record_action(conn, actor, case, "Signalé à la plateforme")?;
    items::actions(conn, actor, case)?;
    let step = items::plan_next_step(conn, actor, case, "Rappeler", None)?;
    items::set_next_step_done(conn, actor, case, &step.id, true)?;
    items::next_steps(conn, actor, case)?;
    let factors = rempart_core::RiskFactors::new(5, 5, 5).expect("factors");
    items::assess_risk(conn, actor, case, "Agression", factors, None)?;
    items::risk_assessments(conn, actor, case)?;
    let new = rempart_store::case_items::NewThirdParty {
        case_id: String::new(),
        organisation: "Plateforme".into(),
        contact_name: None,
        role: rempart_core::ThirdPartyRole::PlatformEscalation,
        email: None,
        phone: None,
        notes: None,
    };
    let party = items::add_third_party(conn, actor, case, new)?;
    items::third_parties(conn, actor, case)?;
    let armored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n";
    let fingerprint = Fingerprint::parse(&"CD".repeat(20)).expect("fingerprint");
    items::set_third_party_key(conn, actor, case, &party.id, armored, &fingerprint)?;
    let heard = |text: &str| Written {
        direction: rempart_core::Direction::Inbound,
        channel: Channel::PhoneNote,
        subject: None,
        text: text.into(),
    };
    items::write_to_third_party(conn, actor, case, &party.id, heard("Ils examinent"))?;
    items::record_message(conn, actor, case, heard("Elle a rappelé"))?;
    items::messages(conn, actor, case)?;
    items::comments(conn, actor, case)?;
    items::links(conn, actor, case)?;
    items::assignment_decisions(conn, actor, case)?;
    Ok(())
}

fn the_table_holds(db: TestDb) {
    let mut conn = db.conn();
    let mut world = World::new(&mut conn);
    let mut wrong = Vec::new();
    for (op, situation, expected) in CASE_TABLE {
        for (column, actor) in world.actors.clone().iter().enumerate() {
            let case = world.case(&mut conn, actor, *situation);
            let got = run(&mut conn, &world, actor, *op, &case);
            if got != expected[column] {
                wrong.push(format!(
                    "{op:?} on {situation:?} as {:?}: {got:?}, want {:?}",
                    ROLES[column], expected[column]
                ));
            }
        }
    }
    for (capability, expected) in CAPABILITY_TABLE {
        for (column, actor) in world.actors.iter().enumerate() {
            let got = outcome(rempart_app::require(actor, *capability));
            if got != expected[column] {
                wrong.push(format!("{capability:?} as {:?}: {got:?}, want {:?}", ROLES[column], expected[column]));
            }
        }
    }
    assert!(wrong.is_empty(), "the layer disagrees with the table:\n{}", wrong.join("\n"));
}

/// Reads of restricted cases leave a trace; reads of normal ones do not flood the trail.
fn restricted_reads_are_audited(db: TestDb) {
    let mut conn = db.conn();
    let mut world = World::new(&mut conn);
    let lead = world.actors[2].clone();
    let restricted = world.case(&mut conn, &lead, RestrictedColleagues);
    let normal = world.case(&mut conn, &lead, Colleagues);
    cases::visible(&mut conn, &lead, &restricted.id, "the detail").expect("lead sees it");
    cases::visible(&mut conn, &lead, &normal.id, "the detail").expect("lead sees it");
    let reads = |conn: &mut DbConn, id: &str| {
        rempart_store::audit::AuditEvent::for_case(conn, id)
            .expect("trail")
            .into_iter()
            .filter(|e| e.action == "case.read")
            .count()
    };
    assert_eq!(reads(&mut conn, &restricted.id), 1);
    assert_eq!(reads(&mut conn, &normal.id), 0);
    // What a page reads beside the thread of a case it loaded: no second read recorded;
    // and nothing at all for someone who may not see the case.
    rempart_app::items::beside(&mut conn, &lead, &restricted).expect("beside");
    assert_eq!(reads(&mut conn, &restricted.id), 1, "one page, one recorded read");
    let handler = world.actors[0].clone();
    let hidden = rempart_app::items::beside(&mut conn, &handler, &restricted);
    assert!(matches!(hidden, Err(AppError::NotFound(_))), "{hidden:?}");
    // Cases are found by reference too, and what is not a case id is not found.
    let by_reference = cases::visible(&mut conn, &lead, &restricted.reference.to_string(), "x").expect("by reference");
    assert_eq!(by_reference.id, restricted.id);
    assert!(matches!(cases::visible(&mut conn, &lead, "not-a-case", "x"), Err(AppError::NotFound(_))));
}

/// A check-in is a person's own: the system has no shift to check in to, nor notes.
fn only_people_check_in(db: TestDb) {
    let mut conn = db.conn();
    let now = rempart_store::now();
    let answer = rempart_app::wellbeing::check_in(&mut conn, &Actor::System, true, None, now);
    assert!(matches!(answer, Err(AppError::Forbidden(_))), "{answer:?}");
    assert!(matches!(rempart_app::wellbeing::own_check_ins(&mut conn, &Actor::System, 5), Err(AppError::Forbidden(_))));
    assert!(rempart_app::wellbeing::awaiting_check_in(&mut conn, &Actor::System, now).expect("nothing").is_none());
    let preferences = rempart_app::accounts::update_own_preferences(&mut conn, &Actor::System, None, None);
    assert!(matches!(preferences, Err(AppError::Forbidden(_))));
    // Templates: everyone reads the offered ones; only leads and admins manage them.
    let handler = Actor::staff(user(&mut conn, "h", Role::Handler).id, Role::Handler);
    let lead = Actor::staff(user(&mut conn, "l", Role::Lead).id, Role::Lead);
    let fr = rempart_core::LanguageTag::parse("fr").expect("tag");
    assert!(!rempart_app::templates::list(&mut conn, &handler, Some(&fr), false).expect("list").is_empty());
    let refused = rempart_app::templates::list(&mut conn, &handler, Some(&fr), true);
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    let refused = rempart_app::templates::create(&mut conn, &handler, &fr, "Salut", "Bonjour {beneficiary}");
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    let made = rempart_app::templates::create(&mut conn, &lead, &fr, "Salut", "Bonjour {beneficiary}").expect("lead");
    let change = rempart_store::reply_templates::TemplateChanges { active: Some(false), ..Default::default() };
    assert!(matches!(
        rempart_app::templates::update(&mut conn, &handler, &made.id, change.clone()),
        Err(AppError::Forbidden(_))
    ));
    rempart_app::templates::update(&mut conn, &lead, &made.id, change).expect("retired");
    let offered = rempart_app::templates::list(&mut conn, &handler, Some(&fr), false).expect("list");
    assert!(offered.iter().all(|t| t.id != made.id), "a retired template is no longer offered");
}

/// Every public function of the layer's rule modules appears in the table (or is named
/// here as a helper the table's operations use): a new rule without a row fails.
#[test]
fn every_rule_of_the_layer_is_in_the_table() {
    let covered: &[&str] = &[
        // cases
        "can_see",
        "visible",
        "keep_visible",
        "list_scope",
        "list",
        "opening_assignee",
        "may_restrict",
        "may_assign",
        "wellbeing_applies",
        "assignee_unavailable",
        // beneficiaries
        "access",
        "access_from",
        "changeable",
        "addresses_not_hidden",
        "create",
        "refusal_of_taken",
        "find_by_email",
        // access
        "may",
        "require",
        "read_account",
        "change_account",
        // accounts (the Administer capability's rows; `update_user` and `reset_totp` are run as
        // every role in tests/supervision.rs)
        "create_user",
        "list_users",
        "update_user",
        "reset_totp",
        // intake (`file` takes decisions made before; `alerts_leads` and `intake` are not rules)
        "open_case",
        "file",
        "alerts_leads",
        "intake",
        // operations (each starts with `cases::visible` and the rules above; tested through
        // the API's assignment and reply routes in the HTTP table and the API tests)
        "assign",
        "reply",
        "update_case",
        "transition",
        "alerts_leads_after_change",
        "erase_case",
        "comment",
        "record_conversation",
        // not a rule: what a reply's fate will be, from the beneficiary's key
        "reply_fate",
        // indicators (the Work row runs each: they load the case through `cases::visible`)
        "add",
        "of_case",
        "correlations",
        "lookup",
        // evidence (the Work row runs `add`, `content` and `list`)
        "content",
        // keys (each checks `beneficiaries::changeable` first; the ChangeBeneficiary row
        // runs `keys::enter`)
        "confirm",
        "decide_change",
        "enter",
        // templates (reading: every member of staff; writing and retired ones: the
        // Supervise capability row; `fill` and `offered` are not rules)
        "update",
        "fill",
        "offered",
        // accounts: colleagues' names, seen by every member of staff; one's own preferences
        // (the system has none: `only_people_check_in`)
        "names",
        "update_own_preferences",
        // the work beside the thread (the Work row runs each; `split_links` is `links`'s,
        // `link` is tested through the API's links test with a restricted target)
        "actions",
        "record_action",
        "next_steps",
        "plan_next_step",
        "set_next_step_done",
        "third_parties",
        "add_third_party",
        "write_to_third_party",
        "set_third_party_key",
        "messages",
        "comments",
        "record_message",
        "links",
        "split_links",
        // `beside` (what a page reads beside the thread): `restricted_reads_are_audited`
        "beside",
        "link",
        "risk_assessments",
        "assess_risk",
        "assignment_decisions",
        // beneficiaries' verification (the ChangeBeneficiary row runs `set_verification`;
        // `verification_allowed` has its own test)
        "set_verification",
        "verification_allowed",
        // the team, escalations and the quarantine: tests/supervision.rs runs each as every
        // role against the capability rows (`now`, `open`, `list`, `get`, `raw` are theirs;
        // `rotation` reads, `shifts` is open to all staff, `apply_moves` applies confirmed moves)
        "now",
        "members",
        "shifts",
        "shift",
        "plan_shift",
        "change_shift",
        "cancel_shift",
        "rotations",
        "set_rotation",
        "workload",
        "rebalance",
        "apply_moves",
        "open",
        "acknowledge",
        "get",
        "raw",
        "open_case",
        "discard",
        "mark_resolved",
        "attach",
        // taxonomies (reading: every member of staff; the rest: the Administer row) and the
        // statistics (the ReadStatistics row): tests/supervision.rs
        "entries",
        "labels",
        "translations",
        "add_entry",
        "update_entry",
        "translate",
        "report",
        // wellbeing: one's own check-ins (`only_people_check_in`)
        "check_in",
        "own_check_ins",
        "awaiting_check_in",
        // unlocking a sealed start: no actor (the passphrase is the credential); its limit
        // is tested in tests/unlock.rs
        "unlock",
        "policy",
        // actor
        "staff",
        "named",
        "id",
        "role",
        "is",
        "supervises",
        // error
        "not_found",
        "forbidden",
        "validation",
        "conflict",
        "kind",
    ];
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(src).expect("src") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        for line in text.lines() {
            let line = line.trim_start();
            let Some(rest) = line.strip_prefix("pub fn ").or_else(|| line.strip_prefix("pub(crate) fn ")) else {
                continue;
            };
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !covered.contains(&name.as_str()) {
                missing.push(format!("{}: {name}", path.display()));
            }
        }
    }
    assert!(missing.is_empty(), "rules of the layer without a row in the authorization table: {missing:?}");
}

/// No permission check is left in the adapters: the words of the rules appear only here.
#[test]
fn the_adapters_hold_no_rule() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let words = ["is_supervisor", "can_see(", "supervises(", "Role::Lead", "Role::Analyst", ".role() ==", ".role() !="];
    let mut found = Vec::new();
    for krate in ["rempart-api/src", "rempart-mail/src", "rempart-web/src", "rempart/src"] {
        let mut stack = vec![std::path::Path::new(root).join(krate)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                for (n, line) in text.lines().enumerate() {
                    if let Some(word) = words.iter().find(|w| line.contains(*w)) {
                        found.push(format!("{}:{}: {word}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "permission checks outside rempart-app: {found:#?}");
}

/// A handler who opens a restricted case keeps it (else they could not see it); a lead's
/// goes to the rota; an urgent or unassigned case alerts the leads.
fn opening_a_restricted_case(db: TestDb) {
    let mut conn = db.conn();
    let mut world = World::new(&mut conn);
    let (handler, lead) = (world.actors[0].clone(), world.actors[2].clone());
    let existing = world.case(&mut conn, &handler, Own);
    let restricted = CaseFields { sensitivity: Sensitivity::Restricted, ..CaseFields::intake("Menaces") };
    let requester = Requester::Known(existing.beneficiary_id.clone());
    let opened =
        intake::open_case(&mut conn, &handler, requester.clone(), restricted.clone(), None, &Policy::default())
            .expect("opened");
    assert_eq!(opened.case.assignee_id.as_deref(), handler.id());
    assert!(!intake::alerts_leads(&opened.case));
    let by_lead = intake::open_case(&mut conn, &lead, requester, restricted, None, &Policy::default()).expect("opened");
    assert_eq!(by_lead.case.assignee_id, None, "nobody on shift: the rota leaves it unassigned");
    assert!(intake::alerts_leads(&by_lead.case));
}

/// Rejecting a beneficiary is for leads and administrators (and the system), even where a
/// handler may change the beneficiary otherwise.
#[test]
fn only_supervisors_reject_a_beneficiary() {
    use rempart_core::VerificationStatus::{Rejected, Verified};
    let handler = Actor::staff("h", Role::Handler);
    let lead = Actor::staff("l", Role::Lead);
    assert!(beneficiaries::verification_allowed(&handler, Verified));
    assert!(!beneficiaries::verification_allowed(&handler, Rejected));
    assert!(beneficiaries::verification_allowed(&lead, Rejected));
    assert!(beneficiaries::verification_allowed(&Actor::System, Rejected));
}

on_both_backends!(the_table_holds, restricted_reads_are_audited, opening_a_restricted_case, only_people_check_in);
