//! The confirmation the settings screens ask before something that cannot be undone (removing
//! a member, revoking a token, signing out everywhere): a modal dialog whose safe choice has
//! focus when it opens, the server's refusal shown inside it, the risky button busy meanwhile.

use crate::components::{Banner, Button, Modal, Notice};
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    open: RwSignal<bool>,
    #[prop(into)] busy: Signal<bool>,
    /// Why the last attempt failed (cleared each time the dialog opens).
    banner: RwSignal<Option<Notice>>,
    /// The safe choice's text; it closes the dialog and has focus when it opens.
    cancel: &'static str,
    #[prop(into)] confirm: Signal<String>,
    on_confirm: Callback<()>,
    children: Children,
) -> impl IntoView {
    Effect::new(move |_| {
        if open.get() {
            banner.set(None);
        }
    });
    view! {
        <Modal id=id title=title open=open>
            <div class="confirm-body">{children()}</div>
            <Banner notice=banner/>
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" autofocus on:click=move |_| open.set(false)>
                    {cancel}
                </button>
                <Button kind="button" variant="danger" busy=busy on_press=on_confirm>
                    {move || confirm.get()}
                </Button>
            </div>
        </Modal>
    }
}
