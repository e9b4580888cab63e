//! `/invite/:token`: joining an organization by invitation. Public, like sign-up: the link's
//! token is the only proof. The page shows what the link leads to (organization, role, email),
//! asks the rest of what sign-up asks (name, country, password), and signs the new user in.
//!
//! The token stays in the address bar and in memory: it is never written to storage or logged,
//! and the page replaces its history entry when it leaves, so Back does not lead to it again.

use crate::api::describe;
use crate::api::{Api, ApiError};
use crate::components::Link;
use crate::components::notice;
use crate::components::run_busy;
use crate::components::{
    Banner, Button, ErrorSummary, Field, FieldCheck, FormErrors, Notice, PasswordChecklist,
    focus_if_lost, problems, rule, set_title,
};
use crate::platform::history::NavigateOptions;
use crate::platform::history::{use_location, use_navigate};
use crate::state::{Config, Profile, Session, mark_interactive};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::countries::COUNTRIES;
use onramp_core::dto::{AcceptInvitation, InvitationPreview, Role};
use onramp_core::routes::invite_token;
use onramp_core::time::show_date;
use onramp_core::validate as v;

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Loading,
    Ready(InvitationPreview),
    /// Unknown, used or revoked (404): the server does not say which.
    NotValid,
    /// 410, with the server's words (the preview, and so the date, is not given out then).
    Expired(String),
    /// The preview could not be loaded (network, 5xx): **Try again**.
    Failed(Notice),
}

/// "a viewer" / "an admin".
fn with_article(role: Role) -> &'static str {
    match role {
        Role::Admin => "an admin",
        Role::Viewer => "a viewer",
    }
}

/// The role's rights, said to the person joining.
fn what_you_can_do(role: Role) -> &'static str {
    match role {
        Role::Admin => {
            "As an admin you can connect, change and delete accounts, and invite other users."
        }
        Role::Viewer => {
            "As a viewer you can see the organization's accounts and savings, but not change them."
        }
    }
}

/// The stage a refused link leads to, if the answer says the link is dead.
fn dead_link(err: &ApiError) -> Option<Stage> {
    match err {
        ApiError::Http { status: 404, .. } => Some(Stage::NotValid),
        ApiError::Http { status: 410, .. } => Some(Stage::Expired(describe(err))),
        _ => None,
    }
}

#[component]
pub fn JoinByInvitation() -> impl IntoView {
    set_title("Join your team");
    let location = use_location();
    let token = Memo::new(move |_| {
        location
            .pathname
            .with(|p| invite_token(p).unwrap_or_default().to_owned())
    });
    let config = expect_context::<Config>();
    // Public calls: no bearer, even when someone is signed in in this tab.
    let public_api = move || Api::new(config.api_base_url.clone(), None);
    let stage = RwSignal::new(Stage::Loading);

    let load = {
        Callback::new(move |()| {
            stage.set(Stage::Loading);
            let api = public_api();
            let token = token.get_untracked();
            leptos::task::spawn_local_scoped(async move {
                let next = match api.invitation_preview(&token).await {
                    Ok(p) => Stage::Ready(p),
                    Err(e) => dead_link(&e).unwrap_or_else(|| Stage::Failed(notice(&e))),
                };
                stage.try_set(next);
                mark_interactive();
            });
        })
    };
    load.run(());
    // Each stage is a new page (Try again, a link found dead on submit): focus that was on
    // the old one goes to the new heading, not to the body.
    Effect::new(move |drawn: Option<()>| {
        stage.track();
        if drawn.is_some() {
            focus_if_lost("join-heading");
        }
    });

    move || screen(stage.get(), stage, token, load)
}

/// What the page shows at each stage.
fn screen(now: Stage, stage: RwSignal<Stage>, token: Memo<String>, load: Callback<()>) -> AnyView {
    match now {
        Stage::Loading => view! {
            <section class="page page-narrow">
                <h1 id="join-heading" tabindex="-1">"Your invitation"</h1>
                <p class="muted" role="status">"Loading your invitation…"</p>
            </section>
        }
        .into_any(),
        Stage::NotValid => {
            set_title("Invitation link not valid");
            view! {
                <section class="page page-narrow join-dead">
                    <h1 id="join-heading" tabindex="-1">"This invitation link is not valid"</h1>
                    <p>"This invitation link is not valid (used, revoked or mistyped). Ask an admin for a new one."</p>
                    <p>"Already joined? " <Link href="/signin">"Sign in"</Link></p>
                </section>
            }
            .into_any()
        }
        Stage::Expired(words) => {
            set_title("Invitation expired");
            view! {
                <section class="page page-narrow join-dead">
                    <h1 id="join-heading" tabindex="-1">"This invitation has expired"</h1>
                    <p>{words}</p>
                    <p>"Already joined? " <Link href="/signin">"Sign in"</Link></p>
                </section>
            }
            .into_any()
        }
        Stage::Failed(n) => view! {
            <section class="page page-narrow">
                <h1 id="join-heading" tabindex="-1">"Your invitation"</h1>
                <Banner notice=Signal::stored(Some(Notice {
                    text: format!("We couldn't load your invitation. {}", n.text),
                    request_id: n.request_id,
                }))/>
                <button type="button" class="btn btn-secondary" on:click=move |_| load.run(())>"Try again"</button>
            </section>
        }
        .into_any(),
        Stage::Ready(preview) => view! {
            <JoinForm preview=preview token=token stage=stage/>
        }
        .into_any(),
    }
}

#[component]
fn JoinForm(
    preview: InvitationPreview,
    token: Memo<String>,
    stage: RwSignal<Stage>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let config = expect_context::<Config>();
    let navigate = use_navigate();
    let heading = format!(
        "Join {} as {}",
        preview.organization_name,
        with_article(preview.role)
    );
    set_title(&heading);

    let full_name = RwSignal::new(String::new());
    let country = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let e_name = RwSignal::new(None::<String>);
    let e_country = RwSignal::new(None::<String>);
    let e_password = RwSignal::new(None::<String>);
    let show = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    let input_type = Signal::derive(move || if show.get() { "text" } else { "password" });

    let check_name = rule(v::full_name);
    let check_country = rule(v::country);
    let check_password = rule(v::password);
    // Each field with its name in the API's answers.
    let fields = [
        (
            FieldCheck {
                id: "join-name",
                value: full_name,
                error: e_name,
                check: check_name,
            },
            "fullName",
        ),
        (
            FieldCheck {
                id: "join-country",
                value: country,
                error: e_country,
                check: check_country,
            },
            "country",
        ),
        (
            FieldCheck {
                id: "join-password",
                value: password,
                error: e_password,
                check: check_password,
            },
            "password",
        ),
    ];
    let errors = FormErrors::new("join-problems");

    // Someone else signed in in this tab: joining replaces that session here.
    // Reactive: the profile may arrive after this page (the sign-in bundle loads it on start).
    let signed_in_as = move || {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.email.clone().or(p.name.clone())))
            .filter(|_| session.is_signed_in())
    };

    let join = move |req: AcceptInvitation| {
        let api = Api::new(config.api_base_url.clone(), None);
        let base_url = config.api_base_url.clone();
        let navigate = navigate.clone();
        let token = token.get_untracked();
        async move {
            match api.accept_invitation(&token, &req).await {
                Ok(s) => {
                    // The previous user, if any, is signed out for real: nothing of theirs
                    // reaches the new one.
                    session
                        .sign_in_over(base_url, s.access_token.clone(), Profile::from(&s.user))
                        .await;
                    // Replace: Back must not lead to the used link.
                    navigate("/dashboard", NavigateOptions { replace: true });
                }
                Err(err) => {
                    if let Some(dead) = dead_link(&err) {
                        stage.try_set(dead);
                        return;
                    }
                    let refused = problems(fields.map(|(f, name)| {
                        let m = err.field_message(name).map(str::to_owned);
                        if m.is_some() {
                            f.error.try_set(m.clone());
                        }
                        (f.id, m)
                    }));
                    if errors.report(refused) {
                        banner.try_set(Some(Notice {
                            text: format!(
                                "You have not joined yet. {} What you typed is kept.",
                                describe(&err)
                            ),
                            request_id: err.request_id().map(str::to_owned),
                        }));
                    }
                }
            }
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        if !errors.check(&fields.map(|(f, _)| f)) {
            return;
        }
        // Core normalises what it accepted (trimmed name, uppercase country code).
        let req = AcceptInvitation {
            full_name: v::full_name(&full_name.get_untracked()).unwrap_or_default(),
            country: v::country(&country.get_untracked()).unwrap_or_default(),
            password: password.get_untracked(),
        };
        run_busy(busy, join(req));
    };

    view! {
        <section class="page page-narrow join">
            <h1 id="join-heading" tabindex="-1">{heading}</h1>
            <p class="lead">
                {what_you_can_do(preview.role)}
                " " {format!("This invitation expires on {}.", show_date(&preview.expires_at))}
            </p>
            {move || signed_in_as().map(|who| view! {
                <p class="info-banner">
                    {format!("You are signed in as {who} in this tab. Joining signs you in as the new user instead.")}
                </p>
            })}
            <form class="form card" novalidate on:submit=on_submit>
                <ErrorSummary errors/>
                <Banner notice=banner/>
                <div class="field">
                    <label for="join-email" class="field-label">"Email"</label>
                    <p class="field-hint" id="join-email-hint">"The invitation is for this address; you sign in with it."</p>
                    <input id="join-email" type="email" readonly=true autocomplete="username"
                        aria-describedby="join-email-hint" prop:value=preview.email.clone()/>
                </div>
                <Field id="join-name" label="Full name" value=full_name error=e_name
                    check=check_name autocomplete="name"/>
                <Field id="join-country" label="Country" value=country error=e_country
                    check=check_country autocomplete="country" options=COUNTRIES
                    empty_option="Choose your country"/>
                <Field id="join-password" label="Password" value=password error=e_password
                    check=check_password input_type=input_type autocomplete="new-password"/>
                <PasswordChecklist password=password id="join-password-rules"/>
                <div class="check-toggle">
                    <input type="checkbox" id="join-show-password"
                        prop:checked=move || show.get()
                        on:change=move |ev| show.set(event_target_checked(&ev))/>
                    <label for="join-show-password">"Show password"</label>
                </div>
                <Button busy=busy>"Join the organization"</Button>
            </form>
        </section>
    }
}
