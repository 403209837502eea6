//! Support types shared by the generated models, their `validate()` methods, the client and the
//! server: the three-state [`Maybe`] for optional nullable fields, [`ValidationErrors`] shaped
//! like authentik's (Django REST Framework's) 400 body, and the checks that fill it.
//!
//! Items hidden from the documentation are for the generated code only; they may change with any
//! regeneration.

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

/// `Serialize` and `Deserialize` for a generated struct, from its table of fields: each field's
/// Rust name, JSON name and kind (`required`, `optional`, `number`, `optional_number`), then,
/// for an object with `additionalProperties`, `..field` for the map of the other keys.
///
/// What the derives would write, without what JSON never needs (sequences for structs, an enum
/// of field names, a visitor per field), so a crate of a thousand models compiles in a fraction
/// of the time: fields are written in table order, optional ones only when present; on reading,
/// a key read twice keeps its last value (as Python's `json` does), unknown keys are skipped
/// (or kept in the map), a missing required field is serde's `missing field` error, and `null`
/// is refused where the field's type refuses it.
#[doc(hidden)]
#[allow(unused_macros)] // a schema without objects, or with their features off
macro_rules! json_object {
    ($name:ident { $($field:ident: $json:literal => $kind:ident,)* $(..$extra:ident)? }) => {
        #[allow(deprecated)]
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let object = $crate::support::ser::Object::new(serializer)?;
                $(let object = object.$kind($json, &self.$field)?;)*
                $(let object = object.extra(&self.$extra)?;)?
                object.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::support::de::object(deserializer)
            }
        }

        #[allow(deprecated)]
        impl $crate::support::de::Object for $name {
            const NAME: &'static str = ::std::stringify!($name);

            fn visit<'de, A: ::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<Self, A::Error> {
                $(let mut $field = ::std::option::Option::None;)*
                $(let mut $extra = ::std::collections::BTreeMap::new();)?
                while let ::std::option::Option::Some(key) =
                    map.next_key::<$crate::support::de::Key<'de>>()?
                {
                    match key.as_str() {
                        $($json => $crate::support::de::put(&mut $field, &mut map),)*
                        _ => $crate::support::de::rest(&key, &mut map, &mut ($($extra)?)),
                    }?;
                }
                // One exit for every missing field: a `?` per field would make the compiler
                // drop every other slot on each of them.
                let missing = $crate::support::de::first_missing(&[
                    $(($crate::support::de::$kind::is_missing(&$field), $json),)*
                ]);
                match ($($crate::support::de::$kind::take($field),)*) {
                    ($(::std::option::Option::Some($field),)*) => {
                        ::std::result::Result::Ok(Self { $($field,)* $($extra)? })
                    }
                    _ => ::std::result::Result::Err(
                        <A::Error as ::serde::de::Error>::missing_field(missing),
                    ),
                }
            }
        }
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
pub(crate) use json_object;

/// The impls of a generated string enum, from its table of values (each variant and the text
/// it is sent as): `VALUES`, `as_str`, `unknown`, `From<&str>`, `From<String>`, `FromStr`,
/// `Display`, and `Serialize`/`Deserialize` as that text. A value the table does not list
/// decodes as `Unknown(text)`, kept as sent.
#[doc(hidden)]
#[allow(unused_macros)] // a schema without string enums, or with their features off
macro_rules! string_enum {
    ($name:ident { $($variant:ident = $json:literal,)* }) => {
        impl $name {
            /// Every value the schema lists.
            pub const VALUES: &'static [&'static str] = &[$($json),*];

            /// The value as it is sent.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $json,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// The text of a value the schema does not list.
            pub fn unknown(&self) -> ::std::option::Option<&str> {
                match self {
                    Self::Unknown(value) => ::std::option::Option::Some(value.as_str()),
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            #[allow(clippy::match_single_binding)]
            fn from(value: &str) -> Self {
                match value {
                    $($json => Self::$variant,)*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            #[allow(clippy::match_single_binding)]
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($json => Self::$variant,)*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)
                    .map(Self::from)
            }
        }
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
pub(crate) use string_enum;

/// Writing a generated struct (`json_object!`).
#[doc(hidden)]
pub mod ser {
    use super::{Optional, Whole, WholeNumbers};
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
}

/// Reading a generated struct (`json_object!`).
#[doc(hidden)]
pub mod de {
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
}

/// Numbers as Python and JavaScript write them: a whole `f64` is serialized without a
/// fraction (`3`, not `3.0`), as authentik sends its `number` fields (page counts, for one);
/// other values as they are. Generated structs use it on every field that holds a `number`.
#[doc(hidden)]
pub trait WholeNumbers {
    /// Serializes `self` with whole numbers written as integers.
    ///
    /// # Errors
    ///
    /// The serializer's own.
    fn serialize_whole<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// The largest magnitude below which every whole `f64` is an exact integer (2^53).
#[doc(hidden)]
pub const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

impl WholeNumbers for f64 {
    fn serialize_whole<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.fract() == 0.0 && self.abs() < EXACT_INTEGERS {
            // Exact: the value is whole and within the range where f64 holds every integer.
            #[allow(clippy::cast_possible_truncation)]
            serializer.serialize_i64(*self as i64)
        } else {
            serializer.serialize_f64(*self)
        }
    }
}

/// A reference serialized through [`WholeNumbers`].
struct Whole<'a, T: ?Sized>(&'a T);

impl<T: WholeNumbers + ?Sized> serde::Serialize for Whole<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_whole(serializer)
    }
}

impl<T: WholeNumbers> WholeNumbers for Option<T> {
    fn serialize_whole<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => serializer.serialize_some(&Whole(value)),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: WholeNumbers> WholeNumbers for Maybe<T> {
    fn serialize_whole<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Value(value) => serializer.serialize_some(&Whole(value)),
            Maybe::Absent | Maybe::Null => serializer.serialize_none(),
        }
    }
}

impl<T: WholeNumbers> WholeNumbers for Box<T> {
    fn serialize_whole<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize_whole(serializer)
    }
}

impl<T: WholeNumbers> WholeNumbers for Vec<T> {
    fn serialize_whole<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Whole))
    }
}

impl<T: WholeNumbers> WholeNumbers for BTreeMap<String, T> {
    fn serialize_whole<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter().map(|(key, value)| (key, Whole(value))))
    }
}

/// `serialize_with` for fields that hold numbers: see [`WholeNumbers`].
///
/// # Errors
///
/// The serializer's own.
#[doc(hidden)]
pub fn serialize_whole<T: WholeNumbers, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value.serialize_whole(serializer)
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
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Binary, A::Error> {
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
#[doc(hidden)]
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

/// The checks `validate()` runs, with Django REST Framework's messages.
#[doc(hidden)]
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
                messages.push(format!(
                    "Ensure this field has no more than {max} characters."
                ));
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
    pub fn int_range(
        messages: &mut Vec<String>,
        value: i64,
        min: Option<(i64, bool)>,
        max: Option<(i64, bool)>,
    ) {
        if let Some((min, exclusive)) = min {
            if exclusive && value <= min {
                messages.push(format!("Ensure this value is greater than {min}."));
            } else if value < min {
                messages.push(format!(
                    "Ensure this value is greater than or equal to {min}."
                ));
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
    pub fn number_range(
        messages: &mut Vec<String>,
        value: f64,
        min: Option<(f64, bool)>,
        max: Option<(f64, bool)>,
    ) {
        if let Some((min, exclusive)) = min {
            if exclusive && value <= min {
                messages.push(format!("Ensure this value is greater than {min}."));
            } else if value < min {
                messages.push(format!(
                    "Ensure this value is greater than or equal to {min}."
                ));
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
                messages.push(format!(
                    "Ensure this field has no more than {max} elements."
                ));
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

/// The checks `validate()` runs on each field ([`Checks`]).
#[doc(hidden)]
pub mod field {
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
}

#[doc(hidden)]
pub use field::Checks;

/// A value as a path segment or a query value, as the client writes it.
#[doc(hidden)]
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

/// The query pairs a query struct's `to_pairs` writes, in the order it adds them.
#[doc(hidden)]
#[derive(Default)]
pub struct Pairs(Vec<(&'static str, String)>);

impl Pairs {
    /// Adds a parameter.
    pub fn one<T: ToParam + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.0.push((key, value.to_param()));
    }

    /// Adds a parameter when it has a value.
    pub fn opt<T: ToParam>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.one(key, value);
        }
    }

    /// Adds an array parameter: the key repeated (`explode`) or the values joined by commas.
    pub fn many<T: ToParam>(&mut self, key: &'static str, values: &[T], explode: bool) {
        if explode {
            self.0.extend(values.iter().map(|v| (key, v.to_param())));
        } else if !values.is_empty() {
            let joined: Vec<String> = values.iter().map(ToParam::to_param).collect();
            self.0.push((key, joined.join(",")));
        }
    }

    /// Adds an array parameter when it has a value ([`Pairs::many`]).
    pub fn opt_many<T: ToParam>(&mut self, key: &'static str, values: &Option<Vec<T>>, explode: bool) {
        self.many(key, values.as_deref().unwrap_or_default(), explode);
    }

    /// The pairs, before percent-encoding.
    pub fn finish(self) -> Vec<(&'static str, String)> {
        self.0
    }
}

/// The JSON name of a field of a generated struct (a model or an operation's query struct),
/// checked by the compiler: `field!(CaptchaStage.public_key)` is `"public_key"`, usable in
/// `const`s. Hand-written code that has to name a field as text (an `ordering`, a filter column,
/// a 400 message for a field) names it through this macro, so that when the schema renames or
/// removes the field, the line no longer compiles (`no field `public_key` on type
/// `&CaptchaStage``) instead of failing at run time.
///
/// ```ignore
/// use authentik_models::{field, query::StagesCaptchaListQuery, CaptchaStage};
/// const ORDERING: &[&str] = &[field!(CaptchaStage.name), field!(CaptchaStage.public_key)];
/// assert_eq!(field!(StagesCaptchaListQuery.page_size), "page_size");
/// ```
#[macro_export]
macro_rules! field {
    ($($ty:ident)::+ . $field:ident) => {{
        // Only here for the compiler to check that the field exists.
        #[allow(dead_code)]
        fn field_exists(value: &$($ty)::+) {
            let _ = &value.$field;
        }
        $crate::support::json_name(
            stringify!($field),
            <$($ty)::+ as $crate::support::Fields>::RENAMED,
        )
    }};
}

/// What [`field!`](crate::field) reads of a generated struct: its fields whose Rust name is not
/// their JSON name (`type` is `r#type`, `flow__slug` is `flow_slug`).
pub trait Fields {
    /// (Rust name, JSON name) of each field whose names differ.
    const RENAMED: &'static [(&'static str, &'static str)] = &[];
}

/// The JSON name of the field named `rust` in Rust (raw identifiers included), given its
/// struct's [`Fields::RENAMED`]; for [`field!`](crate::field).
#[doc(hidden)]
pub const fn json_name(
    rust: &'static str,
    renamed: &'static [(&'static str, &'static str)],
) -> &'static str {
    let bytes = rust.as_bytes();
    let bare = match bytes {
        [b'r', b'#', ..] => bytes.split_at(2).1,
        _ => bytes,
    };
    let mut i = 0;
    while i < renamed.len() {
        if same_bytes(renamed[i].0.as_bytes(), bare) {
            return renamed[i].1;
        }
        i += 1;
    }
    match std::str::from_utf8(bare) {
        Ok(name) => name,
        Err(_) => rust,
    }
}

const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    #[allow(dead_code)]
    struct Stage {
        name: String,
        r#type: String,
        flow_slug: String,
    }

    impl super::Fields for Stage {
        const RENAMED: &'static [(&'static str, &'static str)] = &[("flow_slug", "flow__slug")];
    }

    #[allow(dead_code)]
    struct Plain {
        name: String,
    }

    impl super::Fields for Plain {}

    /// Usable in a `const`, raw identifiers and renamed fields included.
    const NAMES: &[&str] = &[
        field!(Stage.name),
        field!(Stage.r#type),
        field!(Stage.flow_slug),
        field!(Plain.name),
        field!(self::Plain.name),
    ];

    #[test]
    fn field_names_are_the_json_names() {
        assert_eq!(NAMES, ["name", "type", "flow__slug", "name", "name"]);
    }

    #[test]
    fn whole_numbers_are_written_without_a_fraction() {
        #[derive(serde::Serialize)]
        struct Page {
            #[serde(serialize_with = "serialize_whole")]
            count: f64,
            #[serde(serialize_with = "serialize_whole")]
            ratio: Option<f64>,
            #[serde(serialize_with = "serialize_whole")]
            many: Vec<f64>,
            #[serde(serialize_with = "serialize_whole")]
            maybe: Maybe<f64>,
        }
        let page = Page {
            count: 3.0,
            ratio: Some(0.25),
            many: vec![-2.0, 1.5, 1e300],
            maybe: Maybe::Value(7.0),
        };
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"count":3,"ratio":0.25,"many":[-2,1.5,1e+300],"maybe":7}"#
        );
    }

    use super::*;
    use serde_json::json;

    /// A field the way generated structs declare an optional nullable and an optional field.
    #[derive(Debug, Default, PartialEq)]
    struct Patch {
        stage: Maybe<u32>,
        name: Option<String>,
    }

    json_object! {
        Patch {
            stage: "stage" => optional,
            name: "name" => optional,
        }
    }

    /// Every kind of field [`json_object`] knows, a renamed one and the other keys.
    #[derive(Debug, PartialEq)]
    struct Every {
        r#type: String,
        count: f64,
        ratio: Option<f64>,
        parent: Option<u32>,
        flow_slug: Option<String>,
        rest: BTreeMap<String, serde_json::Value>,
    }

    json_object! {
        Every {
            r#type: "type" => required,
            count: "count" => number,
            ratio: "ratio" => optional_number,
            parent: "parent" => required,
            flow_slug: "flow__slug" => optional,
            ..rest
        }
    }

    #[test]
    fn json_object_writes_and_reads_every_kind_of_field() {
        let every = Every {
            r#type: "t".to_owned(),
            count: 3.0,
            ratio: None,
            parent: None,
            flow_slug: Some("s".to_owned()),
            rest: BTreeMap::from([("other".to_owned(), json!([1]))]),
        };
        let text = r#"{"type":"t","count":3,"parent":null,"flow__slug":"s","other":[1]}"#;
        assert_eq!(serde_json::to_string(&every).unwrap(), text);
        // From text (keys borrowed) and from a value (keys owned) alike.
        assert_eq!(serde_json::from_str::<Every>(text).unwrap(), every);
        assert_eq!(serde_json::from_value::<Every>(json!(every)).unwrap(), every);
        let ratio = serde_json::from_str::<Every>(
            r#"{"type":"a","type":"b","count":0.5,"ratio":2,"parent":7,"other\u0041":1}"#,
        )
        .unwrap();
        assert_eq!((ratio.r#type.as_str(), ratio.count), ("b", 0.5));
        assert_eq!((ratio.ratio, ratio.parent), (Some(2.0), Some(7)));
        assert_eq!(ratio.rest, BTreeMap::from([("otherA".to_owned(), json!(1))]));
    }

    #[test]
    fn json_object_refuses_what_the_schema_refuses() {
        let missing = serde_json::from_str::<Every>(r#"{"type":"t","count":1}"#).unwrap_err();
        assert!(missing.to_string().contains("missing field `parent`"), "{missing}");
        let null = serde_json::from_str::<Every>(r#"{"type":null,"count":1,"parent":1}"#);
        assert!(null.unwrap_err().to_string().contains("invalid type: null"));
        let list = serde_json::from_str::<Every>("[1]").unwrap_err();
        assert!(list.to_string().contains("expected struct Every"), "{list}");
        assert!(serde_json::from_str::<Patch>(r#"{"name":null}"#).is_err());
        let unknown = serde_json::from_str::<Patch>(r#"{"x":{"y":[1]},"name":"n"}"#).unwrap();
        assert_eq!(unknown.name.as_deref(), Some("n"));
    }

    #[test]
    fn maybe_sends_absent_null_and_value_apart() {
        let cases = [
            (Maybe::Absent, json!({})),
            (Maybe::Null, json!({ "stage": null })),
            (Maybe::Value(7), json!({ "stage": 7 })),
        ];
        for (stage, body) in cases {
            let patch = Patch { stage, name: None };
            assert_eq!(serde_json::to_value(&patch).unwrap(), body);
            assert_eq!(serde_json::from_value::<Patch>(body).unwrap(), patch);
        }
    }

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

    #[test]
    fn an_optional_field_that_is_not_nullable_refuses_null() {
        assert_eq!(
            serde_json::from_value::<Patch>(json!({})).unwrap().name,
            None
        );
        let named = serde_json::from_value::<Patch>(json!({ "name": "x" })).unwrap();
        assert_eq!(named.name.as_deref(), Some("x"));
        assert!(serde_json::from_value::<Patch>(json!({ "name": null })).is_err());
    }

    #[test]
    fn binary_reads_bytes_strings_and_lists_and_hides_its_content() {
        let from_list: Binary = serde_json::from_value(json!([1, 2, 3])).unwrap();
        assert_eq!(from_list, Binary(vec![1, 2, 3]));
        let from_text: Binary = serde_json::from_value(json!("hi")).unwrap();
        assert_eq!(from_text, Binary(b"hi".to_vec()));
        assert_eq!(serde_json::to_value(&from_list).unwrap(), json!([1, 2, 3]));
        assert_eq!(format!("{from_list:?}"), "Binary(3 bytes)");
        assert_eq!(format!("{:?}", Some(Redacted)), "Some(<redacted>)");
    }

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

    fn run(check: impl FnOnce(&mut Vec<String>)) -> Vec<String> {
        let mut messages = Vec::new();
        check(&mut messages);
        messages
    }

    #[test]
    fn checks_answer_with_drf_messages() {
        assert_eq!(
            run(|m| check::length(m, "  ", Some(1), None)),
            ["This field may not be blank."]
        );
        assert_eq!(
            run(|m| check::length(m, "ab", Some(3), None)),
            ["Ensure this field has at least 3 characters."]
        );
        assert_eq!(
            run(|m| check::length(m, "äöü", None, Some(2))),
            ["Ensure this field has no more than 2 characters."]
        );
        assert!(run(|m| check::length(m, "äö", Some(1), Some(2))).is_empty());
        let slug = regex::Regex::new("^[-a-zA-Z0-9_]+$").unwrap();
        assert_eq!(run(|m| check::pattern(m, "a b", &slug, "Bad.")), ["Bad."]);
        assert!(run(|m| check::pattern(m, "a-b", &slug, "Bad.")).is_empty());
        assert!(run(|m| check::email(m, "a@example.com")).is_empty());
        for bad in [
            "a",
            "@example.com",
            "a@example",
            "a@.com",
            "a b@example.com",
        ] {
            assert_eq!(
                run(|m| check::email(m, bad)),
                ["Enter a valid email address."],
                "{bad}"
            );
        }
        assert_eq!(
            run(|m| check::int_range(m, 0, Some((0, true)), Some((10, false)))),
            ["Ensure this value is greater than 0."]
        );
        assert_eq!(
            run(|m| check::int_range(m, 11, Some((0, false)), Some((10, false)))),
            ["Ensure this value is less than or equal to 10."]
        );
        assert_eq!(
            run(|m| check::number_range(m, -0.5, Some((0.0, false)), Some((1.0, true)))),
            ["Ensure this value is greater than or equal to 0."]
        );
        assert_eq!(
            run(|m| check::number_range(m, 1.0, None, Some((1.0, true)))),
            ["Ensure this value is less than 1."]
        );
        assert_eq!(
            run(|m| check::items(m, 0, Some(1), Some(2))),
            ["Ensure this field has at least 1 elements."]
        );
        assert_eq!(
            run(|m| check::items(m, 3, None, Some(2))),
            ["Ensure this field has no more than 2 elements."]
        );
        assert_eq!(
            run(|m| check::choice(m, Some("x"))),
            ["\"x\" is not a valid choice."]
        );
        assert!(run(|m| check::choice(m, None)).is_empty());
    }

    #[test]
    fn query_pairs_are_written_from_params() {
        let when = chrono::DateTime::parse_from_rfc3339("2024-05-06T07:08:09+02:00").unwrap();
        let mut pairs = Pairs::default();
        pairs.one("page", &2_i64);
        pairs.one("search", "a b");
        pairs.opt::<bool>("absent", &None);
        pairs.opt("since", &Some(when));
        pairs.many("id", &[1_i32, 2], true);
        pairs.many("tag", &["x", "y"], false);
        pairs.many::<i32>("none", &[], false);
        pairs.opt_many::<i32>("unset", &None, false);
        pairs.opt_many("set", &Some(vec![3_i32]), true);
        assert_eq!(
            pairs.finish(),
            [
                ("page", "2".to_owned()),
                ("search", "a b".to_owned()),
                ("since", "2024-05-06T07:08:09+02:00".to_owned()),
                ("id", "1".to_owned()),
                ("id", "2".to_owned()),
                ("tag", "x,y".to_owned()),
                ("set", "3".to_owned()),
            ]
        );
    }
}
