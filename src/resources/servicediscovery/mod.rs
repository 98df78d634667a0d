//! Cloud Map (AWS Cloud Map / Service Discovery) resources, regional, and what they share: tags,
//! namespace finders, the namespace state common to both namespace kinds, and namespace deletion
//! that explains *which* services still block it (hashicorp/aws pain point #23).

pub mod dns_namespace_data;
pub mod http_namespace;
pub mod operation;
pub mod private_dns_namespace;
pub mod service;
mod service_schema;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_servicediscovery::error::SdkError;
use aws_sdk_servicediscovery::operation::get_namespace::GetNamespaceError;
use aws_sdk_servicediscovery::operation::list_services::ListServicesError;
use aws_sdk_servicediscovery::types::{
    FilterCondition, Namespace, OperationTargetType, ServiceFilter, ServiceFilterName,
    ServiceSummary, Tag,
};
use aws_sdk_servicediscovery::Client;

use crate::aws::retry::{self, RetryError};
use crate::aws::tags::{self, Tags};
use crate::aws::{errors, names, AwsClients};
use crate::framework::schema::Validator;
use crate::framework::{ApplyError, AttrPath, Ctx, Diagnostic, Diagnostics, Value};

/// How long a delete keeps retrying `ResourceInUse` before explaining what is in the way: long
/// enough for a service or instance that is itself being deleted (ECS deregisters its tasks'
/// instances asynchronously) to disappear, short enough not to hide a real dependency.
pub const IN_USE_RETRY: Duration = Duration::from_secs(30);

/// A fresh idempotency token for create/update requests (hashicorp/aws uses the same format).
pub fn request_id() -> String {
    names::unique_id(names::DEFAULT_PREFIX)
}

pub fn to_sd_tags(t: &Tags) -> Vec<Tag> {
    t.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

pub fn from_sd_tags(t: &[Tag]) -> Tags {
    t.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// `tags`/`tags_all` as read from AWS, split against the provider's default tags.
pub async fn read_tags(
    sd: &Client,
    clients: &AwsClients,
    arn: &str,
    prior: &Value,
    kind: &str,
) -> Result<(Value, Value), Diagnostic> {
    let out = sd
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("listing tags for {kind}"), arn, &e))?;
    Ok(tags::split_read(
        &from_sd_tags(out.tags()),
        clients.default_tags(),
        prior.get("tags"),
    ))
}

/// Applies a planned `tags_all` change (untag removed keys, tag new/changed ones).
pub async fn update_tags(
    sd: &Client,
    arn: &str,
    prior: &Value,
    planned: &Value,
    kind: &str,
) -> Result<(), Diagnostic> {
    if prior.get("tags_all").equivalent(planned.get("tags_all")) {
        return Ok(());
    }
    let diff = tags::diff(
        &prior.string_pairs("tags_all"),
        &tags::from_planned(planned),
    );
    if !diff.remove.is_empty() {
        sd.untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(diff.remove.clone()))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(
                    &format!("untagging {kind}"),
                    arn,
                    &e,
                    AttrPath::attr("tags"),
                )
            })?;
    }
    if !diff.upsert.is_empty() {
        sd.tag_resource()
            .resource_arn(arn)
            .set_tags(Some(to_sd_tags(&diff.upsert)))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(&format!("tagging {kind}"), arn, &e, AttrPath::attr("tags"))
            })?;
    }
    Ok(())
}

/// Namespace names: 1-1024 letters, digits, `.`, `_` and `-` (hashicorp/aws `validNamespaceName`).
pub fn check_namespace_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n == 0 || n > 1024 {
        return Err(format!(
            "must be between 1 and 1024 characters long, got {n}"
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-".contains(*c)))
    {
        Some(c) => Err(format!(
            "{name:?} contains {c:?}; only letters, digits, '.', '_' and '-' are allowed in a namespace name"
        )),
        None => Ok(()),
    }
}

pub fn namespace_name_validator() -> Validator {
    Arc::new(|v, path, diags| {
        if let Some(Err(msg)) = v.as_str().map(check_namespace_name) {
            diags.invalid(path.clone(), msg);
        }
    })
}

pub async fn find_namespace(
    sd: &Client,
    id: &str,
) -> Result<Option<Namespace>, SdkError<GetNamespaceError>> {
    match sd.get_namespace().id(id).send().await {
        Ok(out) => Ok(out.namespace().cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A description as AWS reports it: absent is null, unless the prior state spelled it "".
pub fn description(read: Option<&str>, prior: &Value) -> Value {
    match read {
        Some(d) if !d.is_empty() => Value::from(d),
        _ if prior.str("description") == Some("") => Value::from(""),
        Some(d) => Value::from(d),
        None => Value::Null,
    }
}

/// The state both namespace resources share; each adds its own properties. `sent_tags` are the
/// tags of a namespace this apply just created with them (AWS tags it with exactly those), so no
/// ListTagsForResource; None reads them.
pub async fn namespace_state(
    sd: &Client,
    clients: &AwsClients,
    ns: &Namespace,
    prior: &Value,
    region: &str,
    kind: &str,
    sent_tags: Option<&Tags>,
) -> Result<Value, Diagnostic> {
    let arn = ns.arn().unwrap_or_default();
    let (tags, tags_all) = match sent_tags {
        Some(all) => tags::split_read(all, clients.default_tags(), prior.get("tags")),
        None => read_tags(sd, clients, arn, prior, kind).await?,
    };
    Ok(Value::object([
        ("arn", Value::from(arn)),
        ("description", description(ns.description(), prior)),
        ("id", Value::opt_string(ns.id())),
        ("name", Value::opt_string(ns.name())),
        ("region", Value::from(region)),
        ("tags", tags),
        ("tags_all", tags_all),
    ]))
}

/// The namespace ARN in AWS's documented form,
/// `arn:PARTITION:servicediscovery:REGION:ACCOUNT:namespace/ID`; None without a known account.
pub fn namespace_arn(clients: &AwsClients, region: &str, id: &str) -> Option<String> {
    let account = clients.account_id();
    (!account.is_empty()).then(|| {
        format!(
            "arn:{}:servicediscovery:{region}:{account}:namespace/{id}",
            clients.partition()
        )
    })
}

/// Refuses to manage a namespace of another kind (e.g. an HTTP namespace imported as a private
/// DNS one), naming the resource type that fits.
pub fn check_namespace_type(ns: &Namespace, want: &str, kind: &str) -> Result<(), Diagnostic> {
    let got = ns.r#type().map(|t| t.as_str()).unwrap_or("");
    if got.is_empty() || got == want {
        return Ok(());
    }
    let fits = match got {
        "HTTP" => "awsecs_service_discovery_http_namespace",
        "DNS_PRIVATE" => "awsecs_service_discovery_private_dns_namespace",
        _ => "a different resource type",
    };
    Err(Diagnostic::error(
        format!("reading {kind} ({})", ns.id().unwrap_or("?")),
        format!("this namespace is of type {got}, not {want}; manage it with {fits}"),
    ))
}

/// Waits for a namespace-creating operation and returns the new namespace ID. A failed wait on
/// an operation that may still finish (timeout, Stop) hands back a partial state naming the
/// namespace, so Terraform tracks it instead of orphaning it.
pub async fn finish_create(
    ctx: &Ctx<AwsClients>,
    sd: &Client,
    operation_id: &str,
    planned: &Value,
    kind: &str,
    name: &str,
) -> Result<String, ApplyError> {
    let summary = format!("waiting for {kind} create");
    match operation::wait(&ctx.stop, sd, operation_id).await {
        Ok(op) => operation::target(&op, OperationTargetType::Namespace).ok_or_else(|| {
            Diagnostic::error(
                errors::summary(&summary, name),
                format!("operation {operation_id} succeeded without naming the namespace"),
            )
            .into()
        }),
        Err(e @ RetryError::Failed(operation::OpError::Failed { .. })) => {
            Err(operation::diag(&e, &summary, name).into())
        }
        Err(e) => {
            let d = operation::diag(&e, &summary, name);
            match operation::peek_target(sd, operation_id, OperationTargetType::Namespace).await {
                Some(id) => {
                    let mut partial = planned.clone();
                    partial.set("id", Value::from(id));
                    Err(ApplyError::with_state(d, partial))
                }
                None => Err(d.into()),
            }
        }
    }
}

/// The services registered in a namespace (ListServices filtered by NAMESPACE_ID).
pub async fn services_in_namespace(
    sd: &Client,
    namespace_id: &str,
) -> Result<Vec<ServiceSummary>, SdkError<ListServicesError>> {
    let filter = ServiceFilter::builder()
        .name(ServiceFilterName::NamespaceId)
        .values(namespace_id)
        .condition(FilterCondition::Eq)
        .build()
        .map_err(SdkError::construction_failure)?;
    let pages: Vec<_> = sd
        .list_services()
        .filters(filter)
        .into_paginator()
        .send()
        .try_collect()
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.services().iter().cloned())
        .collect())
}

/// "api (srv-1), web (srv-2)" — at most `max` names, then "and N more".
pub fn name_services(services: &[ServiceSummary], max: usize) -> String {
    let mut parts: Vec<String> = services
        .iter()
        .take(max)
        .map(|s| format!("{} ({})", s.name().unwrap_or("?"), s.id().unwrap_or("?")))
        .collect();
    if services.len() > max {
        parts.push(format!("and {} more", services.len() - max));
    }
    parts.join(", ")
}

/// Deletes a namespace and waits for it. `ResourceInUse` (services still registered) is retried
/// for [`IN_USE_RETRY`]; if it persists the error names the services that block the delete.
pub async fn delete_namespace(
    ctx: &Ctx<AwsClients>,
    sd: &Client,
    id: &str,
    kind: &str,
) -> Result<(), Diagnostics> {
    let summary = format!("deleting {kind}");
    let sent = retry::retry_when(
        &ctx.stop,
        "deleting the namespace while Cloud Map reports services in it",
        IN_USE_RETRY,
        |e| errors::has_code(e, "ResourceInUse"),
        || sd.delete_namespace().id(id).send(),
    )
    .await;
    let operation_id = match sent {
        Ok(out) => out.operation_id().map(str::to_string),
        Err(RetryError::Failed(e)) if errors::is_not_found(&e) => return Ok(()),
        Err(e)
            if e.error()
                .is_some_and(|e| errors::has_code(e, "ResourceInUse")) =>
        {
            let aws_said = e.error().map(errors::describe).unwrap_or_default();
            return Err(in_use_diag(sd, id, &summary, &aws_said).await.into());
        }
        Err(e) => return Err(e.diag(&summary, id).into()),
    };
    if let Some(op) = operation_id {
        operation::wait(&ctx.stop, sd, &op)
            .await
            .map_err(|e| operation::diag(&e, &format!("waiting for {kind} delete"), id))?;
    }
    Ok(())
}

async fn in_use_diag(sd: &Client, id: &str, summary: &str, aws_said: &str) -> Diagnostic {
    let retried = retry::fmt_duration(IN_USE_RETRY);
    let detail = match services_in_namespace(sd, id).await {
        Ok(services) if !services.is_empty() => format!(
            "the namespace still contains {} service(s): {}. A namespace can only be deleted once it is empty \
             (retried for {retried} in case they were being deleted). Destroy those services first: if another \
             Terraform configuration manages them, destroy it there; if they were created outside Terraform \
             (by hand, or by ECS Service Connect), delete them with `aws servicediscovery delete-service --id <id>`. \
             AWS said: {aws_said}",
            services.len(),
            name_services(&services, 10),
        ),
        Ok(_) => format!(
            "AWS still reports the namespace in use after retrying for {retried}, although it lists no services \
             in it (they may be mid-deletion, or Route 53 records outside Cloud Map remain in its hosted zone). \
             AWS said: {aws_said}"
        ),
        Err(e) => format!(
            "AWS still reports the namespace in use after retrying for {retried} ({aws_said}); listing its \
             services to name them failed: {}",
            errors::describe(&e)
        ),
    };
    Diagnostic::error(errors::summary(summary, id), detail)
}
