//! The console's pages, one module a page (or a family of forms on one page).

pub mod case;
pub mod login;
pub mod password;
pub mod queues;
pub mod words;
