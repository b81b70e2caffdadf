//! The CLI's configuration: `<HEARTH_HOME>/config.toml` and the precedence
//! between flags, environment variables, that file and the defaults.
//!
//! Flags and environment variables are merged by clap before they reach
//! this module, so each resolver takes "what the command line said" and
//! "what the file said" and is a pure function of them.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Deserialize;

use crate::error::{Code, fail};

/// The node the CLI talks to when nothing else is configured.
pub const DEFAULT_NODE: &str = "http://127.0.0.1:7700";

/// Name of the configuration file inside the CLI's home directory.
pub const CONFIG_FILE: &str = "config.toml";

/// What `config.toml` may say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The node URL (`node = "http://…"`).
    pub node: Option<String>,
    /// The key to act as (`key = "alice"`).
    pub key: Option<String>,
}

impl Config {
    /// The path of the configuration file in `home`.
    pub fn path(home: &Path) -> PathBuf {
        home.join(CONFIG_FILE)
    }

    /// Reads `<home>/config.toml`; a missing file is an empty configuration.
    pub fn load(home: &Path) -> Result<Config> {
        let path = Config::path(home);
        match fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text)
                .map_err(|e| fail(Code::Config, format!("in {}: {e:#}", path.display()))),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Parses the text of a configuration file.
    pub fn parse(text: &str) -> Result<Config> {
        toml::from_str(text).context("invalid configuration")
    }
}

/// The node URL: the command line (`--node` or `HEARTH_NODE`), else the
/// file, else [`DEFAULT_NODE`]; without a trailing slash.
pub fn resolve_node(cli: Option<&str>, file: Option<&str>) -> String {
    let url = cli
        .or(file)
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(DEFAULT_NODE);
    url.trim_end_matches('/').to_owned()
}

/// The key to act as: the command line (`--key` or `HEARTH_KEY`), else the
/// file, else the only key in the store. `available` lists the store's
/// keys and is only called when neither names one; `home` is for messages.
pub fn resolve_key(
    cli: Option<&str>,
    file: Option<&str>,
    available: impl FnOnce() -> Result<Vec<String>>,
    home: &Path,
) -> Result<String> {
    if let Some(name) = cli.or(file).map(str::trim).filter(|n| !n.is_empty()) {
        return Ok(name.to_owned());
    }
    let keys = available()?;
    match keys.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(fail(
            Code::KeyNotFound,
            format!(
                "there is no key in {}; create one with `hearth key new <name>`",
                home.display()
            ),
        )),
        several => Err(fail(
            Code::InvalidArgument,
            format!(
                "there are several keys ({}); choose one with --key NAME, HEARTH_KEY, \
                 or `key = \"NAME\"` in {}",
                several.join(", "),
                Config::path(home).display()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> impl FnOnce() -> Result<Vec<String>> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        move || Ok(names)
    }

    #[test]
    fn node_precedence_is_cli_then_file_then_default() {
        assert_eq!(
            resolve_node(Some("http://a:1/"), Some("http://b:2")),
            "http://a:1"
        );
        assert_eq!(resolve_node(None, Some("http://b:2")), "http://b:2");
        assert_eq!(resolve_node(None, None), DEFAULT_NODE);
        assert_eq!(resolve_node(Some("  "), Some("http://b:2")), DEFAULT_NODE);
    }

    #[test]
    fn key_precedence_is_cli_then_file_then_the_only_key() {
        let home = Path::new("/h");
        let never = || -> Result<Vec<String>> { panic!("the store need not be listed") };
        assert_eq!(resolve_key(Some("a"), Some("b"), never, home).unwrap(), "a");
        assert_eq!(resolve_key(None, Some("b"), never, home).unwrap(), "b");
        assert_eq!(
            resolve_key(None, None, keys(&["solo"]), home).unwrap(),
            "solo"
        );
        let none = resolve_key(None, None, keys(&[]), home).unwrap_err();
        assert!(none.to_string().contains("hearth key new"), "{none}");
        let many = resolve_key(None, None, keys(&["alice", "bob"]), home).unwrap_err();
        let text = many.to_string();
        assert!(
            text.contains("alice, bob") && text.contains("--key"),
            "{text}"
        );
        assert!(text.contains("/h/config.toml"), "{text}");
    }

    #[test]
    fn config_file_parses_and_refuses_unknown_settings() {
        let c = Config::parse("node = \"http://x:1\"\nkey = \"alice\"\n").unwrap();
        assert_eq!(c.node.as_deref(), Some("http://x:1"));
        assert_eq!(c.key.as_deref(), Some("alice"));
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert!(Config::parse("nodes = \"x\"").is_err());
        assert!(Config::parse("node = 3").is_err());
    }

    #[test]
    fn a_missing_config_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(dir.path()).unwrap(), Config::default());
        fs::write(Config::path(dir.path()), "key = 'k'").unwrap();
        assert_eq!(Config::load(dir.path()).unwrap().key.as_deref(), Some("k"));
        fs::write(Config::path(dir.path()), "key = ").unwrap();
        let err = format!("{:#}", Config::load(dir.path()).unwrap_err());
        assert!(err.contains("config.toml"), "{err}");
    }
}
