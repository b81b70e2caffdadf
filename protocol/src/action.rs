//! Member actions: what a member signs, and the checks that need no state.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::codec::{Canonical, MAX_ACTION_BYTES};
use crate::crypto::{self, Hash, Keypair, PublicKey, Signature};
use crate::governance::{Ballot, Level, Project, Proposal, ProposalRef, Scope};
use crate::log::LogKind;
use crate::units::{Kc, Millis, Timestamp};
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

/// Everything a member can do. Each variant says who may author it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionBody {
    /// A council member creates a single-use invite, valid until `expires`.
    /// `key` is the public half of a key pair the invitee receives.
    IssueInvite {
        /// The invite's public key.
        key: PublicKey,
        /// Last instant the invite may be claimed.
        expires: Timestamp,
    },
    /// A non-member joins with an invite. `proof` is the invite key's
    /// signature over [`invite_claim`] of (community, author), so a claim
    /// cannot be redirected to another key.
    Join {
        /// The invite's public key.
        invite: PublicKey,
        /// The invite key's signature binding the invite to the author.
        proof: Signature,
    },
    /// A member leaves the community. Their balance stays in the ledger.
    Leave,
    /// A council member removes a member.
    RemoveMember {
        /// The member removed.
        member: PublicKey,
        /// Why (recorded publicly).
        reason: String,
    },
    /// A member proposes; the proposal id is this action's id.
    Propose(Box<Proposal>),
    /// The author amends the text during discussion or deliberation.
    Amend {
        /// The proposal.
        proposal: ProposalRef,
        /// The new text.
        text: String,
    },
    /// The author withdraws the proposal before voting.
    Withdraw {
        /// The proposal.
        proposal: ProposalRef,
    },
    /// A reviewer approves (or not) a technical proposal, or a budget's projects.
    Review {
        /// The proposal.
        proposal: ProposalRef,
        /// Whether the reviewer approves.
        approve: bool,
        /// The review.
        comment: String,
    },
    /// A member adds a project to a budget during submission.
    SubmitProject {
        /// The budget proposal.
        proposal: ProposalRef,
        /// The project.
        project: Project,
    },
    /// A member nominates a member for an election during nominations.
    Nominate {
        /// The election.
        proposal: ProposalRef,
        /// The candidate.
        candidate: PublicKey,
    },
    /// A member votes; a later ballot replaces an earlier one.
    Vote {
        /// The proposal.
        proposal: ProposalRef,
        /// The ballot.
        ballot: Ballot,
    },
    /// A member delegates their vote in a scope; `to: None` revokes.
    Delegate {
        /// Where the delegation applies.
        scope: Scope,
        /// The delegate.
        to: Option<PublicKey>,
    },
    /// A member pays another member.
    Transfer {
        /// The recipient.
        to: PublicKey,
        /// How much, positive.
        amount: Kc,
        /// A note for the recipient.
        memo: String,
    },
}

impl ActionBody {
    /// The log an action of this kind is recorded in: membership is
    /// public (the federation needs rosters), the economy is local.
    pub fn log_kind(&self) -> LogKind {
        match self {
            ActionBody::IssueInvite { .. }
            | ActionBody::Join { .. }
            | ActionBody::Leave
            | ActionBody::RemoveMember { .. } => LogKind::Public,
            ActionBody::Transfer { .. } => LogKind::Local,
            ActionBody::Propose(p) => level_log(p.level),
            ActionBody::Amend { proposal, .. }
            | ActionBody::Withdraw { proposal }
            | ActionBody::Review { proposal, .. }
            | ActionBody::SubmitProject { proposal, .. }
            | ActionBody::Nominate { proposal, .. }
            | ActionBody::Vote { proposal, .. } => level_log(proposal.level),
            ActionBody::Delegate { scope, .. } => level_log(scope.level),
        }
    }

    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ActionBody::IssueInvite { .. } => "issue_invite",
            ActionBody::Join { .. } => "join",
            ActionBody::Leave => "leave",
            ActionBody::RemoveMember { .. } => "remove_member",
            ActionBody::Transfer { .. } => "transfer",
            ActionBody::Propose(_) => "propose",
            ActionBody::Amend { .. } => "amend",
            ActionBody::Withdraw { .. } => "withdraw",
            ActionBody::Review { .. } => "review",
            ActionBody::SubmitProject { .. } => "submit_project",
            ActionBody::Nominate { .. } => "nominate",
            ActionBody::Vote { .. } => "vote",
            ActionBody::Delegate { .. } => "delegate",
        }
    }
}

fn level_log(level: Level) -> LogKind {
    level.log()
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
        ActionBody::Join {
            invite: pair.public(),
            proof: pair.sign(&invite_claim(&self.community, member)),
        }
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
