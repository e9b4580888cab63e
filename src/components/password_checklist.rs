//! The live password policy checklist, straight from core's rules. Each line says "met" or
//! "not met" in words, not only with colour or an icon.

use leptos::prelude::*;
use onramp_core::validate::PasswordCheck;

#[component]
pub fn PasswordChecklist(
    #[prop(into)] password: Signal<String>,
    #[prop(default = "password-rules")] id: &'static str,
) -> impl IntoView {
    let lines = PasswordCheck::ALL
        .iter()
        .map(|&check| {
            let met = Memo::new(move |_| password.with(|p| check.passes(p)));
            view! {
                <li class="check" class:met=move || met.get() data-check=format!("{check:?}")>
                    <span class="check-mark" aria-hidden="true">
                        {move || if met.get() { "✓" } else { "○" }}
                    </span>
                    <span class="check-label">{check.label()}</span>
                    <span class="check-state">
                        {move || if met.get() { "met" } else { "not met" }}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="checklist" id=id>
            <p class="checklist-title" id=format!("{id}-title")>"Your password needs"</p>
            <ul aria-labelledby=format!("{id}-title") aria-live="polite">{lines}</ul>
        </div>
    }
}
