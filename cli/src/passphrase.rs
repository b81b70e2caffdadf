//! Passphrases of encrypted keys: `HEARTH_PASSPHRASE`, else typed on the
//! terminal without echo when stdin is one, else an error (so scripts
//! never hang waiting for input nobody will type).

use std::io::IsTerminal as _;

use anyhow::{Context as _, Result, bail, ensure};
use zeroize::Zeroizing;

use crate::keystore::{PASSPHRASE_ENV, passphrase_from_env};

/// The passphrase that unlocks key `name`.
pub fn unlock(name: &str) -> Result<Zeroizing<String>> {
    if let Some(pass) = passphrase_from_env() {
        return Ok(Zeroizing::new(pass));
    }
    ensure_terminal(&format!("key '{name}' is encrypted"))?;
    prompt(&format!("Passphrase for key '{name}': "))
}

/// A new passphrase for key `name`: from the environment, or typed twice.
pub fn choose(name: &str) -> Result<Zeroizing<String>> {
    if let Some(pass) = passphrase_from_env() {
        return Ok(Zeroizing::new(pass));
    }
    ensure_terminal("--encrypt needs a passphrase")?;
    let first = prompt(&format!("New passphrase for key '{name}': "))?;
    ensure!(!first.is_empty(), "the passphrase must not be empty");
    let second = prompt("Repeat the passphrase: ")?;
    ensure!(*first == *second, "the passphrases do not match");
    Ok(first)
}

fn ensure_terminal(why: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!("{why}; set {PASSPHRASE_ENV} (stdin is not a terminal to ask on)");
    }
    Ok(())
}

fn prompt(text: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .context("cannot read the passphrase from the terminal")
}
