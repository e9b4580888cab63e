//! A button that shows it is working without changing its accessible name or losing focus.

use leptos::prelude::*;

#[component]
pub fn Button(
    /// While true the button shows a spinner, says `aria-busy` and `aria-disabled`, and ignores
    /// presses: a click (or Enter in a field, which clicks the form's submit button) neither
    /// submits its form again nor runs `on_press`. It is not `disabled`, which would drop
    /// keyboard focus.
    #[prop(into, default = Signal::stored(false))]
    busy: Signal<bool>,
    #[prop(default = "submit")] kind: &'static str,
    #[prop(default = "primary")] variant: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] on_press: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    // A press whose work moves to another screen ends after this one is gone: the last change
    // of `busy` then reaches a button whose props were disposed with its screen, and reads
    // nothing rather than panicking.
    let is_busy = move || busy.try_get().unwrap_or(false);
    view! {
        <button
            type=kind
            id=id
            class=format!("btn btn-{variant}")
            aria-busy=move || is_busy().then_some("true")
            aria-disabled=move || is_busy().then_some("true")
            on:click=move |ev| {
                if busy.get_untracked() {
                    ev.prevent_default();
                } else if let Some(cb) = on_press {
                    cb.run(());
                }
            }
        >
            <Show when=is_busy>
                <span class="spinner" aria-hidden="true"></span>
            </Show>
            {children()}
        </button>
    }
}

/// **Try again** (or **Retry**) for content that failed to load. This button goes away while the
/// content loads again, so focus moves to `heading` (a `tabindex="-1"` heading of that content)
/// first rather than falling to `<body>`; a second failure is then announced by its alert.
#[component]
pub fn RetryButton(
    heading: &'static str,
    on_retry: Callback<()>,
    /// `primary` where Try again is the only way on.
    #[prop(default = "secondary")]
    variant: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=format!("btn btn-{variant}")
            on:click=move |_| {
                super::focus_id(heading);
                on_retry.run(());
            }
        >
            {children()}
        </button>
    }
}

/// Runs one form submission in the page's scope, with `busy` true meanwhile. (A hand-rolled
/// stand-in for `Action::new_local`: the same behaviour for one-shot submits, and measurably
/// smaller in the wasm bundle, where every byte is paid on first load.)
pub fn run_busy(busy: RwSignal<bool>, work: impl Future<Output = ()> + 'static) {
    busy.set(true);
    leptos::task::spawn_local_scoped(async move {
        work.await;
        busy.try_set(false);
    });
}

/// The rows of a list whose request is on its way (a revoke, a removal), so that each row, and
/// a dialog aimed at it, is busy on its own: one row's request neither shows on another's
/// button nor ignores its presses.
pub struct InFlight<K: Send + Sync + 'static>(RwSignal<Vec<K>>);

impl<K: Send + Sync + 'static> Clone for InFlight<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: Send + Sync + 'static> Copy for InFlight<K> {}

impl<K: PartialEq + Send + Sync + 'static> InFlight<K> {
    pub fn new() -> Self {
        Self(RwSignal::new(Vec::new()))
    }

    /// Whether `key`'s request is on its way (tracked: a view redraws when that changes).
    pub fn has(self, key: &K) -> bool {
        self.0.try_with(|v| v.contains(key)).unwrap_or(false)
    }

    /// Marks `key`'s request as on its way; false if it already was (a second press of the
    /// same button sends nothing).
    pub fn start(self, key: K) -> bool {
        if self.0.with_untracked(|v| v.contains(&key)) {
            return false;
        }
        self.0.update(|v| v.push(key));
        true
    }

    /// Its answer has come (the page may be gone by then).
    pub fn end(self, key: &K) {
        self.0.try_update(|v| v.retain(|k| k != key));
    }
}

impl<K: PartialEq + Send + Sync + 'static> Default for InFlight<K> {
    fn default() -> Self {
        Self::new()
    }
}
