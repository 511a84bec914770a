//! The layer's authorization table (rempart-app/tests/table), driven through the REST API:
//! each cell becomes requests to the routes that carry the operation, answered 2xx (`Y`),
//! 404 (`N`) or 403 (`F`). The adapter cannot drift from the layer without failing here.

#[path = "../../../rempart-app/tests/table/mod.rs"]
mod table;

use crate::support::{Answer, TestApp, spawn};
use rempart_core::Role;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::{Value, json};
use table::{CAPABILITY_TABLE, CASE_TABLE, Cell, Operation, Situation};

/// Every route that reads a case or something under it: one cell of `See` each.
const CASE_READS: &[&str] = &[
    "",
    "/messages",
    "/comments",
    "/actions",
    "/next-steps",
    "/third-parties",
    "/links",
    "/risk-assessments",
    "/indicators",
    "/correlations",
    "/evidence",
    "/assignment-decisions",
    "/escalations",
];

fn cell(answer: &Answer, what: &str) -> Cell {
    match answer.status {
        200..=299 => Cell::Y,
        404 => Cell::N,
        403 => Cell::F,
        other => panic!("{what}: neither allowed nor refused: {other} {:?}", answer.body),
    }
}

struct Staff {
    id: String,
    token: String,
}

struct World<'a> {
    app: &'a TestApp,
    lead: String,
    colleague: String,
    next: usize,
}

impl World<'_> {
    /// A fresh case in `situation` relative to `me`, opened by a lead.
    fn case(&mut self, me: &Staff, situation: Situation) -> Value {
        self.next += 1;
        let (assignee, sensitivity) = match situation {
            Situation::Own => (Some(me.id.as_str()), "normal"),
            Situation::Colleagues | Situation::Erased => (Some(self.colleague.as_str()), "normal"),
            Situation::Unassigned => (None, "normal"),
            Situation::RestrictedColleagues => (Some(self.colleague.as_str()), "restricted"),
            Situation::RestrictedOwn => (Some(me.id.as_str()), "restricted"),
        };
        let mut extra = json!({"sensitivity": sensitivity});
        if let Some(a) = assignee {
            extra["assignee_id"] = json!(a);
        }
        let case = self.app.new_case(&self.lead, &format!("b{}@example.org", self.next), extra);
        if situation == Situation::Erased {
            let id = case["id"].as_str().expect("id");
            for to in ["open", "resolved", "closed"] {
                self.app
                    .post(&format!("/api/v1/cases/{id}/transitions"), Some(&self.lead), json!({"to": to}))
                    .expect(200);
            }
            self.app
                .post(
                    &format!("/api/v1/cases/{id}/erase"),
                    Some(&self.lead),
                    json!({"reason": "asked to be forgotten"}),
                )
                .expect(200);
        }
        case
    }
}

/// The cells of `op` on `case` as `me`: one per route carrying the operation.
fn run(app: &TestApp, world: &World, me: &Staff, op: Operation, case: &Value) -> Vec<(String, Cell)> {
    answers(app, world, me, op, case).into_iter().map(|(what, answer)| (what.clone(), cell(&answer, &what))).collect()
}

/// The answers of the routes carrying `op` on `case` as `me`.
fn answers(app: &TestApp, world: &World, me: &Staff, op: Operation, case: &Value) -> Vec<(String, Answer)> {
    let id = case["id"].as_str().expect("id");
    let beneficiary = case["beneficiary_id"].as_str().or(case["beneficiary"]["id"].as_str()).expect("beneficiary");
    let t = Some(me.token.as_str());
    let assign = |body: Value| app.post(&format!("/api/v1/cases/{id}/assignment"), t, body);
    let answers: Vec<(String, Answer)> = match op {
        Operation::See => CASE_READS
            .iter()
            .map(|route| (format!("GET /cases/{{id}}{route}"), app.get(&format!("/api/v1/cases/{id}{route}"), t)))
            .collect(),
        Operation::Restrict => vec![(
            "PATCH /cases/{id}".into(),
            app.patch(&format!("/api/v1/cases/{id}"), t, json!({"sensitivity": "restricted"}), Some("*")),
        )],
        Operation::HandOn => {
            vec![("assign to a colleague".into(), assign(json!({"assignee_id": world.colleague, "reason": "r"})))]
        }
        Operation::Take => vec![("take".into(), assign(json!({"assignee_id": me.id, "reason": "r"})))],
        Operation::Override => vec![(
            "override".into(),
            assign(json!({"assignee_id": world.colleague, "reason": "r", "override_reason": "o"})),
        )],
        Operation::SeeBeneficiary => {
            vec![("GET /beneficiaries/{id}".into(), app.get(&format!("/api/v1/beneficiaries/{beneficiary}"), t))]
        }
        Operation::OpenCase | Operation::OpenCaseForColleague => {
            let mut body = json!({"beneficiary_id": beneficiary, "summary": "Encore un compte compromis"});
            if op == Operation::OpenCaseForColleague {
                body["assignee_id"] = json!(world.colleague);
            }
            vec![("POST /cases".into(), app.post("/api/v1/cases", t, body))]
        }
        Operation::Work => {
            let post = |route: &str, body: Value| app.post(&format!("/api/v1/cases/{id}{route}"), t, body);
            vec![
                ("POST /cases/{id}/replies".into(), post("/replies", json!({"body": "Bonjour"}))),
                ("POST /cases/{id}/comments".into(), post("/comments", json!({"text": "Vu"}))),
                ("POST /cases/{id}/actions".into(), post("/actions", json!({"text": "Appel"}))),
                ("POST /cases/{id}/transitions".into(), post("/transitions", json!({"to": "open"}))),
            ]
        }
        Operation::Erase => {
            for to in ["open", "resolved", "closed"] {
                app.post(&format!("/api/v1/cases/{id}/transitions"), Some(&world.lead), json!({"to": to})).expect(200);
            }
            let body = json!({"reason": "asked to be forgotten"});
            vec![("POST /cases/{id}/erase".into(), app.post(&format!("/api/v1/cases/{id}/erase"), t, body))]
        }
        Operation::ChangeBeneficiary => vec![(
            "PATCH /beneficiaries/{id}".into(),
            app.patch(&format!("/api/v1/beneficiaries/{beneficiary}"), t, json!({"display_name": "Renamed"}), None),
        )],
    };
    answers
}

fn the_table_holds_over_http(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("setup-lead@helpline.example", Role::Lead);
    // An analyst colleague: the rota's wellbeing rules (for handlers) stay out of the way.
    let (colleague, _) = app.signed_in("colleague@helpline.example", Role::Analyst);
    let roles = [Role::Handler, Role::Analyst, Role::Lead, Role::Admin];
    let staff: Vec<Staff> = roles
        .iter()
        .map(|role| {
            let (user, token) = app.signed_in(&format!("{role}-actor@helpline.example"), *role);
            Staff { id: user.id, token }
        })
        .collect();
    let mut world = World { app: &app, lead, colleague: colleague.id, next: 0 };
    let mut wrong = Vec::new();
    for (op, situation, expected) in CASE_TABLE {
        for (column, me) in staff.iter().enumerate() {
            let case = world.case(me, *situation);
            for (what, got) in run(&app, &world, me, *op, &case) {
                if got != expected[column] {
                    wrong.push(format!(
                        "{op:?} ({what}) on {situation:?} as {:?}: {got:?}, want {:?}",
                        roles[column], expected[column]
                    ));
                }
            }
        }
    }
    let route = |capability: rempart_app::Capability| match capability {
        rempart_app::Capability::Administer => "/api/v1/users",
        rempart_app::Capability::Supervise => "/api/v1/workload",
        rempart_app::Capability::ReadStatistics => "/api/v1/stats",
        rempart_app::Capability::HandleQuarantine => "/api/v1/mail/quarantine",
    };
    for (capability, expected) in CAPABILITY_TABLE {
        for (column, me) in staff.iter().enumerate() {
            let got = cell(&app.get(route(*capability), Some(&me.token)), route(*capability));
            if got != expected[column] {
                wrong.push(format!("{capability:?} as {:?}: {got:?}, want {:?}", roles[column], expected[column]));
            }
        }
    }
    // The sixth column: a disabled account is nobody. Its session ends with the account,
    // so every route of the table answers 401, whatever the case.
    let (disabled, token) = app.signed_in("disabled-actor@helpline.example", Role::Lead);
    app.patch(&format!("/api/v1/users/{}", disabled.id), Some(&staff[3].token), json!({"active": false}), None)
        .expect(200);
    let me = Staff { id: disabled.id, token };
    for (op, situation, _) in CASE_TABLE.iter().filter(|(_, s, _)| *s == Situation::Own) {
        let case = world.case(&staff[2], *situation);
        for (what, answer) in answers(&app, &world, &me, *op, &case) {
            if answer.status != 401 {
                wrong.push(format!("{op:?} ({what}) as a disabled account: {}, want 401", answer.status));
            }
        }
    }
    assert!(wrong.is_empty(), "the API disagrees with the table:\n{}", wrong.join("\n"));
}

on_both_backends!(the_table_holds_over_http);
