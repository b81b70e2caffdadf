//! Runs the real `hearth` binary: key management and argument errors with
//! no node, and the node conversation against a scripted fake node.
//! End-to-end tests against a real `hearthd` live in the workspace's tests/.

mod support;

mod audit;
mod completions;
mod credential;
mod federation;
mod governance;
mod keys;
mod node;
mod offline;
mod tally;
