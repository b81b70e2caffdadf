//! An in-memory federation for tests: communities sealed in memory that
//! found one signed network, act, checkpoint and attest, and the export of
//! their public logs.

use crate::action::{ActionBody, GovernanceAction};
use crate::community::{Method, ProposalDurations, Rules};
use crate::crypto::{Hash, Keypair};
use crate::federation::genesis::level;
use crate::federation::{
    Attestation, Checkpoint, CommunityLog, FederationRules, FederationView, Founding, LogHead,
    NetworkGenesis, NetworkSignature, RegionSpec, SignedNetwork,
};
use crate::governance::{Ballot, Level, Proposal, ProposalKind, ProposalRef, Subject};
use crate::log::{EntryBody, LogKind, NodeRecord};
use crate::test::{Community, keypair};
use crate::units::{Millis, Ratio, Timestamp};

/// When the proposal of [`Fed::propose`] is made.
pub const OPEN: u64 = 2_000;
/// When its vote closes.
pub const CLOSE: u64 = 2_100;
/// The grace period for witnesses.
pub const GRACE: u64 = 50;

/// Federation rules with millisecond durations: voting from `OPEN` to `CLOSE`.
pub fn rules() -> FederationRules {
    FederationRules {
        regional: level(Method::Majority, Ratio::new(3, 5), Ratio::new(1, 5), 0),
        network: level(Method::Quadratic, Ratio::new(2, 3), Ratio::new(1, 10), 100),
        durations: ProposalDurations {
            policy_discussion: Millis(0),
            policy_deliberation: Millis(0),
            policy_voting: Millis(CLOSE - OPEN),
            ..ProposalDurations::default()
        },
        witnesses: 1,
        grace: Millis(GRACE),
        finality: Millis(1_000),
        checkpoint_interval: Millis(10),
    }
}

/// Communities sealed in memory, founding one signed network.
#[derive(Debug)]
pub struct Fed {
    /// The communities.
    pub communities: Vec<Community>,
    /// Three member keys per community (its founders).
    pub members: Vec<Vec<Keypair>>,
    /// The signed network.
    pub network: SignedNetwork,
}

impl Fed {
    /// `n` communities of three founding members each; the first two form
    /// region "north".
    pub fn new(n: usize) -> Fed {
        Fed::with_rules(n, Rules::default())
    }

    /// [`Fed::new`] with every community founded under `rules`.
    pub fn with_rules(n: usize, community_rules: Rules) -> Fed {
        let mut communities = Vec::new();
        let mut members = Vec::new();
        for i in 0..n {
            let keys: Vec<Keypair> = (0..3).map(|j| keypair(10 + (3 * i + j) as u8)).collect();
            let refs: Vec<&Keypair> = keys.iter().collect();
            communities.push(Community::named(
                keypair(100 + i as u8),
                &format!("Community {i}"),
                &refs,
                community_rules.clone(),
            ));
            members.push(keys);
        }
        let mut founding: Vec<Founding> = communities
            .iter()
            .map(|c| Founding {
                id: c.id,
                node: c.node.public(),
                name: c.genesis.name.clone(),
            })
            .collect();
        founding.sort_by_key(|f| f.id);
        let mut north: Vec<Hash> = communities[..2].iter().map(|c| c.id).collect();
        north.sort();
        let genesis = NetworkGenesis {
            name: "Test Network".into(),
            communities: founding,
            regions: vec![RegionSpec {
                name: "north".into(),
                communities: north,
            }],
            rules: rules(),
            created: Timestamp(1_500),
        };
        let mut network = SignedNetwork {
            genesis: genesis.clone(),
            signatures: Vec::new(),
        };
        for c in &communities {
            network.add(NetworkSignature::sign(&genesis, c.id, &c.node));
        }
        for c in &mut communities {
            c.append_at(
                LogKind::Public,
                EntryBody::Records(vec![NodeRecord::Network(Box::new(network.clone()))]),
                Timestamp(1_600),
            )
            .expect("the network record applies");
        }
        Fed {
            communities,
            members,
            network,
        }
    }

    pub fn id(&self) -> Hash {
        self.network.genesis.id()
    }

    pub fn logs(&self) -> Vec<CommunityLog> {
        self.communities
            .iter()
            .map(|c| CommunityLog {
                community: c.id,
                node: c.node.public(),
                entries: c
                    .entries
                    .iter()
                    .filter(|e| e.entry.log.kind == LogKind::Public)
                    .cloned()
                    .collect(),
                fork: None,
            })
            .collect()
    }

    pub fn view(&self) -> FederationView {
        FederationView::new(self.network.genesis.clone(), &self.logs())
    }

    /// Member `j` of community `i` acts at `time`.
    pub fn act(&mut self, i: usize, j: usize, nonce: u64, time: u64, body: ActionBody) {
        let key = &self.members[i][j];
        let c = &mut self.communities[i];
        let mut action = c.action(key, nonce, body);
        action.action.created = Timestamp(time);
        let action = action.action.sign(key);
        c.append_at(
            LogKind::Public,
            EntryBody::Actions(vec![action]),
            Timestamp(time),
        )
        .expect("the action applies");
    }

    /// Every community checkpoints the others' public heads at `time`.
    pub fn checkpoint_all(&mut self, time: u64) {
        self.checkpoint(0..self.communities.len(), time);
    }

    /// Communities `which` checkpoint the others' public heads at `time`.
    pub fn checkpoint(&mut self, which: std::ops::Range<usize>, time: u64) {
        let heads: Vec<(Hash, crate::log::Head)> = self
            .communities
            .iter()
            .map(|c| (c.id, c.public.expect("a public head")))
            .collect();
        let network = self.id();
        for c in &mut self.communities[which] {
            let mut listed: Vec<LogHead> = heads
                .iter()
                .filter(|(id, _)| *id != c.id)
                .map(|(community, head)| LogHead {
                    community: *community,
                    head: *head,
                })
                .collect();
            listed.sort_by_key(|h| h.community);
            c.append_at(
                LogKind::Public,
                EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint {
                    network,
                    heads: listed,
                })]),
                Timestamp(time),
            )
            .expect("the checkpoint applies");
        }
    }

    pub fn attest(&mut self, i: usize, proposal: Hash, result: Hash, time: u64) {
        let network = self.id();
        self.communities[i]
            .append_at(
                LogKind::Public,
                EntryBody::Records(vec![NodeRecord::Attest(Attestation {
                    network,
                    proposal,
                    result,
                })]),
                Timestamp(time),
            )
            .expect("the attestation applies");
    }

    /// Member 0 of community 0 proposes at `OPEN`; returns the proposal id.
    pub fn propose(&mut self, level: Level) -> Hash {
        let proposal = policy(level);
        self.act(
            0,
            0,
            1,
            OPEN,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal.clone()))),
        );
        let c = &self.communities[0];
        match &c.entries.last().expect("entry").entry.body {
            EntryBody::Actions(actions) => actions[0].id(),
            _ => unreachable!(),
        }
    }
}

/// A vote action.
pub fn vote(id: Hash, level: Level, ballot: Ballot) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Vote {
        proposal: ProposalRef { id, level },
        ballot,
    })
}

/// The federation's export (what `hearth audit` reads); with `tamper`, one
/// entry of the second community's log is altered after signing.
pub fn export(fed: &Fed, tamper: bool) -> Vec<u8> {
    use crate::federation::export::{ExportRecord, MAGIC, write_record};
    let mut out = MAGIC.to_vec();
    write_record(
        &mut out,
        &ExportRecord::Network(Box::new(fed.network.clone())),
    );
    for (i, log) in fed.logs().into_iter().enumerate() {
        write_record(
            &mut out,
            &ExportRecord::Log {
                community: log.community,
                node: log.node,
            },
        );
        for (seq, mut entry) in log.entries.into_iter().enumerate() {
            if tamper && i == 1 && seq == 2 {
                entry.entry.time = Timestamp(entry.entry.time.0 + 1);
            }
            write_record(&mut out, &ExportRecord::Entry(entry));
        }
    }
    out
}

/// A policy question at `level`, as test federations propose it.
pub fn policy(level: Level) -> Proposal {
    Proposal {
        kind: ProposalKind::Policy,
        level,
        topic: None,
        title: "Shared seed bank".into(),
        text: "Fund a seed bank for the whole network.".into(),
        options: Vec::new(),
        subject: Subject::Question,
    }
}
