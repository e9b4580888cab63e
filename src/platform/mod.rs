//! What the browser gives the app: the address bar, Web Storage, the clock and timers, lazily loaded chunks. No view code, no app
//! state; everything above reaches the browser's storage and time only through here.

pub mod clock;
pub mod history;
pub mod lazy;
pub mod storage;
pub mod tasks;
