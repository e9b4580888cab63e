//! The organization's accounts, as the API lists them: name, ID, connection state, creation
//! date. Used by the welcome page and the dashboard.

use super::{expire_session, notice};
use crate::api::ApiError;
use crate::components::Banner;
use crate::state::{Session, mark_interactive, use_api};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::dto::{Account, CloudProvider};

fn provider_name(p: CloudProvider) -> &'static str {
    match p {
        CloudProvider::Aws => "Amazon Web Services",
        CloudProvider::Gcp => "Google Cloud Platform",
        CloudProvider::Azure => "Microsoft Azure",
    }
}

#[component]
pub fn AccountList(#[prop(default = "Your accounts")] heading: &'static str) -> impl IntoView {
    let session = expect_context::<Session>();
    let api = use_api();
    // A plain signal plus a scoped task rather than a LocalResource: same behaviour (the
    // request is aborted when the page goes), noticeably less code in the bundle.
    let accounts = RwSignal::new(None::<Result<Vec<Account>, ApiError>>);
    let load = move || {
        accounts.set(None);
        let api = api();
        spawn_local_scoped(async move {
            let result = api.list_accounts().await;
            match &result {
                Err(ApiError::Unauthorized) => expire_session(session),
                _ => mark_interactive(),
            }
            accounts.try_set(Some(result));
        });
    };
    load();

    view! {
        <section class="card" aria-labelledby="accounts-heading">
            <h2 id="accounts-heading">{heading}</h2>
            {move || match accounts.get() {
                None => view! { <p role="status" class="muted">"Loading accounts…"</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty">"No accounts yet. Your first account appears here once it is created."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="account-list">
                        {list.into_iter().map(account_row).collect_view()}
                    </ul>
                }.into_any(),
                Some(Err(e)) => {
                    let n = notice(&e);
                    let retry = load.clone();
                    view! {
                        <Banner notice=Signal::stored(Some(n))/>
                        <button type="button" class="btn btn-secondary" on:click=move |_| retry()>
                            "Retry"
                        </button>
                    }.into_any()
                }
            }}
        </section>
    }
}

fn account_row(a: Account) -> impl IntoView {
    let (status, class) = match a.cloud_provider {
        Some(p) => (format!("Connected · {}", provider_name(p)), "pill pill-ok"),
        None => ("Not connected".to_owned(), "pill pill-neutral"),
    };
    let created = a.created_at.get(..10).unwrap_or(&a.created_at).to_owned();
    view! {
        <li class="account">
            <div class="account-main">
                <h3 class="account-name">{a.name}</h3>
                <span class=class>{status}</span>
            </div>
            <dl class="account-meta">
                <div><dt>"ID"</dt><dd><code>{a.account_id.to_string()}</code></dd></div>
                {a.provider_external_id.map(|x| view! {
                    <div><dt>"Cloud account"</dt><dd><code>{x}</code></dd></div>
                })}
                <div><dt>"Created"</dt><dd><time datetime=a.created_at.clone()>{created}</time></dd></div>
            </dl>
        </li>
    }
}
