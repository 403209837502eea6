//! Numbers as Python and JavaScript write them: [`WholeNumbers`], whole `f64`s written without
//! a fraction.

use std::collections::BTreeMap;

use super::Maybe;

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
pub(super) struct Whole<'a, T: ?Sized>(pub(super) &'a T);

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
