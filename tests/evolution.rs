//! Evolution tests (issue 12): regenerating after a schema change makes the compiler point at
//! every hand-written line that must follow, and `cargo xtask api-diff` classifies each change
//! the way the compiler behaves.
//!
//! A consumer crate, written by hand against the crates generated from an old schema, marks
//! each line that uses something with a probe comment naming the api-diff change it exercises
//! and the side it is on (`// probe: client field-removed Widget::legacy`; the grammar is in
//! `tests/evolution/v1-consumer/src/lib.rs`). The test generates the old crates, and the new
//! ones over them as `cargo xtask codegen` regenerates (keeping the old names: an added item
//! that collides in Rust with one that was there is the one numbered, as api-diff names it),
//! into one scratch workspace, under package names of their own, with the consumer copied
//! twice, once against each, and checks both copies with one `cargo check
//! --message-format=json`. Then:
//!
//! - against the old crates the consumer compiles without a warning;
//! - every probe names a change api-diff reports (live, computed here from the same surfaces
//!   `cargo xtask api-diff` compares), or `unchanged` for an item api-diff reports nothing of;
//! - against the new crates, a line fails to compile exactly when one of its probes is breaking
//!   for its side, and the error names something the change's message names (the field, the
//!   operation, the type, or the types it changes between); a line without probes never fails;
//! - every change api-diff reports for our pairs is probed (`v1` → `v2`, and `more-v1` →
//!   `more-v2` for the kinds the first leaves out; real schemas: every kind of change, on a
//!   spread of items).
//!
//! Changes api-diff calls breaking that the compiler cannot see (constraints: `validate()`
//! refuses more, or answers carry values outside the old bounds) are expected to compile.
//! Some errors wait for others (rustc does not report missing fields of a struct literal that
//! names a removed one, and type-checks little while an `impl` names a trait that is gone): a
//! line's `// fix:` is applied once it failed and the consumer checked again (a second round), as
//! a maintainer would see it. A line marked `// disagrees:` is a known disagreement: the compiler
//! is expected to do the opposite of api-diff's classification, and the run prints it.
//!
//! The scratch workspaces (`target/test-scratch/evolution-*`) are kept between runs and only
//! changed files are rewritten, and the target directory is the real-schema test's
//! (`target/real-schemas`), so dependencies are built once and generated crates are checked
//! again only when the generator changes.

#[path = "evolution/check.rs"]
mod check;
#[path = "evolution/probes.rs"]
mod probes;

use probes::{expect_line, kind_name, parse_probes, sources, Expect, ProbeLine};
use stages_tests::{authentik_schema_dir, repo_root};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use xtask::api::diff::{self, Change};

#[test]
fn evolution_pair_breaks_exactly_the_probed_lines_api_diff_calls_breaking() {
    our_pair("v1", "v2", "v1-consumer");
}

/// The kinds of change `v1` → `v2` does not make, in a pair of their own.
#[test]
fn more_kinds_break_exactly_the_probed_lines_api_diff_calls_breaking() {
    our_pair("more-v1", "more-v2", "more-v1-consumer");
}

/// One of our pairs (`tests/fixtures/evolution/{old,new}.yaml`) with its consumer
/// (`tests/evolution/{consumer}`), which probes every change.
fn our_pair(old: &str, new: &str, consumer: &str) {
    let fixture = |v: &str| repo_root().join(format!("tests/fixtures/evolution/{v}.yaml"));
    let old_crates = xtask::pipeline::generate(&fixture(old), &format!("{old}.yaml"), "/stages/")
        .unwrap_or_else(|e| panic!("{e}"));
    // As `cargo xtask codegen` regenerates over the old crates: keeping their names.
    let new_crates = xtask::pipeline::regenerate(
        &fixture(new),
        &format!("{new}.yaml"),
        "/stages/",
        &old_crates.surface,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let outcome = Evolution {
        scratch: &format!("evolution-{old}"),
        consumer: repo_root().join("tests/evolution").join(consumer),
        old: (&format!("evo-{old}"), &old_crates),
        new: (&format!("evo-{new}"), &new_crates),
    }
    .run();
    println!("{}", outcome.summary());
    // Our pairs are small enough that every change they make is probed.
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
    let label = |version: &str| format!("schema-{version}.yml");
    let (old, new) = (label("2024.8.3"), label("2026.11.0-rc1"));
    let old = xtask::pipeline::generate(&dir.join(&old), &old, "/stages/")
        .unwrap_or_else(|e| panic!("{e}"));
    // As `cargo xtask codegen` regenerates over the old crates: keeping their names.
    let new = xtask::pipeline::regenerate(&dir.join(&new), &new, "/stages/", &old.surface)
        .unwrap_or_else(|e| panic!("{e}"));
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
    old: (&'a str, &'a xtask::pipeline::Generated),
    new: (&'a str, &'a xtask::pipeline::Generated),
}

/// What a run found.
struct Outcome {
    changes: Vec<Change>,
    lines: Vec<ProbeLine>,
    /// Each failed expectation, readable.
    failures: Vec<String>,
    /// Probes api-diff calls breaking at run time only: they compile, as expected.
    notes: Vec<String>,
    /// The known disagreements between api-diff and the compiler (`// disagrees:`), as found.
    disagreements: Vec<String>,
    /// One line per probe line: where, what is expected, what the compiler said, the probes.
    rows: Vec<String>,
    /// Consumer lines that fail against the new crates.
    failing_lines: usize,
    /// How many checks against the new crates found errors.
    rounds: usize,
    elapsed: std::time::Duration,
}

impl Evolution<'_> {
    fn run(&self) -> Outcome {
        let started = std::time::Instant::now();
        let changes = diff::diff(&self.old.1.surface, &self.new.1.surface);
        let mut failures = Vec::new();
        let lines = parse_probes(&self.consumer, &mut failures);
        let ws = repo_root().join("target/test-scratch").join(self.scratch);
        let members = check::write_workspace(&ws, &self.consumer, [self.old, self.new]);
        let compiled = check::compile(
            &ws,
            &members,
            &self.consumer,
            &lines,
            check::non_exhaustive(self.old.1),
        );
        for message in &compiled.old {
            failures.push(format!(
                "against the old crates the consumer does not compile warning-free:\n{message}"
            ));
        }
        for message in &compiled.elsewhere {
            failures.push(format!(
                "against the new crates, an error outside the consumer's lines:\n{message}"
            ));
        }
        for (file, line, round) in &compiled.bad_fixes {
            failures.push(format!(
                "{file}:{line}: its `// fix:` does not compile against the new crates (round {round})"
            ));
        }
        let mut outcome = Outcome {
            changes,
            lines: Vec::new(),
            failures,
            notes: Vec::new(),
            disagreements: Vec::new(),
            rows: Vec::new(),
            failing_lines: compiled.errors.len(),
            rounds: compiled.rounds,
            elapsed: std::time::Duration::ZERO,
        };
        for line in &lines {
            let got = compiled.errors.get(&(line.file.clone(), line.line));
            outcome.judge(line, got.map(Vec::as_slice));
        }
        // No error on a line without probes.
        let texts = sources(&self.consumer);
        for ((file, n), got) in &compiled.errors {
            if !lines.iter().any(|l| &l.file == file && l.line == *n) {
                let text = texts
                    .get(file)
                    .and_then(|t| t.lines().nth(n - 1))
                    .unwrap_or("?");
                outcome.failures.push(format!(
                    "{file}:{n}: `{}` has no probe, yet fails:\n      {}",
                    text.trim(),
                    shown(got)
                ));
            }
        }
        outcome.lines = lines;
        outcome.elapsed = started.elapsed();
        outcome
    }
}

/// Errors, one a line, for a report.
fn shown(got: &[check::Diagnostic]) -> String {
    got.iter()
        .map(|d| format!("error[{}] (round {}): {}", d.code, d.round, d.message))
        .collect::<Vec<_>>()
        .join("\n      ")
}

impl Outcome {
    /// Compares what the compiler said of `line` (`got`: its errors) with what api-diff says.
    fn judge(&mut self, line: &ProbeLine, got: Option<&[check::Diagnostic]>) {
        let at = format!("{}:{}", line.file, line.line);
        let e = expect_line(line, &self.changes);
        for problem in &e.problems {
            self.failures.push(format!("{at}: {problem}"));
        }
        for note in &e.run_time {
            self.notes.push(format!("{at}: {note}; it compiles"));
        }
        let naming: Option<&String> = got.and_then(|got| {
            e.names
                .iter()
                .find(|n| got.iter().any(|d| probes::names_word(&d.names, n)))
        });
        let compiler = if got.is_some() { "breaks" } else { "compiles" };
        let why = e.why.join("; ");
        if let Some(reason) = &line.disagrees {
            if got.is_some() == (e.api == Expect::Breaks) {
                self.failures.push(format!(
                    "{at}: `// disagrees:` no longer holds: api-diff and the compiler agree ({why}; it {compiler}); drop the marker"
                ));
            } else {
                let errors = got.map_or(String::new(), |got| format!(" ({})", shown(got)));
                self.disagreements.push(format!(
                    "{at}: `{}`: api-diff: {why}; the compiler: it {compiler}{errors}: {reason}",
                    line.text
                ));
            }
        }
        let text = &line.text;
        let names = &e.names;
        match (e.expect, got) {
            _ if line.disagrees.is_some() => {}
            (Expect::Breaks, None) => self.failures.push(format!(
                "{at}: `{text}`\n    expected: a compile error naming one of {names:?} ({why})\n    got: it compiles"
            )),
            (Expect::Breaks, Some(got)) if naming.is_none() => self.failures.push(format!(
                "{at}: `{text}`\n    expected: a compile error naming one of {names:?} ({why})\n    got: errors naming none of them:\n      {}",
                shown(got)
            )),
            (Expect::Compiles, Some(got)) => self.failures.push(format!(
                "{at}: `{text}`\n    expected: it compiles ({why})\n    got:\n      {}",
                shown(got)
            )),
            _ => {}
        }
        let expects = match e.expect {
            Expect::Breaks => "breaks",
            Expect::Compiles => "compiles",
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
        self.rows.push(format!(
            "{at:<18} {expects:<8} {compiler:<22} {named}{probes}{marker}"
        ));
    }

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
        let mut out = format!(
            "{} probes on {} lines, {} changes from api-diff ({} probed), {} lines fail against the new crates (errors found in {} round(s)), {:.1} s\n",
            probes,
            self.lines.len(),
            self.changes.len(),
            self.changes.len() - self.unprobed_changes().len(),
            self.failing_lines,
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
