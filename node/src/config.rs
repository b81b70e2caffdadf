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
    /// Whether the node joins the federation's peer-to-peer network.
    pub p2p: Option<bool>,
    /// Multiaddrs the p2p layer listens on.
    pub p2p_listen: Option<Vec<String>>,
    /// Peers dialled at start: `/ip4/…/tcp/…/p2p/<peer id>`.
    pub bootstrap: Option<Vec<String>>,
    /// Whether peers on the local network are found by mDNS.
    pub mdns: Option<bool>,
    /// The database's page cache, in MiB.
    pub cache_mb: Option<u64>,
}

/// Where the p2p layer listens when nothing else is configured.
pub const DEFAULT_P2P_LISTEN: &str = "/ip4/0.0.0.0/tcp/0";

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

# The federation's peer-to-peer network (TCP + noise + yamux). The node
# prints its multiaddrs at start; GET /v1/node lists them.
# p2p = true
# p2p_listen = [\"/ip4/0.0.0.0/tcp/4100\"]
# bootstrap = [\"/ip4/192.0.2.7/tcp/4100/p2p/12D3KooW…\"]
# mdns = true

# The database's page cache, in MiB (more is faster on a large history and
# costs that much more memory).
# cache_mb = 32
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
