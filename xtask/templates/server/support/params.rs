//! Path and query values: [`FromParam`] parses one as Django's URL converters and
//! django-filter read it, with their messages.

/// A value read from a path segment or a query parameter.
#[doc(hidden)]
pub trait FromParam: Sized {
    /// Parses one value; the error is the message for the field.
    fn from_param(value: &str) -> Result<Self, String>;
}

impl FromParam for String {
    fn from_param(value: &str) -> Result<Self, String> {
        Ok(value.to_owned())
    }
}

/// A whole number; one too large for the type saturates (it is valid, just out of range, and the
/// operation answers for it as for any value past its data, e.g. `Invalid page.`).
fn whole_number(value: &str) -> Result<i128, String> {
    let v = value.trim();
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter a whole number.".to_owned());
    }
    Ok(v.parse::<i128>().unwrap_or(if v.starts_with('-') {
        i128::MIN
    } else {
        i128::MAX
    }))
}

impl FromParam for i64 {
    fn from_param(value: &str) -> Result<Self, String> {
        whole_number(value).map(|v| v.clamp(i64::MIN.into(), i64::MAX.into()) as i64)
    }
}

impl FromParam for i32 {
    fn from_param(value: &str) -> Result<Self, String> {
        whole_number(value).map(|v| v.clamp(i32::MIN.into(), i32::MAX.into()) as i32)
    }
}

impl FromParam for f64 {
    fn from_param(value: &str) -> Result<Self, String> {
        value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| "Enter a number.".to_owned())
    }
}

impl FromParam for bool {
    fn from_param(value: &str) -> Result<Self, String> {
        match value {
            "true" | "True" | "1" => Ok(true),
            "false" | "False" | "0" => Ok(false),
            other => Err(format!(
                "Select a valid choice. {other} is not one of the available choices."
            )),
        }
    }
}

impl FromParam for uuid::Uuid {
    fn from_param(value: &str) -> Result<Self, String> {
        value
            .trim()
            .parse()
            .map_err(|_| "Enter a valid UUID.".to_owned())
    }
}

impl FromParam for chrono::DateTime<chrono::FixedOffset> {
    fn from_param(value: &str) -> Result<Self, String> {
        chrono::DateTime::parse_from_rfc3339(value.trim())
            .map_err(|_| "Enter a valid date/time.".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_query_values_parse_as_django_reads_them() {
        assert_eq!(i64::from_param(" -12 "), Ok(-12));
        assert_eq!(i64::from_param("99999999999999999999"), Ok(i64::MAX));
        assert_eq!(i32::from_param("-3000000000"), Ok(i32::MIN));
        for bad in ["", "1.5", "+", "1e3", "x"] {
            assert_eq!(
                i64::from_param(bad),
                Err("Enter a whole number.".to_owned()),
                "{bad}"
            );
        }
        assert_eq!(f64::from_param("2.5"), Ok(2.5));
        assert_eq!(f64::from_param("inf"), Err("Enter a number.".to_owned()));
        assert_eq!(bool::from_param("True"), Ok(true));
        assert_eq!(bool::from_param("0"), Ok(false));
        assert_eq!(
            bool::from_param("yes"),
            Err("Select a valid choice. yes is not one of the available choices.".to_owned())
        );
        assert_eq!(
            uuid::Uuid::from_param("not-a-uuid"),
            Err("Enter a valid UUID.".to_owned())
        );
        assert!(uuid::Uuid::from_param("b9b1e4c2-8c8e-4f0e-9f5e-3c4a1d2e5f60").is_ok());
        assert_eq!(
            chrono::DateTime::<chrono::FixedOffset>::from_param("yesterday"),
            Err("Enter a valid date/time.".to_owned())
        );
        assert!(
            chrono::DateTime::<chrono::FixedOffset>::from_param("2024-01-02T03:04:05Z").is_ok()
        );
        assert_eq!(String::from_param("a b"), Ok("a b".to_owned()));
    }
}
