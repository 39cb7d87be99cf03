//! HTTP server and command-line tool of the patient portal.

pub mod config;
pub mod database;
pub mod error;
pub mod extract;
pub mod logging;
pub mod migrate;
pub mod openapi;
pub mod request_id;
pub mod routes;
pub mod secret;
pub mod seed;
pub mod server;
pub mod state;
pub mod tokens;
