//! A faster first reading of a YAML document as plain data, for the documents schema tools
//! write: one document of mappings, sequences and untagged scalars, without anchors, aliases
//! or tags. saphyr's event parser reads them in about half the time serde_yaml (libyaml)
//! takes, and the schema is the largest input the generator reads.
//!
//! The value is the one `serde_yaml::from_str::<serde_yaml::Value>` makes, scalar for scalar.
//! Whatever is outside that subset, and whatever serde_yaml would refuse or treat specially (a
//! key given twice, nesting past its depth limit, an integer past 64 bits, a byte order mark,
//! control characters, YAML 1.1's other line breaks), is left to
//! serde_yaml: [`read`] answers `None` and the caller reads the whole text with serde_yaml,
//! which then decides, and words any error, as before.

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_yaml::{Mapping, Number, Value};

/// How deep [`read`] nests before leaving the document to serde_yaml, whose limit is 128.
const MAX_DEPTH: usize = 100;

/// A collection being read.
enum Open {
    Sequence(Vec<Value>),
    /// A mapping and, between a key and its value, the key.
    Mapping(Mapping, Option<Value>),
}

/// The document as serde_yaml reads it, or `None` when serde_yaml must read it.
pub fn read(text: &str) -> Option<Value> {
    if has_characters_libyaml_reads_otherwise(text) {
        return None;
    }
    let mut reader = Reader::default();
    for event in Parser::new_from_str(text) {
        let (event, _) = event.ok()?;
        if let Step::Completed(value) = reader.step(event)? {
            reader.place(value)?;
        }
    }
    reader.finish()
}

/// What libyaml reads otherwise than saphyr, or refuses: a byte order mark (libyaml skips
/// one), control characters (NUL ends saphyr's input), and the line breaks YAML 1.1 has
/// and 1.2 does not (NEL, U+2028, U+2029).
fn has_characters_libyaml_reads_otherwise(text: &str) -> bool {
    text.chars().any(|c| {
        !matches!(c, '\t' | '\n' | '\r')
            && (c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
                ))
    })
}

/// The document being read: the collections open around the current event, the value of the
/// whole document once it is complete, and how many documents the stream started.
#[derive(Default)]
struct Reader {
    stack: Vec<Open>,
    document: Option<Value>,
    documents: usize,
}

/// What one event did, when [`Reader::step`] keeps reading.
enum Step {
    /// A marker, or a collection opened: no value is complete.
    Nothing,
    /// A scalar was read or a collection closed: the value goes into its parent.
    Completed(Value),
}

impl Reader {
    /// Applies one event; `None` when it is outside the subset [`read`] reads (a second
    /// document, an alias, an anchor or tag, nesting past [`MAX_DEPTH`], an ill-formed end).
    fn step(&mut self, event: Event<'_>) -> Option<Step> {
        let value = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                return Some(Step::Nothing)
            }
            Event::DocumentStart(_) => {
                self.documents += 1;
                return (self.documents <= 1).then_some(Step::Nothing);
            }
            Event::Alias(_) => return None,
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag)
                if anchor != 0 || tag.is_some() =>
            {
                return None
            }
            Event::SequenceStart(..) => return self.open(Open::Sequence(Vec::new())),
            Event::MappingStart(..) => return self.open(Open::Mapping(Mapping::new(), None)),
            Event::SequenceEnd => match self.stack.pop()? {
                Open::Sequence(items) => Value::Sequence(items),
                Open::Mapping(..) => return None,
            },
            Event::MappingEnd => match self.stack.pop()? {
                Open::Mapping(map, None) => Value::Mapping(map),
                _ => return None,
            },
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                scalar(&text, style)?
            }
        };
        Some(Step::Completed(value))
    }

    /// Opens a collection; `None` past [`MAX_DEPTH`].
    fn open(&mut self, collection: Open) -> Option<Step> {
        self.stack.push(collection);
        (self.stack.len() <= MAX_DEPTH).then_some(Step::Nothing)
    }

    /// Puts a complete value where it belongs: the document, the next item of a sequence, or a
    /// mapping's key or value; `None` for a second top-level value or a key given twice.
    fn place(&mut self, value: Value) -> Option<()> {
        match self.stack.last_mut() {
            None => {
                if self.document.replace(value).is_some() {
                    return None;
                }
            }
            Some(Open::Sequence(items)) => items.push(value),
            Some(Open::Mapping(map, key)) => match key.take() {
                None => *key = Some(value),
                Some(k) => {
                    if map.contains_key(&k) {
                        return None;
                    }
                    map.insert(k, value);
                }
            },
        }
        Some(())
    }

    /// The document, when exactly one was read and every collection closed.
    fn finish(self) -> Option<Value> {
        if !self.stack.is_empty() || self.documents != 1 {
            return None;
        }
        self.document
    }
}

/// A scalar as serde_yaml resolves an untagged one: quoted and block scalars are strings; a plain
/// one is null, a boolean, an integer (decimal, `0x`, `0o` or `0b`, with an optional sign), a
/// finite float or `.inf`/`.nan`, else a string, by serde_yaml 0.9's rules. `None` for an
/// integer past 64 bits, which serde_yaml's `Value` refuses: it words that error.
fn scalar(text: &str, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(text.to_owned()));
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = unsigned(text, u64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if let Some(n) = negative(text, i64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if unsigned(text, u128::from_str_radix).is_some()
        || negative(text, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !leading_zero_digits(text) {
        if let Some(f) = float(text) {
            return Some(Value::Number(Number::from(f)));
        }
    }
    Some(Value::String(text.to_owned()))
}

/// The radix prefixes an integer may carry.
const RADIXES: [(&str, u32); 3] = [("0x", 16), ("0o", 8), ("0b", 2)];

/// A non-negative integer: an optional `+`, then a radix prefix and digits, or decimal digits
/// (not `0` followed by more digits, which YAML 1.2 reads as a string).
fn unsigned<T, E>(text: &str, parse: fn(&str, u32) -> Result<T, E>) -> Option<T> {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    for (prefix, radix) in RADIXES {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = parse(rest, radix) {
                return Some(n);
            }
        }
    }
    if unsigned.starts_with(['+', '-']) || leading_zero_digits(text) {
        return None;
    }
    parse(unsigned, 10).ok()
}

/// A negative integer: `-`, then a radix prefix and digits, or decimal digits.
fn negative<T, E>(text: &str, parse: fn(&str, u32) -> Result<T, E>) -> Option<T> {
    for (prefix, radix) in RADIXES {
        if let Some(rest) = text.strip_prefix('-').and_then(|t| t.strip_prefix(prefix)) {
            if let Ok(n) = parse(&format!("-{rest}"), radix) {
                return Some(n);
            }
        }
    }
    if leading_zero_digits(text) {
        return None;
    }
    parse(text, 10).ok()
}

/// `0` followed by digits, after an optional sign: a string in YAML 1.2, not a number.
fn leading_zero_digits(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

/// A float: `.inf`, `-.inf` and `.nan` in their three spellings, or a finite number in Rust's
/// syntax with an optional `+`.
fn float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match (unsigned, text) {
        (".inf" | ".Inf" | ".INF", _) => return Some(f64::INFINITY),
        (_, "-.inf" | "-.Inf" | "-.INF") => return Some(f64::NEG_INFINITY),
        (_, ".nan" | ".NaN" | ".NAN") => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `read` and serde_yaml agree, or `read` leaves the text to serde_yaml.
    fn same(text: &str) -> bool {
        let slow: Result<Value, _> = serde_yaml::from_str(text);
        match read(text) {
            Some(fast) => slow.ok() == Some(fast),
            None => true,
        }
    }

    #[test]
    fn reads_what_serde_yaml_reads() {
        let text = "a: 1\nb: -2\nc: 'x'\nd: \"3\"\ne: ~\nf:\ng: [true, False, NULL, 0, -0]\nh:\n  - k: |\n      block\n    l: >\n      folded\n      text\n'200': {x: y}\n404: no\nlong: a\n  folded plain\n";
        let fast = read(text).expect("plain YAML is read");
        assert_eq!(Some(fast), serde_yaml::from_str::<Value>(text).ok());
        for case in [
            "0x1f",
            "1e3",
            ".inf",
            "-.inf",
            "+.inf",
            ".NaN",
            "+1",
            "007",
            "-007",
            "1.5",
            "-1.5",
            "3.0.3",
            "2024.8.3",
            "inf",
            "nan",
            "Infinity",
            "1_000",
            "0o17",
            "-0o17",
            "0b11",
            "-0x1f",
            "+0x1f",
            "0x+1",
            "++1",
            "+-1",
            "+",
            ".",
            "...x",
            "0",
            "-0",
            "+0",
            "00",
            "0.",
            ".5",
            "5.",
            "1e400",
            "-1e400",
            "yes",
            "on",
            "\n  - a\n  - b",
            "{}",
            "[]",
            "{a: {b: [c, {d: e}]}}",
        ] {
            assert!(same(case), "{case:?}");
            // In a mapping, every one is read here, as serde_yaml reads it.
            let text = format!("k: {case}");
            let slow = serde_yaml::from_str::<Value>(&text).ok();
            assert!(slow.is_some(), "{case:?}");
            assert_eq!(read(&text), slow, "{case:?}");
        }
    }

    #[test]
    fn leaves_to_serde_yaml_what_it_must_decide() {
        for text in [
            "a: 1\na: 2\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "--- 1\n--- 2\n",
            "",
            "a: [1\n",
            "a: 18446744073709551616\n",
            "\u{feff}openapi: 3.0.3\n",
            "a: 1\n\0b: 2\n",
            "a: x\u{1}y\n",
            "a: x\u{2028}y\n",
            "a: \"x\u{85}y\"\n",
            "a: -0x8000000000000001\n",
            &"[".repeat(120),
        ] {
            assert!(read(text).is_none(), "{text:?}");
        }
        let deep = format!("{}1{}", "[".repeat(101), "]".repeat(101));
        assert!(read(&deep).is_none());
        let shallow = format!("{}1{}", "[".repeat(99), "]".repeat(99));
        assert!(read(&shallow).is_some());
        assert!(same(&shallow));
    }

    /// Every YAML document the repository and the real schemas hold: the same value both ways,
    /// and the real schemas, our own and the good fixtures are read by the fast path (not left
    /// to serde_yaml), so the comparison is not with serde_yaml against itself.
    #[test]
    fn agrees_with_serde_yaml_on_every_schema_at_hand() {
        let root = crate::paths::repo_root();
        let mut files = vec![root.join(crate::codegen::DEFAULT_SCHEMA)];
        let mut dirs = vec![root.join("tests/fixtures")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    files.push(path);
                }
            }
        }
        let real = crate::authentik_schema_dir();
        let mut must_be_fast = vec![root.join(crate::codegen::DEFAULT_SCHEMA)];
        for version in ["2024.8.3", "2026.11.0-rc1"] {
            let path = real.join(format!("schema-{version}.yml"));
            if let Some(path) = crate::test_input(&path, "its comparison") {
                files.push(path.clone());
                must_be_fast.push(path);
            }
        }
        assert!(files.len() > 10, "{files:?}");
        let mut fast = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(same(&text), "{}", path.display());
            // Good fixtures are schemas as tools write them: the fast path reads them too.
            let good = ["good", "evolution"]
                .iter()
                .any(|d| path.starts_with(root.join("tests/fixtures").join(d)));
            if good || must_be_fast.contains(path) {
                fast += 1;
                assert!(
                    read(&text).is_some(),
                    "{} left to serde_yaml",
                    path.display()
                );
            }
        }
        // Our schema, the 15 good fixtures and the evolution pair at least.
        assert!(fast >= 18, "{fast} files read by the fast path");
    }
}
