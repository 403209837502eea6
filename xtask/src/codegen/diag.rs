//! Diagnostics: every error names the schema file and a JSON pointer into it.

use std::fmt;

/// A JSON pointer (RFC 6901) into the schema document, kept as its `#/...` text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pointer(String);

impl Pointer {
    /// The document root, `#`.
    pub fn root() -> Self {
        Pointer("#".to_owned())
    }

    /// Parses a local `$ref` (`#/components/schemas/X`) into a pointer; `None` for anything else.
    pub fn from_ref(reference: &str) -> Option<Self> {
        if reference == "#" || reference.starts_with("#/") {
            Some(Pointer(reference.to_owned()))
        } else {
            None
        }
    }

    /// This pointer extended by one reference token, escaped as RFC 6901 asks (`~` → `~0`, `/` → `~1`).
    pub fn push(&self, token: impl AsRef<str>) -> Self {
        let token = token.as_ref().replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, token))
    }

    /// The reference tokens after `#`, unescaped.
    pub fn tokens(&self) -> Vec<String> {
        self.0
            .trim_start_matches('#')
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The pointer as printed: control characters percent-encoded (`\n` is `%0A`, as a URI
/// fragment writes it), so that one error stays one line for a reader that reads lines.
impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0.as_str();
        while let Some(at) = rest.find(char::is_control) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                write!(f, "%{b:02X}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// One problem found in the schema, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub pointer: Pointer,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// A sink for diagnostics: a pass pushes what it finds and goes on; its caller checks the sink at
/// the end of the pass and emits nothing from a pass that failed.
#[derive(Default, Debug)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, pointer: &Pointer, message: impl Into<String>) {
        self.items.push(Diagnostic {
            pointer: pointer.clone(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Ends the pass: `Ok(())` when nothing was reported, else every diagnostic, sorted and unique.
    pub fn finish(mut self) -> Result<(), Vec<Diagnostic>> {
        if self.items.is_empty() {
            return Ok(());
        }
        self.items.sort();
        self.items.dedup();
        Err(self.items)
    }
}

/// Everything `codegen` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}{pointer}: {message}")]
    Parse {
        path: String,
        pointer: String,
        message: String,
    },
    #[error("{path} has {} unsupported or invalid construct(s):\n{}", .diagnostics.len(), render(.path, .diagnostics))]
    Schema {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("internal error while formatting {file}: {message} (this is a generator bug)")]
    Format { file: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

fn render(path: &str, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("  {path}{d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_pointers_percent_encode_control_characters() {
        let p = Pointer::root().push("paths").push("/a\nb\u{85}/");
        assert_eq!(p.to_string(), "#/paths/~1a%0Ab%C2%85~1");
        assert_eq!(p.tokens(), ["paths", "/a\nb\u{85}/"]);
        assert_eq!(Pointer::root().push("x y").to_string(), "#/x y");
    }

    #[test]
    fn pointer_escapes_tokens() {
        let p = Pointer::root()
            .push("paths")
            .push("/stages/captcha/")
            .push("a~b");
        assert_eq!(p.as_str(), "#/paths/~1stages~1captcha~1/a~0b");
        assert_eq!(p.tokens(), vec!["paths", "/stages/captcha/", "a~b"]);
    }

    #[test]
    fn schema_error_lists_every_diagnostic() {
        let mut d = Diagnostics::default();
        d.error(&Pointer::root().push("b"), "second");
        d.error(&Pointer::root().push("a"), "first");
        let diagnostics = d.finish().unwrap_err();
        let e = Error::Schema {
            path: "s.yaml".into(),
            diagnostics,
        };
        assert_eq!(
            e.to_string(),
            "s.yaml has 2 unsupported or invalid construct(s):\n  s.yaml#/a: first\n  s.yaml#/b: second"
        );
    }
}
