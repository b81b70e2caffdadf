//! Governance as the CLI sees it: the node's proposal JSON, finding a
//! proposal by an id prefix (among the community's proposals, then the
//! federation's), and levels and delegation scopes on the command line.
//! The submodules turn command-line votes into ballots ([`ballot`]),
//! counts into words ([`words`]) and typed levels into the protocol's
//! ([`levels`]); all are pure so they are tested without a node.

pub mod ballot;
pub mod levels;
pub mod words;

use anyhow::{Result, bail};
use hearth_protocol::community::Method;
use hearth_protocol::governance::{Level, ProposalKind, ProposalRef, Scope, Within};

use hearth_protocol::{Hash, Keypair, PublicKey};
pub use levels::{LevelArg, ScopeArg, level_name, parse_level_arg, parse_scope_arg};
use serde::Deserialize;
use serde_json::Value;

use crate::api;
use crate::client::{Client, Refusal};
use crate::context::now;
use crate::error::{Code, fail};
use crate::federation::proposal::{self as federated, FederatedProposal};

/// Fewest hex digits of an id prefix the CLI resolves.
pub const MIN_PREFIX: usize = 8;

/// Hex digits of a proposal id shown in tables.
pub const SHORT_ID: usize = 12;

/// A level as the node writes it: `{"level": "local"}`,
/// `{"level": "regional", "id": "<hex>"}` or `{"level": "network"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct LevelJson {
    level: String,
    #[serde(default)]
    id: Option<Hash>,
}

impl TryFrom<LevelJson> for Level {
    type Error = String;

    fn try_from(json: LevelJson) -> Result<Level, String> {
        match (json.level.as_str(), json.id) {
            ("local", _) => Ok(Level::Local),
            ("network", _) => Ok(Level::Network),
            ("regional", Some(id)) => Ok(Level::Regional(id)),
            (other, _) => Err(format!("unknown level {other:?}")),
        }
    }
}

/// Deserialises a level as the node writes it.
pub(crate) fn level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
    Level::try_from(LevelJson::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// A budget project as the node writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProjectInfo {
    /// Its name.
    pub name: String,
    /// Its cost in milli-KC.
    pub cost: i64,
}

/// What a proposal decides beyond its text (`"subject"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubjectInfo {
    /// A yes/no question, or a choice among the options.
    Question,
    /// A participatory budget.
    Budget {
        /// The money available, in milli-KC.
        budget: i64,
        /// The projects.
        projects: Vec<ProjectInfo>,
    },
    /// Council seats.
    Election {
        /// Seats to fill.
        seats: u32,
    },
    /// Admitting a member.
    Membership {
        /// The member's did.
        member: String,
    },
    /// Admitting a community into a region or the network.
    Community {
        /// The community id.
        community: Hash,
        /// Its node's did.
        node: String,
        /// Its name.
        name: String,
    },
    /// A subject this CLI does not know.
    #[serde(other)]
    Other,
}

/// A review of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReviewInfo {
    /// The reviewer's did.
    pub reviewer: String,
    /// Whether they approve.
    pub approve: bool,
}

/// A proposal as `GET /v1/proposals` lists it; the fields after
/// `withdrawn` are only in `GET /v1/proposals/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProposalInfo {
    /// The proposal id.
    pub id: Hash,
    /// Its kind.
    pub kind: ProposalKind,
    /// Where it is decided.
    #[serde(deserialize_with = "level")]
    pub level: Level,
    /// The topic it is filed under (from its proposer's community's list).
    #[serde(default)]
    pub topic: Option<String>,
    /// Its title.
    pub title: String,
    /// The author's did.
    pub author: String,
    /// The name the author set for themselves.
    #[serde(default)]
    pub author_name: Option<String>,
    /// How many comments its thread holds.
    #[serde(default)]
    pub comments: u32,
    /// Display names of the members it mentions (author, reviewers,
    /// nominees), by did.
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
    /// When it was sealed (ms).
    pub created: u64,
    /// The stage now (`discussion`, `voting`, `closed`, …).
    pub stage: String,
    /// Each stage and when it starts (ms).
    pub stages: Vec<(String, u64)>,
    /// When the vote closes (ms).
    pub closes: u64,
    /// How it is decided.
    pub method: Method,
    /// When it was withdrawn (ms).
    #[serde(default)]
    pub withdrawn: Option<u64>,
    /// The text as last amended.
    #[serde(default)]
    pub text: String,
    /// The options of a choice (empty: yes/no).
    #[serde(default)]
    pub options: Vec<String>,
    /// What it decides.
    #[serde(default)]
    pub subject: Option<SubjectInfo>,
    /// How many times the text was amended.
    #[serde(default)]
    pub amendments: u32,
    /// The latest review of each reviewer.
    #[serde(default)]
    pub reviews: Vec<ReviewInfo>,
    /// When a technical proposal's vote opened (ms).
    #[serde(default)]
    pub vote_opened: Option<u64>,
    /// Election candidates (dids), in nomination order.
    #[serde(default)]
    pub nominees: Vec<String>,
    /// How many members have a ballot in.
    #[serde(default)]
    pub ballots: Option<u64>,
    /// The decision, once closed.
    #[serde(default)]
    pub decision: Option<Value>,
    /// The count so far, or `{"hidden": true}`.
    #[serde(default)]
    pub running: Option<Value>,
}

impl ProposalInfo {
    /// A member the proposal mentions, by did, with the name they set for
    /// themselves before it: `Alice (did:key:…)`.
    pub fn named(&self, did: &str) -> String {
        let name = if did == self.author {
            self.author_name.as_ref()
        } else {
            self.names.get(did)
        };
        match name {
            Some(name) => format!("{} ({did})", crate::output::printable(name)),
            None => did.to_string(),
        }
    }

    /// The reference actions name the proposal by.
    pub fn reference(&self) -> ProposalRef {
        ProposalRef {
            id: self.id,
            level: self.level,
        }
    }

    /// The first [`SHORT_ID`] hex digits of the id.
    pub fn short_id(&self) -> String {
        short_id(&self.id)
    }

    /// The stage for people: `withdrawn` rather than `closed` for a
    /// withdrawn proposal.
    pub fn stage_word(&self) -> &str {
        if self.withdrawn.is_some() {
            "withdrawn"
        } else {
            &self.stage
        }
    }

    /// Budget projects (empty for other kinds).
    pub fn projects(&self) -> &[ProjectInfo] {
        match &self.subject {
            Some(SubjectInfo::Budget { projects, .. }) => projects,
            _ => &[],
        }
    }
}

/// The first [`SHORT_ID`] hex digits of `id`.
pub fn short_id(id: &Hash) -> String {
    id.to_hex()[..SHORT_ID].to_string()
}

/// The proposal list (`GET /v1/proposals`).
#[derive(Debug, Clone, Deserialize)]
pub struct ProposalList {
    /// Every proposal.
    pub proposals: Vec<ProposalInfo>,
}

/// Reads governance data signed with a member's key.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    /// The node.
    pub client: &'a Client,
    /// The member key that signs the reads.
    pub key: &'a Keypair,
}

impl Reader<'_> {
    /// A member-signed `GET` of `path`.
    pub fn get(&self, path: &str) -> Result<Value> {
        self.client.get_signed(path, self.key, now()?)
    }

    /// Every proposal, as the node's JSON and decoded.
    pub fn list(&self) -> Result<(Value, ProposalList)> {
        let value = self.get("/v1/proposals")?;
        let list = api::decode(value.clone(), "proposal list")?;
        Ok((value, list))
    }

    /// One proposal in full, as the node's JSON and decoded.
    pub fn detail(&self, id: &Hash) -> Result<(Value, ProposalInfo)> {
        let value = self.get(&format!("/v1/proposals/{id}"))?;
        let info = api::decode(value.clone(), "proposal")?;
        Ok((value, info))
    }

    /// The proposal `text` names: a full id, or a prefix of at least
    /// [`MIN_PREFIX`] hex digits that only one proposal's id starts with.
    pub fn find(&self, text: &str) -> Result<(Value, ProposalInfo)> {
        let prefix = id_prefix(text)?;
        if let Ok(id) = prefix.parse::<Hash>() {
            return self.detail(&id);
        }
        let (_, list) = self.list()?;
        let id = match_prefix(&prefix, list.proposals.iter().map(|p| &p.id))?;
        self.detail(&id)
    }

    /// The proposal `text` names among the community's proposals, else
    /// among the regional and network proposals of its federation (public,
    /// so read unsigned).
    pub fn find_any(&self, text: &str) -> Result<Found> {
        let local = match self.find(text) {
            Ok((value, info)) => return Ok(Found::Local(value, Box::new(info))),
            Err(e) if is_not_found(&e) => e,
            Err(e) => return Err(e),
        };
        let prefix = id_prefix(text)?;
        let id = match prefix.parse::<Hash>() {
            Ok(id) => id,
            Err(_) => {
                let (_, list) = federated::list(self.client)?;
                match match_prefix(&prefix, list.iter().map(|p| &p.id)) {
                    Ok(id) => id,
                    Err(e) if is_not_found(&e) => return Err(local),
                    Err(e) => return Err(e),
                }
            }
        };
        match federated::detail(self.client, &id) {
            Ok((value, proposal)) => Ok(Found::Federated(value, Box::new(proposal))),
            Err(e) if is_not_found(&e) => Err(local),
            Err(e) => Err(e),
        }
    }
}

/// A proposal found by [`Reader::find_any`], with the node's JSON.
#[derive(Debug, Clone)]
pub enum Found {
    /// One of the community's own (local) proposals.
    Local(Value, Box<ProposalInfo>),
    /// A regional or network proposal of the federation.
    Federated(Value, Box<FederatedProposal>),
}

/// Whether the node answered that what was asked for does not exist
/// (HTTP 404: an unknown proposal, or a route an older node lacks).
pub fn is_not_found(err: &anyhow::Error) -> bool {
    err.downcast_ref::<Refusal>()
        .is_some_and(|r| r.status == 404)
}

/// Checks a proposal id or id prefix typed by a person; returns it in
/// lowercase.
pub fn id_prefix(text: &str) -> Result<String> {
    let text = text.trim().to_ascii_lowercase();
    if !text.chars().all(|c| c.is_ascii_hexdigit()) || text.is_empty() {
        bail!("invalid proposal id {text:?}: use its hex digits (see `hearth proposals`)");
    }
    if text.len() < MIN_PREFIX {
        bail!(
            "the proposal id {text:?} is too short: give at least {MIN_PREFIX} of its hex digits"
        );
    }
    if text.len() > 64 {
        bail!("invalid proposal id {text:?}: an id has 64 hex digits");
    }
    Ok(text)
}

/// [`id_prefix`] as a command-line value parser.
pub fn parse_id(text: &str) -> Result<String, String> {
    id_prefix(text).map_err(|e| format!("{e:#}"))
}

/// The one id among `ids` that starts with `prefix` (lowercase hex). None
/// is the node's `unknown_proposal`; several is a usage error.
pub fn match_prefix<'a>(prefix: &str, ids: impl Iterator<Item = &'a Hash>) -> Result<Hash> {
    let matches: Vec<Hash> = ids
        .filter(|id| id.to_hex().starts_with(prefix))
        .copied()
        .collect();
    match matches.as_slice() {
        [id] => Ok(*id),
        [] => Err(Refusal {
            status: 404,
            code: "unknown_proposal".into(),
            message: format!("no proposal id starts with {prefix}"),
        }
        .into()),
        many => {
            let listed: Vec<String> = many.iter().map(Hash::to_hex).collect();
            Err(fail(
                Code::InvalidArgument,
                format!(
                    "the proposal id {prefix} is ambiguous: {} proposals start with it ({}); \
                     give more digits",
                    many.len(),
                    listed.join(", ")
                ),
            ))
        }
    }
}

/// Parses a level: `local`, `network` or `regional:<region id>`.
pub fn parse_level(text: &str) -> Result<Level, String> {
    match text.trim() {
        "local" => Ok(Level::Local),
        "network" => Ok(Level::Network),
        other => match other.strip_prefix("regional:") {
            Some(id) => id
                .parse()
                .map(Level::Regional)
                .map_err(|e| format!("invalid region id {id:?}: {e}")),
            None => Err(format!(
                "invalid level {other:?}: use local, network or regional:<region id>"
            )),
        },
    }
}

/// A level for people: `local`, `network`, `regional:<12 hex digits>`.
pub fn level_text(level: &Level) -> String {
    match level {
        Level::Local => "local".into(),
        Level::Network => "network".into(),
        Level::Regional(id) => format!("regional:{}", short_id(id)),
    }
}

/// A scope for people: `local`, `local:policy` (a kind, as `--scope`
/// takes it), `local #health` (a topic, as `--topic` takes it).
pub fn scope_text(scope: &Scope) -> String {
    let level = level_text(&scope.level);
    match &scope.within {
        Within::All => level,
        Within::Kind(kind) => format!("{level}:{}", kind.as_str()),
        Within::Topic(topic) => format!("{level} #{topic}"),
    }
}

/// A method's name.
pub fn method_name(method: Method) -> &'static str {
    match method {
        Method::Consensus => "consensus",
        Method::Majority => "majority",
        Method::Quadratic => "quadratic voting",
        Method::Stv => "single transferable vote",
        Method::Schulze => "ranked choice (Schulze)",
        Method::Budgeting => "participatory budgeting",
        Method::Council => "council decision",
    }
}

/// The nominees of an election as keys.
pub fn nominee_keys(info: &ProposalInfo) -> Result<Vec<PublicKey>> {
    info.nominees
        .iter()
        .map(|did| {
            PublicKey::from_did(did)
                .map_err(|e| anyhow::anyhow!("the node sent an invalid nominee {did:?}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hash(byte: u8) -> Hash {
        Hash([byte; 32])
    }

    #[test]
    fn id_prefixes_are_hex_and_long_enough() {
        assert_eq!(id_prefix(" ABCDEF0123 ").unwrap(), "abcdef0123");
        assert!(format!("{:#}", id_prefix("abc").unwrap_err()).contains("at least 8"));
        assert!(format!("{:#}", id_prefix("xyz12345").unwrap_err()).contains("invalid"));
        assert!(id_prefix("").is_err());
        assert!(id_prefix(&"a".repeat(65)).is_err());
    }

    #[test]
    fn a_prefix_names_one_proposal_or_none_or_is_ambiguous() {
        let mut a = hash(0xab);
        a.0[5] = 0x01;
        let mut b = hash(0xab);
        b.0[5] = 0x02;
        let c = hash(0xcd);
        let ids = [a, b, c];
        assert_eq!(match_prefix("cdcdcdcd", ids.iter()).unwrap(), c);
        assert_eq!(match_prefix("ababababab01", ids.iter()).unwrap(), a);
        let ambiguous = format!("{:#}", match_prefix("abababab", ids.iter()).unwrap_err());
        assert!(ambiguous.contains("ambiguous") && ambiguous.contains("2 proposals"));
        let none = match_prefix("00000000", ids.iter()).unwrap_err();
        let refusal = none.downcast_ref::<Refusal>().expect("a refusal");
        assert_eq!(refusal.code, "unknown_proposal");
    }

    #[test]
    fn levels_and_scopes_parse_and_print() {
        assert_eq!(parse_level("local"), Ok(Level::Local));
        assert_eq!(parse_level("network"), Ok(Level::Network));
        let region = hash(3);
        let text = format!("regional:{region}");
        assert_eq!(parse_level(&text), Ok(Level::Regional(region)));
        assert!(parse_level("regional:zz").is_err());
        assert!(parse_level("global").is_err());
        let policy = Scope::kind(Level::Local, ProposalKind::Policy);
        assert_eq!(scope_text(&policy), "local:policy");
        let network = Scope::level(Level::Network);
        assert_eq!(scope_text(&network), "network");
        let regional = Scope::kind(Level::Regional(region), ProposalKind::Budget);
        assert_eq!(scope_text(&regional), "regional:030303030303:budget");
        let health = hearth_protocol::governance::Topic::new("health").unwrap();
        let topical = Scope::topic(Level::Local, health);
        assert_eq!(scope_text(&topical), "local #health");
    }

    #[test]
    fn the_nodes_proposal_json_decodes() {
        let value = json!({
            "id": hash(1), "kind": "budget", "level": {"level": "local"},
            "title": "Oven", "author": "did:key:z6MkA", "created": 5,
            "stage": "submission", "stages": [["submission", 5], ["review", 7], ["voting", 9]],
            "closes": 11, "method": "budgeting", "withdrawn": null,
            "text": "", "options": [], "amendments": 0, "reviews": [],
            "subject": {"type": "budget", "budget": 1000000,
                        "projects": [{"name": "Oven", "cost": 400000}]},
            "vote_opened": null, "nominees": [], "ballots": 0,
            "running": {"hidden": true},
        });
        let info: ProposalInfo = serde_json::from_value(value).unwrap();
        assert_eq!(info.kind, ProposalKind::Budget);
        assert_eq!(info.method, Method::Budgeting);
        assert_eq!(info.level, Level::Local);
        assert_eq!(info.projects()[0].cost, 400_000);
        assert_eq!(info.stages[1], ("review".to_string(), 7));
        assert_eq!(info.reference().id, hash(1));
        // The summary in the list has no detail fields.
        let summary = json!({
            "id": hash(2), "kind": "election", "level": {"level": "regional", "id": hash(4)},
            "title": "Council", "author": "did:key:z6MkA", "created": 5, "stage": "closed",
            "stages": [], "closes": 6, "method": "stv", "withdrawn": 6,
        });
        let info: ProposalInfo = serde_json::from_value(summary).unwrap();
        assert_eq!(info.level, Level::Regional(hash(4)));
        assert_eq!(info.stage_word(), "withdrawn");
        assert_eq!(info.subject, None);
    }
}
