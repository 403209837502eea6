//! Support types shared by the generated models, their `validate()` methods, the client and the
//! server: the three-state [`Maybe`] for optional nullable fields, [`ValidationErrors`] shaped
//! like authentik's (Django REST Framework's) 400 body, and the checks that fill it.

use std::collections::BTreeMap;
use std::fmt;

/// An optional field that may also be `null`: absent (leave as is), `null` (clear) or a value.
///
/// In a PATCH body, [`Maybe::Absent`] leaves the field out of the JSON, [`Maybe::Null`] sends
/// `null`, and [`Maybe::Value`] sends the value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Maybe<T> {
    /// Not in the JSON object.
    #[default]
    Absent,
    /// Present as `null`.
    Null,
    /// Present with a value.
    Value(T),
}

impl<T> Maybe<T> {
    /// `true` when the field is left out; generated structs skip it when serializing.
    pub fn is_absent(&self) -> bool {
        matches!(self, Maybe::Absent)
    }

    /// `true` when the field is an explicit `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Maybe::Null)
    }

    /// The value, when there is one.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Maybe<&T> {
        match self {
            Maybe::Absent => Maybe::Absent,
            Maybe::Null => Maybe::Null,
            Maybe::Value(v) => Maybe::Value(v),
        }
    }

    /// Maps the value, keeping absent and null as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Maybe<U> {
        match self {
            Maybe::Absent => Maybe::Absent,
            Maybe::Null => Maybe::Null,
            Maybe::Value(v) => Maybe::Value(f(v)),
        }
    }

    /// `None` when absent, `Some(None)` when null, `Some(Some(v))` with a value.
    pub fn into_option(self) -> Option<Option<T>> {
        match self {
            Maybe::Absent => None,
            Maybe::Null => Some(None),
            Maybe::Value(v) => Some(Some(v)),
        }
    }
}

impl<T> From<T> for Maybe<T> {
    fn from(value: T) -> Self {
        Maybe::Value(value)
    }
}

impl<T: serde::Serialize> serde::Serialize for Maybe<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Value(v) => serializer.serialize_some(v),
            Maybe::Absent | Maybe::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Maybe<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A missing field never reaches here: generated structs mark these `#[serde(default)]`.
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Maybe::Value(v),
            None => Maybe::Null,
        })
    }
}

/// Reads an optional field that may not be `null`: present means a value, so `null` is an error
/// (authentik: "This field may not be null."); absent is `None` through `#[serde(default)]`.
///
/// # Errors
///
/// The value's own decoding error, `null` included.
pub fn deserialize_some<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Raw bytes (`format: binary`), such as an uploaded file.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Binary(pub Vec<u8>);

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Binary({} bytes)", self.0.len())
    }
}

impl serde::Serialize for Binary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Binary {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl<'de> serde::de::Visitor<'de> for BytesVisitor {
            type Value = Binary;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes, a string or a list of bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Binary, E> {
                Ok(Binary(v.to_vec()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Binary, E> {
                Ok(Binary(v.as_bytes().to_vec()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Binary, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Binary(out))
            }
        }
        deserializer.deserialize_any(BytesVisitor)
    }
}

/// Stands in for a secret (a `writeOnly` field) in `Debug` output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

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
                self.fields.insert(field.to_owned(), FieldError::Messages(messages));
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
        self.fields.insert(field.to_owned(), FieldError::Nested(nested));
    }

    /// Adds the errors of each item of an array of objects; nothing when every item is valid or
    /// the field already has messages of its own.
    pub fn add_items(&mut self, field: &str, items: Vec<ValidationErrors>) {
        if items.iter().all(ValidationErrors::is_empty) || self.fields.contains_key(field) {
            return;
        }
        self.fields.insert(field.to_owned(), FieldError::Items(items));
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
            let path = if prefix.is_empty() { field.clone() } else { format!("{prefix}.{field}") };
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

/// The checks `validate()` runs, with Django REST Framework's messages.
pub mod check {
    /// `minLength`/`maxLength`, counted in characters; `minLength: 1` is DRF's "blank" check,
    /// which also refuses white space only.
    pub fn length(messages: &mut Vec<String>, value: &str, min: Option<usize>, max: Option<usize>) {
        let len = value.chars().count();
        if let Some(min) = min {
            if value.trim().is_empty() && min >= 1 {
                messages.push("This field may not be blank.".to_owned());
                return;
            }
            if len < min {
                messages.push(format!("Ensure this field has at least {min} characters."));
            }
        }
        if let Some(max) = max {
            if len > max {
                messages.push(format!("Ensure this field has no more than {max} characters."));
            }
        }
    }

    /// `pattern`, with the message the schema's field kind calls for.
    pub fn pattern(messages: &mut Vec<String>, value: &str, regex: &regex::Regex, message: &str) {
        if !regex.is_match(value) {
            messages.push(message.to_owned());
        }
    }

    /// `format: email`: one `@` with text on both sides and a dot in the domain.
    pub fn email(messages: &mut Vec<String>, value: &str) {
        let valid = match value.rsplit_once('@') {
            Some((user, domain)) => {
                !user.is_empty()
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && domain.contains('.')
                    && !value.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if !valid {
            messages.push("Enter a valid email address.".to_owned());
        }
    }

    /// `minimum`/`maximum` on integers.
    pub fn int_range(messages: &mut Vec<String>, value: i64, min: Option<(i64, bool)>, max: Option<(i64, bool)>) {
        if let Some((min, exclusive)) = min {
            if exclusive && value <= min {
                messages.push(format!("Ensure this value is greater than {min}."));
            } else if value < min {
                messages.push(format!("Ensure this value is greater than or equal to {min}."));
            }
        }
        if let Some((max, exclusive)) = max {
            if exclusive && value >= max {
                messages.push(format!("Ensure this value is less than {max}."));
            } else if value > max {
                messages.push(format!("Ensure this value is less than or equal to {max}."));
            }
        }
    }

    /// `minimum`/`maximum` on numbers.
    pub fn number_range(messages: &mut Vec<String>, value: f64, min: Option<(f64, bool)>, max: Option<(f64, bool)>) {
        if let Some((min, exclusive)) = min {
            if exclusive && value <= min {
                messages.push(format!("Ensure this value is greater than {min}."));
            } else if value < min {
                messages.push(format!("Ensure this value is greater than or equal to {min}."));
            }
        }
        if let Some((max, exclusive)) = max {
            if exclusive && value >= max {
                messages.push(format!("Ensure this value is less than {max}."));
            } else if value > max {
                messages.push(format!("Ensure this value is less than or equal to {max}."));
            }
        }
    }

    /// `minItems`/`maxItems`.
    pub fn items(messages: &mut Vec<String>, len: usize, min: Option<usize>, max: Option<usize>) {
        if let Some(min) = min {
            if len < min {
                messages.push(format!("Ensure this field has at least {min} elements."));
            }
        }
        if let Some(max) = max {
            if len > max {
                messages.push(format!("Ensure this field has no more than {max} elements."));
            }
        }
    }

    /// A value an enum does not list.
    pub fn choice(messages: &mut Vec<String>, unknown: Option<&str>) {
        if let Some(value) = unknown {
            messages.push(format!("\"{value}\" is not a valid choice."));
        }
    }
}

/// The JSON shape of a generated type, checked the way Django REST Framework reads a request:
/// every missing required field, every `null` where none is allowed and every value of the wrong
/// type is reported at once, with DRF's messages. Constraints are `validate()`'s job.
pub trait Shape {
    /// Whether the type is a JSON object (lists of objects report one entry per item).
    const OBJECT: bool = false;

    /// What is wrong with `value` as this type; `None` when nothing is.
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError>;
}

/// Checks one field of an object: presence, `null`, then its value's shape.
pub fn shape_field<T: Shape>(
    object: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    required: bool,
    nullable: bool,
    errors: &mut ValidationErrors,
) {
    match object.get(key) {
        None if required => errors.add_message(key, "This field is required."),
        None => {}
        Some(serde_json::Value::Null) if !nullable => errors.add_message(key, "This field may not be null."),
        Some(serde_json::Value::Null) => {}
        Some(value) => {
            if let Some(error) = T::shape_errors(value) {
                errors.set(key, error);
            }
        }
    }
}

/// DRF's name for a JSON value's type, as Python would print it.
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "NoneType",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(n) if n.is_f64() => "float",
        serde_json::Value::Number(_) => "int",
        serde_json::Value::String(_) => "str",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "dict",
    }
}

/// The error for a value that should have been an object.
pub fn not_an_object(value: &serde_json::Value) -> FieldError {
    FieldError::Messages(vec![format!(
        "Invalid data. Expected a dictionary, but got {}.",
        json_kind(value)
    )])
}

/// `Some` with the errors when there are any.
pub fn nested(errors: ValidationErrors) -> Option<FieldError> {
    if errors.is_empty() {
        None
    } else {
        Some(FieldError::Nested(errors))
    }
}

fn message(text: &str) -> Option<FieldError> {
    Some(FieldError::Messages(vec![text.to_owned()]))
}

impl Shape for String {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        if value.is_string() { None } else { message("Not a valid string.") }
    }
}

impl Shape for bool {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        if value.is_boolean() { None } else { message("Must be a valid boolean.") }
    }
}

impl Shape for i64 {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        if value.is_i64() { None } else { message("A valid integer is required.") }
    }
}

impl Shape for i32 {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        match value.as_i64() {
            Some(v) if i32::try_from(v).is_ok() => None,
            _ => message("A valid integer is required."),
        }
    }
}

impl Shape for f64 {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        if value.is_number() { None } else { message("A valid number is required.") }
    }
}

impl Shape for serde_json::Value {
    fn shape_errors(_: &serde_json::Value) -> Option<FieldError> {
        None
    }
}

impl Shape for Binary {
    fn shape_errors(_: &serde_json::Value) -> Option<FieldError> {
        None
    }
}

impl Shape for uuid::Uuid {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        match value.as_str().map(str::parse::<uuid::Uuid>) {
            Some(Ok(_)) => None,
            _ => message("Must be a valid UUID."),
        }
    }
}

impl Shape for chrono::DateTime<chrono::FixedOffset> {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        match value.as_str().map(chrono::DateTime::parse_from_rfc3339) {
            Some(Ok(_)) => None,
            _ => message("Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
        }
    }
}

impl Shape for chrono::NaiveDate {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        match value.as_str().map(str::parse::<chrono::NaiveDate>) {
            Some(Ok(_)) => None,
            _ => message("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
        }
    }
}

impl<T: Shape> Shape for Option<T> {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        if value.is_null() { None } else { T::shape_errors(value) }
    }
}

impl<T: Shape> Shape for Box<T> {
    const OBJECT: bool = T::OBJECT;
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        T::shape_errors(value)
    }
}

impl<T: Shape> Shape for Vec<T> {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        let Some(items) = value.as_array() else {
            return Some(FieldError::Messages(vec![format!(
                "Expected a list of items but got type \"{}\".",
                json_kind(value)
            )]));
        };
        if T::OBJECT {
            // One entry per item, `{}` for a valid one, as DRF's list serializers answer.
            let mut any = false;
            let entries: Vec<ValidationErrors> = items
                .iter()
                .map(|item| match T::shape_errors(item) {
                    None => ValidationErrors::new(),
                    Some(FieldError::Nested(e)) => {
                        any = true;
                        e
                    }
                    Some(other) => {
                        any = true;
                        let mut e = ValidationErrors::new();
                        e.set(NON_FIELD_ERRORS, other);
                        e
                    }
                })
                .collect();
            return any.then_some(FieldError::Items(entries));
        }
        let mut errors = ValidationErrors::new();
        for (index, item) in items.iter().enumerate() {
            if let Some(e) = T::shape_errors(item) {
                errors.set(&index.to_string(), e);
            }
        }
        nested(errors)
    }
}

impl<T: Shape> Shape for BTreeMap<String, T> {
    fn shape_errors(value: &serde_json::Value) -> Option<FieldError> {
        let Some(object) = value.as_object() else {
            return Some(FieldError::Messages(vec![format!(
                "Expected a dictionary of items but got type \"{}\".",
                json_kind(value)
            )]));
        };
        let mut errors = ValidationErrors::new();
        for (key, item) in object {
            if let Some(e) = T::shape_errors(item) {
                errors.set(key, e);
            }
        }
        nested(errors)
    }
}

/// A value as a path segment or a query value, as the client writes it.
pub trait ToParam {
    /// The value as text, before percent-encoding.
    fn to_param(&self) -> String;
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

impl ToParam for str {
    fn to_param(&self) -> String {
        self.to_owned()
    }
}

impl ToParam for String {
    fn to_param(&self) -> String {
        self.clone()
    }
}

macro_rules! display_param {
    ($($t:ty),*) => {
        $(impl ToParam for $t {
            fn to_param(&self) -> String {
                self.to_string()
            }
        })*
    };
}

display_param!(i64, i32, f64, bool, uuid::Uuid, chrono::NaiveDate);

impl ToParam for chrono::DateTime<chrono::FixedOffset> {
    fn to_param(&self) -> String {
        self.to_rfc3339()
    }
}

/// Adds a query parameter.
pub fn push_one<T: ToParam + ?Sized>(pairs: &mut Vec<(&'static str, String)>, key: &'static str, value: &T) {
    pairs.push((key, value.to_param()));
}

/// Adds a query parameter when it has a value.
pub fn push_opt<T: ToParam + ?Sized>(pairs: &mut Vec<(&'static str, String)>, key: &'static str, value: Option<&T>) {
    if let Some(value) = value {
        pairs.push((key, value.to_param()));
    }
}

/// Adds an array query parameter: the key repeated (`explode`) or the values joined by commas.
pub fn push_many<T: ToParam>(pairs: &mut Vec<(&'static str, String)>, key: &'static str, values: &[T], explode: bool) {
    if explode {
        pairs.extend(values.iter().map(|v| (key, v.to_param())));
    } else if !values.is_empty() {
        let joined: Vec<String> = values.iter().map(ToParam::to_param).collect();
        pairs.push((key, joined.join(",")));
    }
}
