//! The checks `validate()` runs on each field ([`Checks`]).

use super::{check, Maybe, ValidationErrors};
use std::ops::{Bound, RangeBounds};

/// A field's value when it has one: `T`, or a set `Option<T>` or `Maybe<T>`.
pub trait Present<T> {
    fn present(&self) -> Option<&T>;
}

impl<T> Present<T> for T {
    fn present(&self) -> Option<&T> {
        Some(self)
    }
}

impl<T> Present<T> for Option<T> {
    fn present(&self) -> Option<&T> {
        self.as_ref()
    }
}

impl<T> Present<T> for Maybe<T> {
    fn present(&self) -> Option<&T> {
        self.as_value()
    }
}

fn bound<T: Copy>(bound: Bound<&T>) -> Option<(T, bool)> {
    match bound {
        Bound::Included(v) => Some((*v, false)),
        Bound::Excluded(v) => Some((*v, true)),
        Bound::Unbounded => None,
    }
}

/// A count range's inclusive ends: `(min, max)`.
fn counts(range: &impl RangeBounds<usize>) -> (Option<usize>, Option<usize>) {
    let min = match range.start_bound() {
        Bound::Included(v) => Some(*v),
        Bound::Excluded(v) => Some(v.saturating_add(1)),
        Bound::Unbounded => None,
    };
    let max = match range.end_bound() {
        Bound::Included(v) => Some(*v),
        Bound::Excluded(v) => Some(v.saturating_sub(1)),
        Bound::Unbounded => None,
    };
    (min, max)
}

fn add(errors: &mut ValidationErrors, key: &str, check: impl FnOnce(&mut Vec<String>)) {
    let mut messages = Vec::new();
    check(&mut messages);
    errors.add_messages(key, messages);
}

/// The messages `validate()` gathers, field by field: each check adds DRF's messages under
/// the field's key (`checks.length("name", &self.name, 1..=50)`). The value may be the
/// field's type itself, an `Option` or a [`Maybe`] of it ([`Present`]); an absent or null
/// value is not checked. Checks written out add to the errors it derefs to.
#[derive(Debug, Default)]
pub struct Checks(ValidationErrors);

impl std::ops::Deref for Checks {
    type Target = ValidationErrors;

    fn deref(&self) -> &ValidationErrors {
        &self.0
    }
}

impl std::ops::DerefMut for Checks {
    fn deref_mut(&mut self) -> &mut ValidationErrors {
        &mut self.0
    }
}

impl Checks {
    /// `Ok` when no check failed, else every failing field's messages.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        self.0.into_result()
    }

    /// `minLength`/`maxLength` (characters; `1..` is DRF's blank check).
    pub fn length<V: Present<String>>(
        &mut self,
        key: &str,
        value: &V,
        range: impl RangeBounds<usize>,
    ) {
        if let Some(value) = value.present() {
            let (min, max) = counts(&range);
            add(&mut self.0, key, |m| check::length(m, value, min, max));
        }
    }

    /// `pattern`, with the message the field's kind calls for.
    pub fn pattern<V: Present<String>>(
        &mut self,
        key: &str,
        value: &V,
        regex: &regex::Regex,
        message: &str,
    ) {
        if let Some(value) = value.present() {
            add(&mut self.0, key, |m| check::pattern(m, value, regex, message));
        }
    }

    /// `format: email`.
    pub fn email<V: Present<String>>(&mut self, key: &str, value: &V) {
        if let Some(value) = value.present() {
            add(&mut self.0, key, |m| check::email(m, value));
        }
    }

    /// `minimum`/`maximum` on 64-bit integers (an excluded bound is `exclusiveMinimum` or
    /// `exclusiveMaximum`).
    pub fn int_range<V: Present<i64>>(
        &mut self,
        key: &str,
        value: &V,
        range: impl RangeBounds<i64>,
    ) {
        if let Some(value) = value.present() {
            let (min, max) = (bound(range.start_bound()), bound(range.end_bound()));
            add(&mut self.0, key, |m| check::int_range(m, *value, min, max));
        }
    }

    /// `minimum`/`maximum` on 32-bit integers.
    pub fn int32_range<V: Present<i32>>(
        &mut self,
        key: &str,
        value: &V,
        range: impl RangeBounds<i64>,
    ) {
        if let Some(value) = value.present() {
            let (min, max) = (bound(range.start_bound()), bound(range.end_bound()));
            add(&mut self.0, key, |m| check::int_range(m, i64::from(*value), min, max));
        }
    }

    /// `minimum`/`maximum` on numbers.
    pub fn number_range<V: Present<f64>>(
        &mut self,
        key: &str,
        value: &V,
        range: impl RangeBounds<f64>,
    ) {
        if let Some(value) = value.present() {
            let (min, max) = (bound(range.start_bound()), bound(range.end_bound()));
            add(&mut self.0, key, |m| check::number_range(m, *value, min, max));
        }
    }

    /// `minItems`/`maxItems`.
    pub fn items<T, V: Present<Vec<T>>>(
        &mut self,
        key: &str,
        value: &V,
        range: impl RangeBounds<usize>,
    ) {
        if let Some(value) = value.present() {
            let (min, max) = counts(&range);
            add(&mut self.0, key, |m| check::items(m, value.len(), min, max));
        }
    }

    /// An enum value the schema does not list; `unknown` is the enum's own `unknown`.
    pub fn choice<E, V: Present<E>>(
        &mut self,
        key: &str,
        value: &V,
        unknown: fn(&E) -> Option<&str>,
    ) {
        if let Some(value) = value.present() {
            add(&mut self.0, key, |m| check::choice(m, unknown(value)));
        }
    }

    /// Each value of a list of enums, under its index, as DRF's `ListField` answers.
    pub fn choices<E, V: Present<Vec<E>>>(
        &mut self,
        key: &str,
        value: &V,
        unknown: fn(&E) -> Option<&str>,
    ) {
        if let Some(values) = value.present() {
            let mut items = ValidationErrors::new();
            for (index, value) in values.iter().enumerate() {
                add(&mut items, &index.to_string(), |m| check::choice(m, unknown(value)));
            }
            self.0.add_nested(key, items);
        }
    }

    /// A nested object; `validate` is its type's own `validate`.
    pub fn nested<T, V: Present<T>>(
        &mut self,
        key: &str,
        value: &V,
        validate: fn(&T) -> Result<(), ValidationErrors>,
    ) {
        if let Some(Err(nested)) = value.present().map(validate) {
            self.0.add_nested(key, nested);
        }
    }

    /// A list of objects: one entry per item, as DRF's list serializers answer.
    pub fn each<T, V: Present<Vec<T>>>(
        &mut self,
        key: &str,
        value: &V,
        validate: fn(&T) -> Result<(), ValidationErrors>,
    ) {
        if let Some(values) = value.present() {
            let items = values
                .iter()
                .map(|item| validate(item).err().unwrap_or_default())
                .collect();
            self.0.add_items(key, items);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(errors: &ValidationErrors) -> serde_json::Value {
        serde_json::to_value(errors).unwrap()
    }

    #[test]
    fn fields_are_checked_when_present() {
        let mut errors = Checks::default();
        errors.length("a", &String::from(" "), 1..);
        errors.length("b", &Some(String::from("abcd")), ..=3);
        errors.length("c", &None::<String>, 1..);
        errors.length("d", &Maybe::<String>::Null, 1..);
        errors.int32_range("e", &Some(5_i32), 0..=4);
        errors.number_range("f", &0.5, (Bound::Excluded(0.5), Bound::Unbounded));
        errors.items("g", &vec![1, 2], 3..);
        assert_eq!(
            json(&errors),
            serde_json::json!({
                "a": ["This field may not be blank."],
                "b": ["Ensure this field has no more than 3 characters."],
                "e": ["Ensure this value is less than or equal to 4."],
                "f": ["Ensure this value is greater than 0.5."],
                "g": ["Ensure this field has at least 3 elements."],
            })
        );
    }

    #[test]
    fn enums_and_objects_answer_per_item() {
        fn unknown(value: &String) -> Option<&str> {
            (value != "known").then_some(value.as_str())
        }
        fn validate(value: &u8) -> Result<(), ValidationErrors> {
            let mut errors = ValidationErrors::new();
            if *value > 1 {
                errors.add_message("n", "too big");
            }
            errors.into_result()
        }
        let mut errors = Checks::default();
        errors.choice("a", &Some(String::from("x")), unknown);
        errors.choices("b", &vec!["known".to_owned(), "y".to_owned()], unknown);
        errors.nested("c", &Maybe::Value(2_u8), validate);
        errors.each("d", &vec![0_u8, 2], validate);
        assert_eq!(
            json(&errors),
            serde_json::json!({
                "a": ["\"x\" is not a valid choice."],
                "b": {"1": ["\"y\" is not a valid choice."]},
                "c": {"n": ["too big"]},
                "d": [{}, {"n": ["too big"]}],
            })
        );
    }
}
