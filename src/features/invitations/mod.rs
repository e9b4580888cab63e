//! Inviting people (the dashboard's card) and joining by invitation (`/invite/<token>`).

pub mod card;
mod join;

pub use card::InviteCard;
pub use join::JoinByInvitation;
