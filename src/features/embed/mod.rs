//! Embed mode's screens: the layer over the console inside a partner portal, and its entry
//! and add-account routes. The mode itself (is the page embedded, tell the parent) is
//! `state::embed`, which the wizards use too.

mod layer;

pub use layer::{EmbedAddAccount, EmbedEntry, EmbedFlow, EmbedLayer};
