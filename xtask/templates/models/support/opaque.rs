//! Values whose `Debug` does not show them: [`Binary`], raw bytes such as an uploaded file, and
//! [`Redacted`], which stands in for a secret.

use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
