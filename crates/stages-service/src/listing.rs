//! Lists as authentik answers them: filters, `search`, `ordering` and page-number pagination
//! with its `pagination` object (`next`/`previous` are page numbers, 0 when there is none).

use authentik_models::Pagination;
use authentik_server::ApiError;
use serde_json::Value;
use std::cmp::Ordering;

/// authentik's default page size.
pub const DEFAULT_PAGE_SIZE: i64 = 100;
/// The largest page size honoured.
pub const MAX_PAGE_SIZE: i64 = 1000;

/// How to narrow and order a list.
pub struct ListQuery<'a> {
    /// Exact matches: field → value; `None` values are not filtered on.
    pub filters: Vec<(&'a str, Option<Value>)>,
    pub search: Option<&'a str>,
    pub search_fields: &'a [&'a str],
    pub ordering: Option<&'a str>,
    pub ordering_fields: &'a [&'a str],
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Applies the query to `items` and cuts out the page.
pub fn page(
    mut items: Vec<Value>,
    q: &ListQuery<'_>,
) -> Result<(Vec<Value>, Pagination), ApiError> {
    items.retain(|item| {
        q.filters.iter().all(|(field, expected)| {
            expected
                .as_ref()
                .is_none_or(|e| item.get(*field) == Some(e))
        })
    });
    if let Some(term) = q.search.map(str::to_lowercase).filter(|t| !t.is_empty()) {
        items.retain(|item| {
            q.search_fields.iter().any(|f| {
                item.get(*f)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.to_lowercase().contains(&term))
            })
        });
    }
    if let Some(ordering) = q.ordering {
        // Later keys break ties of earlier ones; unknown fields are ignored, as DRF does.
        let keys: Vec<(&str, bool)> = ordering
            .split(',')
            .map(str::trim)
            .map(|k| match k.strip_prefix('-') {
                Some(f) => (f, true),
                None => (k, false),
            })
            .filter(|(f, _)| q.ordering_fields.contains(f))
            .collect();
        items.sort_by(|a, b| {
            keys.iter()
                .map(|(field, desc)| {
                    let o = compare(a.get(*field), b.get(*field));
                    if *desc {
                        o.reverse()
                    } else {
                        o
                    }
                })
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
    }
    let size = q
        .page_size
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let count = items.len() as i64;
    let total_pages = ((count + size - 1) / size).max(1);
    let current = q.page.unwrap_or(1);
    if current < 1 || current > total_pages {
        return Err(ApiError::InvalidPage);
    }
    let start = (current - 1) * size;
    let results: Vec<Value> = items
        .into_iter()
        .skip(start as usize)
        .take(size as usize)
        .collect();
    let shown = results.len() as i64;
    let pagination = Pagination {
        next: if current < total_pages {
            (current + 1) as f64
        } else {
            0.0
        },
        previous: if current > 1 {
            (current - 1) as f64
        } else {
            0.0
        },
        count: count as f64,
        current: current as f64,
        total_pages: total_pages as f64,
        start_index: if shown == 0 { 0.0 } else { (start + 1) as f64 },
        end_index: if shown == 0 {
            0.0
        } else {
            (start + shown) as f64
        },
    };
    Ok((results, pagination))
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        // Nulls first, as PostgreSQL orders ascending.
        (None | Some(Value::Null), _) => Ordering::Less,
        (_, None | Some(Value::Null)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(page: Option<i64>, page_size: Option<i64>) -> ListQuery<'static> {
        ListQuery {
            filters: vec![],
            search: None,
            search_fields: &["name"],
            ordering: None,
            ordering_fields: &["name"],
            page,
            page_size,
        }
    }

    #[test]
    fn pages_count_from_one_and_zero_means_none() {
        let items: Vec<Value> = (0..5).map(|i| json!({ "name": format!("s{i}") })).collect();
        let (first, p) = page(items.clone(), &query(Some(2), Some(2))).unwrap();
        assert_eq!(first, vec![json!({"name": "s2"}), json!({"name": "s3"})]);
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
        let (_, p) = super::page(items.clone(), &query(Some(3), Some(2))).unwrap();
        assert_eq!(
            (p.next, p.previous, p.start_index, p.end_index),
            (0.0, 2.0, 5.0, 5.0)
        );
        assert!(matches!(
            super::page(items, &query(Some(4), Some(2))),
            Err(ApiError::InvalidPage)
        ));
        let (empty, p) = super::page(vec![], &query(None, None)).unwrap();
        assert!(empty.is_empty());
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
    }

    #[test]
    fn filters_search_and_ordering() {
        let items = vec![
            json!({"name": "Beta", "k": "x"}),
            json!({"name": "alpha", "k": "y"}),
            json!({"name": "Gamma", "k": "x"}),
        ];
        let mut q = query(None, None);
        q.filters = vec![("k", Some(json!("x"))), ("name", None)];
        q.ordering = Some("-name,unknown");
        let (found, _) = super::page(items.clone(), &q).unwrap();
        assert_eq!(found, vec![items[2].clone(), items[0].clone()]);
        let mut q = query(None, None);
        q.search = Some("ALP");
        let (found, _) = super::page(items.clone(), &q).unwrap();
        assert_eq!(found, vec![items[1].clone()]);
    }
}
