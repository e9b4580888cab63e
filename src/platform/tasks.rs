//! Running a few futures side by side on the browser's one thread (bounded concurrency without
//! an executor crate), and a component's tasks under the component's owner.

use leptos::prelude::{Owner, RwSignal, StoredValue, WeakOwner, WithValue};
use leptos::task::spawn_local_scoped;
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

/// Where a component's requests run. A request is aborted when the reactive owner it was sent
/// under is cleaned up (see `api::client`), and a handler inside a `move ||` block runs under
/// that block's owner, which is cleaned up each time the block is drawn again (a list that
/// changed, a dialog's content). Started through this, a request belongs to the component and
/// lasts as long as it does: its answer still reaches the component's state.
#[derive(Debug, Clone, Copy)]
pub struct Tasks(StoredValue<WeakOwner>);

impl Tasks {
    /// The current component's (call it in the component's body). Weak: the callbacks that hold
    /// it belong to that same owner.
    pub fn here() -> Self {
        Self(StoredValue::new(
            Owner::current().unwrap_or_default().downgrade(),
        ))
    }

    fn owner(self) -> Option<Owner> {
        self.0.try_with_value(WeakOwner::upgrade).flatten()
    }

    pub fn spawn(self, work: impl Future<Output = ()> + 'static) {
        if let Some(owner) = self.owner() {
            owner.with(|| spawn_local_scoped(work));
        }
    }

    /// [`run_busy`](crate::components::run_busy) under the component's owner.
    pub fn run_busy(self, busy: RwSignal<bool>, work: impl Future<Output = ()> + 'static) {
        if let Some(owner) = self.owner() {
            owner.with(|| crate::components::run_busy(busy, work));
        }
    }
}
