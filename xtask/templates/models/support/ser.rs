//! Writing a generated struct (`json_object!`).

use super::numbers::Whole;
use super::{Optional, WholeNumbers};
use serde::ser::{SerializeMap, Serializer};
use std::collections::BTreeMap;

/// A JSON object being written, one field after another.
pub struct Object<S: Serializer>(S::SerializeMap);

impl<S: Serializer> Object<S> {
    /// Starts the object.
    ///
    /// # Errors
    ///
    /// The serializer's own.
    pub fn new(serializer: S) -> Result<Self, S::Error> {
        serializer.serialize_map(None).map(Object)
    }

    /// A field that is always written.
    ///
    /// # Errors
    ///
    /// The serializer's own.
    pub fn required<T: serde::Serialize + ?Sized>(
        mut self,
        key: &'static str,
        value: &T,
    ) -> Result<Self, S::Error> {
        self.0.serialize_entry(key, value)?;
        Ok(self)
    }

    /// A field written only when present.
    ///
    /// # Errors
    ///
    /// The serializer's own.
    pub fn optional<T: serde::Serialize + Optional>(
        self,
        key: &'static str,
        value: &T,
    ) -> Result<Self, S::Error> {
        if value.is_absent() {
            return Ok(self);
        }
        self.required(key, value)
    }

    /// A field that holds numbers, whole ones written without a fraction.
    ///
    /// # Errors
    ///
    /// The serializer's own.
    pub fn number<T: WholeNumbers>(self, key: &'static str, value: &T) -> Result<Self, S::Error> {
        self.required(key, &Whole(value))
    }

    /// An optional field that holds numbers.
    ///
    /// # Errors
    ///
    /// The serializer's own.
    pub fn optional_number<T: WholeNumbers + Optional>(
        self,
        key: &'static str,
        value: &T,
    ) -> Result<Self, S::Error> {
        if value.is_absent() {
            return Ok(self);
        }
        self.number(key, value)
    }

    /// The object's other keys (`additionalProperties`).
    ///
    /// # Errors
    ///
    /// The serializer's own.
    pub fn extra<T: serde::Serialize>(
        mut self,
        map: &BTreeMap<String, T>,
    ) -> Result<Self, S::Error> {
        for (key, value) in map {
            self.0.serialize_entry(key, value)?;
        }
        Ok(self)
    }

    /// Ends the object.
    ///
    /// # Errors
    ///
    /// The serializer's own.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}
