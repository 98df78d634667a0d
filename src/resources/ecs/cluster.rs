//! `awsecs_ecs_cluster`, the twin of `aws_ecs_cluster`. ID: the cluster ARN. Import ID: the
//! cluster name (turned into the ARN, as hashicorp/aws does); an ARN or `name@region` also works.
//!
//! `setting` is optional+computed in the twin, but Terraform does not let a provider plan blocks
//! the configuration leaves out, so settings are read back only when the state (or an import)
//! manages them. Likewise `configuration` that only restates ECS's defaults reads as absent.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    Cluster, ClusterConfiguration, ClusterServiceConnectDefaultsRequest, ClusterSetting,
    ClusterSettingName, ExecuteCommandConfiguration, ExecuteCommandLogConfiguration,
    ExecuteCommandLogging, ManagedStorageConfiguration,
};

use super::cluster_support::{
    check_cluster_name, cluster_name_of, cluster_name_validator, find_cluster,
    is_update_in_progress, wait_cluster_active, CLUSTER_WAIT,
};
use crate::aws::readback::optional;
use crate::aws::retry::{self, Poll, WaitPolicy, PROPAGATION_TIMEOUT};
use crate::aws::{
    errors, plan_region, region_attribute, split_import_region, tag_lists, tags, AwsClients,
};
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    NestedBlock, Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_ecs_cluster";
const KIND: &str = "ECS Cluster";
/// ClusterSettingName values the ECS API accepts.
const SETTING_NAMES: &[&str] = &["containerInsights"];

pub struct EcsCluster;

pub fn schema() -> Schema {
    let log_configuration = Block::new()
        .attr(
            Attribute::bool("cloud_watch_encryption_enabled")
                .desc("Whether the CloudWatch log group output is encrypted.")
                .optional(),
        )
        .attr(
            Attribute::string("cloud_watch_log_group_name")
                .desc("Log group that receives execute-command output.")
                .optional(),
        )
        .attr(
            Attribute::bool("s3_bucket_encryption_enabled")
                .desc("Whether the S3 output is encrypted.")
                .optional(),
        )
        .attr(
            Attribute::string("s3_bucket_name")
                .desc("S3 bucket that receives execute-command output.")
                .optional(),
        )
        .attr(
            Attribute::string("s3_key_prefix")
                .desc("Key prefix of the S3 output.")
                .optional(),
        );
    let execute_command = Block::new()
        .attr(
            Attribute::string("kms_key_id")
                .desc("KMS key that encrypts data between the client and the container.")
                .optional(),
        )
        .attr(
            Attribute::string("logging")
                .desc("Where execute-command output goes: `NONE`, `DEFAULT` or `OVERRIDE`.")
                .default("DEFAULT")
                .validate(validators::one_of(&["NONE", "DEFAULT", "OVERRIDE"])),
        )
        .block(
            NestedBlock::list("log_configuration", log_configuration)
                .desc("Destinations of execute-command output when `logging` is `OVERRIDE`.")
                .max(1),
        );
    let managed_storage = Block::new()
        .attr(
            Attribute::string("fargate_ephemeral_storage_kms_key_id")
                .desc("KMS key for Fargate ephemeral storage.")
                .optional(),
        )
        .attr(
            Attribute::string("kms_key_id")
                .desc("KMS key for managed storage.")
                .optional(),
        );
    let configuration = Block::new()
        .block(
            NestedBlock::list("execute_command_configuration", execute_command)
                .desc("Settings of ECS Exec.")
                .max(1),
        )
        .block(
            NestedBlock::list("managed_storage_configuration", managed_storage)
                .desc("Encryption of managed storage.")
                .max(1),
        );
    let service_connect = Block::new().attr(
        Attribute::string("namespace")
            .desc("ARN of the Cloud Map namespace services join by default.")
            .required()
            .validate(validators::arn()),
    );
    let setting = Block::new()
        .attr(
            Attribute::string("name")
                .desc("Setting name; only `containerInsights`.")
                .required()
                .validate(validators::one_of(SETTING_NAMES)),
        )
        .attr(
            Attribute::string("value")
                .desc("Setting value: `enhanced`, `enabled` or `disabled`.")
                .required(),
        );
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the cluster.")
                    .computed(),
            )
            .attr(
                Attribute::string("id")
                    .desc("ARN of the cluster.")
                    .optional_computed(),
            )
            .attr(
                Attribute::string("name")
                    .desc("Name of the cluster.")
                    .required()
                    .force_new()
                    .validate(cluster_name_validator()),
            )
            .attr(region_attribute())
            .attr(tags)
            .attr(tags_all)
            .block(
                NestedBlock::list("configuration", configuration)
                    .desc("Cluster configuration (ECS Exec, managed storage).")
                    .max(1),
            )
            .block(
                NestedBlock::list("service_connect_defaults", service_connect)
                    .desc("Default Service Connect namespace of the cluster.")
                    .max(1),
            )
            .block(
                NestedBlock::set("setting", setting)
                    .desc("A cluster setting, e.g. Container Insights."),
            ),
    )
    .desc("Manages an ECS cluster.")
}

/// The single element of a max-1 list block inside `v`.
fn one<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.get(name).elements().first()
}

fn list_of(v: Option<Value>) -> Value {
    Value::List(v.into_iter().collect())
}

fn settings_of(v: &Value) -> Vec<ClusterSetting> {
    v.get("setting")
        .elements()
        .iter()
        .filter_map(|s| {
            Some(
                ClusterSetting::builder()
                    .name(ClusterSettingName::from(s.str("name")?))
                    .value(s.str("value")?)
                    .build(),
            )
        })
        .collect()
}

fn configuration_of(v: &Value) -> Option<ClusterConfiguration> {
    let c = one(v, "configuration")?;
    let mut b = ClusterConfiguration::builder();
    if let Some(e) = one(c, "execute_command_configuration") {
        let log = one(e, "log_configuration").map(|l| {
            ExecuteCommandLogConfiguration::builder()
                .set_cloud_watch_encryption_enabled(l.bool("cloud_watch_encryption_enabled"))
                .set_cloud_watch_log_group_name(
                    l.str("cloud_watch_log_group_name").map(str::to_string),
                )
                .set_s3_encryption_enabled(l.bool("s3_bucket_encryption_enabled"))
                .set_s3_bucket_name(l.str("s3_bucket_name").map(str::to_string))
                .set_s3_key_prefix(l.str("s3_key_prefix").map(str::to_string))
                .build()
        });
        b = b.execute_command_configuration(
            ExecuteCommandConfiguration::builder()
                .set_kms_key_id(e.str("kms_key_id").map(str::to_string))
                .set_logging(e.str("logging").map(ExecuteCommandLogging::from))
                .set_log_configuration(log)
                .build(),
        );
    }
    if let Some(m) = one(c, "managed_storage_configuration") {
        b = b.managed_storage_configuration(
            ManagedStorageConfiguration::builder()
                .set_kms_key_id(m.str("kms_key_id").map(str::to_string))
                .set_fargate_ephemeral_storage_kms_key_id(
                    m.str("fargate_ephemeral_storage_kms_key_id")
                        .map(str::to_string),
                )
                .build(),
        );
    }
    Some(b.build())
}

/// `configuration` as state. Nested blocks are reported when they hold something other than ECS's
/// defaults, or when the reference has them (so configuring the defaults is not a diff either).
fn read_configuration(c: Option<&ClusterConfiguration>, reference: &Value) -> Value {
    let r = one(reference, "configuration");
    let r_exec = r.and_then(|r| one(r, "execute_command_configuration"));
    let r_log = r_exec.and_then(|r| one(r, "log_configuration"));
    let r_storage = r.and_then(|r| one(r, "managed_storage_configuration"));
    let null = Value::Null;
    let rl = |k: &str| r_log.map(|l| l.get(k)).unwrap_or(&null);

    let exec = c.and_then(|c| c.execute_command_configuration());
    let log = exec.and_then(|e| e.log_configuration()).map(|l| {
        Value::object([
            (
                "cloud_watch_encryption_enabled",
                optional(
                    Some(Value::Bool(l.cloud_watch_encryption_enabled())),
                    rl("cloud_watch_encryption_enabled"),
                ),
            ),
            (
                "cloud_watch_log_group_name",
                optional(
                    l.cloud_watch_log_group_name().map(Value::from),
                    rl("cloud_watch_log_group_name"),
                ),
            ),
            (
                "s3_bucket_encryption_enabled",
                optional(
                    Some(Value::Bool(l.s3_encryption_enabled())),
                    rl("s3_bucket_encryption_enabled"),
                ),
            ),
            (
                "s3_bucket_name",
                optional(l.s3_bucket_name().map(Value::from), rl("s3_bucket_name")),
            ),
            (
                "s3_key_prefix",
                optional(l.s3_key_prefix().map(Value::from), rl("s3_key_prefix")),
            ),
        ])
    });
    let log = log.filter(|l| r_log.is_some() || !all_null(l));
    let exec = exec.map(|e| {
        Value::object([
            ("kms_key_id", Value::opt_string(e.kms_key_id())),
            (
                "logging",
                Value::from(e.logging().map(|l| l.as_str()).unwrap_or("DEFAULT")),
            ),
            ("log_configuration", list_of(log.clone())),
        ])
    });
    let exec = exec.filter(|e| {
        r_exec.is_some()
            || !e.get("kms_key_id").is_null()
            || e.str("logging") != Some("DEFAULT")
            || log.is_some()
    });
    let storage = c.and_then(|c| c.managed_storage_configuration()).map(|m| {
        Value::object([
            (
                "fargate_ephemeral_storage_kms_key_id",
                Value::opt_string(m.fargate_ephemeral_storage_kms_key_id()),
            ),
            ("kms_key_id", Value::opt_string(m.kms_key_id())),
        ])
    });
    let storage = storage.filter(|m| r_storage.is_some() || !all_null(m));
    if exec.is_none() && storage.is_none() && r.is_none() {
        return Value::List(vec![]);
    }
    list_of(Some(Value::object([
        ("execute_command_configuration", list_of(exec)),
        ("managed_storage_configuration", list_of(storage)),
    ])))
}

fn all_null(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().all(Value::is_null),
        _ => true,
    }
}

fn read_state(c: &Cluster, reference: &Value, clients: &AwsClients, region: &str) -> Value {
    let arn = c.cluster_arn().unwrap_or_default();
    // An import stub has no ARN yet: read everything ECS reports.
    let importing = reference.get("arn").is_null();
    let settings = if importing || !reference.get("setting").elements().is_empty() {
        c.settings()
            .iter()
            .filter_map(|s| {
                Some(Value::object([
                    ("name", Value::from(s.name()?.as_str())),
                    ("value", Value::from(s.value()?)),
                ]))
            })
            .collect()
    } else {
        Vec::new()
    };
    let (tags, tags_all) = tags::split_read(
        &tag_lists::from_ecs(c.tags()),
        clients.default_tags(),
        reference.get("tags"),
    );
    let connect = c
        .service_connect_defaults()
        .and_then(|d| d.namespace())
        .filter(|n| !n.is_empty())
        .map(|n| Value::object([("namespace", Value::from(n))]));
    Value::object([
        ("arn", Value::from(arn)),
        ("id", Value::from(arn)),
        ("name", Value::opt_string(c.cluster_name())),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
        (
            "configuration",
            read_configuration(c.configuration(), reference),
        ),
        ("service_connect_defaults", list_of(connect)),
        ("setting", Value::Set(settings)),
    ])
}

/// The first cluster in an account makes ECS create its service-linked role; until IAM has it,
/// CreateCluster fails with this message.
fn is_service_linked_role_pending<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(
    e: &E,
) -> bool {
    errors::code_and_message_contains(
        e,
        "InvalidParameterException",
        "Unable to assume the service linked role",
    )
}

/// What stops a cluster delete for a while: container instances still deregistering, services or
/// tasks still draining, capacity providers being detached, an update in flight.
fn blocks_delete<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(e: &E) -> bool {
    [
        "ClusterContainsContainerInstancesException",
        "ClusterContainsServicesException",
        "ClusterContainsTasksException",
        "ClusterContainsCapacityProviderException",
    ]
    .iter()
    .any(|c| errors::has_code(e, c))
        || is_update_in_progress(e)
}

#[async_trait]
impl Resource<AwsClients> for EcsCluster {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// hashicorp/aws reads the cluster's settings into state even when unconfigured; here a
    /// setting in state is managed, so AWS's default (`containerInsights = disabled`) is dropped
    /// to keep the first plan after the move empty for a configuration without `setting`.
    fn adapt_twin_state(&self, _: i64, state: &mut serde_json::Value, _: &mut Diagnostics) {
        if let Some(settings) = state.get_mut("setting").and_then(|s| s.as_array_mut()) {
            settings.retain(|s| !(s["name"] == "containerInsights" && s["value"] == "disabled"));
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
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = planned.str("name").unwrap_or_default().to_string();
        let set = ctx.client.regional(planned);
        let ecs = set.ecs();
        let op = format!("creating {KIND}");
        let all_tags = tags::from_planned(planned);
        let settings = settings_of(planned);
        let wants_settings = !settings.is_empty();
        let connect = one(planned, "service_connect_defaults")
            .and_then(|d| d.str("namespace"))
            .and_then(|n| {
                ClusterServiceConnectDefaultsRequest::builder()
                    .namespace(n)
                    .build()
                    .ok()
            });
        // A lost reply needs nothing special: CreateCluster for a name that is ACTIVE answers with
        // that cluster, so the SDK's retry returns the cluster the lost attempt created.
        let req = ecs
            .create_cluster()
            .cluster_name(&name)
            .set_settings((!settings.is_empty()).then_some(settings))
            .set_configuration(configuration_of(planned))
            .set_service_connect_defaults(connect)
            .set_tags((!all_tags.is_empty()).then(|| tag_lists::to_ecs(&all_tags)));
        let out = retry::retry_when(
            &ctx.stop,
            "creating the cluster while ECS's service-linked role propagates",
            PROPAGATION_TIMEOUT,
            is_service_linked_role_pending,
            || req.clone().send(),
        )
        .await
        .map_err(|e| e.diag(&op, &name))?;
        let arn = out
            .cluster()
            .and_then(|c| c.cluster_arn())
            .unwrap_or_default()
            .to_string();

        let mut partial = planned.clone();
        partial.set("id", Value::from(arn.as_str()));
        partial.set("arn", Value::from(arn.as_str()));
        let key = if arn.is_empty() {
            name.as_str()
        } else {
            arn.as_str()
        };
        // CreateCluster answers with the whole cluster (settings, configuration, tags): when it is
        // ACTIVE already, that answer is the state and there is nothing to wait for.
        if let Some(c) = out.cluster().filter(|c| {
            c.status() == Some("ACTIVE")
                && (all_tags.is_empty() || !c.tags().is_empty())
                && (!wants_settings || !c.settings().is_empty())
        }) {
            return Ok(read_state(c, planned, &ctx.client, set.region()));
        }
        match wait_cluster_active(&ctx.stop, ecs, key, CLUSTER_WAIT, &op).await {
            Ok(c) => Ok(read_state(&c, planned, &ctx.client, set.region())),
            Err(d) => Err(ApplyError::with_state(d, partial)),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(id) = state.str("id").or_else(|| state.str("name")) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no cluster ARN (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let found = find_cluster(set.ecs(), id, true).await.map_err(|m| {
            Diagnostic::error(
                errors::summary(&format!("reading {KIND}"), cluster_name_of(id)),
                m,
            )
        })?;
        let Some(c) = found else {
            log_warn!("ECS Cluster not found, removing from state", "id" = id);
            return Ok(None);
        };
        Ok(Some(read_state(&c, state, &ctx.client, set.region())))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let arn = prior
            .str("arn")
            .or_else(|| prior.str("id"))
            .unwrap_or_default()
            .to_string();
        let name = cluster_name_of(&arn).to_string();
        let set = ctx.client.regional(prior);
        let ecs = set.ecs();
        let op = format!("updating {KIND}");
        let changed = |k: &str| !prior.get(k).equivalent(planned.get(k));
        if changed("setting") || changed("configuration") || changed("service_connect_defaults") {
            let settings = settings_of(planned);
            // No configuration block means ECS's defaults; no namespace is cleared with "".
            let configuration = configuration_of(planned).unwrap_or_else(|| {
                ClusterConfiguration::builder()
                    .execute_command_configuration(
                        ExecuteCommandConfiguration::builder()
                            .logging(ExecuteCommandLogging::Default)
                            .build(),
                    )
                    .build()
            });
            let namespace = one(planned, "service_connect_defaults")
                .and_then(|d| d.str("namespace"))
                .unwrap_or_default();
            let mut req = ecs.update_cluster().cluster(&arn);
            if changed("setting") && !settings.is_empty() {
                req = req.set_settings(Some(settings));
            }
            if changed("configuration") {
                req = req.configuration(configuration);
            }
            if changed("service_connect_defaults") {
                req = req.set_service_connect_defaults(
                    ClusterServiceConnectDefaultsRequest::builder()
                        .namespace(namespace)
                        .build()
                        .ok(),
                );
            }
            retry::retry_when(
                &ctx.stop,
                "updating the cluster while an earlier change finishes",
                CLUSTER_WAIT,
                is_update_in_progress,
                || req.clone().send(),
            )
            .await
            .map_err(|e| e.diag(&op, &name))?;
            wait_cluster_active(&ctx.stop, ecs, &arn, CLUSTER_WAIT, &op).await?;
        }
        if changed("tags_all") {
            let diff = tags::diff(
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            );
            if !diff.remove.is_empty() {
                ecs.untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(diff.remove.clone()))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("untagging {KIND}"),
                            &name,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
            if !diff.upsert.is_empty() {
                ecs.tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(tag_lists::to_ecs(&diff.upsert)))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("tagging {KIND}"),
                            &name,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
        }
        let c = find_cluster(ecs, &arn, true)
            .await
            .map_err(|m| Diagnostic::error(errors::summary(&op, &name), m))?
            .ok_or_else(|| {
                Diagnostic::error(
                    errors::summary(&op, &name),
                    "the cluster disappeared during the update",
                )
            })?;
        Ok(read_state(&c, planned, &ctx.client, set.region()))
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(arn) = prior.str("arn").or_else(|| prior.str("id")) else {
            return Ok(());
        };
        let name = cluster_name_of(arn);
        let set = ctx.client.regional(prior);
        let ecs = set.ecs();
        let op = format!("deleting {KIND}");
        let r = retry::retry_when(
            &ctx.stop,
            "deleting the cluster while its instances, services and tasks drain",
            CLUSTER_WAIT,
            blocks_delete,
            || ecs.delete_cluster().cluster(arn).send(),
        )
        .await;
        match r {
            // DeleteCluster answers with the cluster; INACTIVE is the end state, so no describe
            // to see it. Only a cluster still DEPROVISIONING its attachments is waited for.
            Ok(out) if deleted_at_once(out.cluster()) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.error().is_some_and(errors::is_not_found) => return Ok(()),
            Err(e) => {
                let mut d = e.diag(&op, name);
                if e.error().is_some_and(blocks_delete) {
                    d.detail.push_str(". Destroy the cluster's services, and scale in or deregister its container instances, before the cluster.");
                }
                return Err(d.into());
            }
        }
        retry::wait_until(
            &ctx.stop,
            "waiting for the cluster to be deleted",
            WaitPolicy::new(CLUSTER_WAIT),
            || async {
                Ok(match find_cluster(ecs, arn, false).await? {
                    None => Poll::Ready(()),
                    Some(c) => Poll::Pending(c.status().unwrap_or("unknown").to_string()),
                })
            },
        )
        .await
        .map_err(|e: retry::RetryError<String>| e.diag_with(&op, name, |s| s.clone()).into())
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (given, region) = split_import_region(id.trim());
        let region = region.unwrap_or(ctx.client.region());
        let name = cluster_name_of(given);
        if let Err(msg) = check_cluster_name(name) {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected an ECS cluster name (optionally name@region) or ARN: {msg}"),
            )
            .into());
        }
        let arn = if given.starts_with("arn:") {
            given.to_string()
        } else {
            format!(
                "arn:{}:ecs:{region}:{}:cluster/{name}",
                ctx.client.partition(),
                ctx.client.account_id()
            )
        };
        Ok(Value::object([
            ("id", Value::from(arn)),
            ("name", Value::from(name)),
            ("region", Value::from(region)),
        ]))
    }
}

/// The DeleteCluster answer already shows the cluster INACTIVE (AWS: "the cluster transitions to
/// the INACTIVE state"), so there is nothing left to wait for.
fn deleted_at_once(answer: Option<&Cluster>) -> bool {
    answer.and_then(|c| c.status()) == Some("INACTIVE")
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(EcsCluster)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;
    use aws_sdk_ecs::types::{
        ExecuteCommandConfiguration as Exec, ManagedStorageConfiguration as Storage,
    };

    #[test]
    fn only_an_inactive_delete_answer_skips_the_wait() {
        let with = |s: &str| Cluster::builder().status(s).build();
        assert!(deleted_at_once(Some(&with("INACTIVE"))));
        assert!(!deleted_at_once(Some(&with("DEPROVISIONING"))));
        assert!(!deleted_at_once(Some(&with("ACTIVE"))));
        assert!(!deleted_at_once(None));
    }

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["arn", "id", "name", "region", "tags", "tags_all"]);
        let blocks: Vec<&str> = s.block.blocks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            blocks,
            ["configuration", "service_connect_defaults", "setting"]
        );
        assert!(s.block.attribute("name").unwrap().force_new);
        let exec = &s
            .block
            .nested("configuration")
            .unwrap()
            .block
            .nested("execute_command_configuration")
            .unwrap()
            .block;
        assert_eq!(
            exec.attribute("logging").unwrap().default,
            Some(Value::from("DEFAULT"))
        );
    }

    #[test]
    fn setting_names_and_cluster_names_are_checked() {
        let b = schema().block;
        let cfg = b.conform(Value::object([
            ("name", Value::from("ok")),
            (
                "setting",
                Value::Set(vec![Value::object([
                    ("name", "containerInsight".into()),
                    ("value", "enabled".into()),
                ])]),
            ),
        ]));
        let mut d = Diagnostics::new();
        validate_object(&b, &cfg, &AttrPath::root(), &mut d);
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "setting[0].name");
        assert!(d.0[0].detail.contains("\"containerInsights\""), "{d}");
        let mut d = Diagnostics::new();
        validate_object(
            &b,
            &b.conform(Value::object([("name", Value::from("a.b"))])),
            &AttrPath::root(),
            &mut d,
        );
        assert_eq!(d.0[0].path, Some(AttrPath::attr("name")));
    }

    #[test]
    fn default_configuration_reads_as_absent_unless_configured() {
        let defaults = ClusterConfiguration::builder()
            .execute_command_configuration(
                Exec::builder()
                    .logging(ExecuteCommandLogging::Default)
                    .build(),
            )
            .managed_storage_configuration(Storage::builder().build())
            .build();
        assert_eq!(
            read_configuration(Some(&defaults), &Value::Null),
            Value::List(vec![])
        );
        let configured = Value::object([(
            "configuration",
            Value::List(vec![Value::object([
                (
                    "execute_command_configuration",
                    Value::List(vec![Value::object([("logging", "DEFAULT".into())])]),
                ),
                ("managed_storage_configuration", Value::List(vec![])),
            ])]),
        )]);
        let read = read_configuration(Some(&defaults), &configured);
        let c = &read.elements()[0];
        assert_eq!(
            c.get("execute_command_configuration").elements()[0].str("logging"),
            Some("DEFAULT")
        );
        assert!(c.get("managed_storage_configuration").elements().is_empty());
        let kms = ClusterConfiguration::builder()
            .managed_storage_configuration(Storage::builder().kms_key_id("k").build())
            .build();
        let read = read_configuration(Some(&kms), &Value::Null);
        assert_eq!(
            read.elements()[0]
                .get("managed_storage_configuration")
                .elements()[0]
                .str("kms_key_id"),
            Some("k")
        );
    }

    #[tokio::test]
    async fn import_turns_a_name_into_the_arn() {
        let ctx = crate::resources::testing::offline_ctx();
        let v = EcsCluster.import(&ctx, "prod").await.unwrap();
        assert_eq!(
            v.str("id"),
            Some("arn:aws:ecs:us-east-1:123456789012:cluster/prod")
        );
        assert_eq!(v.str("name"), Some("prod"));
        let v = EcsCluster
            .import(
                &ctx,
                "arn:aws:ecs:eu-west-1:123456789012:cluster/x@eu-west-1",
            )
            .await
            .unwrap();
        assert_eq!(
            (v.str("name"), v.str("region")),
            (Some("x"), Some("eu-west-1"))
        );
        assert!(EcsCluster.import(&ctx, "bad name").await.is_err());
    }
}
