//! Lists as authentik answers them: filters, `search`, `ordering` (by default `name`, as
//! authentik's stage viewsets order) and page-number pagination with its `pagination` object
//! (`next`/`previous` are page numbers, 0 when there is none). This module turns a query into
//! SQL for [`crate::store`] and works out the page; it knows nothing of HTTP.

use authentik_models::Pagination;
use rusqlite::types::Value as SqlValue;

/// authentik's default page size.
pub const DEFAULT_PAGE_SIZE: i64 = 100;
/// The largest page size honoured.
pub const MAX_PAGE_SIZE: i64 = 1000;

/// How to narrow, order and page a list.
pub struct ListQuery {
    /// Exact matches on the store's columns (and `name`); a filter without a value is not applied.
    pub filters: Vec<Filter>,
    pub search: Option<String>,
    /// Fields to order by (`-` for descending), as DRF's `ordering` parameter gives them.
    pub ordering: Option<String>,
    pub page: PageRequest,
}

/// One exact-match filter: a column of the store (a member of the document of the same name)
/// and the value asked for.
pub struct Filter {
    pub column: &'static str,
    pub value: Option<FilterValue>,
}

/// A filter's value.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterValue {
    Text(String),
    Flag(bool),
    /// A reference's pk: it must name an object the store holds.
    Pk(uuid::Uuid),
}

impl Filter {
    pub fn text(column: &'static str, value: Option<String>) -> Filter {
        Filter {
            column,
            value: value.map(FilterValue::Text),
        }
    }

    pub fn flag(column: &'static str, value: Option<bool>) -> Filter {
        Filter {
            column,
            value: value.map(FilterValue::Flag),
        }
    }

    pub fn pk(column: &'static str, value: Option<uuid::Uuid>) -> Filter {
        Filter {
            column,
            value: value.map(FilterValue::Pk),
        }
    }
}

impl FilterValue {
    /// As the store's columns hold it: text, or 0 and 1.
    fn sql(&self) -> SqlValue {
        match self {
            FilterValue::Text(text) => SqlValue::Text(text.clone()),
            FilterValue::Flag(flag) => SqlValue::Integer(i64::from(*flag)),
            FilterValue::Pk(pk) => SqlValue::Text(pk.to_string()),
        }
    }
}

/// Which page of a list is asked for: its number (from 1; `None`: the first) and size.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PageRequest {
    pub number: Option<i64>,
    pub size: Option<i64>,
}

/// The SQL a [`ListQuery`] comes to: extra `WHERE` conditions with their parameters, and the
/// `ORDER BY` terms.
pub struct Sql {
    pub clause: String,
    pub params: Vec<SqlValue>,
    pub order: String,
}

/// The page number is outside `1..=total_pages` (authentik: 404 `Invalid page.`).
#[derive(Debug, PartialEq)]
pub struct InvalidPage;

/// Where a page starts and how long it is, and its `pagination` object.
pub struct Plan {
    pub offset: i64,
    pub limit: i64,
    pub count: i64,
    pub current: i64,
    pub total_pages: i64,
}

impl ListQuery {
    /// The query's conditions and order, as SQL over the store's columns; `ordering` may name
    /// `ordering_fields` (`name`, `pk`, or members of the document), and nothing else.
    pub fn sql(&self, ordering_fields: &[&'static str]) -> Sql {
        let mut clause = String::new();
        let mut params = Vec::new();
        for filter in &self.filters {
            if let Some(value) = &filter.value {
                clause.push_str(" AND ");
                clause.push_str(filter.column);
                clause.push_str(" = ?");
                params.push(value.sql());
            }
        }
        // DRF's SearchFilter: every term (split on whitespace and commas) must match a search
        // field, case-insensitively; stages search `name` only.
        for term in self
            .search
            .as_deref()
            .unwrap_or_default()
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
        {
            clause.push_str(" AND icontains(name, ?)");
            params.push(SqlValue::Text(term.to_owned()));
        }
        Sql {
            clause,
            params,
            order: self.order_by(ordering_fields),
        }
    }

    /// `ORDER BY` terms: the valid keys of `ordering`, else `name`; `name` last to break ties.
    /// Nulls sort as PostgreSQL sorts them: last ascending, first descending.
    fn order_by(&self, ordering_fields: &[&'static str]) -> String {
        let mut terms: Vec<String> = Vec::new();
        let mut has_name = false;
        let ordering = self.ordering.as_deref().unwrap_or_default();
        for key in ordering.split(',').map(str::trim) {
            let (field, desc) = match key.strip_prefix('-') {
                Some(f) => (f, true),
                None => (key, false),
            };
            let Some(field) = ordering_fields.iter().find(|f| **f == field) else {
                continue;
            };
            let direction = if desc { "DESC" } else { "ASC" };
            match *field {
                f if f == crate::NAME => {
                    has_name = true;
                    terms.push(format!("name {direction}"));
                }
                f if f == crate::PK => terms.push(format!("uuid {direction}")),
                other => {
                    let expr = format!("json_extract(data, '$.{other}')");
                    terms.push(format!("({expr} IS NULL) {direction}, {expr} {direction}"));
                }
            }
        }
        if !has_name {
            terms.push("name ASC".to_owned());
        }
        terms.join(", ")
    }
}

/// Where `page` lies among `count` items. A page size that is not a positive number is the
/// default one; a large one is capped.
pub fn plan(page: PageRequest, count: i64) -> Result<Plan, InvalidPage> {
    let size = page
        .size
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let total_pages = ((count + size - 1) / size).max(1);
    let current = page.number.unwrap_or(1);
    if current < 1 || current > total_pages {
        return Err(InvalidPage);
    }
    Ok(Plan {
        offset: (current - 1) * size,
        limit: size,
        count,
        current,
        total_pages,
    })
}

impl Plan {
    /// The `pagination` object for a page that holds `shown` items.
    pub fn pagination(&self, shown: usize) -> Pagination {
        let shown = shown as i64;
        let (current, total) = (self.current, self.total_pages);
        Pagination {
            next: if current < total {
                (current + 1) as f64
            } else {
                0.0
            },
            previous: if current > 1 {
                (current - 1) as f64
            } else {
                0.0
            },
            count: self.count as f64,
            current: current as f64,
            total_pages: total as f64,
            start_index: if shown == 0 {
                0.0
            } else {
                (self.offset + 1) as f64
            },
            end_index: if shown == 0 {
                0.0
            } else {
                (self.offset + shown) as f64
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDERING_FIELDS: &[&str] = &["name", "pk", "public_key"];

    fn query() -> ListQuery {
        ListQuery {
            filters: vec![],
            search: None,
            ordering: None,
            page: PageRequest::default(),
        }
    }

    /// Page `number` of `size` items.
    fn page(number: Option<i64>, size: Option<i64>) -> PageRequest {
        PageRequest { number, size }
    }

    #[test]
    fn pages_count_from_one_and_zero_means_none() {
        let first = plan(page(Some(2), Some(2)), 5).unwrap();
        assert_eq!((first.offset, first.limit), (2, 2));
        let p = first.pagination(2);
        assert_eq!(
            (
                p.next,
                p.previous,
                p.count,
                p.current,
                p.total_pages,
                p.start_index,
                p.end_index
            ),
            (3.0, 1.0, 5.0, 2.0, 3.0, 3.0, 4.0)
        );
        let p = plan(page(Some(3), Some(2)), 5).unwrap().pagination(1);
        assert_eq!(
            (p.next, p.previous, p.start_index, p.end_index),
            (0.0, 2.0, 5.0, 5.0)
        );
        assert_eq!(plan(page(Some(4), Some(2)), 5).err(), Some(InvalidPage));
        assert_eq!(plan(page(Some(0), None), 5).err(), Some(InvalidPage));
        let p = plan(page(None, None), 0).unwrap().pagination(0);
        assert_eq!(
            (
                p.count,
                p.current,
                p.total_pages,
                p.start_index,
                p.end_index,
                p.next
            ),
            (0.0, 1.0, 1.0, 0.0, 0.0, 0.0)
        );
        // A page size that is not a positive number is the default one; a huge one is capped.
        assert_eq!(
            plan(page(None, Some(-3)), 0).unwrap().limit,
            DEFAULT_PAGE_SIZE
        );
        assert_eq!(
            plan(page(None, Some(1 << 40)), 0).unwrap().limit,
            MAX_PAGE_SIZE
        );
    }

    #[test]
    fn filters_search_and_ordering_become_sql() {
        let mut q = query();
        q.filters = vec![
            Filter::text("public_key", Some("x".into())),
            Filter::text("name", None),
        ];
        q.search = Some("al, be".into());
        q.ordering = Some("-public_key,unknown".into());
        let sql = q.sql(ORDERING_FIELDS);
        assert_eq!(
            sql.clause,
            " AND public_key = ? AND icontains(name, ?) AND icontains(name, ?)"
        );
        assert_eq!(sql.params.len(), 3);
        assert_eq!(
            sql.order,
            "(json_extract(data, '$.public_key') IS NULL) DESC, json_extract(data, '$.public_key') DESC, name ASC"
        );
        // By default, and when no key is valid: by name.
        assert_eq!(query().sql(ORDERING_FIELDS).order, "name ASC");
        let mut q = query();
        q.ordering = Some("-name".into());
        assert_eq!(q.sql(ORDERING_FIELDS).order, "name DESC");
        q.ordering = Some("nope; DROP TABLE stages".into());
        assert_eq!(q.sql(ORDERING_FIELDS).order, "name ASC");
    }
}
