//! Thin, failure-tolerant access to Web Storage: a browser with storage disabled still works,
//! it just forgets on reload.

use std::cell::RefCell;
use web_sys::Storage;

thread_local! {
    /// Stands in for sessionStorage where the browser refuses it (an iframe on another site with
    /// third-party storage blocked, as in an embedding partner portal): the app keeps working
    /// across its routes and forgets on reload. A handful of keys: a list does (a map's code
    /// would be ~3 KB compressed in the main module).
    static MEMORY: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

fn session_storage() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn local_storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn session_get(key: &str) -> Option<String> {
    match session_storage() {
        Some(s) => s.get_item(key).ok().flatten(),
        None => MEMORY.with(|m| {
            let m = m.borrow();
            m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        }),
    }
}

pub fn session_set(key: &str, value: &str) {
    match session_storage() {
        Some(s) => {
            let _ = s.set_item(key, value);
        }
        None => MEMORY.with(|m| {
            let mut m = m.borrow_mut();
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value.to_owned(),
                None => m.push((key.to_owned(), value.to_owned())),
            }
        }),
    }
}

pub fn session_remove(key: &str) {
    match session_storage() {
        Some(s) => {
            let _ = s.remove_item(key);
        }
        None => MEMORY.with(|m| m.borrow_mut().retain(|(k, _)| k != key)),
    }
}

/// Removes every sessionStorage key that starts with `prefix`.
pub fn session_remove_prefixed(prefix: &str) {
    let Some(s) = session_storage() else {
        MEMORY.with(|m| m.borrow_mut().retain(|(k, _)| !k.starts_with(prefix)));
        return;
    };
    let len = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..len)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(prefix))
        .collect();
    for k in keys {
        let _ = s.remove_item(&k);
    }
}

pub fn local_get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

pub fn local_set(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(key, value);
    }
}
