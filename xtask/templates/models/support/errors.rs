//! Validation errors shaped like authentik's 400 body: [`ValidationErrors`], field by field,
//! each a [`FieldError`] (messages, one entry per item, or errors nested inside).

use std::collections::BTreeMap;
use std::fmt;

/// The key authentik uses for errors that belong to no single field.
pub const NON_FIELD_ERRORS: &str = "non_field_errors";

/// Validation errors, shaped like authentik's 400 body: field → list of messages, a list with one
/// entry per item for arrays of objects (`{}` for a valid item), or a nested object.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ValidationErrors {
    fields: BTreeMap<String, FieldError>,
}

/// The errors of one field.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum FieldError {
    /// Messages about the field's own value.
    Messages(Vec<String>),
    /// One entry per item of an array of objects.
    Items(Vec<ValidationErrors>),
    /// Errors inside an object, or inside the items of an array of scalars (keyed by index).
    Nested(ValidationErrors),
}

impl ValidationErrors {
    /// No errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// `true` when there are no errors.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The errors, by field name.
    pub fn fields(&self) -> &BTreeMap<String, FieldError> {
        &self.fields
    }

    /// The errors of one field.
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.fields.get(field)
    }

    /// The messages of one field, when it has messages of its own.
    pub fn messages(&self, field: &str) -> &[String] {
        match self.fields.get(field) {
            Some(FieldError::Messages(m)) => m,
            _ => &[],
        }
    }

    /// Adds one message to a field.
    pub fn add_message(&mut self, field: &str, message: impl Into<String>) {
        self.add_messages(field, vec![message.into()]);
    }

    /// Adds messages to a field; nothing when `messages` is empty.
    pub fn add_messages(&mut self, field: &str, messages: Vec<String>) {
        if messages.is_empty() {
            return;
        }
        match self.fields.get_mut(field) {
            Some(FieldError::Messages(existing)) => existing.extend(messages),
            // The field's own messages say more than errors inside it: they replace them.
            _ => {
                self.fields
                    .insert(field.to_owned(), FieldError::Messages(messages));
            }
        }
    }

    /// Adds an error that concerns no single field (`non_field_errors`).
    pub fn add_non_field_error(&mut self, message: impl Into<String>) {
        self.add_message(NON_FIELD_ERRORS, message);
    }

    /// Adds the errors found inside a field; nothing when `nested` is empty or the field already
    /// has messages of its own.
    pub fn add_nested(&mut self, field: &str, nested: ValidationErrors) {
        if nested.is_empty() || self.fields.contains_key(field) {
            return;
        }
        self.fields
            .insert(field.to_owned(), FieldError::Nested(nested));
    }

    /// Adds the errors of each item of an array of objects; nothing when every item is valid or
    /// the field already has messages of its own.
    pub fn add_items(&mut self, field: &str, items: Vec<ValidationErrors>) {
        if items.iter().all(ValidationErrors::is_empty) || self.fields.contains_key(field) {
            return;
        }
        self.fields
            .insert(field.to_owned(), FieldError::Items(items));
    }

    /// Sets the errors of a field, replacing what it had.
    pub fn set(&mut self, field: &str, error: FieldError) {
        self.fields.insert(field.to_owned(), error);
    }

    /// `Ok(())` when there are no errors.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// The errors as authentik's 400 body.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    fn render(&self, prefix: &str, out: &mut Vec<String>) {
        for (field, error) in &self.fields {
            let path = if prefix.is_empty() {
                field.clone()
            } else {
                format!("{prefix}.{field}")
            };
            match error {
                FieldError::Messages(messages) => {
                    out.extend(messages.iter().map(|m| format!("{path}: {m}")));
                }
                FieldError::Items(items) => {
                    for (i, item) in items.iter().enumerate() {
                        item.render(&format!("{path}[{i}]"), out);
                    }
                }
                FieldError::Nested(nested) => nested.render(&path, out),
            }
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines = Vec::new();
        self.render("", &mut lines);
        f.write_str(&lines.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_errors_serialize_as_authentiks_400_body() {
        let mut slug = ValidationErrors::new();
        slug.add_message("slug", "Enter a valid \"slug\".");
        let mut errors = ValidationErrors::new();
        errors.add_message("name", "This field may not be blank.");
        errors.add_items("flow_set", vec![ValidationErrors::new(), slug.clone()]);
        errors.add_nested("inner", slug);
        errors.add_non_field_error("No data provided");
        let body = json!({
            "name": ["This field may not be blank."],
            "flow_set": [{}, { "slug": ["Enter a valid \"slug\"."] }],
            "inner": { "slug": ["Enter a valid \"slug\"."] },
            "non_field_errors": ["No data provided"],
        });
        assert_eq!(errors.to_json(), body);
        assert_eq!(
            serde_json::from_value::<ValidationErrors>(body).unwrap(),
            errors
        );
        assert_eq!(errors.messages("name"), ["This field may not be blank."]);
        assert!(errors.messages("flow_set").is_empty());
        assert_eq!(
            errors.to_string(),
            "flow_set[1].slug: Enter a valid \"slug\".; inner.slug: Enter a valid \"slug\".; \
             name: This field may not be blank.; non_field_errors: No data provided"
        );
    }

    #[test]
    fn a_fields_own_messages_win_over_errors_inside_it() {
        let mut inner = ValidationErrors::new();
        inner.add_message("x", "bad");
        let mut errors = ValidationErrors::new();
        errors.add_nested("a", inner.clone());
        errors.add_message("a", "This field may not be null.");
        errors.add_nested("a", inner);
        errors.add_message("a", "Second.");
        assert_eq!(
            errors.to_json(),
            json!({ "a": ["This field may not be null.", "Second."] })
        );
        // Nothing to add adds nothing.
        errors.add_messages("b", Vec::new());
        errors.add_nested("c", ValidationErrors::new());
        errors.add_items("d", vec![ValidationErrors::new()]);
        assert_eq!(errors.fields().len(), 1);
        assert!(errors.into_result().is_err());
        assert_eq!(ValidationErrors::new().into_result(), Ok(()));
    }
}
