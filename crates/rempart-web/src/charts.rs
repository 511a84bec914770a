//! Charts drawn on the server as SVG, with attributes only (the console's
//! Content-Security-Policy forbids inline style) and no script. Each chart is a picture
//! for the eye (`aria-hidden`): the page puts a table with the same figures beside it,
//! which is what screen readers read.

use std::fmt::Write as _;

const WIDTH: f64 = 640.0;
const LABELS: f64 = 150.0;
const BAR: f64 = 18.0;
const GAP: f64 = 10.0;
const INK: &str = "#1f2a44";
const MUTED: &str = "#6b7280";
const BAD: &str = "#a11d1d";
/// Colours of the series, told apart also by the order of the legend and the table.
pub const PALETTE: [&str; 8] = ["#1f4e99", "#b35c00", "#2f7d32", "#7b2c8f", "#00707a", "#8c6d00", "#a11d50", "#4b5563"];

/// Escapes text for SVG (XML).
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn open(height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" focusable="false" aria-hidden="true" font-family="sans-serif" font-size="12">"#
    )
}

/// One horizontal bar a person: `value` against `limit` (drawn as a tick), both on one
/// scale. Bars over their limit are drawn in the warning colour.
#[derive(Debug)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub limit: Option<f64>,
    /// The value as written at the end of the bar.
    pub text: String,
}

pub fn bars(rows: &[Bar]) -> String {
    let top = rows.iter().flat_map(|r| [r.value, r.limit.unwrap_or(0.0)]).fold(1.0_f64, f64::max);
    let span = WIDTH - LABELS - 60.0;
    let height = rows.len() as f64 * (BAR + GAP) + GAP;
    let mut svg = open(height.max(BAR + 2.0 * GAP));
    for (i, r) in rows.iter().enumerate() {
        let y = GAP + i as f64 * (BAR + GAP);
        let w = (r.value / top * span).max(0.0);
        let over = r.limit.is_some_and(|l| r.value > l);
        let fill = if over { BAD } else { PALETTE[0] };
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" fill="{INK}">{label}</text><rect x="{LABELS}" y="{y}" width="{w:.1}" height="{BAR}" fill="{fill}"/><text x="{vx:.1}" y="{ty}" fill="{INK}">{text}</text>"#,
            lx = LABELS - 6.0,
            ty = y + BAR - 5.0,
            label = esc(&r.label),
            vx = LABELS + w + 4.0,
            text = esc(&r.text),
        );
        if let Some(limit) = r.limit {
            let x = LABELS + limit / top * span;
            let _ = write!(
                svg,
                r#"<line x1="{x:.1}" y1="{y1}" x2="{x:.1}" y2="{y2}" stroke="{INK}" stroke-width="2"/>"#,
                y1 = y - 3.0,
                y2 = y + BAR + 3.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Columns stacked by series: one column a period (`labels`), one segment a series
/// (`series`: name and a value a period), with a legend.
pub fn stacked_columns(labels: &[String], series: &[(String, Vec<f64>)]) -> String {
    let plot_h = 180.0;
    let legend_rows = series.len().div_ceil(4) as f64;
    let height = plot_h + 40.0 + legend_rows * 18.0;
    let totals: Vec<f64> =
        (0..labels.len()).map(|i| series.iter().map(|(_, v)| v.get(i).copied().unwrap_or(0.0)).sum()).collect();
    let top = totals.iter().copied().fold(1.0_f64, f64::max);
    let (left, right) = (40.0, WIDTH - 24.0);
    let slot = (right - left) / labels.len().max(1) as f64;
    let col = (slot * 0.6).min(48.0);
    let mut svg = open(height);
    axis(&mut svg, left, right, plot_h, top);
    for (i, label) in labels.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - col) / 2.0;
        let mut y = plot_h;
        for (s, (_, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            let h = v / top * (plot_h - 10.0);
            if h > 0.0 {
                y -= h;
                let _ = write!(
                    svg,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{col:.1}" height="{h:.1}" fill="{}" stroke="#ffffff" stroke-width="1"/>"##,
                    PALETTE[s % PALETTE.len()]
                );
            }
        }
        let _ = write!(
            svg,
            r#"<text x="{cx:.1}" y="{ly}" text-anchor="middle" fill="{INK}">{}</text>"#,
            esc(label),
            cx = x + col / 2.0,
            ly = plot_h + 16.0
        );
    }
    for (s, (name, _)) in series.iter().enumerate() {
        let (row, column) = ((s / 4) as f64, (s % 4) as f64);
        let (x, y) = (left + column * 150.0, plot_h + 34.0 + row * 18.0);
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{ry}" width="12" height="12" fill="{}"/><text x="{tx}" y="{y}" fill="{INK}">{}</text>"#,
            PALETTE[s % PALETTE.len()],
            esc(name),
            ry = y - 10.0,
            tx = x + 16.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line a series over periods, with a dashed target line (`target`) and its label.
pub fn lines(labels: &[String], series: &[(String, Vec<f64>)], target: Option<(f64, &str)>) -> String {
    let plot_h = 180.0;
    let height = plot_h + 40.0 + series.len() as f64 * 18.0;
    let top =
        series.iter().flat_map(|(_, v)| v.iter().copied()).chain(target.map(|(t, _)| t)).fold(0.1_f64, f64::max) * 1.1;
    let (left, right) = (40.0, WIDTH - 24.0);
    let step = if labels.len() > 1 { (right - left) / (labels.len() - 1) as f64 } else { 0.0 };
    let y_of = |v: f64| plot_h - v / top * (plot_h - 10.0);
    let mut svg = open(height);
    axis(&mut svg, left, right, plot_h, top);
    if let Some((value, label)) = target {
        let y = y_of(value);
        let _ = write!(
            svg,
            r#"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="{BAD}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{right}" y="{ty:.1}" text-anchor="end" fill="{BAD}">{}</text>"#,
            esc(label),
            ty = y - 4.0
        );
    }
    for (s, (_, values)) in series.iter().enumerate() {
        let colour = PALETTE[s % PALETTE.len()];
        let points: Vec<String> =
            values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", left + step * i as f64, y_of(*v))).collect();
        let _ =
            write!(svg, r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#, points.join(" "));
        for p in &points {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(svg, r#"<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>"#);
        }
    }
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{y}" text-anchor="middle" fill="{INK}">{}</text>"#,
            esc(label),
            x = left + step * i as f64,
            y = plot_h + 16.0
        );
    }
    for (s, (name, _)) in series.iter().enumerate() {
        let y = plot_h + 34.0 + s as f64 * 18.0;
        let _ = write!(
            svg,
            r#"<line x1="{left}" y1="{ly}" x2="{lx}" y2="{ly}" stroke="{}" stroke-width="3"/><text x="{tx}" y="{y}" fill="{INK}">{}</text>"#,
            PALETTE[s % PALETTE.len()],
            esc(name),
            ly = y - 4.0,
            lx = left + 16.0,
            tx = left + 22.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The base line and the top value of the scale.
fn axis(svg: &mut String, left: f64, right: f64, base: f64, top: f64) {
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{MUTED}" stroke-width="1"/><text x="{tx}" y="14" text-anchor="end" fill="{MUTED}">{top}</text><line x1="{left}" y1="10" x2="{right}" y2="10" stroke="{MUTED}" stroke-width="0.5" stroke-dasharray="2 3"/>"#,
        tx = left - 4.0,
        top = format_top(top)
    );
}

fn format_top(top: f64) -> String {
    if top >= 10.0 || (top - top.round()).abs() < 1e-9 { format!("{top:.0}") } else { format!("{top:.2}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_names_and_hold_no_style_or_script() {
        let svg = bars(&[Bar { label: "<Ana & Bo>".into(), value: 12.0, limit: Some(10.0), text: "12/10".into() }]);
        assert!(svg.contains("&lt;Ana &amp; Bo&gt;"), "{svg}");
        assert!(svg.contains(BAD), "a bar over its limit is marked");
        let columns = stacked_columns(&["W49".into()], &[("Ana\"".into(), vec![3.0])]);
        let line = lines(&["W48".into(), "W49".into()], &[("Gini".into(), vec![0.1, 0.4])], Some((0.25, "target")));
        for chart in [svg, columns, line] {
            assert!(!chart.contains("style") && !chart.contains("<script"), "{chart}");
            assert!(chart.starts_with("<svg") && chart.ends_with("</svg>"));
        }
    }
}
