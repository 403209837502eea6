//! Mutation fuzzing of the generator, deterministic by seed: schemas made from our own
//! `schema/stages.yaml` and from the `/stages/` subsets of the real authentik schemas (reduced in
//! memory to the `/stages/` paths and the components they reach), each mutated 1 to 3 times
//! (deleted keys, wrong types, dangling and cyclic `$ref`s, `$ref`s to non-schemas, weird and
//! colliding names, odd numbers, bad regexes, compositions, duplicate operationIds, deep nesting,
//! ...), then loaded and generated in-process.
//!
//! Asserted: nothing panics, aborts or hangs; every error is a parse or schema error whose every
//! pointer starts with `#`; and a sample of the successes compiles (`cargo check`, one workspace,
//! one invocation): successes of mutations that chose a weird or colliding name or nested deeply
//! carry tags (`resource:module`, `property:variant`, `deep:arrays:40+`), and one success per tag
//! group, then per tag, is compiled (20 by default, resources and parameters first), with 6 others spread over the run; never two
//! with the same output.
//!
//! The cases run in two worker processes (this test binary again, `FUZZ_WORKER` set), so a stack
//! overflow or a case that does not end (10 s) is reported with its case number, and the run goes
//! on. The summary line (also in `target/fuzz/summary.txt`, with the failures) counts cases,
//! successes, errors, panics, errors without pointer, crashes, timeouts and successes compiled;
//! the mutants of failing cases are written to `target/fuzz/failures/`.
//!
//! - `FUZZ_CASES=N` (default 2000) and `FUZZ_SEED=S` (decimal or `0x` hex) choose the run;
//! - `FUZZ_CASE=N` runs that one case in this process, prints its mutations, writes the mutant to
//!   `target/fuzz/case-N.yaml` and compiles it when it generates;
//! - `FUZZ_COMPILE=N` compiles up to N tagged successes (`all`: every tag; `0`: no compile step).

use serde_yaml::{Mapping, Value};
use stages_tests::{authentik_schema_dir, compile_crate_sets, repo_root, Build, CrateSet};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use xtask::codegen;
use xtask::codegen::diag::Error;

const DEFAULT_SEED: u64 = 0x5EED_0009;
const DEFAULT_CASES: u64 = 2000;
/// Worker processes (the machine has 2 cores).
const WORKERS: u64 = 2;
/// A case that takes longer is reported as a hang (the slowest normal case, a real subset in a
/// debug build, takes about a second).
const CASE_TIMEOUT: Duration = Duration::from_secs(10);
/// Successes compiled for a name or nesting tag, by default (`FUZZ_COMPILE` changes it).
const TAGGED: usize = 20;
/// Successes compiled besides those.
const SAMPLE: usize = 6;
/// The stack of the thread that runs the cases: the CLI's main thread has 8 MiB too.
const STACK: usize = 8 << 20;
const TEST_NAME: &str = "mutated_schemas_never_panic_and_every_error_names_a_pointer";

// ------------------------------------------------------------------------------------ PRNG

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `0..n`; `n` must not be 0.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

fn case_rng(seed: u64, case: u64) -> Rng {
    Rng::new(seed ^ case.wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03))
}

// ------------------------------------------------------------------------------------ bases

/// A document to mutate: our schema or a real `/stages/` subset.
struct Base {
    name: String,
    file: PathBuf,
    /// Parsed when a case first needs it (a worker restarted after a crash mostly needs ours only).
    doc: std::sync::OnceLock<Value>,
    /// Out of 100: how often a case starts from it.
    weight: usize,
}

impl Base {
    fn doc(&self) -> &Value {
        self.doc.get_or_init(|| {
            let text = std::fs::read_to_string(&self.file).unwrap();
            serde_yaml::from_str(&text).unwrap()
        })
    }
}

fn fuzz_dir() -> PathBuf {
    repo_root().join("target/fuzz")
}

/// Every `$ref` string under `v`.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            for (k, v) in m {
                if let (Some("$ref"), Value::String(r)) = (k.as_str(), v) {
                    out.push(r.clone());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Sequence(s) => s.iter().for_each(|v| collect_refs(v, out)),
        Value::Tagged(t) => collect_refs(&t.value, out),
        _ => {}
    }
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The `paths` under `/stages/`, the components they reach (following `$ref`s transitively),
/// every security scheme, `openapi`, `info` and `servers`.
fn reduce(doc: &Value) -> Value {
    let mut out = Mapping::new();
    for key in ["openapi", "info", "servers", "security"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let mut paths = Mapping::new();
    if let Some(Value::Mapping(all)) = doc.get("paths") {
        for (k, v) in all {
            if k.as_str().is_some_and(|p| p.starts_with("/stages/")) {
                paths.insert(k.clone(), v.clone());
            }
        }
    }
    let mut pending = Vec::new();
    collect_refs(&Value::Mapping(paths.clone()), &mut pending);
    out.insert("paths".into(), Value::Mapping(paths));
    let mut reached: BTreeSet<(String, String)> = BTreeSet::new();
    while let Some(reference) = pending.pop() {
        let tokens: Vec<String> = reference
            .trim_start_matches("#/")
            .split('/')
            .map(unescape_token)
            .collect();
        let [first, kind, name] = tokens.as_slice() else {
            continue;
        };
        if first != "components" || !reached.insert((kind.clone(), name.clone())) {
            continue;
        }
        if let Some(target) = doc
            .get("components")
            .and_then(|c| c.get(kind.as_str()))
            .and_then(|c| c.get(name.as_str()))
        {
            collect_refs(target, &mut pending);
        }
    }
    let mut components = Mapping::new();
    if let Some(schemes) = doc.get("components").and_then(|c| c.get("securitySchemes")) {
        components.insert("securitySchemes".into(), schemes.clone());
    }
    for (kind, name) in &reached {
        let Some(target) = doc
            .get("components")
            .and_then(|c| c.get(kind.as_str()))
            .and_then(|c| c.get(name.as_str()))
        else {
            continue;
        };
        let section = components
            .entry(kind.as_str().into())
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Value::Mapping(section) = section {
            section.insert(name.as_str().into(), target.clone());
        }
    }
    out.insert("components".into(), Value::Mapping(components));
    Value::Mapping(out)
}

/// Writes the bases into `target/fuzz/bases/` (ours as it is, each real schema reduced), for the
/// workers to read back.
fn prepare_bases() -> Vec<(String, usize)> {
    let dir = fuzz_dir().join("bases");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create target/fuzz/bases");
    let ours = std::fs::read_to_string(repo_root().join(codegen::DEFAULT_SCHEMA)).unwrap();
    std::fs::write(dir.join("0-stages.yaml"), ours).unwrap();
    let mut bases = vec![("stages".to_owned(), 100)];
    if let Some(real) = authentik_schema_dir() {
        bases[0].1 = 94;
        for (i, (version, _)) in stages_tests::REAL_SCHEMAS.iter().enumerate() {
            let text = std::fs::read_to_string(real.join(format!("schema-{version}.yml")))
                .unwrap_or_else(|e| panic!("schema-{version}.yml: {e}"));
            let doc: Value = serde_yaml::from_str(&text).unwrap();
            let reduced = serde_yaml::to_string(&reduce(&doc)).unwrap();
            std::fs::write(dir.join(format!("{}-{version}.yaml", i + 1)), reduced).unwrap();
            bases.push((version.to_string(), 3));
        }
    }
    let list: Vec<String> = bases.iter().map(|(n, w)| format!("{n} {w}")).collect();
    std::fs::write(dir.join("list"), list.join("\n")).unwrap();
    bases
}

/// The bases [`prepare_bases`] wrote.
fn load_bases() -> Vec<Base> {
    let dir = fuzz_dir().join("bases");
    let list = std::fs::read_to_string(dir.join("list")).expect("target/fuzz/bases/list");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    list.lines()
        .zip(files)
        .map(|(line, file)| {
            let (name, weight) = line.split_once(' ').unwrap();
            Base {
                name: name.to_owned(),
                file,
                doc: std::sync::OnceLock::new(),
                weight: weight.parse().unwrap(),
            }
        })
        .collect()
}

// ------------------------------------------------------------------------------------ tree

#[derive(Clone, Debug)]
enum Seg {
    Key(Value),
    Index(usize),
}

impl Seg {
    fn key(&self) -> Option<&str> {
        match self {
            Seg::Key(k) => k.as_str(),
            Seg::Index(_) => None,
        }
    }
}

fn pointer(path: &[Seg]) -> String {
    let mut out = "#".to_owned();
    for seg in path {
        out.push('/');
        match seg {
            Seg::Key(Value::String(k)) => out.push_str(&escape_token(k)),
            Seg::Key(k) => out.push_str(&escape_token(
                serde_yaml::to_string(k).unwrap_or_default().trim(),
            )),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn get<'a>(root: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(root, |v, seg| match (v, seg) {
        (Value::Mapping(m), Seg::Key(k)) => m.get(k),
        (Value::Sequence(s), Seg::Index(i)) => s.get(*i),
        _ => None,
    })
}

fn get_mut<'a>(root: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |v, seg| match (v, seg) {
        (Value::Mapping(m), Seg::Key(k)) => m.get_mut(k),
        (Value::Sequence(s), Seg::Index(i)) => s.get_mut(*i),
        _ => None,
    })
}

/// Every node's path (the root's too), depth first.
fn all_paths(root: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(path.clone());
        match v {
            Value::Mapping(m) => {
                for (k, v) in m {
                    path.push(Seg::Key(k.clone()));
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Sequence(s) => {
                for (i, v) in s.iter().enumerate() {
                    path.push(Seg::Index(i));
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), &mut out);
    out
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "options", "head", "trace",
];

/// Whether the node at `path` is a schema, judged by where it is.
fn is_schema(path: &[Seg], v: &Value) -> bool {
    if !v.is_mapping() {
        return false;
    }
    let n = path.len();
    let last = path.last().and_then(Seg::key);
    let parent = if n >= 2 { path[n - 2].key() } else { None };
    let grand = if n >= 3 { path[n - 3].key() } else { None };
    matches!(
        (grand, parent, last),
        (
            _,
            _,
            Some("schema" | "items" | "not" | "additionalProperties")
        ) | (_, Some("properties"), Some(_))
            | (Some("components"), Some("schemas"), Some(_))
            | (_, Some("allOf" | "oneOf" | "anyOf"), None)
    )
}

fn is_operation(path: &[Seg], v: &Value) -> bool {
    v.is_mapping()
        && path.len() == 3
        && path[0].key() == Some("paths")
        && path[2].key().is_some_and(|m| METHODS.contains(&m))
}

fn is_parameter(v: &Value) -> bool {
    v.get("in").is_some_and(Value::is_string) && v.get("name").is_some_and(Value::is_string)
}

fn paths_where(root: &Value, pred: impl Fn(&[Seg], &Value) -> bool) -> Vec<Vec<Seg>> {
    all_paths(root)
        .into_iter()
        .filter(|p| get(root, p).is_some_and(|v| pred(p, v)))
        .collect()
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// `{$ref: reference}`.
fn reference(target: &str) -> Value {
    map(vec![("$ref", target.into())])
}

/// A mapping of these entries, in order.
fn map(entries: Vec<(&str, Value)>) -> Value {
    let mut m = Mapping::new();
    for (k, v) in entries {
        m.insert(k.into(), v);
    }
    Value::Mapping(m)
}

fn describe(v: &Value) -> String {
    let text = serde_yaml::to_string(v)
        .unwrap_or_default()
        .trim()
        .replace('\n', " ");
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// A mapping with `old` renamed to `new`, in place, keeping the order.
fn rename_key(map: &mut Mapping, old: &Value, new: Value) {
    let entries: Vec<(Value, Value)> = std::mem::take(map).into_iter().collect();
    for (k, v) in entries {
        if &k == old {
            map.insert(new.clone(), v);
        } else {
            map.insert(k, v);
        }
    }
}

/// Replaces every string equal to `old` under `v` by `new`.
fn replace_strings(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::String(s) if s == old => *s = new.to_owned(),
        Value::Mapping(m) => m.values_mut().for_each(|v| replace_strings(v, old, new)),
        Value::Sequence(s) => s.iter_mut().for_each(|v| replace_strings(v, old, new)),
        _ => {}
    }
}

fn component_names(doc: &Value, kind: &str) -> Vec<String> {
    doc.get("components")
        .and_then(|c| c.get(kind))
        .and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn path_keys(doc: &Value) -> Vec<String> {
    doc.get("paths")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Renames path keys with `f` (keeping the order).
fn rename_paths(doc: &mut Value, f: impl Fn(&str) -> String) {
    if let Some(Value::Mapping(paths)) = doc.get_mut("paths") {
        let entries: Vec<(Value, Value)> = std::mem::take(paths).into_iter().collect();
        for (k, v) in entries {
            let k = match k.as_str() {
                Some(s) => Value::String(f(s)),
                None => k,
            };
            paths.insert(k, v);
        }
    }
}

// ------------------------------------------------------------------------------------ names

/// Names the generated crates use themselves (modules, crates, locals and fields of the generated
/// code, prelude and support types), and names odd in themselves (keywords, digits first, empty,
/// separators only, punctuation, non-ASCII, control characters, case), by group.
const NAMES: &[(&str, &[&str])] = &[
    (
        "module",
        &[
            "support", "router", "params", "models", "query", "types", "lib",
        ],
    ),
    (
        "crate",
        &[
            "std",
            "core",
            "alloc",
            "serde",
            "serde_json",
            "axum",
            "reqwest",
            "tokio",
            "chrono",
            "uuid",
            "regex",
            "futures_util",
            "tracing",
            "authentik_models",
            "authentik_server",
            "authentik_client",
        ],
    ),
    (
        "local",
        &[
            "state",
            "principal",
            "parts",
            "body",
            "payload",
            "errors",
            "pairs",
            "request",
            "response",
            "service",
            "config",
            "client",
            "url",
            "path",
            "value",
            "result",
            "status",
            "headers",
        ],
    ),
    (
        "type",
        &[
            "Client",
            "Error",
            "Result",
            "Option",
            "String",
            "Vec",
            "Box",
            "Maybe",
            "Default",
            "Value",
            "Unknown",
            "None",
            "Some",
            "Ok",
            "Err",
            "ValidationErrors",
        ],
    ),
    (
        "keyword",
        &[
            "type", "fn", "match", "mod", "crate", "self", "Self", "super", "async", "await",
            "dyn", "try", "union", "r#type",
        ],
    ),
    ("digits", &["0", "9lives", "1_x"]),
    ("empty", &[""]),
    ("separators", &["_", "__", "-", "--"]),
    (
        "punctuation",
        &[
            "a b", "a-b", "a.b", "a/b", "a~b", "{x}", "a\"b", "a\\b", "a'b",
        ],
    ),
    ("unicode", &["ünïcödé", "名前", "Ωmega", "😀"]),
    ("control", &["a\u{1}b", "a\nb", "a\tb", "\u{7f}"]),
    (
        "case",
        &[
            "ALLCAPS",
            "camelCase",
            "PascalCase",
            "trailing_",
            "_leading",
            "x__y",
            "A",
        ],
    ),
];

fn to_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else if c.is_alphanumeric() {
            out.push(c);
            prev_lower = true;
        } else {
            out.push('_');
            prev_lower = false;
        }
    }
    out
}

fn to_camel(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// A name that differs from `name` only in case or separators.
fn case_variant(rng: &mut Rng, name: &str) -> String {
    match rng.below(8) {
        0 => to_camel(name),
        1 => to_snake(name),
        2 => to_snake(name).replace('_', "-"),
        3 => name.to_uppercase(),
        4 => format!("{name}_"),
        5 => format!("_{name}"),
        6 => {
            let camel = to_camel(name);
            let mut cs = camel.chars();
            cs.next()
                .map(|c| c.to_lowercase().chain(cs).collect())
                .unwrap_or_default()
        }
        _ => name.replace('_', "__"),
    }
}

/// A weird name for a place whose other names are `siblings`, and its group: `variant` (of a
/// sibling, in case or separators), `long`, or a group of [`NAMES`].
fn weird_name(rng: &mut Rng, siblings: &[String]) -> (String, &'static str) {
    let roll = rng.below(100);
    if roll < 30 && !siblings.is_empty() {
        let sibling = rng.pick(siblings).cloned().unwrap_or_default();
        (case_variant(rng, &sibling), "variant")
    } else if roll < 35 {
        let name = if rng.percent(50) {
            "a".repeat(300)
        } else {
            "LongResourceName".repeat(19)
        };
        (name, "long")
    } else {
        // The groups of reserved names as often as the odd ones together.
        let (group, names) = if roll < 68 {
            NAMES[rng.below(4)]
        } else {
            NAMES[4 + rng.below(NAMES.len() - 4)]
        };
        let name = rng.pick(names).copied().unwrap_or_default();
        (name.to_owned(), group)
    }
}

// ------------------------------------------------------------------------------------ mutations

/// One mutated document.
struct Mutant {
    base: usize,
    doc: Value,
    steps: Vec<String>,
    /// What a mutation that may make code that does not compile did (a weird or colliding name,
    /// deep nesting), as `place:group` tags: a success with a tag not seen yet is compiled.
    tags: Vec<String>,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    DeleteKey,
    WrongType,
    DanglingRef,
    CyclicRef,
    RefElsewhere,
    WeirdName,
    OddNumber,
    BadRegex,
    Composition,
    DuplicateOperationId,
    DeepNesting,
    TypeWithProperties,
    PathTemplate,
    ParamTweak,
    ResponseTweak,
}

/// Each kind with its weight (out of 100).
const KINDS: &[(Kind, usize)] = &[
    (Kind::DeleteKey, 10),
    (Kind::WrongType, 12),
    (Kind::DanglingRef, 5),
    (Kind::CyclicRef, 6),
    (Kind::RefElsewhere, 5),
    (Kind::WeirdName, 14),
    (Kind::OddNumber, 8),
    (Kind::BadRegex, 4),
    (Kind::Composition, 10),
    (Kind::DuplicateOperationId, 3),
    (Kind::DeepNesting, 4),
    (Kind::TypeWithProperties, 3),
    (Kind::PathTemplate, 4),
    (Kind::ParamTweak, 7),
    (Kind::ResponseTweak, 5),
];

fn pick_kind(rng: &mut Rng) -> Kind {
    let total: usize = KINDS.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (kind, weight) in KINDS {
        if roll < *weight {
            return *kind;
        }
        roll -= weight;
    }
    KINDS[0].0
}

/// The mutant for one case: its base and 1 to 3 mutations, all from the case's seed.
fn mutant(bases: &[Base], seed: u64, case: u64) -> Mutant {
    let mut rng = case_rng(seed, case);
    let total: usize = bases.iter().map(|b| b.weight).sum();
    let mut roll = rng.below(total.max(1));
    let mut base = 0;
    for (i, b) in bases.iter().enumerate() {
        if roll < b.weight {
            base = i;
            break;
        }
        roll -= b.weight;
    }
    let mut m = Mutant {
        base,
        doc: bases[base].doc().clone(),
        steps: Vec::new(),
        tags: Vec::new(),
    };
    let count = 1 + rng.below(3);
    let mut attempts = 0;
    while m.steps.len() < count && attempts < 20 {
        attempts += 1;
        let kind = pick_kind(&mut rng);
        if let Some(step) = apply(kind, &mut rng, &mut m) {
            m.steps.push(format!("{kind:?}: {step}"));
        }
    }
    m
}

fn apply(kind: Kind, rng: &mut Rng, m: &mut Mutant) -> Option<String> {
    let doc = &mut m.doc;
    match kind {
        Kind::DeleteKey => delete_key(rng, doc),
        Kind::WrongType => wrong_type(rng, doc),
        Kind::DanglingRef => dangling_ref(rng, doc),
        Kind::CyclicRef => cyclic_ref(rng, doc),
        Kind::RefElsewhere => ref_elsewhere(rng, doc),
        Kind::WeirdName => {
            let (step, tag) = weird_name_mutation(rng, doc)?;
            m.tags.push(tag);
            Some(step)
        }
        Kind::OddNumber => odd_number(rng, doc),
        Kind::BadRegex => bad_regex(rng, doc),
        Kind::Composition => composition(rng, doc),
        Kind::DuplicateOperationId => {
            let (step, near) = duplicate_operation_id(rng, doc)?;
            if near {
                m.tags.push("operationId:near-duplicate".to_owned());
            }
            Some(step)
        }
        Kind::DeepNesting => {
            let (step, tag) = deep_nesting(rng, doc)?;
            m.tags.push(tag);
            Some(step)
        }
        Kind::TypeWithProperties => type_with_properties(rng, doc),
        Kind::PathTemplate => path_template(rng, doc),
        Kind::ParamTweak => param_tweak(rng, doc),
        Kind::ResponseTweak => response_tweak(rng, doc),
    }
}

/// A random schema node, half the time a component schema.
fn pick_schema(rng: &mut Rng, doc: &Value) -> Option<Vec<Seg>> {
    if rng.percent(40) {
        let names = component_names(doc, "schemas");
        if let Some(name) = rng.pick(&names) {
            return Some(vec![
                Seg::Key("components".into()),
                Seg::Key("schemas".into()),
                Seg::Key(name.as_str().into()),
            ]);
        }
    }
    let schemas = paths_where(doc, is_schema);
    rng.pick(&schemas).cloned()
}

fn delete_key(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let target = if rng.percent(60) {
        pick_schema(rng, doc)?
    } else {
        let maps = paths_where(doc, |_, v| v.as_mapping().is_some_and(|m| !m.is_empty()));
        rng.pick(&maps)?.clone()
    };
    let map = get_mut(doc, &target)?.as_mapping_mut()?;
    let keys: Vec<Value> = map.keys().cloned().collect();
    let key = rng.pick(&keys)?.clone();
    map.remove(&key);
    let mut at = target;
    at.push(Seg::Key(key));
    Some(format!("delete {}", pointer(&at)))
}

fn wrong_value(rng: &mut Rng, old: &Value) -> Value {
    loop {
        let new = match rng.below(9) {
            0 => yaml("7"),
            1 => yaml("-1.5"),
            2 => yaml("text"),
            3 => yaml("true"),
            4 => yaml("[]"),
            5 => yaml("[1, a]"),
            6 => yaml("{}"),
            7 => yaml("{x: 1}"),
            _ => Value::Null,
        };
        if std::mem::discriminant(&new) != std::mem::discriminant(old) {
            return new;
        }
    }
}

fn wrong_type(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let target = if rng.percent(60) {
        // A keyword of a schema: `type`, `items`, `properties`, `required`, `enum`, ...
        let schema = pick_schema(rng, doc)?;
        let keys: Vec<Value> = get(doc, &schema)?.as_mapping()?.keys().cloned().collect();
        let mut at = schema;
        at.push(Seg::Key(rng.pick(&keys)?.clone()));
        at
    } else {
        let all = all_paths(doc);
        rng.pick(&all[1..])?.clone()
    };
    let slot = get_mut(doc, &target)?;
    let new = wrong_value(rng, slot);
    let step = format!(
        "replace {} ({}) by {}",
        pointer(&target),
        describe(slot),
        describe(&new)
    );
    *slot = new;
    Some(step)
}

fn set_ref(doc: &mut Value, at: &[Seg], target: &str) -> Option<String> {
    *get_mut(doc, at)? = reference(target);
    Some(format!("{} := {{$ref: {target:?}}}", pointer(at)))
}

fn dangling_ref(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let target = *rng.pick(&[
        "#/components/schemas/DoesNotExist",
        "#/components/schemas/",
        "#/components/schemas/CaptchaStage/Nope",
        "#/components/parameters/Nope",
        "#/components/responses/Nope",
        "#/definitions/CaptchaStage",
        "#/components/schemas/Name With Space",
        "#/components/schemas/%43aptchaStage",
    ])?;
    let refs = paths_where(doc, |p, v| {
        p.last().and_then(Seg::key) == Some("$ref") && v.is_string()
    });
    if rng.percent(50) && !refs.is_empty() {
        let at = rng.pick(&refs)?.clone();
        let slot = get_mut(doc, &at)?;
        *slot = target.into();
        Some(format!("{} := {target:?}", pointer(&at)))
    } else {
        let at = pick_schema(rng, doc)?;
        set_ref(doc, &at, target)
    }
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{}", escape_token(name))
}

fn set_component(doc: &mut Value, kind: &str, name: &str, value: Value) -> Option<String> {
    let section = doc.get_mut("components")?.get_mut(kind)?.as_mapping_mut()?;
    let step = format!(
        "#/components/{kind}/{} := {}",
        escape_token(name),
        describe(&value)
    );
    section.insert(name.into(), value);
    Some(step)
}

fn cyclic_ref(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let names = component_names(doc, "schemas");
    let a = rng.pick(&names)?.clone();
    let b = rng.pick(&names)?.clone();
    let (ra, rb) = (schema_ref(&a), schema_ref(&b));
    let list = |v: Value| Value::Sequence(vec![v]);
    match rng.below(8) {
        0 => set_component(doc, "schemas", &a, reference(&ra)),
        1 => {
            let one = set_component(doc, "schemas", &a, reference(&rb))?;
            let two = set_component(doc, "schemas", &b, reference(&ra))?;
            Some(format!("{one}; {two}"))
        }
        2 => {
            let alias = map(vec![
                ("allOf", list(reference(&rb))),
                ("nullable", true.into()),
            ]);
            let one = set_component(doc, "schemas", &a, alias)?;
            let two = set_component(
                doc,
                "schemas",
                &b,
                map(vec![("allOf", list(reference(&ra)))]),
            )?;
            Some(format!("{one}; {two}"))
        }
        3 => set_component(
            doc,
            "schemas",
            &a,
            map(vec![("type", "array".into()), ("items", reference(&ra))]),
        ),
        4 => set_component(
            doc,
            "schemas",
            &a,
            map(vec![
                ("type", "object".into()),
                ("additionalProperties", reference(&ra)),
            ]),
        ),
        5 => set_component(
            doc,
            "schemas",
            &a,
            map(vec![
                ("type", "object".into()),
                ("properties", map(vec![("me", reference(&ra))])),
                ("required", list("me".into())),
            ]),
        ),
        6 => set_component(
            doc,
            "schemas",
            &a,
            map(vec![
                ("oneOf", list(reference(&ra))),
                ("discriminator", map(vec![("propertyName", "kind".into())])),
            ]),
        ),
        _ => {
            let kind = *rng.pick(&["parameters", "responses", "requestBodies"])?;
            let names = component_names(doc, kind);
            let name = rng.pick(&names)?.clone();
            let target = format!("#/components/{kind}/{}", escape_token(&name));
            set_component(doc, kind, &name, reference(&target))
        }
    }
}

fn ref_elsewhere(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let paths = path_keys(doc);
    let schemas = component_names(doc, "schemas");
    let parameters = component_names(doc, "parameters");
    let responses = component_names(doc, "responses");
    let mut targets: Vec<String> = [
        "#/info",
        "#",
        "#/components",
        "#/components/schemas",
        "#/paths",
        "other.yaml#/components/schemas/X",
        "https://example.com/schema.yaml#/X",
        "#/components/schemas/A~2B",
        "#components/schemas/X",
        "",
        "#/components/securitySchemes/authentik",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if let Some(p) = rng.pick(&paths) {
        targets.push(format!("#/paths/{}", escape_token(p)));
    }
    if let Some(p) = rng.pick(&parameters) {
        targets.push(format!("#/components/parameters/{}", escape_token(p)));
    }
    if let Some(r) = rng.pick(&responses) {
        targets.push(format!("#/components/responses/{}", escape_token(r)));
    }
    if let Some(s) = rng.pick(&schemas) {
        targets.push(format!("{}/properties", schema_ref(s)));
        targets.push(format!("{}/type", schema_ref(s)));
    }
    let target = rng.pick(&targets)?.clone();
    match rng.below(4) {
        // A parameter, a response or a request body pointing at a schema.
        0 => {
            let params = paths_where(doc, |p, v| {
                is_parameter(v) && p.len() >= 2 && p[p.len() - 2].key() == Some("parameters")
            });
            let at = rng.pick(&params)?.clone();
            let s = rng.pick(&schemas)?.clone();
            set_ref(doc, &at, &schema_ref(&s))
        }
        1 => {
            let rs = paths_where(doc, |p, v| {
                v.is_mapping() && p.len() >= 2 && p[p.len() - 2].key() == Some("responses")
            });
            let at = rng.pick(&rs)?.clone();
            let s = rng.pick(&schemas)?.clone();
            set_ref(doc, &at, &schema_ref(&s))
        }
        _ => {
            let at = pick_schema(rng, doc)?;
            set_ref(doc, &at, &target)
        }
    }
}

/// The step and its tag (`place:group`).
fn weird_name_mutation(rng: &mut Rng, doc: &mut Value) -> Option<(String, String)> {
    match rng.below(6) {
        // A component schema, with every `$ref` to it.
        0 => {
            let names = component_names(doc, "schemas");
            let old = rng.pick(&names)?.clone();
            let (new, group) = weird_name(rng, &names);
            if names.contains(&new) {
                return None;
            }
            let schemas = doc.get_mut("components")?.get_mut("schemas")?;
            rename_key(
                schemas.as_mapping_mut()?,
                &old.as_str().into(),
                new.as_str().into(),
            );
            replace_strings(doc, &schema_ref(&old), &schema_ref(&new));
            Some((
                format!("rename schema {old:?} to {new:?}"),
                format!("schema:{group}"),
            ))
        }
        // A property, and its `required` entry.
        1 => {
            let objects = paths_where(doc, |p, v| {
                is_schema(p, v)
                    && v.get("properties")
                        .and_then(Value::as_mapping)
                        .is_some_and(|m| !m.is_empty())
            });
            let at = rng.pick(&objects)?.clone();
            let schema = get_mut(doc, &at)?;
            let names: Vec<String> = schema
                .get("properties")?
                .as_mapping()?
                .keys()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let old = rng.pick(&names)?.clone();
            let (new, group) = weird_name(rng, &names);
            if names.contains(&new) {
                return None;
            }
            let properties = schema.get_mut("properties")?.as_mapping_mut()?;
            rename_key(properties, &old.as_str().into(), new.as_str().into());
            if let Some(required) = schema.get_mut("required") {
                replace_strings(required, &old, &new);
            }
            Some((
                format!(
                    "rename property {}/properties/{} to {new:?}",
                    pointer(&at),
                    escape_token(&old)
                ),
                format!("property:{group}"),
            ))
        }
        // A parameter (and the path template, for a path parameter).
        2 => {
            let params = paths_where(doc, |_, v| is_parameter(v));
            let at = rng.pick(&params)?.clone();
            let siblings: Vec<String> = get(doc, &at[..at.len().saturating_sub(1)])
                .and_then(Value::as_sequence)
                .map(|s| {
                    s.iter()
                        .filter_map(|p| p.get("name")?.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let param = get_mut(doc, &at)?;
            let old = param.get("name")?.as_str()?.to_owned();
            let location = param.get("in")?.as_str()?.to_owned();
            let (new, group) = weird_name(rng, &siblings);
            *param.get_mut("name")? = new.as_str().into();
            if location == "path" {
                let owner = (at.first().and_then(Seg::key) == Some("paths"))
                    .then(|| at.get(1).and_then(Seg::key).map(str::to_owned))
                    .flatten();
                rename_paths(doc, |p| {
                    if owner.is_none() || owner.as_deref() == Some(p) {
                        p.replace(&format!("{{{old}}}"), &format!("{{{new}}}"))
                    } else {
                        p.to_owned()
                    }
                });
            }
            Some((
                format!(
                    "rename {location} parameter {} from {old:?} to {new:?}",
                    pointer(&at)
                ),
                format!("{location}-parameter:{group}"),
            ))
        }
        // An operationId.
        3 => {
            let ops = paths_where(doc, is_operation);
            let ids: Vec<String> = ops
                .iter()
                .filter_map(|p| get(doc, p)?.get("operationId")?.as_str().map(str::to_owned))
                .collect();
            let at = rng.pick(&ops)?.clone();
            let (new, group) = weird_name(rng, &ids);
            let op = get_mut(doc, &at)?.as_mapping_mut()?;
            op.insert("operationId".into(), new.as_str().into());
            Some((
                format!("{}/operationId := {new:?}", pointer(&at)),
                format!("operationId:{group}"),
            ))
        }
        // A resource: the first segment after `/stages/` of every path that has it.
        4 => {
            let resources: Vec<String> = path_keys(doc)
                .iter()
                .filter_map(|p| p.strip_prefix("/stages/")?.split('/').next())
                .map(str::to_owned)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let old = rng.pick(&resources)?.clone();
            let (new, group) = weird_name(rng, &resources);
            let from = format!("/stages/{old}/");
            let to = format!("/stages/{new}/");
            rename_paths(doc, |p| match p.strip_prefix(&from) {
                Some(rest) => format!("{to}{rest}"),
                None => p.to_owned(),
            });
            Some((
                format!("rename resource {old:?} to {new:?}"),
                format!("resource:{group}"),
            ))
        }
        // A string enum value.
        _ => {
            let enums = paths_where(doc, |p, v| {
                is_schema(p, v)
                    && v.get("enum")
                        .and_then(Value::as_sequence)
                        .is_some_and(|s| s.iter().any(Value::is_string))
            });
            let at = rng.pick(&enums)?.clone();
            let values = get_mut(doc, &at)?.get_mut("enum")?.as_sequence_mut()?;
            let siblings: Vec<String> = values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let i = rng.below(values.len());
            let (new, group) = weird_name(rng, &siblings);
            let old = describe(&values[i]);
            values[i] = new.as_str().into();
            Some((
                format!("{}/enum/{i}: {old} to {new:?}", pointer(&at)),
                format!("enum:{group}"),
            ))
        }
    }
}

fn odd_number(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let numbers: [Value; 13] = [
        Value::from(f64::NAN),
        Value::from(f64::INFINITY),
        Value::from(f64::NEG_INFINITY),
        Value::from(-0.0f64),
        Value::from(1e308f64),
        Value::from(-1e308f64),
        Value::from(5e-324f64),
        Value::from(u64::MAX),
        Value::from(i64::MIN),
        Value::from(-1),
        Value::from(9_007_199_254_740_993u64),
        Value::from(0.5f64),
        Value::from(0),
    ];
    match rng.below(6) {
        // minimum > maximum, maxLength < minLength, maxItems < minItems.
        0 => {
            let at = pick_schema(rng, doc)?;
            let (lo, hi) = *rng.pick(&[
                ("minimum", "maximum"),
                ("minLength", "maxLength"),
                ("minItems", "maxItems"),
            ])?;
            let schema = get_mut(doc, &at)?.as_mapping_mut()?;
            schema.insert(lo.into(), 10.into());
            schema.insert(hi.into(), 2.into());
            Some(format!("{}: {lo} 10 > {hi} 2", pointer(&at)))
        }
        // A non-finite number where nothing reads it.
        1 => {
            let n = rng.pick(&numbers[..3])?.clone();
            let value = yaml("{type: number}");
            let mut value = value.as_mapping()?.clone();
            value.insert("minimum".into(), n);
            set_component(doc, "schemas", "Unreached", Value::Mapping(value))
        }
        _ => {
            let at = pick_schema(rng, doc)?;
            let keyword = *rng.pick(&[
                "minimum",
                "maximum",
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
                "multipleOf",
                "minProperties",
                "maxProperties",
                "default",
                "example",
                "exclusiveMinimum",
            ])?;
            let n = rng.pick(&numbers)?.clone();
            let step = format!("{}/{keyword} := {}", pointer(&at), describe(&n));
            get_mut(doc, &at)?
                .as_mapping_mut()?
                .insert(keyword.into(), n);
            Some(step)
        }
    }
}

fn bad_regex(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let strings = paths_where(doc, |p, v| {
        is_schema(p, v) && v.get("type").and_then(Value::as_str) == Some("string")
    });
    let at = if rng.percent(80) && !strings.is_empty() {
        rng.pick(&strings)?.clone()
    } else {
        pick_schema(rng, doc)?
    };
    let pattern = *rng.pick(&[
        "(",
        "[a-",
        "\\",
        "a{2,1}",
        "\\p{Nope}",
        "(?<n>a)\\k<n>",
        "(a)\\1",
        "(?=a)",
        "a{100000}{100000}",
        "[[:nope:]]",
        "\\u{110000}",
        "",
        "(?i",
        "*a",
        "\u{0}",
    ])?;
    get_mut(doc, &at)?
        .as_mapping_mut()?
        .insert("pattern".into(), pattern.into());
    Some(format!("{}/pattern := {pattern:?}", pointer(&at)))
}

fn composition(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    match rng.below(10) {
        // nullable everywhere.
        0 => {
            for at in paths_where(doc, is_schema) {
                if let Some(map) = get_mut(doc, &at).and_then(Value::as_mapping_mut) {
                    map.insert("nullable".into(), true.into());
                }
            }
            Some("nullable: true on every schema".to_owned())
        }
        // readOnly and writeOnly together.
        1 => {
            let props = paths_where(doc, |p, v| {
                is_schema(p, v) && p.len() >= 2 && p[p.len() - 2].key() == Some("properties")
            });
            let at = rng.pick(&props)?.clone();
            let map = get_mut(doc, &at)?.as_mapping_mut()?;
            map.insert("readOnly".into(), true.into());
            map.insert("writeOnly".into(), true.into());
            Some(format!("{}: readOnly and writeOnly", pointer(&at)))
        }
        // A discriminator with a bad mapping (or on a schema that is not a oneOf).
        2 | 3 => {
            let names = component_names(doc, "schemas");
            let at = pick_schema(rng, doc)?;
            let property = *rng.pick(&["component", "type", "", "name", "missing"])?;
            let mapping = match rng.below(4) {
                0 => map(vec![("a", "#/components/schemas/Missing".into())]),
                1 => map(vec![("a", "NotARef".into()), ("b", "".into())]),
                2 => map(vec![("", schema_ref(rng.pick(&names)?).into())]),
                _ => map(vec![
                    ("x", schema_ref(rng.pick(&names)?).into()),
                    ("y", schema_ref(rng.pick(&names)?).into()),
                ]),
            };
            let discriminator = map(vec![
                ("propertyName", property.into()),
                ("mapping", mapping),
            ]);
            let step = format!(
                "{}/discriminator := {}",
                pointer(&at),
                describe(&discriminator)
            );
            let variants = rng.percent(50).then(|| {
                let a = schema_ref(rng.pick(&names).map_or("", String::as_str));
                let b = schema_ref(rng.pick(&names).map_or("", String::as_str));
                Value::Sequence(vec![reference(&a), reference(&b)])
            });
            let schema = get_mut(doc, &at)?.as_mapping_mut()?;
            schema.insert("discriminator".into(), discriminator);
            if let Some(variants) = variants {
                if !schema.contains_key("oneOf") {
                    schema.insert("oneOf".into(), variants);
                }
            }
            Some(step)
        }
        // allOf with a property of the same name and another type.
        4 => {
            let objects = paths_where(doc, |p, v| {
                is_schema(p, v) && v.get("properties").is_some_and(Value::is_mapping)
            });
            let at = rng.pick(&objects)?.clone();
            let slot = get_mut(doc, &at)?;
            let name = slot
                .get("properties")?
                .as_mapping()?
                .keys()
                .next()?
                .as_str()?
                .to_owned();
            let other = map(vec![
                ("type", "object".into()),
                (
                    "properties",
                    map(vec![(name.as_str(), yaml("{type: boolean}"))]),
                ),
            ]);
            let old = std::mem::take(slot);
            *slot = wrap("allOf", Value::Sequence(vec![old, other]));
            Some(format!(
                "{}: allOf with a boolean {name:?} beside",
                pointer(&at)
            ))
        }
        // Wrap in allOf / oneOf / anyOf / not.
        _ => {
            let at = pick_schema(rng, doc)?;
            let slot = get_mut(doc, &at)?;
            let old = std::mem::take(slot);
            let (how, new) = match rng.below(7) {
                0 => ("allOf: [X]", wrap("allOf", Value::Sequence(vec![old]))),
                1 => (
                    "allOf: [X, X]",
                    wrap("allOf", Value::Sequence(vec![old.clone(), old])),
                ),
                2 => ("oneOf: [X]", wrap("oneOf", Value::Sequence(vec![old]))),
                3 => (
                    "oneOf: [X, {type: string}]",
                    wrap("oneOf", Value::Sequence(vec![old, yaml("{type: string}")])),
                ),
                4 => ("anyOf: [X]", wrap("anyOf", Value::Sequence(vec![old]))),
                5 => ("not: X", wrap("not", old)),
                _ => {
                    let mut w = wrap("allOf", Value::Sequence(vec![old]));
                    if let Some(m) = w.as_mapping_mut() {
                        m.insert("nullable".into(), true.into());
                        m.insert("readOnly".into(), true.into());
                    }
                    ("allOf: [X], nullable, readOnly", w)
                }
            };
            *slot = new;
            Some(format!("{} := {how}", pointer(&at)))
        }
    }
}

fn wrap(keyword: &str, inner: Value) -> Value {
    let mut map = Mapping::new();
    map.insert(keyword.into(), inner);
    Value::Mapping(map)
}

/// The step, and whether the copy is a near miss (case or separators differ).
fn duplicate_operation_id(rng: &mut Rng, doc: &mut Value) -> Option<(String, bool)> {
    let ops = paths_where(doc, |p, v| {
        is_operation(p, v) && v.get("operationId").is_some()
    });
    if ops.len() < 2 {
        return None;
    }
    let from = rng.pick(&ops)?.clone();
    let to = rng.pick(&ops)?.clone();
    let id = get(doc, &from)?.get("operationId")?.as_str()?.to_owned();
    let near = rng.percent(50);
    let new = if near { case_variant(rng, &id) } else { id };
    let op = get_mut(doc, &to)?.as_mapping_mut()?;
    op.insert("operationId".into(), new.as_str().into());
    Some((format!("{}/operationId := {new:?}", pointer(&to)), near))
}

/// The step and its tag (`deep:<kind>`, `deep:<kind>:40+` from 40 levels on).
fn deep_nesting(rng: &mut Rng, doc: &mut Value) -> Option<(String, String)> {
    let at = pick_schema(rng, doc)?;
    let depth = *rng.pick(&[8usize, 16, 24, 40, 60])?;
    let kind = rng.below(4);
    let slot = get_mut(doc, &at)?;
    let mut value = std::mem::take(slot);
    for _ in 0..depth {
        value = match kind {
            0 => {
                let mut m = wrap("items", value);
                m.as_mapping_mut()?.insert("type".into(), "array".into());
                m
            }
            1 => {
                let mut props = Mapping::new();
                props.insert("x".into(), value);
                let mut m = wrap("properties", Value::Mapping(props));
                m.as_mapping_mut()?.insert("type".into(), "object".into());
                m
            }
            2 => wrap("allOf", Value::Sequence(vec![value])),
            _ => {
                let mut m = wrap("additionalProperties", value);
                m.as_mapping_mut()?.insert("type".into(), "object".into());
                m
            }
        };
    }
    *slot = value;
    let how = ["arrays", "objects", "allOfs", "maps"][kind];
    let tag = if depth >= 40 {
        format!("deep:{how}:40+")
    } else {
        format!("deep:{how}")
    };
    Some((format!("{}: wrapped in {depth} {how}", pointer(&at)), tag))
}

fn type_with_properties(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let ty = *rng.pick(&["string", "integer", "number", "boolean", "array"])?;
    let objects = paths_where(doc, |p, v| {
        is_schema(p, v) && v.get("properties").is_some_and(Value::is_mapping)
    });
    if rng.percent(70) && !objects.is_empty() {
        let at = rng.pick(&objects)?.clone();
        get_mut(doc, &at)?
            .as_mapping_mut()?
            .insert("type".into(), ty.into());
        Some(format!("{}/type := {ty} beside properties", pointer(&at)))
    } else {
        let at = pick_schema(rng, doc)?;
        let map = get_mut(doc, &at)?.as_mapping_mut()?;
        map.insert("type".into(), ty.into());
        map.insert("properties".into(), yaml("{a: {type: string}}"));
        Some(format!("{} := type {ty} with properties", pointer(&at)))
    }
}

fn path_template(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let keys = path_keys(doc);
    let old = rng.pick(&keys)?.clone();
    let new = match rng.below(9) {
        0 => old.replacen('{', "", 1).replacen('}', "", 1),
        1 => format!("{old}{{extra}}/"),
        2 => old.replacen("/stages/", "/stages//", 1),
        3 => old.trim_end_matches('/').to_owned(),
        4 => old.trim_start_matches('/').to_owned(),
        5 => old.replacen('}', "}{b}", 1),
        6 => old.replacen('}', "", 1),
        7 => old.replacen("/stages/", "/stages/ü-", 1),
        _ => old.to_uppercase(),
    };
    if keys.contains(&new) {
        return None;
    }
    rename_paths(doc, |p| if p == old { new.clone() } else { p.to_owned() });
    Some(format!("path {old:?} to {new:?}"))
}

fn param_tweak(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    let params = paths_where(doc, |_, v| is_parameter(v));
    let at = rng.pick(&params)?.clone();
    let schemas = component_names(doc, "schemas");
    let (key, value): (&str, Value) = match rng.below(8) {
        0 => (
            "in",
            (*rng.pick(&["header", "cookie", "path", "query", "body", "formData"])?).into(),
        ),
        1 => ("required", rng.percent(50).into()),
        2 => (
            "style",
            (*rng.pick(&[
                "deepObject",
                "spaceDelimited",
                "pipeDelimited",
                "matrix",
                "label",
            ])?)
            .into(),
        ),
        3 => ("explode", rng.percent(50).into()),
        4 => (
            "content",
            yaml("{application/json: {schema: {type: string}}}"),
        ),
        5 => {
            // The same parameter twice.
            let Some(Seg::Index(i)) = at.last() else {
                return None;
            };
            let list = get_mut(doc, &at[..at.len() - 1])?.as_sequence_mut()?;
            let copy = list.get(*i)?.clone();
            list.push(copy);
            return Some(format!("{} twice", pointer(&at)));
        }
        _ => {
            let schema = match rng.below(8) {
                0 => yaml("{type: object, properties: {a: {type: string}}}"),
                1 => yaml("{type: array, items: {type: array, items: {type: string}}}"),
                2 => yaml("{type: string, format: binary}"),
                3 => yaml("{type: string, format: uuid}"),
                4 => yaml("{type: integer, format: int64, minimum: -5}"),
                5 => yaml("{type: number}"),
                6 => yaml("{type: array, items: {type: string, enum: [a, b]}}"),
                _ => reference(&schema_ref(rng.pick(&schemas)?)),
            };
            ("schema", schema)
        }
    };
    let step = format!("{}/{key} := {}", pointer(&at), describe(&value));
    get_mut(doc, &at)?
        .as_mapping_mut()?
        .insert(key.into(), value);
    Some(step)
}

fn response_tweak(rng: &mut Rng, doc: &mut Value) -> Option<String> {
    match rng.below(4) {
        // A status code.
        0 => {
            let maps = paths_where(doc, |p, v| {
                is_operation(
                    &p[..p.len().saturating_sub(1)],
                    &Value::Mapping(Mapping::new()),
                ) && p.last().and_then(Seg::key) == Some("responses")
                    && v.as_mapping().is_some_and(|m| !m.is_empty())
            });
            let at = rng.pick(&maps)?.clone();
            let map = get_mut(doc, &at)?.as_mapping_mut()?;
            let keys: Vec<Value> = map.keys().cloned().collect();
            let old = rng.pick(&keys)?.clone();
            let new = *rng.pick(&["2XX", "default", "99", "600", "abc", "", "200.0", "1XX"])?;
            if map.contains_key(new) {
                return None;
            }
            rename_key(map, &old, new.into());
            Some(format!(
                "{}: status {} to {new:?}",
                pointer(&at),
                describe(&old)
            ))
        }
        // A media type.
        1 | 2 => {
            let contents = paths_where(doc, |p, v| {
                p.last().and_then(Seg::key) == Some("content")
                    && v.as_mapping().is_some_and(|m| !m.is_empty())
            });
            let at = rng.pick(&contents)?.clone();
            let map = get_mut(doc, &at)?.as_mapping_mut()?;
            let keys: Vec<Value> = map.keys().cloned().collect();
            let old = rng.pick(&keys)?.clone();
            let new = *rng.pick(&[
                "text/plain",
                "application/xml",
                "multipart/form-data",
                "application/x-www-form-urlencoded",
                "*/*",
                "application/json; charset=utf-8",
                "application/problem+json",
                "",
            ])?;
            if map.contains_key(new) {
                return None;
            }
            rename_key(map, &old, new.into());
            Some(format!(
                "{}: media type {} to {new:?}",
                pointer(&at),
                describe(&old)
            ))
        }
        // A body where there should be none, or none where there should be one.
        _ => {
            let ops = paths_where(doc, is_operation);
            let at = rng.pick(&ops)?.clone();
            let op = get_mut(doc, &at)?.as_mapping_mut()?;
            if rng.percent(50) {
                let responses = op.get_mut("responses")?.as_mapping_mut()?;
                responses.insert(
                    "204".into(),
                    yaml("{description: none, content: {application/json: {schema: {type: object}}}}"),
                );
                Some(format!("{}/responses/204 with a body", pointer(&at)))
            } else {
                op.insert(
                    "requestBody".into(),
                    yaml("{content: {application/json: {schema: {type: array, items: {}}}}}"),
                );
                Some(format!(
                    "{}/requestBody := a list of anything",
                    pointer(&at)
                ))
            }
        }
    }
}

// ------------------------------------------------------------------------------------ one case

#[derive(Clone, Debug)]
enum Outcome {
    /// Generated; the hash of the files.
    Generated(u64),
    /// A parse or schema error, every pointer starting with `#`.
    Refused,
    Panic(String),
    /// An error of another kind, or a pointer that does not start with `#`.
    NoPointer(String),
    /// The worker process died during the case.
    Crash(String),
    Timeout,
}

impl Outcome {
    fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Generated(_) | Outcome::Refused)
    }

    /// One line, for the worker protocol.
    fn encode(&self) -> String {
        let flat = |s: &str| s.replace('\\', "\\\\").replace('\n', "\\n");
        match self {
            Outcome::Generated(hash) => format!("generated {hash}"),
            Outcome::Refused => "refused".to_owned(),
            Outcome::Panic(m) => format!("panic {}", flat(m)),
            Outcome::NoPointer(m) => format!("nopointer {}", flat(m)),
            Outcome::Crash(m) => format!("crash {}", flat(m)),
            Outcome::Timeout => "timeout".to_owned(),
        }
    }

    fn decode(text: &str) -> Outcome {
        let (tag, rest) = text.split_once(' ').unwrap_or((text, ""));
        let rest = rest.replace("\\n", "\n").replace("\\\\", "\\");
        match tag {
            "generated" => Outcome::Generated(rest.parse().unwrap_or_default()),
            "refused" => Outcome::Refused,
            "panic" => Outcome::Panic(rest),
            "nopointer" => Outcome::NoPointer(rest),
            "timeout" => Outcome::Timeout,
            _ => Outcome::Crash(rest),
        }
    }

    /// What makes two failures the same, for the report: the panic's place, the error's text
    /// without the case's names and numbers.
    fn class(&self) -> String {
        let generic = |s: &str| -> String {
            let first = s.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
            let mut out = String::new();
            let mut quoted = false;
            for c in first.chars() {
                match c {
                    '`' | '"' => {
                        quoted = !quoted;
                        out.push(c);
                    }
                    _ if quoted => {}
                    c if c.is_ascii_digit() => {
                        if !out.ends_with('N') {
                            out.push('N');
                        }
                    }
                    c => out.push(c),
                }
            }
            out.chars().take(160).collect()
        };
        match self {
            Outcome::Generated(_) | Outcome::Refused => String::new(),
            Outcome::Panic(m) => format!("panic: {}", generic(m)),
            Outcome::NoPointer(m) => format!("error without pointer: {}", generic(m)),
            Outcome::Crash(m) => format!("crash: {}", generic(m)),
            Outcome::Timeout => format!("timeout: no answer in {} s", CASE_TIMEOUT.as_secs()),
        }
    }
}

static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

thread_local! {
    /// Whether this thread is running a case (see [`run`]).
    static IN_CASE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps the message and place of each panic inside a case for its outcome, instead of printing
/// it; other panics are printed as usual.
fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_CASE.with(std::cell::Cell::get) {
            default(info);
            return;
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut slot) = PANIC.lock() {
            *slot = Some(format!("{message} (at {place})"));
        }
    }));
}

fn label(base: &Base) -> String {
    format!("fuzz/{}.yaml", base.name)
}

/// Loads and generates a mutant (panics caught).
fn run(mutant: &Mutant, bases: &[Base]) -> (Outcome, Option<BTreeMap<PathBuf, String>>) {
    let text = serde_yaml::to_string(&mutant.doc).expect("serialize the mutant");
    let label = label(&bases[mutant.base]);
    IN_CASE.with(|c| c.set(true));
    let result = std::panic::catch_unwind(|| {
        let doc = codegen::load::parse(&text, &label)?;
        xtask::pipeline::generate_from(&doc, &label, "/stages/")
    });
    IN_CASE.with(|c| c.set(false));
    match result {
        Err(_) => {
            let message = PANIC
                .lock()
                .ok()
                .and_then(|mut p| p.take())
                .unwrap_or_else(|| "(no message)".to_owned());
            (Outcome::Panic(message), None)
        }
        Ok(Ok(generated)) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            generated.files.hash(&mut hasher);
            (Outcome::Generated(hasher.finish()), Some(generated.files))
        }
        Ok(Err(e)) => {
            let pointed = match &e {
                Error::Parse { pointer, .. } => pointer.starts_with('#'),
                Error::Schema { diagnostics, .. } => {
                    !diagnostics.is_empty()
                        && diagnostics
                            .iter()
                            .all(|d| d.pointer.as_str().starts_with('#'))
                }
                _ => false,
            };
            if pointed {
                (Outcome::Refused, None)
            } else {
                (Outcome::NoPointer(format!("{e:?}")), None)
            }
        }
    }
}

/// Runs `f` on a thread with the CLI's stack size.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(s, f)
            .expect("spawn")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

// ------------------------------------------------------------------------------------ settings

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
}

// ------------------------------------------------------------------------------------ worker

/// A worker: cases `from, from + step, ...` below `end`, one line per case begun and ended on
/// stdout.
fn worker() {
    let seed = env_u64("FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let from = env_u64("FUZZ_FROM").unwrap_or(0);
    let step = env_u64("FUZZ_STEP").unwrap_or(1).max(1);
    let end = env_u64("FUZZ_END").unwrap_or(0);
    quiet_panics();
    on_big_stack(|| {
        let bases = load_bases();
        let stdout = std::io::stdout();
        let mut case = from;
        while case < end {
            let _ = writeln!(stdout.lock(), "FUZZ begin {case}");
            let _ = stdout.lock().flush();
            let started = Instant::now();
            let mutant = mutant(&bases, seed, case);
            let (outcome, _) = run(&mutant, &bases);
            let took = started.elapsed().as_micros();
            let tags = if mutant.tags.is_empty() {
                "-".to_owned()
            } else {
                mutant.tags.join(",")
            };
            let line = format!(
                "FUZZ end {case} {} {took} {tags} {}",
                mutant.base,
                outcome.encode()
            );
            let _ = writeln!(stdout.lock(), "{line}");
            let _ = stdout.lock().flush();
            case += step;
        }
    });
}

// ------------------------------------------------------------------------------------ supervisor

struct Running {
    child: Child,
    /// Which spawn this is, so lines of a worker that was replaced are ignored.
    generation: u64,
    /// The case begun and not ended, and since when.
    current: Option<(u64, Instant)>,
    log: PathBuf,
}

enum Line {
    Text(String),
    Eof,
}

fn spawn_worker(
    slot: u64,
    from: u64,
    end: u64,
    seed: u64,
    generation: u64,
    tx: &mpsc::Sender<(u64, u64, Line)>,
) -> Running {
    let log = fuzz_dir().join(format!("worker-{slot}.log"));
    let stderr = std::fs::File::create(&log).expect("worker log");
    let mut child = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env("FUZZ_WORKER", "1")
        .env("FUZZ_SEED", seed.to_string())
        .env("FUZZ_FROM", from.to_string())
        .env("FUZZ_STEP", WORKERS.to_string())
        .env("FUZZ_END", end.to_string())
        .env_remove("FUZZ_CASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("spawn a worker");
    let stdout = child.stdout.take().expect("worker stdout");
    let tx = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send((slot, generation, Line::Text(line))).is_err() {
                return;
            }
        }
        let _ = tx.send((slot, generation, Line::Eof));
    });
    Running {
        child,
        generation,
        current: None,
        log,
    }
}

/// The last lines of a worker's standard error that say something.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("note:"))
        .collect();
    lines[lines.len().saturating_sub(3)..].join("\n")
}

/// What became of each case: the outcome, the [`Mutant::tags`] and the base.
type Results = BTreeMap<u64, (Outcome, Vec<String>, usize)>;

/// Time spent per base, generating and refusing: (base, generated) → (cases, seconds).
type Timing = BTreeMap<(usize, bool), (u64, f64)>;

/// Runs cases `0..cases` in [`WORKERS`] processes.
fn supervise(seed: u64, cases: u64, timing: &mut Timing) -> Results {
    let (tx, rx) = mpsc::channel();
    let mut outcomes = BTreeMap::new();
    let mut generation = 0;
    let mut workers: BTreeMap<u64, Running> = (0..WORKERS.min(cases))
        .map(|slot| {
            generation += 1;
            (slot, spawn_worker(slot, slot, cases, seed, generation, &tx))
        })
        .collect();
    while !workers.is_empty() {
        let message = rx.recv_timeout(Duration::from_millis(500));
        // Replaces a worker whose case crashed or hung by one that goes on after that case.
        let mut restart = |slot: u64, after: u64, workers: &mut BTreeMap<u64, Running>| {
            workers.remove(&slot);
            if after + WORKERS < cases {
                generation += 1;
                let next = spawn_worker(slot, after + WORKERS, cases, seed, generation, &tx);
                workers.insert(slot, next);
            }
        };
        match message {
            Ok((slot, generation, line)) => {
                let Some(worker) = workers.get_mut(&slot) else {
                    continue;
                };
                if worker.generation != generation {
                    continue;
                }
                match line {
                    Line::Text(text) => {
                        // libtest starts the line (`test ... `) before the test prints.
                        let text = text.find("FUZZ ").map_or("", |at| &text[at..]);
                        let mut words = text.splitn(7, ' ');
                        match (words.next(), words.next(), words.next()) {
                            (Some("FUZZ"), Some("begin"), Some(case)) => {
                                worker.current = Some((case.parse().unwrap(), Instant::now()));
                            }
                            (Some("FUZZ"), Some("end"), Some(case)) => {
                                let base: usize = words.next().unwrap_or("0").parse().unwrap();
                                let took: f64 = words.next().unwrap_or("0").parse().unwrap();
                                let tags: Vec<String> = match words.next() {
                                    Some("-") | None => Vec::new(),
                                    Some(tags) => tags.split(',').map(str::to_owned).collect(),
                                };
                                let outcome = Outcome::decode(words.next().unwrap_or_default());
                                let generated = matches!(outcome, Outcome::Generated(_));
                                let entry = timing.entry((base, generated)).or_default();
                                entry.0 += 1;
                                entry.1 += took / 1e6;
                                outcomes.insert(case.parse().unwrap(), (outcome, tags, base));
                                worker.current = None;
                            }
                            _ => {}
                        }
                    }
                    Line::Eof => {
                        let status = worker.child.wait().expect("wait for a worker");
                        match worker.current {
                            Some((case, _)) => {
                                let why = format!("worker {status}: {}", log_tail(&worker.log));
                                outcomes.insert(case, (Outcome::Crash(why), Vec::new(), 0));
                                restart(slot, case, &mut workers);
                            }
                            None => {
                                if !status.success() {
                                    panic!(
                                        "a fuzz worker failed outside a case ({status}):\n{}",
                                        log_tail(&worker.log)
                                    );
                                }
                                workers.remove(&slot);
                            }
                        }
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let hung: Vec<(u64, u64)> = workers
            .iter()
            .filter_map(|(slot, w)| match w.current {
                Some((case, since)) if since.elapsed() > CASE_TIMEOUT => Some((*slot, case)),
                _ => None,
            })
            .collect();
        for (slot, case) in hung {
            if let Some(worker) = workers.get_mut(&slot) {
                let _ = worker.child.kill();
                let _ = worker.child.wait();
            }
            outcomes.insert(case, (Outcome::Timeout, Vec::new(), 0));
            restart(slot, case, &mut workers);
        }
    }
    outcomes
}

// ------------------------------------------------------------------------------------ the test

/// The successes to compile, each output once: first one for each group of tags (`module`,
/// `variant`, `arrays:40+`, ...), then one for each tag not covered yet (`resource:module`), up to
/// `tagged` in all, those from our schema first (its crates compile fastest), then by place
/// (resources and parameters first); then [`SAMPLE`]
/// others spread over the run. Each with whether it was chosen for a tag; and the tags no
/// compiled success has.
fn compile_sample(outcomes: &Results, tagged: usize) -> (Vec<(u64, bool)>, BTreeSet<String>) {
    // Places where a name most often collides with the generated code's own come first.
    const PLACES: &[&str] = &[
        "resource",
        "path-parameter",
        "query-parameter",
        "operationId",
        "schema",
        "property",
    ];
    let rank = |tags: &Vec<String>| {
        tags.iter()
            .map(|t| {
                let place = t.split(':').next().unwrap_or_default();
                PLACES
                    .iter()
                    .position(|p| *p == place)
                    .unwrap_or(PLACES.len())
            })
            .min()
            .unwrap_or(PLACES.len())
    };
    let mut successes: Vec<(usize, usize, u64, u64, &Vec<String>)> = outcomes
        .iter()
        .filter_map(|(case, (o, tags, base))| match o {
            Outcome::Generated(hash) => Some((*base, rank(tags), *case, *hash, tags)),
            _ => None,
        })
        .collect();
    successes.sort();
    let group = |tag: &str| tag.split_once(':').map_or(tag, |(_, g)| g).to_owned();
    let mut seen = BTreeSet::new();
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut chosen = Vec::new();
    for by_group in [true, false] {
        for (_, _, case, hash, tags) in &successes {
            let keys: Vec<String> = tags
                .iter()
                .map(|t| if by_group { group(t) } else { t.clone() })
                .collect();
            if chosen.len() < tagged
                && keys.iter().any(|k| !covered.contains(k))
                && seen.insert(*hash)
            {
                covered.extend(tags.iter().cloned());
                covered.extend(tags.iter().map(|t| group(t)));
                chosen.push((*case, true));
            }
        }
    }
    let missed: BTreeSet<String> = successes
        .iter()
        .flat_map(|(_, _, _, _, tags)| tags.iter())
        .filter(|t| !covered.contains(*t))
        .cloned()
        .collect();
    successes.sort_by_key(|(_, _, case, _, _)| *case);
    let stride = (successes.len() / SAMPLE).max(1);
    let mut others = 0;
    for (_, _, case, hash, _) in successes.iter().step_by(stride) {
        if others < SAMPLE && seen.insert(*hash) {
            chosen.push((*case, false));
            others += 1;
        }
    }
    chosen.sort();
    (chosen, missed)
}

#[test]
fn mutated_schemas_never_panic_and_every_error_names_a_pointer() {
    if std::env::var_os("FUZZ_WORKER").is_some() {
        worker();
        return;
    }
    let started = Instant::now();
    let seed = env_u64("FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    prepare_bases();
    quiet_panics();
    let bases = load_bases();
    let out = fuzz_dir();

    let single = env_u64("FUZZ_CASE");
    let mut timing = Timing::new();
    let outcomes = match single {
        Some(case) => {
            let m = mutant(&bases, seed, case);
            std::fs::write(
                out.join(format!("case-{case}.yaml")),
                serde_yaml::to_string(&m.doc).unwrap(),
            )
            .unwrap();
            eprintln!(
                "case {case} (seed {seed:#x}) on {}: {}\nmutant: target/fuzz/case-{case}.yaml",
                bases[m.base].name,
                m.steps.join("; ")
            );
            let (outcome, _) = on_big_stack(|| run(&m, &bases));
            eprintln!("outcome: {outcome:?}");
            BTreeMap::from([(case, (outcome, m.tags, m.base))])
        }
        None => supervise(
            seed,
            env_u64("FUZZ_CASES").unwrap_or(DEFAULT_CASES),
            &mut timing,
        ),
    };
    let timing: Vec<String> = timing
        .iter()
        .map(|((base, generated), (n, secs))| {
            let what = if *generated { "generated" } else { "refused" };
            format!(
                "{} {what}: {n} in {secs:.1} s ({:.0} ms each)",
                bases[*base].name,
                secs * 1000.0 / *n as f64
            )
        })
        .collect();
    let fuzzed = started.elapsed();

    // Failures by class, each with its first cases.
    let mut classes: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (case, (outcome, _, _)) in &outcomes {
        if outcome.is_failure() {
            classes.entry(outcome.class()).or_default().push(*case);
        }
    }
    let failures_dir = out.join("failures");
    let _ = std::fs::remove_dir_all(&failures_dir);
    std::fs::create_dir_all(&failures_dir).unwrap();
    let mut report = String::new();
    for (class, cases) in &classes {
        report.push_str(&format!("{class} ({} case(s))\n", cases.len()));
        for case in cases.iter().take(3) {
            let m = mutant(&bases, seed, *case);
            let file = failures_dir.join(format!("case-{case}.yaml"));
            std::fs::write(&file, serde_yaml::to_string(&m.doc).unwrap()).unwrap();
            report.push_str(&format!(
                "  FUZZ_SEED={seed:#x} FUZZ_CASE={case} ({}): {}\n",
                bases[m.base].name,
                m.steps.join("; ")
            ));
            if let Some((o, _, _)) = outcomes.get(case) {
                let detail = format!("{o:?}");
                report.push_str(&format!(
                    "    {}\n",
                    detail.chars().take(400).collect::<String>()
                ));
            }
        }
    }

    // Compile a sample of the successes, in one workspace.
    let tagged = match std::env::var("FUZZ_COMPILE").as_deref() {
        Ok("all") => usize::MAX,
        Ok(n) => n.parse().unwrap_or(TAGGED),
        Err(_) => TAGGED,
    };
    let (sample, missed) = if tagged == 0 {
        (Vec::new(), BTreeSet::new())
    } else {
        compile_sample(&outcomes, tagged)
    };
    let sets: Vec<CrateSet> = sample
        .iter()
        .filter_map(|(case, _)| {
            let m = mutant(&bases, seed, *case);
            let (_, files) = on_big_stack(|| run(&m, &bases));
            Some(CrateSet {
                name: format!("case-{case}"),
                files: files?,
            })
        })
        .collect();
    let build = if sets.is_empty() {
        None
    } else {
        Some(compile_crate_sets("fuzz", &sets, Build::Check))
    };
    if let Some(build) = &build {
        for (set, lines) in &build.failed {
            let case: u64 = set.trim_start_matches("case-").parse().unwrap();
            let m = mutant(&bases, seed, case);
            report.push_str(&format!(
                "does not compile: FUZZ_SEED={seed:#x} FUZZ_CASE={case} ({}): {}\n",
                bases[m.base].name,
                m.steps.join("; ")
            ));
            for line in lines.iter().take(4) {
                report.push_str(&format!("    {line}\n"));
            }
        }
        if !build.other.is_empty() {
            report.push_str(&build.render());
        }
    }

    let count = |f: fn(&Outcome) -> bool| outcomes.values().filter(|(o, _, _)| f(o)).count();
    let compiled = build
        .as_ref()
        .map_or(0, |b| sets.len().saturating_sub(b.failed.len()));
    let summary = format!(
        "fuzz: {} cases (seed {seed:#x}), {} successes, {} errors, {} panics, {} errors without pointer, {} crashes, {} timeouts; successes compiled: {compiled} of {} ({} for a name or nesting tag; {} tag(s) of successes not compiled, FUZZ_COMPILE=all compiles them); fuzzing {:.1} s, compiling {:.1} s",
        outcomes.len(),
        count(|o| matches!(o, Outcome::Generated(_))),
        count(|o| matches!(o, Outcome::Refused)),
        count(|o| matches!(o, Outcome::Panic(_))),
        count(|o| matches!(o, Outcome::NoPointer(_))),
        count(|o| matches!(o, Outcome::Crash(_))),
        count(|o| matches!(o, Outcome::Timeout)),
        sets.len(),
        sample.iter().filter(|(_, n)| *n).count(),
        missed.len(),
        fuzzed.as_secs_f64(),
        build.as_ref().map_or(0.0, |b| b.elapsed.as_secs_f64()),
    );
    let missed: Vec<&str> = missed.iter().map(String::as_str).collect();
    eprintln!(
        "{summary}\ntime per case: {}\ntags not compiled: {}",
        timing.join("; "),
        missed.join(" ")
    );
    std::fs::write(out.join("summary.txt"), format!("{summary}\n{report}")).unwrap();
    assert!(
        report.is_empty(),
        "{summary}\n\n{report}\nMutants of the failing cases are in target/fuzz/failures/."
    );
}
