//! Sign-in: email and password, or a personal API token (how a user signs in
//! against Spot's own API). Two tabs in a proper tablist.

use super::landing_for;
use crate::api::{Api, ApiError};
use crate::components::Link;
use crate::components::notice;
use crate::components::run_busy;
use crate::components::{
    Banner, Button, ErrorSummary, Field, FieldCheck, FormErrors, Notice, StatusMessage, focus_id,
    rule, set_title,
};
use crate::platform::history::NavigateOptions;
use crate::platform::history::use_navigate;
use crate::state::session::identify;
use crate::state::{Profile, Session, mark_interactive, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::dto::PasswordGrant;
use onramp_core::validate as v;
use web_sys::KeyboardEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Password,
    Token,
}

impl Method {
    fn tab_id(self) -> &'static str {
        match self {
            Method::Password => "signin-tab-password",
            Method::Token => "signin-tab-token",
        }
    }
    fn panel_id(self) -> &'static str {
        match self {
            Method::Password => "signin-panel-password",
            Method::Token => "signin-panel-token",
        }
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    set_title("Sign in");
    let session = expect_context::<Session>();
    let api = use_api();
    let navigate = use_navigate();
    let method = RwSignal::new(Method::Password);

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let e_email = RwSignal::new(None::<String>);
    let e_password = RwSignal::new(None::<String>);
    let e_token = RwSignal::new(None::<String>);
    let show_token = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);

    let check_email = rule(v::email);
    let check_password =
        Callback::new(|value: String| value.is_empty().then(|| "Enter your password.".to_owned()));
    let check_token = Callback::new(|value: String| {
        value
            .trim()
            .is_empty()
            .then(|| "Paste your API token.".to_owned())
    });

    // Not the session's client for the credentials: a 401 there means they were refused, not
    // that a session ended (its hook would say "Your session has ended" and end this tab's).
    let base_url = expect_context::<crate::state::Config>().api_base_url;
    // Signed in: back to the page where the session had expired (its drafts kept), or where
    // the user's accounts say (the wizard until one is connected).
    let finish = {
        let base_url = base_url.clone();
        move |api: Api, token: String, profile: Profile| {
            let (navigate, base_url) = (navigate.clone(), base_url.clone());
            async move {
                let back = session.take_return(&profile);
                // A viewer connects nothing: the dashboard, never the first-run wizard.
                let viewer = profile.read_only();
                session.sign_in_over(base_url, token, profile).await;
                let target = match back {
                    Some(path) => path,
                    None if viewer => "/dashboard".to_owned(),
                    None => match api.list_accounts().await {
                        Ok(list) => landing_for(&list).to_owned(),
                        Err(_) => "/welcome".to_owned(),
                    },
                };
                navigate(&target, NavigateOptions::default());
            }
        }
    };

    let sign_in_password = {
        let (api, finish, base_url) = (api.clone(), finish.clone(), base_url.clone());
        move |grant: PasswordGrant| {
            let (api, finish) = (api(), finish.clone());
            let credentials = Api::new(base_url.clone(), None);
            async move {
                match credentials.token(&grant).await {
                    Ok(s) => {
                        let profile = Profile::from(&s.user);
                        let api = api.with_token(s.access_token.clone());
                        finish(api, s.access_token, profile).await;
                    }
                    // The password is kept so a typo in the email can be fixed without
                    // retyping it; it is in memory only, never stored.
                    Err(ApiError::Unauthorized) => banner.set(Some(Notice::new(
                        "The email or password is not right. Check both and try again.",
                    ))),
                    Err(err) => match err.field_message("email") {
                        Some(m) => {
                            e_email.set(Some(m.to_owned()));
                            focus_id("signin-email");
                        }
                        None => banner.set(Some(notice(&err))),
                    },
                }
            }
        }
    };
    let sign_in_token = move |token: String| {
        let finish = finish.clone();
        let api = Api::new(base_url.clone(), Some(token.clone()));
        async move {
            match identify(&api).await {
                Ok(profile) => finish(api, token, profile).await,
                Err(ApiError::Unauthorized) => {
                    e_token.set(Some(
                        "This token was not accepted. It may be mistyped, expired or revoked."
                            .to_owned(),
                    ));
                    focus_id("signin-token");
                }
                Err(err) => banner.set(Some(notice(&err))),
            }
        }
    };
    let busy_password = RwSignal::new(false);
    let busy_token = RwSignal::new(false);
    let errors = FormErrors::new("signin-problems");

    let submit_password = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy_password.get_untracked() {
            return;
        }
        banner.set(None);
        let fields = [
            FieldCheck {
                id: "signin-email",
                value: email,
                error: e_email,
                check: check_email,
            },
            FieldCheck {
                id: "signin-password",
                value: password,
                error: e_password,
                check: check_password,
            },
        ];
        if !errors.check(&fields) {
            return;
        }
        let grant = PasswordGrant {
            email: v::email(&email.get_untracked()).unwrap_or_default(),
            password: password.get_untracked(),
        };
        run_busy(busy_password, sign_in_password(grant));
    };
    let submit_token = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy_token.get_untracked() {
            return;
        }
        banner.set(None);
        let msg = check_token.run(token.get_untracked());
        let bad = msg.is_some();
        e_token.set(msg);
        if bad {
            focus_id("signin-token");
            return;
        }
        run_busy(
            busy_token,
            sign_in_token(token.get_untracked().trim().to_owned()),
        );
    };

    // Tablist keyboard: arrows move and select (automatic activation), Home/End jump.
    let on_tab_key = move |ev: KeyboardEvent| {
        let next = match (ev.key().as_str(), method.get_untracked()) {
            ("ArrowRight" | "ArrowLeft", Method::Password) => Method::Token,
            ("ArrowRight" | "ArrowLeft", Method::Token) => Method::Password,
            ("Home", _) => Method::Password,
            ("End", _) => Method::Token,
            _ => return,
        };
        ev.prevent_default();
        method.set(next);
        banner.set(None);
        focus_id(next.tab_id());
    };
    let tab = move |m: Method, label: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                class="tab"
                id=m.tab_id()
                aria-controls=m.panel_id()
                aria-selected=move || if method.get() == m { "true" } else { "false" }
                tabindex=move || if method.get() == m { "0" } else { "-1" }
                on:click=move |_| {
                    method.set(m);
                    banner.set(None);
                }
            >
                {label}
            </button>
        }
    };
    let token_type = Signal::derive(move || if show_token.get() { "text" } else { "password" });
    Effect::new(move |_| mark_interactive());

    view! {
        <section class="page page-narrow">
            <h1>"Sign in to Onramp"</h1>
            <StatusMessage text=session.flash/>
            <div class="card">
                <div role="tablist" aria-label="Sign-in method" class="tabs" on:keydown=on_tab_key>
                    {tab(Method::Password, "Email and password")}
                    {tab(Method::Token, "API token")}
                </div>
                <Banner notice=banner/>
                // Panels are not named after their tabs (aria-labelledby): the token tab and its
                // field would then share the name "API token", which confuses label lookups.
                <div
                    role="tabpanel"
                    id=Method::Password.panel_id()
                    hidden=move || method.get() != Method::Password
                >
                    <form class="form" novalidate on:submit=submit_password>
                        <ErrorSummary errors/>
                        <Field id="signin-email" label="Email" value=email error=e_email
                            check=check_email input_type="email" autocomplete="email"/>
                        <Field id="signin-password" label="Password" value=password
                            error=e_password check=check_password input_type="password"
                            autocomplete="current-password"/>
                        <Button busy=busy_password>"Sign in"</Button>
                    </form>
                </div>
                <div
                    role="tabpanel"
                    id=Method::Token.panel_id()
                    hidden=move || method.get() != Method::Token
                >
                    <form class="form" novalidate on:submit=submit_token>
                        <Field id="signin-token" label="API token" value=token error=e_token
                            check=check_token input_type=token_type autocomplete="off"
                            hint="A personal access token from your Spot or Onramp user settings."/>
                        <div class="check-toggle">
                            <input type="checkbox" id="signin-show-token"
                                prop:checked=move || show_token.get()
                                on:change=move |ev| show_token.set(event_target_checked(&ev))/>
                            <label for="signin-show-token">"Show token"</label>
                        </div>
                        <Button busy=busy_token>"Sign in with token"</Button>
                    </form>
                </div>
            </div>
            <p class="aside">"New to Onramp? " <Link href="/signup">"Create an account"</Link></p>
        </section>
    }
}
