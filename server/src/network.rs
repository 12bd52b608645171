//! Who is asking, and from which network.
//!
//! The client's address is the connection's, unless the connection comes from a
//! configured trusted proxy: then it is the right-most address in `X-Forwarded-For` that
//! is not itself a trusted proxy. Nobody else's `X-Forwarded-For` is believed, so a
//! client cannot claim to be on campus. Statistics group clients by the configured
//! campus network's name, else by the address's /24 (IPv4) or /48 (IPv6).

use std::net::IpAddr;

use ipnet::IpNet;

use crate::config::Config;

/// Where a client is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// The campus network's name, or the address's /24 or /48.
    pub label: String,
    /// Whether the address is on campus (always, when no campus networks are set).
    pub on_campus: bool,
}

/// Decides the client's address from the peer and the `X-Forwarded-For` values.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    if !trusted.iter().any(|net| net.contains(&peer)) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.iter().any(|net| net.contains(&ip)) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

/// The network of `ip` under `config`.
pub fn network_of(ip: IpAddr, config: &Config) -> Network {
    let ip = unmapped(ip);
    if let Some(campus) = config.campus_networks.iter().find(|n| n.cidr.contains(&ip)) {
        return Network {
            label: campus.name.clone(),
            on_campus: true,
        };
    }
    Network {
        label: prefix_label(ip, 24, 48),
        on_campus: config.campus_networks.is_empty(),
    }
}

/// The prefix of `ip` (an IPv4-mapped IPv6 address counts as IPv4) of `v4` or `v6` bits,
/// as text: `192.0.2.0/24`.
pub fn prefix_label(ip: IpAddr, v4: u8, v6: u8) -> String {
    let ip = unmapped(ip);
    let bits = if ip.is_ipv4() { v4 } else { v6 };
    IpNet::new(ip, bits).map_or_else(|_| ip.to_string(), |net| net.trunc().to_string())
}

/// `ip`, with an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as the IPv4 one.
fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CampusNetwork;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let cases = [
            ("203.0.113.9", &["1.2.3.4"][..], "203.0.113.9"),
            ("10.0.0.2", &["1.2.3.4"][..], "1.2.3.4"),
            ("10.0.0.2", &["6.6.6.6, 1.2.3.4, 10.0.0.7"][..], "1.2.3.4"),
            ("10.0.0.2", &["garbage"][..], "10.0.0.2"),
            ("10.0.0.2", &[][..], "10.0.0.2"),
        ];
        for (peer, header, expected) in cases {
            assert_eq!(
                client_address(ip(peer), header, &trusted),
                ip(expected),
                "{peer} {header:?}"
            );
        }
    }

    #[test]
    fn networks_are_named_or_grouped_by_prefix() {
        let mut config = Config::default();
        assert_eq!(
            network_of(ip("203.0.113.9"), &config),
            Network {
                label: "203.0.113.0/24".into(),
                on_campus: true
            }
        );
        config.campus_networks = vec![CampusNetwork {
            name: "Library".into(),
            cidr: "203.64.10.0/24".parse().unwrap(),
        }];
        assert_eq!(
            network_of(ip("203.64.10.77"), &config),
            Network {
                label: "Library".into(),
                on_campus: true
            }
        );
        assert_eq!(
            network_of(ip("::ffff:203.64.10.77"), &config).label,
            "Library"
        );
        assert_eq!(
            network_of(ip("198.51.100.1"), &config),
            Network {
                label: "198.51.100.0/24".into(),
                on_campus: false
            }
        );
        assert_eq!(
            network_of(ip("2001:db8:1:2::5"), &config).label,
            "2001:db8:1::/48"
        );
    }
}
