//! `awsecs_iam_role`, the twin of `aws_iam_role`. ID and import ID: the role name.
//!
//! `inline_policy` and `managed_policy_arns` are deprecated (as in hashicorp/aws) but work: when
//! configured they are managed exclusively. Because `inline_policy` is a block, and Terraform
//! requires a planned block count to equal the configured one, inline policies are only read
//! back when the state already manages them; otherwise inline policies owned by other resources
//! would be planned for removal.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::get_role::GetRoleError;
use aws_sdk_iam::types::Role;
use aws_sdk_iam::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::{
    after_first_delete, attach, attached_policy_arns, delete_inline, detach,
    is_concurrent_modification, put_inline, rfc3339, FirstDelete,
};
use crate::aws::retry::{self, Poll, WaitPolicy, PROPAGATION_TIMEOUT};
use crate::aws::{errors, names, policy, tags, AwsClients};
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    NestedBlock, Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_iam_role";
const NAME_MAX: usize = 64;
const PREFIX_MAX: usize = NAME_MAX - names::UNIQUE_SUFFIX_LEN;

pub struct IamRole;

fn policy_attr(name: &str) -> Attribute {
    let mut a = Attribute::string(name).equivalent_when(policy::equivalent_values);
    for v in policy::validators() {
        a = a.validate(v);
    }
    a
}

fn iam_name(max: usize) -> crate::framework::schema::Validator {
    names::validator(max, "letters, digits and +=,.@_-", names::iam_name_char)
}

pub fn schema() -> Schema {
    let mut inline = Block::new()
        .attr(
            Attribute::string("name")
                .desc("Name of the inline policy.")
                .optional()
                .validate(iam_name(128)),
        )
        .attr(
            policy_attr("policy")
                .optional()
                .desc("The policy document (JSON)."),
        );
    inline.deprecation = Some(
        "inline_policy is deprecated. Use the awsecs_iam_role_policy resource instead.".into(),
    );
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the role.").computed())
            .attr(policy_attr("assume_role_policy").required().desc("The trust policy: who may assume the role (JSON)."))
            .attr(Attribute::string("create_date").desc("When the role was created (RFC 3339).").computed())
            .attr(
                Attribute::string("description").desc("Description of the role.")
                    .optional()
                    .validate(validators::length(0, 1000))
                    .validate(validators::chars("characters other than “ and ‘", |c| c != '“' && c != '‘')),
            )
            .attr(Attribute::bool("force_detach_policies").default(false).client_side().desc("Detach managed and delete inline policies before deleting the role."))
            .attr(Attribute::string("id").desc("Name of the role.").optional_computed())
            .attr(
                Attribute::string_set("managed_policy_arns").desc("Managed policies attached exclusively to the role; others are detached.")
                    .optional_computed()
                    .validate(validators::arn())
                    .deprecated("managed_policy_arns is deprecated. Use the awsecs_iam_role_policy_attachment resource instead."),
            )
            .attr(Attribute::number("max_session_duration").desc("Maximum session length in seconds (3600 to 43200).").default(3600).validate(validators::int_between(3600, 43200)))
            .attr(Attribute::string("name").desc("Name of the role; generated when neither this nor `name_prefix` is set.").optional_computed().force_new().conflicts_with(&["name_prefix"]).validate(iam_name(NAME_MAX)))
            .attr(Attribute::string("name_prefix").desc("Creates a unique name starting with this prefix.").optional_computed().force_new().conflicts_with(&["name"]).validate(iam_name(PREFIX_MAX)))
            .attr(Attribute::string("path").desc("Path of the role.").default("/").force_new().validate(validators::length(0, 512)))
            .attr(Attribute::string("permissions_boundary").desc("ARN of the policy that bounds the role's permissions.").optional().validate(validators::arn()))
            .attr(tags)
            .attr(tags_all)
            .attr(Attribute::string("unique_id").desc("Unique ID AWS assigned to the role.").computed())
            .block(NestedBlock::set("inline_policy", inline).desc("An inline policy managed exclusively by this resource.")),
    ).desc("Manages an IAM role.")
}

/// Inline policies (name → document) described by a state or plan, skipping empty elements
/// (`inline_policy {}` means "no inline policies").
fn inline_of(v: &Value) -> BTreeMap<String, String> {
    v.get("inline_policy")
        .elements()
        .iter()
        .filter_map(|e| Some((e.str("name")?.to_string(), e.str("policy")?.to_string())))
        .collect()
}

/// The framework pairs set-block elements with prior ones by plain equality, so a reformatted
/// inline policy would plan as a change; pair them by policy equivalence instead and keep the
/// prior element (Terraform accepts any planned elements for set blocks of the same count).
fn keep_prior_inline_spelling(prior: &Value, plan: &mut Plan) {
    let Value::Set(items) = plan.state.get("inline_policy").clone() else {
        return;
    };
    let prior_items = prior.get("inline_policy").elements();
    let same = |p: &Value, e: &Value| {
        p.get("name") == e.get("name")
            && (p.get("policy") == e.get("policy")
                || policy::equivalent_values(p.get("policy"), e.get("policy")))
    };
    let kept = items
        .into_iter()
        .map(|e| {
            prior_items
                .iter()
                .find(|p| same(p, &e))
                .cloned()
                .unwrap_or(e)
        })
        .collect();
    plan.state.set("inline_policy", Value::Set(kept));
}

/// Retryable while a just-created principal propagates through IAM.
fn is_propagation_error<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::code_and_message_contains(e, "MalformedPolicyDocument", "Invalid principal in policy")
        || is_concurrent_modification(e)
}

async fn find_role(iam: &Client, name: &str) -> Result<Option<Role>, SdkError<GetRoleError>> {
    match iam.get_role().role_name(name).send().await {
        Ok(out) => Ok(out.role),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Right after creation IAM may report the role's unique ID (`AROA...`) where its ARN belongs;
/// wait until the ARN is real.
async fn settle_arn(
    ctx: &Ctx<AwsClients>,
    name: &str,
    role: Role,
) -> Result<Option<Role>, Diagnostic> {
    if role.arn().starts_with("arn:") {
        return Ok(Some(role));
    }
    let iam = ctx.client.iam();
    retry::wait_until(
        &ctx.stop,
        "waiting for the role ARN to replace its unique ID",
        WaitPolicy::new(PROPAGATION_TIMEOUT),
        || async {
            Ok::<_, SdkError<GetRoleError>>(match find_role(iam, name).await? {
                Some(r) if r.arn().starts_with("arn:") => Poll::Ready(Some(r)),
                Some(r) => Poll::Pending(r.arn().to_string()),
                None => Poll::Ready(None),
            })
        },
    )
    .await
    .map_err(|e| e.diag("reading IAM Role", name))
}

/// The state for a role as AWS describes it, shaped against the prior state (tags split,
/// exclusive inline policies).
async fn read_state(
    ctx: &Ctx<AwsClients>,
    role: &Role,
    prior: &Value,
) -> Result<Value, Diagnostic> {
    let iam = ctx.client.iam();
    let name = role.role_name();
    let managed = attached_policy_arns(iam, name)
        .await
        .map_err(|e| errors::aws_diag("reading IAM Policies attached to Role", name, &e))?;
    let inline = if inline_of(prior).is_empty() {
        // Not managed here: keep what the configuration says (empty, or one empty element).
        prior.get("inline_policy").clone()
    } else {
        let names = iam
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        let names =
            names.map_err(|e| errors::aws_diag("listing inline policies of IAM Role", name, &e))?;
        let mut items = Vec::new();
        for pn in names {
            let out = iam
                .get_role_policy()
                .role_name(name)
                .policy_name(&pn)
                .send()
                .await;
            let out = out.map_err(|e| {
                errors::aws_diag(
                    "reading inline policy of IAM Role",
                    &format!("{name}/{pn}"),
                    &e,
                )
            })?;
            items.push(Value::object([
                ("name", Value::from(pn)),
                (
                    "policy",
                    Value::from(policy::from_api(out.policy_document())),
                ),
            ]));
        }
        Value::Set(items)
    };
    Ok(role_state(ctx, role, prior, managed, inline))
}

/// The state from a role and its attached policy ARNs and inline policies, as already read.
fn role_state(
    ctx: &Ctx<AwsClients>,
    role: &Role,
    prior: &Value,
    managed: Vec<String>,
    inline: Value,
) -> Value {
    let name = role.role_name();
    let all = tags::from_iam(role.tags());
    let (tags, tags_all) = tags::split_read(&all, ctx.client.default_tags(), prior.get("tags"));
    let boundary = role
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn());
    Value::object([
        ("arn", Value::from(role.arn())),
        (
            "assume_role_policy",
            Value::opt_string(role.assume_role_policy_document().map(policy::from_api)),
        ),
        ("create_date", rfc3339(role.create_date())),
        (
            "description",
            // IAM does not distinguish "" from no description; keep whichever the state has.
            match role.description().filter(|d| !d.is_empty()) {
                Some(d) => Value::from(d),
                None if prior.str("description") == Some("") => Value::from(""),
                None => Value::Null,
            },
        ),
        (
            "force_detach_policies",
            prior.get("force_detach_policies").clone(),
        ),
        ("id", Value::from(name)),
        ("managed_policy_arns", Value::string_set(managed)),
        (
            "max_session_duration",
            Value::opt_int(role.max_session_duration().map(i64::from)),
        ),
        ("name", Value::from(name)),
        (
            "name_prefix",
            Value::opt_string(names::prefix_from_name(name)),
        ),
        ("path", Value::from(role.path())),
        ("permissions_boundary", Value::opt_string(boundary)),
        ("tags", tags),
        ("tags_all", tags_all),
        ("unique_id", Value::from(role.role_id())),
        ("inline_policy", inline),
    ])
}

/// Reads a role that was just created or changed: retries "not found" while IAM propagates.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    name: &str,
    reference: &Value,
) -> Result<Value, Diagnostic> {
    let iam = ctx.client.iam();
    let found = retry::retry_when(
        &ctx.stop,
        "reading the new IAM Role while IAM propagates it",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || async {
            match iam.get_role().role_name(name).send().await {
                Ok(out) => out
                    .role
                    .ok_or_else(|| SdkError::construction_failure("GetRole returned no role")),
                Err(e) => Err(e),
            }
        },
    )
    .await
    .map_err(|e| e.diag("reading IAM Role", name))?;
    let role = settle_arn(ctx, name, found).await?.ok_or_else(|| {
        Diagnostic::error(
            errors::summary("reading IAM Role", name),
            "the role disappeared right after it was written",
        )
    })?;
    read_state(ctx, &role, reference).await
}

#[async_trait]
impl Resource<AwsClients> for IamRole {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// hashicorp/aws reads every inline policy of the role into `inline_policy` (optional +
    /// computed there, so unconfigured ones stay put). Here an inline policy in state is one this
    /// role manages exclusively, so keeping them would plan to delete policies that
    /// `aws_iam_role_policy` resources own. Moved state starts unmanaged; configured
    /// `inline_policy` blocks are then planned (and re-put, which changes nothing) as usual.
    fn adapt_twin_state(&self, _: i64, state: &mut serde_json::Value, _: &mut Diagnostics) {
        if let Some(m) = state.as_object_mut() {
            m.insert("inline_policy".into(), serde_json::json!([]));
        }
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let inline = config.get("inline_policy");
        if !inline.elements().is_empty() {
            diags.push(
                Diagnostic::warning(
                    "Argument is deprecated",
                    "inline_policy is deprecated. Use the awsecs_iam_role_policy resource instead.",
                )
                .at(AttrPath::attr("inline_policy")),
            );
        }
        for (i, e) in inline.elements().iter().enumerate() {
            let (n, p) = (e.get("name"), e.get("policy"));
            if n.is_null() != p.is_null() && n.is_known() && p.is_known() {
                diags.invalid(AttrPath::attr("inline_policy").index(i), "set both name and policy, or neither (an empty inline_policy block removes all inline policies)");
            }
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
        keep_prior_inline_spelling(req.prior, plan);
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let iam = ctx.client.iam();
        let name = names::generate(planned.str("name"), planned.str("name_prefix"));
        let all_tags = tags::from_planned(planned);
        let doc = planned.str("assume_role_policy").unwrap_or_default();
        let unanswered = retry::UnansweredAttempts::new();
        let created = retry::retry_when(
            &ctx.stop,
            "creating the role while IAM propagates its principals",
            PROPAGATION_TIMEOUT,
            is_propagation_error,
            || {
                iam.create_role()
                    .role_name(&name)
                    .path(planned.str("path").unwrap_or("/"))
                    .assume_role_policy_document(doc)
                    .set_description(planned.str("description").map(str::to_string))
                    .set_max_session_duration(planned.i64("max_session_duration").map(|n| n as i32))
                    .set_permissions_boundary(
                        planned.str("permissions_boundary").map(str::to_string),
                    )
                    .set_tags((!all_tags.is_empty()).then(|| tags::to_iam(&all_tags)))
                    .customize()
                    .interceptor(unanswered.clone())
                    .send()
            },
        )
        .await;
        // A lost reply whose retry met our own role has no answer to use: that role is read back.
        let created_role = match created {
            Ok(out) => out.role,
            Err(e)
                if e.error()
                    .is_some_and(|e| unanswered.explains(e, "EntityAlreadyExists")) =>
            {
                None
            }
            Err(e) => return Err(e.diag("creating IAM Role", &name).into()),
        };

        // From here on the role exists: failures return it as partial (tainted) state.
        let mut partial = planned.clone();
        partial.set("id", Value::from(name.as_str()));
        partial.set("name", Value::from(name.as_str()));
        let inline = inline_of(planned);
        if let Err(d) = put_inline(iam, &name, &inline).await {
            return Err(ApplyError::with_state(d, partial));
        }
        let managed = planned.strings("managed_policy_arns");
        if let Err(d) = attach(ctx, &name, &managed).await {
            return Err(ApplyError::with_state(d, partial));
        }
        // CreateRole answers with the whole role (tags included) and a new role has no policies
        // but the ones just put: without those, its answer is the state, with no read-back.
        if inline.is_empty() && managed.is_empty() {
            if let Some(role) = created_role {
                if let Some(role) = settle_arn(ctx, &name, role)
                    .await
                    .map_err(|d| ApplyError::with_state(d, partial.clone()))?
                {
                    let inline = planned.get("inline_policy").clone();
                    return Ok(role_state(ctx, &role, planned, Vec::new(), inline));
                }
            }
        }
        read_fresh(ctx, &name, planned)
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(name) = state.str("id").or_else(|| state.str("name")) else {
            return Err(Diagnostic::error(
                "Invalid IAM Role state",
                "the state has no role name (id)",
            )
            .into());
        };
        let role = find_role(ctx.client.iam(), name)
            .await
            .map_err(|e| errors::aws_diag("reading IAM Role", name, &e))?;
        let Some(role) = role else {
            log_warn!("IAM Role not found, removing from state", "name" = name);
            return Ok(None);
        };
        let Some(role) = settle_arn(ctx, name, role).await? else {
            return Ok(None);
        };
        Ok(Some(read_state(ctx, &role, state).await?))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let iam = ctx.client.iam();
        let name = prior
            .str("id")
            .or_else(|| prior.str("name"))
            .unwrap_or_default()
            .to_string();
        let changed = |k: &str| prior.get(k) != planned.get(k);

        if let (Some(old), Some(new)) = (
            prior.str("assume_role_policy"),
            planned.str("assume_role_policy"),
        ) {
            if !policy::equivalent(old, new) {
                retry::retry_when(
                    &ctx.stop,
                    "updating the trust policy while IAM propagates its principals",
                    PROPAGATION_TIMEOUT,
                    is_propagation_error,
                    || {
                        iam.update_assume_role_policy()
                            .role_name(&name)
                            .policy_document(new)
                            .send()
                    },
                )
                .await
                .map_err(|e| {
                    e.diag("updating IAM Role assume role policy", &name)
                        .at(AttrPath::attr("assume_role_policy"))
                })?;
            }
        }
        if changed("description") {
            iam.update_role_description()
                .role_name(&name)
                .description(planned.str("description").unwrap_or_default())
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        "updating IAM Role description",
                        &name,
                        &e,
                        AttrPath::attr("description"),
                    )
                })?;
        }
        if changed("max_session_duration") {
            // The description rides along: UpdateRole must not be read as clearing it.
            iam.update_role()
                .role_name(&name)
                .set_description(planned.str("description").map(str::to_string))
                .set_max_session_duration(planned.i64("max_session_duration").map(|n| n as i32))
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        "updating IAM Role max session duration",
                        &name,
                        &e,
                        AttrPath::attr("max_session_duration"),
                    )
                })?;
        }
        if changed("permissions_boundary") {
            let r = match planned.str("permissions_boundary") {
                Some(arn) => iam
                    .put_role_permissions_boundary()
                    .role_name(&name)
                    .permissions_boundary(arn)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| errors::describe(&e)),
                None => match iam
                    .delete_role_permissions_boundary()
                    .role_name(&name)
                    .send()
                    .await
                {
                    Err(e) if !errors::is_not_found(&e) => Err(errors::describe(&e)),
                    _ => Ok(()),
                },
            };
            r.map_err(|detail| {
                Diagnostic::error(
                    errors::summary("updating IAM Role permissions boundary", &name),
                    detail,
                )
                .at(AttrPath::attr("permissions_boundary"))
            })?;
        }
        if changed("tags_all") {
            let diff = tags::diff(
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            );
            if !diff.remove.is_empty() {
                iam.untag_role()
                    .role_name(&name)
                    .set_tag_keys(Some(diff.remove.clone()))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at("untagging IAM Role", &name, &e, AttrPath::attr("tags"))
                    })?;
            }
            if !diff.upsert.is_empty() {
                iam.tag_role()
                    .role_name(&name)
                    .set_tags(Some(tags::to_iam(&diff.upsert)))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at("tagging IAM Role", &name, &e, AttrPath::attr("tags"))
                    })?;
            }
        }
        if changed("inline_policy") {
            let (old, new) = (inline_of(prior), inline_of(planned));
            let gone: Vec<String> = old
                .keys()
                .filter(|k| !new.contains_key(*k))
                .cloned()
                .collect();
            let put: BTreeMap<String, String> = new
                .into_iter()
                .filter(|(k, v)| old.get(k).is_none_or(|o| !policy::equivalent(o, v)))
                .collect();
            delete_inline(iam, &name, &gone).await?;
            put_inline(iam, &name, &put).await?;
        }
        let managed = planned.get("managed_policy_arns");
        if managed.is_wholly_known() && !prior.get("managed_policy_arns").equivalent(managed) {
            let (old, new) = (
                prior.strings("managed_policy_arns"),
                planned.strings("managed_policy_arns"),
            );
            let gone: Vec<String> = old.iter().filter(|a| !new.contains(a)).cloned().collect();
            let added: Vec<String> = new.iter().filter(|a| !old.contains(a)).cloned().collect();
            detach(ctx, &name, &gone).await?;
            attach(ctx, &name, &added).await?;
        }
        Ok(read_fresh(ctx, &name, planned).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let iam = ctx.client.iam();
        let Some(name) = prior.str("id").or_else(|| prior.str("name")) else {
            return Ok(());
        };
        let force = prior.bool("force_detach_policies").unwrap_or(false);

        // 0. Optimistic: Terraform destroys the role's profiles and attachments before it, so
        // DeleteRole usually just works; DeleteConflict means something still hangs on the role,
        // and only then are steps 1-3 (a listing each) needed.
        let Err(e) = iam.delete_role().role_name(name).send().await else {
            return Ok(());
        };
        match after_first_delete(e.code()) {
            FirstDelete::Gone => return Ok(()),
            FirstDelete::Repair => {}
            FirstDelete::Fail => return Err(errors::aws_diag("deleting IAM Role", name, &e).into()),
        }
        // 1. A role in an instance profile cannot be deleted.
        let profiles = iam
            .list_instance_profiles_for_role()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        let profiles = match profiles {
            Ok(p) => p,
            Err(e) if errors::is_not_found(&e) => return Ok(()),
            Err(e) => {
                return Err(
                    errors::aws_diag("listing instance profiles of IAM Role", name, &e).into(),
                )
            }
        };
        for p in profiles {
            let ip = p.instance_profile_name();
            match iam
                .remove_role_from_instance_profile()
                .role_name(name)
                .instance_profile_name(ip)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if errors::is_not_found(&e) => {}
                Err(e) => {
                    return Err(errors::aws_diag(
                        "removing IAM Role from instance profile",
                        &format!("{name}/{ip}"),
                        &e,
                    )
                    .into())
                }
            }
        }
        // 2. Managed policies, when asked to or when this role manages them.
        if force || !prior.strings("managed_policy_arns").is_empty() {
            let arns = attached_policy_arns(iam, name)
                .await
                .map_err(|e| errors::aws_diag("reading IAM Policies attached to Role", name, &e))?;
            detach(ctx, name, &arns).await?;
        }
        // 3. Inline policies, likewise.
        if force || !inline_of(prior).is_empty() {
            let names = iam
                .list_role_policies()
                .role_name(name)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await;
            let names = names
                .map_err(|e| errors::aws_diag("listing inline policies of IAM Role", name, &e))?;
            delete_inline(iam, name, &names).await?;
        }
        // 4. The role; DeleteConflict clears once detachments elsewhere propagate.
        let r = retry::retry_when(
            &ctx.stop,
            "deleting the role while it still has attachments",
            PROPAGATION_TIMEOUT,
            |e| errors::has_code(e, "DeleteConflict"),
            || iam.delete_role().role_name(name).send(),
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.error().is_some_and(errors::is_not_found) => Ok(()),
            Err(e) => {
                let mut d = e.diag("deleting IAM Role", name);
                if e.error()
                    .is_some_and(|x| errors::has_code(x, "DeleteConflict"))
                {
                    d.detail.push_str(". Policies attached outside this resource block the delete: set force_detach_policies = true and apply before destroying.");
                }
                Err(d.into())
            }
        }
    }

    async fn import(&self, _ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let name = id.trim();
        if name.is_empty() || name.contains('/') {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected an IAM role name, got {id:?}"),
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
    Arc::new(IamRole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        schema().block.conform(Value::object(pairs))
    }

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn",
                "assume_role_policy",
                "create_date",
                "description",
                "force_detach_policies",
                "id",
                "managed_policy_arns",
                "max_session_duration",
                "name",
                "name_prefix",
                "path",
                "permissions_boundary",
                "tags",
                "tags_all",
                "unique_id"
            ]
        );
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("name").force_new && a("name").optional && a("name").computed);
        assert!(a("path").force_new && a("path").default == Some(Value::from("/")));
        assert_eq!(a("max_session_duration").default, Some(Value::int(3600)));
        assert!(a("force_detach_policies").client_side);
        assert!(a("assume_role_policy").required && a("assume_role_policy").equivalence.is_some());
        assert!(s.block.nested("inline_policy").is_some());
    }

    #[test]
    fn validation_points_at_the_attribute() {
        let cases: Vec<(Vec<(&str, Value)>, &str)> = vec![
            (
                vec![("assume_role_policy", " {}".into())],
                "assume_role_policy",
            ),
            (
                vec![
                    ("assume_role_policy", "{}".into()),
                    ("max_session_duration", Value::int(60)),
                ],
                "max_session_duration",
            ),
            (
                vec![("assume_role_policy", "{}".into()), ("name", "a b".into())],
                "name",
            ),
            (
                vec![
                    ("assume_role_policy", "{}".into()),
                    ("name_prefix", "x".repeat(39).into()),
                ],
                "name_prefix",
            ),
            (
                vec![
                    ("assume_role_policy", "{}".into()),
                    ("description", "a “quoted” word".into()),
                ],
                "description",
            ),
            (
                vec![
                    ("assume_role_policy", "{}".into()),
                    ("permissions_boundary", "policy/x".into()),
                ],
                "permissions_boundary",
            ),
        ];
        for (pairs, path) in cases {
            let mut d = Diagnostics::new();
            validate_object(&schema().block, &cfg(pairs), &AttrPath::root(), &mut d);
            assert!(d.has_errors(), "{path}");
            assert!(
                d.0.iter()
                    .all(|x| x.path.as_ref().map(|p| p.to_string()) == Some(path.to_string())),
                "{path}: {d}"
            );
        }
    }

    #[test]
    fn inline_policies_skip_empty_blocks() {
        let v = cfg(vec![(
            "inline_policy",
            Value::Set(vec![
                Value::object([("name", Value::Null), ("policy", Value::Null)]),
                Value::object([("name", "p".into()), ("policy", "{}".into())]),
            ]),
        )]);
        assert_eq!(inline_of(&v), [("p".to_string(), "{}".to_string())].into());
        let mut d = Diagnostics::new();
        IamRole.validate(
            &cfg(vec![(
                "inline_policy",
                Value::Set(vec![Value::object([
                    ("name", "p".into()),
                    ("policy", Value::Null),
                ])]),
            )]),
            &mut d,
        );
        assert!(d.has_errors(), "{d}");
    }

    #[tokio::test]
    async fn import_id_is_the_role_name() {
        let ctx = crate::resources::testing::offline_ctx();
        let v = IamRole.import(&ctx, "my-role").await.unwrap();
        assert_eq!(v.str("id"), Some("my-role"));
        assert_eq!(v.str("name"), Some("my-role"));
        assert!(IamRole.import(&ctx, "").await.is_err());
        assert!(IamRole.import(&ctx, "path/role").await.is_err());
    }
}
