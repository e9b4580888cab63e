//! The one clock and the one timer of the app.

/// Now, as an ISO 8601 instant in UTC with milliseconds (`2026-12-03T09:31:06.123Z`), the form
/// the API uses.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    now_iso().get(..10).unwrap_or_default().to_owned()
}

/// Resolves after `ms` milliseconds (a `setTimeout` behind a promise).
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                ms.min(i32::MAX as u32) as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
