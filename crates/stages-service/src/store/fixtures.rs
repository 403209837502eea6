//! Objects stages may reference, seeded at start from a fixtures file.

use super::*;

/// Objects the service's stages may reference, seeded at start (`--fixtures`): flows, sources,
/// and stages of kinds the service does not serve (such as password stages).
#[derive(Debug, Default)]
pub struct Fixtures {
    pub flows: Vec<Referent>,
    pub sources: Vec<Referent>,
    pub stages: Vec<SeededStage>,
}

/// A flow or a source: its pk and the document given for it.
#[derive(Debug)]
pub struct Referent {
    pub pk: Uuid,
    pub data: Value,
}

/// A stage from the fixtures file.
#[derive(Debug)]
pub struct SeededStage {
    pub pk: Uuid,
    pub kind: String,
    pub name: String,
    pub data: Value,
}

impl Fixtures {
    /// Reads a fixtures document (JSON):
    /// `{"flows": [{"pk": ...}], "sources": [{"pk": ...}], "stages": [{"pk": ..., "kind": "password", "name": ...}]}`.
    /// Every list is optional; every object needs a `pk` (a UUID), stages also a `kind` and a
    /// `name`; other members are kept as given.
    pub fn from_json(text: &str) -> Result<Fixtures, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(doc) = doc else {
            return Err("the document must be a JSON object".to_owned());
        };
        let mut fixtures = Fixtures::default();
        for (key, value) in doc {
            let items = value
                .as_array()
                .ok_or_else(|| format!("`{key}` must be a list"))?;
            for (i, item) in items.iter().enumerate() {
                let at = format!("{key}[{i}]");
                let pk = item
                    .get("pk")
                    .and_then(Value::as_str)
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(|| format!("{at}: `pk` must be a UUID"))?;
                let text_field = |field: &str| {
                    item.get(field)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{at}: `{field}` must be a string"))
                };
                match key.as_str() {
                    "flows" => fixtures.flows.push(Referent {
                        pk,
                        data: item.clone(),
                    }),
                    "sources" => fixtures.sources.push(Referent {
                        pk,
                        data: item.clone(),
                    }),
                    "stages" => {
                        let kind = text_field("kind")?;
                        fixtures.stages.push(SeededStage {
                            pk,
                            name: text_field("name")?,
                            kind,
                            data: item.clone(),
                        });
                    }
                    other => {
                        return Err(format!(
                            "unknown list `{other}` (expected flows, sources, stages)"
                        ))
                    }
                }
            }
        }
        Ok(fixtures)
    }
}
