//! A vertical stepper: an ordered list of steps. Done steps show a check and their summary,
//! the current one is marked `aria-current="step"` and shows its content, later ones show only
//! their number and title. Each step's state is also said in words for screen readers.
//!
//! ```ignore
//! <Stepper id="setup" label="Setup steps" current=current>
//!     <Step slot title="Create your organization" summary=move || org.get()/>
//!     <Step slot title="Select a cloud provider for your first account">
//!         <ProviderPicker .../>
//!     </Step>
//! </Stepper>
//! ```

use leptos::prelude::*;

/// One step of a [`Stepper`].
#[slot]
pub struct Step {
    #[prop(into)]
    title: String,
    /// Shown under the title once the step is done (e.g. the chosen provider, with a
    /// **Change provider** button).
    #[prop(optional, into)]
    summary: Option<ViewFn>,
    /// The step's content, rendered while it is the current step.
    #[prop(optional)]
    children: Option<ChildrenFn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepState {
    Done,
    Current,
    Upcoming,
}

#[component]
pub fn Stepper(
    /// Base id: step `n` (from 1) has its heading at `{id}-step-{n}` (focusable from script,
    /// `tabindex="-1"`, so a page can move focus to the new step).
    id: &'static str,
    /// The list's accessible name ("Setup steps").
    label: &'static str,
    /// The current step's index, from 0; `step.len()` means all are done.
    #[prop(into)]
    current: Signal<usize>,
    /// Heading level of the step titles (2 to 4).
    #[prop(default = 2)]
    level: u8,
    step: Vec<Step>,
) -> impl IntoView {
    let items = step
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let state = move || match current.get() {
                c if i < c => StepState::Done,
                c if i == c => StepState::Current,
                _ => StepState::Upcoming,
            };
            let Step {
                title,
                summary,
                children,
            } = step;
            let heading_id = format!("{id}-step-{}", i + 1);
            let said = move || match state() {
                StepState::Done => "Done: ",
                StepState::Current => "Current step: ",
                StepState::Upcoming => "Not started: ",
            };
            let title_view = {
                let title = title.clone();
                move || {
                    view! { <span class="sr-only">{said}</span>{title.clone()} }
                }
            };
            let heading = match level {
                0..=2 => view! { <h2 class="stepper-title" id=heading_id tabindex="-1">{title_view()}</h2> }.into_any(),
                3 => view! { <h3 class="stepper-title" id=heading_id tabindex="-1">{title_view()}</h3> }.into_any(),
                _ => view! { <h4 class="stepper-title" id=heading_id tabindex="-1">{title_view()}</h4> }.into_any(),
            };
            let mark = move || match state() {
                StepState::Done => view! {
                    <svg viewBox="0 0 16 16" width="16" height="16">
                        <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>
                    </svg>
                }
                .into_any(),
                _ => view! { <span>{i + 1}</span> }.into_any(),
            };
            view! {
                <li
                    class="stepper-step"
                    class:stepper-done=move || state() == StepState::Done
                    class:stepper-current=move || state() == StepState::Current
                    class:stepper-upcoming=move || state() == StepState::Upcoming
                    aria-current=move || (state() == StepState::Current).then_some("step")
                >
                    <span class="stepper-mark" aria-hidden="true">{mark}</span>
                    <div class="stepper-body">
                        {heading}
                        {summary.map(|summary| view! {
                            <Show when=move || state() == StepState::Done>
                                <div class="stepper-summary">{summary.run()}</div>
                            </Show>
                        })}
                        {children.map(|children| view! {
                            <Show when=move || state() == StepState::Current>
                                <div class="stepper-content">{children()}</div>
                            </Show>
                        })}
                    </div>
                </li>
            }
        })
        .collect_view();

    view! {
        <ol class="stepper" id=id aria-label=label>
            {items}
        </ol>
    }
}
