//! The first-run wizard (`/welcome…`): organization, provider, connect.

mod welcome;

pub use welcome::Welcome;
