//! Reading a generated struct (`json_object!`).

use serde::de::{Deserialize, Deserializer, Error, IgnoredAny, MapAccess, Visitor};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A generated struct read from a JSON object, field by field.
pub trait Object: Sized {
    /// The struct's name, for error messages.
    const NAME: &'static str;

    /// Reads the object's keys and values.
    ///
    /// # Errors
    ///
    /// A value's decoding error, or a required field missing.
    fn visit<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Reads `T` from a JSON object.
///
/// # Errors
///
/// Anything but an object, or [`Object::visit`]'s error.
pub fn object<'de, D: Deserializer<'de>, T: Object>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::visit(map)
    }
}

/// A key of a JSON object, borrowed from the input when it can be.
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

/// Reads the value of a known key; a key read twice keeps its last value.
///
/// # Errors
///
/// The value's decoding error.
pub fn put<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// What an object does with a key it does not know: skip it, or keep it in the map of
/// `additionalProperties`.
pub trait Rest<'de> {
    /// Takes the key's value.
    ///
    /// # Errors
    ///
    /// The value's decoding error.
    fn take<A: MapAccess<'de>>(&mut self, key: &Key<'de>, map: &mut A) -> Result<(), A::Error>;
}

impl<'de> Rest<'de> for () {
    fn take<A: MapAccess<'de>>(&mut self, _: &Key<'de>, map: &mut A) -> Result<(), A::Error> {
        map.next_value::<IgnoredAny>().map(|_| ())
    }
}

impl<'de, T: Deserialize<'de>> Rest<'de> for BTreeMap<String, T> {
    fn take<A: MapAccess<'de>>(&mut self, key: &Key<'de>, map: &mut A) -> Result<(), A::Error> {
        let value = map.next_value()?;
        self.insert(key.as_str().to_owned(), value);
        Ok(())
    }
}

/// An unknown key: skipped, or kept by `rest`.
///
/// # Errors
///
/// The value's decoding error.
pub fn rest<'de, A: MapAccess<'de>, R: Rest<'de>>(
    key: &Key<'de>,
    map: &mut A,
    rest: &mut R,
) -> Result<(), A::Error> {
    rest.take(key, map)
}

/// The first missing required field, or `""` when none is.
pub fn first_missing(fields: &[(bool, &'static str)]) -> &'static str {
    fields.iter().find(|(missing, _)| *missing).map_or("", |(_, key)| key)
}

/// A required field: missing when the object did not have it.
pub mod required {
    /// Whether the object did not have the field.
    pub fn is_missing<T>(slot: &Option<T>) -> bool {
        slot.is_none()
    }

    /// The field's value; `None` only when it is missing.
    pub fn take<T>(slot: Option<T>) -> Option<T> {
        slot
    }
}

/// An optional field: absent when the object did not have it, never missing.
pub mod optional {
    use super::super::Optional;

    /// Never: an optional field may be left out.
    pub fn is_missing<T>(_: &Option<T>) -> bool {
        false
    }

    /// The field's value, absent when the object did not have it; always `Some`.
    pub fn take<T: Optional>(slot: Option<T::Present>) -> Option<T> {
        Some(slot.map_or_else(T::default, T::present))
    }
}

pub use optional as optional_number;
pub use required as number;
