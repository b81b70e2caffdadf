//! What every command works with: the global options resolved against
//! `config.toml`, the key store, the signing key, the node client, and the
//! one way an action is signed and submitted.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use hearth_protocol::{Action, ActionBody, Keypair, PublicKey, SignedAction, Timestamp};

use crate::api::{self, Community, Submitted};
use crate::client::{Client, Refusal, Trust};
use crate::config::{self, Config};
use crate::error::{Code, fail};
use crate::keystore::{KeyInfo, KeyStore};
use crate::output::Output;
use crate::passphrase;

/// Options every command accepts, listed under their own heading.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// URL of the Hearth node [default: `node` in config.toml, else http://127.0.0.1:7700]
    ///
    /// Given once, except to `hearth network draft`, which takes the node of
    /// every founding community.
    #[arg(long, global = true, env = "HEARTH_NODE", value_name = "URL")]
    pub node: Vec<String>,
    /// Key to act as [default: `key` in config.toml, else the only key in the store]
    #[arg(long, global = true, env = "HEARTH_KEY", value_name = "NAME")]
    pub key: Option<String>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// Directory holding keys/ and config.toml [default: $XDG_CONFIG_HOME/hearth or ~/.config/hearth]
    #[arg(long, global = true, env = "HEARTH_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Also trust this PEM certificate (or CA) for an https:// node
    ///
    /// For a node whose certificate is self-signed or signed by an
    /// authority of your own; Mozilla's authorities stay trusted.
    #[arg(long, global = true, env = "HEARTH_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

/// A loaded key, ready to sign.
#[derive(Debug)]
pub struct Signer {
    /// The key's name in the store (its nonces are kept under it).
    pub name: String,
    /// The key pair.
    pub keypair: Keypair,
}

impl Signer {
    /// The key's public half.
    pub fn public(&self) -> PublicKey {
        self.keypair.public()
    }
}

/// The resolved global options.
#[derive(Debug)]
pub struct Context {
    home: PathBuf,
    config: Config,
    node: String,
    nodes: Vec<String>,
    key: Option<String>,
    ca_cert: Option<PathBuf>,
    /// How results are printed.
    pub out: Output,
}

impl Context {
    /// Resolves the global options, reading `<home>/config.toml`.
    pub fn new(args: GlobalArgs) -> Result<Context> {
        let home = args.home.unwrap_or_else(KeyStore::default_dir);
        let config = Config::load(&home)?;
        let node = config::resolve_node(
            args.node.first().map(String::as_str),
            config.node.as_deref(),
        );
        let nodes = args
            .node
            .iter()
            .map(|url| url.trim().trim_end_matches('/').to_owned())
            .collect();
        Ok(Context {
            home,
            config,
            node,
            nodes,
            key: args.key,
            ca_cert: args.ca_cert,
            out: Output { json: args.json },
        })
    }

    /// The directory of keys and configuration.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The key store (created on first use).
    pub fn store(&self) -> Result<KeyStore> {
        KeyStore::open(&self.home)
    }

    /// The name of the key to act as (see [`config::resolve_key`]).
    pub fn key_name(&self) -> Result<String> {
        config::resolve_key(
            self.key.as_deref(),
            self.config.key.as_deref(),
            || Ok(self.store()?.list()?.into_iter().map(|k| k.name).collect()),
            &self.home,
        )
    }

    /// Public facts about the key to act as; needs no passphrase.
    pub fn key_info(&self) -> Result<KeyInfo> {
        self.store()?.info(&self.key_name()?)
    }

    /// Loads the key to act as, asking for its passphrase if it is encrypted.
    pub fn signer(&self) -> Result<Signer> {
        let store = self.store()?;
        let name = self.key_name()?;
        let pass = match store.info(&name)?.encrypted {
            true => Some(passphrase::unlock(&name)?),
            false => None,
        };
        let secret = store.load(&name, pass.as_ref().map(|p| p.as_str()))?;
        Ok(Signer {
            name,
            keypair: Keypair::from_seed(secret.seed()),
        })
    }

    /// A client of the configured node.
    pub fn client(&self) -> Result<Client> {
        if self.nodes.len() > 1 {
            return Err(fail(
                Code::InvalidArgument,
                format!(
                    "--node is given {} times: only `hearth network draft` takes several nodes",
                    self.nodes.len()
                ),
            ));
        }
        self.client_for(&self.node)
    }

    /// A client of the node at `url` (another community's node, say),
    /// trusting what `--ca-cert` adds over https.
    pub fn client_for(&self, url: &str) -> Result<Client> {
        let trust = match &self.ca_cert {
            Some(path) => Trust::with_pem_file(path)?,
            None => Trust::default(),
        };
        Client::new(url.trim().trim_end_matches('/'), &trust)
    }

    /// Every node given with `--node` (or `HEARTH_NODE`), in order,
    /// without trailing slashes; empty when none was given.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// The community the node serves.
    pub fn community(&self, client: &Client) -> Result<Community> {
        api::decode(client.get("/v1/community")?, "community")
    }

    /// A member named on the command line: a `did:key:…`, or the name of
    /// a key in the local store.
    pub fn member(&self, text: &str) -> Result<PublicKey> {
        parse_member(text, |name| Ok(self.store()?.info(name)?.public))
    }

    /// Loads the key to act as, then asks the node which community it
    /// serves: everything needed to submit actions.
    pub fn session(&self) -> Result<Session> {
        let signer = self.signer()?;
        let client = self.client()?;
        let community = self.community(&client)?;
        Ok(Session {
            store: self.store()?,
            signer,
            client,
            community,
        })
    }
}

/// A member about to act: their key, the node and its community.
#[derive(Debug)]
pub struct Session {
    store: KeyStore,
    /// The member's key.
    pub signer: Signer,
    /// The node.
    pub client: Client,
    /// The community the node serves.
    pub community: Community,
}

impl Session {
    /// Signs `body` with a fresh nonce and submits it to the node.
    ///
    /// The nonce is the time in milliseconds, above the last one kept
    /// beside the key. The node may hold a later one for the key (another
    /// device signed with it, or this clock was behind, or ahead and set
    /// back): it then refuses the action as `nonce_replayed`, and the
    /// action is signed once more above the node's last nonce.
    pub fn submit(&self, body: ActionBody) -> Result<Submitted> {
        let action = self.sign(body.clone(), 0)?;
        match self.client.submit(&action) {
            Err(refused) if is_replayed(&refused) => {
                let Some(last) = self.last_nonce().ok().flatten() else {
                    return Err(refused);
                };
                let floor = last
                    .checked_add(1)
                    .context("the node's last nonce for this key is the largest there is")?;
                self.client.submit(&self.sign(body, floor)?)
            }
            answer => answer,
        }
    }

    /// Signs `body` with the next nonce of the key, at least `floor`.
    fn sign(&self, body: ActionBody, floor: u64) -> Result<SignedAction> {
        let now = now()?;
        let nonce = self.store.next_nonce(&self.signer.name, now.0.max(floor))?;
        Ok(Action {
            author: self.signer.public(),
            community: self.community.id,
            nonce,
            created: now,
            body,
        }
        .sign(&self.signer.keypair))
    }

    /// The last nonce the node accepted from this key.
    fn last_nonce(&self) -> Result<Option<u64>> {
        let path = format!("/v1/members/{}/nonce", self.signer.public().to_did());
        let answer = self
            .client
            .get_signed(&path, &self.signer.keypair, now()?)?;
        Ok(answer["last_nonce"].as_u64())
    }
}

/// Whether the node refused an action because its nonce was not above
/// the author's last.
fn is_replayed(err: &anyhow::Error) -> bool {
    err.downcast_ref::<Refusal>()
        .is_some_and(|r| r.code == "nonce_replayed")
}

/// The current time in milliseconds since the Unix epoch.
pub fn now() -> Result<Timestamp> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    let ms = u64::try_from(since.as_millis()).context("the system clock is out of range")?;
    Ok(Timestamp(ms))
}

/// The did of a stored key.
pub fn did_of(info: &KeyInfo) -> String {
    PublicKey(info.public).to_did()
}

/// Parses a member argument: text starting with `did:` must be a valid
/// ed25519 did:key; anything else is looked up as a local key name.
pub fn parse_member(
    text: &str,
    lookup: impl FnOnce(&str) -> Result<[u8; 32]>,
) -> Result<PublicKey> {
    let text = text.trim();
    if text.starts_with("did:") {
        return PublicKey::from_did(text).map_err(|e| {
            fail(
                Code::InvalidArgument,
                format!("invalid member {text:?}: {e}"),
            )
        });
    }
    lookup(text).map(PublicKey).map_err(|e| {
        fail(
            Code::InvalidArgument,
            format!("{text:?} is neither a did:key nor the name of a local key: {e:#}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::bail;

    #[test]
    fn members_are_dids_or_local_key_names() {
        let alice = Keypair::from_seed(&[3; 32]).public();
        let lookup = |name: &str| -> Result<[u8; 32]> {
            match name {
                "alice" => Ok(alice.0),
                _ => bail!("no key named '{name}'"),
            }
        };
        assert_eq!(parse_member(&alice.to_did(), lookup).unwrap(), alice);
        assert_eq!(parse_member(" alice ", lookup).unwrap(), alice);
        let unknown = format!("{:#}", parse_member("bob", lookup).unwrap_err());
        assert!(unknown.contains("neither a did:key") && unknown.contains("no key named"));
        let bad = format!("{:#}", parse_member("did:key:zzz", lookup).unwrap_err());
        assert!(bad.contains("invalid member"), "{bad}");
    }
}
