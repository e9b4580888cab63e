//! A button that shows it is working without changing its accessible name or losing focus.

use leptos::prelude::*;

#[component]
pub fn Button(
    /// While true the button shows a spinner and says `aria-busy`; clicks should be ignored by
    /// the caller (it is not `disabled`, which would drop keyboard focus).
    #[prop(into, default = Signal::stored(false))]
    busy: Signal<bool>,
    #[prop(default = "submit")] kind: &'static str,
    #[prop(default = "primary")] variant: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] on_press: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type=kind
            id=id
            class=format!("btn btn-{variant}")
            aria-busy=move || busy.get().then_some("true")
            on:click=move |_| {
                if let Some(cb) = on_press {
                    cb.run(());
                }
            }
        >
            <Show when=move || busy.get()>
                <span class="spinner" aria-hidden="true"></span>
            </Show>
            {children()}
        </button>
    }
}
