//! The **Change password** part of `/settings/security`: the current password, a new one with
//! sign-up's rules and live checklist, typed twice. On success every other session and every
//! API token of the user ends (this tab stays signed in), and the page says so. The passwords
//! live in signals only, cleared after a change; never in a draft or storage.

use crate::api::ApiError;
use crate::components::{
    Banner, Button, ErrorSummary, Field, FieldCheck, FormErrors, Notice, PasswordChecklist,
    Problem, StatusMessage, notice, problems,
};
use crate::state::{Session, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::dto::PasswordChange;
use onramp_core::validate as v;

/// The words after a change.
pub const CHANGED: &str = "Your password was changed. You are still signed in here; every other session of yours was signed out and your API tokens were revoked.";

#[component]
pub fn ChangePassword(
    /// Runs after a change (the API tokens are gone: the page loads their list again).
    on_changed: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let session = expect_context::<Session>();
    let current = RwSignal::new(String::new());
    let e_current = RwSignal::new(None::<String>);
    let new = RwSignal::new(String::new());
    let e_new = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(String::new());
    let e_confirm = RwSignal::new(None::<String>);
    let show = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let input_type = Signal::derive(move || if show.get() { "text" } else { "password" });

    let check_current = crate::components::rule(v::current_password);
    let check_new = Callback::new(move |value: String| {
        v::new_password(&current.get_untracked(), &value)
            .err()
            .map(|e| e.message)
    });
    let check_confirm = Callback::new(move |value: String| {
        if value.is_empty() {
            Some("Type the new password again to confirm it.".to_owned())
        } else if value != new.get_untracked() {
            Some("The passwords don't match. Type the same new password in both fields.".to_owned())
        } else {
            None
        }
    });

    let fields = [
        FieldCheck {
            id: "pw-current",
            value: current,
            error: e_current,
            check: check_current,
        },
        FieldCheck {
            id: "pw-new",
            value: new,
            error: e_new,
            check: check_new,
        },
        FieldCheck {
            id: "pw-confirm",
            value: confirm,
            error: e_confirm,
            check: check_confirm,
        },
    ];
    let errors = FormErrors::new("pw-problems");
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        done.set(None);
        if !errors.check(&fields) {
            return;
        }
        let req = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let api = api();
        session.run_busy(busy, async move {
            let answer = api.change_password(&req).await;
            drop(req);
            match answer {
                Ok(()) => {
                    for s in [current, new, confirm] {
                        s.try_set(String::new());
                    }
                    show.try_set(false);
                    done.try_set(Some(CHANGED.to_owned()));
                    on_changed.try_run(());
                }
                Err(ApiError::Unauthorized) => {}
                Err(e) => {
                    let at_current = e.field_message("currentPassword").map(str::to_owned);
                    let at_new = e.field_message("newPassword").map(str::to_owned);
                    if at_current.is_none() && at_new.is_none() {
                        banner.try_set(Some(Notice {
                            text: format!("Your password was not changed. {}", notice(&e).text),
                            request_id: e.request_id().map(str::to_owned),
                        }));
                    }
                    let refused: Vec<Problem> = problems([
                        ("pw-current", at_current.clone()),
                        ("pw-new", at_new.clone()),
                    ]);
                    e_current.try_set(at_current);
                    e_new.try_set(at_new);
                    errors.report(refused);
                }
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <p class="muted">"Changing your password signs you out everywhere else and revokes your API tokens; this tab stays signed in."</p>
            <StatusMessage text=done/>
            <form class="form" novalidate on:submit=submit>
                <ErrorSummary errors/>
                <Banner notice=banner/>
                <Field id="pw-current" label="Current password" value=current error=e_current
                    check=check_current input_type=input_type autocomplete="current-password"/>
                <Field id="pw-new" label="New password" value=new error=e_new
                    check=check_new input_type=input_type autocomplete="new-password"/>
                <PasswordChecklist password=new id="pw-new-rules"/>
                <Field id="pw-confirm" label="Confirm new password" value=confirm error=e_confirm
                    check=check_confirm input_type=input_type autocomplete="new-password"/>
                <div class="check-toggle">
                    <input type="checkbox" id="pw-show"
                        prop:checked=move || show.get()
                        on:change=move |ev| show.set(event_target_checked(&ev))/>
                    <label for="pw-show">"Show passwords"</label>
                </div>
                <Button busy=busy id="pw-submit">"Change password"</Button>
            </form>
        </section>
    }
}
