//! `/settings/members`: the organization's members (name, email, role, joined). Admins change a
//! role with one button per row and remove a member after a confirmation naming them; viewers
//! see the list only. The server decides what is allowed (the last admin stays: its 409
//! `LAST_ADMIN` message is shown where the change was asked for). Demoting or removing yourself
//! ends your own session, so it is confirmed first and then this tab goes to sign-in.

use super::SettingsNav;
use super::confirm::ConfirmDialog;
use crate::api::{ApiError, describe};
use crate::components::{
    Banner, Notice, StatusMessage, focus_id, focus_if_lost, notice, set_title, still_showing,
};
use crate::components::{InFlight, Link};
use crate::platform::history::use_navigate;
use crate::platform::tasks::Tasks;
use crate::state::{Session, mark_interactive, use_api};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::dto::{Member, Role};
use onramp_core::ids::UserId;
use onramp_core::settings_view::{
    is_you, other_role, removed_message, role_action, role_change_needs_confirmation,
    role_changed_message, role_name,
};
use onramp_core::time::show_date;

/// What the confirmation dialog is about.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    Remove { member: Member, you: bool },
    DemoteYourself(Member),
}

impl Pending {
    fn member(&self) -> &Member {
        match self {
            Pending::Remove { member, .. } | Pending::DemoteYourself(member) => member,
        }
    }
}

/// The id of a member's role button (focus goes back to it after the row is redrawn).
pub fn role_button_id(id: &UserId) -> String {
    format!("member-role-{id}")
}

/// Words for a failed change of `name`: the server's own message for its refusals (the last
/// admin, a member who is gone), ours for the network.
pub fn change_problem(name: &str, err: &ApiError) -> String {
    if err.has_code("LAST_ADMIN") || err.has_code("MEMBER_NOT_FOUND") {
        describe(err)
    } else {
        format!("Nothing was changed for {name}: {}", describe(err))
    }
}

#[component]
pub fn Members() -> impl IntoView {
    set_title("Members");
    let session = expect_context::<Session>();
    let api = use_api();
    let navigate = use_navigate();

    let list = RwSignal::new(None::<Vec<Member>>);
    let error = RwSignal::new(None::<Notice>);
    let status = RwSignal::new(None::<String>);
    // A failed role change, shown in its row.
    let row_error = RwSignal::new(None::<(UserId, String)>);
    // Each member's role change and removal is busy on its own.
    let changing = InFlight::<UserId>::new();
    let removing = InFlight::<UserId>::new();

    let load = {
        let api = api.clone();
        Callback::new(move |()| {
            error.set(None);
            let api = api();
            spawn_local_scoped(async move {
                let answer = api.list_members().await;
                mark_interactive();
                match answer {
                    Ok(items) => {
                        list.try_set(Some(items));
                    }
                    Err(e) => {
                        error.try_set(Some(notice(&e)));
                    }
                }
            });
        })
    };
    load.run(());

    let is_admin = Memo::new(move |_| {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.role) == Some(Role::Admin))
    });
    let my_email = Memo::new(move |_| {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.email.clone()))
    });
    let organization = move || {
        session.profile.with(|p| {
            p.as_ref()
                .map(|p| p.organization.clone())
                .unwrap_or_else(|| "your organization".into())
        })
    };

    // Signing this tab out after the server ended its session (demoted or removed yourself).
    let leave = {
        let navigate = navigate.clone();
        Callback::new(move |message: String| {
            session.clear();
            session.flash.set(Some(message));
            navigate("/signin", Default::default());
        })
    };

    // Role changes start from the table's buttons: they belong to the page, or the table drawn
    // again (after another member's removal) would abort them.
    let tasks = Tasks::here();
    let change_role = {
        let api = api.clone();
        Callback::new(move |m: Member| {
            let id = m.user_id.clone();
            if !changing.start(id.clone()) {
                return;
            }
            status.set(None);
            row_error.set(None);
            let api = api();
            tasks.spawn(async move {
                let answer = api.set_member_role(&id, other_role(m.role)).await;
                changing.end(&id);
                match answer {
                    Ok(changed) => {
                        status.try_set(Some(role_changed_message(&changed.name, changed.role)));
                        list.try_update(|l| {
                            if let Some(row) = l
                                .as_mut()
                                .and_then(|l| l.iter_mut().find(|r| r.user_id == changed.user_id))
                            {
                                *row = changed;
                            }
                        });
                    }
                    // The session has ended; the client has sent the user to sign in.
                    Err(ApiError::Unauthorized) => return,
                    Err(e) => {
                        row_error.try_set(Some((id.clone(), change_problem(&m.name, &e))));
                    }
                }
                // The row was drawn again: focus that fell with its button goes back to it (and
                // stays wherever the user has moved it since).
                let button = role_button_id(&id);
                request_animation_frame(move || {
                    if crate::components::focused().is_none() {
                        focus_id(&button);
                    }
                });
            });
        })
    };

    // The confirmation dialog (remove a member, or demote yourself).
    let pending = RwSignal::new(None::<Pending>);
    let open = RwSignal::new(false);
    let busy = Signal::derive(move || {
        pending.with(|p| {
            p.as_ref()
                .is_some_and(|p| removing.has(&p.member().user_id))
        })
    });
    let banner = RwSignal::new(None::<Notice>);
    let ask = move |p: Pending| {
        status.set(None);
        row_error.set(None);
        pending.set(Some(p));
        open.set(true);
    };
    let confirm = Callback::new(move |()| {
        let Some(p) = pending.get_untracked() else {
            return;
        };
        if !removing.start(p.member().user_id.clone()) {
            return;
        }
        let api = api();
        let org = organization();
        tasks.spawn(async move {
            let m = p.member().clone();
            // The dialog may have been closed, or opened for someone else, meanwhile: then the
            // answer is not its to show (the list and the row say it instead).
            let still_asked =
                move |who: &UserId| still_showing(open, pending, |q| q.member().user_id == *who);
            let answer = match &p {
                Pending::Remove { .. } => api.remove_member(&m.user_id).await.map(|()| None),
                Pending::DemoteYourself(_) => api
                    .set_member_role(&m.user_id, Role::Viewer)
                    .await
                    .map(Some),
            };
            removing.end(&m.user_id);
            match (answer, &p) {
                (Ok(_), Pending::Remove { you: true, .. }) => {
                    leave.try_run(format!(
                        "You have left {org}: your user was removed and every session of yours ended."
                    ));
                }
                (Ok(_), Pending::DemoteYourself(_)) => {
                    leave.try_run(format!(
                        "You are now a viewer in {org}. Sign in again to continue as a viewer."
                    ));
                }
                (Ok(_), Pending::Remove { .. }) | (Err(ApiError::Http { status: 404, .. }), _) => {
                    let gone = if matches!(p, Pending::Remove { .. }) {
                        removed_message(&m.name)
                    } else {
                        format!("{} is no longer a member of your organization.", m.name)
                    };
                    list.try_update(|l| {
                        if let Some(l) = l {
                            l.retain(|r| r.user_id != m.user_id);
                        }
                    });
                    status.try_set(Some(gone));
                    if still_asked(&m.user_id) {
                        open.try_set(false);
                        // Their row (and the button that opened this) is gone: focus the
                        // list's heading once the dialog has closed.
                        request_animation_frame(|| focus_id("members-heading"));
                    } else {
                        // The list is drawn again: focus may have been in it.
                        focus_if_lost("members-heading");
                    }
                }
                (Err(ApiError::Unauthorized), _) => {}
                (Err(e), _) if still_asked(&m.user_id) => {
                    banner.try_set(Some(Notice {
                        text: change_problem(&m.name, &e),
                        request_id: e.request_id().map(str::to_owned),
                    }));
                }
                (Err(e), _) => {
                    row_error.try_set(Some((m.user_id.clone(), change_problem(&m.name, &e))));
                }
            }
        });
    });
    let dialog_title = Signal::derive(move || {
        pending.with(|p| match p {
            Some(Pending::Remove { you: true, .. }) => "Leave the organization?".to_owned(),
            Some(Pending::Remove { member, .. }) => format!("Remove {}?", member.name),
            Some(Pending::DemoteYourself(_)) => "Make yourself a viewer?".to_owned(),
            None => String::new(),
        })
    });
    let confirm_label = Signal::derive(move || {
        pending
            .with(|p| match p {
                Some(Pending::Remove { you: true, .. }) => "Leave the organization",
                Some(Pending::Remove { .. }) => "Remove member",
                Some(Pending::DemoteYourself(_)) => "Make me a viewer",
                None => "",
            })
            .to_owned()
    });
    let dialog_text = move || {
        let org = organization();
        pending.with(|p| match p {
            Some(Pending::Remove { you: true, .. }) => format!(
                "You will no longer be a member of {org}. Every session and API token of yours ends, this tab included. To come back, an admin has to invite you again."
            ),
            Some(Pending::Remove { member, .. }) => format!(
                "{} ({}) loses access to {org} at once: every session and API token of theirs ends. To bring them back, invite them again.",
                member.name, member.email
            ),
            Some(Pending::DemoteYourself(_)) => format!(
                "As a viewer you can see {org}'s accounts and savings but change nothing. Every session and API token of yours ends, this tab included: you sign in again as a viewer."
            ),
            None => String::new(),
        })
    };

    let row_view = move |m: Member, admin: bool, you: bool| {
        let id = m.user_id.clone();
        let name = m.name.clone();
        let joined = show_date(&m.joined);
        let error_id = format!("member-error-{id}");
        let row_message = {
            let id = id.clone();
            move || {
                row_error.with(|e| {
                    e.as_ref()
                        .filter(|(who, _)| *who == id)
                        .map(|(_, msg)| msg.clone())
                })
            }
        };
        let actions = admin.then(|| {
            let busy_here = {
                let id = id.clone();
                Memo::new(move |_| changing.has(&id))
            };
            let (m1, m2) = (m.clone(), m.clone());
            let (n1, n2) = (name.clone(), name.clone());
            let described = {
                let (row_message, error_id) = (row_message.clone(), error_id.clone());
                move || row_message().map(|_| error_id.clone())
            };
            view! {
                <td class="row-actions">
                    <div class="row-actions-list">
                        <button
                            type="button"
                            id=role_button_id(&id)
                            class="btn btn-secondary btn-small"
                            aria-describedby=described
                            aria-busy=move || busy_here.get().then_some("true")
                            aria-disabled=move || busy_here.get().then_some("true")
                            on:click=move |_| {
                                if role_change_needs_confirmation(&m1, you) {
                                    ask(Pending::DemoteYourself(m1.clone()));
                                } else {
                                    change_role.run(m1.clone());
                                }
                            }
                        >
                            {role_action(m.role)}
                            <span class="sr-only">{if you { " (you)".to_owned() } else { format!(" {n1}") }}</span>
                        </button>
                        <button
                            type="button"
                            id=format!("member-remove-{id}")
                            class="btn btn-danger btn-small"
                            aria-haspopup="dialog"
                            on:click=move |_| ask(Pending::Remove { member: m2.clone(), you })
                        >
                            {if you { "Leave" } else { "Remove" }}
                            <span class="sr-only">{if you { " the organization".to_owned() } else { format!(" {n2}") }}</span>
                        </button>
                    </div>
                    {move || row_message().map(|msg| view! {
                        <p class="field-error row-error" id=error_id.clone() role="alert">{msg}</p>
                    })}
                </td>
            }
        });
        view! {
            <tr data-member=id.to_string()>
                <th scope="row" class="member-name-cell">
                    {name.clone()}
                    {you.then(|| view! { <span class="pill pill-neutral you-pill">"You"</span> })}
                </th>
                <td class="member-email-cell">{m.email.clone()}</td>
                <td>{role_name(m.role)}</td>
                <td><time datetime=m.joined.clone()>{joined}</time></td>
                {actions}
            </tr>
        }
    };

    let table = move || {
        let admin = is_admin.get();
        let me = my_email.get();
        match list.get() {
            None if error.with(Option::is_some) => None,
            None => Some(view! { <p role="status" class="muted">"Loading members…"</p> }.into_any()),
            Some(items) if items.is_empty() => Some(
                view! {
                    <p class="muted">"Your organization has no members to show."</p>
                }
                .into_any(),
            ),
            Some(items) => Some(
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="members-heading">
                        <table class="data-table members-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Joined"</th>
                                    {admin.then(|| view! { <th scope="col" class="row-actions">"Actions"</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {items
                                    .into_iter()
                                    .map(|m| {
                                        let you = is_you(&m, me.as_deref());
                                        row_view(m, admin, you)
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any(),
            ),
        }
    };

    view! {
        <section class="page settings" aria-labelledby="members-heading">
            <SettingsNav/>
            <h1 id="members-heading" tabindex="-1">"Members"</h1>
            <p class="lead">{move || format!("The people in {}.", organization())}
                <Show when=move || is_admin.get() fallback=|| view! {
                    " Only admins can change roles or remove members."
                }>
                    " Invite new members from the " <Link href="/dashboard">"dashboard"</Link> "."
                </Show>
            </p>
            <div class="card">
                <StatusMessage text=status/>
                <Banner notice=error/>
                <Show when=move || error.with(Option::is_some)>
                    <crate::components::RetryButton heading="members-heading" on_retry=load>
                        "Try again"<span class="sr-only">" loading members"</span>
                    </crate::components::RetryButton>
                </Show>
                {table}
            </div>
            <ConfirmDialog
                id="member-dialog"
                title=dialog_title
                open=open
                busy=busy
                banner=banner
                cancel="Cancel"
                confirm=confirm_label
                on_confirm=confirm
            >
                <p>{dialog_text}</p>
            </ConfirmDialog>
        </section>
    }
}
