//! Domain types, validation rules, services and storage traits of the patient portal.
//!
//! Nothing here depends on HTTP or a particular database: the server maps requests to the
//! services, and each store crate implements the traits in [`store`].

pub mod domain;
pub mod error;
pub mod model;
pub mod store;

pub use error::{FieldError, ServiceError, ServiceResult, StoreError};
pub mod audit;
pub mod audit_chain;
pub mod input;
pub mod keyring;
pub mod password;
pub mod reminders;
pub mod services;
pub mod throttle;
pub mod tips;
mod tips_data;

pub use services::{Caller, Portal, PortalSettings, RequestContext};
