//! The roster the rota decides from, read from storage, on SQLite and on PostgreSQL.

use crate::common::{beneficiary, user};
use chrono::{Duration, Utc};
use rempart_core::{CaseStatus, Role, Urgency};
use rempart_rota::{Fitness, Period, Policy, ShiftKind};
use rempart_store::cases::{Case, NewCase};
use rempart_store::rota::{add_shift, check_in, roster_at, rotation_at, rotations, set_rotation};
use rempart_test_db::{TestDb, on_both_backends};

/// Shifts come once each with all their check-ins; loads are weighted counts of open
/// cases (closed ones left out) and critical or imminent-risk cases of the week.
fn the_roster_counts_loads_and_keeps_every_check_in(db: TestDb) {
    let mut conn = db.conn();
    let policy = Policy::default();
    let now = Utc::now().naive_utc();
    assert!(roster_at(&mut conn, now, &policy).expect("empty roster").handlers.is_empty());

    let ana = user(&mut conn, "ana@helpline.example", Role::Handler);
    let bo = user(&mut conn, "bo@helpline.example", Role::Handler);
    let cy = user(&mut conn, "cy@helpline.example", Role::Handler);
    let start = now - Duration::hours(1);
    let end = start + Duration::hours(8);
    add_shift(&mut conn, &ana.id, ShiftKind::Intake, start, end, &policy, None).expect("ana's shift");
    add_shift(&mut conn, &bo.id, ShiftKind::Standby, start, end, &policy, None).expect("bo's shift");
    check_in(&mut conn, &ana.id, false, None, start + Duration::minutes(1)).expect("not fit");
    check_in(&mut conn, &ana.id, true, None, start + Duration::minutes(2)).expect("fit after all");
    set_rotation(&mut conn, &[ana.id.clone(), bo.id.clone(), cy.id.clone()], Period::Weekly, now.date(), None)
        .expect("rotation");

    let b = beneficiary(&mut conn, "collectif@example.org");
    let mut open = |assignee: &str, urgency: Urgency, imminent_risk: bool| {
        let new = NewCase {
            urgency,
            imminent_risk,
            assignee_id: Some(assignee.to_owned()),
            ..NewCase::new(&b.id, "Compte compromis")
        };
        Case::create(&mut conn, new, None).expect("case")
    };
    open(&ana.id, Urgency::High, false);
    open(&ana.id, Urgency::High, false);
    open(&ana.id, Urgency::Critical, false);
    let closed = open(&ana.id, Urgency::Low, false);
    open(&bo.id, Urgency::Medium, true);
    for to in [CaseStatus::Open, CaseStatus::Resolved, CaseStatus::Closed] {
        Case::transition(&mut conn, &closed.id, to, None, None).expect("close");
    }

    let roster = roster_at(&mut conn, now, &policy).expect("roster");
    assert_eq!(roster.shifts.len(), 2, "each shift once, whatever its check-ins");
    let ana_shift = roster.shifts.iter().find(|s| s.handler_id == ana.id).expect("ana's shift").id.clone();
    let mut answers: Vec<(String, Fitness)> =
        roster.check_ins.iter().map(|c| (c.shift_id.clone(), c.fitness)).collect();
    answers.sort_by_key(|(_, f)| *f == Fitness::Fit);
    assert_eq!(answers, vec![(ana_shift.clone(), Fitness::NotFit), (ana_shift, Fitness::Fit)]);
    let mut handlers: Vec<&str> = roster.handlers.iter().map(|h| h.id.as_str()).collect();
    handlers.sort_unstable();
    let mut expected = vec![ana.id.as_str(), bo.id.as_str(), cy.id.as_str()];
    expected.sort_unstable();
    assert_eq!(handlers, expected, "people on shift and in the rotation");

    let ana_load = roster.loads.get(&ana.id).expect("ana's load");
    assert_eq!(ana_load.weighted, 2 * policy.weights.of(Urgency::High) + policy.weights.of(Urgency::Critical));
    assert_eq!(ana_load.critical_this_week, 1);
    let bo_load = roster.loads.get(&bo.id).expect("bo's load");
    assert_eq!(bo_load.weighted, policy.weights.of(Urgency::Medium));
    assert_eq!(bo_load.critical_this_week, 1, "imminent risk counts as critical");
    assert!(!roster.loads.contains_key(&cy.id), "nothing open, no load");
}

/// A rotation from a later date is planned: the one in force stays until that day; one from
/// today replaces both.
fn a_rotation_is_planned_ahead(db: TestDb) {
    let mut conn = db.conn();
    let ana = user(&mut conn, "ana@helpline.example", Role::Handler);
    let bo = user(&mut conn, "bo@helpline.example", Role::Handler);
    let now = rempart_store::now();
    let today = now.date();
    let next = today + Duration::days(7);
    set_rotation(&mut conn, std::slice::from_ref(&ana.id), Period::Weekly, today, None).expect("in force");
    set_rotation(&mut conn, &[bo.id.clone(), ana.id.clone()], Period::Weekly, next, None).expect("planned");
    let mut order = |at| rotation_at(&mut conn, at).expect("rotation").map(|r| r.order).unwrap_or_default();
    assert_eq!(order(now), std::slice::from_ref(&ana.id), "this week's stays");
    assert_eq!(order(now + Duration::days(7)), [bo.id.clone(), ana.id.clone()], "next week's from its day");
    // A later plan replaces the earlier one; the one in force stays.
    set_rotation(&mut conn, std::slice::from_ref(&bo.id), Period::Daily, next + Duration::days(1), None)
        .expect("re-planned");
    let all = rotations(&mut conn).expect("rotations");
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].order.clone(), all[1].period), (vec![ana.id.clone()], Period::Daily));
    // From today: it replaces both.
    set_rotation(&mut conn, std::slice::from_ref(&bo.id), Period::Weekly, today, None).expect("now");
    assert_eq!(rotations(&mut conn).expect("rotations").len(), 1);
    assert_eq!(rotation_at(&mut conn, now).expect("rotation").map(|r| r.order), Some(vec![bo.id.clone()]));
}

on_both_backends!(the_roster_counts_loads_and_keeps_every_check_in, a_rotation_is_planned_ahead);
