//! `awsecs_launch_template`, the twin of `aws_launch_template`. ID and import ID: `lt-…`
//! (`lt-…@region` imports from another region).
//!
//! Versions: a change to any launch-data argument (or the version `description`) creates a new
//! version with CreateLaunchTemplateVersion, and with `update_default_version = true` makes it the
//! default. The plan says so: `latest_version` (and `default_version` when it follows) are
//! "known after apply" exactly when a new version will be created, never on tag-only changes.
//! Unlike hashicorp/aws, a description-only change is also announced in the plan (it does create
//! a version there too, but the plan hid it).
//!
//! An instance profile created in the same apply may not be visible to EC2 yet: create and new
//! versions retry AWS's "Invalid IAM Instance Profile" answer for the IAM propagation time.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ec2::error::SdkError;
use aws_sdk_ec2::operation::describe_launch_templates::DescribeLaunchTemplatesError;
use aws_sdk_ec2::types::{LaunchTemplate as ApiTemplate, ResourceType};
use aws_sdk_ec2::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::launch_template_data::{expand, flatten};
use super::launch_template_schema::{schema, DATA_KEYS};
use crate::aws::retry::{self, PROPAGATION_TIMEOUT};
use crate::aws::{ec2_tags, errors, names, plan_region, split_import_region, tags, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, Ctx, Diagnostic, Diagnostics, Plan, PlanRequest, Resource, Schema,
    Value,
};

pub const TYPE: &str = "awsecs_launch_template";
const KIND: &str = "EC2 Launch Template";

pub struct LaunchTemplate;

/// AWS's answer while an instance profile is not yet visible to EC2: `InvalidParameterValue`
/// naming the IAM instance profile ("Invalid IAM Instance Profile name", "...iamInstanceProfile...").
pub fn is_instance_profile_not_ready<E: ProvideErrorMetadata>(e: &E) -> bool {
    let msg = e.message().unwrap_or_default().to_ascii_lowercase();
    errors::has_code(e, "InvalidParameterValue")
        && (msg.contains("instance profile") || msg.contains("iaminstanceprofile"))
}

fn retry_what(planned: &Value) -> String {
    let profile = planned
        .block("iam_instance_profile")
        .and_then(|b| b.str("name").or_else(|| b.str("arn")))
        .unwrap_or("?");
    format!("retrying \"Invalid IAM Instance Profile\" while IAM instance profile {profile} propagates to EC2")
}

async fn find(
    ec2: &Client,
    id: &str,
) -> Result<Option<ApiTemplate>, SdkError<DescribeLaunchTemplatesError>> {
    match ec2
        .describe_launch_templates()
        .launch_template_ids(id)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .launch_templates()
            .iter()
            .find(|t| t.launch_template_id() == Some(id))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_state(
    ctx: &Ctx<AwsClients>,
    ec2: &Client,
    region: &str,
    lt: &ApiTemplate,
    prior: &Value,
) -> Result<Value, Diagnostic> {
    let id = lt.launch_template_id().unwrap_or_default();
    let latest = lt.latest_version_number().unwrap_or(1);
    let out = ec2
        .describe_launch_template_versions()
        .launch_template_id(id)
        .versions(latest.to_string())
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("reading {KIND} version {latest}"), id, &e))?;
    let version = out
        .launch_template_versions()
        .iter()
        .find(|v| v.version_number() == Some(latest))
        .ok_or_else(|| {
            Diagnostic::error(
                format!("reading {KIND} ({id})"),
                format!("version {latest} was not returned by DescribeLaunchTemplateVersions"),
            )
        })?;
    let name = lt.launch_template_name().unwrap_or_default();
    let (tags, tags_all) = tags::split_read(
        &ec2_tags::from_ec2(lt.tags()),
        ctx.client.default_tags(),
        prior.get("tags"),
    );
    let mut v = Value::object([
        (
            "arn",
            Value::from(format!(
                "arn:{}:ec2:{region}:{}:launch-template/{id}",
                ctx.client.partition(),
                ctx.client.account_id()
            )),
        ),
        (
            "default_version",
            Value::opt_int(lt.default_version_number()),
        ),
        (
            "description",
            super::common::read_str(version.version_description(), prior.get("description")),
        ),
        ("id", Value::from(id)),
        ("latest_version", Value::int(latest)),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
        (
            "update_default_version",
            prior.get("update_default_version").clone(),
        ),
    ]);
    let empty = aws_sdk_ec2::types::ResponseLaunchTemplateData::builder().build();
    let data = version.launch_template_data().unwrap_or(&empty);
    for (k, val) in flatten(data, prior) {
        v.set(k, val);
    }
    Ok(v)
}

/// Reads the template right after a write, retrying "not found" while EC2 catches up.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    id: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let ec2 = set.ec2();
    let lt = retry::retry_when(
        &ctx.stop,
        "waiting for the new launch template to be readable",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || async {
            find(ec2, id).await?.ok_or_else(|| {
                SdkError::construction_failure("the launch template is not visible yet (NotFound)")
            })
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), id))?;
    read_state(ctx, ec2, set.region(), &lt, reference).await
}

fn data_changed(prior: &Value, planned: &Value) -> bool {
    DATA_KEYS
        .iter()
        .any(|k| !prior.get(k).equivalent(planned.get(k)))
}

#[async_trait]
impl Resource<AwsClients> for LaunchTemplate {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// hashicorp/aws stores `aws_launch_template` at schema version 1, as we do.
    fn twin_state(&self) -> crate::framework::TwinState {
        crate::framework::TwinState {
            schema_version: 1,
            ..Default::default()
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
            // A fixed name has no prefix; no name at all means the default prefix.
            let (name, prefix) = (req.config.get("name"), req.config.get("name_prefix"));
            if let (Some(n), true) = (name.as_str(), prefix.is_null()) {
                plan.state
                    .set("name_prefix", Value::opt_string(names::prefix_from_name(n)));
            } else if name.is_null() && prefix.is_null() {
                plan.state
                    .set("name_prefix", Value::from(names::DEFAULT_PREFIX));
            }
            return;
        }
        let changed = data_changed(req.prior, &plan.state);
        if changed {
            plan.state.set("latest_version", Value::Unknown);
        }
        if plan.state.bool("update_default_version") == Some(true) {
            if changed {
                plan.state.set("default_version", Value::Unknown);
            } else {
                // Turning the flag on makes the latest version the default right away.
                plan.state
                    .set("default_version", req.prior.get("latest_version").clone());
            }
        }
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let set = ctx.client.regional(planned);
        let ec2 = set.ec2();
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        let all_tags = tags::from_planned(planned);
        let token = names::unique_id("terraform-");
        let has_profile = planned.block("iam_instance_profile").is_some();
        let out = retry::retry_when(
            &ctx.stop,
            &retry_what(planned),
            PROPAGATION_TIMEOUT,
            |e| has_profile && is_instance_profile_not_ready(e),
            || {
                ec2.create_launch_template()
                    .client_token(&token)
                    .launch_template_name(&name)
                    .set_version_description(planned.str("description").map(str::to_string))
                    .launch_template_data(expand(planned))
                    .set_tag_specifications(
                        ec2_tags::specification(ResourceType::LaunchTemplate, &all_tags)
                            .map(|s| vec![s]),
                    )
                    .send()
            },
        )
        .await
        .map_err(|e| e.diag(&format!("creating {KIND}"), &name))?;
        let Some(id) = out
            .launch_template()
            .and_then(|t| t.launch_template_id())
            .map(str::to_string)
        else {
            return Err(Diagnostic::error(
                format!("creating {KIND} ({name})"),
                "CreateLaunchTemplate returned no launch template ID",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.set("id", Value::from(id.as_str()));
        partial.set("name", Value::from(name.as_str()));
        // The answer is the template as stored (ID, version numbers, tags): only its version's
        // data needs a read. A failed read (not visible yet) falls back to the retrying one.
        if let Some(lt) = out
            .launch_template()
            .filter(|t| all_tags.is_empty() || !t.tags().is_empty())
        {
            if let Ok(state) = read_state(ctx, ec2, set.region(), lt, planned).await {
                return Ok(state);
            }
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
                "the state has no launch template ID (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let lt = find(set.ec2(), id)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), id, &e))?;
        let Some(lt) = lt else {
            log_warn!(
                "EC2 Launch Template not found, removing from state",
                "id" = id
            );
            return Ok(None);
        };
        Ok(Some(
            read_state(ctx, set.ec2(), set.region(), &lt, state).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let id = prior.str("id").unwrap_or_default().to_string();
        let set = ctx.client.regional(prior);
        let ec2 = set.ec2();
        let mut latest = prior.i64("latest_version").unwrap_or(1);
        let changed = data_changed(prior, planned);
        if changed {
            let has_profile = planned.block("iam_instance_profile").is_some();
            let token = names::unique_id("terraform-");
            let out = retry::retry_when(
                &ctx.stop,
                &retry_what(planned),
                PROPAGATION_TIMEOUT,
                |e| has_profile && is_instance_profile_not_ready(e),
                || {
                    ec2.create_launch_template_version()
                        .client_token(&token)
                        .launch_template_id(&id)
                        .set_version_description(planned.str("description").map(str::to_string))
                        .launch_template_data(expand(planned))
                        .send()
                },
            )
            .await
            .map_err(|e| e.diag(&format!("creating {KIND} version"), &id))?;
            latest = out
                .launch_template_version()
                .and_then(|v| v.version_number())
                .unwrap_or(latest + 1);
        }
        let new_default = if planned.bool("update_default_version") == Some(true) {
            (changed || prior.i64("default_version") != Some(latest)).then_some(latest)
        } else {
            planned
                .i64("default_version")
                .filter(|d| prior.i64("default_version") != Some(*d))
        };
        if let Some(version) = new_default {
            ec2.modify_launch_template()
                .launch_template_id(&id)
                .default_version(version.to_string())
                .send()
                .await
                .map_err(|e| {
                    ApplyError::with_state(
                        errors::aws_diag(
                            &format!("setting {KIND} default version {version}"),
                            &id,
                            &e,
                        ),
                        prior.clone(),
                    )
                })?;
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
        Ok(read_fresh(ctx, planned, &id).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(id) = prior.str("id") else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        match set
            .ec2()
            .delete_launch_template()
            .launch_template_id(id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(errors::aws_diag(&format!("deleting {KIND}"), id, &e).into()),
        }
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (lt, region) = split_import_region(id.trim());
        if !lt.starts_with("lt-") || lt.len() < 4 {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a launch template ID such as \"lt-0123456789abcdef0\" (optionally lt-…@region), got {id:?}"),
            )
            .into());
        }
        Ok(Value::object([
            ("id", Value::from(lt)),
            ("region", Value::from(region.unwrap_or(ctx.client.region()))),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(LaunchTemplate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;
    use crate::framework::AttrPath;
    use aws_smithy_types::error::ErrorMetadata;

    #[test]
    fn instance_profile_errors_are_recognised() {
        let e = |code: &str, msg: &str| ErrorMetadata::builder().code(code).message(msg).build();
        assert!(is_instance_profile_not_ready(&e(
            "InvalidParameterValue",
            "Value (p) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
        )));
        assert!(!is_instance_profile_not_ready(&e(
            "InvalidParameterValue",
            "Invalid AMI ID"
        )));
        assert!(!is_instance_profile_not_ready(&e(
            "UnauthorizedOperation",
            "not allowed to use IAM Instance Profile"
        )));
    }

    #[test]
    fn giving_up_on_the_profile_says_what_was_retried_and_how_long() {
        use crate::aws::retry::{Last, RetryError};
        let planned = Value::object([(
            "iam_instance_profile",
            Value::List(vec![Value::object([("name", Value::from("ecs-hosts"))])]),
        )]);
        let e: RetryError<&str> = RetryError::TimedOut {
            what: retry_what(&planned),
            elapsed: PROPAGATION_TIMEOUT,
            attempts: 31,
            last: Last::Error("InvalidParameterValue: Invalid IAM Instance Profile name"),
        };
        let d = e.diag_with("creating EC2 Launch Template", "web", |e| e.to_string());
        assert_eq!(d.summary, "creating EC2 Launch Template (web)");
        assert!(
            d.detail.starts_with("gave up retrying \"Invalid IAM Instance Profile\" while IAM instance profile ecs-hosts propagates to EC2 after 2m0s (31 attempts); last error: InvalidParameterValue"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn profile_arn_and_name_conflict_at_their_path() {
        let b = schema().block;
        let cfg = b.conform(Value::object([(
            "iam_instance_profile",
            Value::List(vec![Value::object([
                (
                    "arn",
                    Value::from("arn:aws:iam::123456789012:instance-profile/p"),
                ),
                ("name", Value::from("p")),
            ])]),
        )]));
        let mut d = Diagnostics::new();
        validate_object(&b, &cfg, &AttrPath::root(), &mut d);
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("iam_instance_profile").index(0).then("arn"))
        );
    }

    #[test]
    fn only_launch_data_changes_make_versions() {
        let prior = Value::object([
            ("image_id", Value::from("ami-1")),
            ("tags", Value::string_map([("a", "1")])),
        ]);
        let mut tagged = prior.clone();
        tagged.set("tags", Value::string_map([("a", "2")]));
        assert!(!data_changed(&prior, &tagged));
        let mut new_image = prior.clone();
        new_image.set("image_id", Value::from("ami-2"));
        assert!(data_changed(&prior, &new_image));
        let mut described = prior.clone();
        described.set("description", Value::from("v2"));
        assert!(data_changed(&prior, &described));
    }
}
