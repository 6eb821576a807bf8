//! The address a request comes from, for the per-address rate limits. Behind a reverse proxy
//! every request arrives from the proxy, so the proxy's `X-Forwarded-For` is believed, but
//! only when the peer is one of the configured trusted proxies: anyone else could write any
//! address there and escape the limits.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::AppState;

/// Addresses and CIDR ranges of the reverse proxies whose `X-Forwarded-For` is believed
/// (setting `trusted_proxies`, `HAVEN_TRUSTED_PROXIES`); none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("trusted proxy {0:?} is not an IP address or a CIDR range such as 10.0.0.0/8")]
pub struct BadProxy(pub String);

impl TrustedProxies {
    /// Parse addresses (`127.0.0.1`, `::1`) and ranges (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, BadProxy> {
        let mut nets = Vec::new();
        for entry in entries.iter().map(|e| e.as_ref().trim()).filter(|e| !e.is_empty()) {
            let bad = || BadProxy(entry.to_owned());
            let (addr, bits) = match entry.split_once('/') {
                Some((a, b)) => (a, Some(b.parse::<u8>().map_err(|_| bad())?)),
                None => (entry, None),
            };
            let ip = addr.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = bits.unwrap_or(max);
            if bits > max {
                return Err(bad());
            }
            nets.push((ip, bits));
        }
        Ok(TrustedProxies(nets))
    }

    /// A list separated by commas or white space, as in `HAVEN_TRUSTED_PROXIES`.
    pub fn parse_list(text: &str) -> Result<TrustedProxies, BadProxy> {
        let entries: Vec<&str> = text.split(|c: char| c == ',' || c.is_whitespace()).collect();
        TrustedProxies::parse(&entries)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(u32::from(*n).into(), u32::from(a).into(), *bits, 32),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(u128::from(*n), u128::from(a), *bits, 128),
            _ => false,
        })
    }
}

impl std::fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list: Vec<String> = self.0.iter().map(|(ip, bits)| format!("{ip}/{bits}")).collect();
        f.write_str(&list.join(", "))
    }
}

/// Whether the first `bits` of two `width`-bit numbers agree.
fn prefix_eq(a: u128, b: u128, bits: u8, width: u8) -> bool {
    let shift = u32::from(width - bits);
    bits == 0 || (a >> shift) == (b >> shift)
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the rightmost
/// address of `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the
/// address it saw, so addresses left of it may have been written by the client). When every
/// address is trusted, the leftmost; when an address cannot be read, the last trusted hop.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else { return client };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

/// One address of `X-Forwarded-For`, with or without a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip())).ok().map(|ip| ip.to_canonical())
}

/// The client's address as [`client_ip`] sees it: what every per-address limit counts by.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Served without connection info (never the case from `serve`), everyone shares one
        // bucket: stricter, never looser.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(client_ip(peer, &parts.headers, &state.config.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_by_prefix() {
        let t = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8", "fd00::/8"]).unwrap();
        assert!(t.contains(ip("127.0.0.1")) && !t.contains(ip("127.0.0.2")));
        assert!(t.contains(ip("10.200.3.4")) && !t.contains(ip("11.0.0.1")));
        assert!(t.contains(ip("fd12::1")) && !t.contains(ip("fe80::1")));
        // A peer on an IPv6 socket carries IPv4 addresses mapped.
        assert!(t.contains(ip("::ffff:10.1.2.3")));
        assert!(TrustedProxies::parse(&["0.0.0.0/0"]).unwrap().contains(ip("203.0.113.9")));
        assert_eq!(TrustedProxies::parse_list(" 127.0.0.1, ::1 10.0.0.0/8 ").unwrap().0.len(), 3);
        for bad in ["localhost", "10.0.0.0/33", "::/129", "10.0.0.0/x", "1.2.3"] {
            assert_eq!(TrustedProxies::parse(&[bad]), Err(BadProxy(bad.to_owned())));
        }
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_peers() {
        let t = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let local = ip("127.0.0.1");
        assert_eq!(client_ip(local, &headers(&["198.51.100.7"]), &t), ip("198.51.100.7"));
        // Rightmost untrusted: what the client wrote on the left is not believed.
        assert_eq!(client_ip(local, &headers(&["1.1.1.1, 198.51.100.7, 10.0.0.5"]), &t), ip("198.51.100.7"));
        assert_eq!(client_ip(local, &headers(&["1.1.1.1", "198.51.100.7:5123"]), &t), ip("198.51.100.7"));
        // All trusted: the leftmost; unreadable: the last trusted hop.
        assert_eq!(client_ip(local, &headers(&["10.0.0.9, 10.0.0.5"]), &t), ip("10.0.0.9"));
        assert_eq!(client_ip(local, &headers(&["nonsense, 10.0.0.5"]), &t), ip("10.0.0.5"));
        assert_eq!(client_ip(local, &headers(&[]), &t), local);
        // An untrusted peer is the client, whatever it writes.
        assert_eq!(client_ip(ip("203.0.113.9"), &headers(&["198.51.100.7"]), &t), ip("203.0.113.9"));
        assert_eq!(client_ip(local, &headers(&["198.51.100.7"]), &TrustedProxies::default()), local);
    }
}
