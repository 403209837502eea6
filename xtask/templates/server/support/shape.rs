//! How the router reads a request body before decoding it, the way Django REST Framework reads
//! one: [`Shape`], implemented in the crate's `shapes` module for every model a request body
//! holds, and here for the types fields hold. Server-only, so it lives here rather than in the
//! models crate.

use super::{FieldError, ValidationErrors};
use authentik_models::support::{Binary, EXACT_INTEGERS, NON_FIELD_ERRORS};
use std::collections::BTreeMap;

/// The JSON shape of a generated type, read the way Django REST Framework reads a request:
/// every missing required field, every `null` where none is allowed and every value of the wrong
/// type is reported at once, with DRF's messages. Like DRF's fields, it also takes what DRF
/// takes and turns it into the value it stands for: strings are trimmed and may not hold a null
/// character, numbers become strings where a string is asked for, `"true"`, `"1"` and `1` are
/// booleans, `"5"` is an integer and `"0.25"` a number. Constraints are `validate()`'s job.
#[doc(hidden)]
pub trait Shape {
    /// Whether the type is a JSON object (lists of objects report one entry per item).
    const OBJECT: bool = false;

    /// Reads `value` as this type, in place; what is wrong with it, `None` when nothing is.
    fn shape(value: &mut serde_json::Value) -> Option<FieldError>;
}

/// Checks one field of an object: presence, `null`, then its value's shape.
#[doc(hidden)]
pub fn shape_field<T: Shape>(
    object: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    required: bool,
    nullable: bool,
    errors: &mut ValidationErrors,
) {
    match object.get_mut(key) {
        None if required => errors.add_message(key, "This field is required."),
        None => {}
        Some(serde_json::Value::Null) if !nullable => {
            errors.add_message(key, "This field may not be null.")
        }
        Some(serde_json::Value::Null) => {}
        Some(value) => {
            if let Some(error) = T::shape(value) {
                errors.set(key, error);
            }
        }
    }
}

/// The fields of one JSON object, read by a generated `Shape`: [`ShapeFields::of`] the value,
/// one call per field, named after how the field may appear, then [`ShapeFields::finish`]. A
/// value that is not an object is reported as such, and the field calls do nothing.
#[doc(hidden)]
pub struct ShapeFields<'a> {
    object: Result<&'a mut serde_json::Map<String, serde_json::Value>, FieldError>,
    errors: ValidationErrors,
}

impl<'a> ShapeFields<'a> {
    /// Starts reading `value` as an object.
    pub fn of(value: &'a mut serde_json::Value) -> Self {
        let object = match value {
            serde_json::Value::Object(object) => Ok(object),
            other => Err(not_an_object(other)),
        };
        ShapeFields {
            object,
            errors: ValidationErrors::new(),
        }
    }

    /// What is wrong with the object: not an object at all, or its fields' errors.
    pub fn finish(self) -> Option<FieldError> {
        match self.object {
            Err(error) => Some(error),
            Ok(_) => nested(self.errors),
        }
    }

    fn field<T: Shape>(&mut self, key: &str, required: bool, nullable: bool) {
        if let Ok(object) = &mut self.object {
            shape_field::<T>(object, key, required, nullable, &mut self.errors);
        }
    }

    /// A field that must be there and may not be `null`.
    pub fn required<T: Shape>(&mut self, key: &str) {
        self.field::<T>(key, true, false);
    }

    /// A field that must be there and may be `null`.
    pub fn required_nullable<T: Shape>(&mut self, key: &str) {
        self.field::<T>(key, true, true);
    }

    /// A field that may be absent and may not be `null`.
    pub fn optional<T: Shape>(&mut self, key: &str) {
        self.field::<T>(key, false, false);
    }

    /// A field that may be absent or `null`.
    pub fn optional_nullable<T: Shape>(&mut self, key: &str) {
        self.field::<T>(key, false, true);
    }
}

/// DRF's name for a JSON value's type, as Python would print it.
#[doc(hidden)]
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
#[doc(hidden)]
pub fn not_an_object(value: &serde_json::Value) -> FieldError {
    FieldError::Messages(vec![format!(
        "Invalid data. Expected a dictionary, but got {}.",
        json_kind(value)
    )])
}

/// A string enum's shape: any string (a value the schema does not list decodes as `Unknown`,
/// and `validate()` reports it), else `"<value>" is not a valid choice.`.
#[doc(hidden)]
pub fn shape_string_enum(value: &serde_json::Value) -> Option<FieldError> {
    if value.is_string() {
        None
    } else {
        Some(FieldError::Messages(vec![format!(
            "\"{value}\" is not a valid choice."
        )]))
    }
}

/// `Some` with the errors when there are any.
#[doc(hidden)]
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

/// What DRF's `CharField` takes: a string (trimmed, without null characters), or a number,
/// written as text.
impl Shape for String {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        match value {
            serde_json::Value::String(text) => {
                if text.contains('\0') {
                    return message("Null characters are not allowed.");
                }
                let trimmed = text.trim();
                if trimmed.len() != text.len() {
                    *text = trimmed.to_owned();
                }
                None
            }
            serde_json::Value::Number(n) => {
                *value = serde_json::Value::String(n.to_string());
                None
            }
            _ => message("Not a valid string."),
        }
    }
}

/// DRF's `BooleanField`: its true and false spellings, `1` and `0`.
impl Shape for bool {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        let parsed = match &*value {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::String(text) => match text.as_str() {
                "t" | "T" | "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on"
                | "On" | "ON" | "1" => Some(true),
                "f" | "F" | "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE"
                | "off" | "Off" | "OFF" | "0" => Some(false),
                _ => None,
            },
            // `1`, `1.0`, `0` and `0.0`, as Python compares them.
            serde_json::Value::Number(n) => match n.as_f64().map(|v| (v == 1.0, v == 0.0)) {
                Some((true, _)) => Some(true),
                Some((_, true)) => Some(false),
                _ => None,
            },
            _ => None,
        };
        match parsed {
            Some(b) => {
                *value = serde_json::Value::Bool(b);
                None
            }
            None => message("Must be a valid boolean."),
        }
    }
}

/// DRF's `IntegerField`: an integer, a whole float (`5.0`), or a string of either (`" 5 "`).
fn integer(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < EXACT_INTEGERS)
                .map(|f| {
                    // Exact: whole and within the range where f64 holds every integer.
                    #[allow(clippy::cast_possible_truncation)]
                    let whole = f as i64;
                    whole
                })
        }),
        serde_json::Value::String(text) => {
            let text = text.trim();
            // DRF drops a trailing `.0`, `.00`, ... before reading the integer.
            let text = match text.split_once('.') {
                Some((whole, zeros)) if zeros.chars().all(|c| c == '0') => whole,
                _ => text,
            };
            text.parse::<i64>().ok()
        }
        _ => None,
    }
}

impl Shape for i64 {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        match integer(value) {
            Some(v) => {
                *value = serde_json::Value::from(v);
                None
            }
            None => message("A valid integer is required."),
        }
    }
}

impl Shape for i32 {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        match integer(value).and_then(|v| i32::try_from(v).ok()) {
            Some(v) => {
                *value = serde_json::Value::from(v);
                None
            }
            None => message("A valid integer is required."),
        }
    }
}

/// DRF's `FloatField`: a number, a string of one, or a boolean (Python's `float(True)`).
impl Shape for f64 {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        let parsed = match &*value {
            serde_json::Value::Number(_) => return None,
            serde_json::Value::String(text) => text.trim().parse::<f64>().ok(),
            serde_json::Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            _ => None,
        };
        match parsed.and_then(serde_json::Number::from_f64) {
            Some(n) => {
                *value = serde_json::Value::Number(n);
                None
            }
            None => message("A valid number is required."),
        }
    }
}

impl Shape for serde_json::Value {
    fn shape(_: &mut serde_json::Value) -> Option<FieldError> {
        None
    }
}

impl Shape for Binary {
    fn shape(_: &mut serde_json::Value) -> Option<FieldError> {
        None
    }
}

impl Shape for uuid::Uuid {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        match value.as_str().map(str::parse::<uuid::Uuid>) {
            Some(Ok(_)) => None,
            _ => message("Must be a valid UUID."),
        }
    }
}

impl Shape for chrono::DateTime<chrono::FixedOffset> {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        match value.as_str().map(chrono::DateTime::parse_from_rfc3339) {
            Some(Ok(_)) => None,
            _ => message("Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
        }
    }
}

impl Shape for chrono::NaiveDate {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        match value.as_str().map(str::parse::<chrono::NaiveDate>) {
            Some(Ok(_)) => None,
            _ => message("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
        }
    }
}

impl<T: Shape> Shape for Option<T> {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        if value.is_null() {
            None
        } else {
            T::shape(value)
        }
    }
}

impl<T: Shape> Shape for Box<T> {
    const OBJECT: bool = T::OBJECT;
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        T::shape(value)
    }
}

impl<T: Shape> Shape for Vec<T> {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        let kind = json_kind(value);
        let Some(items) = value.as_array_mut() else {
            return Some(FieldError::Messages(vec![format!(
                "Expected a list of items but got type \"{kind}\"."
            )]));
        };
        if T::OBJECT {
            // One entry per item, `{}` for a valid one, as DRF's list serializers answer.
            let mut any = false;
            let entries: Vec<ValidationErrors> = items
                .iter_mut()
                .map(|item| match T::shape(item) {
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
        for (index, item) in items.iter_mut().enumerate() {
            if let Some(e) = T::shape(item) {
                errors.set(&index.to_string(), e);
            }
        }
        nested(errors)
    }
}

impl<T: Shape> Shape for BTreeMap<String, T> {
    fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
        let kind = json_kind(value);
        let Some(object) = value.as_object_mut() else {
            return Some(FieldError::Messages(vec![format!(
                "Expected a dictionary of items but got type \"{kind}\"."
            )]));
        };
        let mut errors = ValidationErrors::new();
        for (key, item) in object {
            if let Some(e) = T::shape(item) {
                errors.set(key, e);
            }
        }
        nested(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An object the way generated structs implement `Shape`.
    struct Item;

    impl Shape for Item {
        const OBJECT: bool = true;

        fn shape(value: &mut serde_json::Value) -> Option<FieldError> {
            let Some(object) = value.as_object_mut() else {
                return Some(not_an_object(value));
            };
            let mut errors = ValidationErrors::new();
            shape_field::<String>(object, "slug", true, false, &mut errors);
            shape_field::<Option<i32>>(object, "order", false, true, &mut errors);
            shape_field::<Vec<uuid::Uuid>>(object, "ids", false, false, &mut errors);
            nested(errors)
        }
    }

    fn shape<T: Shape>(mut value: serde_json::Value) -> serde_json::Value {
        serde_json::to_value(T::shape(&mut value)).unwrap()
    }

    /// The value as `T::shape` leaves it, or its errors.
    fn read<T: Shape>(
        mut value: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        match T::shape(&mut value) {
            None => Ok(value),
            Some(error) => Err(serde_json::to_value(error).unwrap()),
        }
    }

    #[test]
    fn shape_fields_read_an_object_or_report_what_it_is() {
        let mut list = json!([1]);
        let mut fields = ShapeFields::of(&mut list);
        fields.required::<String>("name");
        assert_eq!(
            serde_json::to_value(fields.finish()).unwrap(),
            json!(["Invalid data. Expected a dictionary, but got list."])
        );
        let mut object = json!({"name": "  x  "});
        let mut fields = ShapeFields::of(&mut object);
        fields.required::<String>("name");
        fields.required::<String>("slug");
        assert_eq!(
            serde_json::to_value(fields.finish()).unwrap(),
            json!({"slug": ["This field is required."]})
        );
        assert_eq!(object, json!({"name": "x"}));
    }

    #[test]
    fn string_enums_take_any_string_and_refuse_the_rest() {
        assert!(shape_string_enum(&json!("unlisted")).is_none());
        assert_eq!(
            serde_json::to_value(shape_string_enum(&json!(5))).unwrap(),
            json!(["\"5\" is not a valid choice."])
        );
    }

    #[test]
    fn shape_takes_what_drf_takes() {
        assert_eq!(read::<String>(json!("  padded  ")), Ok(json!("padded")));
        assert_eq!(read::<String>(json!(5)), Ok(json!("5")));
        assert_eq!(read::<String>(json!(0.5)), Ok(json!("0.5")));
        assert_eq!(
            read::<String>(json!("a\u{0}b")),
            Err(json!(["Null characters are not allowed."]))
        );
        assert_eq!(
            read::<String>(json!(true)),
            Err(json!(["Not a valid string."]))
        );
        for yes in [
            json!(true),
            json!("true"),
            json!("True"),
            json!("1"),
            json!(1),
            json!("on"),
        ] {
            assert_eq!(read::<bool>(yes), Ok(json!(true)));
        }
        for no in [
            json!(false),
            json!("false"),
            json!("0"),
            json!(0),
            json!("off"),
            json!("n"),
        ] {
            assert_eq!(read::<bool>(no), Ok(json!(false)));
        }
        assert_eq!(
            read::<bool>(json!("maybe")),
            Err(json!(["Must be a valid boolean."]))
        );
        assert_eq!(
            read::<bool>(json!(2)),
            Err(json!(["Must be a valid boolean."]))
        );
        assert_eq!(read::<i64>(json!("5")), Ok(json!(5)));
        assert_eq!(read::<i64>(json!(" 5.00 ")), Ok(json!(5)));
        assert_eq!(read::<i64>(json!(5.0)), Ok(json!(5)));
        assert_eq!(
            read::<i64>(json!(5.5)),
            Err(json!(["A valid integer is required."]))
        );
        assert_eq!(
            read::<i64>(json!(true)),
            Err(json!(["A valid integer is required."]))
        );
        assert_eq!(
            read::<i32>(json!("4294967296")),
            Err(json!(["A valid integer is required."]))
        );
        assert_eq!(read::<f64>(json!("0.25")), Ok(json!(0.25)));
        assert_eq!(read::<f64>(json!(true)), Ok(json!(1.0)));
        assert_eq!(
            read::<f64>(json!("nan")),
            Err(json!(["A valid number is required."]))
        );
        assert_eq!(
            read::<f64>(json!("x")),
            Err(json!(["A valid number is required."]))
        );
        // Inside lists and objects too.
        assert_eq!(
            read::<Vec<bool>>(json!(["yes", 0])),
            Ok(json!([true, false]))
        );
        assert_eq!(
            read::<Item>(json!({"slug": " a ", "order": "3"})),
            Ok(json!({"slug": "a", "order": 3}))
        );
    }

    #[test]
    fn shape_reports_every_missing_null_or_mistyped_field_at_once() {
        assert_eq!(
            shape::<Item>(json!({ "slug": "a", "order": null })),
            json!(null)
        );
        assert_eq!(
            shape::<Item>(json!({ "order": 1.5, "ids": ["x"] })),
            json!({
                "slug": ["This field is required."],
                "order": ["A valid integer is required."],
                "ids": { "0": ["Must be a valid UUID."] },
            })
        );
        assert_eq!(
            shape::<Item>(json!({ "slug": null, "order": 3_000_000_000_i64 })),
            json!({
                "slug": ["This field may not be null."],
                "order": ["A valid integer is required."],
            })
        );
        assert_eq!(
            shape::<Item>(json!([])),
            json!(["Invalid data. Expected a dictionary, but got list."])
        );
    }

    #[test]
    fn shape_of_lists_and_maps() {
        assert_eq!(
            shape::<Vec<Item>>(json!([{ "slug": "a" }, { "slug": [1] }, 2])),
            json!([
                {},
                { "slug": ["Not a valid string."] },
                { "non_field_errors": ["Invalid data. Expected a dictionary, but got int."] },
            ])
        );
        assert_eq!(shape::<Vec<Item>>(json!([{ "slug": "a" }])), json!(null));
        assert_eq!(
            shape::<Vec<bool>>(json!({})),
            json!(["Expected a list of items but got type \"dict\"."])
        );
        assert_eq!(
            shape::<BTreeMap<String, f64>>(json!({ "a": 1, "b": "two" })),
            json!({ "b": ["A valid number is required."] })
        );
        assert_eq!(
            shape::<BTreeMap<String, f64>>(json!(2.5)),
            json!(["Expected a dictionary of items but got type \"float\"."])
        );
        assert_eq!(
            shape::<chrono::DateTime<chrono::FixedOffset>>(json!("2024-01-01T00:00:00Z")),
            json!(null)
        );
        assert_eq!(
            shape::<chrono::NaiveDate>(json!("01.01.2024")),
            json!(["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."])
        );
        assert_eq!(
            shape::<Box<bool>>(json!("maybe")),
            json!(["Must be a valid boolean."])
        );
        assert_eq!(json_kind(&json!(null)), "NoneType");
    }
}
