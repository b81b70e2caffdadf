//! `hearth pay`: transfer KC to another member.

use anyhow::Result;
use hearth_protocol::{ActionBody, Kc, LedgerAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;

/// Pay a member in KC, the community currency.
///
/// Example:
///   hearth pay did:key:z6Mk… 12.5 --memo "thanks for the ladder"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct PayArgs {
    /// The recipient: a did:key:…, or the name of one of your keys.
    member: String,
    /// The amount in KC: a positive number with at most 3 decimals (12, 12.5, 0.001).
    #[arg(value_parser = parse_amount)]
    amount: Kc,
    /// A note for the recipient.
    #[arg(long)]
    memo: Option<String>,
}

/// Parses a positive KC amount with at most three decimals.
pub fn parse_amount(text: &str) -> Result<Kc, String> {
    match Kc::parse(text) {
        Some(amount) if amount.0 > 0 => Ok(amount),
        Some(_) => Err("the amount must be more than zero".into()),
        None => Err(format!(
            "invalid amount {text:?}: use KC with at most 3 decimals, e.g. 12 or 12.5"
        )),
    }
}

/// Runs `hearth pay`.
pub fn run(ctx: &Context, args: PayArgs) -> Result<()> {
    let to = ctx.member(&args.member)?;
    let session = ctx.session()?;
    let memo = args.memo.unwrap_or_default();
    let receipt = session.submit(ActionBody::Ledger(LedgerAction::Transfer {
        to,
        amount: args.amount,
        memo: memo.clone(),
    }))?;
    let did = to.to_did();
    let value = receipt_json(
        &receipt,
        json!({ "to": did, "amount": args.amount.0, "memo": memo }),
    );
    ctx.out.show(&value, || {
        Ok(format!(
            "Paid {} to {did} ({})",
            args.amount,
            receipt_text(&receipt)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_positive_kc_with_three_decimals() {
        assert_eq!(parse_amount("12.5"), Ok(Kc(12_500)));
        assert_eq!(parse_amount("0.001"), Ok(Kc(1)));
        assert_eq!(parse_amount("7"), Ok(Kc::whole(7)));
        assert!(parse_amount("0").unwrap_err().contains("more than zero"));
        assert!(parse_amount("-1").unwrap_err().contains("more than zero"));
        for bad in ["1.2345", "abc", "", "1e3", "12 KC"] {
            assert!(
                parse_amount(bad).unwrap_err().contains("invalid amount"),
                "{bad}"
            );
        }
    }
}
