//! The probes of a consumer crate and what api-diff expects of each.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use xtask::api::diff::{Change, Kind};

/// Changes whose breakage the compiler cannot see: their consequence is at run time.
pub const RUN_TIME_KINDS: &[Kind] = &[
    Kind::FieldConstraintChanged,
    Kind::ParameterConstraintChanged,
    Kind::TypeConstraintChanged,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Probe {
    pub side: Side,
    /// api-diff's kind (`field-removed`), or `unchanged`.
    pub kind: String,
    /// api-diff's Rust item (`Widget::legacy`).
    pub item: String,
}

/// A consumer line with probes.
#[derive(Debug)]
pub struct ProbeLine {
    /// Relative to the consumer's root: `src/client.rs`.
    pub file: String,
    pub line: usize,
    pub text: String,
    pub probes: Vec<Probe>,
    /// What the line becomes once it failed (`// fix: CODE`; empty: the line goes).
    pub fix: Option<String>,
    /// A known disagreement (`// disagrees: WHY`, last): the compiler does the opposite of what
    /// api-diff's classification says, for the reason given.
    pub disagrees: Option<String>,
}

/// api-diff's JSON name of a kind: `field-removed`.
pub fn kind_name(kind: Kind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// Every probe line of the consumer's sources; a malformed probe is a failure.
pub fn parse_probes(consumer: &Path, failures: &mut Vec<String>) -> Vec<ProbeLine> {
    sources(consumer)
        .iter()
        .flat_map(|(file, text)| parse_source(file, text, failures))
        .collect()
}

/// The probe lines of one source file.
fn parse_source(file: &str, text: &str, failures: &mut Vec<String>) -> Vec<ProbeLine> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("// probe:") else {
            continue;
        };
        // Documentation that shows the grammar is no probe.
        if line.trim_start().starts_with("//") {
            continue;
        }
        let comment = &line[at + "// probe:".len()..];
        let (comment, disagrees) = match comment.split_once("// disagrees:") {
            Some((rest, why)) => (rest, Some(why.trim().to_owned())),
            None => (comment, None),
        };
        let (comment, fix) = match comment.split_once("// fix:") {
            Some((probes, fix)) => (probes, Some(fix.trim().to_owned())),
            None => (comment, None),
        };
        let mut probes = Vec::new();
        for part in comment.split(';') {
            let words: Vec<&str> = part.split_whitespace().collect();
            let side = match words.first() {
                Some(&"client") => Some(Side::Client),
                Some(&"server") => Some(Side::Server),
                _ => None,
            };
            match (side, &words[..]) {
                (Some(side), [_, kind, item]) => probes.push(Probe {
                    side,
                    kind: (*kind).to_owned(),
                    item: (*item).to_owned(),
                }),
                _ => failures.push(format!(
                    "{file}:{}: malformed probe `{}` (want `client|server KIND ITEM`)",
                    i + 1,
                    part.trim()
                )),
            }
        }
        out.push(ProbeLine {
            file: file.to_owned(),
            line: i + 1,
            text: line[..at].trim().to_owned(),
            probes,
            fix,
            disagrees,
        });
    }
    out
}

/// The consumer's `.rs` files under `src/`, by path relative to its root.
pub fn sources(consumer: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read consumer dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under root");
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).expect("read source"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&consumer.join("src"), consumer, &mut out);
    out
}

/// What a probe expects against the new crates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Breaks,
    Compiles,
}

/// The probe's expectation from api-diff's live classification, with the changes it matched;
/// `Err` when api-diff does not report what the probe names.
pub fn expectation<'c>(
    probe: &Probe,
    changes: &'c [Change],
) -> Result<(Expect, Vec<&'c Change>), String> {
    if probe.kind == "unchanged" {
        let named: Vec<&Change> = changes.iter().filter(|c| c.rust == probe.item).collect();
        return if named.is_empty() {
            Ok((Expect::Compiles, named))
        } else {
            Err(format!(
                "probe says `{}` is unchanged, api-diff reports: {}",
                probe.item,
                named
                    .iter()
                    .map(|c| format!("{} ({})", kind_name(c.kind), c.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        };
    }
    let matched: Vec<&Change> = changes
        .iter()
        .filter(|c| kind_name(c.kind) == probe.kind && c.rust == probe.item)
        .collect();
    if matched.is_empty() {
        let same_item: Vec<String> = changes
            .iter()
            .filter(|c| c.rust == probe.item)
            .map(|c| kind_name(c.kind))
            .collect();
        return Err(format!(
            "api-diff reports no `{}` change of `{}` (it reports {})",
            probe.kind,
            probe.item,
            if same_item.is_empty() {
                "nothing of it".to_owned()
            } else {
                same_item.join(", ")
            }
        ));
    }
    let breaks = matched.iter().any(|c| {
        let impact = match probe.side {
            Side::Client => c.client,
            Side::Server => c.server,
        };
        impact.is_breaking() && !RUN_TIME_KINDS.contains(&c.kind)
    });
    Ok((
        if breaks {
            Expect::Breaks
        } else {
            Expect::Compiles
        },
        matched,
    ))
}

/// The identifiers a change's message names in backquotes, path qualifiers and the most
/// generic words left out: what a compiler error about the change should mention.
pub fn named_identifiers(change: &Change) -> BTreeSet<String> {
    const GENERIC: &[&str] = &[
        "Option", "Some", "None", "Vec", "Default", "default", "match", "self", "Self", "impl",
        "dyn", "mut", "ref", "_",
    ];
    let mut out = BTreeSet::new();
    let mut quoted: Vec<&str> = change.message.split('`').skip(1).step_by(2).collect();
    quoted.push(&change.rust);
    for text in quoted {
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '_') {
            let tail = &rest[start..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            let word = &tail[..end];
            let qualifier = tail[end..].starts_with("::");
            if !qualifier && !GENERIC.contains(&word) {
                out.insert(word.to_owned());
            }
            rest = &tail[end..];
        }
    }
    out
}

/// Whether `text` holds `word` as a whole identifier.
pub fn names_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        !text[..at].chars().next_back().is_some_and(ident)
            && !text[at + word.len()..].chars().next().is_some_and(ident)
    })
}

/// What api-diff says of a probe line.
pub struct LineExpectation {
    /// What the line's changes say: `Breaks` when one is breaking for its probe's side (and
    /// not at run time only).
    pub api: Expect,
    /// What the compiler must do: `api`, or the opposite for a known disagreement.
    pub expect: Expect,
    /// What an error on the line must name (one of them): the identifiers the messages of the
    /// changes that make it break name (of every change for a disagreement), the probed items
    /// themselves first.
    pub names: Vec<String>,
    /// Each probe with its verdict, for reports: `client field-removed Widget::legacy: breaking`.
    pub why: Vec<String>,
    /// Probes whose change breaks at run time only.
    pub run_time: Vec<String>,
    /// Probes naming what api-diff does not report.
    pub problems: Vec<String>,
}

/// The expectation of `line` from api-diff's `changes`.
pub fn expect_line(line: &ProbeLine, changes: &[Change]) -> LineExpectation {
    let mut api = Expect::Compiles;
    let mut breaking_names = BTreeSet::new();
    let mut all_names = BTreeSet::new();
    let mut why = Vec::new();
    let mut run_time = Vec::new();
    let mut problems = Vec::new();
    for probe in &line.probes {
        let (verdict, matched) = match expectation(probe, changes) {
            Ok(found) => found,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        for c in &matched {
            let impact = match probe.side {
                Side::Client => c.client,
                Side::Server => c.server,
            };
            if impact.is_breaking() && RUN_TIME_KINDS.contains(&c.kind) {
                run_time.push(format!(
                    "{} {} breaks {}s at run time only",
                    probe.kind,
                    probe.item,
                    probe.side.name()
                ));
            }
            all_names.extend(named_identifiers(c));
            if verdict == Expect::Breaks {
                breaking_names.extend(named_identifiers(c));
            }
        }
        if verdict == Expect::Breaks {
            api = Expect::Breaks;
        }
        why.push(format!(
            "{} {} {}: {}",
            probe.side.name(),
            probe.kind,
            probe.item,
            match verdict {
                Expect::Breaks => "breaking",
                Expect::Compiles => "compatible",
            }
        ));
    }
    let (expect, names) = match (&line.disagrees, api) {
        (None, _) => (api, breaking_names),
        (Some(_), Expect::Breaks) => (Expect::Compiles, BTreeSet::new()),
        (Some(_), Expect::Compiles) => (Expect::Breaks, all_names),
    };
    let own: Vec<String> = line
        .probes
        .iter()
        .filter_map(|p| p.item.rsplit("::").next().map(str::to_owned))
        .filter(|n| names.contains(n))
        .collect();
    let names = own
        .iter()
        .cloned()
        .chain(names.into_iter().filter(|n| !own.contains(n)))
        .collect();
    LineExpectation {
        api,
        expect,
        names,
        why,
        run_time,
        problems,
    }
}

#[test]
fn probe_comments_parse_with_their_fix_and_disagreement() {
    let text = "//! let x = w.size; // probe: client field-type-changed Widget::size\n\
                let x = w.size; // probe: client field-type-changed Widget::size; server unchanged Widget::pk\n\
                legacy: None, // probe: client field-removed Widget::legacy // fix:\n\
                name: None } // probe: client field-added P::w // fix: name: None, w: None } // disagrees: a full literal\n\
                x // probe: everyone field-added P::w\n";
    let mut failures = Vec::new();
    let lines = parse_source("src/a.rs", text, &mut failures);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(
        (lines[0].line, lines[0].text.as_str()),
        (2, "let x = w.size;")
    );
    let probes: Vec<(Side, &str, &str)> = lines[0]
        .probes
        .iter()
        .map(|p| (p.side, p.kind.as_str(), p.item.as_str()))
        .collect();
    assert_eq!(
        probes,
        [
            (Side::Client, "field-type-changed", "Widget::size"),
            (Side::Server, "unchanged", "Widget::pk")
        ]
    );
    assert_eq!(lines[1].fix.as_deref(), Some(""));
    assert_eq!(lines[2].fix.as_deref(), Some("name: None, w: None }"));
    assert_eq!(lines[2].disagrees.as_deref(), Some("a full literal"));
    assert_eq!(lines[2].probes.len(), 1);
    assert!(lines[3].probes.is_empty());
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("src/a.rs:5: malformed probe"),
        "{failures:?}"
    );
}

#[test]
fn an_error_names_the_identifiers_of_the_change_message() {
    let change = Change {
        kind: Kind::FieldTypeChanged,
        pointer: "#/components/schemas/Widget/properties/size".to_owned(),
        document: xtask::api::diff::Document::New,
        client: xtask::api::diff::Impact::Breaking,
        server: xtask::api::diff::Impact::Breaking,
        resource: None,
        type_name: Some("Widget".to_owned()),
        rust: "Widget::size".to_owned(),
        message: "`Widget::size` changes type from `Option<i64>` to `Vec<crate::Thing>`: code that sets or reads it no longer compiles".to_owned(),
    };
    let names: Vec<String> = named_identifiers(&change).into_iter().collect();
    // Path qualifiers (`Widget::`, `crate::`) and the most generic words are left out.
    assert_eq!(names, ["Thing", "i64", "size"]);
    assert!(names_word("no field `size` on type `&Widget`", "size"));
    assert!(!names_word(
        "no field `page_size` on type `&Widget`",
        "size"
    ));
    assert!(!names_word("expected `i64`, found `sizes`", "size"));
}
