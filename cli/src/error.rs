//! What went wrong, for people and for scripts: every failure of `hearth`
//! has an exit status and a stable code.
//!
//! A node's refusal keeps the node's own code (`insufficient_funds`,
//! `wrong_stage`…) and exits 1, as do an audit that finds a problem and an
//! election `hearth tally stv` cannot count (`no_ballots`).
//! Everything else exits 2 with one of the CLI's own codes, [`Code`]: the
//! places that know what went wrong raise a [`Failure`] carrying one, and
//! [`report`] falls back on the kind of error (a network or file error)
//! for the rest. With `--json`, `main` prints the code and the message as
//! one JSON object on stdout.

use std::fmt;

use serde_json::{Value, json};

use crate::client::Refusal;
use crate::commands::audit::AuditFailed;
use crate::commands::credential::NotValid;
use crate::commands::tally::Uncounted;

/// The CLI's own error codes (a node's refusals carry the node's codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The command line does not parse: an unknown flag, a missing
    /// argument, a value a flag does not take.
    Usage,
    /// An argument parses but cannot be used: an id that is not one, a
    /// member that is neither a did nor a key, flags that do not go together.
    InvalidArgument,
    /// No key by that name, or no key at all, in the key store.
    KeyNotFound,
    /// A key's passphrase is wrong, or needed and not given.
    Passphrase,
    /// The node cannot be reached: refused connection, unknown host, timeout.
    Network,
    /// The TLS connection to an `https://` node failed, most often because
    /// its certificate is not trusted (see `--ca-cert`).
    Tls,
    /// The node failed (HTTP 5xx), answered something that is not its
    /// API, or cannot serve what was asked (an export of no network).
    NodeError,
    /// `config.toml` is not valid.
    Config,
    /// A local file could not be read or written.
    Io,
    /// Anything else; the message says what.
    Error,
}

impl Code {
    /// Every code, in the order `hearth --help` lists them.
    pub const ALL: [Code; 10] = [
        Code::Usage,
        Code::InvalidArgument,
        Code::KeyNotFound,
        Code::Passphrase,
        Code::Network,
        Code::Tls,
        Code::NodeError,
        Code::Config,
        Code::Io,
        Code::Error,
    ];

    /// The code as scripts see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Usage => "usage",
            Code::InvalidArgument => "invalid_argument",
            Code::KeyNotFound => "key_not_found",
            Code::Passphrase => "passphrase",
            Code::Network => "network",
            Code::Tls => "tls",
            Code::NodeError => "node_error",
            Code::Config => "config",
            Code::Io => "io",
            Code::Error => "error",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error the CLI raises with its [`Code`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of error it is.
    pub code: Code,
    /// The sentence for people.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// An `anyhow` error carrying `code`.
pub fn fail(code: Code, message: impl Into<String>) -> anyhow::Error {
    Failure {
        code,
        message: message.into(),
    }
    .into()
}

/// Marks an error as `code`, keeping its message (and the causes it
/// names); used where a whole step can only fail one way, such as
/// checking a command's arguments.
pub fn with_code(code: Code, err: anyhow::Error) -> anyhow::Error {
    if report(&err).code != Code::Error.as_str() {
        return err;
    }
    fail(code, format!("{err:#}"))
}

/// How a failure is reported: the exit status, the code and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// 1 for a refusal or a failed audit, 2 for everything else.
    pub status: u8,
    /// The node's code for a refusal, else the CLI's.
    pub code: String,
    /// The whole message, causes included.
    pub message: String,
}

impl Report {
    /// The `--json` form: `{"error": code, "message": text}`.
    pub fn to_json(&self) -> Value {
        json!({ "error": self.code, "message": self.message })
    }
}

/// The exit status, code and message of `err`: the first error in its
/// chain that says what it is decides.
pub fn report(err: &anyhow::Error) -> Report {
    let message = format!("{err:#}");
    let (status, code) = err
        .chain()
        .find_map(|e| {
            if let Some(refusal) = e.downcast_ref::<Refusal>() {
                return Some((1, refusal.code.clone()));
            }
            if e.is::<AuditFailed>() {
                return Some((1, "audit_failed".to_string()));
            }
            if let Some(not_valid) = e.downcast_ref::<NotValid>() {
                return Some((1, not_valid.code.clone()));
            }
            if let Some(uncounted) = e.downcast_ref::<Uncounted>() {
                return Some((uncounted.status(), uncounted.code.to_string()));
            }
            let code = if let Some(failure) = e.downcast_ref::<Failure>() {
                failure.code
            } else if let Some(http) = e.downcast_ref::<ureq::Error>() {
                transport_code(http)
            } else if e.is::<std::io::Error>() {
                Code::Io
            } else {
                return None;
            };
            Some((2, code.as_str().to_string()))
        })
        .unwrap_or((2, Code::Error.as_str().to_string()));
    Report {
        status,
        code,
        message,
    }
}

/// The code of an HTTP client error: TLS, or the network otherwise.
pub fn transport_code(err: &ureq::Error) -> Code {
    match err {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => Code::Tls,
        // A handshake that fails mid-read (an untrusted certificate)
        // comes as an IO error wrapping rustls's.
        ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => Code::Tls,
        _ => Code::Network,
    }
}

/// The message of a clap usage error: its first paragraph, without the
/// `error: ` label, the tip and the usage line that follow.
pub fn usage_message(rendered: &str) -> String {
    let first = rendered.trim().split("\n\n").next().unwrap_or_default();
    first
        .strip_prefix("error: ")
        .unwrap_or(first)
        .trim()
        .to_string()
}

/// The lines `hearth --help` gives the error codes.
pub fn help() -> String {
    let mut text = String::from(
        "With --json, a failure also prints one JSON object on stdout (the sentence\n\
         still goes to stderr):\n  \
         {\"error\": \"<code>\", \"message\": \"<what went wrong>\"}\n\
         A refusal (exit status 1) carries the node's code, e.g. insufficient_funds\n\
         or wrong_stage. An audit that finds a problem exits 1 with its report\n\
         (\"ok\": false) on stdout, or audit_failed when it could not finish one.\n\
         A credential that does not hold exits 1 with its reason, e.g. bad_signature\n\
         or revoked (hearth credential verify --help). hearth tally on a file\n\
         nobody voted in exits 1 with no_ballots (there is no result).\n\
         Other errors exit 2 with one of:\n",
    );
    for code in Code::ALL {
        text.push_str(&format!("  {:<17} {}\n", code.as_str(), summary(code)));
    }
    text
}

/// One line on what a code means.
fn summary(code: Code) -> &'static str {
    match code {
        Code::Usage => "the command line does not parse",
        Code::InvalidArgument => "an argument cannot be used (see the message)",
        Code::KeyNotFound => "no such key in the key store",
        Code::Passphrase => "a key's passphrase is wrong or missing",
        Code::Network => "the node cannot be reached",
        Code::Tls => "the TLS connection failed (an untrusted certificate: --ca-cert)",
        Code::NodeError => "the node failed, or cannot serve what was asked",
        Code::Config => "config.toml is not valid",
        Code::Io => "a local file cannot be read or written",
        Code::Error => "anything else",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn refusals_and_failed_audits_exit_1_with_their_codes() {
        let refusal = anyhow::Error::new(Refusal {
            status: 409,
            code: "wrong_stage".into(),
            message: "voting has not opened".into(),
        })
        .context("while voting");
        let r = report(&refusal);
        assert_eq!((r.status, r.code.as_str()), (1, "wrong_stage"));
        assert_eq!(
            r.message,
            "while voting: the node refused: voting has not opened (wrong_stage)"
        );
        let audit = anyhow::Error::new(AuditFailed {
            reason: "a tally disagrees".into(),
        });
        assert_eq!(report(&audit).status, 1);
        assert_eq!(report(&audit).code, "audit_failed");
    }

    #[test]
    fn other_errors_exit_2_with_the_first_code_in_their_chain() {
        let key = fail(Code::KeyNotFound, "no key named 'x'").context("cannot sign");
        let r = report(&key);
        assert_eq!((r.status, r.code.as_str()), (2, "key_not_found"));
        assert_eq!(r.message, "cannot sign: no key named 'x'");
        let io = Err::<(), _>(std::io::Error::other("disk on fire"))
            .context("cannot read f")
            .unwrap_err();
        assert_eq!(report(&io).code, "io");
        assert_eq!(report(&anyhow::anyhow!("odd")).code, "error");
        let value = report(&key).to_json();
        assert_eq!(
            value,
            json!({ "error": "key_not_found", "message": "cannot sign: no key named 'x'" })
        );
    }

    #[test]
    fn a_code_given_to_a_step_keeps_inner_codes() {
        let plain = with_code(Code::InvalidArgument, anyhow::anyhow!("bad id"));
        assert_eq!(report(&plain).code, "invalid_argument");
        let inner = with_code(Code::InvalidArgument, fail(Code::KeyNotFound, "no key"));
        assert_eq!(report(&inner).code, "key_not_found");
    }

    #[test]
    fn usage_messages_are_claps_first_paragraph() {
        let rendered = "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' \
                        as a value, use '-- --bogus'\n\nUsage: hearth pay <TO> <AMOUNT>\n";
        assert_eq!(
            usage_message(rendered),
            "unexpected argument '--bogus' found"
        );
    }

    #[test]
    fn the_help_lists_every_code() {
        let text = help();
        for code in Code::ALL {
            assert!(text.contains(code.as_str()), "{code}");
        }
    }
}
