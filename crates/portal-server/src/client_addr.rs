//! The client address of a request: the TCP peer, or the address that trusted reverse proxies
//! forwarded.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;
use axum::http::header::FORWARDED;
use ipnet::IpNet;

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The reverse proxies whose forwarding headers are believed (`PORTAL_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(networks: &[IpNet]) -> Self {
        Self(networks.into())
    }

    fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// Returns the client address of a request from `peer`.
    ///
    /// Forwarding headers are read only when `peer` is a trusted proxy. Then the addresses in
    /// `X-Forwarded-For` (or, when that header is absent, the `for=` parameters of
    /// `Forwarded`) are walked from the right, skipping trusted proxies, and the first
    /// untrusted address is the client. When every address is trusted, the leftmost one is.
    /// A missing header, or an entry in the walk that is not an IP address, gives `peer`.
    /// `X-Real-IP` is never read, because proxies set it without a chain to check.
    pub fn client_addr(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let chain = if headers.contains_key(X_FORWARDED_FOR) {
            x_forwarded_for(headers)
        } else if headers.contains_key(FORWARDED) {
            forwarded_for(headers)
        } else {
            return peer;
        };
        let Some(chain) = chain else {
            return peer;
        };
        let mut leftmost = peer;
        for entry in chain.iter().rev() {
            let Some(address) = parse_node(entry) else {
                return peer;
            };
            if !self.contains(address) {
                return address;
            }
            leftmost = address;
        }
        leftmost
    }
}

/// Returns the `X-Forwarded-For` entries of every header line, in order, or `None` when a
/// line is not visible ASCII.
fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<String>> {
    let mut entries = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        let value = value.to_str().ok()?;
        entries.extend(value.split(',').map(|entry| entry.trim().to_owned()));
    }
    Some(entries)
}

/// Returns the `for=` values of the `Forwarded` elements (RFC 7239) of every header line, in
/// order, or `None` when a line is not visible ASCII or an element has no `for=`.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<String>> {
    let mut entries = Vec::new();
    for value in headers.get_all(FORWARDED) {
        let value = value.to_str().ok()?;
        for element in value.split(',') {
            let node = element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"').to_owned())
            })?;
            entries.push(node);
        }
    }
    Some(entries)
}

/// Parses a forwarded node: an IP address, optionally with a port, and IPv6 optionally in
/// brackets (`192.0.2.7`, `192.0.2.7:443`, `2001:db8::1`, `[2001:db8::1]:443`). Obfuscated
/// identifiers and `unknown` are not addresses.
fn parse_node(node: &str) -> Option<IpAddr> {
    let address = node
        .parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            let inner = node.strip_prefix('[')?.strip_suffix(']')?;
            inner.parse::<IpAddr>().ok()
        })?;
    Some(address.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const PEER: &str = "10.0.0.2";

    fn proxies(list: &[&str]) -> TrustedProxies {
        let networks: Vec<IpNet> = list.iter().map(|entry| entry.parse().unwrap()).collect();
        TrustedProxies::new(&networks)
    }

    fn resolve(trusted: &TrustedProxies, peer: &str, headers: &[(&'static str, &str)]) -> String {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        trusted.client_addr(peer.parse().unwrap(), &map).to_string()
    }

    #[test]
    fn untrusted_peer_ignores_headers() {
        let trusted = proxies(&[]);
        let headers = [
            ("x-forwarded-for", "198.51.100.1"),
            ("x-real-ip", "198.51.100.2"),
            ("forwarded", "for=198.51.100.3"),
        ];
        assert_eq!(resolve(&trusted, PEER, &headers), PEER);
    }

    #[test]
    fn trusted_peer_without_header_is_client() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(resolve(&trusted, PEER, &[]), PEER);
    }

    #[test]
    fn x_forwarded_for_walks_from_right() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [("x-forwarded-for", "203.0.113.9, 198.51.100.1, 10.0.0.7")];
        assert_eq!(resolve(&trusted, PEER, &headers), "198.51.100.1");
    }

    #[test]
    fn x_forwarded_for_lines_are_joined() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-for", "198.51.100.1, 10.0.0.7"),
        ];
        assert_eq!(resolve(&trusted, PEER, &headers), "198.51.100.1");
    }

    #[test]
    fn all_trusted_gives_leftmost() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [("x-forwarded-for", "10.1.1.1, 10.0.0.7")];
        assert_eq!(resolve(&trusted, PEER, &headers), "10.1.1.1");
    }

    #[test]
    fn single_address_entry_is_trusted_proxy() {
        let trusted = proxies(&["10.0.0.2/32"]);
        let headers = [("x-forwarded-for", "198.51.100.1")];
        assert_eq!(resolve(&trusted, PEER, &headers), "198.51.100.1");
        assert_eq!(resolve(&trusted, "10.0.0.3", &headers), "10.0.0.3");
    }

    #[test]
    fn ports_and_brackets_are_accepted() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let cases = [
            ("198.51.100.1:4711", "198.51.100.1"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("::ffff:198.51.100.1", "198.51.100.1"),
        ];
        for (entry, expected) in cases {
            let headers = [("x-forwarded-for", entry)];
            assert_eq!(resolve(&trusted, PEER, &headers), expected, "{entry}");
        }
    }

    #[test]
    fn malformed_entry_gives_peer() {
        let trusted = proxies(&["10.0.0.0/8"]);
        for value in ["not-an-ip", "198.51.100.1, bogus", "", "198.51.100.1,,"] {
            let headers = [("x-forwarded-for", value)];
            assert_eq!(resolve(&trusted, PEER, &headers), PEER, "{value:?}");
        }
    }

    #[test]
    fn malformed_entry_beyond_client_is_not_read() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [("x-forwarded-for", "bogus, 198.51.100.1")];
        assert_eq!(resolve(&trusted, PEER, &headers), "198.51.100.1");
    }

    #[test]
    fn forwarded_header_is_used_without_x_forwarded_for() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [(
            "forwarded",
            r#"for=203.0.113.9;proto=https, For="[2001:db8::7]:4711";by=10.0.0.1, for=10.0.0.7"#,
        )];
        assert_eq!(resolve(&trusted, PEER, &headers), "2001:db8::7");
    }

    #[test]
    fn forwarded_without_for_or_unknown_gives_peer() {
        let trusted = proxies(&["10.0.0.0/8"]);
        for value in [
            "proto=https",
            "for=unknown",
            "for=_hidden",
            "for=198.51.100.1, by=x",
        ] {
            let headers = [("forwarded", value)];
            assert_eq!(resolve(&trusted, PEER, &headers), PEER, "{value}");
        }
    }

    #[test]
    fn x_forwarded_for_wins_over_forwarded() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [
            ("forwarded", "for=203.0.113.9"),
            ("x-forwarded-for", "198.51.100.1"),
        ];
        assert_eq!(resolve(&trusted, PEER, &headers), "198.51.100.1");
    }

    #[test]
    fn x_real_ip_is_ignored() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [("x-real-ip", "198.51.100.1")];
        assert_eq!(resolve(&trusted, PEER, &headers), PEER);
    }

    #[test]
    fn mapped_ipv4_peer_matches_ipv4_range() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = [("x-forwarded-for", "198.51.100.1")];
        assert_eq!(
            resolve(&trusted, "::ffff:10.0.0.2", &headers),
            "198.51.100.1"
        );
    }
}
