//! The address bar: the current path as a signal, in-app navigation through the History API,
//! and same-origin link clicks kept inside the app.
//!
//! The app chooses its screen with a `match` on `onramp_core::routes::Page`, so it needs no
//! route table; a general-purpose router cost about 15 KB brotli in each main module for
//! what these few functions do.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The address the app shows, as signals. Provided once by [`provide_history`].
#[derive(Clone, Copy)]
pub struct Location {
    /// The path, e.g. `/accounts/new/aws`.
    pub pathname: Memo<String>,
    /// The address as this part of the app sees it (see [`Location::following`]).
    seen: Memo<Address>,
    /// The address bar itself, which navigation writes.
    url: RwSignal<Address>,
}

#[derive(Clone, Debug, PartialEq, Default)]
struct Address {
    path: String,
    /// With its `?`, or empty.
    search: String,
}

impl Address {
    fn current() -> Self {
        let location = window().location();
        Self {
            path: location.pathname().unwrap_or_default(),
            search: location.search().unwrap_or_default(),
        }
    }
}

impl Location {
    /// The same address, whose path follows the address bar only while `keep` accepts it: a
    /// screen given it sees no change once the address has left for another screen, so a
    /// wizard on its way out cannot take the user back to one of its steps.
    /// Its query stays with its path.
    pub fn following(self, keep: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        let seen = Memo::new(move |last: Option<&Address>| {
            let now = self.seen.get();
            match last {
                Some(last) if !keep(&now.path) => last.clone(),
                _ => now,
            }
        });
        // Read once now: the first read decides what the screen started with, and a screen
        // whose code is still loading would otherwise take whatever the address is by then.
        seen.with_untracked(|_| ());
        Self::seeing(seen, self.url)
    }

    fn seeing(seen: Memo<Address>, url: RwSignal<Address>) -> Self {
        let pathname = Memo::new(move |_| seen.with(|a| a.path.clone()));
        Self {
            pathname,
            seen,
            url,
        }
    }
}

/// How [`use_navigate`]'s function writes the history.
#[derive(Clone, Copy, Debug, Default)]
pub struct NavigateOptions {
    /// Replace the current entry (Back skips it) instead of adding one.
    pub replace: bool,
}

/// Starts following the address bar: Back/Forward, and clicks on links to this origin. Call it
/// once, at the root of the app (or of a test).
pub fn provide_history() -> Location {
    let url = RwSignal::new(Address::current());
    let location = Location::seeing(Memo::new(move |_| url.get()), url);
    provide_context(location);
    let popstate = window_event_listener(ev::popstate, move |_| url.set(Address::current()));
    let click = window_event_listener(ev::click, move |ev| {
        if let Some(to) = in_app_link(&ev) {
            ev.prevent_default();
            go(location, &to, NavigateOptions::default());
        }
    });
    on_cleanup(move || {
        popstate.remove();
        click.remove();
    });
    location
}

/// The address, from inside the app.
pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// A function that opens another address of this app, e.g. `/dashboard` or `/signin?next=…`.
pub fn use_navigate() -> impl Fn(&str, NavigateOptions) + Clone + 'static {
    let location = use_location();
    move |to: &str, options: NavigateOptions| go(location, to, options)
}

/// Opens `to` in place of the current screen's address (a screen that must not be seen, e.g.
/// a signed-out visitor on a signed-in page); Back does not return to it.
pub fn redirect(to: &str) {
    go(use_location(), to, NavigateOptions { replace: true });
}

/// One query parameter of the current address (`?name=value`), decoded; tracked when read
/// in an effect or a view.
pub fn query_param(name: &str) -> Option<String> {
    let search = use_context::<Location>()
        .map(|l| l.seen.with(|a| a.search.clone()))
        .or_else(|| window().location().search().ok())?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

fn go(location: Location, to: &str, options: NavigateOptions) {
    let window = window();
    let Ok(url) = web_sys::Url::new_with_base(to, &window.location().href().unwrap_or_default())
    else {
        return;
    };
    if url.origin() != window.location().origin().unwrap_or_default() {
        let _ = window.location().set_href(to);
        return;
    }
    let value = format!("{}{}{}", url.pathname(), url.search(), url.hash());
    if let Ok(history) = window.history() {
        let _ = if options.replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&value))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&value))
        };
    }
    let next = Address::current();
    if location.url.with_untracked(|a| a != &next) {
        location.url.set(next);
    }
    // Like a page load: a new address starts at its top, or at the element its fragment names.
    let target = url.hash();
    let anchor = target
        .strip_prefix('#')
        .filter(|id| !id.is_empty())
        .and_then(|id| document().get_element_by_id(id));
    match anchor {
        Some(el) => el.scroll_into_view(),
        None => window.scroll_to_with_x_and_y(0.0, 0.0),
    }
}

/// The in-app address a click on a link opens, or `None` when the browser should follow it
/// itself: a modified or non-primary click, a link with a `target`, `download` or
/// `rel="external"`, another origin, or only a fragment of this page.
fn in_app_link(ev: &web_sys::MouseEvent) -> Option<String> {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.alt_key()
        || ev.ctrl_key()
        || ev.shift_key()
    {
        return None;
    }
    let a = ev
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .ok()?;
    let external = a
        .get_attribute("rel")
        .is_some_and(|r| r.split_ascii_whitespace().any(|p| p == "external"));
    if !a.target().is_empty() || a.has_attribute("download") || external {
        return None;
    }
    let location = window().location();
    if a.origin() != location.origin().ok()? {
        return None;
    }
    let same_page =
        a.pathname() == location.pathname().ok()? && a.search() == location.search().ok()?;
    if same_page && !a.hash().is_empty() {
        return None;
    }
    Some(format!("{}{}{}", a.pathname(), a.search(), a.hash()))
}
