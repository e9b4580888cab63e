//! What a form does when a submit finds problems: each refused field shows its message (see
//! [`Field`](super::Field)); one problem puts focus on its field, two or more on a summary at the
//! top of the form ("There is a problem") whose links take focus to each field.

use super::focus_id;
use leptos::prelude::*;
use onramp_core::validate::FieldError;

/// One refused field: its control's id and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: String,
    pub message: String,
}

/// The refused fields, in form order, from each field's id and message (none when accepted).
pub fn problems<I: Into<String>>(
    checked: impl IntoIterator<Item = (I, Option<String>)>,
) -> Vec<Problem> {
    checked
        .into_iter()
        .filter_map(|(id, message)| {
            message.map(|message| Problem {
                id: id.into(),
                message,
            })
        })
        .collect()
}

impl Problem {
    /// Core's refusals of a form's fields (`(field, error)`, in form order), each named by its
    /// control's id.
    pub fn from_refusals<F: Copy>(
        refused: &[(F, FieldError)],
        id_of: fn(F) -> &'static str,
    ) -> Vec<Problem> {
        refused
            .iter()
            .map(|(f, e)| Problem {
                id: id_of(*f).to_owned(),
                message: e.message.clone(),
            })
            .collect()
    }
}

/// Where focus goes after a submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FocusTo<'a> {
    /// Nothing was refused.
    Nothing,
    /// The only refused field.
    Field(&'a str),
    /// The summary of several.
    Summary,
}

pub fn focus_to(problems: &[Problem]) -> FocusTo<'_> {
    match problems {
        [] => FocusTo::Nothing,
        [one] => FocusTo::Field(&one.id),
        _ => FocusTo::Summary,
    }
}

/// A field as a submit checks it: the same value, message and rule as its [`Field`](super::Field).
#[derive(Clone, Copy)]
pub struct FieldCheck {
    pub id: &'static str,
    pub value: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
    pub check: Callback<String, Option<String>>,
}

/// A form's problems as its [`ErrorSummary`] lists them (only when there are two or more).
#[derive(Clone, Copy)]
pub struct FormErrors {
    /// The summary's id.
    id: &'static str,
    listed: RwSignal<Vec<Problem>>,
}

impl FormErrors {
    /// `id` is the summary's own id (unique on the page).
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            listed: RwSignal::new(Vec::new()),
        }
    }

    /// Takes the summary away (a form opened afresh).
    pub fn clear(self) {
        self.listed.try_set(Vec::new());
    }

    /// Runs every field's rule and shows its message; true when all pass, else focus goes to
    /// the problem (see [`report`](Self::report)).
    pub fn check(self, fields: &[FieldCheck]) -> bool {
        let found = problems(fields.iter().map(|f| {
            let message = f.check.run(f.value.get_untracked());
            f.error.set(message.clone());
            (f.id, message)
        }));
        self.report(found)
    }

    /// Shows problems already set on their fields (a check, or the server's answer): focus on
    /// the only one, or the summary of several. True when there are none.
    pub fn report(self, found: Vec<Problem>) -> bool {
        let focus = match focus_to(&found) {
            FocusTo::Nothing => None,
            FocusTo::Field(id) => Some(id.to_owned()),
            FocusTo::Summary => Some(self.id.to_owned()),
        };
        let listed = if found.len() > 1 { found } else { Vec::new() };
        // The form may be gone by the time a server's answer arrives.
        if self.listed.try_set(listed).is_some() {
            return focus.is_none();
        }
        match focus {
            // The summary is drawn after this returns.
            Some(id) if id == self.id => request_animation_frame(move || focus_id(&id)),
            Some(id) => focus_id(&id),
            None => return true,
        }
        false
    }
}

/// The summary of a submit's problems, at the top of its form; nothing when there are fewer
/// than two.
#[component]
pub fn ErrorSummary(errors: FormErrors) -> impl IntoView {
    let title_id = format!("{}-title", errors.id);
    move || {
        let listed = errors.listed.try_get().unwrap_or_default();
        (!listed.is_empty()).then(|| {
            let items = listed
                .into_iter()
                .map(|Problem { id, message }| {
                    let href = format!("#{id}");
                    view! {
                        <li>
                            <a
                                href=href
                                on:click=move |ev| {
                                    // Focus goes to the field, not only the scroll position.
                                    ev.prevent_default();
                                    focus_id(&id);
                                }
                            >
                                {message}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div
                    class="error-summary"
                    id=errors.id
                    tabindex="-1"
                    role="group"
                    aria-labelledby=title_id.clone()
                >
                    <h2 class="error-summary-title" id=title_id.clone()>"There is a problem"</h2>
                    <ul class="error-summary-list">{items}</ul>
                </div>
            }
        })
    }
}
