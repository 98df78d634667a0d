//! `awsecs_service_discovery_http_namespace`, the twin of `aws_service_discovery_http_namespace`.
//! ID and import ID: the namespace ID (`ns-…`, `ns-…@region` imports into another region).
//! Everything but the tags replaces the namespace, as in hashicorp/aws.

use std::sync::Arc;

use async_trait::async_trait;

use super::request_id;
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{errors, plan_region, region_attribute, split_import_region, tags, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, Attribute, Block, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest,
    Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_service_discovery_http_namespace";
const KIND: &str = "Service Discovery HTTP Namespace";

pub struct HttpNamespace;

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
                    .optional()
                    .force_new(),
            )
            .attr(
                Attribute::string("http_name")
                    .computed()
                    .desc("The name clients use with DiscoverInstances."),
            )
            .attr(
                Attribute::string("id")
                    .desc("ID of the namespace.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("name")
                    .desc("Name of the namespace.")
                    .required()
                    .force_new()
                    .validate(super::namespace_name_validator()),
            )
            .attr(region_attribute())
            .attr(tags)
            .attr(tags_all),
    )
    .desc("Manages a Cloud Map HTTP namespace (API discovery only, e.g. for ECS Service Connect).")
}

async fn read_state(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    id: &str,
    fresh: bool,
) -> Result<Option<Value>, Diagnostic> {
    let set = ctx.client.regional(reference);
    let sd = set.servicediscovery();
    let ns = if fresh {
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
    super::check_namespace_type(&ns, "HTTP", KIND)?;
    let mut state =
        super::namespace_state(sd, &ctx.client, &ns, reference, set.region(), KIND, None).await?;
    let http_name = ns
        .properties()
        .and_then(|p| p.http_properties())
        .and_then(|h| h.http_name());
    state.set("http_name", Value::opt_string(http_name));
    Ok(Some(state))
}

/// The state of a namespace whose create operation just succeeded, with no GetNamespace: the
/// operation names the ID, the ARN has AWS's documented form, the HTTP name of an HTTP namespace
/// is its name (HttpProperties), and name, description and tags are what was sent. None (read
/// instead) without a known account ID.
pub(super) fn created_state(
    ctx: &Ctx<AwsClients>,
    planned: &Value,
    id: &str,
    name: &str,
    region: &str,
) -> Option<Value> {
    let arn = super::namespace_arn(&ctx.client, region, id)?;
    let (tags, tags_all) = tags::split_read(
        &tags::from_planned(planned),
        ctx.client.default_tags(),
        planned.get("tags"),
    );
    Some(Value::object([
        ("arn", Value::from(arn)),
        (
            "description",
            super::description(planned.str("description"), planned),
        ),
        ("http_name", Value::from(name)),
        ("id", Value::from(id)),
        ("name", Value::from(name)),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
    ]))
}

#[async_trait]
impl Resource<AwsClients> for HttpNamespace {
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
            .create_http_namespace()
            .name(&name)
            .creator_request_id(request_id())
            .set_description(planned.str("description").map(str::to_string))
            .set_tags((!all_tags.is_empty()).then(|| super::to_sd_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("creating {KIND}"), &name, &e))?;
        let op = out.operation_id().unwrap_or_default();
        let id = super::finish_create(ctx, sd, op, planned, KIND, &name).await?;
        if let Some(state) = created_state(ctx, planned, &id, &name, set.region()) {
            return Ok(state);
        }
        let mut partial = planned.clone();
        partial.set("id", Value::from(id.as_str()));
        match read_state(ctx, planned, &id, true).await {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(ApplyError::with_state(
                Diagnostic::error(
                    errors::summary(&format!("reading {KIND}"), &id),
                    "the namespace disappeared right after it was created",
                ),
                partial,
            )),
            Err(d) => Err(ApplyError::with_state(d, partial)),
        }
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
        let found = read_state(ctx, state, id, false).await?;
        if found.is_none() {
            log_warn!(
                "Service Discovery HTTP Namespace not found, removing from state",
                "id" = id
            );
        }
        Ok(found)
    }

    /// Only tags change in place; every other argument forces replacement.
    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let id = prior.str("id").unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let sd = set.servicediscovery();
        super::update_tags(
            sd,
            prior.str("arn").unwrap_or_default(),
            prior,
            planned,
            KIND,
        )
        .await?;
        read_state(ctx, planned, &id, true).await?.ok_or_else(|| {
            Diagnostic::error(
                errors::summary(&format!("reading {KIND}"), &id),
                "the namespace disappeared during the update",
            )
            .into()
        })
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
        if id.is_empty() || id.contains(':') {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a namespace ID such as ns-abcd1234efgh5678 (optionally @region), got {id:?}"),
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
    Arc::new(HttpNamespace)
}
