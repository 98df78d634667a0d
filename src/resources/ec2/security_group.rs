//! `awsecs_security_group`, the twin of `aws_security_group`. ID and import ID: `sg-…`
//! (`sg-…@region` imports from another region).
//!
//! As in hashicorp/aws, a new group loses AWS's default allow-all egress rule right after
//! creation (Terraform manages egress explicitly: inline `egress` or
//! `awsecs_vpc_security_group_egress_rule`). Inline `ingress`/`egress` are optional+computed: left
//! unset, they just report the group's rules, so they coexist with the separate rule resources.
//! Deletion retries while ENIs or other groups still use the group (see [`super::sg_delete`]).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::error::SdkError;
use aws_sdk_ec2::operation::create_security_group::CreateSecurityGroupOutput;
use aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsError;
use aws_sdk_ec2::operation::revoke_security_group_egress::RevokeSecurityGroupEgressError;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, ResourceType, SecurityGroup};
use aws_sdk_ec2::Client;

use super::sg_delete;
use super::sg_rule_sets::{self as rules, Atom};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{
    ec2_tags, errors, names, plan_region, region_attribute, split_import_region, tags, AwsClients,
};
use crate::framework::resource::timeout;
use crate::framework::schema::Validator;
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_security_group";
const KIND: &str = "Security Group";
const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

pub struct SecurityGroupResource;

fn name_validator(max: usize) -> Validator {
    Arc::new(move |v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if s.chars().count() > max {
            diags.invalid(
                path.clone(),
                format!("must be at most {max} characters long"),
            );
        }
        if s.starts_with("sg-") {
            diags.invalid(
                path.clone(),
                format!("{s:?} cannot begin with \"sg-\" (reserved for group IDs)"),
            );
        }
    })
}

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the security group.").computed())
            .attr(
                Attribute::string("description").desc("Description of the security group.")
                    .default("Managed by Terraform")
                    .force_new()
                    .validate(validators::length(0, 255)),
            )
            .attr(rules::attribute("egress"))
            .attr(Attribute::string("id").desc("ID of the security group.").optional_computed())
            .attr(rules::attribute("ingress"))
            .attr(
                Attribute::string("name").desc("Name of the security group; generated when neither this nor `name_prefix` is set.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name_prefix"])
                    .validate(name_validator(255)),
            )
            .attr(
                Attribute::string("name_prefix").desc("Creates a unique name starting with this prefix.")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name"])
                    .validate(name_validator(255 - names::UNIQUE_SUFFIX_LEN)),
            )
            .attr(Attribute::string("owner_id").desc("ID of the AWS account that owns the security group.").computed())
            .attr(region_attribute())
            .attr(
                Attribute::bool("revoke_rules_on_delete")
                    .default(false)
                    .client_side()
                    .desc("Revoke all rules (and rules of other groups referencing this one) before deleting."),
            )
            .attr(tags)
            .attr(tags_all)
            .attr(Attribute::string("vpc_id").desc("ID of the VPC the security group belongs to; defaults to the default VPC.").optional_computed().force_new())
            .timeouts(&["create", "delete"]),
    ).desc("Manages a VPC security group; its rules can be inline or separate rule resources.")
}

async fn find(
    ec2: &Client,
    id: &str,
) -> Result<Option<SecurityGroup>, SdkError<DescribeSecurityGroupsError>> {
    match ec2.describe_security_groups().group_ids(id).send().await {
        Ok(out) => Ok(out
            .security_groups()
            .iter()
            .find(|g| g.group_id() == Some(id))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The rule set to store: the reference's spelling when it means the same.
fn rules_read(perms: &[IpPermission], own: &str, owner: &str, reference: &Value) -> Value {
    let atoms = rules::atoms_of_permissions(perms, own, owner);
    match rules::atoms(reference) {
        Some(r) if r == atoms && !reference.is_null() => reference.clone(),
        _ => rules::rules_value(&atoms),
    }
}

fn state_of(ctx: &Ctx<AwsClients>, region: &str, g: &SecurityGroup, prior: &Value) -> Value {
    let id = g.group_id().unwrap_or_default();
    let owner = g.owner_id().unwrap_or_else(|| ctx.client.account_id());
    let name = g.group_name().unwrap_or_default();
    let (tags, tags_all) = tags::split_read(
        &ec2_tags::from_ec2(g.tags()),
        ctx.client.default_tags(),
        prior.get("tags"),
    );
    let arn = g
        .security_group_arn()
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "arn:{}:ec2:{region}:{owner}:security-group/{id}",
                ctx.client.partition()
            )
        });
    Value::object([
        ("arn", Value::from(arn)),
        ("description", Value::opt_string(g.description())),
        (
            "egress",
            rules_read(g.ip_permissions_egress(), id, owner, prior.get("egress")),
        ),
        ("id", Value::from(id)),
        (
            "ingress",
            rules_read(g.ip_permissions(), id, owner, prior.get("ingress")),
        ),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("owner_id", Value::from(owner)),
        ("region", Value::from(region)),
        (
            "revoke_rules_on_delete",
            prior.get("revoke_rules_on_delete").clone(),
        ),
        ("tags", tags),
        ("tags_all", tags_all),
        ("vpc_id", Value::opt_string(g.vpc_id())),
        ("timeouts", prior.get("timeouts").clone()),
    ])
}

/// Revokes `old - new` and authorizes `new - old` for one direction.
async fn apply_rules(
    ec2: &Client,
    id: &str,
    egress: bool,
    old: &BTreeSet<Atom>,
    new: &BTreeSet<Atom>,
) -> Result<(), Diagnostic> {
    let which = if egress { "egress" } else { "ingress" };
    let path = AttrPath::attr(which);
    let gone: BTreeSet<Atom> = old.difference(new).cloned().collect();
    let added: BTreeSet<Atom> = new.difference(old).cloned().collect();
    if !gone.is_empty() {
        let perms = Some(rules::permissions(&gone, id));
        let op = format!("revoking {KIND} {which} rules");
        if egress {
            ec2.revoke_security_group_egress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op, id, &e, path.clone()))?;
        } else {
            ec2.revoke_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op, id, &e, path.clone()))?;
        }
    }
    if !added.is_empty() {
        let perms = Some(rules::permissions(&added, id));
        let op = format!("authorizing {KIND} {which} rules");
        if egress {
            ec2.authorize_security_group_egress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op, id, &e, path.clone()))?;
        } else {
            ec2.authorize_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map_err(|e| errors::aws_diag_at(&op, id, &e, path.clone()))?;
        }
    }
    Ok(())
}

/// The state of a group just created in a configured VPC, from the CreateSecurityGroup answer
/// (ID and, in current API versions, ARN) and what was sent: name, description, VPC, tags, the
/// caller's account as owner, no ingress rules. Egress is settled by the caller. None (describe
/// instead) when the VPC is the default one (`vpc_id` not configured) or the account is unknown.
fn created_state(
    ctx: &Ctx<AwsClients>,
    region: &str,
    planned: &Value,
    id: &str,
    name: &str,
    answer: &CreateSecurityGroupOutput,
) -> Option<Value> {
    let vpc = planned.str("vpc_id").filter(|v| !v.is_empty())?;
    let account = ctx.client.account_id();
    if account.is_empty() {
        return None;
    }
    let group = SecurityGroup::builder()
        .group_id(id)
        .group_name(name)
        .description(planned.str("description").unwrap_or("Managed by Terraform"))
        .vpc_id(vpc)
        .owner_id(account)
        .set_security_group_arn(answer.security_group_arn().map(str::to_string))
        .set_tags(Some(ec2_tags::to_ec2(&tags::from_planned(planned))))
        .build();
    Some(state_of(ctx, region, &group, planned))
}

/// AWS gives every new VPC group an allow-all egress rule: IPv4 `0.0.0.0/0`, and IPv6 `::/0`
/// when the VPC has an IPv6 CIDR. One revoke names both: AWS documents that a rule that does not
/// match is not an error but listed in the answer's UnknownIpPermissions (stated for default
/// VPCs). Where AWS refuses the missing IPv6 rule instead (`InvalidPermission.NotFound`, or an
/// IPv6 range the VPC cannot have), the request changed nothing and the IPv4 rule is revoked alone.
async fn revoke_default_egress(ec2: &Client, id: &str) -> Result<(), Diagnostic> {
    let all_traffic = || {
        IpPermission::builder()
            .ip_protocol("-1")
            .from_port(0)
            .to_port(0)
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
    };
    let both = all_traffic()
        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
        .build();
    let revoke = |p: IpPermission| {
        ec2.revoke_security_group_egress()
            .group_id(id)
            .ip_permissions(p)
            .send()
    };
    let refused_ipv6 = |e: &SdkError<RevokeSecurityGroupEgressError>| {
        errors::has_code(e, "InvalidPermission.NotFound")
            || errors::code_and_message_contains(e, "InvalidParameterValue", "remote-ipv6-range")
    };
    let what = format!("revoking the default egress rules of {KIND}");
    match revoke(both).await {
        Ok(_) => Ok(()),
        Err(e) if refused_ipv6(&e) => match revoke(all_traffic().build()).await {
            Ok(_) => Ok(()),
            Err(e) if errors::has_code(&e, "InvalidPermission.NotFound") => Ok(()),
            Err(e) => Err(errors::aws_diag(&what, id, &e)),
        },
        Err(e) => Err(errors::aws_diag(&what, id, &e)),
    }
}

async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    id: &str,
    budget: Duration,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let ec2 = set.ec2();
    let g = retry::retry_when(
        &ctx.stop,
        "waiting for the new security group to be readable",
        budget,
        errors::is_not_found,
        || async {
            find(ec2, id).await?.ok_or_else(|| {
                SdkError::construction_failure("the security group is not visible yet (NotFound)")
            })
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), id))?;
    Ok(state_of(ctx, set.region(), &g, reference))
}

#[async_trait]
impl Resource<AwsClients> for SecurityGroupResource {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// hashicorp/aws stores `aws_security_group` at schema version 1.
    fn twin_state(&self) -> crate::framework::TwinState {
        crate::framework::TwinState {
            schema_version: 1,
            ..Default::default()
        }
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        for k in ["ingress", "egress"] {
            rules::validate(config.get(k), &AttrPath::attr(k), diags);
        }
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
        if req.is_create() {
            let (name, prefix) = (req.config.get("name"), req.config.get("name_prefix"));
            if let (Some(n), true) = (name.as_str(), prefix.is_null()) {
                plan.state
                    .set("name_prefix", Value::opt_string(names::prefix_from_name(n)));
            } else if name.is_null() && prefix.is_null() {
                plan.state
                    .set("name_prefix", Value::from(names::DEFAULT_PREFIX));
            }
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let set = ctx.client.regional(planned);
        let ec2 = set.ec2();
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        let all_tags = tags::from_planned(planned);
        let unanswered = retry::UnansweredAttempts::new();
        let created = ec2
            .create_security_group()
            .group_name(&name)
            .description(planned.str("description").unwrap_or("Managed by Terraform"))
            .set_vpc_id(planned.str("vpc_id").map(str::to_string))
            .set_tag_specifications(
                ec2_tags::specification(ResourceType::SecurityGroup, &all_tags).map(|s| vec![s]),
            )
            .customize()
            .interceptor(unanswered.clone())
            .send()
            .await;
        let (id, answer) = match created {
            Ok(out) => (out.group_id().map(str::to_string), Some(out)),
            // Our own earlier attempt created it: find it by name (and VPC).
            Err(e) if unanswered.explains(&e, "InvalidGroup.Duplicate") => {
                let id = group_id_by_name(ec2, &name, planned.str("vpc_id"))
                    .await
                    .map_err(|e| errors::aws_diag(&format!("creating {KIND}"), &name, &e))?;
                (id, None)
            }
            Err(e) => return Err(errors::aws_diag(&format!("creating {KIND}"), &name, &e).into()),
        };
        let Some(id) = id else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({name})"),
                "CreateSecurityGroup returned no group ID",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(id.as_str()));
        partial.set("name", Value::from(name.as_str()));
        let fail = |d: Diagnostic| ApplyError::with_state(d, partial.clone());
        let budget = timeout(planned, "create", CREATE_TIMEOUT);
        let answered = answer
            .as_ref()
            .and_then(|out| created_state(ctx, set.region(), planned, &id, &name, out));
        let mut fresh = match answered {
            Some(state) => state,
            None => read_fresh(ctx, planned, &id, budget).await.map_err(fail)?,
        };
        let in_vpc = !fresh.get("vpc_id").is_null();
        if in_vpc {
            revoke_default_egress(ec2, &id).await.map_err(fail)?;
        }
        let mut rules_added = false;
        for (k, egress) in [("ingress", false), ("egress", true)] {
            if let Some(new) = rules::atoms(planned.get(k)).filter(|n| !n.is_empty()) {
                apply_rules(ec2, &id, egress, &BTreeSet::new(), &new)
                    .await
                    .map_err(fail)?;
                rules_added = true;
            }
        }
        // Without inline rules the only change since the first read is the revoked default
        // egress: the state is that read with no egress rules, no second describe.
        if !rules_added {
            if in_vpc {
                let owner = fresh.str("owner_id").unwrap_or_default().to_string();
                fresh.set(
                    "egress",
                    rules_read(&[], &id, &owner, planned.get("egress")),
                );
            }
            return Ok(fresh);
        }
        read_fresh(ctx, planned, &id, PROPAGATION_TIMEOUT)
            .await
            .map_err(fail)
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(id) = state.str("id") else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no security group ID (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let g = find(set.ec2(), id)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), id, &e))?;
        let Some(g) = g else {
            log_warn!("Security Group not found, removing from state", "id" = id);
            return Ok(None);
        };
        Ok(Some(state_of(ctx, set.region(), &g, state)))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let id = prior.str("id").unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let ec2 = set.ec2();
        for (k, egress) in [("ingress", false), ("egress", true)] {
            if let (Some(old), Some(new)) =
                (rules::atoms(prior.get(k)), rules::atoms(planned.get(k)))
            {
                if planned.get(k).is_known() && !planned.get(k).is_null() {
                    apply_rules(ec2, &id, egress, &old, &new).await?;
                }
            }
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
        Ok(read_fresh(ctx, planned, &id, PROPAGATION_TIMEOUT).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(id) = prior.str("id") else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        let revoke = prior.bool("revoke_rules_on_delete").unwrap_or(false);
        let budget = timeout(prior, "delete", DELETE_TIMEOUT);
        sg_delete::delete(set.ec2(), &ctx.stop, id, revoke, budget)
            .await
            .map_err(Diagnostics::from)
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (sg, region) = split_import_region(id.trim());
        if !sg.starts_with("sg-") || sg.len() < 4 {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a security group ID such as \"sg-0123456789abcdef0\" (optionally sg-…@region), got {id:?}"),
            )
            .into());
        }
        Ok(Value::object([
            ("id", Value::from(sg)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(SecurityGroupResource)
}

/// The ID of the only group named `name` (in `vpc_id` when given).
async fn group_id_by_name(
    ec2: &Client,
    name: &str,
    vpc_id: Option<&str>,
) -> Result<Option<String>, SdkError<DescribeSecurityGroupsError>> {
    let by = |k: &str, v: &str| {
        aws_sdk_ec2::types::Filter::builder()
            .name(k)
            .values(v)
            .build()
    };
    let mut req = ec2
        .describe_security_groups()
        .filters(by("group-name", name));
    if let Some(vpc) = vpc_id {
        req = req.filters(by("vpc-id", vpc));
    }
    let out = req.send().await?;
    Ok(match out.security_groups() {
        [only] => only.group_id().map(str::to_string),
        _ => None,
    })
}
