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

/// How to narrow and order a list.
pub struct ListQuery<'a> {
    /// Exact matches: a generated column of the store → value; `None` is not filtered on.
    pub filters: Vec<(&'static str, Option<SqlValue>)>,
    pub search: Option<&'a str>,
    /// Fields `ordering` may name, and how each is read: `name`, `pk`, or a member of the
    /// document. Anything else in `ordering` is ignored, as DRF ignores it.
    pub ordering_fields: &'static [&'static str],
    pub ordering: Option<&'a str>,
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

impl ListQuery<'_> {
    /// The query's conditions and order, as SQL over the store's columns.
    pub fn sql(&self) -> Sql {
        let mut clause = String::new();
        let mut params = Vec::new();
        for (column, value) in &self.filters {
            if let Some(value) = value {
                clause.push_str(" AND ");
                clause.push_str(column);
                clause.push_str(" = ?");
                params.push(value.clone());
            }
        }
        // DRF's SearchFilter: every term (split on whitespace and commas) must match a search
        // field, case-insensitively; stages search `name` only.
        for term in self
            .search
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
            order: self.order_by(),
        }
    }

    /// `ORDER BY` terms: the valid keys of `ordering`, else `name`; `name` last to break ties.
    /// Nulls sort as PostgreSQL sorts them: last ascending, first descending.
    fn order_by(&self) -> String {
        let mut terms: Vec<String> = Vec::new();
        let mut has_name = false;
        for key in self.ordering.unwrap_or_default().split(',').map(str::trim) {
            let (field, desc) = match key.strip_prefix('-') {
                Some(f) => (f, true),
                None => (key, false),
            };
            let Some(field) = self.ordering_fields.iter().find(|f| **f == field) else {
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

/// Where page `page` (from 1; `None`: the first) of `page_size` items lies among `count`
/// items. A page size that is not a positive number is the default one; a large one is capped.
pub fn plan(page: Option<i64>, page_size: Option<i64>, count: i64) -> Result<Plan, InvalidPage> {
    let size = page_size
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let total_pages = ((count + size - 1) / size).max(1);
    let current = page.unwrap_or(1);
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

    fn query() -> ListQuery<'static> {
        ListQuery {
            filters: vec![],
            search: None,
            ordering_fields: &["name", "pk", "public_key"],
            ordering: None,
        }
    }

    #[test]
    fn pages_count_from_one_and_zero_means_none() {
        let first = plan(Some(2), Some(2), 5).unwrap();
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
        let p = plan(Some(3), Some(2), 5).unwrap().pagination(1);
        assert_eq!(
            (p.next, p.previous, p.start_index, p.end_index),
            (0.0, 2.0, 5.0, 5.0)
        );
        assert_eq!(plan(Some(4), Some(2), 5).err(), Some(InvalidPage));
        assert_eq!(plan(Some(0), None, 5).err(), Some(InvalidPage));
        let p = plan(None, None, 0).unwrap().pagination(0);
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
        assert_eq!(plan(None, Some(-3), 0).unwrap().limit, DEFAULT_PAGE_SIZE);
        assert_eq!(plan(None, Some(1 << 40), 0).unwrap().limit, MAX_PAGE_SIZE);
    }

    #[test]
    fn filters_search_and_ordering_become_sql() {
        let mut q = query();
        q.filters = vec![
            ("public_key", Some(SqlValue::Text("x".into()))),
            ("name", None),
        ];
        q.search = Some("al, be");
        q.ordering = Some("-public_key,unknown");
        let sql = q.sql();
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
        assert_eq!(query().sql().order, "name ASC");
        let mut q = query();
        q.ordering = Some("-name");
        assert_eq!(q.sql().order, "name DESC");
        q.ordering = Some("nope; DROP TABLE stages");
        assert_eq!(q.sql().order, "name ASC");
    }
}
