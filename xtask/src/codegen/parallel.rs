//! Work spread over the machine's cores, results in input order.

/// How many threads to use: every core, at most 8.
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Runs `job` over `inputs` on every core, each worker taking the next input as it frees up (so
/// inputs of uneven cost still share the cores), keeping the order of `inputs` in the result.
pub fn map<T: Sync, R: Send>(inputs: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(input) = inputs.get(i) else {
                return done;
            };
            done.push((i, job(input)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers().min(inputs.len()).max(1))
            .map(|_| scope.spawn(work))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_map_keeps_the_order_of_its_inputs() {
        let inputs: Vec<u64> = (0..100).collect();
        // Uneven work: later inputs take longer.
        let out = map(&inputs, |n| (0..n * 1000).fold(*n, |a, b| a ^ b));
        let expected: Vec<u64> = inputs
            .iter()
            .map(|n| (0..n * 1000).fold(*n, |a, b| a ^ b))
            .collect();
        assert_eq!(out, expected);
        assert!(map(&[] as &[u8], |n| *n).is_empty());
    }
}
