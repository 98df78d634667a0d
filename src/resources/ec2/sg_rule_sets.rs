//! The inline `ingress` / `egress` rule sets of `awsecs_security_group`.
//!
//! As in hashicorp/aws they are optional+computed *attributes* of type set(object) (SDKv2's
//! `ConfigModeAttr`), which Terraform lets users write as repeated blocks. EC2 does not keep rules
//! the way they were written: it merges and splits them by protocol, ports and source. So every
//! comparison here goes through [`Atom`]s — one protocol/port range, one source, one description —
//! and two rule sets mean the same when they expand to the same atoms. The state keeps the
//! configuration's spelling whenever that holds (no spurious diffs after apply, refresh or import),
//! and updates revoke and authorize exactly the atoms that differ.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};

use super::common::{canonical_protocol, check_protocol, protocol_has_ports};
use crate::aws::cidr;
use crate::framework::{AttrPath, Attribute, Diagnostics, Type, Value};

/// Where traffic of a rule comes from (ingress) or goes to (egress).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Ipv4(String),
    Ipv6(String),
    PrefixList(String),
    /// A security group ID, or `ACCOUNT/sg-…` for another account's group.
    Group(String),
    /// The group the rule belongs to.
    Own,
}

/// One permission: protocol (canonical), port range (0/0 when the protocol has none), source and
/// description (`""` when none).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Atom {
    pub protocol: String,
    pub from: i64,
    pub to: i64,
    pub source: Source,
    pub description: String,
}

/// The object type of one rule.
pub fn rule_type() -> Type {
    let s = Type::String;
    Type::Object(BTreeMap::from([
        ("cidr_blocks".to_string(), Type::list(s.clone())),
        ("description".to_string(), s.clone()),
        ("from_port".to_string(), Type::Number),
        ("ipv6_cidr_blocks".to_string(), Type::list(s.clone())),
        ("prefix_list_ids".to_string(), Type::list(s.clone())),
        ("protocol".to_string(), s.clone()),
        ("security_groups".to_string(), Type::set(s.clone())),
        ("self".to_string(), Type::Bool),
        ("to_port".to_string(), Type::Number),
    ]))
}

/// The `ingress` or `egress` attribute.
pub fn attribute(name: &str) -> Attribute {
    Attribute::new(name, Type::set(rule_type()))
        .optional_computed()
        .equivalent_when(rules_equivalent)
        .desc("Inline rules (write them as repeated blocks). Leave unset when the group's rules are managed by awsecs_vpc_security_group_*_rule resources.")
}

/// Two rule sets allow the same traffic with the same descriptions.
pub fn rules_equivalent(a: &Value, b: &Value) -> bool {
    match (atoms(a), atoms(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn ports(protocol: &str, from: i64, to: i64) -> (i64, i64) {
    if protocol_has_ports(protocol) {
        (from, to)
    } else {
        (0, 0)
    }
}

/// The atoms of a rule set, or None while any part is unknown.
pub fn atoms(rules: &Value) -> Option<BTreeSet<Atom>> {
    if !rules.is_wholly_known() {
        return None;
    }
    let mut out = BTreeSet::new();
    for r in rules.elements() {
        let protocol = canonical_protocol(r.str("protocol").unwrap_or("-1"));
        let (from, to) = ports(
            &protocol,
            r.i64("from_port").unwrap_or(0),
            r.i64("to_port").unwrap_or(0),
        );
        let description = r.str("description").unwrap_or("").to_string();
        let mut sources: Vec<Source> = Vec::new();
        sources.extend(r.strings("cidr_blocks").into_iter().map(Source::Ipv4));
        sources.extend(
            r.strings("ipv6_cidr_blocks")
                .iter()
                .map(|c| Source::Ipv6(cidr::canonical_ipv6(c))),
        );
        sources.extend(
            r.strings("prefix_list_ids")
                .into_iter()
                .map(Source::PrefixList),
        );
        sources.extend(r.strings("security_groups").into_iter().map(Source::Group));
        if r.bool("self") == Some(true) {
            sources.push(Source::Own);
        }
        for source in sources {
            out.insert(Atom {
                protocol: protocol.clone(),
                from,
                to,
                source,
                description: description.clone(),
            });
        }
    }
    Some(out)
}

/// The atoms of EC2's permissions. `own` is the group's ID; `owner` its account (a pair naming
/// another account keeps the `ACCOUNT/sg-…` form).
pub fn atoms_of_permissions(perms: &[IpPermission], own: &str, owner: &str) -> BTreeSet<Atom> {
    let mut out = BTreeSet::new();
    for p in perms {
        let protocol = canonical_protocol(p.ip_protocol().unwrap_or("-1"));
        let (from, to) = ports(
            &protocol,
            p.from_port().map(i64::from).unwrap_or(0),
            p.to_port().map(i64::from).unwrap_or(0),
        );
        let mut add = |source: Source, d: Option<&str>| {
            out.insert(Atom {
                protocol: protocol.clone(),
                from,
                to,
                source,
                description: d.unwrap_or("").to_string(),
            });
        };
        for r in p.ip_ranges() {
            if let Some(c) = r.cidr_ip() {
                add(Source::Ipv4(c.to_string()), r.description());
            }
        }
        for r in p.ipv6_ranges() {
            if let Some(c) = r.cidr_ipv6() {
                add(Source::Ipv6(cidr::canonical_ipv6(c)), r.description());
            }
        }
        for r in p.prefix_list_ids() {
            if let Some(c) = r.prefix_list_id() {
                add(Source::PrefixList(c.to_string()), r.description());
            }
        }
        for g in p.user_id_group_pairs() {
            let Some(id) = g.group_id() else { continue };
            let source = match g.user_id() {
                _ if id == own => Source::Own,
                Some(u) if !u.is_empty() && u != owner => Source::Group(format!("{u}/{id}")),
                _ => Source::Group(id.to_string()),
            };
            add(source, g.description());
        }
    }
    out
}

/// Atoms as rules, one rule per protocol, port range and description (how hashicorp/aws reads
/// them). Empty parts are null, the way a configuration leaves them out.
pub fn rules_value(atoms: &BTreeSet<Atom>) -> Value {
    let mut groups: BTreeMap<(String, i64, i64, String), Vec<&Source>> = BTreeMap::new();
    for a in atoms {
        groups
            .entry((a.protocol.clone(), a.from, a.to, a.description.clone()))
            .or_default()
            .push(&a.source);
    }
    let list = |items: Vec<String>| {
        if items.is_empty() {
            Value::Null
        } else {
            Value::string_list(items)
        }
    };
    Value::Set(
        groups
            .into_iter()
            .map(|((protocol, from, to, description), sources)| {
                let pick = |f: fn(&Source) -> Option<String>| -> Vec<String> {
                    sources.iter().filter_map(|s| f(s)).collect()
                };
                let groups = pick(|s| match s {
                    Source::Group(g) => Some(g.clone()),
                    _ => None,
                });
                Value::object([
                    (
                        "cidr_blocks",
                        list(pick(|s| match s {
                            Source::Ipv4(c) => Some(c.clone()),
                            _ => None,
                        })),
                    ),
                    (
                        "description",
                        Value::opt_string((!description.is_empty()).then_some(description)),
                    ),
                    ("from_port", Value::int(from)),
                    (
                        "ipv6_cidr_blocks",
                        list(pick(|s| match s {
                            Source::Ipv6(c) => Some(c.clone()),
                            _ => None,
                        })),
                    ),
                    (
                        "prefix_list_ids",
                        list(pick(|s| match s {
                            Source::PrefixList(c) => Some(c.clone()),
                            _ => None,
                        })),
                    ),
                    ("protocol", Value::from(protocol)),
                    (
                        "security_groups",
                        if groups.is_empty() {
                            Value::Null
                        } else {
                            Value::string_set(groups)
                        },
                    ),
                    (
                        "self",
                        if sources.contains(&&Source::Own) {
                            Value::Bool(true)
                        } else {
                            Value::Null
                        },
                    ),
                    ("to_port", Value::int(to)),
                ])
            })
            .collect(),
    )
}

/// One EC2 permission per atom (EC2 merges them itself).
pub fn permissions(atoms: &BTreeSet<Atom>, own: &str) -> Vec<IpPermission> {
    atoms
        .iter()
        .map(|a| {
            let d = (!a.description.is_empty()).then(|| a.description.clone());
            let mut p = IpPermission::builder().ip_protocol(&a.protocol);
            if a.protocol != "-1" {
                p = p.from_port(a.from as i32).to_port(a.to as i32);
            }
            p = match &a.source {
                Source::Ipv4(c) => {
                    p.ip_ranges(IpRange::builder().cidr_ip(c).set_description(d).build())
                }
                Source::Ipv6(c) => {
                    p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(c).set_description(d).build())
                }
                Source::PrefixList(c) => p.prefix_list_ids(
                    PrefixListId::builder()
                        .prefix_list_id(c)
                        .set_description(d)
                        .build(),
                ),
                Source::Own => p.user_id_group_pairs(
                    UserIdGroupPair::builder()
                        .group_id(own)
                        .set_description(d)
                        .build(),
                ),
                Source::Group(g) => {
                    let pair = match g.split_once('/') {
                        Some((user, id)) => UserIdGroupPair::builder().user_id(user).group_id(id),
                        None => UserIdGroupPair::builder().group_id(g),
                    };
                    p.user_id_group_pairs(pair.set_description(d).build())
                }
            };
            p.build()
        })
        .collect()
}

/// Plan-time checks of a configured rule set, each at its element's path.
pub fn validate(rules: &Value, at: &AttrPath, diags: &mut Diagnostics) {
    for (i, r) in rules.elements().iter().enumerate() {
        let path = at.index(i);
        for c in r.get("cidr_blocks").elements() {
            if let Some(Err(e)) = c.as_str().map(cidr::check_ipv4) {
                diags.invalid(path.then("cidr_blocks"), e);
            }
        }
        for c in r.get("ipv6_cidr_blocks").elements() {
            if let Some(Err(e)) = c.as_str().map(cidr::check_ipv6) {
                diags.invalid(path.then("ipv6_cidr_blocks"), e);
            }
        }
        let Some(protocol) = r.str("protocol") else {
            if r.get("protocol").is_null() {
                diags.invalid(path.then("protocol"), "protocol is required: \"-1\" (all), \"tcp\", \"udp\", \"icmp\", \"icmpv6\" or a protocol number");
            }
            continue;
        };
        if let Err(e) = check_protocol(protocol) {
            diags.invalid(path.then("protocol"), e);
            continue;
        }
        for k in ["from_port", "to_port"] {
            if r.get(k).is_null() {
                diags.invalid(
                    path.then(k),
                    format!("{k} is required in an inline rule (use 0 with protocol \"-1\")"),
                );
            }
        }
        let (from, to) = (r.i64("from_port"), r.i64("to_port"));
        let c = canonical_protocol(protocol);
        match c.as_str() {
            "tcp" | "udp" => {
                for (k, v) in [("from_port", from), ("to_port", to)] {
                    if let Some(n) = v.filter(|n| !(0..=65535).contains(n)) {
                        diags.invalid(
                            path.then(k),
                            format!("{k} must be a port from 0 to 65535 for {c}, got {n}"),
                        );
                    }
                }
                if let (Some(f), Some(t)) = (from, to) {
                    if f > t {
                        diags.invalid(
                            path.then("from_port"),
                            format!("from_port ({f}) must not be greater than to_port ({t})"),
                        );
                    }
                }
            }
            "icmp" | "icmpv6" => {
                for (k, v) in [("from_port", from), ("to_port", to)] {
                    if let Some(n) = v.filter(|n| !(-1..=255).contains(n)) {
                        diags.invalid(
                            path.then(k),
                            format!(
                                "{k} is the ICMP type/code for {c}: -1 (all) or 0 to 255, got {n}"
                            ),
                        );
                    }
                }
            }
            _ => {
                // EC2 ignores ports here and reports none; hashicorp/aws insists on 0 so the
                // configuration says what the API will show.
                for (k, v) in [("from_port", from), ("to_port", to)] {
                    if let Some(n) = v.filter(|n| *n != 0) {
                        diags.invalid(path.then(k), format!("{k} must be 0 for protocol {protocol:?}: EC2 allows all ports for it and ignores port ranges, got {n}"));
                    }
                }
            }
        }
        let has_source = [
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "prefix_list_ids",
            "security_groups",
        ]
        .iter()
        .any(|k| !r.get(k).elements().is_empty() || r.get(k).is_unknown())
            || r.bool("self") == Some(true)
            || r.get("self").is_unknown();
        if !has_source {
            diags.invalid(path.clone(), "a rule needs a source or destination: set cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, security_groups or self = true");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pairs: Vec<(&str, Value)>) -> Value {
        let mut r = Value::object(
            [
                "cidr_blocks",
                "description",
                "from_port",
                "ipv6_cidr_blocks",
                "prefix_list_ids",
                "protocol",
                "security_groups",
                "self",
                "to_port",
            ]
            .map(|k| (k, Value::Null)),
        );
        for (k, v) in pairs {
            r.set(k, v);
        }
        r
    }

    #[test]
    fn differently_grouped_rules_are_equivalent() {
        let split = Value::Set(vec![
            rule(vec![
                ("protocol", "tcp".into()),
                ("from_port", 80.into()),
                ("to_port", 80.into()),
                ("cidr_blocks", Value::string_list(["10.0.0.0/8"])),
            ]),
            rule(vec![
                ("protocol", "6".into()),
                ("from_port", 80.into()),
                ("to_port", 80.into()),
                ("cidr_blocks", Value::string_list(["192.168.0.0/16"])),
                ("self", Value::Bool(false)),
            ]),
        ]);
        let merged = Value::Set(vec![rule(vec![
            ("protocol", "tcp".into()),
            ("from_port", 80.into()),
            ("to_port", 80.into()),
            (
                "cidr_blocks",
                Value::string_list(["192.168.0.0/16", "10.0.0.0/8"]),
            ),
            ("description", "".into()),
        ])]);
        assert!(rules_equivalent(&split, &merged));
        let other_port = Value::Set(vec![rule(vec![
            ("protocol", "tcp".into()),
            ("from_port", 81.into()),
            ("to_port", 81.into()),
            (
                "cidr_blocks",
                Value::string_list(["10.0.0.0/8", "192.168.0.0/16"]),
            ),
        ])]);
        assert!(!rules_equivalent(&split, &other_port));
        // Protocol "-1" has no ports: whatever EC2 reports, they compare equal.
        let all = |p: i64| {
            Value::Set(vec![rule(vec![
                ("protocol", "-1".into()),
                ("from_port", p.into()),
                ("to_port", p.into()),
                ("self", Value::Bool(true)),
            ])])
        };
        assert!(rules_equivalent(&all(0), &all(-1)));
        assert!(!rules_equivalent(&all(0), &Value::Set(vec![])));
    }

    #[test]
    fn permissions_round_trip_through_atoms() {
        let cfg = Value::Set(vec![
            rule(vec![
                ("protocol", "tcp".into()),
                ("from_port", 443.into()),
                ("to_port", 443.into()),
                ("cidr_blocks", Value::string_list(["10.0.0.0/8"])),
                ("ipv6_cidr_blocks", Value::string_list(["2001:DB8::/32"])),
                ("description", "https".into()),
            ]),
            rule(vec![
                ("protocol", "-1".into()),
                ("from_port", 0.into()),
                ("to_port", 0.into()),
                ("self", Value::Bool(true)),
                (
                    "security_groups",
                    Value::string_set(["sg-other", "222222222222/sg-far"]),
                ),
            ]),
        ]);
        let a = atoms(&cfg).unwrap();
        assert_eq!(a.len(), 5);
        let perms = permissions(&a, "sg-own");
        let back = atoms_of_permissions(&perms, "sg-own", "111111111111");
        assert_eq!(back, a);
        let read = rules_value(&back);
        assert!(rules_equivalent(&read, &cfg), "{read:?}");
        assert!(atoms(&Value::Set(vec![Value::Unknown])).is_none());
    }

    #[test]
    fn validation_names_the_rule_and_field() {
        let mut d = Diagnostics::new();
        let cfg = Value::Set(vec![
            rule(vec![
                ("protocol", "tcp".into()),
                ("from_port", 90.into()),
                ("to_port", 80.into()),
                ("cidr_blocks", Value::string_list(["10.0.0.1/8"])),
            ]),
            rule(vec![
                ("protocol", "-1".into()),
                ("from_port", 0.into()),
                ("to_port", 22.into()),
            ]),
        ]);
        validate(&cfg, &AttrPath::attr("ingress"), &mut d);
        let paths: Vec<String> =
            d.0.iter()
                .map(|x| x.path.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(
            paths,
            [
                "ingress[0].cidr_blocks",
                "ingress[0].from_port",
                "ingress[1].to_port",
                "ingress[1]"
            ],
            "{d}"
        );
        assert!(d.0[0].detail.contains("did you mean \"10.0.0.0/8\""), "{d}");
    }
}
