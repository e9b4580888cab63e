//! The dashboard's **Invite more users** card (admins only): the pending invitations with
//! **Revoke**, and the dialog that creates one. The server sends no email, so the dialog shows
//! the invitation link once for the admin to pass on; it lives in a signal while the dialog is
//! open and nowhere else (no draft, no storage).

use crate::api::ApiError;
use crate::components::notice;
use crate::components::{
    Banner, Button, CopyButton, Field, InFlight, LazyDialogs, Modal, Notice, StatusMessage,
    focus_id, rule,
};
use crate::platform::tasks::Tasks;
use crate::state::{Loads, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::dto::{Invitation, InvitationCreated, InvitationRequest, Role};
use onramp_core::time::show_date;
use onramp_core::validate as v;

/// "Viewer" / "Admin", as the radio buttons and the list say it.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Viewer => "Viewer",
    }
}

/// What each role may do, in one line (the radio buttons and the join page).
pub fn role_description(role: Role) -> &'static str {
    match role {
        Role::Admin => "Connects, changes and deletes accounts, and invites other users.",
        Role::Viewer => "Sees accounts and savings, changes nothing.",
    }
}

/// Words for a refused email address (an email registered in another organization is not
/// refused here: the invitee learns it when accepting). The server's codes get our own sentence; a plain
/// validation message (`body.email`) is shown as the server wrote it.
pub fn email_problem(err: &ApiError) -> Option<String> {
    if err.has_code("USER_ALREADY_MEMBER") {
        Some("This person is already a user of your organization.".into())
    } else if err.has_code("INVITATION_ALREADY_PENDING") {
        Some(
            "An invitation for this email is already pending. To send a new link, revoke the \
             pending one in the list first."
                .into(),
        )
    } else {
        err.field_message("email").map(str::to_owned)
    }
}

#[component]
pub fn InviteCard() -> impl IntoView {
    let api = use_api();
    let list = RwSignal::new(None::<Vec<Invitation>>);
    let error = RwSignal::new(None::<Notice>);
    let status = RwSignal::new(None::<String>);
    let open = RwSignal::new(false);
    // Loads and revokes start from inside the list (its buttons) and the dialog's closing: they
    // belong to the card, or a redrawn list would abort them.
    let tasks = Tasks::here();
    let loads = Loads::new();

    let load = {
        let api = api.clone();
        Callback::new(move |()| {
            error.set(None);
            let api = api();
            tasks.spawn(async move {
                match loads.latest(|| api.list_invitations()).await {
                    Some(Ok(items)) => {
                        list.try_set(Some(items));
                    }
                    Some(Err(e)) => {
                        error.try_set(Some(notice(&e)));
                    }
                    // A later load will show its answer.
                    None => {}
                }
            });
        })
    };
    load.run(());

    // Closing the dialog (after a creation or not) shows the list as the server has it.
    // Through a memo: the dialog's `close` event sets `open` to false once more, which would
    // load it twice.
    let is_open = Memo::new(move |_| open.get());
    Effect::new(move |was_open: Option<bool>| {
        let now = is_open.get();
        if was_open == Some(true) && !now {
            load.run(());
        }
        now
    });

    // The invitations being revoked: a second press (a double click) sends nothing, else its
    // 404 would replace "was revoked" by "was no longer pending".
    let revoking = InFlight::<String>::new();
    let revoke = Callback::new(move |inv: Invitation| {
        if !revoking.start(inv.id.clone()) {
            return;
        }
        status.set(None);
        error.set(None);
        let api = api();
        tasks.spawn(async move {
            let answer = api.revoke_invitation(&inv.id).await;
            revoking.end(&inv.id);
            let gone = match answer {
                Ok(()) => Some(format!("The invitation for {} was revoked.", inv.email)),
                // Already used, revoked or expired meanwhile: it is not pending either way.
                Err(ApiError::Http { status: 404, .. }) => Some(format!(
                    "The invitation for {} was no longer pending.",
                    inv.email
                )),
                // The client has ended the session.
                Err(ApiError::Unauthorized) => None,
                Err(e) => {
                    error.try_set(Some(Notice {
                        text: format!(
                            "The invitation for {} was not revoked: {}",
                            inv.email,
                            crate::api::describe(&e)
                        ),
                        request_id: e.request_id().map(str::to_owned),
                    }));
                    None
                }
            };
            if let Some(text) = gone {
                loads.edited();
                list.try_update(|l| {
                    if let Some(l) = l {
                        l.retain(|i| i.id != inv.id);
                    }
                });
                status.try_set(Some(text));
                // Its button is gone: keep keyboard focus in the card.
                focus_id("invite-heading");
            }
        });
    });

    view! {
        <section class="card invite-card" aria-labelledby="invite-heading">
            <div class="invite-head">
                <h2 id="invite-heading" tabindex="-1">"Invite more users"</h2>
                <button
                    type="button"
                    id="invite-open"
                    class="btn btn-primary"
                    aria-haspopup="dialog"
                    on:click=move |_| {
                        status.set(None);
                        open.set(true);
                    }
                >
                    "Invite a user"
                </button>
            </div>
            <p class="muted">"Invite colleagues as admins or viewers. Each invitation is a link that works once, for 7 days."</p>
            <StatusMessage text=status/>
            <Banner notice=error/>
            <Show when=move || error.with(Option::is_some)>
                <crate::components::RetryButton heading="invite-heading" on_retry=load>
                    "Retry"<span class="sr-only">" loading invitations"</span>
                </crate::components::RetryButton>
            </Show>
            <h3 class="invite-list-title">"Pending invitations"</h3>
            {move || match list.get() {
                None if error.with(Option::is_some) => None,
                None => Some(view! { <p class="muted">"Loading invitations…"</p> }.into_any()),
                Some(items) if items.is_empty() => Some(view! {
                    <p class="muted invite-empty">"No invitations are pending. People you invite appear here until they join or their link expires."</p>
                }.into_any()),
                Some(items) => Some(view! {
                    <ul class="invite-list">
                        {items.into_iter().map(|inv| {
                            let email = inv.email.clone();
                            let id = inv.id.clone();
                            let busy = {
                                let id = id.clone();
                                Memo::new(move |_| revoking.has(&id))
                            };
                            let line = format!("{} · expires {}", role_label(inv.role), show_date(&inv.expires_at));
                            view! {
                                <li class="invite-item" data-invitation=id>
                                    <span class="invite-email">{email.clone()}</span>
                                    <span class="muted">{line}</span>
                                    <button type="button" class="btn btn-secondary btn-small"
                                        aria-busy=move || busy.get().then_some("true")
                                        aria-disabled=move || busy.get().then_some("true")
                                        on:click=move |_| revoke.run(inv.clone())>
                                        "Revoke"<span class="sr-only">{format!(" the invitation for {email}")}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()),
            }}
            <LazyDialogs opens=vec![open] pack="dashboard_dialogs" load=move || invite_dialog(open, status, load)/>
        </section>
    }
}

crate::split_view!(
    invite_dialog,
    fn invite_dialog(open: RwSignal<bool>, status: RwSignal<Option<String>>, reload: Callback<()>) {
        view! { <InviteDialog open status reload/> }
    }
);

#[component]
fn InviteDialog(
    open: RwSignal<bool>,
    /// The card's status: what became of a request whose dialog was closed before its answer.
    status: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let email = RwSignal::new(String::new());
    let e_email = RwSignal::new(None::<String>);
    let role = RwSignal::new(Role::Viewer);
    let banner = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    // The only copy of the link, for as long as the dialog shows it.
    let created = RwSignal::new(None::<InvitationCreated>);
    // The server's word on an address stays while that address is unchanged: leaving the
    // field must not make it disappear as if it had been fixed.
    let refused = RwSignal::new(None::<(String, String)>);
    // The form is drawn again when the dialog closes: the request belongs to the dialog.
    let tasks = Tasks::here();

    Effect::new(move |_| {
        if open.get() {
            email.set(String::new());
            e_email.set(None);
            role.set(Role::Viewer);
            banner.set(None);
            refused.set(None);
            request_animation_frame(|| focus_id("invite-email"));
        } else {
            created.set(None);
        }
    });

    let email_rule = rule(v::email);
    let check = Callback::new(move |value: String| {
        let server = refused.with_untracked(|r| {
            r.as_ref()
                .filter(|(address, _)| *address == value)
                .map(|(_, msg)| msg.clone())
        });
        server.or_else(|| email_rule.run(value))
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        refused.set(None);
        let typed = email.get_untracked();
        let address = match v::email(&typed) {
            Ok(a) => a,
            Err(e) => {
                e_email.set(Some(e.message));
                focus_id("invite-email");
                return;
            }
        };
        e_email.set(None);
        let req = InvitationRequest {
            email: address,
            role: role.get_untracked(),
        };
        let api = api();
        tasks.run_busy(busy, async move {
            let answer = api.create_invitation(&req).await;
            if open.try_get_untracked() != Some(true) {
                // Closed meanwhile: the invitation may exist, but its link can't be shown now.
                if answer.is_ok() {
                    status.try_set(Some(format!(
                        "The invitation for {} was created after its dialog was closed, so its link can't be shown. Revoke it below and invite again for a new link.",
                        req.email
                    )));
                }
                // The page may have gone too (its list with it).
                reload.try_run(());
                return;
            }
            match answer {
                Ok(c) => {
                    created.try_set(Some(c));
                    request_animation_frame(|| focus_id("invite-link"));
                }
                Err(e) => match email_problem(&e) {
                    Some(msg) => {
                        refused.try_set(Some((typed, msg.clone())));
                        e_email.try_set(Some(msg));
                        focus_id("invite-email");
                    }
                    None => {
                        let text = if e.may_have_acted() {
                            format!(
                                "We don't know whether the invitation was created: {} Your entries are kept: press Create invitation to try again. If the first try made one, the server says it is already pending, and the list shows it once this dialog is closed.",
                                crate::api::describe(&e)
                            )
                        } else {
                            format!(
                                "The invitation was not created. {} Your entries are kept: press Create invitation to try again.",
                                crate::api::describe(&e)
                            )
                        };
                        banner.try_set(Some(Notice {
                            text,
                            request_id: e.request_id().map(str::to_owned),
                        }));
                    }
                },
            }
        });
    };

    let title = Signal::derive(move || {
        created.with(|c| match c {
            Some(c) => format!(
                "Invitation created for {} ({})",
                c.invitation.email,
                role_label(c.invitation.role)
            ),
            None => "Invite a user".to_owned(),
        })
    });
    let link = Signal::derive(move || {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        created.with(|c| {
            c.as_ref()
                .map(|c| format!("{origin}{}", c.accept_path))
                .unwrap_or_default()
        })
    });

    let role_radio = move |r: Role| {
        let id = match r {
            Role::Admin => "invite-role-admin",
            Role::Viewer => "invite-role-viewer",
        };
        let desc_id = format!("{id}-desc");
        view! {
            <div class="radio-row role-choice">
                <input
                    type="radio"
                    id=id
                    name="invite-role"
                    aria-describedby=desc_id.clone()
                    prop:checked=move || role.get() == r
                    on:change=move |_| role.set(r)
                />
                <label for=id>{role_label(r)}</label>
                <span class="muted role-desc" id=desc_id>{role_description(r)}</span>
            </div>
        }
    };

    view! {
        <Modal id="invite-dialog" title=title open=open>
            {move || match created.get() {
                None => view! {
                    <form class="form" novalidate on:submit=submit.clone()>
                        <Field id="invite-email" label="Email" value=email error=e_email
                            check=check input_type="email" autocomplete="off"
                            hint="The address of the person you invite; they join with it."/>
                        <fieldset class="field radio-group">
                            <legend class="field-label">"Role"</legend>
                            {role_radio(Role::Admin)}
                            {role_radio(Role::Viewer)}
                        </fieldset>
                        <Banner notice=banner/>
                        <div class="form-actions">
                            <Button busy=busy>"Create invitation"</Button>
                            <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                        </div>
                    </form>
                }.into_any(),
                Some(_) => view! {
                    <div class="invite-result">
                        <div class="field">
                            <label for="invite-link" class="field-label">"Invitation link"</label>
                            <p class="field-hint" id="invite-link-hint">
                                "This server sends no email: send this link to them yourself. It is shown only this once, works once, and expires in 7 days."
                            </p>
                            <input id="invite-link" type="text" readonly=true class="invite-link"
                                aria-describedby="invite-link-hint" prop:value=move || link.get()/>
                        </div>
                        <CopyButton id="invite-link-copy" value=link what="invitation link"/>
                        <div class="form-actions">
                            <button type="button" class="btn btn-primary" on:click=move |_| open.set(false)>"Done"</button>
                        </div>
                    </div>
                }.into_any(),
            }}
        </Modal>
    }
}
