//! Running a few futures side by side on the browser's one thread (bounded concurrency without
//! an executor crate).

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

/// Resolves once every future in `work` has; they make progress together.
pub async fn all(work: Vec<Pin<Box<dyn Future<Output = ()>>>>) {
    let mut work: Vec<Option<Pin<Box<dyn Future<Output = ()>>>>> =
        work.into_iter().map(Some).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for slot in work.iter_mut() {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await
}
