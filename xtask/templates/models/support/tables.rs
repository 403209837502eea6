//! The tables the generated types are written as: `json_object!` (a struct's fields, for its
//! `Serialize` and `Deserialize`, through `ser` and `de`) and `string_enum!` (a string enum's
//! values, for its impls).

/// `Serialize`, `Deserialize` and [`Fields`](super::Fields) for a generated struct, from its
/// table of fields: each field's Rust name, its JSON name where that is another (`flow_slug:
/// "flow__slug"`, `r#type: "type"`), and its kind (`required`, `optional`, `number`,
/// `optional_number`), then, for an object with `additionalProperties`, `..field` for the map
/// of the other keys.
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
    ($name:ident { $($field:ident $(: $json:literal)? => $kind:ident,)* $(..$extra:ident)? }) => {
        impl $crate::support::Fields for $name {
            const RENAMED: &'static [(&'static str, &'static str)] =
                &[$($((::std::stringify!($field), $json),)?)*];
        }

        #[allow(deprecated)]
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let object = $crate::support::ser::Object::new(serializer)?;
                $(let object =
                    object.$kind($crate::support::json_key!($field $($json)?), &self.$field)?;)*
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
                        $($crate::support::json_key!($field $($json)?) => {
                            $crate::support::de::put(&mut $field, &mut map)
                        })*
                        _ => $crate::support::de::rest(&key, &mut map, &mut ($($extra)?)),
                    }?;
                }
                // One exit for every missing field: a `?` per field would make the compiler
                // drop every other slot on each of them.
                let missing = $crate::support::de::first_missing(&[
                    $((
                        $crate::support::de::$kind::is_missing(&$field),
                        $crate::support::json_key!($field $($json)?),
                    ),)*
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

/// A field's JSON name in a [`json_object`] table: the one given, else the Rust name's text.
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! json_key {
    ($field:ident) => {
        ::std::stringify!($field)
    };
    ($field:ident $json:literal) => {
        $json
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
pub(crate) use json_key;

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

#[cfg(test)]
mod tests {
    use super::super::Maybe;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// A field the way generated structs declare an optional nullable and an optional field.
    #[derive(Debug, Default, PartialEq)]
    struct Patch {
        stage: Maybe<u32>,
        name: Option<String>,
    }

    json_object! {
        Patch {
            stage => optional,
            name => optional,
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
            count => number,
            ratio => optional_number,
            parent => required,
            flow_slug: "flow__slug" => optional,
            ..rest
        }
    }

    #[test]
    fn json_object_lists_the_renamed_fields_for_field_names() {
        use super::super::Fields;
        assert_eq!(
            <Every as Fields>::RENAMED,
            [("r#type", "type"), ("flow_slug", "flow__slug")]
        );
        assert!(<Patch as Fields>::RENAMED.is_empty());
        let name = |rust| super::super::json_name(rust, <Every as Fields>::RENAMED);
        assert_eq!(name("r#type"), "type");
        assert_eq!(name("flow_slug"), "flow__slug");
        assert_eq!(name("count"), "count");
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
    fn an_optional_field_that_is_not_nullable_refuses_null() {
        assert_eq!(
            serde_json::from_value::<Patch>(json!({})).unwrap().name,
            None
        );
        let named = serde_json::from_value::<Patch>(json!({ "name": "x" })).unwrap();
        assert_eq!(named.name.as_deref(), Some("x"));
        assert!(serde_json::from_value::<Patch>(json!({ "name": null })).is_err());
    }
}
