//! The first-run wizard (`/welcome…`): organization, provider, connect.

mod more;
mod welcome;

pub use welcome::Welcome;
