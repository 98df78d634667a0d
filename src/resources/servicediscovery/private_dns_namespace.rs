//! `awsecs_service_discovery_private_dns_namespace`, the twin of
//! `aws_service_discovery_private_dns_namespace`. ID: the namespace ID (`ns-…`); import ID:
//! `NAMESPACE_ID:VPC_ID` (GetNamespace never reports the VPC, so the import ID carries it).
//!
//! Create, update and delete are asynchronous Cloud Map operations waited to SUCCESS; a FAIL shows
//! AWS's ErrorCode/ErrorMessage. Delete explains which services still block it (see `super`).

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_servicediscovery::types::PrivateDnsNamespaceChange;

use super::{operation, request_id};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::tags::Tags;
use crate::aws::{errors, plan_region, region_attribute, split_import_region, tags, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics, Plan,
    PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_service_discovery_private_dns_namespace";
const KIND: &str = "Service Discovery Private DNS Namespace";

pub struct PrivateDnsNamespace;

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the namespace.")
                    .computed(),
            )
            .attr(
                Attribute::string("description")
                    .desc("Description of the namespace.")
                    .optional(),
            )
            .attr(
                Attribute::string("hosted_zone")
                    .computed()
                    .desc("The Route 53 private hosted zone Cloud Map created for the namespace."),
            )
            .attr(
                Attribute::string("id")
                    .desc("ID of the namespace.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("name")
                    .desc("Name of the namespace (a domain name).")
                    .required()
                    .force_new()
                    .validate(super::namespace_name_validator()),
            )
            .attr(region_attribute())
            .attr(tags)
            .attr(tags_all)
            .attr(
                Attribute::string("vpc")
                    .required()
                    .force_new()
                    .desc("The VPC the namespace's private hosted zone is associated with."),
            ),
    )
    .desc("Manages a Cloud Map private DNS namespace, a Route 53 private zone in a VPC.")
}

/// The full state from GetNamespace; `vpc` comes from the reference (AWS never reports it).
async fn read_state(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    id: &str,
    fresh: bool,
    sent_tags: Option<&Tags>,
) -> Result<Option<Value>, Diagnostic> {
    let set = ctx.client.regional(reference);
    let sd = set.servicediscovery();
    let ns = if fresh {
        // Just created: GetNamespace may lag the operation for a moment.
        retry::retry_when(
            &ctx.stop,
            "reading the new namespace",
            PROPAGATION_TIMEOUT,
            errors::is_not_found,
            || async { sd.get_namespace().id(id).send().await },
        )
        .await
        .map_err(|e| e.diag(&format!("reading {KIND}"), id))?
        .namespace()
        .cloned()
    } else {
        super::find_namespace(sd, id)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), id, &e))?
    };
    let Some(ns) = ns else {
        return Ok(None);
    };
    super::check_namespace_type(&ns, "DNS_PRIVATE", KIND)?;
    let mut state = super::namespace_state(
        sd,
        &ctx.client,
        &ns,
        reference,
        set.region(),
        KIND,
        sent_tags,
    )
    .await?;
    let zone = ns
        .properties()
        .and_then(|p| p.dns_properties())
        .and_then(|d| d.hosted_zone_id());
    state.set("hosted_zone", Value::opt_string(zone));
    state.set("vpc", reference.get("vpc").clone());
    Ok(Some(state))
}

async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    id: &str,
    sent_tags: Option<&Tags>,
) -> Result<Value, Diagnostic> {
    read_state(ctx, reference, id, true, sent_tags)
        .await?
        .ok_or_else(|| {
            Diagnostic::error(
                errors::summary(&format!("reading {KIND}"), id),
                "the namespace disappeared right after it was written",
            )
        })
}

#[async_trait]
impl Resource<AwsClients> for PrivateDnsNamespace {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
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
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = planned.str("name").unwrap_or_default().to_string();
        let set = ctx.client.regional(planned);
        let sd = set.servicediscovery();
        let all_tags = tags::from_planned(planned);
        let out = sd
            .create_private_dns_namespace()
            .name(&name)
            .vpc(planned.str("vpc").unwrap_or_default())
            .creator_request_id(request_id())
            .set_description(planned.str("description").map(str::to_string))
            .set_tags((!all_tags.is_empty()).then(|| super::to_sd_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("creating {KIND}"), &name, &e))?;
        let op = out.operation_id().unwrap_or_default();
        let id = super::finish_create(ctx, sd, op, planned, KIND, &name).await?;
        let mut partial = planned.clone();
        partial.set("id", Value::from(id.as_str()));
        // The hosted zone ID is only in GetNamespace; the tags are the ones just sent.
        read_fresh(ctx, planned, &id, Some(&all_tags))
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(id) = state.str("id") else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no namespace ID (id)",
            )
            .into());
        };
        let found = read_state(ctx, state, id, false, None).await?;
        if found.is_none() {
            log_warn!(
                "Service Discovery Private DNS Namespace not found, removing from state",
                "id" = id
            );
        }
        Ok(found)
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let id = prior.str("id").unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let sd = set.servicediscovery();
        if !prior
            .get("description")
            .equivalent(planned.get("description"))
        {
            let change = PrivateDnsNamespaceChange::builder()
                .description(planned.str("description").unwrap_or_default())
                .build();
            let out = sd
                .update_private_dns_namespace()
                .id(&id)
                .updater_request_id(request_id())
                .namespace(change)
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        &format!("updating {KIND}"),
                        &id,
                        &e,
                        AttrPath::attr("description"),
                    )
                })?;
            if let Some(op) = out.operation_id() {
                operation::wait(&ctx.stop, sd, op)
                    .await
                    .map_err(|e| operation::diag(&e, &format!("waiting for {KIND} update"), &id))?;
            }
        }
        super::update_tags(
            sd,
            prior.str("arn").unwrap_or_default(),
            prior,
            planned,
            KIND,
        )
        .await?;
        Ok(read_fresh(ctx, planned, &id, None).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(id) = prior.str("id") else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        super::delete_namespace(ctx, set.servicediscovery(), id, KIND).await
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (id, region) = split_import_region(id.trim());
        let (ns, vpc) = parse_import_id(id)?;
        Ok(Value::object([
            ("id", Value::from(ns)),
            ("vpc", Value::from(vpc)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

/// `NAMESPACE_ID:VPC_ID`, both parts non-empty.
pub fn parse_import_id(id: &str) -> Result<(&str, &str), Diagnostics> {
    match id.split(':').collect::<Vec<_>>()[..] {
        [ns, vpc] if !ns.is_empty() && !vpc.is_empty() => Ok((ns, vpc)),
        _ => Err(Diagnostic::error(
            "Invalid import ID",
            format!("unexpected format of ID ({id:?}): expected NAMESPACE_ID:VPC_ID, e.g. ns-abcd1234efgh5678:vpc-0123456789abcdef0 (optionally followed by @region)"),
        )
        .into()),
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(PrivateDnsNamespace)
}
