//! `awsecs_iam_instance_profile`, the twin of `aws_iam_instance_profile`. ID and import ID: the
//! profile name.
//!
//! EC2 and Auto Scaling reject a just-created or just-changed profile ("Invalid IAM Instance
//! Profile name", hashicorp/aws #5217, #24910) until IAM has propagated it. Those consumers retry
//! exactly that answer (launch template and group create), so waiting here is only needed until
//! the profile reads back with its role: create and a role change poll for that, with no fixed
//! settling delay (hashicorp/aws `waitInstanceProfileReady` sleeps 5 s and wants 3 reads in a
//! row — time AWS does not ask for when the consumer retries). The role is always removed before
//! the profile is deleted (#2241).

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::get_instance_profile::GetInstanceProfileError;
use aws_sdk_iam::types::InstanceProfile;
use aws_sdk_iam::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::checks::{iam_name, iam_path, name_attributes};
use super::{after_first_delete, is_concurrent_modification, rfc3339, FirstDelete};
use crate::aws::retry::{self, Poll, WaitPolicy, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, tags, AwsClients};
use crate::framework::{
    ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics, Plan,
    PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_iam_instance_profile";
const KIND: &str = "IAM Instance Profile";
const NAME_MAX: usize = 128;

pub struct InstanceProfileResource;

pub fn schema() -> Schema {
    let [name, name_prefix] = name_attributes(NAME_MAX);
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the instance profile.")
                    .computed(),
            )
            .attr(
                Attribute::string("create_date")
                    .desc("When the instance profile was created (RFC 3339).")
                    .computed(),
            )
            .attr(
                Attribute::string("id")
                    .desc("Name of the instance profile.")
                    .optional_computed(),
            )
            .attr(name)
            .attr(name_prefix)
            .attr(
                Attribute::string("path")
                    .default("/")
                    .force_new()
                    .validate(iam_path())
                    .desc("Path of the instance profile."),
            )
            .attr(
                Attribute::string("role")
                    .optional()
                    .validate(iam_name(64))
                    .desc("Name of the role to add to the profile; changed in place."),
            )
            .attr(tags)
            .attr(tags_all)
            .attr(
                Attribute::string("unique_id")
                    .desc("Unique ID AWS assigned to the instance profile.")
                    .computed(),
            ),
    )
    .desc("Manages an IAM instance profile, through which EC2 instances get a role.")
}

async fn find(
    iam: &Client,
    name: &str,
) -> Result<Option<InstanceProfile>, SdkError<GetInstanceProfileError>> {
    match iam
        .get_instance_profile()
        .instance_profile_name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.instance_profile),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn role_names(p: &InstanceProfile) -> Vec<&str> {
    p.roles().iter().map(|r| r.role_name()).collect()
}

fn state_of(p: &InstanceProfile, prior: &Value, clients: &AwsClients) -> Value {
    let name = p.instance_profile_name();
    let all = tags::from_iam(p.tags());
    let (tags, tags_all) = tags::split_read(&all, clients.default_tags(), prior.get("tags"));
    Value::object([
        ("arn", Value::from(p.arn())),
        ("create_date", rfc3339(p.create_date())),
        ("id", Value::from(name)),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("path", Value::from(p.path())),
        // A profile holds at most one role.
        ("role", Value::opt_string(role_names(p).first().copied())),
        ("tags", tags),
        ("tags_all", tags_all),
        ("unique_id", Value::from(p.instance_profile_id())),
    ])
}

/// Retryable while a just-created role or profile propagates through IAM.
fn is_add_role_retryable<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::code_and_message_contains(
        e,
        "InvalidParameterValue",
        "Invalid IAM Instance Profile name",
    ) || errors::code_and_message_contains(e, "NoSuchEntity", "The role with name")
        // The profile itself, created a moment ago, not visible yet ("Instance Profile x cannot
        // be found").
        || errors::code_and_message_contains(e, "NoSuchEntity", "Instance Profile")
        || is_concurrent_modification(e)
}

async fn add_role(ctx: &Ctx<AwsClients>, profile: &str, role: &str) -> Result<(), Diagnostic> {
    let iam = ctx.client.iam();
    retry::retry_when(
        &ctx.stop,
        "adding the role while IAM propagates it",
        PROPAGATION_TIMEOUT,
        is_add_role_retryable,
        || {
            iam.add_role_to_instance_profile()
                .instance_profile_name(profile)
                .role_name(role)
                .send()
        },
    )
    .await
    .map(|_| ())
    .map_err(|e| {
        e.diag(&format!("adding IAM Role ({role}) to {KIND}"), profile)
            .at(AttrPath::attr("role"))
    })
}

/// Removes a role; a role that is no longer in the profile is fine.
async fn remove_role(ctx: &Ctx<AwsClients>, profile: &str, role: &str) -> Result<(), Diagnostic> {
    let iam = ctx.client.iam();
    let r = retry::retry_when(
        &ctx.stop,
        "removing the role during a concurrent IAM change",
        PROPAGATION_TIMEOUT,
        is_concurrent_modification,
        || {
            iam.remove_role_from_instance_profile()
                .instance_profile_name(profile)
                .role_name(role)
                .send()
        },
    )
    .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
        Err(e) => Err(e.diag(&format!("removing IAM Role ({role}) from {KIND}"), profile)),
    }
}

/// Waits until the profile reads back with a real ARN and exactly the wanted role; returns that
/// read.
async fn wait_ready(
    ctx: &Ctx<AwsClients>,
    name: &str,
    role: Option<&str>,
) -> Result<InstanceProfile, Diagnostic> {
    let iam = ctx.client.iam();
    let policy = WaitPolicy::new(PROPAGATION_TIMEOUT);
    retry::wait_until(
        &ctx.stop,
        "waiting for the instance profile to read back consistently with its role",
        policy,
        || async move {
            Ok::<_, SdkError<GetInstanceProfileError>>(match find(iam, name).await? {
                None => Poll::Pending("not found".into()),
                Some(p) if !p.arn().starts_with("arn:") => {
                    Poll::Pending(format!("ARN not assigned yet ({})", p.arn()))
                }
                Some(p) => {
                    let has: Vec<&str> = role_names(&p);
                    if has == role.into_iter().collect::<Vec<_>>() {
                        Poll::Ready(p)
                    } else {
                        Poll::Pending(format!("roles {has:?}"))
                    }
                }
            })
        },
    )
    .await
    .map_err(|e| e.diag(&format!("waiting for {KIND} to be ready"), name))
}

fn id_of(v: &Value) -> Option<&str> {
    v.str("id").or_else(|| v.str("name"))
}

#[async_trait]
impl Resource<AwsClients> for InstanceProfileResource {
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
        tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let iam = ctx.client.iam();
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        let all_tags = tags::from_planned(planned);
        // No read before adding the role: AddRoleToInstanceProfile itself retries while the new
        // profile propagates ("Invalid IAM Instance Profile name").
        let unanswered = retry::UnansweredAttempts::new();
        let created = iam
            .create_instance_profile()
            .instance_profile_name(&name)
            .path(planned.str("path").unwrap_or("/"))
            .set_tags((!all_tags.is_empty()).then(|| tags::to_iam(&all_tags)))
            .customize()
            .interceptor(unanswered.clone())
            .send()
            .await;
        match created {
            Err(e) if !unanswered.explains(&e, "EntityAlreadyExists") => {
                return Err(errors::aws_diag(&format!("creating {KIND}"), &name, &e).into());
            }
            _ => {}
        }

        // The profile exists from here on: every failure returns it as (tainted) partial state.
        let mut partial = planned.clone();
        partial.set("id", Value::from(name.as_str()));
        partial.set("name", Value::from(name.as_str()));
        partial.set("role", Value::Null);
        let role = planned.str("role");
        if let Some(role) = role {
            if let Err(d) = add_role(ctx, &name, role).await {
                return Err(ApplyError::with_state(d, partial));
            }
            partial.set("role", Value::from(role));
        }
        match wait_ready(ctx, &name, role).await {
            Ok(p) => Ok(state_of(&p, planned, &ctx.client)),
            Err(d) => Err(ApplyError::with_state(d, partial)),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(name) = id_of(state) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no instance profile name (id)",
            )
            .into());
        };
        let found = find(ctx.client.iam(), name)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), name, &e))?;
        match found {
            Some(p) => Ok(Some(state_of(&p, state, &ctx.client))),
            None => {
                log_warn!(
                    "IAM Instance Profile not found, removing from state",
                    "name" = name
                );
                Ok(None)
            }
        }
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let iam = ctx.client.iam();
        let name = id_of(prior).unwrap_or_default().to_string();
        let want = planned.str("role");
        if prior.get("role") != planned.get("role") {
            // Remove whatever IAM holds now (not only what the state says), then add the new
            // role: a profile takes one role, so a stale one would make the add fail.
            let current = find(iam, &name)
                .await
                .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), &name, &e))?
                .ok_or_else(|| {
                    Diagnostic::error(
                        errors::summary(&format!("updating {KIND}"), &name),
                        "the instance profile no longer exists; refresh and apply again to recreate it",
                    )
                })?;
            let had: Vec<String> = role_names(&current).iter().map(|r| r.to_string()).collect();
            for r in had.iter().filter(|r| Some(r.as_str()) != want) {
                remove_role(ctx, &name, r).await?;
            }
            if let Some(role) = want.filter(|w| !had.iter().any(|h| h == w)) {
                add_role(ctx, &name, role).await?;
            }
        }
        if prior.get("tags_all") != planned.get("tags_all") {
            let diff = tags::diff(
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            );
            if !diff.remove.is_empty() {
                iam.untag_instance_profile()
                    .instance_profile_name(&name)
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
                iam.tag_instance_profile()
                    .instance_profile_name(&name)
                    .set_tags(Some(tags::to_iam(&diff.upsert)))
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
        let profile = if prior.get("role") != planned.get("role") {
            wait_ready(ctx, &name, want).await?
        } else {
            find(iam, &name)
                .await
                .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), &name, &e))?
                .ok_or_else(|| {
                    Diagnostic::error(
                        errors::summary(&format!("reading {KIND}"), &name),
                        "the instance profile disappeared while it was being updated",
                    )
                })?
        };
        Ok(state_of(&profile, planned, &ctx.client))
    }

    /// Optimistic: the state knows the role (a destroy refreshes it first), so remove that role
    /// and delete, with no read. Only when IAM still refuses (DeleteConflict: a role the state
    /// does not know, or the removal not propagated yet) read the profile and repair.
    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let iam = ctx.client.iam();
        let Some(name) = id_of(prior) else {
            return Ok(());
        };
        if let Some(role) = prior.str("role") {
            remove_role(ctx, name, role).await?;
        }
        let first = retry::retry_when(
            &ctx.stop,
            "deleting the instance profile during a concurrent IAM change",
            PROPAGATION_TIMEOUT,
            is_concurrent_modification,
            || {
                iam.delete_instance_profile()
                    .instance_profile_name(name)
                    .send()
            },
        )
        .await;
        let Err(e) = first else {
            return Ok(());
        };
        match after_first_delete(e.error().and_then(|x| x.code())) {
            FirstDelete::Gone => return Ok(()),
            FirstDelete::Repair => {}
            FirstDelete::Fail => return Err(e.diag(&format!("deleting {KIND}"), name).into()),
        }
        let Some(profile) = find(iam, name)
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), name, &e))?
        else {
            return Ok(());
        };
        // A profile with a role cannot be deleted (DeleteConflict): remove it first.
        for role in role_names(&profile) {
            remove_role(ctx, name, role).await?;
        }
        let r = retry::retry_when(
            &ctx.stop,
            "deleting the instance profile while the role removal propagates",
            PROPAGATION_TIMEOUT,
            |e| errors::has_code(e, "DeleteConflict") || is_concurrent_modification(e),
            || {
                iam.delete_instance_profile()
                    .instance_profile_name(name)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
            Err(e) => Err(e.diag(&format!("deleting {KIND}"), name).into()),
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let name = id.trim();
        if name.is_empty() || name.contains('/') || name.contains(':') {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected an IAM instance profile name (not a path or ARN), got {id:?}"),
            )
            .into());
        }
        Ok(Value::object([
            ("id", Value::from(name)),
            ("name", Value::from(name)),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(InstanceProfileResource)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn",
                "create_date",
                "id",
                "name",
                "name_prefix",
                "path",
                "role",
                "tags",
                "tags_all",
                "unique_id"
            ]
        );
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("name").force_new && a("name_prefix").force_new && a("path").force_new);
        assert_eq!(a("path").default, Some(Value::from("/")));
        assert!(a("role").optional && !a("role").computed && !a("role").force_new);
        assert!(s.block.blocks.is_empty());
    }

    #[test]
    fn plan_time_validation_names_the_attribute() {
        let b = schema().block;
        for (attr, bad) in [
            ("name", "a b"),
            ("name_prefix", &"p".repeat(103) as &str),
            ("path", "ecs"),
            ("role", "arn:aws:iam::123456789012:role/x"),
        ] {
            let cfg = b.conform(Value::object([(attr, Value::from(bad))]));
            let mut d = Diagnostics::new();
            validate_object(&b, &cfg, &AttrPath::root(), &mut d);
            assert!(d.has_errors(), "{attr}");
            assert_eq!(d.0[0].path, Some(AttrPath::attr(attr)), "{d}");
        }
    }

    #[tokio::test]
    async fn import_id_is_the_name() {
        let ctx = crate::resources::testing::offline_ctx();
        let r = InstanceProfileResource;
        assert_eq!(
            r.import(&ctx, "ecs-instance").await.unwrap().str("id"),
            Some("ecs-instance")
        );
        for bad in ["", "/ecs/p", "arn:aws:iam::123456789012:instance-profile/p"] {
            assert!(r.import(&ctx, bad).await.is_err(), "{bad}");
        }
    }
}
