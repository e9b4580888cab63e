//! Sign-up: `/signup` asks who you are, `/signup/password` sets the password and
//! creates the account. Screen-1 answers live in a sessionStorage draft (never the password),
//! so reload and back/forward keep them.

use crate::components::Link;
use crate::components::notice;
use crate::components::run_busy;
use crate::components::{
    Banner, Button, ErrorSummary, Field, FieldCheck, FormErrors, Notice, PasswordChecklist,
    focus_id, problems, rule, set_title,
};
use crate::platform::history::NavigateOptions;
use crate::platform::history::{redirect, use_navigate};
use crate::state::draft::SignupDraft;
use crate::state::{Profile, Session, mark_interactive, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::countries::COUNTRIES;
use onramp_core::dto::SignupRequest;
use onramp_core::validate as v;

/// Screen-1 fields as the API names them, in form order.
const SCREEN_ONE: [&str; 4] = ["fullName", "company", "email", "country"];

#[component]
pub fn SignupDetails() -> impl IntoView {
    set_title("Create your account");
    let navigate = use_navigate();
    // Every keystroke is kept, so a reload loses nothing: the inputs edit the draft's fields.
    let draft = *SignupDraft::persisted();
    let SignupDraft {
        full_name,
        company,
        email,
        country,
        ..
    } = draft;
    let [e_name, e_company, e_email, e_country] =
        draft.field_errors.map(|e| RwSignal::new(e.get_untracked()));

    let field = |id, value, error, check| FieldCheck {
        id,
        value,
        error,
        check,
    };
    let fields = [
        field("signup-name", full_name, e_name, rule(v::full_name)),
        field(
            "signup-company",
            company,
            e_company,
            rule(v::organization_name),
        ),
        field("signup-email", email, e_email, rule(v::email)),
        field("signup-country", country, e_country, rule(v::country)),
    ];
    let errors = FormErrors::new("signup-problems");

    // Back from screen 2 with the server's messages (e.g. email already registered): shown
    // like a submit's problems, focus on the one field or on the summary of several.
    let mut from_server = problems(fields.iter().map(|f| (f.id, f.error.get_untracked())));
    // Shown once: what is typed from here on is a new answer.
    for e in draft.field_errors {
        e.set(None);
    }
    Effect::new(move |_| {
        if !from_server.is_empty() {
            let found = std::mem::take(&mut from_server);
            // After a route change the new view is attached a moment later than effects run.
            request_animation_frame(move || {
                errors.report(found);
            });
        }
        mark_interactive();
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if errors.check(&fields) {
            navigate("/signup/password", NavigateOptions::default());
        }
    };

    view! {
        <section class="page page-narrow">
            <h1>"Create your account"</h1>
            <p class="lead">"Step 1 of 2: tell us about you and your company."</p>
            <form class="form card" novalidate on:submit=on_submit>
                <ErrorSummary errors/>
                <Field id="signup-name" label="Full name" value=full_name error=e_name
                    check=fields[0].check autocomplete="name"/>
                <Field id="signup-company" label="Company" value=company error=e_company
                    check=fields[1].check autocomplete="organization"
                    hint="This becomes your organization's name in Onramp."/>
                <Field id="signup-email" label="Email" value=email error=e_email
                    check=fields[2].check input_type="email" autocomplete="email"/>
                <Field id="signup-country" label="Country" value=country error=e_country
                    check=fields[3].check autocomplete="country" options=COUNTRIES
                    empty_option="Choose your country"/>
                <Button>"Continue to create password"</Button>
            </form>
            <p class="aside">"Already have an account? " <Link href="/signin">"Sign in"</Link></p>
        </section>
    }
}

#[component]
pub fn SignupPassword() -> impl IntoView {
    let Some(persisted) = SignupDraft::existing().filter(|d| d.is_complete()) else {
        // Nothing to create an account for yet: start at screen 1.
        redirect("/signup");
        return ().into_any();
    };
    let draft = *persisted;
    set_title("Create your password");
    let session = expect_context::<Session>();
    let api = use_api();
    let navigate = use_navigate();

    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let e_password = RwSignal::new(None::<String>);
    let e_confirm = RwSignal::new(None::<String>);
    let show = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    let input_type = Signal::derive(move || if show.get() { "text" } else { "password" });

    let check_password = rule(v::password);
    let check_confirm = Callback::new(move |value: String| {
        if value.is_empty() {
            Some("Type the password again to confirm it.".to_owned())
        } else if value != password.get_untracked() {
            Some("The passwords don't match. Type the same password in both fields.".to_owned())
        } else {
            None
        }
    });

    let create = move |req: SignupRequest| {
        let api = api();
        let navigate = navigate.clone();
        async move {
            match api.signup(&req).await {
                Ok(s) => {
                    // A new user: nothing an earlier session of this tab left is theirs.
                    session.clear();
                    session.sign_in(s.access_token.clone(), Some(Profile::from(&s.user)));
                    navigate("/welcome", NavigateOptions::default());
                }
                Err(err) => {
                    // Screen-1 problems go back to screen 1, on their field, with all kept.
                    let mut back = false;
                    for (name, e) in SCREEN_ONE.iter().zip(draft.field_errors) {
                        let m = err.field_message(name).map(str::to_owned);
                        back |= m.is_some();
                        e.set(m);
                    }
                    if back {
                        // Before the page goes: screen 1 reads the draft as it opens.
                        persisted.save_now();
                        navigate("/signup", NavigateOptions::default());
                    } else if let Some(m) = err.field_message("password") {
                        e_password.set(Some(m.to_owned()));
                        focus_id("signup-password");
                    } else {
                        banner.set(Some(notice(&err)));
                    }
                }
            }
        }
    };
    let busy = RwSignal::new(false);

    let fields = [
        FieldCheck {
            id: "signup-password",
            value: password,
            error: e_password,
            check: check_password,
        },
        FieldCheck {
            id: "signup-confirm",
            value: confirm,
            error: e_confirm,
            check: check_confirm,
        },
    ];
    let errors = FormErrors::new("signup-password-problems");
    let who = format!(
        "{} at {}",
        draft.email.get_untracked(),
        draft.company.get_untracked()
    );
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !errors.check(&fields) {
            return;
        }
        banner.set(None);
        // Core normalises what it accepted (trimmed names, lowercase domain, uppercase code).
        let req = SignupRequest {
            full_name: v::full_name(&draft.full_name.get_untracked()).unwrap_or_default(),
            company: v::organization_name(&draft.company.get_untracked()).unwrap_or_default(),
            email: v::email(&draft.email.get_untracked()).unwrap_or_default(),
            country: v::country(&draft.country.get_untracked()).unwrap_or_default(),
            password: password.get_untracked(),
        };
        run_busy(busy, create(req));
    };
    Effect::new(move |_| mark_interactive());

    view! {
        <section class="page page-narrow">
            <h1>"Create your password"</h1>
            <p class="lead">"Step 2 of 2: the account for " <strong>{who}</strong> ". "
                <Link href="/signup">"Change these details"</Link></p>
            <form class="form card" novalidate on:submit=on_submit>
                <ErrorSummary errors/>
                <Banner notice=banner/>
                <Field id="signup-password" label="Password" value=password error=e_password
                    check=check_password input_type=input_type autocomplete="new-password"/>
                <PasswordChecklist password=password/>
                <Field id="signup-confirm" label="Confirm password" value=confirm error=e_confirm
                    check=check_confirm input_type=input_type autocomplete="new-password"/>
                <div class="check-toggle">
                    <input type="checkbox" id="signup-show-password"
                        prop:checked=move || show.get()
                        on:change=move |ev| show.set(event_target_checked(&ev))/>
                    <label for="signup-show-password">"Show password"</label>
                </div>
                <Button busy=busy>"Create account"</Button>
            </form>
            <p class="aside">"Already have an account? " <Link href="/signin">"Sign in"</Link></p>
        </section>
    }
    .into_any()
}
