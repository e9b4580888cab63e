//! The **API tokens** part of `/settings/security`: the caller's tokens (name, created, expires,
//! last used), **Create token** (name, days, the password again) with the new token shown once
//! with Copy, and **Revoke** after a confirmation. The new token lives in a signal while the
//! dialog shows it and nowhere else (no draft, no storage); the password likewise, until sent.

use super::confirm::ConfirmDialog;
use crate::api::{ApiError, describe};
use crate::components::{
    Banner, Button, CopyButton, ErrorSummary, Field, FieldCheck, FormErrors, InFlight, Modal,
    Notice, StatusMessage, focus_id, focus_if_lost, notice, problems, rule, still_showing,
};
use crate::platform::tasks::Tasks;
use crate::state::{Loads, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::dto::{ApiToken, ApiTokenCreated, ApiTokenRequest};
use onramp_core::settings_view::last_used;
use onramp_core::time::show_date;
use onramp_core::validate as v;

/// The caller's tokens as the page has them (`None` while loading), shared with the password
/// form: a new password revokes every token, so the list is loaded again.
#[derive(Clone, Copy)]
pub struct TokenList {
    pub items: RwSignal<Option<Vec<ApiToken>>>,
    pub error: RwSignal<Option<Notice>>,
    pub load: Callback<()>,
    /// Overlapping loads, and the revokes made here meanwhile.
    pub loads: Loads,
}

impl TokenList {
    /// The list of the signed-in user (call in a component: it reads the API context).
    pub fn of_signed_in_user() -> Self {
        let api = use_api();
        let items = RwSignal::new(None::<Vec<ApiToken>>);
        let error = RwSignal::new(None::<Notice>);
        // Loads start from effects and dialogs too: they belong to the page.
        let tasks = Tasks::here();
        let loads = Loads::new();
        let load = Callback::new(move |()| {
            error.set(None);
            let api = api();
            tasks.spawn(async move {
                let answer = loads.latest(|| api.list_api_tokens()).await;
                crate::state::mark_interactive();
                match answer {
                    Some(Ok(list)) => {
                        items.try_set(Some(list));
                    }
                    Some(Err(e)) => {
                        error.try_set(Some(notice(&e)));
                    }
                    // A later load will show its answer.
                    None => {}
                }
            });
        });
        Self {
            items,
            error,
            load,
            loads,
        }
    }
}

/// Where the server's refusal of a create-token form goes: `(name, days, password, banner)`.
/// A wrong password (`WRONG_PASSWORD` on `body.password`) is a message at the password field.
pub fn create_problem(
    err: &ApiError,
) -> (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
) {
    let at = |f: &str| err.field_message(f).map(str::to_owned);
    let (name, days, password) = (at("name"), at("expiresInDays"), at("password"));
    let banner = (name.is_none() && days.is_none() && password.is_none()).then(|| {
        if err.may_have_acted() {
            format!(
                "We don't know whether the token was created: {} Your entries are kept: press Create token to try again. If the first try made one, the list shows it once this dialog is closed, and you can revoke it.",
                describe(err)
            )
        } else {
            format!(
                "The token was not created. {} Your entries are kept: press Create token to try again.",
                describe(err)
            )
        }
    });
    (name, days, password, banner)
}

#[component]
pub fn ApiTokens(list: TokenList) -> impl IntoView {
    let api = use_api();
    let status = RwSignal::new(None::<String>);
    let open_create = RwSignal::new(false);

    // Closing the create dialog (with a new token or not) shows the list as the server has it.
    let is_open = Memo::new(move |_| open_create.get());
    Effect::new(move |was_open: Option<bool>| {
        let now = is_open.get();
        if was_open == Some(true) && !now {
            list.load.run(());
        }
        now
    });

    // Revoking, after a confirmation.
    let target = RwSignal::new(None::<ApiToken>);
    let open_revoke = RwSignal::new(false);
    // Each token's revoke is busy on its own: another token's dialog can go on meanwhile.
    let revoking = InFlight::<String>::new();
    let busy = Signal::derive(move || {
        target.with(|t| t.as_ref().is_some_and(|t| revoking.has(&t.token_id)))
    });
    let banner = RwSignal::new(None::<Notice>);
    // The request belongs to the card: the dialog's content may be drawn again meanwhile.
    let tasks = Tasks::here();
    let revoke = Callback::new(move |()| {
        let Some(token) = target.get_untracked() else {
            return;
        };
        if !revoking.start(token.token_id.clone()) {
            return;
        }
        let api = api();
        tasks.spawn(async move {
            // The dialog may have been closed, or opened for another token, meanwhile: then the
            // answer is not its to show (the page's status says it instead).
            let still_asked =
                || still_showing(open_revoke, target, |t| t.token_id == token.token_id);
            let answer = api.revoke_api_token(&token.token_id).await;
            revoking.end(&token.token_id);
            match answer {
                // Gone already (revoked elsewhere, expired): it does not work either way.
                Ok(()) | Err(ApiError::Http { status: 404, .. }) => {
                    list.loads.edited();
                    list.items.try_update(|l| {
                        if let Some(l) = l {
                            l.retain(|t| t.token_id != token.token_id);
                        }
                    });
                    status.try_set(Some(format!("The token “{}” was revoked.", token.name)));
                    if still_asked() {
                        open_revoke.try_set(false);
                        // Its row and button are gone: focus the list's heading.
                        request_animation_frame(|| focus_id("tokens-heading"));
                    } else {
                        // The list is drawn again: focus may have been in it.
                        focus_if_lost("tokens-heading");
                    }
                }
                Err(ApiError::Unauthorized) => {}
                Err(e) => {
                    let text = format!(
                        "The token “{}” was not revoked: {}",
                        token.name,
                        describe(&e)
                    );
                    if still_asked() {
                        banner.try_set(Some(Notice {
                            text,
                            request_id: e.request_id().map(str::to_owned),
                        }));
                    } else {
                        status.try_set(Some(text));
                    }
                }
            }
        });
    });
    let target_name =
        move || target.with(|t| t.as_ref().map(|t| t.name.clone()).unwrap_or_default());

    let row_view = move |t: ApiToken| {
        let name = t.name.clone();
        let used = last_used(&t);
        let t2 = t.clone();
        view! {
            <tr data-token=t.token_id.clone()>
                <th scope="row" class="token-name-cell">{name.clone()}</th>
                <td><time datetime=t.created.clone()>{show_date(&t.created)}</time></td>
                <td><time datetime=t.expires.clone()>{show_date(&t.expires)}</time></td>
                <td>{used}</td>
                <td class="row-actions">
                    <button type="button" class="btn btn-danger btn-small" aria-haspopup="dialog"
                        on:click=move |_| {
                            status.set(None);
                            target.set(Some(t2.clone()));
                            open_revoke.set(true);
                        }>
                        "Revoke"<span class="sr-only">{format!(" the token “{name}”")}</span>
                    </button>
                </td>
            </tr>
        }
    };

    view! {
        <section class="card tokens-card" aria-labelledby="tokens-heading">
            <div class="settings-head">
                <h2 id="tokens-heading" tabindex="-1">"API tokens"</h2>
                <button
                    type="button"
                    id="tokens-create"
                    class="btn btn-primary"
                    aria-haspopup="dialog"
                    on:click=move |_| {
                        status.set(None);
                        open_create.set(true);
                    }
                >
                    "Create token"
                </button>
            </div>
            <p class="muted">
                "An API token lets a script or tool call the API as you, with your role, until it expires or you revoke it. Each token is shown once, when it is created."
            </p>
            <StatusMessage text=status/>
            <Banner notice=list.error/>
            <Show when=move || list.error.with(Option::is_some)>
                <crate::components::RetryButton heading="tokens-heading" on_retry=list.load>
                    "Try again"<span class="sr-only">" loading API tokens"</span>
                </crate::components::RetryButton>
            </Show>
            {move || match list.items.get() {
                None if list.error.with(Option::is_some) => None,
                None => Some(view! { <p role="status" class="muted">"Loading API tokens…"</p> }.into_any()),
                Some(items) if items.is_empty() => Some(view! {
                    <p class="muted tokens-empty">"You have no API tokens. Tokens you create appear here until they expire or you revoke them."</p>
                }.into_any()),
                Some(items) => Some(view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="tokens-heading">
                        <table class="data-table tokens-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Created"</th>
                                    <th scope="col">"Expires"</th>
                                    <th scope="col">"Last used"</th>
                                    <th scope="col" class="row-actions">"Actions"</th>
                                </tr>
                            </thead>
                            <tbody>{items.into_iter().map(row_view).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any()),
            }}
            <CreateTokenDialog open=open_create status=status reload=list.load/>
            <ConfirmDialog
                id="revoke-dialog"
                title=Signal::derive(move || format!("Revoke “{}”?", target_name()))
                open=open_revoke
                busy=busy
                banner=banner
                cancel="Keep the token"
                confirm=Signal::stored("Revoke token".to_owned())
                on_confirm=revoke
            >
                <p>"Scripts and tools that use this token stop working at once. This can't be undone."</p>
            </ConfirmDialog>
        </section>
    }
}

#[component]
fn CreateTokenDialog(
    open: RwSignal<bool>,
    /// The card's status: what became of a request whose dialog was closed before its answer.
    status: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let name = RwSignal::new(String::new());
    let e_name = RwSignal::new(None::<String>);
    let days = RwSignal::new(String::new());
    let e_days = RwSignal::new(None::<String>);
    // Never stored: cleared when the dialog closes, once the token is made, and when refused.
    let password = RwSignal::new(String::new());
    let e_password = RwSignal::new(None::<String>);
    let banner = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    // The only copy of the new token, for as long as the dialog shows it.
    let created = RwSignal::new(None::<ApiTokenCreated>);
    // The form is drawn again when the dialog closes: the request belongs to the dialog.
    let tasks = Tasks::here();
    let errors = FormErrors::new("token-problems");

    Effect::new(move |_| {
        if open.get() {
            name.set(String::new());
            days.set(v::TOKEN_DAYS_DEFAULT.to_string());
            for e in [e_name, e_days, e_password] {
                e.set(None);
            }
            errors.clear();
            banner.set(None);
            request_animation_frame(|| focus_id("token-name"));
        } else {
            created.set(None);
            password.set(String::new());
        }
    });

    let check_name = rule(v::token_name);
    let check_days = rule(v::token_days_text);
    let check_password = rule(v::current_password);

    let fields = [
        FieldCheck {
            id: "token-name",
            value: name,
            error: e_name,
            check: check_name,
        },
        FieldCheck {
            id: "token-days",
            value: days,
            error: e_days,
            check: check_days,
        },
        FieldCheck {
            id: "token-password",
            value: password,
            error: e_password,
            check: check_password,
        },
    ];
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        if !errors.check(&fields) {
            return;
        }
        let (Ok(token_name), Ok(token_days)) = (
            v::token_name(&name.get_untracked()),
            v::token_days_text(&days.get_untracked()),
        ) else {
            return;
        };
        let req = ApiTokenRequest {
            name: token_name,
            expires_in_days: Some(f64::from(token_days)),
            password: password.get_untracked(),
        };
        let api = api();
        tasks.run_busy(busy, async move {
            let name = req.name.clone();
            let answer = api.create_named_api_token(&req).await;
            drop(req);
            if open.try_get_untracked() != Some(true) {
                // Closed meanwhile: the token may exist, but its only copy can't be shown now.
                password.try_set(String::new());
                if answer.is_ok() {
                    status.try_set(Some(format!(
                        "The token “{name}” was created after its dialog was closed, so it can't be shown. Revoke it below if you don't need it."
                    )));
                }
                // The page may have gone too (its list with it).
                reload.try_run(());
                return;
            }
            match answer {
                Ok(c) => {
                    password.try_set(String::new());
                    created.try_set(Some(c));
                    request_animation_frame(|| focus_id("token-value"));
                }
                Err(ApiError::Unauthorized) => {}
                Err(e) => {
                    let (n, d, p, b) = create_problem(&e);
                    // A refused password is typed again; after any other failure it is kept.
                    if p.is_some() {
                        password.try_set(String::new());
                    }
                    let refused = problems([
                        ("token-name", n.clone()),
                        ("token-days", d.clone()),
                        ("token-password", p.clone()),
                    ]);
                    e_name.try_set(n);
                    e_days.try_set(d);
                    e_password.try_set(p);
                    banner.try_set(b.map(|text| Notice {
                        text,
                        request_id: e.request_id().map(str::to_owned),
                    }));
                    errors.report(refused);
                }
            }
        });
    };

    let title = Signal::derive(move || {
        created.with(|c| match c {
            Some(c) => format!("Token “{}” created", c.token.name),
            None => "Create an API token".to_owned(),
        })
    });
    let value = Signal::derive(move || {
        created.with(|c| {
            c.as_ref()
                .map(|c| c.access_token.clone())
                .unwrap_or_default()
        })
    });
    let expires = move || {
        created.with(|c| {
            c.as_ref()
                .map(|c| show_date(&c.token.expires))
                .unwrap_or_default()
        })
    };

    view! {
        <Modal id="token-dialog" title=title open=open>
            {move || match created.with(Option::is_some) {
                false => view! {
                    <form class="form" novalidate on:submit=submit.clone()>
                        <ErrorSummary errors/>
                        <Field id="token-name" label="Token name" value=name error=e_name check=check_name
                            autocomplete="off" hint="What will use it, like “CI deploy”. At least one letter; up to 100 characters."/>
                        <Field id="token-days" label="Expires after (days)" value=days error=e_days check=check_days
                            inputmode="numeric" autocomplete="off" hint="A whole number of days from 1 to 365; 90 unless you change it."/>
                        <Field id="token-password" label="Your password" value=password error=e_password check=check_password
                            input_type="password" autocomplete="current-password"
                            hint="Asked again because the token can act as you."/>
                        <Banner notice=banner/>
                        <div class="form-actions">
                            <Button busy=busy>"Create token"</Button>
                            <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                        </div>
                    </form>
                }.into_any(),
                true => view! {
                    <div class="token-result">
                        <div class="banner banner-warning" id="token-once">
                            <div>
                                <p class="banner-text">"Copy the token now: it won't be shown again."</p>
                                <p class="banner-text token-once-detail">{move || format!("Keep it somewhere safe, like a password manager. It works until {}, or until you revoke it.", expires())}</p>
                            </div>
                        </div>
                        <div class="field">
                            <label for="token-value" class="field-label">"API token"</label>
                            <input id="token-value" type="text" readonly=true class="token-value"
                                autocomplete="off" spellcheck="false"
                                aria-describedby="token-once" prop:value=move || value.get()/>
                        </div>
                        <CopyButton id="token-copy" value=value what="API token"/>
                        <div class="form-actions">
                            <button type="button" class="btn btn-primary" on:click=move |_| open.set(false)>"Done"</button>
                        </div>
                    </div>
                }.into_any(),
            }}
        </Modal>
    }
}
