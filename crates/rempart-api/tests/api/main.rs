//! The API's tests, in one binary: each file used to link a binary of its own, which cost
//! more than running its tests.

mod support;

mod auth;
mod authorization;
mod contract;
mod permissions;
mod rota;
mod stats;
mod supervision;
mod workflow;
