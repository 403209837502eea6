//! Changes → text: the readable report (grouped by resource and by type), the one-line summary
//! `cargo xtask codegen` prints, and the JSON array `--json` prints.

use super::diff::{counts, Change, Impact};

/// `[breaks clients and servers]`, `[breaks clients]`, `[breaks servers]` or `[compatible]`.
pub fn impact_tag(change: &Change) -> &'static str {
    match (change.client, change.server) {
        (Impact::Breaking, Impact::Breaking) => "[breaks clients and servers]",
        (Impact::Breaking, Impact::Compatible) => "[breaks clients]",
        (Impact::Compatible, Impact::Breaking) => "[breaks servers]",
        (Impact::Compatible, Impact::Compatible) => "[compatible]",
    }
}

/// Every change, grouped: each resource (operations, parameters, bodies, responses), then each
/// type (fields, values, variants), in name order; then the counts.
pub fn text(changes: &[Change]) -> String {
    let mut out = String::new();
    let mut group = String::new();
    for change in changes {
        let heading = match (&change.resource, &change.type_name) {
            (Some(module), _) => format!("resource {module}"),
            (None, Some(name)) => format!("type {name}"),
            (None, None) => "other".to_owned(),
        };
        if heading != group {
            out.push_str(&format!("\n{heading}\n"));
            group = heading;
        }
        out.push_str(&format!(
            "  {} {}  {}\n",
            change.kind.sign(),
            change.message,
            impact_tag(change)
        ));
    }
    out.push('\n');
    out.push_str(&totals(changes));
    out.push('\n');
    for (kind, n) in counts(changes) {
        let breaking = changes
            .iter()
            .filter(|c| c.kind == kind && c.is_breaking())
            .count();
        out.push_str(&format!("  {}", kind.phrase(n)));
        if breaking > 0 {
            out.push_str(&format!(" ({breaking} breaking)"));
        }
        out.push('\n');
    }
    out
}

/// `412 changes: 240 break clients, 198 break servers`.
pub fn totals(changes: &[Change]) -> String {
    let clients = changes.iter().filter(|c| c.client.is_breaking()).count();
    let servers = changes.iter().filter(|c| c.server.is_breaking()).count();
    format!(
        "{} change{}: {clients} break{} clients, {servers} break{} servers",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        if clients == 1 { "s" } else { "" },
        if servers == 1 { "s" } else { "" },
    )
}

/// The one line `cargo xtask codegen` prints after a run that changed the API:
/// `api: 2 operations added, 3 fields added, 1 field removed; 1 breaks clients, 1 breaks servers`.
pub fn summary_line(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "api: unchanged (only the generated code changed)".to_owned();
    }
    let parts: Vec<String> = counts(changes)
        .into_iter()
        .map(|(kind, n)| kind.phrase(n))
        .collect();
    let clients = changes.iter().filter(|c| c.client.is_breaking()).count();
    let servers = changes.iter().filter(|c| c.server.is_breaking()).count();
    let breaking = match (clients, servers) {
        (0, 0) => "all compatible".to_owned(),
        (c, 0) => format!("{c} breaking for clients"),
        (0, s) => format!("{s} breaking for servers"),
        (c, s) => format!("{c} breaking for clients, {s} for servers"),
    };
    format!("api: {}; {breaking}", parts.join(", "))
}

/// The changes as the JSON array `--json` prints, with a final newline.
pub fn json(changes: &[Change]) -> String {
    let mut text = serde_json::to_string_pretty(changes).unwrap_or_default();
    text.push('\n');
    text
}
