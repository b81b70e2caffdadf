//! `hearth man`: the manual pages, by `clap_mangen`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap_mangen::Man;

use crate::output::print;

/// Print the man page of hearth, or write one page per subcommand to a directory.
///
/// Examples:
///   hearth man | man -l -
///   hearth man --dir ~/.local/share/man/man1   # hearth.1, hearth-pay.1, …
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// Write hearth.1 and a page per subcommand (hearth-key-new.1…) here.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Runs `hearth man`: `cmd` is the whole command line.
pub fn run(args: ManArgs, cmd: clap::Command) -> Result<()> {
    match args.dir {
        None => print(&page(cmd)?),
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("cannot write the man pages to {}", dir.display()))?;
            print(&format!("Wrote the man pages to {}", dir.display()))
        }
    }
}

/// The roff man page of `cmd`.
pub fn page(cmd: clap::Command) -> Result<String> {
    let mut out = Vec::new();
    Man::new(cmd)
        .render(&mut out)
        .context("cannot render the man page")?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
