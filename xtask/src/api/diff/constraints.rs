//! Constraints (`minLength`, `pattern`, `maximum`, ...): each changed keyword, and whether it
//! now refuses values it took (tighter) or takes values it refused (looser).

use super::{Flow, Impact};
use crate::api::surface::{Constraints, Limit};

/// One keyword that changed.
pub(crate) struct ConstraintChange {
    /// The keyword as a pointer suffix: `maxLength`, `items/pattern`.
    pub keyword: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// Some value it took before is refused now.
    pub tighter: bool,
    /// Some value it refused before is taken now.
    pub looser: bool,
}

impl ConstraintChange {
    /// The message and the (client, server) impact, for the item `rust` flowing as `flow`.
    /// Tighter breaks whoever makes the value, looser whoever reads it.
    pub fn describe(&self, rust: &str, flow: Flow) -> (String, (Impact, Impact)) {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
        let direction = match (self.tighter, self.looser) {
            (true, true) => "different",
            (true, false) => "tighter",
            (false, true) => "looser",
            (false, false) => "no stricter, no looser",
        };
        let mut effects = Vec::new();
        if flow.input {
            if self.tighter {
                effects.push("`validate()` (in the client before sending, in the router before the server) refuses values it took before");
            }
            if self.looser {
                effects.push("the router lets through values it refused before");
            }
        }
        if flow.output {
            if self.tighter {
                effects.push(
                    "servers must answer within it (the generated code does not check answers)",
                );
            }
            if self.looser {
                effects
                    .push("clients may get values outside the old bound (answers are not checked)");
            }
        }
        if effects.is_empty() {
            effects.push("no code changes");
        }
        let message = format!(
            "`{rust}`: {} {} → {} ({direction}): {}",
            self.keyword.replace('/', "."),
            show(&self.old),
            show(&self.new),
            effects.join("; ")
        );
        (message, flow.impacts(self.tighter, self.looser))
    }
}

/// Every keyword that differs between `old` and `new`, nested item constraints included.
pub(crate) fn constraint_changes(old: &Constraints, new: &Constraints) -> Vec<ConstraintChange> {
    let mut out = Vec::new();
    collect(old, new, "", &mut out);
    out
}

/// Every keyword of `old` and `new` that differs, each named under `prefix`, in a fixed order:
/// lengths, pattern, numeric limits, item counts, format, then the items' own constraints.
fn collect(old: &Constraints, new: &Constraints, prefix: &str, out: &mut Vec<ConstraintChange>) {
    let mut found = Found { prefix, out };
    found.count("minLength", old.min_length, new.min_length, lower_count);
    found.count("maxLength", old.max_length, new.max_length, upper_count);
    found.pattern(&old.pattern, &new.pattern);
    found.limit("minimum", &old.minimum, &new.minimum, true);
    found.limit("maximum", &old.maximum, &new.maximum, false);
    found.count("minItems", old.min_items, new.min_items, lower_count);
    found.count("maxItems", old.max_items, new.max_items, upper_count);
    found.email(old.email, new.email);
    let none = Constraints::default();
    let (a, b) = (old.items.as_deref(), new.items.as_deref());
    if a != b {
        collect(
            a.unwrap_or(&none),
            b.unwrap_or(&none),
            &format!("{prefix}items/"),
            out,
        );
    }
}

/// The changed keywords found so far, and the prefix that names the ones being compared.
struct Found<'a> {
    /// `""` at the top, `items/` for list items, `items/items/` below them.
    prefix: &'a str,
    out: &'a mut Vec<ConstraintChange>,
}

impl Found<'_> {
    /// Records `keyword` as changed from `old` to `new`, and which way it moved.
    fn push(
        &mut self,
        keyword: &str,
        old: Option<String>,
        new: Option<String>,
        (tighter, looser): (bool, bool),
    ) {
        self.out.push(ConstraintChange {
            keyword: format!("{}{keyword}", self.prefix),
            old,
            new,
            tighter,
            looser,
        });
    }

    /// A length or item count bound that changed, its direction told by `moved`.
    fn count(
        &mut self,
        keyword: &str,
        old: Option<u64>,
        new: Option<u64>,
        moved: fn(Option<u64>, Option<u64>) -> (bool, bool),
    ) {
        if old != new {
            let text = |v: Option<u64>| v.map(|n| n.to_string());
            self.push(keyword, text(old), text(new), moved(old, new));
        }
    }

    /// A pattern added (tighter), removed (looser) or replaced (both: two patterns cannot be
    /// compared, either may refuse what the other takes).
    fn pattern(&mut self, old: &Option<String>, new: &Option<String>) {
        if old != new {
            let moved = match (old, new) {
                (None, Some(_)) => (true, false),
                (Some(_), None) => (false, true),
                _ => (true, true),
            };
            self.push("pattern", old.clone(), new.clone(), moved);
        }
    }

    /// A `minimum` (`lower`) or `maximum` that changed, exclusiveness counted.
    fn limit(&mut self, keyword: &str, old: &Option<Limit>, new: &Option<Limit>, lower: bool) {
        if old != new {
            let strict = if lower { '>' } else { '<' };
            let moved = compare_limits(old.as_ref(), new.as_ref(), lower);
            self.push(
                keyword,
                limit_text(old, strict),
                limit_text(new, strict),
                moved,
            );
        }
    }

    /// `format: email` added (tighter) or removed (looser).
    fn email(&mut self, old: bool, new: bool) {
        if old != new {
            let show = |e: bool| e.then(|| "email".to_owned());
            self.push("format", show(old), show(new), (new, old));
        }
    }
}

/// (tighter, looser) for a change of a lower count bound (`minLength`): absent is 0.
fn lower_count(old: Option<u64>, new: Option<u64>) -> (bool, bool) {
    let (a, b) = (old.unwrap_or(0), new.unwrap_or(0));
    (b > a, b < a)
}

/// (tighter, looser) for a change of an upper count bound (`maxItems`): absent is no bound.
fn upper_count(old: Option<u64>, new: Option<u64>) -> (bool, bool) {
    let (a, b) = (old.unwrap_or(u64::MAX), new.unwrap_or(u64::MAX));
    (b < a, b > a)
}

fn limit_text(limit: &Option<Limit>, strict: char) -> Option<String> {
    limit.as_ref().map(|l| {
        if l.exclusive {
            format!("{strict} {}", l.value)
        } else {
            l.value.to_string()
        }
    })
}

/// (tighter, looser) for a change of a lower (`minimum`) or upper bound.
fn compare_limits(old: Option<&Limit>, new: Option<&Limit>, lower: bool) -> (bool, bool) {
    match (old, new) {
        (None, None) => (false, false),
        (None, Some(_)) => (true, false),
        (Some(_), None) => (false, true),
        (Some(a), Some(b)) => {
            let (x, y) = (value(a), value(b));
            if x == y {
                // Same number: an exclusive bound refuses the number itself.
                (b.exclusive && !a.exclusive, a.exclusive && !b.exclusive)
            } else if (y > x) == lower {
                (true, false)
            } else {
                (false, true)
            }
        }
    }
}

fn value(limit: &Limit) -> f64 {
    limit.value.as_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(value: i64, exclusive: bool) -> Option<Limit> {
        Some(Limit {
            value: value.into(),
            exclusive,
        })
    }

    fn changes(old: Constraints, new: Constraints) -> Vec<(String, bool, bool)> {
        constraint_changes(&old, &new)
            .into_iter()
            .map(|c| (c.keyword, c.tighter, c.looser))
            .collect()
    }

    #[test]
    fn bounds_say_which_way_they_moved() {
        let c = |min_length, max_length| Constraints {
            min_length,
            max_length,
            ..Constraints::default()
        };
        assert_eq!(
            changes(c(None, Some(50)), c(Some(1), Some(40))),
            [
                ("minLength".to_owned(), true, false),
                ("maxLength".to_owned(), true, false)
            ]
        );
        assert_eq!(
            changes(c(Some(1), Some(40)), c(None, None)),
            [
                ("minLength".to_owned(), false, true),
                ("maxLength".to_owned(), false, true)
            ]
        );
        // A minimum length of 0 refuses nothing.
        assert_eq!(
            changes(c(None, None), c(Some(0), None)),
            [("minLength".to_owned(), false, false)]
        );
    }

    #[test]
    fn numeric_limits_count_exclusiveness_and_patterns_cannot_be_compared() {
        let n = |minimum, maximum| Constraints {
            minimum,
            maximum,
            ..Constraints::default()
        };
        assert_eq!(
            changes(
                n(limit(0, false), limit(100, false)),
                n(limit(0, true), limit(50, false))
            ),
            [
                ("minimum".to_owned(), true, false),
                ("maximum".to_owned(), true, false)
            ]
        );
        assert_eq!(
            changes(
                n(limit(5, false), None),
                n(limit(1, false), limit(9, false))
            ),
            [
                ("minimum".to_owned(), false, true),
                ("maximum".to_owned(), true, false)
            ]
        );
        let p = |pattern: &str| Constraints {
            pattern: Some(pattern.to_owned()),
            ..Constraints::default()
        };
        assert_eq!(
            changes(p("^a$"), p("^b$")),
            [("pattern".to_owned(), true, true)]
        );
    }

    #[test]
    fn item_constraints_are_named_under_items() {
        let items = |max_length| Constraints {
            items: Some(Box::new(Constraints {
                max_length,
                ..Constraints::default()
            })),
            ..Constraints::default()
        };
        assert_eq!(
            changes(items(Some(5)), items(Some(9))),
            [("items/maxLength".to_owned(), false, true)]
        );
        let change = &constraint_changes(&items(Some(5)), &items(Some(9)))[0];
        let (message, impacts) = change.describe("A::tags", Flow::INPUT);
        assert_eq!(
            message,
            "`A::tags`: items.maxLength 5 → 9 (looser): the router lets through values it refused before"
        );
        assert_eq!(impacts, (Impact::Compatible, Impact::Breaking));
    }
}
