//! Embed mode's screens: the layer over the console inside a partner portal, and its entry
//! and add-account routes. The mode itself (is the page embedded, tell the parent) is
//! `state::embed`, which the wizards use too.

// The sign-in bundle links none of it (see `EmbedLayer`).
#[cfg_attr(feature = "auth-bundle", allow(dead_code, unused_imports))]
mod layer;

#[cfg(not(feature = "auth-bundle"))]
pub use layer::EmbedLayer;
pub use layer::{EmbedAddAccount, EmbedEntry, EmbedFlow};
