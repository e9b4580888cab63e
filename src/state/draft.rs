//! Drafts: what a form has been given so far, kept in sessionStorage so that a reload and
//! back/forward keep it. Never a secret (password, client secret, private key, token): the
//! draft types have no field for one.
//!
//! A page holds its draft once, in a [`PersistedDraft`], which reads and writes it in storage; a
//! wizard's provider panels keep their own parts of it beside it ([`ConnectStore`]).

use crate::api::ApiError;
use crate::platform::storage;
use crate::platform::tasks::Tasks;
use leptos::prelude::*;
use onramp_core::onboarding::{
    AddAccountDraft, ConnectDraft, FirstRunDraft, Panel, PanelGroup, Provider, ProviderPart,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::DeserializeOwned};
use std::future::Future;
use std::ops::Deref;

pub const DRAFT_PREFIX: &str = "onramp.draft.";
pub const SIGNUP_DRAFT_KEY: &str = "onramp.draft.signup";
pub const FIRST_RUN_DRAFT_KEY: &str = "onramp.draft.firstrun";

/// A draft held once and kept in sessionStorage under its key: read back when created, written
/// again on every change (by the one effect below), removed by [`clear`](Self::clear).
///
/// `T` is the draft as the page holds it: an `RwSignal` of a plain struct, or a struct of field
/// signals. Its serde form is what is stored; serialising it reads every signal in it, so the
/// effect follows every field.
#[derive(Clone, Copy)]
pub struct PersistedDraft<T: 'static> {
    key: &'static str,
    value: T,
    /// Writes the draft on every change; stopped when the draft is cleared.
    saver: Effect<LocalStorage>,
    /// Disposed with the page that held the draft (and the draft's signals with it).
    alive: StoredValue<()>,
}

impl<T> PersistedDraft<T>
where
    T: Serialize + DeserializeOwned + Copy + 'static,
{
    /// The draft stored under `key`, else `fresh()`.
    pub fn new(key: &'static str, fresh: impl FnOnce() -> T) -> Self {
        Self::until(key, fresh, |_| false)
    }

    /// As [`new`](Self::new), but while `finished` holds the stored copy is removed rather than
    /// written (a finished flow keeps its last screen in memory; a reload starts afresh).
    pub fn until(key: &'static str, fresh: impl FnOnce() -> T, finished: fn(&T) -> bool) -> Self {
        Self::hold(key, load(key).unwrap_or_else(fresh), finished)
    }

    /// The draft stored under `key`, if there is one.
    pub fn existing(key: &'static str) -> Option<Self> {
        load(key).map(|value| Self::hold(key, value, |_| false))
    }

    fn hold(key: &'static str, value: T, finished: fn(&T) -> bool) -> Self {
        let saver = keep_saving(Box::new(move || {
            if finished(&value) {
                remove(key);
            } else {
                save(key, &value);
            }
        }));
        Self {
            key,
            value,
            saver,
            alive: StoredValue::new(()),
        }
    }

    /// Writes the draft now instead of on the next tick: for a change made just before the page
    /// goes away.
    pub fn save_now(&self) {
        // A late answer after its page has gone: the signals can't be read any more (and the
        // draft was already written as it last was).
        if self.alive.is_disposed() {
            return;
        }
        untrack(|| save(self.key, &self.value));
    }

    /// Forgets the stored copy for good: nothing this draft holds is written again (nor the
    /// provider parts a wizard's panels keep beside it, see [`ConnectStore`]).
    pub fn clear(&self) {
        self.saver.stop();
        discard(self.key);
    }
}

/// The one saving effect, built here once for every kind of draft (an effect is sizeable code;
/// the draft's own part is only `store`).
fn keep_saving(store: Box<dyn Fn()>) -> Effect<LocalStorage> {
    Effect::new(move |_| store())
}

impl<T> Deref for PersistedDraft<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

// Direct access, for code that only reads, seeds or drops a stored draft; a page that edits one
// holds it in a `PersistedDraft`.

/// The draft kept under `key`; `None` when there is none or it no longer reads (an older shape).
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&storage::session_get(key)?).ok()
}

pub fn save<T: Serialize>(key: &str, draft: &T) {
    if let Ok(json) = serde_json::to_string(draft) {
        storage::session_set(key, &json);
    }
}

pub fn remove(key: &str) {
    storage::session_remove(key);
}

/// Drops a wizard's stored draft and the provider parts its panels keep beside it.
pub fn discard(key: &str) {
    remove(key);
    remove_parts(key);
}

pub fn clear_all() {
    storage::session_remove_prefixed(DRAFT_PREFIX);
}

// ---- sign-up ----------------------------------------------------------------------------------

/// Sign-up's screen 1, one signal per field (the form's inputs edit them directly). No
/// password: screen 2 keeps it in memory only.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignupDraft {
    pub full_name: RwSignal<String>,
    pub company: RwSignal<String>,
    pub email: RwSignal<String>,
    pub country: RwSignal<String>,
    /// Messages the server gave for screen-1 fields (e.g. email already registered), in form
    /// order (full name, company, email, country), so screen 1 shows them after the way back.
    pub field_errors: [RwSignal<Option<String>>; 4],
}

impl SignupDraft {
    /// The sign-up draft, kept in sessionStorage.
    pub fn persisted() -> PersistedDraft<Self> {
        PersistedDraft::new(SIGNUP_DRAFT_KEY, Self::default)
    }

    /// The stored sign-up draft, if there is one.
    pub fn existing() -> Option<PersistedDraft<Self>> {
        PersistedDraft::existing(SIGNUP_DRAFT_KEY)
    }

    /// True when every screen-1 answer passes core's rules.
    pub fn is_complete(&self) -> bool {
        use onramp_core::validate as v;
        v::full_name(&self.full_name.get_untracked()).is_ok()
            && v::organization_name(&self.company.get_untracked()).is_ok()
            && v::email(&self.email.get_untracked()).is_ok()
            && v::country(&self.country.get_untracked()).is_ok()
            && self
                .field_errors
                .iter()
                .all(|e| e.get_untracked().is_none())
    }
}

// ---- the wizards ------------------------------------------------------------------------------

/// A wizard draft with a Connect step (first run, add account).
pub trait HasConnect {
    fn connect_mut(&mut self) -> &mut ConnectDraft;
}

impl HasConnect for FirstRunDraft {
    fn connect_mut(&mut self) -> &mut ConnectDraft {
        &mut self.connect
    }
}

impl HasConnect for AddAccountDraft {
    fn connect_mut(&mut self) -> &mut ConnectDraft {
        &mut self.connect
    }
}

/// A wizard's draft as two field signals: the Connect step's answers, which the connect panels
/// edit directly, and the rest. Read and change the whole through `with`/`update`/`set`, which
/// put it together (core's rules take the whole draft); a change notifies only the part that
/// changed, so typing in a panel does not disturb the wizard and the other way round.
pub struct WizardDraft<W: 'static> {
    /// Everything but the Connect step: its `connect` is always empty.
    rest: RwSignal<W>,
    pub connect: RwSignal<ConnectDraft>,
}

impl<W> Clone for WizardDraft<W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<W> Copy for WizardDraft<W> {}

impl<W> WizardDraft<W>
where
    W: HasConnect + Clone + PartialEq + Send + Sync + 'static,
{
    pub fn new(mut whole: W) -> Self {
        let connect = std::mem::take(whole.connect_mut());
        Self {
            rest: RwSignal::new(whole),
            connect: RwSignal::new(connect),
        }
    }

    /// The whole draft, tracked.
    pub fn get(&self) -> W {
        let mut whole = self.rest.get();
        *whole.connect_mut() = self.connect.get();
        whole
    }

    pub fn get_untracked(&self) -> W {
        let mut whole = self.rest.get_untracked();
        *whole.connect_mut() = self.connect.get_untracked();
        whole
    }

    fn try_get_untracked(&self) -> Option<W> {
        let mut whole = self.rest.try_get_untracked()?;
        *whole.connect_mut() = self.connect.try_get_untracked()?;
        Some(whole)
    }

    pub fn with<R>(&self, f: impl FnOnce(&W) -> R) -> R {
        f(&self.get())
    }

    pub fn with_untracked<R>(&self, f: impl FnOnce(&W) -> R) -> R {
        f(&self.get_untracked())
    }

    /// Replaces the whole draft; only the parts that differ notify.
    pub fn set(&self, mut whole: W) {
        let connect = std::mem::take(whole.connect_mut());
        if self.connect.get_untracked() != connect {
            self.connect.set(connect);
        }
        if self.rest.get_untracked() != whole {
            self.rest.set(whole);
        }
    }

    /// As [`set`](Self::set); does nothing once the page is gone (an answer arriving late).
    pub fn try_set(&self, whole: W) {
        if !self.rest.is_disposed() {
            self.set(whole);
        }
    }

    pub fn update<R>(&self, f: impl FnOnce(&mut W) -> R) -> R {
        let mut whole = self.get_untracked();
        let out = f(&mut whole);
        self.set(whole);
        out
    }

    /// As [`update`](Self::update); `None` once the page is gone (an answer arriving late).
    pub fn try_update<R>(&self, f: impl FnOnce(&mut W) -> R) -> Option<R> {
        let mut whole = self.try_get_untracked()?;
        let out = f(&mut whole);
        self.set(whole);
        Some(out)
    }
}

/// Stored as the whole draft, in core's shape (which leaves the provider parts out).
impl<W> Serialize for WizardDraft<W>
where
    W: HasConnect + Clone + PartialEq + Send + Sync + Serialize + 'static,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de, W> Deserialize<'de> for WizardDraft<W>
where
    W: HasConnect + Clone + PartialEq + Send + Sync + Deserialize<'de> + 'static,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        W::deserialize(d).map(Self::new)
    }
}

/// A wizard's Connect step as its provider panels get it: the draft they edit, the key the
/// wizard keeps it under, and what the wizard does once an account is connected. Each
/// provider's part of the draft is stored apart, under that key and the provider
/// ([`ConnectStore::keep`]), by the provider's own panel: a wizard carries no reader for answers
/// it does not show, and a panel's chunk brings the reader for its own.
#[derive(Clone, Copy)]
pub struct ConnectStore {
    pub draft: RwSignal<ConnectDraft>,
    pub key: &'static str,
    /// The wizard's next step once the API accepted a provider's credentials.
    pub on_connected: Callback<Provider>,
    /// While a panel's credentials are being saved: **Change provider** waits for the answer.
    pub writing: RwSignal<bool>,
    tasks: Tasks,
}

impl ConnectStore {
    /// Call in the wizard's component: the store's writes belong to the wizard.
    pub fn new(
        draft: RwSignal<ConnectDraft>,
        key: &'static str,
        on_connected: Callback<Provider>,
    ) -> Self {
        Self {
            draft,
            key,
            on_connected,
            writing: RwSignal::new(false),
            tasks: Tasks::here(),
        }
    }

    /// Sends `provider`'s credentials with its panel's `busy` true and the wizard's `writing`. The request
    /// belongs to the wizard, not to the panel: the panel going (Browser Back) must not abort it
    /// while the server may still store the credentials. Accepted, the wizard moves on; refused,
    /// `refused` tells the user, in the panel, if it is still there.
    pub fn write(
        self,
        provider: Provider,
        busy: RwSignal<bool>,
        request: impl Future<Output = Result<(), ApiError>> + 'static,
        refused: impl FnOnce(ApiError) + 'static,
    ) {
        self.writing.set(true);
        self.tasks.run_busy(busy, async move {
            let answer = request.await;
            self.writing.try_set(false);
            match answer {
                Ok(()) => {
                    self.on_connected.try_run(provider);
                }
                Err(e) if !busy.is_disposed() => refused(e),
                Err(_) => {}
            }
        });
    }

    /// Reads the stored part `T` (one provider's answers) back into the draft, then writes it
    /// on every change while the wizard's own draft is stored and the account not connected
    /// (a finished or cleared wizard leaves none behind). Called once by the provider's panel,
    /// before anything reads the part; answers the draft to edit.
    pub fn keep<T: ProviderPart + 'static>(self) -> RwSignal<ConnectDraft> {
        let Self { draft, key, .. } = self;
        let part_key = part_key(key, T::PROVIDER);
        if let Some(stored) = load::<T>(&part_key) {
            draft.update(|d| *T::of_mut(d) = stored);
        }
        Effect::new(move |_| {
            draft.with(|d| {
                if d.connected || storage::session_get(key).is_none() {
                    remove(&part_key);
                } else {
                    save(&part_key, T::of(d));
                }
            })
        });
        draft
    }
}

/// Where `provider`'s part of the wizard draft kept under `key` is stored.
fn part_key(key: &str, provider: Provider) -> String {
    format!("{key}/{}", provider.slug())
}

/// Copies the provider parts kept beside the draft under `from` to `to` (a draft set aside, or
/// taken back); stored text is moved as it is, unread.
pub fn move_parts(from: &str, to: &str) {
    for p in Provider::ALL {
        match storage::session_get(&part_key(from, p)) {
            Some(json) => storage::session_set(&part_key(to, p), &json),
            None => remove(&part_key(to, p)),
        }
        remove(&part_key(from, p));
    }
}

/// Removes the provider parts kept beside the draft under `key`.
pub fn remove_parts(key: &str) {
    for p in Provider::ALL {
        remove(&part_key(key, p));
    }
}

/// A Connect-step panel's open state, kept in the draft (`group` says whose panels).
pub fn panel_signal(
    draft: RwSignal<ConnectDraft>,
    group: PanelGroup,
    panel: Panel,
) -> RwSignal<bool> {
    let open = RwSignal::new(draft.with_untracked(|d| d.panels(group).is_open(panel)));
    Effect::new(move |_| {
        let now = open.get();
        if draft.with_untracked(|d| d.panels(group).is_open(panel)) != now {
            draft.update(|d| d.panels_mut(group).set_open(panel, now));
        }
    });
    open
}

pub fn choose_provider(connect: RwSignal<ConnectDraft>, provider: Provider) {
    connect.update(|c| {
        c.choose_provider(provider);
    });
}

/// **Change provider**: reopens the choice; answers the provider to pre-select.
pub fn change_provider(connect: RwSignal<ConnectDraft>) -> Option<Provider> {
    connect.update(|c| {
        c.change_provider();
    });
    connect.with_untracked(|c| c.provider)
}

/// The first-run wizard's draft (the organization, the provider choice; each provider's answers,
/// such as the typed role ARN and the external ID, which is shown on screen and is not a secret,
/// are kept beside it by that provider's panel). Core's types have no field for a secret, so
/// nothing secret can end up here.
pub fn first_run(
    fresh: impl FnOnce() -> FirstRunDraft,
) -> PersistedDraft<WizardDraft<FirstRunDraft>> {
    wizard(FIRST_RUN_DRAFT_KEY, fresh)
}

/// A wizard's draft kept under `key`, else `fresh()`; its provider parts are kept apart (see
/// [`ConnectStore`]).
pub fn wizard<W>(key: &'static str, fresh: impl FnOnce() -> W) -> PersistedDraft<WizardDraft<W>>
where
    W: HasConnect + Clone + PartialEq + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    PersistedDraft::new(key, || WizardDraft::new(fresh()))
}

/// The stored first-run draft says its account is connected (read without the rest of it).
pub fn first_run_connected() -> bool {
    storage::session_get(FIRST_RUN_DRAFT_KEY)
        .is_some_and(|json| onramp_core::onboarding::first_run_connected(&json))
}

/// Starts the first-run wizard with `draft` (the embedded flow sets it up before the wizard
/// opens), without the answers an earlier flow's panels kept.
pub fn save_first_run(draft: &FirstRunDraft) {
    save(FIRST_RUN_DRAFT_KEY, draft);
    remove_parts(FIRST_RUN_DRAFT_KEY);
}
