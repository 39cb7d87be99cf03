//! Shared state handed to every handler.

use portal_core::Portal;

use crate::client_addr::TrustedProxies;
use crate::tokens::TokenKeys;

#[derive(Clone)]
pub struct AppState {
    pub portal: Portal,
    pub tokens: TokenKeys,
    /// Adds `Secure` to the refresh cookie; on in production mode.
    pub secure_cookies: bool,
    /// Proxies whose forwarding headers name the client address.
    pub trusted_proxies: TrustedProxies,
}
