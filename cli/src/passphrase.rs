//! Passphrases of encrypted keys: `HEARTH_PASSPHRASE`, else typed on the
//! terminal without echo when stdin is one, else an error (so scripts
//! never hang waiting for input nobody will type).

use std::io::IsTerminal as _;

use anyhow::{Context as _, Result};
use zeroize::Zeroizing;

use crate::error::{Code, fail};
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
    if first.is_empty() {
        return Err(fail(Code::Passphrase, "the passphrase must not be empty"));
    }
    let second = prompt("Repeat the passphrase: ")?;
    if *first != *second {
        return Err(fail(Code::Passphrase, "the passphrases do not match"));
    }
    Ok(first)
}

fn ensure_terminal(why: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(fail(
            Code::Passphrase,
            format!("{why}; set {PASSPHRASE_ENV} (stdin is not a terminal to ask on)"),
        ));
    }
    Ok(())
}

fn prompt(text: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .context("cannot read the passphrase from the terminal")
}
