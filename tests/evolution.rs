//! Evolution tests (issue 12): regenerating after a schema change makes the compiler point at
//! every hand-written line that must follow, and `cargo xtask api-diff` classifies each change
//! the way the compiler behaves.
//!
//! A consumer crate, written by hand against the crates generated from an old schema, marks
//! each line that uses something with a probe comment naming the api-diff change it exercises
//! and the side it is on (`// probe: client field-removed Widget::legacy`; the grammar is in
//! `tests/evolution/v1-consumer/src/lib.rs`). The test generates the old and the new crates into
//! one scratch workspace, under package names of their own, with the consumer copied twice, once
//! against each, and checks both copies with one `cargo check --message-format=json`. Then:
//!
//! - against the old crates the consumer compiles without a warning;
//! - every probe names a change api-diff reports (live, computed here from the same surfaces
//!   `cargo xtask api-diff` compares), or `unchanged` for an item api-diff reports nothing of;
//! - against the new crates, a line fails to compile exactly when one of its probes is breaking
//!   for its side, and the error names something the change's message names (the field, the
//!   operation, the type, or the types it changes between); a line without probes never fails;
//! - every change api-diff reports for our pair is probed (real schemas: a spread, not all).
//!
//! Changes api-diff calls breaking that the compiler cannot see (constraints: `validate()`
//! refuses more, or answers carry values outside the old bounds) are expected to compile.
//!
//! The scratch workspaces (`target/test-scratch/evolution-*`) are kept between runs and only
//! changed files are rewritten, and the target directory is the real-schema test's
//! (`target/real-schemas`), so dependencies are built once and generated crates are checked
//! again only when the generator changes.

use serde_json::Value;
use stages_tests::{
    authentik_schema_dir, package_prefix, prune, rename_manifest, repo_root, write_if_changed,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use xtask::api::diff::{self, Change, Kind};
use xtask::codegen;

/// Changes whose breakage the compiler cannot see: their consequence is at run time.
/// How many times the consumer is checked against the new crates at most (see `// fix:`).
const MAX_ROUNDS: usize = 4;

/// Changes whose breakage the compiler cannot see: their consequence is at run time.
const RUN_TIME_KINDS: &[Kind] = &[
    Kind::FieldConstraintChanged,
    Kind::ParameterConstraintChanged,
    Kind::TypeConstraintChanged,
];

#[test]
fn evolution_pair_breaks_exactly_the_probed_lines_api_diff_calls_breaking() {
    let fixture = |v: &str| repo_root().join(format!("tests/fixtures/evolution/{v}.yaml"));
    let generate = |v: &str| {
        codegen::generate(&fixture(v), &format!("{v}.yaml"), "/stages/")
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (old, new) = (generate("v1"), generate("v2"));
    let outcome = Evolution {
        scratch: "evolution-pair",
        consumer: repo_root().join("tests/evolution/v1-consumer"),
        old: ("evo-v1", &old),
        new: ("evo-v2", &new),
    }
    .run();
    println!("{}", outcome.summary());
    // Our pair is small enough that every change it makes is probed.
    let unprobed = outcome.unprobed_changes();
    assert!(
        outcome.failures.is_empty() && unprobed.is_empty(),
        "{}{}",
        outcome.render_failures(),
        unprobed
            .iter()
            .map(|c| format!(
                "not probed: {} {} ({})\n",
                kind_name(c.kind),
                c.rust,
                c.message
            ))
            .collect::<String>()
    );
}

#[test]
fn real_stages_2024_to_2026_break_exactly_the_probed_lines_api_diff_calls_breaking() {
    let Some(dir) = authentik_schema_dir() else {
        return;
    };
    let generate = |version: &str| {
        let label = format!("schema-{version}.yml");
        codegen::generate(&dir.join(&label), &label, "/stages/").unwrap_or_else(|e| panic!("{e}"))
    };
    let (old, new) = std::thread::scope(|scope| {
        let old = scope.spawn(|| generate("2024.8.3"));
        let new = generate("2026.11.0-rc1");
        (old.join().expect("generate 2024.8.3"), new)
    });
    let outcome = Evolution {
        scratch: "evolution-real",
        consumer: repo_root().join("tests/evolution/stages-2024-consumer"),
        old: ("stages-2024", &old),
        new: ("stages-2026", &new),
    }
    .run();
    println!("{}", outcome.summary());
    // A spread of uses, not every change: every kind of change api-diff reports is probed.
    let probed: BTreeSet<&str> = outcome
        .lines
        .iter()
        .flat_map(|l| &l.probes)
        .map(|p| p.kind.as_str())
        .collect();
    let unprobed: BTreeSet<String> = outcome
        .changes
        .iter()
        .map(|c| kind_name(c.kind))
        .filter(|k| !probed.contains(k.as_str()))
        .collect();
    assert!(
        outcome.failures.is_empty() && unprobed.is_empty(),
        "{}{}",
        outcome.render_failures(),
        unprobed
            .iter()
            .map(|k| format!("no probe of a `{k}` change\n"))
            .collect::<String>()
    );
}

/// One old → new evolution and its consumer.
struct Evolution<'a> {
    /// The scratch workspace's directory under `target/test-scratch`.
    scratch: &'a str,
    /// The consumer crate written against the old crates.
    consumer: PathBuf,
    /// Each version's set name (package prefix) and generated crates.
    old: (&'a str, &'a codegen::Generated),
    new: (&'a str, &'a codegen::Generated),
}

/// What a run found.
struct Outcome {
    changes: Vec<Change>,
    lines: Vec<ProbeLine>,
    /// Each failed expectation, readable.
    failures: Vec<String>,
    /// Known and expected, printed with the summary: why a probe compiles although api-diff
    /// calls its change breaking.
    notes: Vec<String>,
    /// Errors against the new crates, per consumer file and line.
    errors: BTreeMap<(String, usize), Vec<Diagnostic>>,
    /// The known disagreements between api-diff and the compiler (`// disagrees:`), as found.
    disagreements: Vec<String>,
    /// One line per probe line: where, what api-diff expects, what the compiler said, the
    /// probes.
    rows: Vec<String>,
    /// How many checks against the new crates found errors.
    rounds: usize,
    elapsed: std::time::Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }
}

#[derive(Clone, Debug)]
struct Probe {
    side: Side,
    /// api-diff's kind (`field-removed`), or `unchanged`.
    kind: String,
    /// api-diff's Rust item (`Widget::legacy`).
    item: String,
}

/// A consumer line with probes.
#[derive(Debug)]
struct ProbeLine {
    /// Relative to the consumer's root: `src/client.rs`.
    file: String,
    line: usize,
    text: String,
    probes: Vec<Probe>,
    /// What the line becomes once it failed (`// fix: CODE`; empty: the line goes).
    fix: Option<String>,
    /// A known disagreement (`// disagrees: WHY`, last): the compiler does the opposite of what
    /// api-diff's classification says, for the reason given.
    disagrees: Option<String>,
}

/// One compiler diagnostic of the consumer against the new crates.
#[derive(Clone, Debug)]
struct Diagnostic {
    code: String,
    message: String,
    /// The message, every label and note, and the source text each span highlights: what
    /// the diagnostic names (the whole source line is left out: it holds the probe comment).
    names: String,
    /// The check that reported it: 1 for the consumer as written, 2 and later after the
    /// `// fix:` of the lines that failed before.
    round: usize,
}

fn kind_name(kind: Kind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// Every probe line of the consumer's sources; a malformed probe is a failure.
fn parse_probes(consumer: &Path, failures: &mut Vec<String>) -> Vec<ProbeLine> {
    let mut out = Vec::new();
    for (file, text) in sources(consumer) {
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("// probe:") else {
                continue;
            };
            // Documentation that shows the grammar is no probe.
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut probes = Vec::new();
            let comment = &line[at + "// probe:".len()..];
            let (comment, disagrees) = match comment.split_once("// disagrees:") {
                Some((rest, why)) => (rest, Some(why.trim().to_owned())),
                None => (comment, None),
            };
            let (comment, fix) = match comment.split_once("// fix:") {
                Some((probes, fix)) => (probes, Some(fix.trim().to_owned())),
                None => (comment, None),
            };
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
                file: file.clone(),
                line: i + 1,
                text: line[..at].trim().to_owned(),
                probes,
                fix,
                disagrees,
            });
        }
    }
    out
}

/// The consumer's `.rs` files under `src/`, by path relative to its root.
fn sources(consumer: &Path) -> BTreeMap<String, String> {
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
enum Expect {
    Breaks,
    Compiles,
}

/// The probe's expectation from api-diff's live classification, with the changes it matched;
/// `Err` when api-diff does not report what the probe names.
fn expectation<'c>(
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
fn named_identifiers(change: &Change) -> BTreeSet<String> {
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
fn names_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        !text[..at].chars().next_back().is_some_and(ident)
            && !text[at + word.len()..].chars().next().is_some_and(ident)
    })
}

impl Evolution<'_> {
    fn run(&self) -> Outcome {
        let started = std::time::Instant::now();
        let changes = diff::diff(&self.old.1.surface, &self.new.1.surface);
        let mut failures = Vec::new();
        let lines = parse_probes(&self.consumer, &mut failures);

        let ws = repo_root().join("target/test-scratch").join(self.scratch);
        let members = self.write_workspace(&ws);
        let (old_member, new_member) = (&members[0], &members[1]);
        // Whether the generated enums are `#[non_exhaustive]`: the consumer's `match`es then
        // have a `_` arm (its feature `non-exhaustive`), unreachable otherwise.
        let non_exhaustive = self.old.1.files.iter().any(|(path, text)| {
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            path.starts_with("models")
                && lines
                    .windows(2)
                    .any(|w| w[0] == "#[non_exhaustive]" && w[1].starts_with("pub enum "))
        });
        let messages = cargo_check(&ws, &members, non_exhaustive);

        // Against the old crates: not a warning.
        for (member, diagnostic) in &messages {
            if member == old_member {
                failures.push(format!(
                    "against the old crates the consumer does not compile warning-free: {}",
                    diagnostic
                        .get("rendered")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                ));
            }
        }
        // Against the new crates: each error by consumer line, with the round that found it.
        let new_dir = ws.join(new_member);
        let mut errors: BTreeMap<(String, usize), Vec<Diagnostic>> = BTreeMap::new();
        let mut found_in: BTreeMap<(String, usize), usize> = BTreeMap::new();
        let mut file_errors =
            |messages: &[(String, Value)], round: usize, failures: &mut Vec<String>| {
                let mut this_round = BTreeSet::new();
                for (member, message) in messages {
                    if member != new_member {
                        continue;
                    }
                    match place(message, &new_dir) {
                        Some(at) => {
                            this_round.insert(at.clone());
                            if *found_in.entry(at.clone()).or_insert(round) == round {
                                let mut d = diagnostic(message);
                                d.round = round;
                                errors.entry(at).or_default().push(d);
                            }
                        }
                        None => failures.push(format!(
                            "an error outside the consumer's lines: {}",
                            message
                                .get("rendered")
                                .and_then(Value::as_str)
                                .unwrap_or("?")
                        )),
                    }
                }
                this_round
            };
        let mut failing = file_errors(&messages, 1, &mut failures);
        // rustc leaves some errors unsaid while others stand in the same construct (a struct
        // literal with an unknown field is not checked for missing ones; a `match` whose
        // arms do not type-check is not checked for exhaustiveness). A maintainer sees them
        // once the first are fixed: so does the test, by applying each failing line's
        // `// fix:` and checking again, until a round reveals no new failing line.
        let mut fixed: BTreeSet<(String, usize)> = BTreeSet::new();
        for round in 2..=MAX_ROUNDS {
            let to_fix: Vec<&ProbeLine> = lines
                .iter()
                .filter(|l| l.fix.is_some())
                .filter(|l| {
                    let at = (l.file.clone(), l.line);
                    failing.contains(&at) && !fixed.contains(&at)
                })
                .collect();
            if to_fix.is_empty() {
                break;
            }
            fixed.extend(to_fix.iter().map(|l| (l.file.clone(), l.line)));
            for (file, text) in sources(&self.consumer) {
                let patched: String = text
                    .lines()
                    .enumerate()
                    .map(|(i, line)| {
                        let fix = lines
                            .iter()
                            .find(|l| {
                                l.file == file
                                    && l.line == i + 1
                                    && fixed.contains(&(file.clone(), i + 1))
                            })
                            .and_then(|l| l.fix.as_deref());
                        match fix {
                            Some(code) => format!("{code}\n"),
                            None => format!("{line}\n"),
                        }
                    })
                    .collect();
                write_if_changed(&new_dir.join(&file), &patched).expect("write fixed source");
            }
            let messages = cargo_check(&ws, std::slice::from_ref(new_member), non_exhaustive);
            let now = file_errors(&messages, round, &mut failures);
            for at in now.intersection(&fixed) {
                failures.push(format!(
                    "{}:{}: its `// fix:` does not compile against the new crates (round {round})",
                    at.0, at.1
                ));
            }
            let revealed = now.iter().any(|at| !failing.contains(at));
            failing.extend(now);
            if !revealed {
                break;
            }
        }
        let rounds = found_in.values().copied().max().unwrap_or(1);

        let mut notes = Vec::new();
        let mut disagreements = Vec::new();
        let mut rows = Vec::new();
        let mut probed: BTreeSet<(String, usize)> = BTreeSet::new();
        for line in &lines {
            probed.insert((line.file.clone(), line.line));
            // What api-diff says of the line, and what its changes name.
            let mut api = Expect::Compiles;
            let mut names = BTreeSet::new();
            let mut all_names = BTreeSet::new();
            let mut why = Vec::new();
            for probe in &line.probes {
                match expectation(probe, &changes) {
                    Err(e) => failures.push(format!("{}:{}: {e}", line.file, line.line)),
                    Ok((e, matched)) => {
                        for c in &matched {
                            let impact = match probe.side {
                                Side::Client => c.client,
                                Side::Server => c.server,
                            };
                            if impact.is_breaking() && RUN_TIME_KINDS.contains(&c.kind) {
                                notes.push(format!(
                                    "{}:{}: {} {} breaks {}s at run time only; it compiles",
                                    line.file,
                                    line.line,
                                    probe.kind,
                                    probe.item,
                                    probe.side.name()
                                ));
                            }
                            all_names.extend(named_identifiers(c));
                            if e == Expect::Breaks {
                                names.extend(named_identifiers(c));
                            }
                        }
                        if e == Expect::Breaks {
                            api = Expect::Breaks;
                        }
                        why.push(format!(
                            "{} {} {}: {}",
                            probe.side.name(),
                            probe.kind,
                            probe.item,
                            if e == Expect::Breaks {
                                "breaking"
                            } else {
                                "compatible"
                            }
                        ));
                    }
                }
            }
            // A known disagreement expects the opposite, and says so.
            let expect = match (&line.disagrees, api) {
                (None, api) => api,
                (Some(_), Expect::Breaks) => Expect::Compiles,
                (Some(_), Expect::Compiles) => {
                    names = all_names;
                    Expect::Breaks
                }
            };
            let got = errors.get(&(line.file.clone(), line.line));
            // What the errors name: the probed items themselves first (`weight` rather than
            // `Widget` for `Widget::weight`), then anything else their changes name.
            let own: Vec<String> = line
                .probes
                .iter()
                .filter_map(|p| p.item.rsplit("::").next().map(str::to_owned))
                .filter(|n| names.contains(n))
                .collect();
            let naming: Option<&String> = got.and_then(|got| {
                own.iter()
                    .chain(names.iter())
                    .find(|n| got.iter().any(|d| names_word(&d.names, n)))
            });
            let stale = line.disagrees.is_some() && got.is_some() == (api == Expect::Breaks);
            if let Some(reason) = &line.disagrees {
                let compiler = if got.is_some() { "breaks" } else { "compiles" };
                if stale {
                    failures.push(format!(
                        "{}:{}: `// disagrees:` no longer holds: api-diff and the compiler agree ({}: it {compiler}); drop the marker",
                        line.file, line.line, why.join("; ")
                    ));
                } else {
                    disagreements.push(format!(
                        "{}:{}: `{}`: api-diff: {}; the compiler: it {compiler}{}: {reason}",
                        line.file,
                        line.line,
                        line.text,
                        why.join("; "),
                        got.map_or(String::new(), |got| format!(
                            " ({})",
                            got.iter()
                                .map(|d| format!("error[{}]: {}", d.code, d.message))
                                .collect::<Vec<_>>()
                                .join("; ")
                        ))
                    ));
                }
            }
            let at = format!("{}:{}", line.file, line.line);
            let expects = if expect == Expect::Breaks {
                "breaks"
            } else {
                "compiles"
            };
            let compiler = got.map_or("compiles".to_owned(), |got| {
                let codes: BTreeSet<String> = got
                    .iter()
                    .map(|d| format!("{} (round {})", d.code, d.round))
                    .collect();
                codes.into_iter().collect::<Vec<_>>().join(", ")
            });
            let named = naming.map_or(String::new(), |n| format!("(names `{n}`) "));
            let probes = line
                .probes
                .iter()
                .map(|p| format!("{} {} {}", p.side.name(), p.kind, p.item))
                .collect::<Vec<_>>()
                .join("; ");
            let marker = if line.disagrees.is_some() {
                " [disagrees]"
            } else {
                ""
            };
            rows.push(format!(
                "{at:<18} {expects:<8} {compiler:<22} {named}{probes}{marker}"
            ));
            let shown = |got: &[Diagnostic]| {
                got.iter()
                    .map(|d| format!("error[{}] (round {}): {}", d.code, d.round, d.message))
                    .collect::<Vec<_>>()
                    .join("\n      ")
            };
            match (expect, got) {
                _ if stale => {}
                (Expect::Breaks, None) => failures.push(format!(
                    "{}:{}: `{}`\n    expected: a compile error naming one of {:?} ({})\n    got: it compiles",
                    line.file, line.line, line.text, names, why.join("; ")
                )),
                (Expect::Breaks, Some(got)) => {
                    if naming.is_none() {
                        failures.push(format!(
                            "{}:{}: `{}`\n    expected: a compile error naming one of {:?} ({})\n    got: errors naming none of them:\n      {}",
                            line.file, line.line, line.text, names, why.join("; "), shown(got)
                        ));
                    }
                }
                (Expect::Compiles, Some(got)) => failures.push(format!(
                    "{}:{}: `{}`\n    expected: it compiles ({})\n    got:\n      {}",
                    line.file,
                    line.line,
                    line.text,
                    why.join("; "),
                    shown(got)
                )),
                (Expect::Compiles, None) => {}
            }
        }
        let texts = sources(&self.consumer);
        for ((file, n), got) in &errors {
            if !probed.contains(&(file.clone(), *n)) {
                let text = texts
                    .get(file)
                    .and_then(|t| t.lines().nth(n - 1))
                    .unwrap_or("?");
                failures.push(format!(
                    "{file}:{n}: `{}` has no probe, yet fails:\n      {}",
                    text.trim(),
                    got.iter()
                        .map(|d| format!("error[{}]: {}", d.code, d.message))
                        .collect::<Vec<_>>()
                        .join("\n      ")
                ));
            }
        }
        Outcome {
            changes,
            lines,
            failures,
            notes,
            errors,
            disagreements,
            rows,
            rounds,
            elapsed: started.elapsed(),
        }
    }

    /// Writes both versions' crates and the consumer against each into `ws`; returns the two
    /// consumer members (old, new).
    fn write_workspace(&self, ws: &Path) -> Vec<String> {
        std::fs::create_dir_all(ws).expect("create scratch dir");
        let mut keep = BTreeSet::new();
        let mut members = Vec::new();
        let manifest =
            std::fs::read_to_string(self.consumer.join("Cargo.toml")).expect("consumer manifest");
        let sources = sources(&self.consumer);
        for (set, generated) in [self.old, self.new] {
            let prefix = package_prefix(set);
            for (path, text) in &generated.files {
                let Some(krate) = path
                    .components()
                    .next()
                    .and_then(|c| c.as_os_str().to_str())
                    .filter(|_| path.components().count() > 1)
                else {
                    continue; // api.json
                };
                let text = if path.file_name().is_some_and(|n| n == "Cargo.toml") {
                    rename_manifest(text, krate, &prefix)
                } else {
                    text.clone()
                };
                let target = ws.join(&prefix).join(path);
                write_if_changed(&target, &text).expect("write generated file");
                keep.insert(target);
            }
            for krate in ["models", "server", "client"] {
                members.push(format!("{prefix}/{krate}"));
            }
            // The consumer against this version.
            let member = format!("consumer-{prefix}");
            let target = ws.join(&member).join("Cargo.toml");
            write_if_changed(&target, &consumer_manifest(&manifest, &member, &prefix))
                .expect("write consumer manifest");
            keep.insert(target);
            for (file, text) in &sources {
                let target = ws.join(&member).join(file);
                write_if_changed(&target, text).expect("write consumer source");
                keep.insert(target);
            }
            members.push(member);
        }
        let repo_lock =
            std::fs::read_to_string(repo_root().join("Cargo.lock")).expect("Cargo.lock");
        if !std::fs::read_to_string(ws.join(".repo-lock")).is_ok_and(|old| old == repo_lock) {
            std::fs::write(ws.join("Cargo.lock"), &repo_lock).expect("write Cargo.lock");
            std::fs::write(ws.join(".repo-lock"), &repo_lock).expect("write .repo-lock");
        }
        keep.insert(ws.join("Cargo.lock"));
        keep.insert(ws.join(".repo-lock"));
        keep.insert(ws.join("Cargo.toml"));
        let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
        write_if_changed(
            &ws.join("Cargo.toml"),
            &format!(
                "[workspace]\nresolver = \"2\"\nmembers = [\n    {},\n]\n",
                list.join(",\n    ")
            ),
        )
        .expect("write the workspace manifest");
        prune(ws, &keep);
        members
            .into_iter()
            .filter(|m| m.starts_with("consumer-"))
            .collect()
    }
}

/// The consumer's manifest as the member `member` against the set with package prefix
/// `prefix`: its package renamed, `path = "../generated/KRATE"` pointed at the set's crates.
fn consumer_manifest(text: &str, member: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut renamed = false;
    for line in text.lines() {
        if !renamed && line.starts_with("name = ") {
            out.push_str(&format!("name = \"{member}\"\n"));
            renamed = true;
        } else if let Some(at) = line.find("path = \"../generated/") {
            let krate = line[at + "path = \"../generated/".len()..]
                .split('"')
                .next()
                .unwrap_or_default();
            out.push_str(&format!(
                "{}package = \"{prefix}-{krate}\", path = \"../{prefix}/{krate}\" }}\n",
                &line[..at]
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(renamed, "the consumer manifest has no `name = ` line");
    out
}

/// `cargo check` of the consumers (and, as their dependencies, the generated crates) in `ws`:
/// every compiler message about a consumer, with the consumer member it is about.
fn cargo_check(ws: &Path, consumers: &[String], non_exhaustive: bool) -> Vec<(String, Value)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = std::process::Command::new(cargo);
    command.args([
        "check",
        "--offline",
        "--keep-going",
        "--message-format=json",
        "--lib",
    ]);
    for member in consumers {
        command.args(["-p", member]);
        if non_exhaustive {
            command.args(["--features", &format!("{member}/non-exhaustive")]);
        }
    }
    let out = command
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", repo_root().join("target/real-schemas"))
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("CARGO_TERM_COLOR")
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut messages = Vec::new();
    let mut others = Vec::new();
    for line in stdout.lines() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if value.get("reason").and_then(Value::as_str) != Some("compiler-message") {
            continue;
        }
        let manifest = value
            .get("manifest_path")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .replace('\\', "/");
        let Some(message) = value.get("message") else {
            continue;
        };
        // "aborting due to N previous errors" and the like carry no place.
        let spans = message.get("spans").and_then(Value::as_array);
        if !matches!(spans, Some(s) if !s.is_empty()) {
            continue;
        }
        match consumers
            .iter()
            .find(|m| manifest.ends_with(&format!("/{m}/Cargo.toml")))
        {
            Some(member) => messages.push((member.clone(), message.clone())),
            None => others.push(
                message
                    .get("rendered")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned(),
            ),
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        others.is_empty(),
        "the generated crates do not compile warning-free:\n{}",
        others.join("\n")
    );
    assert!(
        out.status.success() || !messages.is_empty(),
        "cargo check failed without a compiler message:\n{stderr}"
    );
    messages
}

/// The consumer file (relative to `member_dir`) and line of a diagnostic's primary span, or of
/// the macro call it was expanded from.
fn place(message: &Value, member_dir: &Path) -> Option<(String, usize)> {
    let spans = message.get("spans")?.as_array()?;
    let primary = spans
        .iter()
        .find(|s| s.get("is_primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| spans.first())?;
    let mut span = primary;
    loop {
        let file = span.get("file_name")?.as_str()?;
        let path = Path::new(file);
        let path = if path.is_relative() {
            // Relative to the workspace root, `consumer-x/src/...`.
            member_dir.parent()?.join(path)
        } else {
            path.to_path_buf()
        };
        if let Ok(rel) = path.strip_prefix(member_dir) {
            let line = span.get("line_start")?.as_u64()? as usize;
            return Some((rel.to_string_lossy().replace('\\', "/"), line));
        }
        span = span.get("expansion")?.get("span")?;
    }
}

fn diagnostic(message: &Value) -> Diagnostic {
    fn collect(message: &Value, out: &mut String) {
        if let Some(text) = message.get("message").and_then(Value::as_str) {
            out.push_str(text);
            out.push('\n');
        }
        for span in message
            .get("spans")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(label) = span.get("label").and_then(Value::as_str) {
                out.push_str(label);
                out.push('\n');
            }
            for line in span
                .get("text")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let text = line.get("text").and_then(Value::as_str).unwrap_or_default();
                let at = |key: &str| {
                    line.get(key)
                        .and_then(Value::as_u64)
                        .map_or(0, |n| n as usize)
                };
                let (start, end) = (at("highlight_start"), at("highlight_end"));
                // Columns are 1-based characters.
                let highlighted: String = text
                    .chars()
                    .skip(start.saturating_sub(1))
                    .take(end.saturating_sub(start))
                    .collect();
                out.push_str(&highlighted);
                out.push('\n');
            }
        }
        for child in message
            .get("children")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect(child, out);
        }
    }
    let mut names = String::new();
    collect(message, &mut names);
    Diagnostic {
        code: message
            .get("code")
            .and_then(|c| c.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_owned(),
        message: message
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        names,
        round: 1,
    }
}

impl Outcome {
    /// Changes no probe names.
    fn unprobed_changes(&self) -> Vec<&Change> {
        let probed: BTreeSet<(String, &str)> = self
            .lines
            .iter()
            .flat_map(|l| &l.probes)
            .map(|p| (p.kind.clone(), p.item.as_str()))
            .collect();
        self.changes
            .iter()
            .filter(|c| !probed.contains(&(kind_name(c.kind), c.rust.as_str())))
            .collect()
    }

    fn summary(&self) -> String {
        let probes: usize = self.lines.iter().map(|l| l.probes.len()).sum();
        let failing_lines = self.errors.len();
        let mut out = format!(
            "{} probes on {} lines, {} changes from api-diff ({} probed), {} lines fail against the new crates (errors found in {} round(s)), {:.1} s\n",
            probes,
            self.lines.len(),
            self.changes.len(),
            self.changes.len() - self.unprobed_changes().len(),
            failing_lines,
            self.rounds,
            self.elapsed.as_secs_f64()
        );
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for d in &self.disagreements {
            let _ = writeln!(out, "disagreement: {d}");
        }
        let _ = writeln!(
            out,
            "{:<18} {:<8} {:<22} probes",
            "line", "expects", "compiler (new crates)"
        );
        for row in &self.rows {
            let _ = writeln!(out, "{row}");
        }
        out
    }

    fn render_failures(&self) -> String {
        let mut out = format!("{} failed expectations:\n", self.failures.len());
        for f in &self.failures {
            let _ = writeln!(out, "- {f}");
        }
        out
    }
}
