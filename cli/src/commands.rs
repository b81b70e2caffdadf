//! One module per `hearth` subcommand. Each has an `…Args` struct (its
//! command line, documented for `--help`) and a `run` function.

pub mod aid;
pub mod amend;
pub mod audit;
pub mod balance;
pub mod comment;
pub mod completions;
pub mod council;
pub mod credential;
pub mod dashboard;
pub mod delegate;
pub mod delegations;
pub mod hours;
pub mod income;
pub mod insurance;
pub mod invite;
pub mod join;
pub mod key;
pub mod learn;
pub mod leave;
pub mod log;
pub mod man;
pub mod members;
pub mod name;
pub mod network;
pub mod node;
pub mod nominate;
pub mod pay;
pub mod project;
pub mod proposals;
pub mod propose;
pub mod remove;
pub mod review;
pub mod show;
pub mod skills;
pub mod space;
pub mod stats;
pub mod status;
pub mod tally;
pub mod tool;
pub mod undelegate;
pub mod vote;
pub mod withdraw;

use serde_json::{Value, json};

use crate::api::Submitted;

/// A submitted action's receipt (`id`, `log`, `seq`) with the command's
/// own `fields`, as `--json` prints it.
pub(crate) fn receipt_json(receipt: &Submitted, fields: Value) -> Value {
    let mut value = json!({ "id": receipt.id, "log": receipt.log, "seq": receipt.seq });
    if let (Value::Object(out), Value::Object(extra)) = (&mut value, fields) {
        out.extend(extra);
    }
    value
}

/// Where an action landed, for people: `entry local #7`.
fn receipt_text(receipt: &Submitted) -> String {
    format!("entry {} #{}", receipt.log, receipt.seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_merge_the_commands_fields() {
        let receipt = Submitted {
            id: "ab".into(),
            log: "local".into(),
            seq: 7,
        };
        let value = receipt_json(&receipt, json!({ "amount": 12500 }));
        assert_eq!(
            value,
            json!({ "id": "ab", "log": "local", "seq": 7, "amount": 12500 })
        );
        assert_eq!(receipt_text(&receipt), "entry local #7");
    }
}
