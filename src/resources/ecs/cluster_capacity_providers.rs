//! `awsecs_ecs_cluster_capacity_providers`, the twin of `aws_ecs_cluster_capacity_providers`: which
//! capacity providers a cluster may use and its default strategy. ID and import ID: the cluster
//! name. Create and update are one PutClusterCapacityProviders; delete puts empty lists, which is
//! what lets a capacity provider be deleted after it (destroy order follows the references).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{CapacityProviderStrategyItem, Cluster};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::cluster_support::{
    check_cluster_name, cluster_name_validator, find_cluster, is_update_in_progress, CLUSTER_WAIT,
};
use crate::aws::readback::string_set_or_null;
use crate::aws::retry::{self, Poll, WaitPolicy};
use crate::aws::{errors, plan_region, region_attribute, split_import_region, AwsClients};
use crate::framework::{
    validators, ApplyResult, Attribute, Block, Ctx, Diagnostic, Diagnostics, NestedBlock, Plan,
    PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_ecs_cluster_capacity_providers";
const KIND: &str = "ECS Cluster Capacity Providers";
/// hashicorp/aws retries the put for 10 minutes.
const PUT_RETRY: Duration = Duration::from_secs(10 * 60);

pub struct ClusterCapacityProviders;

pub fn schema() -> Schema {
    let strategy = Block::new()
        .attr(
            Attribute::number("base")
                .desc("Tasks placed on this provider before weights apply.")
                .default(0)
                .validate(validators::int_between(0, 100_000)),
        )
        .attr(
            Attribute::string("capacity_provider")
                .desc("Name of the capacity provider.")
                .required(),
        )
        .attr(
            Attribute::number("weight")
                .desc("Relative share of tasks placed on this provider.")
                .default(0)
                .validate(validators::int_between(0, 1000)),
        );
    Schema::new(
        Block::new()
            .attr(
                Attribute::string_set("capacity_providers")
                    .desc("Names of the capacity providers the cluster can use.")
                    .optional(),
            )
            .attr(
                Attribute::string("cluster_name")
                    .desc("Name of the cluster.")
                    .required()
                    .force_new()
                    .validate(cluster_name_validator()),
            )
            .attr(
                Attribute::string("id")
                    .desc("Name of the cluster.")
                    .optional_computed(),
            )
            .attr(region_attribute())
            .block(
                NestedBlock::set("default_capacity_provider_strategy", strategy)
                    .desc("Default strategy for services and tasks that set none."),
            ),
    )
    .desc("Manages which capacity providers a cluster uses and its default strategy.")
}

fn strategy_of(v: &Value) -> Vec<CapacityProviderStrategyItem> {
    v.get("default_capacity_provider_strategy")
        .elements()
        .iter()
        .filter_map(|s| {
            CapacityProviderStrategyItem::builder()
                .capacity_provider(s.str("capacity_provider")?)
                .set_weight(s.i64("weight").and_then(|n| i32::try_from(n).ok()))
                .set_base(s.i64("base").and_then(|n| i32::try_from(n).ok()))
                .build()
                .ok()
        })
        .collect()
}

fn read_state(c: &Cluster, reference: &Value, region: &str) -> Value {
    let name = c.cluster_name().unwrap_or_default();
    let strategy = c
        .default_capacity_provider_strategy()
        .iter()
        .map(|s| {
            Value::object([
                ("base", Value::int(i64::from(s.base()))),
                ("capacity_provider", Value::from(s.capacity_provider())),
                ("weight", Value::int(i64::from(s.weight()))),
            ])
        })
        .collect();
    Value::object([
        (
            "capacity_providers",
            string_set_or_null(c.capacity_providers(), reference.get("capacity_providers")),
        ),
        ("cluster_name", Value::from(name)),
        ("id", Value::from(name)),
        ("region", Value::from(region)),
        ("default_capacity_provider_strategy", Value::Set(strategy)),
    ])
}

/// Conditions that clear by themselves: the cluster is still provisioning, or ECS is busy with an
/// earlier change to it or to one of the providers.
fn is_transient<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::code_and_message_contains(e, "ClientException", "Cluster was not ACTIVE")
        || errors::has_code(e, "ResourceInUseException")
        || is_update_in_progress(e)
}

/// The cluster is gone (deleted, or INACTIVE after a delete).
fn is_cluster_gone<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::is_not_found(e)
        || (errors::has_code(e, "ClientException")
            && e.message().is_some_and(|m| {
                let m = m.to_ascii_lowercase();
                m.contains("not found") || m.contains("inactive")
            }))
}

/// PutClusterCapacityProviders with the retries above, then waits for the cluster to settle.
/// Ok(None) when the cluster does not exist.
async fn put(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    providers: Vec<String>,
    strategy: Vec<CapacityProviderStrategyItem>,
    op: &str,
) -> Result<Option<Cluster>, Diagnostic> {
    let cluster = reference.str("cluster_name").unwrap_or_default();
    let set = ctx.client.regional(reference);
    let ecs = set.ecs();
    let r = retry::retry_when(
        &ctx.stop,
        "associating capacity providers while the cluster settles",
        PUT_RETRY,
        is_transient,
        // PutClusterCapacityProviders sets the whole list: a retry after a lost reply is harmless.
        || {
            ecs.put_cluster_capacity_providers()
                .cluster(cluster)
                .set_capacity_providers(Some(providers.clone()))
                .set_default_capacity_provider_strategy(Some(strategy.clone()))
                .send()
        },
    )
    .await;
    match r {
        // The answer carries the cluster: when it is already ACTIVE there is nothing to wait for
        // and no need to describe it again.
        Ok(out) => {
            if let Some(c) = out.cluster.filter(|c| c.status() == Some("ACTIVE")) {
                return Ok(Some(c));
            }
        }
        Err(e) if e.error().is_some_and(is_cluster_gone) => return Ok(None),
        Err(e) => return Err(e.diag(op, cluster)),
    }
    retry::wait_until(
        &ctx.stop,
        "waiting for the cluster to become ACTIVE",
        WaitPolicy::new(CLUSTER_WAIT),
        || async {
            Ok(match find_cluster(ecs, cluster, false).await? {
                Some(c) if c.status() == Some("ACTIVE") => Poll::Ready(Some(c)),
                Some(c) => Poll::Pending(c.status().unwrap_or("unknown").to_string()),
                None => Poll::Ready(None),
            })
        },
    )
    .await
    .map_err(|e: retry::RetryError<String>| e.diag_with(op, cluster, |s| s.clone()))
}

#[async_trait]
impl Resource<AwsClients> for ClusterCapacityProviders {
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
        if req.is_create() {
            if let Some(name) = req.config.str("cluster_name") {
                plan.state.set("id", Value::from(name));
            }
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        self.update(ctx, &Value::Null, planned).await
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(name) = state.str("cluster_name").or_else(|| state.str("id")) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no cluster name",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let found = find_cluster(set.ecs(), name, false)
            .await
            .map_err(|m| Diagnostic::error(errors::summary(&format!("reading {KIND}"), name), m))?;
        let Some(c) = found else {
            log_warn!(
                "ECS cluster not found, removing its capacity providers from state",
                "cluster" = name
            );
            return Ok(None);
        };
        Ok(Some(read_state(&c, state, set.region())))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, _prior: &Value, planned: &Value) -> ApplyResult {
        let cluster = planned.str("cluster_name").unwrap_or_default();
        let op = format!("updating {KIND}");
        let found = put(
            ctx,
            planned,
            planned.strings("capacity_providers"),
            strategy_of(planned),
            &op,
        )
        .await?;
        let Some(c) = found else {
            return Err(Diagnostic::error(
                errors::summary(&op, cluster),
                "the cluster does not exist (create the awsecs_ecs_cluster first)",
            )
            .at(crate::framework::AttrPath::attr("cluster_name"))
            .into());
        };
        Ok(read_state(
            &c,
            planned,
            ctx.client.regional(planned).region(),
        ))
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let op = format!("deleting {KIND}");
        // A cluster that is already gone has no associations left: success.
        put(ctx, prior, Vec::new(), Vec::new(), &op)
            .await
            .map(|_| ())
            .map_err(Diagnostics::from)
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (name, region) = split_import_region(id.trim());
        if let Err(msg) = check_cluster_name(name) {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected an ECS cluster name (optionally name@region): {msg}"),
            )
            .into());
        }
        Ok(Value::object([
            ("id", Value::from(name)),
            ("cluster_name", Value::from(name)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(ClusterCapacityProviders)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;
    use crate::framework::AttrPath;

    #[test]
    fn schema_and_strategy_bounds_match_the_twin() {
        let b = schema().block;
        let s = &b
            .nested("default_capacity_provider_strategy")
            .unwrap()
            .block;
        assert_eq!(s.attribute("weight").unwrap().default, Some(Value::int(0)));
        assert_eq!(s.attribute("base").unwrap().default, Some(Value::int(0)));
        assert!(b.attribute("cluster_name").unwrap().force_new);
        let cfg = b.conform(Value::object([
            ("cluster_name", Value::from("c")),
            (
                "default_capacity_provider_strategy",
                Value::Set(vec![Value::object([
                    ("capacity_provider", "cp".into()),
                    ("weight", Value::int(1001)),
                ])]),
            ),
        ]));
        let mut d = Diagnostics::new();
        validate_object(&b, &cfg, &AttrPath::root(), &mut d);
        assert_eq!(
            d.0[0].path.as_ref().unwrap().to_string(),
            "default_capacity_provider_strategy[0].weight"
        );
    }

    #[test]
    fn empty_provider_lists_read_as_configured() {
        let c = Cluster::builder().cluster_name("c").build();
        let s = read_state(&c, &Value::Null, "us-east-1");
        assert_eq!(s.get("capacity_providers"), &Value::Null);
        assert_eq!(
            s.get("default_capacity_provider_strategy"),
            &Value::Set(vec![])
        );
        let s = read_state(
            &c,
            &Value::object([("capacity_providers", Value::Set(vec![]))]),
            "us-east-1",
        );
        assert_eq!(s.get("capacity_providers"), &Value::Set(vec![]));
    }
}
