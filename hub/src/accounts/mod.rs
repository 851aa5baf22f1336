//! The people who sign in: accounts with a name, a login, an argon2id
//! password, a role, a unit and zones; the units of the university as a
//! tree; sign-in sessions with lock-out. Bearer tokens stay for machines
//! ([`crate::auth`]); both give a [`crate::auth::Principal`] whose actor
//! names the person.

pub mod cli;
mod lockout;
mod sessions;
mod store;

pub use lockout::{FIRST_LOCK_MS, FREE_FAILURES, Lockout, MAX_LOCK_MS};
pub use sessions::{Session, Sessions};
pub use store::{
    AccountError, Accounts, MIN_PASSWORD, NewPerson, Person, Unit, generate_password, valid_login,
};
