//! The one clock and the one timer of the app.

use onramp_core::time::Timestamp;
use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;

/// Now, from the browser's clock.
pub fn now() -> Timestamp {
    Timestamp::from_millis(js_sys::Date::now() as i64)
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    now().date()
}

/// Resolves after `ms` milliseconds (a `setTimeout` behind a promise).
pub async fn sleep(ms: u32) {
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

/// `work`'s output, or `None` when `ms` milliseconds pass first (`work` is then dropped).
pub async fn within<T>(ms: u32, work: impl Future<Output = T>) -> Option<T> {
    let mut work = pin!(work);
    let mut timer = pin!(sleep(ms));
    poll_fn(|cx| {
        if let Poll::Ready(out) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// Resolves at the browser's next animation frame (after the DOM changes made so far are drawn).
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves once the DOM changes made so far are on screen: the next animation frame, then a
/// task after it (the browser paints between the two).
pub async fn after_paint() {
    next_frame().await;
    sleep(0).await;
}
