//! The simulation's balance figures for the scenario.

use rempart_rota::simulate::{SimConfig, run};

#[test]
fn without_absences_the_load_stays_balanced() {
    for seed in 1..=5 {
        let report = run(&SimConfig { seed, ..SimConfig::default() });
        assert_eq!(report.cases, 12 * 40);
        assert_eq!(report.assigned.values().sum::<u32>() + report.still_waiting, report.cases);
        assert!(
            report.balance.max_over_mean <= 1.2,
            "seed {seed}: max/mean {:.3} {:?}",
            report.balance.max_over_mean,
            report.assigned
        );
        eprintln!(
            "seed {seed}: max/mean {:.3} gini {:.3} weighted max/mean {:.3} waited {} standby {}",
            report.balance.max_over_mean,
            report.balance.gini,
            report.weighted_balance.max_over_mean,
            report.waited,
            report.via_standby
        );
    }
}

#[test]
fn when_everyone_in_rotation_is_unfit_the_standby_takes_the_cases() {
    // Two handlers: each day one takes intake, the other stands by; with half the
    // check-ins "not fit", some days only the standby person is fit.
    let report =
        run(&SimConfig { handlers: 2, seed: 4, absence_rate: 0.5, cases_per_week: 10, ..SimConfig::default() });
    assert!(report.via_standby > 0, "{report:?}");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let a = run(&SimConfig { seed: 9, absence_rate: 0.1, ..SimConfig::default() });
    let b = run(&SimConfig { seed: 9, absence_rate: 0.1, ..SimConfig::default() });
    assert_eq!(a.assigned, b.assigned);
    assert_eq!((a.waited, a.via_standby), (b.waited, b.via_standby));
}

#[test]
fn with_absences_every_case_is_still_served() {
    for rate in [0.1, 0.3] {
        let report = run(&SimConfig { seed: 3, absence_rate: rate, ..SimConfig::default() });
        assert!(report.not_fit_check_ins > 0);
        assert_eq!(report.still_waiting, 0, "nobody is left waiting at the end");
        assert_eq!(report.assigned.values().sum::<u32>(), report.cases);
        eprintln!(
            "absence {rate}: max/mean {:.3} gini {:.3} waited {} (longest {} min) standby {} still waiting {}",
            report.balance.max_over_mean,
            report.balance.gini,
            report.waited,
            report.longest_wait_minutes,
            report.via_standby,
            report.still_waiting
        );
    }
}
