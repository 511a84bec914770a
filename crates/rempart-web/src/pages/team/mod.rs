//! The team, as leads and administrators see it: who is on call now and who takes the next
//! case, the open escalations with whom they told and who is on them ([`now`]); the week's
//! shifts and the intake rotation ([`week`]); the workload and its rebalancing
//! ([`workload`]). Every page refreshes its live part with htmx and works without it.

pub mod now;
pub mod rebalance;
pub mod shift;
pub mod week;
pub mod workload;

use crate::i18n::Tr;

/// The team's own navigation (Now, Week, Workload), shown on each of its pages.
#[derive(Debug, Clone)]
pub struct TeamNav {
    pub items: Vec<(&'static str, String, &'static str)>,
}

impl TeamNav {
    pub fn new(t: &Tr, current: &str) -> Self {
        let items = [
            ("/team", "team-now", "now"),
            ("/team/week", "team-week", "week"),
            ("/team/workload", "team-workload", "workload"),
        ]
        .into_iter()
        .map(|(href, id, key)| (href, t.get(id), if key == current { "page" } else { "false" }))
        .collect();
        Self { items }
    }
}
