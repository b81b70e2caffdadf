//! `Verified<T>`: a record whose signature has been strictly checked.

use std::ops::Deref;

use crate::crypto::Hash;

/// A record whose signature was verified. Only the record's own `verify`
/// builds one, so the state machine can demand proof in its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified<T> {
    inner: T,
    id: Hash,
}

impl<T> Verified<T> {
    /// Wraps a record after its verification succeeded.
    pub(crate) fn new_unchecked(inner: T, id: Hash) -> Self {
        Verified { inner, id }
    }

    /// The id the signature covers.
    pub fn id(&self) -> Hash {
        self.id
    }

    /// The record itself, giving up the proof.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T> Deref for Verified<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}
