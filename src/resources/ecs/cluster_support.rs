//! What the ECS cluster, capacity provider and cluster-capacity-providers resources share:
//! cluster names, finding a cluster, waiting for it to settle, and which clusters use a
//! capacity provider.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ecs::types::{Cluster, ClusterField};
use aws_sdk_ecs::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::errors;
use crate::aws::retry::{self, Poll, WaitPolicy};
use crate::framework::schema::Validator;
use crate::framework::{Diagnostic, StopToken};

/// hashicorp/aws `waitClusterAvailable` / `waitClusterDeleted`: 10 minutes.
pub const CLUSTER_WAIT: Duration = Duration::from_secs(10 * 60);
/// DescribeClusters takes at most 100 clusters per call.
const DESCRIBE_BATCH: usize = 100;

/// ECS cluster names: 1-255 letters, digits, hyphens and underscores.
pub fn check_cluster_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if !(1..=255).contains(&n) {
        return Err(format!(
            "must be between 1 and 255 characters long, got {n}"
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        Some(c) => Err(format!(
            "{name:?} contains {c:?}; only letters, digits, hyphens (-) and underscores (_) are allowed"
        )),
        None => Ok(()),
    }
}

pub fn cluster_name_validator() -> Validator {
    Arc::new(|v, path, diags| {
        if let Some(Err(msg)) = v.as_str().map(check_cluster_name) {
            diags.invalid(path.clone(), msg);
        }
    })
}

/// The cluster name in a cluster ARN (`arn:...:cluster/NAME`), or the input when it is a name.
pub fn cluster_name_of(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
    } else {
        name_or_arn
    }
}

/// A cluster that exists (any status but INACTIVE, which ECS reports for a while after delete).
/// `include` asks for settings, configuration and tags.
pub async fn find_cluster(
    ecs: &Client,
    name_or_arn: &str,
    include: bool,
) -> Result<Option<Cluster>, String> {
    let mut req = ecs.describe_clusters().clusters(name_or_arn);
    if include {
        req = req
            .include(ClusterField::Settings)
            .include(ClusterField::Configurations)
            .include(ClusterField::Tags);
    }
    match req.send().await {
        Ok(out) => Ok(out
            .clusters()
            .iter()
            .find(|c| c.status() != Some("INACTIVE"))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(errors::describe(&e)),
    }
}

/// Waits until the cluster is ACTIVE (PROVISIONING and a not-yet-visible cluster are pending;
/// FAILED ends the wait with its reason).
pub async fn wait_cluster_active(
    stop: &StopToken,
    ecs: &Client,
    name_or_arn: &str,
    budget: Duration,
    operation: &str,
) -> Result<Cluster, Diagnostic> {
    retry::wait_until(
        stop,
        "waiting for the cluster to become ACTIVE",
        WaitPolicy::new(budget),
        || async {
            Ok(match find_cluster(ecs, name_or_arn, true).await? {
                Some(c) if c.status() == Some("ACTIVE") => Poll::Ready(c),
                Some(c) if c.status() == Some("FAILED") => {
                    return Err(format!(
                        "the cluster is FAILED (attachments status {})",
                        c.attachments_status().unwrap_or("unknown")
                    ))
                }
                Some(c) => Poll::Pending(c.status().unwrap_or("unknown").to_string()),
                None => Poll::Pending("not found yet".into()),
            })
        },
    )
    .await
    .map_err(|e: retry::RetryError<String>| {
        e.diag_with(operation, cluster_name_of(name_or_arn), |s| s.clone())
    })
}

/// Names of the clusters (not INACTIVE) that list the capacity provider `name` among their
/// capacity providers. Lists every cluster of the region: ECS has no reverse lookup.
pub async fn clusters_using_provider(ecs: &Client, name: &str) -> Result<Vec<String>, String> {
    let arns: Vec<String> = ecs
        .list_clusters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| errors::describe(&e))?;
    let mut using = Vec::new();
    for chunk in arns.chunks(DESCRIBE_BATCH) {
        let out = ecs
            .describe_clusters()
            .set_clusters(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| errors::describe(&e))?;
        for c in out.clusters() {
            if c.status() != Some("INACTIVE") && c.capacity_providers().iter().any(|p| p == name) {
                using.push(c.cluster_name().unwrap_or_default().to_string());
            }
        }
    }
    using.sort();
    Ok(using)
}

/// ECS is still applying an earlier change to the cluster or provider.
pub fn is_update_in_progress<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::has_code(e, "UpdateInProgressException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_follow_ecs_rules() {
        for ok in ["a", "my-cluster_1", &"x".repeat(255)] {
            assert_eq!(check_cluster_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "has space", "dot.ted", "slash/x", &"x".repeat(256)] {
            assert!(check_cluster_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            cluster_name_of("arn:aws:ecs:us-east-1:1:cluster/prod"),
            "prod"
        );
        assert_eq!(cluster_name_of("prod"), "prod");
    }
}
