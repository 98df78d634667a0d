//! Deleting a security group: EC2 refuses (`DependencyViolation`, `InvalidGroup.InUse`) while a
//! network interface still uses the group or another group's rule references it. ENIs of a task or
//! instance that just went away linger for minutes, so the delete is retried for the delete
//! timeout; if it still fails, the error names what is holding the group.

use std::time::Duration;

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::errors;
use crate::aws::retry::{self, Poll, RetryError, WaitPolicy, PROPAGATION_TIMEOUT};
use crate::framework::{Diagnostic, StopToken};

const KIND: &str = "Security Group";

pub fn is_in_use<E: ProvideErrorMetadata>(e: &E) -> bool {
    errors::has_code(e, "DependencyViolation") || errors::has_code(e, "InvalidGroup.InUse")
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// What still uses the group: network interfaces and other groups' rules. Best effort (a failed
/// lookup just yields fewer names).
pub async fn dependents(ec2: &Client, id: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(r) = ec2
        .describe_network_interfaces()
        .filters(filter("group-id", id))
        .send()
        .await
    {
        for eni in r.network_interfaces() {
            let mut s = format!(
                "network interface {}",
                eni.network_interface_id().unwrap_or("?")
            );
            match eni.attachment().and_then(|a| a.instance_id()) {
                Some(i) => s.push_str(&format!(" (attached to {i})")),
                None => {
                    if let Some(st) = eni.status() {
                        s.push_str(&format!(" ({})", st.as_str()));
                    }
                }
            }
            if let Some(d) = eni.description().filter(|d| !d.is_empty()) {
                s.push_str(&format!(" {d:?}"));
            }
            out.push(s);
        }
    }
    for f in ["ip-permission.group-id", "egress.ip-permission.group-id"] {
        if let Ok(r) = ec2
            .describe_security_groups()
            .filters(filter(f, id))
            .send()
            .await
        {
            for g in r.security_groups() {
                let gid = g.group_id().unwrap_or("?");
                let s = format!(
                    "a rule of security group {gid} ({})",
                    g.group_name().unwrap_or("?")
                );
                if gid != id && !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// Revokes every rule of the group itself.
pub async fn revoke_own_rules(ec2: &Client, id: &str) -> Result<(), Diagnostic> {
    let out = ec2
        .describe_security_groups()
        .group_ids(id)
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("reading {KIND} rules to revoke"), id, &e))?;
    let Some(g) = out.security_groups().first() else {
        return Ok(());
    };
    if !g.ip_permissions().is_empty() {
        ec2.revoke_security_group_ingress()
            .group_id(id)
            .set_ip_permissions(Some(g.ip_permissions().to_vec()))
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("revoking {KIND} ingress rules"), id, &e))?;
    }
    if !g.ip_permissions_egress().is_empty() {
        ec2.revoke_security_group_egress()
            .group_id(id)
            .set_ip_permissions(Some(g.ip_permissions_egress().to_vec()))
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("revoking {KIND} egress rules"), id, &e))?;
    }
    Ok(())
}

/// Revokes the rules of other groups that reference this one (what `revoke_rules_on_delete`
/// does once a delete hits a dependency).
pub async fn revoke_referencing_rules(ec2: &Client, id: &str) -> Result<(), Diagnostic> {
    let mut groups = Vec::new();
    for f in ["ip-permission.group-id", "egress.ip-permission.group-id"] {
        if let Ok(r) = ec2
            .describe_security_groups()
            .filters(filter(f, id))
            .send()
            .await
        {
            groups.extend(
                r.security_groups()
                    .iter()
                    .filter_map(|g| g.group_id().map(str::to_string))
                    .filter(|g| g != id),
            );
        }
    }
    groups.sort();
    groups.dedup();
    if groups.is_empty() {
        return Ok(());
    }
    let rules = ec2
        .describe_security_group_rules()
        .filters(
            Filter::builder()
                .name("group-id")
                .set_values(Some(groups))
                .build(),
        )
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("reading rules referencing {KIND}"), id, &e))?;
    for r in rules.security_group_rules() {
        let refers = r.referenced_group_info().and_then(|g| g.group_id()) == Some(id);
        let (Some(gid), Some(rid), true) = (r.group_id(), r.security_group_rule_id(), refers)
        else {
            continue;
        };
        let res = if r.is_egress() == Some(true) {
            ec2.revoke_security_group_egress()
                .group_id(gid)
                .security_group_rule_ids(rid)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| errors::aws_diag("revoking referencing rule", rid, &e))
        } else {
            ec2.revoke_security_group_ingress()
                .group_id(gid)
                .security_group_rule_ids(rid)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| errors::aws_diag("revoking referencing rule", rid, &e))
        };
        res?;
    }
    Ok(())
}

/// Deletes the group, retrying while it is in use, then waits until it is gone.
pub async fn delete(
    ec2: &Client,
    stop: &StopToken,
    id: &str,
    revoke_rules: bool,
    budget: Duration,
) -> Result<(), Diagnostic> {
    if revoke_rules {
        revoke_own_rules(ec2, id).await?;
    }
    let first = ec2.delete_security_group().group_id(id).send().await;
    match first {
        Ok(_) => {}
        Err(e) if errors::is_not_found(&e) => return Ok(()),
        Err(e) if is_in_use(&e) => {
            if revoke_rules {
                revoke_referencing_rules(ec2, id).await?;
            }
            let res = retry::retry_when(
                stop,
                "retrying DependencyViolation while the group is still in use",
                budget,
                is_in_use,
                || ec2.delete_security_group().group_id(id).send(),
            )
            .await;
            match res {
                Ok(_) => {}
                Err(RetryError::Failed(e)) if errors::is_not_found(&e) => return Ok(()),
                Err(e @ RetryError::TimedOut { .. }) => {
                    let mut d = e.diag(&format!("deleting {KIND}"), id);
                    let users = dependents(ec2, id).await;
                    if users.is_empty() {
                        d.detail.push_str(". EC2 did not say what still uses the group (an ENI may be detaching); retry later or raise timeouts.delete");
                    } else {
                        d.detail.push_str(&format!(". Still in use by: {}. Remove or detach these first (or set revoke_rules_on_delete = true for referencing rules)", users.join("; ")));
                    }
                    return Err(d);
                }
                Err(e) => return Err(e.diag(&format!("deleting {KIND}"), id)),
            }
        }
        Err(e) => return Err(errors::aws_diag(&format!("deleting {KIND}"), id, &e)),
    }
    retry::wait_until(
        stop,
        "waiting for the security group to disappear",
        WaitPolicy::new(PROPAGATION_TIMEOUT),
        || async {
            match ec2.describe_security_groups().group_ids(id).send().await {
                Ok(r) if r.security_groups().is_empty() => Ok(Poll::Ready(())),
                Ok(_) => Ok(Poll::Pending("exists".into())),
                Err(e) if errors::is_not_found(&e) => Ok(Poll::Ready(())),
                Err(e) => Err(e),
            }
        },
    )
    .await
    .map_err(|e| e.diag(&format!("deleting {KIND}"), id))
}
