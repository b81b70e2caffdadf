//! Node configuration: `hearth.toml` in the data directory, overridden by
//! `HEARTH_*` environment variables and flags (clap handles those two).

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

/// The file name of the configuration inside the data directory.
pub const CONFIG_FILE: &str = "hearth.toml";

/// The API address when nothing else is configured.
pub const DEFAULT_API: &str = "127.0.0.1:7700";

/// The community name a node founds when none is given.
pub const DEFAULT_NAME: &str = "Hearth Community";

/// What `hearth.toml` may say.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address the HTTP API listens on.
    pub api: Option<SocketAddr>,
    /// Name of the community founded on first start.
    pub name: Option<String>,
    /// Whether the node joins the federation's peer-to-peer network:
    /// `false` never, `true` from the start (unset: once the community
    /// belongs to a network, or when listening, peers or mDNS are set).
    pub p2p: Option<bool>,
    /// Multiaddrs the p2p layer listens on.
    pub p2p_listen: Option<Vec<String>>,
    /// Peers dialled at start: `/ip4/…/tcp/…/p2p/<peer id>`.
    pub bootstrap: Option<Vec<String>>,
    /// Whether peers on the local network are found by mDNS (opt-in).
    pub mdns: Option<bool>,
    /// The database's page cache, in MiB.
    pub cache_mb: Option<u64>,
    /// Optional prose for learning paths (`[learning]`).
    pub learning: Option<crate::prose::ProseConfig>,
}

/// Where the p2p layer listens when nothing else is configured.
pub const DEFAULT_P2P_LISTEN: &str = "/ip4/0.0.0.0/tcp/0";

/// When the p2p layer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P2pStart {
    /// Never: the node runs alone (`--no-p2p`, `p2p = false`).
    Off,
    /// At start.
    Now,
    /// Once the community belongs to a network: a node in none neither
    /// listens nor announces itself until then.
    OnceInNetwork,
}

/// What decides when the p2p layer starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct P2pWish {
    /// `--no-p2p`.
    pub no_p2p: bool,
    /// `p2p` in `hearth.toml`.
    pub file_p2p: Option<bool>,
    /// Listen addresses were given (`--p2p-listen`, `p2p_listen`).
    pub listen: bool,
    /// Bootstrap peers were given (`--bootstrap`, `bootstrap`).
    pub bootstrap: bool,
    /// mDNS was asked for (`--mdns`, `mdns = true`).
    pub mdns: bool,
    /// The community belongs to a network already.
    pub in_network: bool,
}

impl P2pWish {
    /// When the p2p layer starts: never if it is turned off; at once if
    /// the community is in a network or anything about p2p was asked for
    /// explicitly; otherwise once the community joins a network.
    pub fn start(&self) -> P2pStart {
        if self.no_p2p || self.file_p2p == Some(false) {
            P2pStart::Off
        } else if self.in_network
            || self.listen
            || self.bootstrap
            || self.mdns
            || self.file_p2p == Some(true)
        {
            P2pStart::Now
        } else {
            P2pStart::OnceInNetwork
        }
    }
}

/// The line `hearthd` prints at start when p2p does not start with it.
pub fn p2p_off_line(start: P2pStart) -> Option<&'static str> {
    match start {
        P2pStart::Now => None,
        P2pStart::Off => Some(
            "p2p is off (--no-p2p or p2p = false): this node does not federate; run without them to turn it on",
        ),
        P2pStart::OnceInNetwork => Some(
            "p2p is off until this community joins a network; to turn it on now, give --p2p-listen /ip4/0.0.0.0/tcp/4100 (or --bootstrap <peer>, --mdns, or p2p_listen in hearth.toml)",
        ),
    }
}

/// The gossipsub topic of Hearth federations (content is checked against
/// each node's network, so one topic serves every network).
pub const TOPIC: &str = "hearth/v1";

/// The text written into a new data directory.
pub const TEMPLATE: &str = "\
# Hearth node configuration. HEARTH_* environment variables and flags
# override what is set here.

# Address of the HTTP API (and dashboard). Keep it on loopback unless a
# reverse proxy with TLS sits in front of it.
# api = \"127.0.0.1:7700\"

# The federation's peer-to-peer network (TCP + noise + yamux). Off until
# the community joins a network, unless one of these is set; the node
# prints its multiaddrs once it listens; GET /v1/node/status lists them.
# p2p = true            # start at once (false: never)
# p2p_listen = [\"/ip4/0.0.0.0/tcp/4100\"]
# bootstrap = [\"/ip4/192.0.2.7/tcp/4100/p2p/12D3KooW…\"]
# mdns = false          # true: find and be found by nodes on the LAN

# The database's page cache, in MiB (more is faster on a large history and
# costs that much more memory).
# cache_mb = 32

# Optional prose for learning paths from an OpenAI-compatible
# chat-completions endpoint (a local model server works). The structured
# path never depends on it: a failing or slow endpoint leaves the prose out
# with a note. Only the path itself is sent.
# [learning]
# llm_endpoint = \"http://127.0.0.1:11434/v1\"   # POSTs {endpoint}/chat/completions
# llm_model = \"llama3.2\"
# llm_key_env = \"HEARTH_LLM_KEY\"   # the variable holding the bearer key, if any
# llm_timeout_ms = 5000
";

impl FileConfig {
    /// Reads `hearth.toml` from `dir`; a missing file is an empty config.
    pub fn load(dir: &Path) -> anyhow::Result<FileConfig> {
        use anyhow::Context as _;
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

/// Picks the flag/env value, else the file's, else the default.
pub fn resolve<T>(flag: Option<T>, file: Option<T>, default: T) -> T {
    flag.or(file).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        assert_eq!(resolve(Some(1), Some(2), 3), 1);
        assert_eq!(resolve(None, Some(2), 3), 2);
        assert_eq!(resolve(None, None, 3), 3);
    }

    #[test]
    fn p2p_starts_with_the_node_only_when_asked_or_in_a_network() {
        let quiet = P2pWish::default();
        assert_eq!(quiet.start(), P2pStart::OnceInNetwork);
        assert!(p2p_off_line(quiet.start()).is_some_and(|l| l.contains("--p2p-listen")));
        for asked in [
            P2pWish {
                listen: true,
                ..quiet
            },
            P2pWish {
                bootstrap: true,
                ..quiet
            },
            P2pWish {
                mdns: true,
                ..quiet
            },
            P2pWish {
                file_p2p: Some(true),
                ..quiet
            },
            P2pWish {
                in_network: true,
                ..quiet
            },
        ] {
            assert_eq!(asked.start(), P2pStart::Now, "{asked:?}");
            assert_eq!(p2p_off_line(asked.start()), None);
        }
        for off in [
            P2pWish {
                no_p2p: true,
                listen: true,
                ..quiet
            },
            P2pWish {
                file_p2p: Some(false),
                in_network: true,
                ..quiet
            },
        ] {
            assert_eq!(off.start(), P2pStart::Off, "{off:?}");
        }
    }

    #[test]
    fn the_file_is_parsed_strictly() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            FileConfig::load(dir.path()).expect("missing is empty"),
            FileConfig::default()
        );
        std::fs::write(dir.path().join(CONFIG_FILE), "api = \"127.0.0.1:9\"\n").expect("write");
        let config = FileConfig::load(dir.path()).expect("valid");
        assert_eq!(config.api, Some("127.0.0.1:9".parse().expect("addr")));
        std::fs::write(dir.path().join(CONFIG_FILE), "apii = 3\n").expect("write");
        assert!(FileConfig::load(dir.path()).is_err());
        std::fs::write(dir.path().join(CONFIG_FILE), TEMPLATE).expect("write");
        assert_eq!(
            FileConfig::load(dir.path()).expect("template"),
            FileConfig::default()
        );
    }
}
