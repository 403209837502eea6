//! Work spread over the machine's cores, results in input order.

/// How many threads to use: every core, at most 8.
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// `inputs` cut into one run per worker, in order.
pub fn runs<T>(inputs: &[T]) -> Vec<&[T]> {
    let chunk = inputs.len().div_ceil(workers()).max(1);
    inputs.chunks(chunk).collect()
}

/// Runs `job` over `inputs` on every core, keeping the order of `inputs` in the result.
pub fn map<T: Sync, R: Send>(inputs: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let chunk = inputs.len().div_ceil(workers()).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|run| scope.spawn(|| run.iter().map(&job).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
