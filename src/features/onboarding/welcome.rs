//! `/welcome`, `/welcome/provider`, `/welcome/connect/<aws|gcp|azure>`: the first-run wizard
//! as a vertical stepper. Core's `FirstRunDraft` decides which step a URL may
//! open; the draft lives in sessionStorage, so a reload or back/forward resumes where the user
//! was, with what they typed.

use super::more::{OtherAccountKinds, has_other_kinds};
use crate::components::{
    ChangeProviderButton, ConnectPanels, LazyView, ProviderPicker, Step, Stepper, focus_id,
    provider_logo, provider_name, set_title,
};
use crate::platform::history::NavigateOptions;
use crate::platform::history::{use_location, use_navigate};
use crate::state::draft::{self, ConnectStore, FIRST_RUN_DRAFT_KEY};
use crate::state::session::CONNECTED_MESSAGE;
use crate::state::{Session, mark_interactive};
use leptos::prelude::*;
use onramp_core::onboarding::{
    ConnectDraft, FirstRunDraft, FirstRunRoute, FirstRunStep, Provider, Wizard,
};

fn replace() -> NavigateOptions {
    NavigateOptions { replace: true }
}

#[component]
pub fn Welcome() -> impl IntoView {
    set_title("Welcome");
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let location = use_location();

    // Every change is kept for a reload.
    let draft = *draft::first_run(|| {
        let org = session.profile.with_untracked(|p| {
            p.as_ref()
                .map(|p| p.organization.clone())
                .unwrap_or_default()
        });
        FirstRunDraft::new(&org)
    });
    // The route on screen; `None` until the organization is known (a reload fetches it).
    let route = RwSignal::new(None::<FirstRunRoute>);

    // Step 1 shows the organization the session belongs to.
    Effect::new(move |_| {
        let org = session
            .profile
            .with(|p| p.as_ref().map(|p| p.organization.clone()));
        if let Some(org) = org
            && draft.with_untracked(|d| d.organization_name != org)
        {
            draft.update(|d| d.organization_name = org);
        }
    });
    let org_ready = Memo::new(move |_| draft.with(|d| d.is_complete(FirstRunStep::Organization)));
    let first_resolution = StoredValue::new(true);
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            let path = location.pathname.get();
            if !org_ready.get() {
                return;
            }
            if draft.connect.with_untracked(|c| c.connected) {
                navigate("/dashboard", replace());
                return;
            }
            let asked = FirstRunRoute::parse(&path);
            let mut d = draft.get_untracked();
            let wanted = match asked {
                Some(FirstRunRoute::Organization) | None => d.resume_route(),
                Some(r) => r,
            };
            // Back from the provider step (after **Change provider**) to the Connect URL of the
            // provider still selected: that choice is confirmed again.
            if let FirstRunRoute::Connect(p) = wanted
                && d.connect.chosen().is_none()
                && d.connect.provider == Some(p)
            {
                d.connect.choose_provider(p);
            }
            let shown = d.open_route(wanted);
            draft.set(d);
            let before = route.get_untracked();
            route.set(Some(shown));
            if asked != Some(shown) {
                navigate(&shown.path(), replace());
            }
            mark_interactive();
            let first = first_resolution.get_value();
            first_resolution.set_value(false);
            if !first && before != Some(shown) {
                // The new step's heading takes focus, so keyboard and screen-reader users
                // start there.
                let n = shown.step().number();
                request_animation_frame(move || focus_id(&format!("welcome-step-{n}")));
            }
        });
    }

    let current = Signal::derive(move || match route.get() {
        Some(r) => r.step().number() - 1,
        None => 1,
    });
    let org = move || draft.with(|d| d.organization_name.clone());

    // Step 2: the provider choice.
    let picked = RwSignal::new(draft.connect.with_untracked(|c| c.provider));
    let pick_error = RwSignal::new(None::<String>);
    let go = {
        let navigate = navigate.clone();
        Callback::new(move |path: String| navigate(&path, NavigateOptions::default()))
    };
    let next = move |_| {
        let Some(p) = picked.get_untracked() else {
            pick_error.set(Some("Choose a cloud provider.".into()));
            focus_id("welcome-provider-aws");
            return;
        };
        draft::choose_provider(draft.connect, p);
        go.run(FirstRunRoute::Connect(p).path());
    };
    let on_connected = {
        let navigate = navigate.clone();
        Callback::new(move |provider| {
            // Embedded in a partner portal: tell the portal and show the embed finish screen.
            if crate::state::embed::account_connected(Some(provider)) {
                return;
            }
            draft.connect.update(|c| c.mark_connected(provider));
            // Every provider's answers have done their job (the connected one's panel drops
            // its own; the others' are dropped here).
            draft::remove_parts(FIRST_RUN_DRAFT_KEY);
            session.flash.set(Some(CONNECTED_MESSAGE.into()));
            navigate("/dashboard", NavigateOptions::default());
        })
    };
    let connect_store = ConnectStore::new(draft.connect, FIRST_RUN_DRAFT_KEY, on_connected);
    let change_provider = Callback::new(move |()| {
        picked.set(draft::change_provider(draft.connect));
        go.run(FirstRunRoute::Provider.path());
    });

    let embedded = crate::state::embed::is_embedded();
    let chosen = Memo::new(move |_| draft.connect.with(|c| c.chosen()));
    let provider_summary = move || {
        chosen.get().map(|p| {
            view! {
                <p class="provider-summary">
                    <img class="provider-logo" src=provider_logo(p) alt="" width="32" height="32"/>
                    <strong>{provider_name(p)}</strong>
                    <ChangeProviderButton on_press=change_provider busy=connect_store.writing.into()/>
                </p>
            }
        })
    };
    let panels = expect_context::<ConnectPanels>();
    let connect_panel = move || chosen.get().map(|p| (panels.view)(p, connect_store));
    // A partner portal's frame is for a linked account only: the other kinds have their own pages.
    let other_kinds = move || {
        chosen
            .get()
            .filter(|p| !embedded && has_other_kinds(*p))
            .map(|p| view! { <LazyView load=move || other_kinds(p, draft.connect) failed=other_kinds_failed/> })
    };
    // The picked provider's panel (and the dashboard after it) is fetched while the user is still
    // on this step: only that one, not every provider's, and before **Next** needs it.
    Effect::new(move |_| {
        if let Some(p) = picked.get() {
            (panels.prefetch_first_run)(p);
        }
    });

    view! {
        <section class="page">
            // Inside a partner portal the flow may be for any account, not the first: plain words.
            <h1>{if embedded { "Connect a cloud account" } else { "Welcome! Let's get started." }}</h1>
            <Show
                when=move || route.with(Option::is_some)
                fallback=|| view! { <p role="status" class="muted">"Loading your organization…"</p> }
            >
                <Stepper id="welcome" label="Setup steps" current=current>
                    <Step slot title=FirstRunStep::Organization.label()
                        summary=move || view! { <p>"Organization: " <strong>{org}</strong></p> }
                    />
                    <Step slot title=if embedded { "Select a cloud provider" } else { FirstRunStep::Provider.label() } summary=provider_summary>
                        <ProviderPicker
                            id="welcome-provider"
                            label="Cloud provider"
                            value=picked
                            error=pick_error
                            hide_label=true
                        />
                        <div class="form-actions">
                            <button type="button" class="btn btn-primary" id="welcome-next" on:click=next>
                                "Next"
                            </button>
                        </div>
                    </Step>
                    <Step slot title=FirstRunStep::Connect.label()>
                        {connect_panel}
                        {other_kinds}
                    </Step>
                </Stepper>
            </Show>
        </section>
    }
}

// A chunk of its own, which the provider step does not need: it comes in the prefetch pack of
// the picked provider (`welcome_<provider>`).
crate::split_view!(
    other_kinds,
    fn other_kinds(provider: Provider, draft: RwSignal<ConnectDraft>) {
        view! { <OtherAccountKinds provider draft/> }
    }
);

fn other_kinds_failed(attempt: RwSignal<u32>) -> AnyView {
    crate::components::failed_in_place(
        attempt,
        "The other kinds of account (management, FinOps) didn't load. Check your connection, then try again.",
    )
}
