//! `hearth key`: create, list, show, export and import member keys.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::context::{Context, did_of};
use crate::keystore::KeyInfo;
use crate::output::{self, fields, table, yes_no};
use crate::passphrase;

/// Manage your member keys.
///
/// Keys live in <HOME>/keys as JSON files readable only by you, optionally
/// encrypted with a passphrase (taken from HEARTH_PASSPHRASE, or asked for
/// on the terminal).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KeyCommand {
    /// Create a new key and print its did.
    ///
    /// Example:
    ///   hearth key new alice --encrypt
    #[command(verbatim_doc_comment)]
    New {
        /// Name of the key (letters, digits, '_' and '-').
        name: String,
        /// Encrypt the key with a passphrase (HEARTH_PASSPHRASE, or typed twice).
        #[arg(long)]
        encrypt: bool,
    },
    /// List your keys.
    #[command(verbatim_doc_comment)]
    List,
    /// Show a key's name, did, file and whether it is encrypted.
    #[command(verbatim_doc_comment)]
    Show {
        /// The key [default: the key selected by --key / config / the only key].
        name: Option<String>,
    },
    /// Print a key file (JSON) to stdout, to back it up or move it.
    ///
    /// An encrypted key stays encrypted; a plain key's secret is printed.
    #[command(verbatim_doc_comment)]
    Export {
        /// The key [default: the key selected by --key / config / the only key].
        name: Option<String>,
    },
    /// Import a key file written by `hearth key export`.
    ///
    /// Example:
    ///   hearth key import alice.json --name alice-laptop
    #[command(verbatim_doc_comment)]
    Import {
        /// The file to read, or `-` for stdin.
        file: PathBuf,
        /// Store it under this name instead of the name in the file.
        #[arg(long)]
        name: Option<String>,
        /// Overwrite a key of the same name.
        #[arg(long)]
        force: bool,
    },
}

/// Runs `hearth key …`.
pub fn run(ctx: &Context, args: KeyArgs) -> Result<()> {
    let store = ctx.store()?;
    match args.command {
        KeyCommand::New { name, encrypt } => {
            let pass = match encrypt {
                true => Some(passphrase::choose(&name)?),
                false => None,
            };
            let info = store.generate(&name, pass.as_ref().map(|p| p.as_str()))?;
            let human = || Ok(format!("Created key '{}'.\n{}", info.name, describe(&info)));
            ctx.out.show(&key_json(&info), human)
        }
        KeyCommand::List => {
            let keys = store.list()?;
            let value = json!({ "keys": keys.iter().map(key_json).collect::<Vec<_>>() });
            ctx.out.show(&value, || Ok(list_text(&keys, ctx)))
        }
        KeyCommand::Show { name } => {
            let name = name.map_or_else(|| ctx.key_name(), Ok)?;
            let info = store.info(&name)?;
            ctx.out.show(&key_json(&info), || Ok(describe(&info)))
        }
        KeyCommand::Export { name } => {
            let name = name.map_or_else(|| ctx.key_name(), Ok)?;
            let text = Zeroizing::new(store.export(&name)?);
            output::print(&text)
        }
        KeyCommand::Import { file, name, force } => {
            let text = read_input(&file)?;
            let info = store.import(name.as_deref(), &text, force)?;
            let human = || {
                Ok(format!(
                    "Imported key '{}'.\n{}",
                    info.name,
                    describe(&info)
                ))
            };
            ctx.out.show(&key_json(&info), human)
        }
    }
}

/// A key as `--json` prints it.
fn key_json(info: &KeyInfo) -> Value {
    json!({
        "name": info.name,
        "did": did_of(info),
        "file": info.path.display().to_string(),
        "encrypted": info.encrypted,
    })
}

/// A key as `key show` prints it.
fn describe(info: &KeyInfo) -> String {
    fields(&[
        ("name", info.name.clone()),
        ("did", did_of(info)),
        ("file", info.path.display().to_string()),
        ("encrypted", yes_no(info.encrypted).to_owned()),
    ])
}

fn list_text(keys: &[KeyInfo], ctx: &Context) -> String {
    if keys.is_empty() {
        return format!(
            "There are no keys in {}. Create one with `hearth key new <name>`.",
            ctx.home().display()
        );
    }
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|k| vec![k.name.clone(), did_of(k), yes_no(k.encrypted).to_owned()])
        .collect();
    table(&["NAME", "DID", "ENCRYPTED"], &rows)
}

fn read_input(file: &Path) -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    if file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the key from stdin")?;
    } else {
        std::fs::File::open(file)
            .and_then(|mut f| f.read_to_string(&mut text))
            .with_context(|| format!("cannot read {}", file.display()))?;
    }
    Ok(text)
}
