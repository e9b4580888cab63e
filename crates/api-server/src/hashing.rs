//! One bounded queue for all argon2 work (password checks at sign-in, new passwords at sign-up
//! and on accepting an invitation). Each hash takes a CPU core for a noticeable moment on
//! purpose, so a burst of sign-ins could otherwise occupy every core and tokio's blocking pool
//! for seconds. At most `workers` hashes run at once (one per core by default), on tokio's
//! blocking threads; at most `queue` more wait for a turn; past that the request answers 503
//! with `Retry-After: 1` at once, and everything that needs no hash keeps answering.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use tokio::sync::Semaphore;

use crate::respond::ApiError;

pub struct HashPool {
    permits: Arc<Semaphore>,
    queue: usize,
    waiting: AtomicUsize,
}

/// One hash per core by default: more would only make each one slower.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl HashPool {
    pub fn new(workers: usize, queue: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            queue,
            waiting: AtomicUsize::new(0),
        }
    }

    /// Runs `work` (argon2) on a blocking thread once a worker is free; 503 when the queue is
    /// full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let _place = self.join_queue().ok_or_else(busy)?;
                self.permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| ApiError::internal())?
            }
        };
        // The permit moves into the blocking task: if the client goes away meanwhile, the
        // worker still counts as busy until the hash is done.
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|_| ApiError::internal())
    }

    /// How many hashes wait for a worker now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    fn join_queue(&self) -> Option<QueuePlace<'_>> {
        self.waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.queue).then_some(n + 1)
            })
            .ok()
            .map(|_| QueuePlace(&self.waiting))
    }
}

/// A place in the queue, given back however the wait ends (a permit, or the client left).
struct QueuePlace<'a>(&'a AtomicUsize);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub fn busy() -> ApiError {
    let mut e = ApiError::new(
        503,
        "SERVER_BUSY",
        "The server is busy checking passwords. Try again in a second.",
    );
    e.retry_after = Some(1);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_queue_it_answers_busy_at_once() {
        let pool = Arc::new(HashPool::new(1, 1));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let running = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move || wait.recv().is_ok()).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let queued = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(|| 2).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let e = tokio::time::timeout(std::time::Duration::from_secs(1), pool.run(|| 3))
            .await
            .expect("refused at once, not queued")
            .unwrap_err();
        assert_eq!((e.status, e.retry_after), (503, Some(1)));
        release.send(()).unwrap();
        assert!(running.await.unwrap().unwrap());
        assert_eq!(queued.await.unwrap().unwrap(), 2);
        // The queue is free again.
        assert_eq!(pool.run(|| 4).await.unwrap(), 4);
    }
}
