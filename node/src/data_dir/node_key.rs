//! The node key file (`node.key`): the 32-byte seed in hex (as every node
//! writes it unless told otherwise), or a key file of
//! [`hearth_protocol::keyfile`] named `node`, sealed with a passphrase
//! exactly as the `hearth` CLI seals members' keys.
//!
//! The passphrase comes from a file (`--key-passphrase-file`) or from
//! [`NODE_KEY_PASSPHRASE_ENV`].

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use hearth_protocol::Keypair;
use hearth_protocol::crypto::{Hash, hex};
use hearth_protocol::keyfile::{self, KdfCosts, KeyFile, NONCE_LEN, SALT_LEN};
use zeroize::Zeroizing;

use super::{fill_random, write_secret};

/// The environment variable that may hold the node key's passphrase.
pub const NODE_KEY_PASSPHRASE_ENV: &str = "HEARTH_NODE_KEY_PASSPHRASE";

/// The name a sealed node key carries in its key file.
const NAME: &str = "node";

/// A passphrase, wiped from memory when dropped.
pub type Passphrase = Zeroizing<String>;

/// The node key could not be opened: the node cannot sign, so it cannot run.
#[derive(Debug, thiserror::Error)]
pub enum KeyLocked {
    /// The key is sealed and no passphrase was given.
    #[error(
        "{} is encrypted: give its passphrase with --key-passphrase-file or {NODE_KEY_PASSPHRASE_ENV}",
        .0.display()
    )]
    PassphraseNeeded(PathBuf),
    /// The passphrase does not open the key.
    #[error("wrong passphrase for {} (or the file was altered)", .0.display())]
    WrongPassphrase(PathBuf),
}

/// The node key's passphrase: the content of `file` (without its final
/// line break) if given, else [`NODE_KEY_PASSPHRASE_ENV`] if set and not
/// empty, else none. Both at once is an error, and so is an empty file.
pub fn read_passphrase(file: Option<&Path>) -> anyhow::Result<Option<Passphrase>> {
    let env = std::env::var(NODE_KEY_PASSPHRASE_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(Zeroizing::new);
    let Some(file) = file else {
        return Ok(env);
    };
    if env.is_some() {
        bail!(
            "the node key's passphrase is given twice (--key-passphrase-file and \
             {NODE_KEY_PASSPHRASE_ENV}): give one"
        );
    }
    let mut text = Zeroizing::new(
        fs::read_to_string(file)
            .with_context(|| format!("cannot read the passphrase file {}", file.display()))?,
    );
    let end = text.trim_end_matches(['\n', '\r']).len();
    text.truncate(end);
    if text.is_empty() {
        bail!("the passphrase file {} is empty", file.display());
    }
    Ok(Some(text))
}

/// Writes the node key: in the clear (hex), or sealed with `passphrase`.
pub(super) fn write(path: &Path, node: &Keypair, passphrase: Option<&str>) -> anyhow::Result<()> {
    let seed = Zeroizing::new(node.seed());
    let text = match passphrase {
        None => Zeroizing::new(hex(seed.as_ref())),
        Some(passphrase) => {
            let mut salt = [0u8; SALT_LEN];
            let mut nonce = [0u8; NONCE_LEN];
            fill_random(&mut salt)?;
            fill_random(&mut nonce)?;
            let file = KeyFile::sealed(NAME, &seed, passphrase, salt, nonce, KdfCosts::DEFAULT)
                .context("cannot encrypt the node key")?;
            Zeroizing::new(serde_json::to_string_pretty(&file)?)
        }
    };
    write_secret(path, &text)
}

/// Reads the node key, opening it with `passphrase` if it is sealed.
pub(super) fn read(path: &Path, passphrase: Option<&str>) -> anyhow::Result<Keypair> {
    let text = read_text(path)?;
    let seed = match parse(path, &text)? {
        Parsed::Hex(seed) => seed,
        Parsed::File(file) => match file.seed(passphrase) {
            Ok(seed) => seed,
            Err(keyfile::Error::PassphraseNeeded) => {
                return Err(KeyLocked::PassphraseNeeded(path.to_path_buf()).into());
            }
            Err(keyfile::Error::WrongPassphrase) => {
                return Err(KeyLocked::WrongPassphrase(path.to_path_buf()).into());
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("{} is not a valid key file", path.display()));
            }
        },
    };
    Ok(Keypair::from_seed(&seed))
}

/// Whether the node key is sealed.
pub(super) fn is_sealed(path: &Path) -> anyhow::Result<bool> {
    Ok(match parse(path, &read_text(path)?)? {
        Parsed::Hex(_) => false,
        Parsed::File(file) => file.is_encrypted(),
    })
}

enum Parsed {
    Hex(Zeroizing<[u8; 32]>),
    File(KeyFile),
}

fn read_text(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) if e.kind() == ErrorKind::NotFound => bail!("{} is missing", path.display()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn parse(path: &Path, text: &str) -> anyhow::Result<Parsed> {
    let text = text.trim();
    if text.starts_with('{') {
        let file: KeyFile = serde_json::from_str(text)
            .with_context(|| format!("{} is not a valid key file", path.display()))?;
        file.validate()
            .with_context(|| format!("{} is not a valid key file", path.display()))?;
        return Ok(Parsed::File(file));
    }
    let seed: Hash = text.parse().with_context(|| {
        format!(
            "{} holds neither a 32-byte hex seed nor a key file",
            path.display()
        )
    })?;
    Ok(Parsed::Hex(Zeroizing::new(seed.0)))
}
