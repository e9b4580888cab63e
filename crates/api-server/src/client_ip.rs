//! Who the client is, for the login throttle and the rate limiter: the socket peer's address,
//! or — only when that peer is one of `--trusted-proxies` — the address its `X-Forwarded-For`
//! names. Anyone can send the header, so believing it from anyone else would let a client pick
//! the address it is counted under.

use axum::{
    extract::{ConnectInfo, Request, State},
    http::HeaderMap,
    middleware::Next,
    response::Response,
};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// The client's address as resolved by [`resolve`] (`None`: no socket, e.g. a test request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// Route layer on `/api`, outside the throttle and the rate limiter that read [`ClientIp`].
pub async fn resolve(
    State(trusted): State<Arc<Vec<IpAddr>>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_ip(peer, req.headers(), &trusted);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// The peer, unless it is a trusted proxy: then the nearest address of `X-Forwarded-For` that
/// is not a trusted proxy itself (each proxy appends the address it received from, so entries
/// further left were written by the client and prove nothing). Every entry trusted: the
/// leftmost. An unreadable entry where the client should be: the peer.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer.map(|p| p.to_canonical());
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t.to_canonical() == *ip);
    let Some(p) = peer.filter(is_trusted) else {
        return peer;
    };
    let mut hops = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(v) = value.to_str() else {
            return Some(p);
        };
        hops.extend(v.split(',').map(str::trim).filter(|h| !h.is_empty()));
    }
    let mut client = p;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return Some(p);
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// `1.2.3.4`, `2001:db8::1`, or either with a port (`1.2.3.4:80`, `[2001:db8::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        let proxy = [ip("10.0.0.9")];
        let h = xff(&["203.0.113.7"]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.9")), &h, &proxy),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.8")), &h, &proxy),
            Some(ip("10.0.0.8"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.9")), &h, &[]),
            Some(ip("10.0.0.9"))
        );
        assert_eq!(client_ip(None, &h, &proxy), None);
        // No header: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("10.0.0.9")), &HeaderMap::new(), &proxy),
            Some(ip("10.0.0.9"))
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let proxies = [ip("10.0.0.9"), ip("10.0.0.10")];
        let peer = Some(ip("10.0.0.9"));
        // The client wrote "6.6.6.6" itself; the proxies appended what they saw.
        let h = xff(&["6.6.6.6, 203.0.113.7", "10.0.0.10"]);
        assert_eq!(client_ip(peer, &h, &proxies), Some(ip("203.0.113.7")));
        assert_eq!(
            client_ip(peer, &xff(&["10.0.0.10"]), &proxies),
            Some(ip("10.0.0.10"))
        );
        assert_eq!(
            client_ip(peer, &xff(&["[2001:db8::1]:443"]), &proxies),
            Some(ip("2001:db8::1"))
        );
        assert_eq!(client_ip(peer, &xff(&["junk"]), &proxies), peer);
        // IPv4 peers on a dual-stack socket arrive as ::ffff:a.b.c.d.
        assert_eq!(
            client_ip(Some(ip("::ffff:10.0.0.9")), &xff(&["1.2.3.4"]), &proxies),
            Some(ip("1.2.3.4"))
        );
    }
}
