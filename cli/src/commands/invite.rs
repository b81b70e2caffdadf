//! `hearth invite`: issue a single-use invite code (council members).

use anyhow::{Result, anyhow};
use hearth_protocol::{ActionBody, InviteCode, Keypair, MembershipAction, Millis};
use serde_json::json;
use zeroize::Zeroizing;

use super::receipt_json;
use crate::context::{Context, now};
use crate::duration;
use crate::output::{datetime, rfc3339};

/// Create a single-use invite code for a new member (council members only).
///
/// Prints the code on stdout; give it to one person, who runs
/// `hearth join <code>`. Anyone holding the code can use it until it expires.
/// Council members in term issue invites (or, once every term has ended, the
/// caretaker council). Where the rules say `admission = "vote"` there are no
/// invites: propose the person's admission with `hearth propose --kind
/// membership --member DID` instead.
///
/// Example:
///   hearth invite --ttl 2d
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct InviteArgs {
    /// How long the invite stays valid: 30s, 10m, 2h, 7d, 1h30m…
    #[arg(long, default_value = "7d", value_parser = duration::parse)]
    ttl: Millis,
}

/// Runs `hearth invite`.
pub fn run(ctx: &Context, args: InviteArgs) -> Result<()> {
    let session = ctx.session()?;
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut())
        .map_err(|e| anyhow!("cannot obtain randomness for the invite key: {e}"))?;
    let expires = now()?.plus(args.ttl);
    let key = Keypair::from_seed(&seed).public();
    let receipt = session.submit(ActionBody::Membership(MembershipAction::IssueInvite {
        key,
        expires,
    }))?;
    let code = InviteCode {
        community: session.community.id,
        seed: *seed,
    }
    .to_string();
    if !ctx.out.json {
        // The code alone goes to stdout so `code=$(hearth invite)` works.
        eprintln!(
            "Invite valid until {} for one person: hearth join <code>",
            datetime(expires.0)
        );
    }
    let value = receipt_json(
        &receipt,
        json!({ "invite": code, "expires": expires.0, "expires_at": rfc3339(expires.0) }),
    );
    ctx.out.show(&value, || Ok(code.clone()))
}
