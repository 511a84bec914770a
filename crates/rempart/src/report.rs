//! What the command line prints as tables: the rota simulation, case lists, summaries.

use anyhow::bail;
use std::io::Write;

pub(crate) fn simulate(
    handlers: usize,
    weeks: u32,
    cases_per_week: u32,
    absence_rate: f64,
    seed: u64,
    capacity: u32,
) -> anyhow::Result<()> {
    if !(1..=100).contains(&handlers) || !(1..=520).contains(&weeks) || !(0.0..=1.0).contains(&absence_rate) {
        bail!("--handlers must be 1 to 100, --weeks 1 to 520 and --absence-rate between 0 and 1");
    }
    let config = rempart_rota::simulate::SimConfig {
        handlers,
        weeks,
        cases_per_week,
        absence_rate,
        seed,
        capacity,
        ..Default::default()
    };
    let r = rempart_rota::simulate::run(&config);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{handlers} handlers, {weeks} weeks, {cases_per_week} cases/week, {:.0} % not-fit check-ins, capacity {capacity}, seed {seed}",
        absence_rate * 100.0
    )?;
    let handled: u32 = r.assigned.values().sum();
    writeln!(out, "cases: {}", r.cases)?;
    writeln!(out, "handled: {handled}; never handled: {}", r.cases.saturating_sub(handled))?;
    let rows: Vec<Vec<String>> = r.assigned.iter().map(|(h, n)| vec![h.clone(), n.to_string()]).collect();
    print_table(&mut out, &["HANDLER", "CASES RECEIVED"], &rows, "no handler")?;
    if handled == 0 {
        // Nobody doing anything is not balance: say what happened instead.
        writeln!(out, "balance: none, nobody handled a case ({} still waiting at the end)", r.still_waiting)?;
    } else {
        writeln!(
            out,
            "balance of cases received: max/mean {:.3}, Gini {:.3}",
            r.balance.max_over_mean, r.balance.gini
        )?;
        writeln!(
            out,
            "balance of weighted work: max/mean {:.3}, Gini {:.3}",
            r.weighted_balance.max_over_mean, r.weighted_balance.gini
        )?;
    }
    writeln!(out, "check-ins: {} ({} not fit)", r.check_ins, r.not_fit_check_ins)?;
    writeln!(out, "taken by standby: {}", r.via_standby)?;
    writeln!(
        out,
        "waited for a fit handler: {} (longest {} h {} min); still waiting at the end: {}",
        r.waited,
        r.longest_wait_minutes / 60,
        r.longest_wait_minutes % 60,
        r.still_waiting
    )?;
    Ok(())
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

pub(crate) fn print_table(
    out: &mut impl Write,
    header: &[&str],
    rows: &[Vec<String>],
    empty: &str,
) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "{empty}");
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> =
            cells.iter().zip(&widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count()))).collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}
