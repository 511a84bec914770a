//! Properties of the assignment decision over random rosters.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use rempart_core::{LanguageTag, Languages, Urgency};
use rempart_rota::*;

const LANGS: [&str; 4] = ["fr", "en", "ar", "es"];

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25).and_then(|d| d.and_hms_opt(11, 0, 0)).unwrap_or_default()
}

prop_compose! {
    fn handler(i: usize)(langs in proptest::sample::subsequence(LANGS.to_vec(), 0..=3), cleared in any::<bool>(), capacity in 0u32..20) -> Handler {
        Handler {
            id: format!("h{i}"),
            name: format!("H{i}"),
            languages: Languages::parse(&langs.join(",")).unwrap_or_default(),
            cleared_for_restricted: cleared,
            capacity,
        }
    }
}

fn urgency() -> impl Strategy<Value = Urgency> {
    prop_oneof![Just(Urgency::Critical), Just(Urgency::High), Just(Urgency::Medium), Just(Urgency::Low)]
}

prop_compose! {
    fn roster()(n in 1usize..6)
        (handlers in (0..n).map(handler).collect::<Vec<_>>(),
         shifts in proptest::collection::vec((0..n, -600i64..120, 60i64..480, any::<bool>()), 0..12),
         check_ins in proptest::collection::vec((0usize..12, -60i64..60, any::<bool>()), 0..12),
         loads in proptest::collection::vec((0u32..25, 0u32..7), n),
         order in Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
         order_len in 0..=n,
         weekly in any::<bool>())
        -> Roster
    {
        let t = now();
        let shifts: Vec<Shift> = shifts.iter().enumerate().map(|(i, (h, start, len, standby))| Shift {
            id: format!("s{i}"),
            handler_id: format!("h{h}"),
            start: t + Duration::minutes(*start),
            end: t + Duration::minutes(start + len),
            kind: if *standby { ShiftKind::Standby } else { ShiftKind::Intake },
        }).collect();
        let check_ins = check_ins.iter().filter(|(s, ..)| *s < shifts.len()).map(|(s, offset, fit)| CheckIn {
            shift_id: format!("s{s}"),
            at: shifts[*s].start + Duration::minutes(*offset),
            fitness: if *fit { Fitness::Fit } else { Fitness::NotFit },
        }).collect();
        Roster {
            loads: loads.iter().enumerate().map(|(i, (w, c))| (format!("h{i}"), Load { weighted: *w, critical_this_week: *c })).collect(),
            rotation: Some(Rotation {
                order: order.iter().take(order_len).map(|i| format!("h{i}")).collect(),
                period: if weekly { Period::Weekly } else { Period::Daily },
                anchor: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(),
            }),
            handlers,
            shifts,
            check_ins,
        }
    }
}

prop_compose! {
    fn new_case()(u in urgency(), imminent in any::<bool>(), lang in proptest::option::of(0usize..4), restricted in any::<bool>()) -> NewCaseInfo {
        NewCaseInfo {
            urgency: u,
            imminent_risk: imminent,
            language: lang.and_then(|l| LanguageTag::parse(LANGS[l]).ok()),
            restricted,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Never someone off shift, not checked in, not fit, over capacity, over the critical
    /// cap, without the language, or not cleared for a restricted case.
    #[test]
    fn an_assignee_is_always_eligible(r in roster(), case in new_case()) {
        let policy = Policy::default();
        let d = assign(&r, &policy, &case, now());
        if let Some(id) = &d.assignee {
            let kind = if d.via_standby { ShiftKind::Standby } else { ShiftKind::Intake };
            let shift = r.shift_at(id, kind, now());
            prop_assert!(shift.is_some(), "off shift: {:?}", d);
            let shift = shift.map(|s| s.id.clone()).unwrap_or_default();
            prop_assert_eq!(r.check_in(&shift).map(|c| c.fitness), Some(Fitness::Fit), "{:?}", d);
            let h = r.handler(id).cloned();
            prop_assert!(h.is_some());
            let h = h.unwrap_or_else(|| unreachable!());
            let load = r.load(id);
            prop_assert!(load.weighted + policy.weights.of(case.urgency) <= h.capacity);
            if case.is_critical() {
                prop_assert!(load.critical_this_week < policy.critical_cap_per_week);
            }
            if let Some(l) = &case.language {
                prop_assert!(h.languages.speaks(l));
            }
            if case.restricted {
                prop_assert!(h.cleared_for_restricted);
            }
            prop_assert_eq!(rempart_rota::assign::refusal(&r, &policy, &case, id, kind, now()), None);
        }
    }

    /// Every decision explains itself, and the same inputs give the same decision.
    #[test]
    fn decisions_have_reasons_and_are_deterministic(r in roster(), case in new_case()) {
        let policy = Policy::default();
        let d = assign(&r, &policy, &case, now());
        prop_assert!(d.reasons.len() >= 2, "{:?}", d);
        let last = d.reasons.last().cloned().unwrap_or_default();
        match &d.assignee {
            Some(_) => prop_assert!(last.starts_with("assigned to "), "{}", last),
            None => prop_assert!(last.starts_with("nobody eligible"), "{}", last),
        }
        prop_assert_eq!(assign(&r, &policy, &case, now()), d.clone());
        prop_assert_eq!(d.alert_leads, case.is_critical() || d.assignee.is_none());
    }

    /// The intake handler of the period takes the case whenever they can, and nobody is
    /// skipped who could have taken it.
    #[test]
    fn the_first_eligible_in_rotation_order_wins(r in roster(), case in new_case()) {
        let policy = Policy::default();
        let d = assign(&r, &policy, &case, now());
        let order: Vec<String> = r.rotation.as_ref().map(|rot| rot.order_at(now()).into_iter().map(str::to_owned).collect()).unwrap_or_default();
        let first_ok = order.iter().find(|id| rempart_rota::assign::refusal(&r, &policy, &case, id, ShiftKind::Intake, now()).is_none());
        match first_ok {
            Some(id) => {
                prop_assert_eq!(d.assignee.as_ref(), Some(id));
                prop_assert!(!d.via_standby);
            }
            None => prop_assert!(d.assignee.is_none() || d.via_standby),
        }
    }
}

#[test]
fn reasons_read_like_the_helpline_expects() {
    let t = now();
    let handler = |id: &str, name: &str| Handler {
        id: id.into(),
        name: name.into(),
        languages: Languages::parse("fr").unwrap_or_default(),
        cleared_for_restricted: true,
        capacity: 20,
    };
    let shift = |id: &str, h: &str, kind| Shift {
        id: id.into(),
        handler_id: h.into(),
        start: t - Duration::hours(1),
        end: t + Duration::hours(3),
        kind,
    };
    let roster = Roster {
        handlers: vec![handler("bo", "Bo"), handler("ana", "Ana"), handler("cy", "Cy")],
        shifts: vec![
            shift("s1", "bo", ShiftKind::Intake),
            shift("s2", "ana", ShiftKind::Intake),
            shift("s3", "cy", ShiftKind::Standby),
        ],
        check_ins: vec![
            CheckIn { shift_id: "s1".into(), at: t - Duration::hours(1), fitness: Fitness::NotFit },
            CheckIn { shift_id: "s3".into(), at: t - Duration::hours(1), fitness: Fitness::Fit },
        ],
        rotation: Some(Rotation {
            order: vec!["bo".into(), "ana".into()],
            period: Period::Weekly,
            anchor: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
        }),
        loads: Default::default(),
    };
    let case = NewCaseInfo { urgency: Urgency::High, imminent_risk: true, language: None, restricted: false };
    let d = assign(&roster, &Policy::default(), &case, t);
    assert_eq!(d.assignee.as_deref(), Some("cy"));
    assert!(d.via_standby && d.alert_leads);
    assert_eq!(
        d.reasons,
        [
            "rotation week 48: intake is Bo",
            "imminent risk: leads alerted",
            "skipped Bo: checked in not fit",
            "skipped Ana: missed the check-in",
            "assigned to Cy (standby)",
        ]
    );

    // Cy in the rotation while on a standby shift: not "off shift".
    let with_cy = Roster {
        rotation: Some(Rotation {
            order: vec!["cy".into(), "bo".into()],
            period: Period::Weekly,
            anchor: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
        }),
        ..roster.clone()
    };
    let low = NewCaseInfo { urgency: Urgency::Low, imminent_risk: false, language: None, restricted: false };
    let d = assign(&with_cy, &Policy::default(), &low, t);
    assert_eq!(d.reasons[1], "skipped Cy: on a standby shift, not an intake one");

    // By hand: the same rules, whatever the shift's kind, and "off shift" for the rest.
    let policy = Policy::default();
    assert_eq!(manual_refusal(&roster, &policy, &low, "cy", t), None, "fit on standby");
    assert_eq!(manual_refusal(&roster, &policy, &low, "bo", t).as_deref(), Some("checked in not fit"));
    assert_eq!(manual_refusal(&roster, &policy, &low, "ana", t).as_deref(), Some("missed the check-in"));
    assert_eq!(manual_refusal(&roster, &policy, &low, "dee", t).as_deref(), Some("off shift"));
    let speaks_ar = NewCaseInfo { language: LanguageTag::parse("ar").ok(), ..low.clone() };
    assert_eq!(manual_refusal(&roster, &policy, &speaks_ar, "cy", t), None, "a language is the lead's call");
}

#[test]
fn shifts_are_short() {
    let p = Policy::default();
    let t = now();
    assert!(validate_shift(t, t + Duration::hours(8), &p).is_ok());
    assert!(matches!(validate_shift(t, t + Duration::hours(9), &p), Err(ShiftError::TooLong { max_hours: 8 })));
    assert_eq!(validate_shift(t, t, &p), Err(ShiftError::EndsBeforeStart));
}

#[test]
fn rotation_turns_weekly_and_daily() {
    let anchor = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let weekly = Rotation { order: vec!["a".into(), "b".into(), "c".into()], period: Period::Weekly, anchor };
    let at = |days: i64| anchor.and_hms_opt(10, 0, 0).unwrap_or_default() + Duration::days(days);
    assert_eq!(weekly.order_at(at(0)), ["a", "b", "c"]);
    assert_eq!(weekly.order_at(at(6)), ["a", "b", "c"]);
    assert_eq!(weekly.order_at(at(7)), ["b", "c", "a"]);
    assert_eq!(weekly.order_at(at(21)), ["a", "b", "c"]);
    assert_eq!(weekly.order_at(at(-1)), ["c", "a", "b"], "before the anchor it still turns");
    let daily = Rotation { period: Period::Daily, ..weekly };
    assert_eq!(daily.order_at(at(1)), ["b", "c", "a"]);
}

#[test]
fn check_in_states_follow_the_grace_period() {
    let t = now();
    let shift = Shift {
        id: "s".into(),
        handler_id: "h".into(),
        start: t,
        end: t + Duration::hours(4),
        kind: ShiftKind::Intake,
    };
    let mut roster = Roster { shifts: vec![shift.clone()], ..Roster::default() };
    let p = Policy::default();
    assert_eq!(roster.check_in_state(&shift, t + Duration::minutes(14), &p), CheckInState::Pending);
    assert_eq!(roster.check_in_state(&shift, t + Duration::minutes(15), &p), CheckInState::Missing);
    roster.check_ins.push(CheckIn { shift_id: "s".into(), at: t, fitness: Fitness::NotFit });
    assert_eq!(roster.check_in_state(&shift, t + Duration::hours(1), &p), CheckInState::NotFit);
    roster.check_ins.push(CheckIn { shift_id: "s".into(), at: t + Duration::minutes(30), fitness: Fitness::Fit });
    assert_eq!(
        roster.check_in_state(&shift, t + Duration::hours(1), &p),
        CheckInState::Fit,
        "the latest answer counts"
    );
}
