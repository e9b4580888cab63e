//! `/settings/security`: the user's own sign-in matters, for any role: API tokens, changing the
//! password, and **Sign out everywhere** (every session and API token ends, this tab's too, which
//! then goes to sign-in as Sign out does).

use super::SettingsNav;
use super::confirm::ConfirmDialog;
use super::password::ChangePassword;
use super::tokens::{ApiTokens, TokenList};
use crate::api::{ApiError, describe};
use crate::components::{Banner, Notice, run_busy, set_title};
use crate::platform::history::use_navigate;
use crate::state::{Session, use_api};
use leptos::prelude::*;

/// What the sign-in screen says after **Sign out everywhere**.
pub const SIGNED_OUT_EVERYWHERE: &str =
    "You have signed out everywhere: every session and API token of yours has ended.";

#[component]
pub fn Security() -> impl IntoView {
    set_title("Security");
    let tokens = TokenList::of_signed_in_user();
    tokens.load.run(());
    view! {
        <section class="page settings">
            <SettingsNav/>
            <h1>"Security"</h1>
            <p class="lead">"Your API tokens, your password and your sessions."</p>
            <ApiTokens list=tokens/>
            <ChangePassword on_changed=tokens.load/>
            <SignOutEverywhere/>
        </section>
    }
}

#[component]
fn SignOutEverywhere() -> impl IntoView {
    let session = expect_context::<Session>();
    let api = use_api();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    let closed_banner = RwSignal::new(None::<Notice>);
    let confirm = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        let api = api();
        let navigate = navigate.clone();
        run_busy(busy, async move {
            match api.signout_everywhere().await {
                Ok(()) => {
                    session.clear();
                    session.flash.set(Some(SIGNED_OUT_EVERYWHERE.into()));
                    navigate("/signin", Default::default());
                }
                // The session had ended already; the client has sent the user to sign in.
                Err(ApiError::Unauthorized) => {}
                Err(e) => {
                    let said = Some(Notice {
                        text: format!("Nothing was signed out. {}", describe(&e)),
                        request_id: e.request_id().map(str::to_owned),
                    });
                    // The dialog closed meanwhile: the page says it instead.
                    match open.try_get_untracked() {
                        Some(true) => banner.try_set(said),
                        _ => closed_banner.try_set(said),
                    };
                }
            }
        });
    });
    view! {
        <section class="card" aria-labelledby="everywhere-heading">
            <h2 id="everywhere-heading">"Sign out everywhere"</h2>
            <p class="muted">
                "Ends every session of yours, on every browser and device, this one included, and revokes your API tokens. Use it if you signed in on a computer you no longer control."
            </p>
            <Banner notice=closed_banner/>
            <button type="button" id="everywhere-open" class="btn btn-secondary" aria-haspopup="dialog"
                on:click=move |_| {
                    closed_banner.set(None);
                    open.set(true);
                }>
                "Sign out everywhere"
            </button>
            <ConfirmDialog
                id="everywhere-dialog"
                title=Signal::stored("Sign out everywhere?".to_owned())
                open=open
                busy=busy
                banner=banner
                cancel="Stay signed in"
                confirm=Signal::stored("Sign out everywhere".to_owned())
                on_confirm=confirm
            >
                <p>"Every session of yours ends, this tab included, and every API token stops working. You then sign in again here."</p>
            </ConfirmDialog>
        </section>
    }
}
