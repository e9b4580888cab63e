//! The organization's accounts: the dashboard with its table and row actions, and adding an
//! account (`/accounts/new…`, `/accounts/<id>/setup`).

mod add_account;
mod dashboard;
mod org;

pub use add_account::AddAccount;
pub use dashboard::Dashboard;
