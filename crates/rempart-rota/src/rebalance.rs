//! A rebalancing proposal: moves of open cases from the most loaded people to the least
//! loaded available ones (on shift and checked in fit), until no move narrows the gap.
//! Restricted cases only go to people cleared for them; a case in a language goes only to
//! someone who speaks it.

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
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: Balance,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: Balance,
}

fn may_take(handler: &Handler, case: &HeldCase) -> bool {
    (!case.restricted || handler.cleared_for_restricted)
        && case.language.as_ref().is_none_or(|l| handler.languages.speaks(l))
}

/// Proposes at most `max_moves` moves. `available` are the people who may receive cases
/// now; everyone holding a case may give one away. Deterministic: ties go by id.
pub fn propose(available: &[Handler], cases: &[HeldCase], weights: &Weights, max_moves: usize) -> Proposal {
    let mut loads: BTreeMap<String, u32> = available.iter().map(|h| (h.id.clone(), 0)).collect();
    for case in cases {
        *loads.entry(case.assignee.clone()).or_default() += weights.of(case.urgency);
    }
    let before_loads = loads.clone();
    let mut holder: BTreeMap<&str, String> = cases.iter().map(|c| (c.id.as_str(), c.assignee.clone())).collect();
    let mut moves = Vec::new();
    while moves.len() < max_moves {
        // Most loaded giver first, then the least loaded receivers that could take one of
        // their cases; the heaviest case that narrows the gap moves.
        let mut givers: Vec<(&String, &u32)> = loads.iter().collect();
        givers.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut best: Option<Move> = None;
        'givers: for (giver, &giver_load) in givers {
            let mut receivers: Vec<&Handler> = available.iter().filter(|h| &h.id != giver).collect();
            receivers.sort_by(|a, b| loads[&a.id].cmp(&loads[&b.id]).then(a.id.cmp(&b.id)));
            let mut theirs: Vec<&HeldCase> = cases.iter().filter(|c| holder[c.id.as_str()] == *giver).collect();
            theirs.sort_by(|a, b| weights.of(b.urgency).cmp(&weights.of(a.urgency)).then(a.id.cmp(&b.id)));
            for receiver in receivers {
                let receiver_load = loads[&receiver.id];
                for case in &theirs {
                    let w = weights.of(case.urgency);
                    // Only a move that leaves both below the giver's current load helps.
                    if receiver_load + w < giver_load && may_take(receiver, case) {
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
    let values = |l: &BTreeMap<String, u32>| l.values().map(|&v| f64::from(v)).collect::<Vec<_>>();
    Proposal {
        before: Balance::of(&values(&before_loads)),
        after: Balance::of(&values(&loads)),
        loads_before: before_loads,
        loads_after: loads,
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
        HeldCase { id: id.into(), assignee: who.into(), urgency, restricted: false, language: None }
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
        fn never_worse_and_never_to_the_unavailable(loads in prop::collection::vec((0usize..4, 0usize..4), 0..30)) {
            let team = [handler("a", "fr", true), handler("b", "fr", true), handler("c", "fr", true)];
            let urgencies = [Urgency::Critical, Urgency::High, Urgency::Medium, Urgency::Low];
            let people = ["a", "b", "c", "gone"];
            let cases: Vec<HeldCase> = loads
                .iter()
                .enumerate()
                .map(|(i, &(who, u))| held(&format!("c{i:02}"), people[who], urgencies[u]))
                .collect();
            let p = propose(&team, &cases, &Weights::default(), 50);
            let max = |l: &BTreeMap<String, u32>| l.values().copied().max().unwrap_or(0);
            prop_assert!(max(&p.loads_after) <= max(&p.loads_before));
            prop_assert!(p.moves.iter().all(|m| m.to != "gone"), "the one off shift receives nothing");
            prop_assert_eq!(p.loads_after.values().sum::<u32>(), p.loads_before.values().sum::<u32>());
            prop_assert_eq!(p.clone(), propose(&team, &cases, &Weights::default(), 50), "deterministic");
        }
    }
}
