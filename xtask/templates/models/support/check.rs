//! The checks `validate()` runs, with Django REST Framework's messages.

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

#[cfg(test)]
mod tests {
    use super::super::check;

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
}
