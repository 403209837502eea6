//! Optional fields: [`Maybe`], absent, `null` or a value, for an optional field that may be
//! `null`, and [`Optional`], what `Option` and `Maybe` share as a field that may be left out.

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
        // A missing field never reaches here: generated structs leave it `Absent` ([`Optional`]).
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Maybe::Value(v),
            None => Maybe::Null,
        })
    }
}

/// An optional field: absent from the JSON object or there. `Option<T>` is an optional field
/// that may not be `null` (present means a value, so `null` is refused as authentik refuses it:
/// "This field may not be null."); [`Maybe<T>`] one that may.
#[doc(hidden)]
pub trait Optional: Default {
    /// What a present value decodes as: `T` for `Option<T>`, the `Maybe` itself for `Maybe<T>`.
    type Present;
    /// The field from a present value.
    fn present(value: Self::Present) -> Self;
    /// Whether the field is left out of the JSON object.
    fn is_absent(&self) -> bool;
}

impl<T> Optional for Option<T> {
    type Present = T;
    fn present(value: T) -> Self {
        Some(value)
    }
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> Optional for Maybe<T> {
    type Present = Maybe<T>;
    fn present(value: Maybe<T>) -> Self {
        value
    }
    fn is_absent(&self) -> bool {
        matches!(self, Maybe::Absent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maybe_helpers() {
        let value = Maybe::from(2);
        assert!(Maybe::<u8>::Absent.is_absent() && !value.is_absent());
        assert!(Maybe::<u8>::Null.is_null() && !value.is_null());
        assert_eq!(value.as_value(), Some(&2));
        assert_eq!(value.as_ref(), Maybe::Value(&2));
        assert_eq!(value.map(|v| v * 10), Maybe::Value(20));
        assert_eq!(Maybe::<u8>::Null.map(|v| v * 10), Maybe::Null);
        assert_eq!(value.into_option(), Some(Some(2)));
        assert_eq!(Maybe::<u8>::Null.into_option(), Some(None));
        assert_eq!(Maybe::<u8>::Absent.into_option(), None);
        assert_eq!(Maybe::<u8>::default(), Maybe::Absent);
    }
}
