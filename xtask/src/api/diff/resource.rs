//! What the diffs of one resource share: where their changes go, and whom a change breaks.

use super::{Change, Document, Impact, Kind};

/// Whom a change breaks, as (clients, servers): both.
pub(super) const BOTH: (Impact, Impact) = (Impact::Breaking, Impact::Breaking);
/// Neither.
pub(super) const NEITHER: (Impact, Impact) = (Impact::Compatible, Impact::Compatible);
/// Clients only.
pub(super) const CLIENTS: (Impact, Impact) = (Impact::Breaking, Impact::Compatible);
/// Servers only.
pub(super) const SERVERS: (Impact, Impact) = (Impact::Compatible, Impact::Breaking);

/// Changes of one resource, with what they share.
pub(super) struct ResourceChanges<'a> {
    pub(super) module: &'a str,
    pub(super) out: &'a mut Vec<Change>,
}

impl ResourceChanges<'_> {
    pub(super) fn push(
        &mut self,
        kind: Kind,
        (pointer, document): (&str, Document),
        (client, server): (Impact, Impact),
        rust: String,
        message: String,
    ) {
        self.out.push(Change {
            kind,
            pointer: pointer.to_owned(),
            document,
            client,
            server,
            resource: Some(self.module.to_owned()),
            type_name: None,
            rust,
            message,
        });
    }
}
