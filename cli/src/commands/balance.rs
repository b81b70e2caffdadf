//! `hearth balance`: a member's balance and credit limit.

use anyhow::Result;
use hearth_protocol::Kc;

use crate::api::{self, AccountInfo};
use crate::context::{Context, now};
use crate::output::fields;

/// Show a member's balance and credit limit (yours by default).
///
/// Balances are local to the community, so the request is signed with
/// your key and only members may read them.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct BalanceArgs {
    /// The member: a did:key:…, or the name of one of your keys [default: you].
    member: Option<String>,
}

/// Runs `hearth balance`.
pub fn run(ctx: &Context, args: BalanceArgs) -> Result<()> {
    let member = args.member.as_deref().map(|m| ctx.member(m)).transpose()?;
    let signer = ctx.signer()?;
    let did = member.unwrap_or_else(|| signer.public()).to_did();
    let path = format!("/v1/accounts/{did}");
    let value = ctx.client()?.get_signed(&path, &signer.keypair, now()?)?;
    ctx.out.show(&value, || {
        let account: AccountInfo = api::decode(value.clone(), "account")?;
        Ok(account_text(&account))
    })
}

/// An account for people.
pub fn account_text(account: &AccountInfo) -> String {
    fields(&[
        ("account", account.account.clone()),
        ("balance", Kc(account.balance).to_string()),
        ("credit limit", Kc(account.credit_limit).to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances_print_in_kc() {
        let account = AccountInfo {
            account: "did:key:z6MkA".into(),
            balance: -12_500,
            credit_limit: 1_000_000,
        };
        assert_eq!(
            account_text(&account),
            "account       did:key:z6MkA\nbalance       -12.5 KC\ncredit limit  1000 KC\n"
        );
    }
}
