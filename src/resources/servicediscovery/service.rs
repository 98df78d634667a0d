//! `awsecs_service_discovery_service`, the twin of `aws_service_discovery_service`. ID and import
//! ID: the service ID (`srv-…`, `srv-…@region` imports into another region).
//!
//! Destroy (hashicorp/aws pain point #22): a service with registered instances cannot be deleted.
//! ECS deregisters its tasks' instances asynchronously, so `ResourceInUse` is retried briefly;
//! with `force_destroy` every instance is deregistered first; otherwise a persisting conflict
//! fails with the instance count and the way out instead of AWS's bare `ResourceInUse`.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_servicediscovery::error::SdkError;
use aws_sdk_servicediscovery::operation::list_instances::ListInstancesError;
use aws_sdk_servicediscovery::types::{InstanceSummary, Service, ServiceChange, ServiceTypeOption};
use aws_sdk_servicediscovery::Client;

use super::service_schema as ss;
use super::{operation, request_id, IN_USE_RETRY};
use crate::aws::retry::{self, RetryError, PROPAGATION_TIMEOUT};
use crate::aws::tags::Tags;
use crate::aws::{errors, plan_region, split_import_region, tags, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Resource,
    Schema, Value,
};

pub const TYPE: &str = "awsecs_service_discovery_service";
const KIND: &str = "Service Discovery Service";

pub struct DiscoveryService;

pub fn schema() -> Schema {
    ss::schema()
}

/// A value from the reference when it is known, else null (an unknown planned value that AWS
/// did not report must not survive into the state).
fn known_or_null(v: &Value) -> Value {
    if v.is_known() {
        v.clone()
    } else {
        Value::Null
    }
}

/// The state from a service; `sent_tags` are the tags of a service this apply just created with
/// them (no ListTagsForResource), None reads them.
async fn state_of(
    sd: &Client,
    clients: &AwsClients,
    svc: &Service,
    reference: &Value,
    region: &str,
    sent_tags: Option<&Tags>,
) -> Result<Value, Diagnostic> {
    let arn = svc.arn().unwrap_or_default();
    let (tags, tags_all) = match sent_tags {
        Some(all) => tags::split_read(all, clients.default_tags(), reference.get("tags")),
        None => super::read_tags(sd, clients, arn, reference, KIND).await?,
    };
    let namespace = svc
        .namespace_id()
        .or_else(|| ss::dns_namespace_id(svc.dns_config()))
        .map(Value::from)
        .unwrap_or_else(|| known_or_null(reference.get("namespace_id")));
    let ty = match svc.r#type() {
        Some(t) => Value::from(t.as_str()),
        None => known_or_null(reference.get("type")),
    };
    Ok(Value::object([
        ("arn", Value::from(arn)),
        (
            "description",
            super::description(svc.description(), reference),
        ),
        ("force_destroy", reference.get("force_destroy").clone()),
        ("id", Value::opt_string(svc.id())),
        ("name", Value::opt_string(svc.name())),
        ("namespace_id", namespace),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
        ("type", ty),
        (
            "dns_config",
            ss::flatten_dns(svc.dns_config(), svc.namespace_id(), reference),
        ),
        (
            "health_check_config",
            ss::flatten_health(svc.health_check_config(), reference),
        ),
        (
            "health_check_custom_config",
            ss::flatten_custom(svc.health_check_custom_config(), reference),
        ),
    ]))
}

/// Reads the service after a write, retrying "not found" while Cloud Map catches up.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    id: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let sd = set.servicediscovery();
    let out = retry::retry_when(
        &ctx.stop,
        "reading the service",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || sd.get_service().id(id).send(),
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), id))?;
    let svc = out.service().ok_or_else(|| {
        Diagnostic::error(
            errors::summary(&format!("reading {KIND}"), id),
            "GetService returned no service",
        )
    })?;
    state_of(sd, &ctx.client, svc, reference, set.region(), None).await
}

async fn instances(
    sd: &Client,
    service_id: &str,
) -> Result<Vec<InstanceSummary>, SdkError<ListInstancesError>> {
    let pages: Vec<_> = sd
        .list_instances()
        .service_id(service_id)
        .into_paginator()
        .send()
        .try_collect()
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.instances().iter().cloned())
        .collect())
}

/// `force_destroy`: deregisters every instance and waits for each deregistration.
async fn deregister_all(ctx: &Ctx<AwsClients>, sd: &Client, id: &str) -> Result<(), Diagnostic> {
    let found = instances(sd, id)
        .await
        .map_err(|e| errors::aws_diag(&format!("listing instances of {KIND}"), id, &e))?;
    for inst in &found {
        let Some(inst_id) = inst.id() else { continue };
        let what = format!("{id}/{inst_id}");
        let op = match sd
            .deregister_instance()
            .service_id(id)
            .instance_id(inst_id)
            .send()
            .await
        {
            Ok(out) => out.operation_id().map(str::to_string),
            Err(e) if errors::is_not_found(&e) => None,
            Err(e) => {
                return Err(errors::aws_diag(
                    "deregistering Service Discovery Instance",
                    &what,
                    &e,
                ))
            }
        };
        if let Some(op) = op {
            operation::wait(&ctx.stop, sd, &op).await.map_err(|e| {
                operation::diag(
                    &e,
                    "waiting for Service Discovery Instance deregistration",
                    &what,
                )
            })?;
        }
    }
    Ok(())
}

async fn in_use_diag(sd: &Client, id: &str, aws_said: &str) -> Diagnostic {
    let retried = retry::fmt_duration(IN_USE_RETRY);
    let detail = match instances(sd, id).await {
        Ok(list) if !list.is_empty() => {
            let shown: Vec<&str> = list.iter().filter_map(|i| i.id()).take(5).collect();
            format!(
                "the service still has {} registered instance(s) ({}{}) after retrying for {retried}. ECS deregisters \
                 a task's instance only once the task has stopped. To delete the service together with its instances, \
                 set force_destroy = true and apply that before destroying; otherwise deregister them \
                 (`aws servicediscovery deregister-instance`) or stop what registers them. AWS said: {aws_said}",
                list.len(),
                shown.join(", "),
                if list.len() > shown.len() { ", ..." } else { "" },
            )
        }
        Ok(_) => format!(
            "AWS still reports the service in use after retrying for {retried}, although it lists no instances \
             (deregistrations may still be in progress; try again). AWS said: {aws_said}"
        ),
        Err(e) => format!(
            "AWS still reports the service in use after retrying for {retried} ({aws_said}); listing its instances \
             failed: {}. Setting force_destroy = true deregisters them before the delete.",
            errors::describe(&e)
        ),
    };
    Diagnostic::error(errors::summary(&format!("deleting {KIND}"), id), detail)
        .at(AttrPath::attr("force_destroy"))
}

#[async_trait]
impl Resource<AwsClients> for DiscoveryService {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        ss::validate(config, diags);
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
        // Adding or removing custom health checking can only be done by recreating the service.
        let custom = "health_check_custom_config";
        if !req.is_create()
            && req.prior.get(custom).elements().len() != plan.state.get(custom).elements().len()
        {
            plan.requires_replace.push(AttrPath::attr(custom));
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = planned.str("name").unwrap_or_default().to_string();
        let set = ctx.client.regional(planned);
        let sd = set.servicediscovery();
        let all_tags = tags::from_planned(planned);
        let out = sd
            .create_service()
            .name(&name)
            .creator_request_id(request_id())
            .set_namespace_id(ss::namespace_id(planned))
            .set_description(planned.str("description").map(str::to_string))
            .set_type(planned.str("type").map(ServiceTypeOption::from))
            .set_dns_config(ss::dns_config(planned))
            .set_health_check_config(ss::health_check_config(planned))
            .set_health_check_custom_config(ss::health_check_custom_config(planned))
            .set_tags((!all_tags.is_empty()).then(|| super::to_sd_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("creating {KIND}"), &name, &e))?;
        let Some(id) = out.service().and_then(|s| s.id()).map(str::to_string) else {
            return Err(Diagnostic::error(
                errors::summary(&format!("creating {KIND}"), &name),
                "CreateService returned no service ID",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(id.as_str()));
        // CreateService answers with the service as stored (ARN, DNS and health check settings)
        // and tags it with exactly the tags sent: that is the state, with no GetService.
        if let Some(svc) = out.service().filter(|s| s.arn().is_some()) {
            return state_of(sd, &ctx.client, svc, planned, set.region(), Some(&all_tags))
                .await
                .map_err(|d| ApplyError::with_state(d, partial));
        }
        read_fresh(ctx, planned, &id)
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
                "the state has no service ID (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let sd = set.servicediscovery();
        let svc = match sd.get_service().id(id).send().await {
            Ok(out) => out.service().cloned(),
            Err(e) if errors::is_not_found(&e) => None,
            Err(e) => return Err(errors::aws_diag(&format!("reading {KIND}"), id, &e).into()),
        };
        let Some(svc) = svc else {
            log_warn!(
                "Service Discovery Service not found, removing from state",
                "id" = id
            );
            return Ok(None);
        };
        Ok(Some(
            state_of(sd, &ctx.client, &svc, state, set.region(), None).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let id = prior.str("id").unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let sd = set.servicediscovery();
        let changed = |k: &str| !prior.get(k).equivalent(planned.get(k));
        if changed("description") || changed("dns_config") || changed("health_check_config") {
            // UpdateService replaces the whole mutable configuration: omitted DNS records or
            // health check settings would be deleted, so everything planned is sent.
            let change = ServiceChange::builder()
                .description(planned.str("description").unwrap_or_default())
                .set_dns_config(ss::dns_config_change(planned))
                .set_health_check_config(ss::health_check_config(planned))
                .build();
            let out = sd
                .update_service()
                .id(&id)
                .service(change)
                .send()
                .await
                .map_err(|e| errors::aws_diag(&format!("updating {KIND}"), &id, &e))?;
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
        Ok(read_fresh(ctx, planned, &id).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(id) = prior.str("id") else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        let sd = set.servicediscovery();
        if prior.bool("force_destroy") == Some(true) {
            deregister_all(ctx, sd, id).await?;
        }
        let sent = retry::retry_when(
            &ctx.stop,
            "deleting the service while instances are being deregistered",
            IN_USE_RETRY,
            |e| errors::has_code(e, "ResourceInUse"),
            || sd.delete_service().id(id).send(),
        )
        .await;
        match sent {
            Ok(_) => Ok(()),
            Err(RetryError::Failed(e)) if errors::is_not_found(&e) => Ok(()),
            Err(e)
                if e.error()
                    .is_some_and(|e| errors::has_code(e, "ResourceInUse")) =>
            {
                let aws_said = e.error().map(errors::describe).unwrap_or_default();
                Err(in_use_diag(sd, id, &aws_said).await.into())
            }
            Err(e) => Err(e.diag(&format!("deleting {KIND}"), id).into()),
        }
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (id, region) = split_import_region(id.trim());
        if id.is_empty() || id.contains(':') || id.contains('/') {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a Cloud Map service ID such as srv-abcd1234efgh5678 (optionally @region), got {id:?}"),
            )
            .into());
        }
        Ok(Value::object([
            ("id", Value::from(id)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(DiscoveryService)
}
