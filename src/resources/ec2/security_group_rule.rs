//! `awsecs_vpc_security_group_ingress_rule` and `awsecs_vpc_security_group_egress_rule`, twins of
//! hashicorp/aws's plugin-framework rule resources: one rule, one source, its own ID (`sgr-…`,
//! also the import ID) and tags.
//!
//! Plan-time checks go further than the twin (which leaves most to AWS): exactly one source, CIDR
//! syntax, and ports that make sense for the protocol — tcp/udp need a 0-65535 range with
//! from <= to; protocols without ports ("-1", numbers other than 6/17/1/58) must leave them unset,
//! since EC2 ignores them and would report -1 (a perpetual diff in the twin).

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ec2::error::SdkError;
use aws_sdk_ec2::operation::describe_security_group_rules::DescribeSecurityGroupRulesError;
use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, SecurityGroupRule,
    SecurityGroupRuleRequest, SecurityGroupRuleUpdate, UserIdGroupPair,
};
use aws_sdk_ec2::Client;

use super::common::{canonical_protocol, check_protocol, protocol_equivalent};
use crate::aws::{
    cidr, ec2_tags, errors, plan_region, region_attribute, retry, split_import_region, tags,
    AwsClients,
};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics, Plan,
    PlanRequest, Resource, Schema, Value,
};

const KIND: &str = "VPC Security Group Rule";
pub const SOURCES: [&str; 4] = [
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

pub struct SecurityGroupRuleResource(pub Direction);

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

pub fn schema() -> Schema {
    let protocol_validator: crate::framework::schema::Validator = Arc::new(|v, path, diags| {
        if let Some(Err(e)) = v.as_str().map(check_protocol) {
            diags.invalid(path.clone(), e);
        }
    });
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the security group rule.")
                    .computed(),
            )
            .attr(
                Attribute::string("cidr_ipv4")
                    .desc("IPv4 CIDR range of the peer.")
                    .optional()
                    .validate(cidr::ipv4_validator()),
            )
            .attr(
                Attribute::string("cidr_ipv6")
                    .desc("IPv6 CIDR range of the peer.")
                    .optional()
                    .validate(cidr::ipv6_validator()),
            )
            .attr(
                Attribute::string("description")
                    .desc("Description of the rule.")
                    .optional(),
            )
            .attr(
                Attribute::number("from_port")
                    .desc("Start of the port range, or the ICMP type.")
                    .optional(),
            )
            .attr(
                Attribute::string("id")
                    .desc("ID of the security group rule.")
                    .computed(),
            )
            .attr(
                Attribute::string("ip_protocol")
                    .desc("IP protocol name or number; `-1` means all protocols and ports.")
                    .required()
                    .validate(protocol_validator)
                    .equivalent_when(protocol_equivalent),
            )
            .attr(
                Attribute::string("prefix_list_id")
                    .desc("ID of the managed prefix list of the peer.")
                    .optional(),
            )
            .attr(
                Attribute::string("referenced_security_group_id")
                    .desc("ID of the security group of the peer.")
                    .optional(),
            )
            .attr(region_attribute())
            .attr(
                Attribute::string("security_group_id")
                    .desc("ID of the security group the rule belongs to.")
                    .required()
                    .force_new(),
            )
            .attr(
                Attribute::string("security_group_rule_id")
                    .desc("ID of the security group rule.")
                    .computed(),
            )
            .attr(
                Attribute::string_map("tags")
                    .desc("Tags for this resource; merged over the provider's default_tags.")
                    .optional(),
            )
            .attr(
                Attribute::string_map("tags_all")
                    .desc("All tags on the resource, including the provider's default_tags.")
                    .computed(),
            )
            .attr(
                Attribute::number("to_port")
                    .desc("End of the port range, or the ICMP code.")
                    .optional(),
            ),
    )
    .desc("Manages one security group rule (one protocol, port range and source or destination).")
}

/// The source argument a configuration or state uses.
fn source_of(v: &Value) -> Option<&'static str> {
    SOURCES.into_iter().find(|k| !v.get(k).is_null())
}

/// Port checks for one protocol, each at its attribute.
fn validate_ports(config: &Value, diags: &mut Diagnostics) {
    let Some(protocol) = config.str("ip_protocol") else {
        return;
    };
    if check_protocol(protocol).is_err() {
        return; // reported by the attribute validator
    }
    let (from, to) = (config.get("from_port"), config.get("to_port"));
    let c = canonical_protocol(protocol);
    match c.as_str() {
        "tcp" | "udp" => {
            for (k, v) in [("from_port", from), ("to_port", to)] {
                if v.is_null() {
                    diags.invalid(AttrPath::attr(k), format!("{k} is required for ip_protocol {protocol:?}: the port (range) from 0 to 65535"));
                } else if let Some(n) = v.as_i64().filter(|n| !(0..=65535).contains(n)) {
                    diags.invalid(AttrPath::attr(k), format!("{k} must be a port from 0 to 65535 for ip_protocol {protocol:?}, got {n}"));
                }
            }
            if let (Some(f), Some(t)) = (from.as_i64(), to.as_i64()) {
                if f > t && (0..=65535).contains(&f) && (0..=65535).contains(&t) {
                    diags.invalid(
                        AttrPath::attr("from_port"),
                        format!("from_port ({f}) must not be greater than to_port ({t})"),
                    );
                }
            }
        }
        "icmp" | "icmpv6" => {
            for (k, v) in [("from_port", from), ("to_port", to)] {
                if let Some(n) = v.as_i64().filter(|n| !(-1..=255).contains(n)) {
                    diags.invalid(AttrPath::attr(k), format!("{k} is the ICMP {} for ip_protocol {protocol:?}: -1 (all) or 0 to 255, got {n}", if k == "from_port" { "type" } else { "code" }));
                }
            }
        }
        _ => {
            for (k, v) in [("from_port", from), ("to_port", to)] {
                if !v.is_null() {
                    diags.invalid(AttrPath::attr(k), format!("{k} must not be set for ip_protocol {protocol:?}: EC2 allows all ports for it and ignores port ranges (remove from_port and to_port)"));
                }
            }
        }
    }
}

fn validate_sources(config: &Value, diags: &mut Diagnostics) {
    let set: Vec<&str> = SOURCES
        .into_iter()
        .filter(|k| !config.get(k).is_null())
        .collect();
    if set.len() > 1 {
        diags.push(
            Diagnostic::error(
                "Conflicting rule sources",
                format!(
                    "{} are all set; a rule has exactly one source: set only one of cidr_ipv4, cidr_ipv6, prefix_list_id or referenced_security_group_id (use one rule per source)",
                    set.join(" and ")
                ),
            )
            .at(AttrPath::attr(set[1])),
        );
    } else if set.is_empty() {
        diags.error(
            "Missing rule source",
            "set exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id or referenced_security_group_id",
        );
    }
}

/// `[ACCOUNT/]sg-…` as hashicorp/aws writes a referenced group (the account only when foreign).
fn referenced(rule: &SecurityGroupRule, account: &str) -> Value {
    match rule.referenced_group_info() {
        None => Value::Null,
        Some(g) => match (g.user_id(), g.group_id()) {
            (Some(u), Some(id)) if !u.is_empty() && u != account => {
                Value::from(format!("{u}/{id}"))
            }
            (_, id) => Value::opt_string(id),
        },
    }
}

fn permission(p: &Value) -> IpPermission {
    let d = p.str("description").map(str::to_string);
    let port = |k: &str| p.i64(k).and_then(|n| i32::try_from(n).ok());
    let mut b = IpPermission::builder()
        .set_ip_protocol(p.str("ip_protocol").map(str::to_string))
        .set_from_port(port("from_port"))
        .set_to_port(port("to_port"));
    if let Some(c) = p.str("cidr_ipv4") {
        b = b.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(d.clone())
                .build(),
        );
    }
    if let Some(c) = p.str("cidr_ipv6") {
        b = b.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(d.clone())
                .build(),
        );
    }
    if let Some(c) = p.str("prefix_list_id") {
        b = b.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(c)
                .set_description(d.clone())
                .build(),
        );
    }
    if let Some(g) = p.str("referenced_security_group_id") {
        let pair = match g.split_once('/') {
            Some((user, id)) => UserIdGroupPair::builder().user_id(user).group_id(id),
            None => UserIdGroupPair::builder().group_id(g),
        };
        b = b.user_id_group_pairs(pair.set_description(d).build());
    }
    b.build()
}

/// The group's rule with exactly the planned direction, protocol, ports and peer: after a lost
/// reply, the rule the lost attempt added (EC2 refuses a second identical rule).
async fn rule_added_by_lost_attempt(
    ec2: &Client,
    group: &str,
    planned: &Value,
    egress: bool,
) -> Result<Option<SecurityGroupRule>, SdkError<DescribeSecurityGroupRulesError>> {
    let by_group = Filter::builder().name("group-id").values(group).build();
    let out = ec2
        .describe_security_group_rules()
        .filters(by_group)
        .send()
        .await?;
    Ok(out
        .security_group_rules()
        .iter()
        .find(|r| is_planned_rule(r, planned, egress))
        .cloned())
}

fn is_planned_rule(r: &SecurityGroupRule, p: &Value, egress: bool) -> bool {
    let protocol = p.str("ip_protocol").map(canonical_protocol);
    let same_protocol = protocol.is_some() && protocol == r.ip_protocol().map(canonical_protocol);
    let port = |planned: Option<i64>, actual: Option<i32>| {
        planned.unwrap_or(-1) == actual.map_or(-1, i64::from)
    };
    let same_ports = protocol.as_deref() == Some("-1")
        || (port(p.i64("from_port"), r.from_port()) && port(p.i64("to_port"), r.to_port()));
    let peer = r.referenced_group_info().and_then(|g| g.group_id());
    let planned_peer = p
        .str("referenced_security_group_id")
        .map(|g| g.rsplit('/').next().unwrap_or(g));
    r.is_egress() == Some(egress)
        && same_protocol
        && same_ports
        && r.cidr_ipv4() == p.str("cidr_ipv4")
        && r.cidr_ipv6() == p.str("cidr_ipv6")
        && r.prefix_list_id() == p.str("prefix_list_id")
        && peer == planned_peer
}

async fn find(
    ec2: &Client,
    id: &str,
) -> Result<Option<SecurityGroupRule>, SdkError<DescribeSecurityGroupRulesError>> {
    match ec2
        .describe_security_group_rules()
        .security_group_rule_ids(id)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .security_group_rules()
            .iter()
            .find(|r| r.security_group_rule_id() == Some(id))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

impl SecurityGroupRuleResource {
    fn kind(&self) -> String {
        format!("{KIND} ({})", self.0.word())
    }

    fn matches(&self, r: &SecurityGroupRule) -> bool {
        r.is_egress().unwrap_or(false) == (self.0 == Direction::Egress)
    }

    fn state_of(
        &self,
        ctx: &Ctx<AwsClients>,
        region: &str,
        r: &SecurityGroupRule,
        prior: &Value,
    ) -> Value {
        let id = r.security_group_rule_id().unwrap_or_default();
        let (tags, tags_all) = tags::split_read(
            &ec2_tags::from_ec2(r.tags()),
            ctx.client.default_tags(),
            prior.get("tags"),
        );
        // EC2 reports -1 for "no ports"; an unset port stays unset (as the twin does).
        let port = |v: Option<i32>, k: &str| match v {
            Some(-1) | None if prior.get(k).is_null() => Value::Null,
            v => Value::int(i64::from(v.unwrap_or(-1))),
        };
        Value::object([
            (
                "arn",
                Value::from(format!(
                    "arn:{}:ec2:{region}:{}:security-group-rule/{id}",
                    ctx.client.partition(),
                    ctx.client.account_id()
                )),
            ),
            ("cidr_ipv4", Value::opt_string(r.cidr_ipv4())),
            ("cidr_ipv6", Value::opt_string(r.cidr_ipv6())),
            (
                "description",
                Value::opt_string(r.description().filter(|d| !d.is_empty())),
            ),
            ("from_port", port(r.from_port(), "from_port")),
            ("id", Value::from(id)),
            ("ip_protocol", Value::opt_string(r.ip_protocol())),
            ("prefix_list_id", Value::opt_string(r.prefix_list_id())),
            (
                "referenced_security_group_id",
                referenced(r, ctx.client.account_id()),
            ),
            ("region", Value::from(region)),
            ("security_group_id", Value::opt_string(r.group_id())),
            ("security_group_rule_id", Value::from(id)),
            ("tags", tags),
            ("tags_all", tags_all),
            ("to_port", port(r.to_port(), "to_port")),
        ])
    }
}

#[async_trait]
impl Resource<AwsClients> for SecurityGroupRuleResource {
    fn type_name(&self) -> &'static str {
        match self.0 {
            Direction::Ingress => "awsecs_vpc_security_group_ingress_rule",
            Direction::Egress => "awsecs_vpc_security_group_egress_rule",
        }
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_sources(config, diags);
        validate_ports(config, diags);
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        plan_region(&ctx.client, req.config, plan);
        tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
        // EC2 can modify a rule in place, but not move it to another kind of source.
        if !req.is_create() {
            if let (Some(old), Some(new)) = (source_of(req.prior), source_of(&plan.state)) {
                if old != new {
                    plan.requires_replace.push(AttrPath::attr(old));
                    plan.requires_replace.push(AttrPath::attr(new));
                }
            }
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let set = ctx.client.regional(planned);
        let ec2 = set.ec2();
        let group = planned.str("security_group_id").unwrap_or_default();
        let all_tags = tags::from_planned(planned);
        let spec =
            ec2_tags::specification(ResourceType::SecurityGroupRule, &all_tags).map(|s| vec![s]);
        let op = format!("creating {}", self.kind());
        // A lost reply of the authorize call makes the SDK's retry hear InvalidPermission.Duplicate:
        // the rule is then the one the lost attempt added (see `rule_added_by_lost_attempt`).
        let unanswered = retry::UnansweredAttempts::new();
        let duplicate = "InvalidPermission.Duplicate";
        let sent = match self.0 {
            Direction::Ingress => match ec2
                .authorize_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission(planned))
                .set_tag_specifications(spec)
                .customize()
                .interceptor(unanswered.clone())
                .send()
                .await
            {
                Ok(o) => Some(o.security_group_rules().to_vec()),
                Err(e) if unanswered.explains(&e, duplicate) => None,
                Err(e) => return Err(errors::aws_diag(&op, group, &e).into()),
            },
            Direction::Egress => match ec2
                .authorize_security_group_egress()
                .group_id(group)
                .ip_permissions(permission(planned))
                .set_tag_specifications(spec)
                .customize()
                .interceptor(unanswered.clone())
                .send()
                .await
            {
                Ok(o) => Some(o.security_group_rules().to_vec()),
                Err(e) if unanswered.explains(&e, duplicate) => None,
                Err(e) => return Err(errors::aws_diag(&op, group, &e).into()),
            },
        };
        let rules = match sent {
            Some(rules) => rules,
            None => rule_added_by_lost_attempt(ec2, group, planned, self.0 == Direction::Egress)
                .await
                .map_err(|e| errors::aws_diag(&op, group, &e))?
                .into_iter()
                .collect(),
        };
        let Some(rule) = rules.first() else {
            return Err(Diagnostic::error(
                format!("creating {} ({group})", self.kind()),
                "EC2 returned no security group rule ID",
            )
            .into());
        };
        let id = rule
            .security_group_rule_id()
            .unwrap_or_default()
            .to_string();
        let mut partial = planned.clone();
        partial.set("id", Value::from(id.as_str()));
        partial.set("security_group_rule_id", Value::from(id.as_str()));
        // The authorize answer is the rule as EC2 stored it (ID, ports, tags): it is the state,
        // unless it lacks the tags that were sent (then read the rule back).
        if all_tags.is_empty() || !rule.tags().is_empty() {
            return Ok(self.state_of(ctx, set.region(), rule, planned));
        }
        match find(ec2, &id).await {
            Ok(Some(r)) => Ok(self.state_of(ctx, set.region(), &r, planned)),
            Ok(None) => Ok(self.state_of(ctx, set.region(), rule, planned)),
            Err(e) => Err(ApplyError::with_state(
                errors::aws_diag(&format!("reading {}", self.kind()), &id, &e),
                partial,
            )),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(id) = state.str("id") else {
            return Err(Diagnostic::error(
                format!("Invalid {} state", self.kind()),
                "the state has no rule ID (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let rule = find(set.ec2(), id)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {}", self.kind()), id, &e))?;
        match rule {
            Some(r) if self.matches(&r) => Ok(Some(self.state_of(ctx, set.region(), &r, state))),
            _ => {
                log_warn!(
                    "VPC Security Group Rule not found, removing from state",
                    "id" = id
                );
                Ok(None)
            }
        }
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let id = prior.str("id").unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let ec2 = set.ec2();
        let changed = [
            "cidr_ipv4",
            "cidr_ipv6",
            "description",
            "from_port",
            "ip_protocol",
            "prefix_list_id",
            "referenced_security_group_id",
            "to_port",
        ]
        .iter()
        .any(|k| !prior.get(k).equivalent(planned.get(k)));
        if changed {
            let port = |k: &str| planned.i64(k).and_then(|n| i32::try_from(n).ok());
            let s = |k: &str| planned.str(k).map(str::to_string);
            let request = SecurityGroupRuleRequest::builder()
                .set_ip_protocol(s("ip_protocol"))
                .set_from_port(port("from_port"))
                .set_to_port(port("to_port"))
                .set_cidr_ipv4(s("cidr_ipv4"))
                .set_cidr_ipv6(s("cidr_ipv6"))
                .set_prefix_list_id(s("prefix_list_id"))
                .set_referenced_group_id(s("referenced_security_group_id"))
                .set_description(s("description"))
                .build();
            ec2.modify_security_group_rules()
                .group_id(planned.str("security_group_id").unwrap_or_default())
                .security_group_rules(
                    SecurityGroupRuleUpdate::builder()
                        .security_group_rule_id(&id)
                        .security_group_rule(request)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| errors::aws_diag(&format!("updating {}", self.kind()), &id, &e))?;
        }
        if !prior.get("tags_all").equivalent(planned.get("tags_all")) {
            ec2_tags::update(
                ec2,
                KIND,
                &id,
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            )
            .await?;
        }
        match find(ec2, &id).await {
            Ok(Some(r)) => Ok(self.state_of(ctx, set.region(), &r, planned)),
            Ok(None) => Err(Diagnostic::error(
                format!("reading {} ({id})", self.kind()),
                "the rule disappeared during the update",
            )
            .into()),
            Err(e) => Err(errors::aws_diag(&format!("reading {}", self.kind()), &id, &e).into()),
        }
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let (Some(id), Some(group)) = (prior.str("id"), prior.str("security_group_id")) else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        let ec2 = set.ec2();
        let op = format!("deleting {}", self.kind());
        match self.0 {
            Direction::Ingress => match ec2
                .revoke_security_group_ingress()
                .group_id(group)
                .security_group_rule_ids(id)
                .send()
                .await
            {
                Err(e) if !errors::is_not_found(&e) => Err(errors::aws_diag(&op, id, &e).into()),
                _ => Ok(()),
            },
            Direction::Egress => match ec2
                .revoke_security_group_egress()
                .group_id(group)
                .security_group_rule_ids(id)
                .send()
                .await
            {
                Err(e) if !errors::is_not_found(&e) => Err(errors::aws_diag(&op, id, &e).into()),
                _ => Ok(()),
            },
        }
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (rule_id, region) = split_import_region(id.trim());
        if !rule_id.starts_with("sgr-") || rule_id.len() < 5 {
            return Err(Diagnostic::error("Invalid import ID", format!("expected a security group rule ID such as \"sgr-0123456789abcdef0\" (optionally sgr-…@region), got {id:?}")).into());
        }
        let region = region.unwrap_or(ctx.client.region()).to_string();
        let set = ctx.client.in_region(Some(&region));
        let rule = find(set.ec2(), rule_id)
            .await
            .map_err(|e| errors::aws_diag(&format!("importing {}", self.kind()), rule_id, &e))?;
        if let Some(r) = &rule {
            if !self.matches(r) {
                let (is, other) = match self.0 {
                    Direction::Ingress => ("an egress", "awsecs_vpc_security_group_egress_rule"),
                    Direction::Egress => ("an ingress", "awsecs_vpc_security_group_ingress_rule"),
                };
                return Err(Diagnostic::error(
                    "Wrong rule direction",
                    format!("{rule_id} is {is} rule; import it into {other}"),
                )
                .into());
            }
        }
        Ok(Value::object([
            ("id", Value::from(rule_id)),
            ("security_group_rule_id", Value::from(rule_id)),
            ("region", Value::from(region)),
        ]))
    }
}

pub fn ingress() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(SecurityGroupRuleResource(Direction::Ingress))
}

pub fn egress() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(SecurityGroupRuleResource(Direction::Egress))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        schema().block.conform(Value::object(pairs))
    }

    fn check(pairs: Vec<(&str, Value)>) -> Diagnostics {
        let mut d = Diagnostics::new();
        SecurityGroupRuleResource(Direction::Ingress).validate(&cfg(pairs), &mut d);
        d
    }

    #[test]
    fn exactly_one_source() {
        let d = check(vec![
            ("ip_protocol", "-1".into()),
            ("cidr_ipv4", "10.0.0.0/8".into()),
            ("referenced_security_group_id", "sg-1".into()),
        ]);
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("referenced_security_group_id"))
        );
        assert!(
            d.0[0]
                .detail
                .contains("cidr_ipv4 and referenced_security_group_id"),
            "{d}"
        );
        assert!(check(vec![("ip_protocol", "-1".into())]).has_errors());
        assert!(check(vec![
            ("ip_protocol", "-1".into()),
            ("prefix_list_id", "pl-1".into())
        ])
        .is_empty());
        // Unknown sources count as set: they are checked again when known.
        assert!(check(vec![
            ("ip_protocol", "-1".into()),
            ("cidr_ipv4", Value::Unknown)
        ])
        .is_empty());
    }

    #[test]
    fn ports_fit_the_protocol() {
        let src = ("cidr_ipv4", Value::from("0.0.0.0/0"));
        let paths = |d: Diagnostics| {
            d.0.iter()
                .map(|x| x.path.as_ref().map(|p| p.to_string()).unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            paths(check(vec![
                src.clone(),
                ("ip_protocol", "tcp".into()),
                ("from_port", 443.into()),
                ("to_port", 80.into())
            ])),
            ["from_port"]
        );
        assert_eq!(
            paths(check(vec![
                src.clone(),
                ("ip_protocol", "udp".into()),
                ("from_port", 0.into()),
                ("to_port", 70000.into())
            ])),
            ["to_port"]
        );
        assert_eq!(
            paths(check(vec![src.clone(), ("ip_protocol", "tcp".into())])),
            ["from_port", "to_port"]
        );
        assert_eq!(
            paths(check(vec![
                src.clone(),
                ("ip_protocol", "-1".into()),
                ("from_port", 0.into()),
                ("to_port", 0.into())
            ])),
            ["from_port", "to_port"]
        );
        assert!(check(vec![
            src.clone(),
            ("ip_protocol", "icmp".into()),
            ("from_port", (-1).into()),
            ("to_port", (-1).into())
        ])
        .is_empty());
        assert!(check(vec![
            src.clone(),
            ("ip_protocol", "6".into()),
            ("from_port", 22.into()),
            ("to_port", 22.into())
        ])
        .is_empty());
        assert!(check(vec![
            src,
            ("ip_protocol", "tcp".into()),
            ("from_port", Value::Unknown),
            ("to_port", 22.into())
        ])
        .is_empty());
    }
}
