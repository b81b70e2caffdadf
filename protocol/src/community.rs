//! A community's genesis record and its rules: every community-level
//! default the design names, in one place.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::economy::aid::AidGuidelines;
use crate::economy::insurance::InsuranceRules;
use crate::economy::skills::{self, SkillRules};
use crate::units::{Kc, Millis, Ratio, Timestamp};

/// Domain-separation context of community ids.
pub const COMMUNITY_CONTEXT: &str = "hearth v1 community";

/// Longest community name accepted.
pub const MAX_NAME_LEN: usize = 120;

/// The record a community is born from; its hash is the community id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Genesis {
    /// Human name of the community.
    pub name: String,
    /// The node key that signs the community's logs.
    pub node: PublicKey,
    /// Members named at founding; they form the first council.
    pub founders: Vec<PublicKey>,
    /// One-time invite keys whose claimants join as founders (and council
    /// members): how a node created before its first member gets one.
    pub founder_invites: Vec<PublicKey>,
    /// The community's rules.
    pub rules: Rules,
    /// The region the community belongs to, if any.
    pub region: Option<Hash>,
    /// When the community was created.
    pub created: Timestamp,
}

impl Canonical for Genesis {}

impl Genesis {
    /// The community id: the hash of the canonical genesis bytes.
    pub fn id(&self) -> Hash {
        Hash::of(COMMUNITY_CONTEXT, &self.to_bytes())
    }
}

/// How people become members.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Admission {
    /// A council member issues an invite; its claimant joins. (A
    /// membership proposal that passes admits a member too.)
    #[default]
    Invite,
    /// Only a membership proposal that passes admits a member: invites
    /// are neither issued nor claimed, except the genesis founder invites
    /// through which a new community gets its first members.
    Vote,
}

/// A voting method (DESIGN §7.2).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Agree / abstain / disagree / block.
    Consensus,
    /// Yes / no with liquid delegation.
    Majority,
    /// Quadratic voting with voice credits.
    Quadratic,
    /// Single transferable vote (council elections).
    Stv,
    /// Schulze ranked single-winner.
    Schulze,
    /// Participatory budgeting over approval ballots.
    Budgeting,
    /// Only council members vote.
    Council,
}

/// How a share is compared with its threshold (majority, council,
/// consensus and quadratic yes/no decisions).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassWhen {
    /// Strictly more than the threshold when it is exactly one half (a
    /// simple majority: a tie does not pass); at least the threshold
    /// otherwise.
    #[default]
    Auto,
    /// At least the threshold: a share equal to it passes.
    AtLeast,
    /// Strictly more than the threshold: a share equal to it fails.
    MoreThan,
}

impl PassWhen {
    /// Whether a share must be strictly more than `threshold` to pass.
    pub fn strict(self, threshold: Ratio) -> bool {
        match self {
            PassWhen::Auto => threshold.is_half(),
            PassWhen::AtLeast => false,
            PassWhen::MoreThan => true,
        }
    }
}

/// What a choice whose lead is tied decides (quadratic votes over several
/// options, Schulze choices).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// Nothing: the choice fails as tied, with no winner.
    #[default]
    Fail,
    /// The tied options are drawn by lot (see
    /// [`crate::tally::lot_seed`]); the report names them and the one drawn.
    Lot,
}

/// Most voice credits a member may have per quadratic vote. With it a
/// ballot gives at most 1000 votes to an option (1000² credits), so a
/// count's totals stay below members × 1000 per option — far inside the
/// tally's integers — and a ballot is priced in one pass over its options.
pub const MAX_VOICE_CREDITS: u32 = 1_000_000;

/// Rules of one governance level.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRules {
    /// Default method of the level.
    pub method: Method,
    /// Share of counted votes needed to pass.
    pub threshold: Ratio,
    /// Share of eligible voters (including delegated weight) that must take part.
    pub quorum: Ratio,
    /// Blocks that fail a consensus vote.
    pub blocks_to_fail: u32,
    /// Voice credits per member per voting round (quadratic voting).
    pub voice_credits: u32,
    /// Whether members may delegate at this level.
    pub delegation: bool,
    /// Whether the threshold must be reached or passed (default: passed
    /// for a simple majority, reached otherwise).
    #[serde(default)]
    pub pass_when: PassWhen,
    /// What a tied lead decides (default: the choice fails as tied).
    #[serde(default)]
    pub ties: Ties,
}

impl LevelRules {
    /// Whether a share must be strictly more than the threshold.
    pub fn strict(&self) -> bool {
        self.pass_when.strict(self.threshold)
    }
}

/// Stage durations of each proposal kind (DESIGN §7.1).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProposalDurations {
    /// Policy: discussion.
    pub policy_discussion: Millis,
    /// Policy: deliberation.
    pub policy_deliberation: Millis,
    /// Policy: voting.
    pub policy_voting: Millis,
    /// Policy: implementation.
    pub policy_implementation: Millis,
    /// Budget: the whole participatory-budgeting cycle.
    pub budget: Millis,
    /// Technical: review and vote.
    pub technical: Millis,
    /// Technical: approving expert reviews that open the vote.
    pub technical_reviews: u32,
    /// Emergency: council decision.
    pub emergency: Millis,
    /// Election: nominations.
    pub election_nominations: Millis,
    /// Election: campaign.
    pub election_campaign: Millis,
    /// Election: voting.
    pub election_voting: Millis,
    /// Membership: vote.
    pub membership: Millis,
}

impl Default for ProposalDurations {
    fn default() -> Self {
        ProposalDurations {
            policy_discussion: Millis::days(7),
            policy_deliberation: Millis::days(3),
            policy_voting: Millis::days(3),
            policy_implementation: Millis::days(1),
            budget: Millis::days(21),
            technical: Millis::days(10),
            technical_reviews: 2,
            emergency: Millis::days(1),
            election_nominations: Millis::days(7),
            election_campaign: Millis::days(7),
            election_voting: Millis::days(3),
            membership: Millis::days(7),
        }
    }
}

/// Council seats and terms (DESIGN §8). A member's term runs from when
/// they are seated (founders at genesis, a founder invite's claimant on
/// claiming it, the elected when their election closes); see
/// [`crate::state::council`] for what an ended term means.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CouncilRules {
    /// Seats on the council.
    pub seats: u32,
    /// Length of a term (positive).
    pub term: Millis,
    /// Council members that must vote for a decision to count.
    pub quorum: Ratio,
    /// Share of council votes needed to decide.
    pub majority: Ratio,
    /// Whether the majority must be reached or passed (default: passed
    /// when it is one half, so a tied council does not decide).
    pub pass_when: PassWhen,
}

impl Default for CouncilRules {
    fn default() -> Self {
        CouncilRules {
            seats: 5,
            term: Millis::days(365),
            quorum: Ratio::new(1, 2),
            majority: Ratio::new(1, 2),
            pass_when: PassWhen::Auto,
        }
    }
}

/// Every community-level rule, with the design's defaults.
///
/// Membership, the ledger, governance and the council enforce theirs; the
/// economy's pools, time bank and learning rules are fixed here so that a
/// community's genesis already carries them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// How far below zero a member's balance may go.
    pub credit_limit: Kc,
    /// Longest lifetime of an invite.
    pub invite_max_ttl: Millis,
    /// Longest transfer memo, in bytes.
    pub max_memo_len: u32,
    /// Time-bank rate.
    pub time_bank_kc_per_hour: Kc,
    /// How long an unconfirmed time log stays open.
    pub time_log_expiry: Millis,
    /// How far below zero the treasury may go: the credit the community
    /// extends itself to pay basic income and rewards.
    pub treasury_credit: Kc,
    /// Monthly levy on positive member balances, in basis points, paid to
    /// the treasury.
    pub levy: u32,
    /// The emergency mutual-aid pool's guidelines (and the defaults of
    /// new aid pools).
    pub aid: AidGuidelines,
    /// Insurance rules common to every pool.
    pub insurance: InsuranceRules,
    /// Monthly basic income per active member, if the community pays one.
    pub basic_income: Option<Kc>,
    /// Local governance.
    pub local: LevelRules,
    /// Regional governance.
    pub regional: LevelRules,
    /// Network governance.
    pub network: LevelRules,
    /// Stage durations per proposal kind.
    pub durations: ProposalDurations,
    /// The council.
    pub council: CouncilRules,
    /// Kinds of proposal whose running tally stays hidden until the vote
    /// closes (ballots are counted only then for everyone to see).
    pub hidden_tally: Vec<crate::governance::ProposalKind>,
    /// How people become members: by invite, or only by a membership vote.
    pub admission: Admission,
    /// The appointed reviewers of technical proposals: only they review
    /// them, and `durations.technical_reviews` of their approvals open the
    /// vote. Empty: council members in power review (the default).
    ///
    /// The rule `learning.review_skill` further requires reviewers to be
    /// verified in a skill (DESIGN §7.1: experts).
    pub technical_reviewers: Vec<PublicKey>,
    /// Time bank categories the community adds to the built-in ones.
    pub time_bank_categories: Vec<String>,
    /// Skill sharing.
    pub skills: SkillRules,
    /// The tool library's rules.
    pub tools: crate::economy::tools::ToolRules,
    /// Space sharing: who stewards the spaces.
    pub spaces: crate::economy::spaces::SpaceRules,
    /// Learning: rewards, endorsements, assessors, expert review.
    pub learning: crate::economy::learning::LearningRules,
    /// The topics proposals are filed under and delegations may be scoped
    /// to (`["health", "transport"]`): at most
    /// [`MAX_TOPICS`](crate::governance::MAX_TOPICS), each named once.
    pub topics: Vec<crate::governance::Topic>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            credit_limit: Kc::whole(1000),
            invite_max_ttl: Millis::days(30),
            max_memo_len: 280,
            time_bank_kc_per_hour: Kc::whole(1),
            time_log_expiry: Millis::days(14),
            treasury_credit: Kc::ZERO,
            levy: 0,
            aid: AidGuidelines::default(),
            insurance: InsuranceRules::default(),
            basic_income: None,
            local: LevelRules {
                method: Method::Consensus,
                threshold: Ratio::new(4, 5),
                quorum: Ratio::new(1, 4),
                blocks_to_fail: 1,
                voice_credits: 0,
                delegation: true,
                pass_when: PassWhen::Auto,
                ties: Ties::Fail,
            },
            regional: LevelRules {
                method: Method::Majority,
                threshold: Ratio::new(3, 5),
                quorum: Ratio::new(1, 5),
                blocks_to_fail: 0,
                voice_credits: 0,
                delegation: true,
                pass_when: PassWhen::Auto,
                ties: Ties::Fail,
            },
            network: LevelRules {
                method: Method::Quadratic,
                threshold: Ratio::new(2, 3),
                quorum: Ratio::new(1, 10),
                blocks_to_fail: 0,
                voice_credits: 100,
                delegation: true,
                pass_when: PassWhen::Auto,
                ties: Ties::Fail,
            },
            durations: ProposalDurations::default(),
            council: CouncilRules::default(),
            hidden_tally: vec![crate::governance::ProposalKind::Election],
            admission: Admission::Invite,
            technical_reviewers: Vec::new(),
            time_bank_categories: Vec::new(),
            skills: SkillRules::default(),
            tools: crate::economy::tools::ToolRules::default(),
            spaces: Default::default(),
            learning: Default::default(),
            topics: Vec::new(),
        }
    }
}

/// Why a set of rules is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rule {rule}: {reason}")]
pub struct InvalidRules {
    /// The rule's name.
    pub rule: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Rules {
    /// Checks the rules are coherent (non-negative amounts, proper ratios,
    /// valid and distinct reviewer keys).
    pub fn validate(&self) -> Result<(), InvalidRules> {
        let bad = |rule, reason| Err(InvalidRules { rule, reason });
        if self.credit_limit.0 < 0 {
            return bad("credit_limit", "must not be negative");
        }
        if self.time_bank_kc_per_hour.0 <= 0 {
            return bad("time_bank_kc_per_hour", "must be positive");
        }
        if self.time_log_expiry.0 == 0 {
            return bad("time_log_expiry", "must be positive");
        }
        if self.treasury_credit.0 < 0 {
            return bad("treasury_credit", "must not be negative");
        }
        if self.levy > 10_000 {
            return bad("levy", "is at most 10000 basis points (100 %)");
        }
        if self.basic_income.is_some_and(|a| a.0 <= 0) {
            return bad("basic_income", "must be positive (or off)");
        }
        self.aid.validate()?;
        self.tools.validate()?;
        for (rule, ratio) in [
            ("local.threshold", self.local.threshold),
            ("local.quorum", self.local.quorum),
            ("regional.threshold", self.regional.threshold),
            ("regional.quorum", self.regional.quorum),
            ("network.threshold", self.network.threshold),
            ("network.quorum", self.network.quorum),
            ("council.quorum", self.council.quorum),
            ("council.majority", self.council.majority),
        ] {
            if ratio.den == 0 || ratio.num > ratio.den {
                return bad(rule, "must be a fraction between 0 and 1");
            }
        }
        for (rule, level) in [
            ("local.voice_credits", &self.local),
            ("regional.voice_credits", &self.regional),
            ("network.voice_credits", &self.network),
        ] {
            if level.voice_credits > MAX_VOICE_CREDITS {
                return bad(rule, "is at most 1000000 (1000 votes on one option)");
            }
        }
        if self.council.seats == 0 {
            return bad("council.seats", "must be at least 1");
        }
        if self.council.term.0 == 0 {
            return bad("council.term", "must be positive");
        }
        let time_bank = crate::economy::time_bank::CATEGORIES;
        let mut built_in: Vec<&str> = time_bank.to_vec();
        built_in.extend(skills::CATEGORIES);
        skills::check_extra_categories(&self.time_bank_categories, &built_in)
            .or_else(|reason| bad("time_bank_categories", reason))?;
        built_in.extend(self.time_bank_categories.iter().map(String::as_str));
        skills::check_extra_categories(&self.skills.categories, &built_in)
            .or_else(|reason| bad("skills.categories", reason))?;
        let mut reviewers = std::collections::BTreeSet::new();
        for key in &self.technical_reviewers {
            if key.verifying_key().is_err() {
                return bad(
                    "technical_reviewers",
                    "every key must be a valid, strong key",
                );
            }
            if !reviewers.insert(key) {
                return bad("technical_reviewers", "a key is named twice");
            }
        }
        if !reviewers.is_empty() && self.durations.technical_reviews as usize > reviewers.len() {
            return bad(
                "durations.technical_reviews",
                "must not exceed the number of technical_reviewers",
            );
        }
        self.spaces.validate()?;
        self.learning.validate()?;
        crate::governance::check_topics(&self.topics).or_else(|e| {
            bad(
                "topics",
                match e {
                    crate::governance::TopicError::TooMany { .. } => "at most 64 topics are listed",
                    _ => "a topic is listed twice",
                },
            )
        })?;
        Ok(())
    }
}
