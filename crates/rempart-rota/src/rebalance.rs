//! A rebalancing proposal: moves of open cases from the people most loaded for their
//! capacity to the least loaded available ones (on shift and checked in fit), until no move
//! narrows the gap. Loads are compared with capacities, never raw: nobody is taken over
//! their capacity, and no move raises the highest load ratio. Restricted cases only go to
//! people cleared for them; a case in a language goes only to someone who speaks it.

use crate::balance::Balance;
use crate::model::{Handler, Weights};
use rempart_core::{LanguageTag, Urgency};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An open case that could change hands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldCase {
    pub id: String,
    pub assignee: String,
    /// The assignee's capacity (they may be off shift, so not among the available).
    pub holder_capacity: u32,
    pub urgency: Urgency,
    pub restricted: bool,
    pub language: Option<LanguageTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Move {
    pub case_id: String,
    pub from: String,
    pub to: String,
    /// The case's urgency weight.
    pub weight: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub moves: Vec<Move>,
    /// Weighted loads of everyone involved, before and after the moves.
    pub loads_before: BTreeMap<String, u32>,
    pub loads_after: BTreeMap<String, u32>,
    /// Capacities of everyone involved.
    pub capacities: BTreeMap<String, u32>,
    /// Balance of the load ratios (load / capacity), before and after.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: Balance,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: Balance,
}

fn may_take(handler: &Handler, case: &HeldCase) -> bool {
    (!case.restricted || handler.cleared_for_restricted)
        && case.language.as_ref().is_none_or(|l| handler.languages.speaks(l))
}

/// Load over capacity; a load on no capacity counts as infinitely over.
fn ratio(load: u32, capacity: u32) -> f64 {
    match (load, capacity) {
        (0, _) => 0.0,
        (_, 0) => f64::INFINITY,
        (l, c) => f64::from(l) / f64::from(c),
    }
}

/// Proposes at most `max_moves` moves. `available` are the people who may receive cases
/// now; everyone holding a case may give one away. A move goes to someone who stays within
/// their capacity and ends below the giver's current ratio, so the highest ratio never
/// rises. Deterministic: ties go by id.
pub fn propose(available: &[Handler], cases: &[HeldCase], weights: &Weights, max_moves: usize) -> Proposal {
    let mut loads: BTreeMap<String, u32> = available.iter().map(|h| (h.id.clone(), 0)).collect();
    let mut capacities: BTreeMap<String, u32> = available.iter().map(|h| (h.id.clone(), h.capacity)).collect();
    for case in cases {
        *loads.entry(case.assignee.clone()).or_default() += weights.of(case.urgency);
        capacities.entry(case.assignee.clone()).or_insert(case.holder_capacity);
    }
    let before_loads = loads.clone();
    let mut holder: BTreeMap<&str, String> = cases.iter().map(|c| (c.id.as_str(), c.assignee.clone())).collect();
    let mut moves = Vec::new();
    let ratio_of = |loads: &BTreeMap<String, u32>, id: &str| ratio(loads[id], capacities[id]);
    while moves.len() < max_moves {
        // Most loaded giver (for their capacity) first, then the least loaded receivers
        // that could take one of their cases; the heaviest case that narrows the gap moves.
        let mut givers: Vec<&String> = loads.keys().collect();
        givers.sort_by(|a, b| ratio_of(&loads, b).total_cmp(&ratio_of(&loads, a)).then(a.cmp(b)));
        let mut best: Option<Move> = None;
        'givers: for giver in givers {
            let giver_ratio = ratio_of(&loads, giver);
            let mut receivers: Vec<&Handler> = available.iter().filter(|h| &h.id != giver).collect();
            receivers.sort_by(|a, b| ratio_of(&loads, &a.id).total_cmp(&ratio_of(&loads, &b.id)).then(a.id.cmp(&b.id)));
            let mut theirs: Vec<&HeldCase> = cases.iter().filter(|c| holder[c.id.as_str()] == *giver).collect();
            theirs.sort_by(|a, b| weights.of(b.urgency).cmp(&weights.of(a.urgency)).then(a.id.cmp(&b.id)));
            for receiver in receivers {
                let receiver_load = loads[&receiver.id];
                for case in &theirs {
                    let w = weights.of(case.urgency);
                    let after = receiver_load + w;
                    // Within the receiver's capacity, and below where the giver stands now.
                    if after <= receiver.capacity
                        && ratio(after, receiver.capacity) < giver_ratio
                        && may_take(receiver, case)
                    {
                        best = Some(Move {
                            case_id: case.id.clone(),
                            from: giver.clone(),
                            to: receiver.id.clone(),
                            weight: w,
                        });
                        break 'givers;
                    }
                }
            }
        }
        let Some(m) = best else { break };
        if let Some(load) = loads.get_mut(&m.from) {
            *load -= m.weight;
        }
        *loads.entry(m.to.clone()).or_default() += m.weight;
        if let Some(h) = holder.get_mut(m.case_id.as_str()) {
            *h = m.to.clone();
        }
        moves.push(m);
    }
    let ratios = |l: &BTreeMap<String, u32>| {
        l.iter().map(|(id, &v)| ratio(v, capacities[id])).filter(|r| r.is_finite()).collect::<Vec<_>>()
    };
    Proposal {
        before: Balance::of(&ratios(&before_loads)),
        after: Balance::of(&ratios(&loads)),
        loads_before: before_loads,
        loads_after: loads,
        capacities,
        moves,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rempart_core::Languages;

    fn handler(id: &str, languages: &str, cleared: bool) -> Handler {
        Handler {
            id: id.into(),
            name: id.into(),
            languages: Languages::parse(languages).unwrap_or_default(),
            cleared_for_restricted: cleared,
            capacity: 20,
        }
    }

    fn held(id: &str, who: &str, urgency: Urgency) -> HeldCase {
        HeldCase {
            id: id.into(),
            assignee: who.into(),
            holder_capacity: 20,
            urgency,
            restricted: false,
            language: None,
        }
    }

    /// The case of the issue: Bo at 4/4 must not receive a case because his raw load is low.
    #[test]
    fn nobody_is_taken_over_capacity() {
        let ana = Handler { capacity: 20, ..handler("ana", "fr", true) };
        let bo = Handler { capacity: 4, ..handler("bo", "fr", true) };
        let mut cases: Vec<HeldCase> = (0..5)
            .map(|i| HeldCase { holder_capacity: 20, ..held(&format!("a{i}"), "ana", Urgency::Medium) })
            .collect();
        cases.push(HeldCase { holder_capacity: 4, ..held("b1", "bo", Urgency::Medium) });
        cases.push(HeldCase { holder_capacity: 4, ..held("b2", "bo", Urgency::Medium) });
        let p = propose(&[ana, bo], &cases, &Weights::default(), 10);
        assert!(p.moves.iter().all(|m| m.to != "bo"), "Bo at 4/4 receives nothing, whatever his raw load: {p:?}");
        assert!(p.loads_after["bo"] <= 4);
        assert!(p.after.max <= p.before.max, "{p:?}");
    }

    #[test]
    fn evens_out_and_respects_clearance_and_language() {
        let team = [handler("ana", "fr", true), handler("bo", "fr,en", false), handler("cy", "en", false)];
        let mut cases = vec![
            held("c1", "ana", Urgency::Critical),
            held("c2", "ana", Urgency::High),
            held("c3", "ana", Urgency::Medium),
            held("c4", "ana", Urgency::Low),
        ];
        cases.push(HeldCase { restricted: true, ..held("r1", "ana", Urgency::Critical) });
        cases.push(HeldCase { language: LanguageTag::parse("fr").ok(), ..held("f1", "ana", Urgency::High) });
        let p = propose(&team, &cases, &Weights::default(), 20);
        assert!(p.after.max_over_mean < p.before.max_over_mean, "{p:?}");
        assert!(p.moves.iter().all(|m| m.case_id != "r1"), "nobody else is cleared for the restricted case");
        assert!(!p.moves.iter().any(|m| m.case_id == "f1" && m.to == "cy"), "cy does not speak French");
        assert_eq!(p.loads_before["ana"], 17);
        assert_eq!(p.loads_after.values().sum::<u32>(), 17, "moves keep the total");
    }

    #[test]
    fn a_balanced_team_gets_no_moves() {
        let team = [handler("ana", "fr", false), handler("bo", "fr", false)];
        let cases = [held("c1", "ana", Urgency::High), held("c2", "bo", Urgency::High)];
        assert!(propose(&team, &cases, &Weights::default(), 10).moves.is_empty());
    }

    proptest! {
        #[test]
        fn never_worse_and_never_to_the_unavailable(
            loads in prop::collection::vec((0usize..4, 0usize..4), 0..30),
            capacities in prop::collection::vec(0u32..25, 4),
        ) {
            let team = [
                Handler { capacity: capacities[0], ..handler("a", "fr", true) },
                Handler { capacity: capacities[1], ..handler("b", "fr", true) },
                Handler { capacity: capacities[2], ..handler("c", "fr", true) },
            ];
            let urgencies = [Urgency::Critical, Urgency::High, Urgency::Medium, Urgency::Low];
            let people = ["a", "b", "c", "gone"];
            let cases: Vec<HeldCase> = loads
                .iter()
                .enumerate()
                .map(|(i, &(who, u))| HeldCase {
                    holder_capacity: capacities[who],
                    ..held(&format!("c{i:02}"), people[who], urgencies[u])
                })
                .collect();
            let p = propose(&team, &cases, &Weights::default(), 50);
            let ratio_of = |l: &BTreeMap<String, u32>, id: &str| super::ratio(l[id], p.capacities[id]);
            let max_ratio =
                |l: &BTreeMap<String, u32>| l.keys().map(|id| ratio_of(l, id)).fold(0.0, f64::max);
            prop_assert!(max_ratio(&p.loads_after) <= max_ratio(&p.loads_before), "the highest ratio never rises");
            for m in &p.moves {
                prop_assert!(p.loads_after[&m.to] <= p.capacities[&m.to], "nobody over capacity: {:?}", p);
            }
            // Who received a case ends within capacity, whatever the order of the moves.
            for id in p.moves.iter().map(|m| &m.to) {
                prop_assert!(p.loads_after[id] <= p.capacities[id]);
            }
            prop_assert!(p.moves.iter().all(|m| m.to != "gone"), "the one off shift receives nothing");
            prop_assert_eq!(p.loads_after.values().sum::<u32>(), p.loads_before.values().sum::<u32>());
            prop_assert_eq!(p.clone(), propose(&team, &cases, &Weights::default(), 50), "deterministic");
        }
    }
}
