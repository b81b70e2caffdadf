//! `hearth completions`: the shell completion script, by `clap_complete`.

use anyhow::Result;
use clap_complete::Shell;

use crate::output::print;

/// Print the shell completion script for bash, zsh, fish, elvish or PowerShell.
///
/// Load it for this shell, or install it where your shell looks for
/// completions:
///   source <(hearth completions bash)
///   hearth completions bash > ~/.local/share/bash-completion/completions/hearth
///   hearth completions zsh > ~/.zfunc/_hearth      # with fpath+=~/.zfunc
///   hearth completions fish > ~/.config/fish/completions/hearth.fish
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Runs `hearth completions`: `cmd` is the whole command line.
pub fn run(args: CompletionsArgs, mut cmd: clap::Command) -> Result<()> {
    print(&script(args.shell, &mut cmd))
}

/// The completion script of `cmd` for `shell`.
pub fn script(shell: Shell, cmd: &mut clap::Command) -> String {
    let mut out = Vec::new();
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, cmd, name, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
