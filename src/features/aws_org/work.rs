//! Bounded concurrency for the batch's requests, and what counts as a lost answer.

use crate::api::ApiError;
use crate::platform::tasks;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Requests in flight at once: fast enough for hundreds of members, gentle on the API's rate
/// limit.
pub(super) const PARALLEL: usize = 4;

type Work = Pin<Box<dyn Future<Output = ()>>>;

/// Runs `job` on every index of `todo`, [`PARALLEL`] at a time, stopping early when one
/// returns an error that is not a lost answer. Answers whether any answer was lost.
pub(super) async fn each<F, Fut>(todo: Vec<usize>, job: F) -> Result<bool, ApiError>
where
    F: Fn(usize) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<(), ApiError>> + 'static,
{
    let queue = Rc::new(RefCell::new(VecDeque::from(todo)));
    let doubt = Rc::new(Cell::new(false));
    let failure = Rc::new(RefCell::new(None::<ApiError>));
    let workers: Vec<Work> = (0..PARALLEL)
        .map(|_| {
            let (queue, doubt, failure, job) =
                (queue.clone(), doubt.clone(), failure.clone(), job.clone());
            Box::pin(async move {
                loop {
                    if failure.borrow().is_some() {
                        return;
                    }
                    let Some(i) = queue.borrow_mut().pop_front() else {
                        return;
                    };
                    match job(i).await {
                        Ok(()) => {}
                        Err(e) if e.may_have_acted() => doubt.set(true),
                        Err(e) => {
                            failure.borrow_mut().get_or_insert(e);
                        }
                    }
                }
            }) as Work
        })
        .collect();
    tasks::all(workers).await;
    match failure.take() {
        Some(e) => Err(e),
        None => Ok(doubt.get()),
    }
}
