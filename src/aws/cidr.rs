//! CIDR blocks as EC2 takes them: an IPv4 or IPv6 *network* address with a prefix length. A block
//! with host bits set (`10.0.0.1/8`) is rejected at plan time with the network address it probably
//! meant, instead of failing (or being silently rewritten) at apply.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use crate::framework::schema::Validator;

/// Checks an IPv4 CIDR network address such as `10.0.0.0/16`.
pub fn check_ipv4(s: &str) -> Result<(), String> {
    let (addr, len) = split(s, 32, "an IPv4 CIDR block such as \"10.0.0.0/16\"")?;
    let ip: Ipv4Addr = addr.parse().map_err(|_| {
        format!("{s:?} is not an IPv4 CIDR block: {addr:?} is not an IPv4 address (expected e.g. \"10.0.0.0/16\")")
    })?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let network = Ipv4Addr::from(u32::from(ip) & mask);
    if network != ip {
        return Err(format!(
            "{s:?} is not a CIDR network address (host bits are set); did you mean \"{network}/{len}\"?"
        ));
    }
    Ok(())
}

/// Checks an IPv6 CIDR network address such as `2001:db8::/32`.
pub fn check_ipv6(s: &str) -> Result<(), String> {
    let (addr, len) = split(s, 128, "an IPv6 CIDR block such as \"2001:db8::/32\"")?;
    let ip: Ipv6Addr = addr.parse().map_err(|_| {
        format!("{s:?} is not an IPv6 CIDR block: {addr:?} is not an IPv6 address (expected e.g. \"2001:db8::/32\")")
    })?;
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    let network = Ipv6Addr::from(u128::from(ip) & mask);
    if network != ip {
        return Err(format!(
            "{s:?} is not a CIDR network address (host bits are set); did you mean \"{network}/{len}\"?"
        ));
    }
    Ok(())
}

/// The canonical spelling of an IPv6 CIDR (lowercase, compressed), as EC2 reports it.
pub fn canonical_ipv6(s: &str) -> String {
    match s.split_once('/') {
        Some((a, l)) => match a.parse::<Ipv6Addr>() {
            Ok(ip) => format!("{ip}/{l}"),
            Err(_) => s.to_ascii_lowercase(),
        },
        None => s.to_ascii_lowercase(),
    }
}

fn split<'a>(s: &'a str, max: u32, expected: &str) -> Result<(&'a str, u32), String> {
    let Some((addr, len)) = s.split_once('/') else {
        return Err(format!(
            "{s:?} is not a CIDR block: the prefix length is missing (expected {expected})"
        ));
    };
    match len.parse::<u32>() {
        Ok(n) if n <= max && !len.starts_with('+') => Ok((addr, n)),
        _ => Err(format!(
            "{s:?} is not a CIDR block: the prefix length must be a number from 0 to {max}"
        )),
    }
}

/// Schema validator for [`check_ipv4`].
pub fn ipv4_validator() -> Validator {
    Arc::new(|v, path, diags| {
        if let Some(Err(msg)) = v.as_str().map(check_ipv4) {
            diags.invalid(path.clone(), msg);
        }
    })
}

/// Schema validator for [`check_ipv6`].
pub fn ipv6_validator() -> Validator {
    Arc::new(|v, path, diags| {
        if let Some(Err(msg)) = v.as_str().map(check_ipv6) {
            diags.invalid(path.clone(), msg);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_network_addresses_only() {
        for ok in [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "172.31.16.0/20",
            "192.168.1.7/32",
        ] {
            assert_eq!(check_ipv4(ok), Ok(()), "{ok}");
        }
        let e = check_ipv4("10.0.0.1/8").unwrap_err();
        assert!(e.contains("did you mean \"10.0.0.0/8\""), "{e}");
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "10.0.0.0/x",
            "::/0",
            "10.0.0.0/+8",
            "",
        ] {
            assert!(check_ipv4(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ipv6_network_addresses_only() {
        for ok in ["::/0", "2001:db8::/32", "2001:DB8::/32", "fe80::1/128"] {
            assert_eq!(check_ipv6(ok), Ok(()), "{ok}");
        }
        let e = check_ipv6("2001:db8::1/32").unwrap_err();
        assert!(e.contains("\"2001:db8::/32\""), "{e}");
        for bad in ["2001:db8::", "2001:db8::/129", "10.0.0.0/8", "zz::/8"] {
            assert!(check_ipv6(bad).is_err(), "{bad}");
        }
        assert_eq!(canonical_ipv6("2001:DB8:0::/32"), "2001:db8::/32");
    }
}
