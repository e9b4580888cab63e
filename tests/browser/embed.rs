//! Embed mode (src/embed.rs) as the standalone app sees it: the wizard's hook is a no-op and
//! nothing is posted. Embedded behaviour needs a real parent on another origin: see
//! tests/e2e/embed.spec.mjs.

use super::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;

#[wasm_bindgen_test]
async fn embed_hook_is_a_no_op_outside_embed_mode() {
    let window = web_sys::window().unwrap();
    let received = Rc::new(Cell::new(0u32));
    let seen = received.clone();
    let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| seen.set(seen.get() + 1));
    window
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .unwrap();

    assert!(!onramp::state::embed::is_embedded());
    assert!(!onramp::state::embed::account_connected(Some(
        CloudProvider::Aws
    )));
    assert!(!onramp::state::embed::account_connected(None));
    // A message posted to this window would arrive after a macrotask.
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();
    assert_eq!(received.get(), 0, "nothing is posted outside embed mode");

    window
        .remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .unwrap();
}
