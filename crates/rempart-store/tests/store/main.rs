//! The store's tests, in one binary (one link instead of eight).

mod common;

mod case_reads;
mod case_words;
mod cases;
mod concurrency;
mod console_sessions;
mod escalation_board;
mod escalations;
mod export;
mod limits;
mod migrations;
mod protection;
mod retention;
mod rota;
