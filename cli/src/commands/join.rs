//! `hearth join`: become a member with an invite code.

use anyhow::{Result, ensure};
use hearth_protocol::InviteCode;
use serde_json::json;

use super::receipt_json;
use crate::context::Context;

/// Join the node's community with an invite code.
///
/// Uses your key (see --key) to claim the invite a council member gave you.
/// The node must serve the community the invite is for.
///
/// Example:
///   hearth --node http://hearth.example:7700 join hearth-invite:3vQB…
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct JoinArgs {
    /// The invite code (hearth-invite:…) printed by `hearth invite`.
    #[arg(value_parser = parse_invite)]
    invite: InviteCode,
}

/// Parses an invite code for clap.
pub fn parse_invite(text: &str) -> Result<InviteCode, String> {
    InviteCode::parse(text).ok_or_else(|| {
        "not a valid invite code (expected hearth-invite:… as printed by `hearth invite`)".into()
    })
}

/// Runs `hearth join`.
pub fn run(ctx: &Context, args: JoinArgs) -> Result<()> {
    let session = ctx.session()?;
    let community = &session.community;
    ensure!(
        community.id == args.invite.community,
        "the invite is for another community ({}); the node at {} serves {} ({})",
        args.invite.community,
        session.client.base(),
        community.name,
        community.id
    );
    let did = session.signer.public().to_did();
    let receipt = session.submit(args.invite.join_body(&session.signer.public()))?;
    let value = receipt_json(
        &receipt,
        json!({ "community": community.id.to_hex(), "name": community.name, "did": did }),
    );
    ctx.out
        .show(&value, || Ok(format!("Joined {} as {did}", community.name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::Hash;

    #[test]
    fn invite_codes_round_trip_and_garbage_is_refused() {
        let code = InviteCode {
            community: Hash([5; 32]),
            seed: [9; 32],
        };
        assert_eq!(parse_invite(&code.to_string()), Ok(code));
        for bad in [
            "",
            "hearth-invite:",
            "hearth-invite:abc",
            "xyz",
            "hearth-invite:0OIl",
        ] {
            assert!(parse_invite(bad).is_err(), "{bad}");
        }
    }
}
