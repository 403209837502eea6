//! Paginated lists: [`paginate`] reads every item, page by page, as a stream.

use std::collections::VecDeque;
use std::future::Future;

use futures_core::Stream;

use super::Error;

/// The page after `page`, from authentik's `pagination.next` (0 when there is none). A `next`
/// that does not move forward ends the stream, so a wrong answer cannot loop for ever.
fn next_page(current: i64, next: f64) -> Option<i64> {
    if (1.0..9.0e15).contains(&next) {
        // In range and integral enough: page numbers are small whole numbers.
        #[allow(clippy::cast_possible_truncation)]
        let next = next as i64;
        (next > current).then_some(next)
    } else {
        None
    }
}

/// Every item of a paginated list, page by page: `fetch(page)` answers a page's items and its
/// `pagination.next`. The stream ends after the last page, or after the first error.
#[doc(hidden)]
pub fn paginate<'a, T, E, F, Fut>(
    first: i64,
    fetch: F,
) -> impl Stream<Item = Result<T, Error<E>>> + Send + 'a
where
    T: Send + 'a,
    E: Send + 'a,
    F: FnMut(i64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<(Vec<T>, f64), Error<E>>> + Send + 'a,
{
    struct Pages<T, F> {
        buffer: VecDeque<T>,
        next: Option<i64>,
        fetch: F,
    }
    let state = Pages {
        buffer: VecDeque::new(),
        next: Some(first.max(1)),
        fetch,
    };
    futures_util::stream::unfold(state, |mut pages| async move {
        loop {
            if let Some(item) = pages.buffer.pop_front() {
                return Some((Ok(item), pages));
            }
            let page = pages.next.take()?;
            match (pages.fetch)(page).await {
                Ok((items, next)) => {
                    pages.buffer = items.into();
                    pages.next = next_page(page, next);
                }
                // `next` is `None` now: the error is the stream's last item.
                Err(error) => return Some((Err(error), pages)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::Documented;
    use super::super::ValidationErrors;
    use super::*;
    use futures_util::{FutureExt as _, StreamExt as _};

    #[test]
    fn pages_only_move_forward() {
        assert_eq!(next_page(1, 2.0), Some(2));
        assert_eq!(next_page(1, 0.0), None);
        assert_eq!(next_page(3, 2.0), None);
        assert_eq!(next_page(3, 3.0), None);
        assert_eq!(next_page(1, 1.0e16), None);
        assert_eq!(next_page(1, f64::NAN), None);
    }

    #[test]
    fn a_page_stream_yields_every_item_then_ends() {
        let pages = |page: i64| {
            let result = match page {
                1 => Ok((vec![1, 2], 2.0)),
                2 => Ok((vec![3], 0.0)),
                _ => Err(Error::Invalid(ValidationErrors::new())),
            };
            std::future::ready(result)
        };
        let items: Vec<Result<i32, Error<Documented>>> = paginate(0, pages)
            .collect()
            .now_or_never()
            .expect("ready pages");
        let items: Vec<i32> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, [1, 2, 3]);
        // An error is the stream's last item.
        let failing = |page: i64| {
            std::future::ready(match page {
                1 => Ok((vec![1], 2.0)),
                _ => Err(Error::<Documented>::Invalid(ValidationErrors::new())),
            })
        };
        let items: Vec<Result<i32, _>> = paginate(1, failing)
            .collect()
            .now_or_never()
            .expect("ready pages");
        assert_eq!(items.len(), 2);
        assert!(matches!(items[0], Ok(1)));
        assert!(matches!(items[1], Err(Error::Invalid(_))));
    }
}
