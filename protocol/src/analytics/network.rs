//! Analytics across communities: the `Stats` records the communities of a
//! network or region published, summed month by month. Rates are
//! recomputed from the sums (never averages of the communities' rates),
//! and every month names the communities whose figures are missing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::crypto::Hash;
use crate::economy::income::month_label;

use super::{Figures, MonthCounts, figures};

/// One month across communities.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NetworkMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// The summed counts of the communities that reported.
    pub counts: MonthCounts,
    /// Figures recomputed from the sums (no Gini: it does not add up).
    pub figures: Figures,
    /// Communities whose `Stats` for the month are in.
    pub reporting: Vec<Hash>,
    /// Communities whose `Stats` for the month are not (yet) in.
    pub missing: Vec<Hash>,
}

/// A network's or region's analytics.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NetworkReport {
    /// `network` or `region:NAME`.
    pub level: String,
    /// The network.
    pub network: Hash,
    /// The communities the level spans.
    pub communities: Vec<Hash>,
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    /// Each month from `from` to `to`, oldest first.
    pub months: Vec<NetworkMonth>,
}

/// Each community's published counts, by month.
pub type Published = BTreeMap<Hash, BTreeMap<u32, MonthCounts>>;

/// Sums what `communities` published for months `from..=to`.
pub fn aggregate(
    level: String,
    network: Hash,
    communities: &[Hash],
    published: &Published,
    from: u32,
    to: u32,
) -> NetworkReport {
    let sum = |index: u32| {
        let mut counts = MonthCounts::default();
        let (mut reporting, mut missing) = (Vec::new(), Vec::new());
        for community in communities {
            match published.get(community).and_then(|m| m.get(&index)) {
                Some(c) => {
                    counts.add(c);
                    reporting.push(*community);
                }
                None => missing.push(*community),
            }
        }
        (counts, reporting, missing)
    };
    let first = figures::window_start(from);
    let all: Vec<_> = (first..=to).map(sum).collect();
    let counts: Vec<&MonthCounts> = all.iter().map(|(c, _, _)| c).collect();
    let each = figures::each_month(&counts, (from - first) as usize);
    let mut months = Vec::new();
    for ((index, (counts, reporting, missing)), figures) in
        (from..=to).zip(&all[(from - first) as usize..]).zip(each)
    {
        months.push(NetworkMonth {
            month: month_label(index),
            counts: counts.clone(),
            figures,
            reporting: reporting.clone(),
            missing: missing.clone(),
        });
    }
    NetworkReport {
        level,
        network,
        communities: communities.to_vec(),
        from: month_label(from),
        to: month_label(to),
        months,
    }
}

/// Why a level's analytics cannot be given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LevelError {
    /// The network has no region of that name.
    #[error("the network has no region {0:?}")]
    UnknownRegion(String),
}

/// The analytics of a network (`region: None`) or one of its regions, from
/// the `Stats` records in the public logs `view` holds, for months
/// `from..=to`.
pub fn of_view(
    view: &crate::federation::view::FederationView,
    region: Option<&str>,
    from: u32,
    to: u32,
) -> Result<NetworkReport, LevelError> {
    use crate::governance::Level;
    let (level, name) = match region {
        None => (Level::Network, "network".to_string()),
        Some(name) => {
            if !view.network.regions.iter().any(|r| r.name == name) {
                return Err(LevelError::UnknownRegion(name.to_string()));
            }
            (
                Level::Regional(view.network.region_id(name)),
                format!("region:{name}"),
            )
        }
    };
    let tallier = crate::federation::tally::Tallier::new(view);
    let communities: Vec<Hash> = tallier
        .communities_at(level, crate::units::Timestamp(u64::MAX))
        .into_iter()
        .collect();
    let mut published = Published::new();
    for id in &communities {
        if let Some(index) = view.communities.get(id) {
            let months = published.entry(*id).or_default();
            for stats in &index.stats {
                // A month published twice counts once (the first).
                months
                    .entry(stats.month)
                    .or_insert_with(|| stats.counts.clone());
            }
        }
    }
    Ok(aggregate(
        name,
        view.network_id,
        &communities,
        &published,
        from,
        to,
    ))
}
