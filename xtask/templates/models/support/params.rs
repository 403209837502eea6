//! Values as the client writes them into a request: [`ToParam`], one value as a path segment or
//! a query value, and [`Pairs`], the query pairs of an operation's query struct.

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

#[cfg(test)]
mod tests {
    use super::*;

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
