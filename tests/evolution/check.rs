//! The scratch workspace: both versions' generated crates, the consumer against each, and
//! `cargo check` of it, each error placed on a consumer line.

use super::probes::{sources, ProbeLine};
use serde_json::Value;
use stages_tests::{package_prefix, prune, rename_manifest, repo_root, write_if_changed};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How many times the consumer is checked against the new crates at most (see `// fix:`).
const MAX_ROUNDS: usize = 4;

/// One compiler diagnostic of the consumer against the new crates.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: String,
    pub message: String,
    /// The message, every label and note, and the source text each span highlights: what
    /// the diagnostic names (the whole source line is left out: it holds the probe comment).
    pub names: String,
    /// The check that reported it: 1 for the consumer as written, 2 and later after the
    /// `// fix:` of the lines that failed before.
    pub round: usize,
}

/// Writes both versions' crates (`(set name, generated)`, old then new) and the consumer
/// against each into `ws`; returns the two consumer members (old, new).
pub fn write_workspace(
    ws: &Path,
    consumer: &Path,
    sets: [(&str, &xtask::pipeline::Generated); 2],
) -> [String; 2] {
    std::fs::create_dir_all(ws).expect("create scratch dir");
    let mut keep = BTreeSet::new();
    let mut members = Vec::new();
    let manifest = std::fs::read_to_string(consumer.join("Cargo.toml")).expect("consumer manifest");
    let sources = sources(consumer);
    for (set, generated) in sets {
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
    let repo_lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).expect("Cargo.lock");
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
    let consumers: Vec<String> = members
        .into_iter()
        .filter(|m| m.starts_with("consumer-"))
        .collect();
    [consumers[0].clone(), consumers[1].clone()]
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

/// What checking the consumer found.
pub struct Compiled {
    /// Against the old crates: every diagnostic, rendered (there should be none).
    pub old: Vec<String>,
    /// Against the new crates: the errors on each consumer line (file, line).
    pub errors: BTreeMap<(String, usize), Vec<Diagnostic>>,
    /// Against the new crates: errors that are on no consumer line, rendered.
    pub elsewhere: Vec<String>,
    /// Lines whose `// fix:` does not compile, with the round.
    pub bad_fixes: Vec<(String, usize, usize)>,
    /// How many checks against the new crates found errors.
    pub rounds: usize,
}

/// Checks the consumer against both versions (`members`: old, new) in `ws`, then again against
/// the new one with the `// fix:` of each failing line applied, until a round reveals no new
/// failing line.
///
/// rustc leaves some errors unsaid while others stand in the same construct (a struct literal
/// with an unknown field is not checked for missing ones; a `match` whose arms do not
/// type-check is not checked for exhaustiveness). A maintainer sees them once the first are
/// fixed; so does the test.
pub fn compile(
    ws: &Path,
    members: &[String; 2],
    consumer: &Path,
    lines: &[ProbeLine],
    non_exhaustive: bool,
) -> Compiled {
    let [old_member, new_member] = members;
    let new_dir = ws.join(new_member);
    let mut compiled = Compiled {
        old: Vec::new(),
        errors: BTreeMap::new(),
        elsewhere: Vec::new(),
        bad_fixes: Vec::new(),
        rounds: 1,
    };
    let messages = cargo_check(ws, members, non_exhaustive);
    compiled.old = messages
        .iter()
        .filter(|(member, _)| member == old_member)
        .map(|(_, message)| rendered(message))
        .collect();
    let mut failing = compiled.file(&messages, new_member, &new_dir, 1);
    let mut fixed: BTreeSet<(String, usize)> = BTreeSet::new();
    for round in 2..=MAX_ROUNDS {
        let to_fix: Vec<(String, usize)> = lines
            .iter()
            .filter(|l| l.fix.is_some())
            .map(|l| (l.file.clone(), l.line))
            .filter(|at| failing.contains(at) && !fixed.contains(at))
            .collect();
        if to_fix.is_empty() {
            break;
        }
        fixed.extend(to_fix);
        write_fixed(consumer, &new_dir, lines, &fixed);
        let messages = cargo_check(ws, std::slice::from_ref(new_member), non_exhaustive);
        let now = compiled.file(&messages, new_member, &new_dir, round);
        for (file, line) in now.intersection(&fixed) {
            compiled.bad_fixes.push((file.clone(), *line, round));
        }
        let revealed = now.iter().any(|at| !failing.contains(at));
        failing.extend(now);
        if !revealed {
            break;
        }
    }
    compiled
}

impl Compiled {
    /// Files the errors of `member` in `messages` by consumer line, each line's errors from the
    /// first round that found it; returns the lines that failed this round.
    fn file(
        &mut self,
        messages: &[(String, Value)],
        member: &str,
        member_dir: &Path,
        round: usize,
    ) -> BTreeSet<(String, usize)> {
        let mut failing = BTreeSet::new();
        for (_, message) in messages.iter().filter(|(m, _)| m == member) {
            let Some(at) = place(message, member_dir) else {
                self.elsewhere.push(rendered(message));
                continue;
            };
            failing.insert(at.clone());
            let entry = self.errors.entry(at).or_default();
            if entry.first().is_none_or(|d| d.round == round) {
                let mut d = diagnostic(message);
                d.round = round;
                entry.push(d);
                self.rounds = self.rounds.max(round);
            }
        }
        failing
    }
}

/// Writes the consumer's sources into `member_dir` with the `// fix:` of the `fixed` lines
/// applied.
fn write_fixed(
    consumer: &Path,
    member_dir: &Path,
    lines: &[ProbeLine],
    fixed: &BTreeSet<(String, usize)>,
) {
    for (file, text) in sources(consumer) {
        let patched: String = text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let fix = lines
                    .iter()
                    .filter(|l| fixed.contains(&(l.file.clone(), l.line)))
                    .find(|l| l.file == file && l.line == i + 1)
                    .and_then(|l| l.fix.as_deref());
                format!("{}\n", fix.unwrap_or(line))
            })
            .collect();
        write_if_changed(&member_dir.join(&file), &patched).expect("write fixed source");
    }
}

/// Whether the generated enums are `#[non_exhaustive]`: the consumer's `match`es on them then
/// have a `_` arm (its feature `non-exhaustive`), which is unreachable otherwise.
pub fn non_exhaustive(generated: &xtask::pipeline::Generated) -> bool {
    generated.files.iter().any(|(path, text)| {
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        path.starts_with("models")
            && lines
                .windows(2)
                .any(|w| w[0] == "#[non_exhaustive]" && w[1].starts_with("pub enum "))
    })
}

fn rendered(message: &Value) -> String {
    message
        .get("rendered")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned()
}

#[test]
fn the_consumer_manifest_points_at_one_set() {
    let manifest = "[package]\nname = \"v1-consumer\"\n\n[dependencies]\n\
                    authentik-models = { path = \"../generated/models\" }\n\
                    authentik-client = { path = \"../generated/client\" }\nuuid = \"1\"\n";
    assert_eq!(
        consumer_manifest(manifest, "consumer-evo-v2", "evo-v2"),
        "[package]\nname = \"consumer-evo-v2\"\n\n[dependencies]\n\
         authentik-models = { package = \"evo-v2-models\", path = \"../evo-v2/models\" }\n\
         authentik-client = { package = \"evo-v2-client\", path = \"../evo-v2/client\" }\n\
         uuid = \"1\"\n"
    );
}
