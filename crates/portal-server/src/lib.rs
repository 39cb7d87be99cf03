//! HTTP server and command-line tool of the patient portal.

pub mod audit_check;
pub mod backup;
pub mod browser;
pub mod client_addr;
pub mod config;
pub mod data_key;
pub mod database;
pub mod error;
pub mod extract;
pub mod keys;
pub mod logging;
pub mod migrate;
pub mod openapi;
pub mod request_id;
pub mod routes;
pub mod secret;
pub mod seed;
pub mod server;
pub mod state;
pub mod tls;
pub mod tokens;
pub mod web;
