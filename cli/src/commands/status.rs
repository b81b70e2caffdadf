//! `hearth status`: the node, its community and where your key stands.

use anyhow::Result;
use serde_json::json;

use crate::api::{self, Community, HeadInfo, Heads, Members};
use crate::context::{Context, did_of};
use crate::output::{datetime, fields};

/// Show the node's community, its log heads, and whether you are a member.
///
/// Also checks the node's health, and says whether your key (see --key)
/// sits on the council. Works before you have a key.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct StatusArgs {}

/// Where the selected key stands in the community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStanding {
    /// The key's name.
    pub name: String,
    /// Its did.
    pub did: String,
    /// Its roster status (`active`, `left`, `removed`), if it is on the roster.
    pub status: Option<String>,
    /// Whether it sits on the council.
    pub council: bool,
}

/// Runs `hearth status`.
pub fn run(ctx: &Context, _args: StatusArgs) -> Result<()> {
    let client = ctx.client()?;
    let health = client.health()?;
    let community_value = client.get("/v1/community")?;
    let community: Community = api::decode(community_value.clone(), "community")?;
    let heads_value = client.get("/v1/logs/heads")?;
    let heads: Heads = api::decode(heads_value.clone(), "log heads")?;
    // Status is useful before any key exists, so a missing key is reported, not fatal.
    let standing = match ctx.key_info() {
        Ok(info) => {
            let members: Members = api::decode(client.get("/v1/members")?, "member list")?;
            let did = did_of(&info);
            let me = members.members.into_iter().find(|m| m.did == did);
            Ok(KeyStanding {
                name: info.name,
                status: me.as_ref().map(|m| m.status.clone()),
                council: me.is_some_and(|m| m.council),
                did,
            })
        }
        Err(e) => Err(format!("{e:#}")),
    };
    let key_value = match &standing {
        Ok(k) => json!({
            "name": k.name,
            "did": k.did,
            "member": k.status.as_deref() == Some("active"),
            "status": k.status,
            "council": k.council,
        }),
        Err(e) => json!({ "error": e }),
    };
    let value = json!({
        "node": client.base(),
        "health": health,
        "community": community_value,
        "heads": heads_value,
        "key": key_value,
    });
    ctx.out.show(&value, || {
        Ok(fields(&[
            ("node", format!("{} ({health})", client.base())),
            ("community", community.name.clone()),
            ("id", community.id.to_hex()),
            ("node key", community.node.clone()),
            (
                "members",
                format!(
                    "{} active, {} on the council",
                    community.members, community.council
                ),
            ),
            ("public log", head_text(heads.public.as_ref())),
            ("local log", head_text(heads.local.as_ref())),
            ("key", standing_text(&standing)),
        ]))
    })
}

fn head_text(head: Option<&HeadInfo>) -> String {
    match head {
        Some(h) => format!("#{} at {}", h.seq, datetime(h.time)),
        None => "empty".to_owned(),
    }
}

/// The key line of `hearth status`.
pub fn standing_text(standing: &Result<KeyStanding, String>) -> String {
    let k = match standing {
        Ok(k) => k,
        Err(e) => return format!("none ({e})"),
    };
    let role = match (k.status.as_deref(), k.council) {
        (None, _) => "not a member".to_owned(),
        (Some("active"), true) => "a member, on the council".to_owned(),
        (Some("active"), false) => "a member".to_owned(),
        (Some(other), _) => format!("no longer a member ({other})"),
    };
    format!("{} ({}): {role}", k.name, k.did)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(status: Option<&str>, council: bool) -> Result<KeyStanding, String> {
        Ok(KeyStanding {
            name: "alice".into(),
            did: "did:key:z6MkA".into(),
            status: status.map(Into::into),
            council,
        })
    }

    #[test]
    fn the_key_line_says_where_the_key_stands() {
        let line = |s| standing_text(&s);
        assert_eq!(
            line(standing(Some("active"), true)),
            "alice (did:key:z6MkA): a member, on the council"
        );
        assert!(line(standing(Some("active"), false)).ends_with(": a member"));
        assert!(line(standing(None, false)).ends_with(": not a member"));
        assert!(line(standing(Some("left"), false)).ends_with("no longer a member (left)"));
        assert_eq!(line(Err("no key".into())), "none (no key)");
    }
}
