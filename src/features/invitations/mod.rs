//! Inviting people (the dashboard's card) and joining by invitation (`/invite/<token>`).

#[cfg(not(feature = "auth-bundle"))]
pub mod card;
mod join;

#[cfg(not(feature = "auth-bundle"))]
pub use card::InviteCard;
pub use join::JoinByInvitation;
