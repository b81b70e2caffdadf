//! Member actions: what a member signs, and the checks that need no state.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::codec::{Canonical, MAX_ACTION_BYTES};
use crate::crypto::{self, Hash, Keypair, PublicKey, Signature};
pub use crate::economy::aid::AidAction;
pub use crate::economy::insurance::InsuranceAction;
pub use crate::economy::learning::LearningAction;
pub use crate::economy::ledger::LedgerAction;
pub use crate::economy::skills::SkillsAction;
pub use crate::economy::spaces::SpacesAction;
pub use crate::economy::time_bank::TimeBankAction;
pub use crate::economy::tools::ToolsAction;
pub use crate::governance::GovernanceAction;
pub use crate::state::membership::MembershipAction;

use crate::log::LogKind;
use crate::units::{Millis, Timestamp};
use crate::verified::Verified;

/// Domain-separation context of action ids.
pub const ACTION_CONTEXT: &str = "hearth v1 action";

/// Domain-separation context of what an invite key signs to admit a member.
pub const INVITE_CONTEXT: &str = "hearth v1 invite";

/// Longest free-text reason accepted in an action.
pub const MAX_REASON_LEN: usize = 1000;

/// An action as its author signs it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Action {
    /// The member key that signs the action.
    pub author: PublicKey,
    /// The community the action is for.
    pub community: Hash,
    /// Strictly increasing per author.
    pub nonce: u64,
    /// When the author created it.
    pub created: Timestamp,
    /// What the action does.
    pub body: ActionBody,
}

impl Canonical for Action {
    const LIMIT: usize = MAX_ACTION_BYTES;
}

impl Action {
    /// The action id: its domain-separated hash, which the author signs.
    pub fn id(&self) -> Hash {
        Hash::of(ACTION_CONTEXT, &self.to_bytes())
    }

    /// Signs the action with the author's key.
    pub fn sign(self, key: &Keypair) -> SignedAction {
        let signature = key.sign(&self.id());
        SignedAction {
            action: self,
            signature,
        }
    }
}

/// Everything a member can do, by domain. Each domain's enum says who may
/// author each of its actions, which log records it, and how it applies
/// (its module's `apply`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "domain", content = "action", rename_all = "snake_case")]
pub enum ActionBody {
    /// Joining, leaving, invites, removals.
    Membership(MembershipAction),
    /// Proposals, ballots, delegations, reviews.
    Governance(GovernanceAction),
    /// Transfers between members.
    Ledger(LedgerAction),
    /// Mutual-aid pools.
    Aid(AidAction),
    /// Insurance pools.
    Insurance(InsuranceAction),
    /// Hours of help given and received.
    TimeBank(TimeBankAction),
    /// Skill sharing.
    Skills(SkillsAction),
    /// The tool library.
    Tools(ToolsAction),
    /// Space sharing: spaces and their bookings.
    Spaces(SpacesAction),
    /// Learning: the skill graph, peer sessions and verification.
    Learning(LearningAction),
}

impl ActionBody {
    /// The log an action of this kind is recorded in: membership is
    /// public (the federation needs rosters), the economy is local, and
    /// governance follows its level.
    pub fn log_kind(&self) -> LogKind {
        match self {
            ActionBody::Membership(_) => LogKind::Public,
            ActionBody::Governance(a) => a.log_kind(),
            ActionBody::Ledger(_)
            | ActionBody::Aid(_)
            | ActionBody::Insurance(_)
            | ActionBody::TimeBank(_)
            | ActionBody::Skills(_)
            | ActionBody::Tools(_)
            | ActionBody::Spaces(_)
            | ActionBody::Learning(_) => LogKind::Local,
        }
    }

    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ActionBody::Membership(a) => a.kind(),
            ActionBody::Governance(a) => a.kind(),
            ActionBody::Ledger(a) => a.kind(),
            ActionBody::Aid(a) => a.kind(),
            ActionBody::Insurance(a) => a.kind(),
            ActionBody::TimeBank(a) => a.kind(),
            ActionBody::Skills(a) => a.kind(),
            ActionBody::Tools(a) => a.kind(),
            ActionBody::Spaces(a) => a.kind(),
            ActionBody::Learning(a) => a.kind(),
        }
    }
}

/// The id an invite key signs to admit `member` to `community`.
pub fn invite_claim(community: &Hash, member: &PublicKey) -> Hash {
    let mut bytes = Vec::with_capacity(64);
    bytes.extend_from_slice(&community.0);
    bytes.extend_from_slice(&member.0);
    Hash::of(INVITE_CONTEXT, &bytes)
}

/// An action with its author's signature over its id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct SignedAction {
    /// The action.
    pub action: Action,
    /// The author's signature over `action.id()`.
    pub signature: Signature,
}

impl Canonical for SignedAction {
    const LIMIT: usize = MAX_ACTION_BYTES;
}

impl SignedAction {
    /// The id of the signed action.
    pub fn id(&self) -> Hash {
        self.action.id()
    }

    /// Checks the author's signature strictly (and that the key is not
    /// weak). This is the only way to obtain a `Verified<SignedAction>`.
    pub fn verify(self) -> Result<Verified<SignedAction>, crypto::Error> {
        let id = self.id();
        self.action.author.verify(&id, &self.signature)?;
        Ok(Verified::new_unchecked(self, id))
    }

    /// [`SignedAction::verify`] with keys from a cache (same answers).
    pub fn verify_cached(
        self,
        keys: &crypto::KeyCache,
    ) -> Result<Verified<SignedAction>, crypto::Error> {
        let id = self.id();
        keys.verify(&self.action.author, &id, &self.signature)?;
        Ok(Verified::new_unchecked(self, id))
    }
}

/// An invite key pair as a member hands it out: the community and the
/// invite's secret seed, as one `hearth-invite:` string. `Debug` never
/// shows the seed.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode {
    /// The community the invite admits to.
    pub community: Hash,
    /// The invite key's secret seed.
    pub seed: [u8; 32],
}

/// The prefix of invite codes.
pub const INVITE_PREFIX: &str = "hearth-invite:";

impl InviteCode {
    /// The invite's key pair.
    pub fn keypair(&self) -> Keypair {
        Keypair::from_seed(&self.seed)
    }

    /// Builds the `Join` body that admits `member` with this invite.
    pub fn join_body(&self, member: &PublicKey) -> ActionBody {
        let pair = self.keypair();
        ActionBody::Membership(MembershipAction::Join {
            invite: pair.public(),
            proof: pair.sign(&invite_claim(&self.community, member)),
        })
    }

    /// Parses a `hearth-invite:…` string.
    pub fn parse(text: &str) -> Option<InviteCode> {
        let rest = text.trim().strip_prefix(INVITE_PREFIX)?;
        let bytes = bs58::decode(rest).into_vec().ok()?;
        if bytes.len() != 64 {
            return None;
        }
        let mut community = [0u8; 32];
        let mut seed = [0u8; 32];
        community.copy_from_slice(&bytes[..32]);
        seed.copy_from_slice(&bytes[32..]);
        Some(InviteCode {
            community: Hash(community),
            seed,
        })
    }
}

impl std::fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "InviteCode({:?}, {:?})",
            self.community,
            self.keypair().public()
        )
    }
}

impl std::fmt::Display for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(&self.community.0);
        bytes.extend_from_slice(&self.seed);
        write!(f, "{INVITE_PREFIX}{}", bs58::encode(bytes).into_string())
    }
}

/// How far in the future (relative to the sealing entry's time) an
/// action's `created` may lie: clocks of members and node differ a little.
pub const MAX_CLOCK_SKEW: Millis = Millis::secs(300);
