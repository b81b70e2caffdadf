//! `hearth invite`: issue a single-use invite code (council members).

use anyhow::{Result, anyhow};
use hearth_protocol::{ActionBody, InviteCode, Keypair, MembershipAction, Millis};
use serde_json::json;
use zeroize::Zeroizing;

use super::receipt_json;
use crate::context::{Context, now};
use crate::output::datetime;

/// Create a single-use invite code for a new member (council members only).
///
/// Prints the code on stdout; give it to one person, who runs
/// `hearth join <code>`. Anyone holding the code can use it until it expires.
/// Council members in term issue invites (or, once every term has ended, the
/// caretaker council). Where the rules say `admission = "vote"` there are no
/// invites: propose the person's admission with `hearth propose --kind
/// membership --member DID` instead.
///
/// Example: hearth invite --ttl 2d
#[derive(Debug, clap::Args)]
pub struct InviteArgs {
    /// How long the invite stays valid: 30s, 10m, 2h, 7d, or milliseconds.
    #[arg(long, default_value = "7d", value_parser = parse_duration)]
    ttl: Millis,
}

/// Parses a duration: a number with a unit `ms`, `s`, `m`, `h` or `d`, or
/// a plain number of milliseconds. Zero is refused.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let invalid =
        || format!("invalid duration {text:?}: use e.g. 30s, 10m, 2h, 7d or milliseconds");
    let n: u64 = digits.parse().map_err(|_| invalid())?;
    let scale = match unit {
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(invalid()),
    };
    match n.checked_mul(scale) {
        Some(0) => Err("the duration must be longer than zero".into()),
        Some(ms) => Ok(Millis(ms)),
        None => Err(format!("the duration {text:?} is too long")),
    }
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
    let value = receipt_json(&receipt, json!({ "invite": code, "expires": expires.0 }));
    ctx.out.show(&value, || Ok(code.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_units_and_plain_milliseconds() {
        assert_eq!(parse_duration("30s"), Ok(Millis::secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Millis(600_000)));
        assert_eq!(parse_duration("2h"), Ok(Millis::hours(2)));
        assert_eq!(parse_duration("7d"), Ok(Millis::days(7)));
        assert_eq!(parse_duration("1500"), Ok(Millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Millis(250)));
        for bad in ["", "d", "7x", "-1s", "1.5h", "7 d", "h7", "0", "0d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(
            parse_duration("99999999999999999d")
                .unwrap_err()
                .contains("too long")
        );
    }
}
