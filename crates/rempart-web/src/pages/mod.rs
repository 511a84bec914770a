//! The console's pages, one module a page (or a family of forms on one page).

pub mod account;
pub mod admin;
pub mod case;
pub mod case_actions;
pub mod case_items;
pub mod case_view;
pub mod case_work;
pub mod check_in;
pub mod login;
pub mod new_case;
pub mod password;
pub mod quarantine;
pub mod queues;
pub mod search;
pub mod statistics;
pub mod team;
pub mod templates;
pub mod unlock;
pub mod words;
