//! MoveResourceState from hashicorp/aws: for each resource, a state as hashicorp/aws 6.58 writes
//! it (SDKv2 style: every attribute present, `""`/`0`/`false` for unset arguments, blocks as
//! lists; written from /work/shared/reference/hashicorp-aws-schemas-v6.58.txt) moves onto our
//! schema without errors, without warnings for default values, and keeps the values that matter.

use serde_json::{json, Value as Json};

use crate::aws::AwsProvider;
use crate::framework::server::Server;
use crate::framework::{Diagnostics, Value};
use crate::tfplugin5::codec::decode_json;

const AWS: &str = "registry.terraform.io/hashicorp/aws";

fn server() -> Server<AwsProvider> {
    Server::new(AwsProvider)
}

/// Moves `twin` (at `version`) from `aws_X` to `awsecs_X` and decodes it with our type.
fn moved(target: &str, version: i64, twin: Json) -> (Value, Diagnostics) {
    let s = server();
    let source = target.replacen("awsecs_", "aws_", 1);
    let (json, diags) = s
        .move_state(AWS, &source, version, twin, target)
        .unwrap_or_else(|d| panic!("{target}: move failed: {d:?}"));
    let ty = s.resource_schema(target).unwrap().block.object_type();
    let v = decode_json(&json, &ty).unwrap_or_else(|e| panic!("{target}: {e:?}\n{json:#}"));
    (v, diags)
}

fn moved_clean(target: &str, version: i64, twin: Json) -> Value {
    let (v, d) = moved(target, version, twin);
    assert!(d.is_empty(), "{target}: unexpected diagnostics {d:?}");
    v
}

const ROLE_POLICY: &str = "{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}],\"Version\":\"2012-10-17\"}";

#[test]
fn iam_role() {
    let v = moved_clean(
        "awsecs_iam_role",
        0,
        json!({
            "arn": "arn:aws:iam::123456789012:role/app", "assume_role_policy": ROLE_POLICY,
            "create_date": "2026-01-01T00:00:00Z", "description": "", "force_detach_policies": false,
            "id": "app", "inline_policy": [{"name": "", "policy": ""}],
            "managed_policy_arns": [], "max_session_duration": 3600,
            "name": "app", "name_prefix": "", "path": "/", "permissions_boundary": "",
            "tags": {}, "tags_all": {}, "unique_id": "AROAEXAMPLE"
        }),
    );
    assert_eq!(v.str("name"), Some("app"));
    assert_eq!(v.str("assume_role_policy"), Some(ROLE_POLICY));
    assert_eq!(v.get("description"), &Value::Null);
    assert_eq!(v.get("permissions_boundary"), &Value::Null);
    assert_eq!(v.get("tags"), &Value::Null);
    assert_eq!(v.i64("max_session_duration"), Some(3600));
    assert_eq!(v.get("inline_policy"), &Value::Set(vec![]));
}

#[test]
fn iam_role_inline_policies_of_other_resources_are_not_taken_over() {
    let v = moved_clean(
        "awsecs_iam_role",
        0,
        json!({
            "arn": "arn:aws:iam::123456789012:role/app", "assume_role_policy": ROLE_POLICY,
            "id": "app", "name": "app", "path": "/",
            "inline_policy": [{"name": "s3", "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}]
        }),
    );
    assert_eq!(v.get("inline_policy"), &Value::Set(vec![]));
}

#[test]
fn iam_role_policy_attachment_keeps_the_twin_id_until_refresh() {
    let v = moved_clean(
        "awsecs_iam_role_policy_attachment",
        0,
        json!({
            "id": "app-20260101000000000000000001",
            "policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "role": "app"
        }),
    );
    assert_eq!(v.str("role"), Some("app"));
    assert_eq!(
        v.str("policy_arn"),
        Some("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    );
}

#[test]
fn ecr_repository() {
    let v = moved_clean(
        "awsecs_ecr_repository",
        0,
        json!({
            "arn": "arn:aws:ecr:us-east-1:123456789012:repository/app",
            "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
            "force_delete": null, "id": "app",
            "image_scanning_configuration": [{"scan_on_push": false}],
            "image_tag_mutability": "MUTABLE", "image_tag_mutability_exclusion_filter": [],
            "name": "app", "region": "us-east-1", "registry_id": "123456789012",
            "repository_url": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
            "tags": null, "tags_all": {}, "timeouts": null
        }),
    );
    assert_eq!(v.str("image_tag_mutability"), Some("MUTABLE"));
    // AWS's defaults, which hashicorp/aws reads into state even when unconfigured, are dropped.
    assert_eq!(v.get("image_scanning_configuration").elements().len(), 0);
    assert_eq!(v.get("encryption_configuration").elements().len(), 0);
    let kms = moved_clean(
        "awsecs_ecr_repository",
        0,
        json!({"name": "app", "image_scanning_configuration": [{"scan_on_push": true}],
               "encryption_configuration": [{"encryption_type": "KMS", "kms_key": "arn:aws:kms:us-east-1:123456789012:key/k"}]}),
    );
    assert_eq!(kms.get("image_scanning_configuration").elements().len(), 1);
    assert_eq!(
        kms.get("encryption_configuration").elements()[0].str("encryption_type"),
        Some("KMS")
    );
}

#[test]
fn cloudwatch_log_group() {
    let v = moved_clean(
        "awsecs_cloudwatch_log_group",
        0,
        json!({
            "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app",
            "deletion_protection_enabled": false, "id": "/ecs/app", "kms_key_id": "",
            "log_group_class": "STANDARD", "name": "/ecs/app", "name_prefix": "",
            "region": "us-east-1", "retention_in_days": 7, "skip_destroy": false,
            "tags": {}, "tags_all": {}
        }),
    );
    assert_eq!(v.i64("retention_in_days"), Some(7));
    assert_eq!(v.get("kms_key_id"), &Value::Null);
}

#[test]
fn security_group_at_twin_schema_version_1() {
    let rule = |from: i64, proto: &str, cidr: &str| {
        json!({"cidr_blocks": [cidr], "description": "", "from_port": from, "ipv6_cidr_blocks": [],
               "prefix_list_ids": [], "protocol": proto, "security_groups": [], "self": false,
               "to_port": from})
    };
    let v = moved_clean(
        "awsecs_security_group",
        1,
        json!({
            "arn": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0",
            "description": "Managed by Terraform",
            "egress": [rule(0, "-1", "0.0.0.0/0")],
            "id": "sg-0123456789abcdef0",
            "ingress": [rule(80, "tcp", "0.0.0.0/0")],
            "name": "app", "name_prefix": "", "owner_id": "123456789012", "region": "us-east-1",
            "revoke_rules_on_delete": false, "tags": {}, "tags_all": {}, "timeouts": null,
            "vpc_id": "vpc-0123456789abcdef0"
        }),
    );
    assert_eq!(v.get("ingress").elements().len(), 1);
    assert_eq!(v.get("ingress").elements()[0].i64("from_port"), Some(80));
    assert_eq!(v.str("vpc_id"), Some("vpc-0123456789abcdef0"));
}

#[test]
fn ecs_cluster() {
    let v = moved_clean(
        "awsecs_ecs_cluster",
        0,
        json!({
            "arn": "arn:aws:ecs:us-east-1:123456789012:cluster/app", "configuration": [],
            "id": "arn:aws:ecs:us-east-1:123456789012:cluster/app", "name": "app",
            "region": "us-east-1", "service_connect_defaults": [],
            "setting": [{"name": "containerInsights", "value": "disabled"}],
            "tags": null, "tags_all": {}
        }),
    );
    assert_eq!(
        v.get("setting").elements().len(),
        0,
        "AWS's default is not managed"
    );
    let enhanced = moved_clean(
        "awsecs_ecs_cluster",
        0,
        json!({"name": "app", "setting": [{"name": "containerInsights", "value": "enhanced"}]}),
    );
    assert_eq!(enhanced.get("setting").elements().len(), 1);
    assert_eq!(v.get("configuration"), &Value::List(vec![]));
}

const CONTAINERS: &str = "[{\"cpu\":0,\"environment\":[],\"essential\":true,\"image\":\"nginx:1.27\",\"memory\":128,\"mountPoints\":[],\"name\":\"web\",\"portMappings\":[{\"containerPort\":80,\"hostPort\":0,\"protocol\":\"tcp\"}],\"systemControls\":[],\"volumesFrom\":[]}]";

#[test]
fn ecs_task_definition_at_twin_schema_version_1() {
    let v = moved_clean(
        "awsecs_ecs_task_definition",
        1,
        json!({
            "arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/app:3",
            "arn_without_revision": "arn:aws:ecs:us-east-1:123456789012:task-definition/app",
            "container_definitions": CONTAINERS, "cpu": "", "enable_fault_injection": false,
            "ephemeral_storage": [], "execution_role_arn": "", "family": "app", "id": "app",
            "ipc_mode": "", "memory": "", "network_mode": "bridge", "pid_mode": "",
            "placement_constraints": [], "proxy_configuration": [], "region": "us-east-1",
            "requires_compatibilities": [], "revision": 3, "runtime_platform": [],
            "skip_destroy": false, "tags": {}, "tags_all": {}, "task_role_arn": "",
            "track_latest": false,
            "volume": [{
                "configure_at_launch": false, "docker_volume_configuration": [],
                "efs_volume_configuration": [], "fsx_windows_file_server_volume_configuration": [],
                "host_path": "/data", "name": "data", "s3files_volume_configuration": []
            }]
        }),
    );
    assert_eq!(v.str("container_definitions"), Some(CONTAINERS));
    assert_eq!(v.i64("revision"), Some(3));
    // Unset force-new arguments must be null, or the next plan would replace the revision.
    for a in [
        "cpu",
        "memory",
        "execution_role_arn",
        "task_role_arn",
        "ipc_mode",
        "pid_mode",
    ] {
        assert_eq!(v.get(a), &Value::Null, "{a}");
    }
    assert_eq!(v.get("requires_compatibilities"), &Value::Null);
    assert_eq!(
        v.get("volume").elements()[0].str("host_path"),
        Some("/data")
    );
}

fn twin_service() -> Json {
    json!({
        "alarms": [], "arn": "arn:aws:ecs:us-east-1:123456789012:service/app/web",
        "availability_zone_rebalancing": "DISABLED",
        "capacity_provider_strategy": [{"base": 0, "capacity_provider": "app-cp", "weight": 1}],
        "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/app",
        "deployment_circuit_breaker": [{"enable": false, "rollback": false}],
        "deployment_configuration": [{
            "bake_time_in_minutes": "0", "canary_configuration": [], "lifecycle_hook": [],
            "linear_configuration": [], "strategy": "ROLLING"
        }],
        "deployment_controller": [{"type": "ECS"}],
        "deployment_maximum_percent": 200, "deployment_minimum_healthy_percent": 100,
        "desired_count": 2, "enable_ecs_managed_tags": false, "enable_execute_command": false,
        "force_delete": null, "force_new_deployment": null, "health_check_grace_period_seconds": 0,
        "iam_role": "/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "id": "arn:aws:ecs:us-east-1:123456789012:service/app/web", "launch_type": "",
        "load_balancer": [], "name": "web", "network_configuration": [],
        "ordered_placement_strategy": [{"field": "attribute:ecs.availability-zone", "type": "spread"}],
        "placement_constraints": [], "platform_version": "", "propagate_tags": "NONE",
        "region": "us-east-1", "scheduling_strategy": "REPLICA",
        "service_connect_configuration": [], "service_registries": [], "sigint_rollback": false,
        "tags": {}, "tags_all": {}, "task_definition": "app:3", "timeouts": null, "triggers": {},
        "volume_configuration": [], "vpc_lattice_configurations": [],
        "wait_for_steady_state": false
    })
}

#[test]
fn ecs_service_at_twin_schema_version_1() {
    let v = moved_clean("awsecs_ecs_service", 1, twin_service());
    assert_eq!(v.i64("desired_count"), Some(2));
    assert_eq!(v.str("task_definition"), Some("app:3"));
    assert_eq!(v.get("capacity_provider_strategy").elements().len(), 1);
    assert_eq!(v.get("health_check_grace_period_seconds"), &Value::Null);
    assert_eq!(v.get("propagate_tags"), &Value::Null, "NONE is unset");
}

#[test]
fn a_set_dropped_attribute_warns_by_name() {
    let mut twin = twin_service();
    twin["sigint_rollback"] = json!(true);
    twin["deployment_configuration"][0]["strategy"] = json!("BLUE_GREEN");
    let (_, d) = moved("awsecs_ecs_service", 1, twin);
    assert!(!d.has_errors(), "{d:?}");
    let text: Vec<&str> = d.0.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(text
        .iter()
        .any(|t| t.contains("aws_ecs_service.sigint_rollback")));
    assert!(text
        .iter()
        .any(|t| t.contains("aws_ecs_service.deployment_configuration.strategy")));
}

#[test]
fn older_twin_schema_versions_warn_and_newer_ones_are_refused() {
    let (_, d) = moved("awsecs_ecs_service", 0, twin_service());
    assert_eq!(d.0.len(), 1, "{d:?}");
    assert!(d.0[0].detail.contains("schema version 0"), "{d:?}");
    let err = server()
        .move_state(
            AWS,
            "aws_ecs_service",
            2,
            twin_service(),
            "awsecs_ecs_service",
        )
        .unwrap_err();
    assert!(err.has_errors());
    assert!(err.0[0].detail.contains("schema version 2"), "{err:?}");
}

#[test]
fn only_the_twin_type_of_hashicorp_aws_is_accepted() {
    let s = server();
    let twin = json!({"id": "app", "name": "app"});
    for (addr, source) in [
        ("registry.terraform.io/hashicorp/aws", "aws_iam_policy"),
        ("registry.terraform.io/hashicorp/google", "aws_iam_role"),
        ("registry.terraform.io/awsecs/awsecs", "awsecs_iam_role"),
    ] {
        let err = s
            .move_state(addr, source, 0, twin.clone(), "awsecs_iam_role")
            .unwrap_err();
        let detail = &err.0[0].detail;
        assert!(
            detail.contains("only be moved from aws_iam_role of registry.terraform.io/hashicorp/aws or registry.opentofu.org/hashicorp/aws"),
            "{detail}"
        );
    }
    let (_, d) = s
        .move_state(
            "registry.opentofu.org/hashicorp/aws",
            "aws_iam_role",
            0,
            twin,
            "awsecs_iam_role",
        )
        .expect("OpenTofu's address is accepted");
    assert!(d.is_empty());
}

/// Every resource accepts the SDKv2 shape of its own schema (all attributes present with zero
/// values, blocks as lists) at its twin's schema version, without warnings.
#[test]
fn every_resource_accepts_a_zero_valued_twin_state() {
    use crate::framework::{Block, Nesting, Type};
    fn zero(t: &Type) -> Json {
        match t {
            Type::String => json!(""),
            Type::Number => json!(0),
            Type::Bool => json!(false),
            Type::List(_) | Type::Set(_) => json!([]),
            Type::Map(_) => json!({}),
            _ => Json::Null,
        }
    }
    fn twin_of(b: &Block) -> Json {
        let mut m = serde_json::Map::new();
        for a in &b.attributes {
            m.insert(a.name.clone(), zero(&a.ty));
        }
        for nb in &b.blocks {
            let v = match nb.nesting {
                Nesting::Single | Nesting::Group => Json::Null,
                _ => json!([twin_of(&nb.block)]),
            };
            m.insert(nb.name.clone(), v);
        }
        Json::Object(m)
    }
    let s = server();
    let resources = super::resources();
    assert!(resources.len() >= 26);
    for r in resources {
        let target = r.type_name();
        let block = &s.resource_schema(target).unwrap().block;
        let (_, d) = moved(target, r.twin_state().schema_version, twin_of(block));
        assert!(d.is_empty(), "{target}: {d:?}");
    }
}

const S3_READ: &str = "{\"Statement\":[{\"Action\":\"s3:GetObject\",\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}";

#[test]
fn iam_role_policy() {
    let v = moved_clean(
        "awsecs_iam_role_policy",
        0,
        json!({"id": "app:s3", "name": "s3", "name_prefix": "", "policy": S3_READ, "role": "app"}),
    );
    assert_eq!(v.str("name"), Some("s3"));
    assert_eq!(v.str("policy"), Some(S3_READ));
}

#[test]
fn iam_instance_profile() {
    let v = moved_clean(
        "awsecs_iam_instance_profile",
        0,
        json!({
            "arn": "arn:aws:iam::123456789012:instance-profile/app", "create_date": "2026-01-01T00:00:00Z",
            "id": "app", "name": "app", "name_prefix": "", "path": "/", "role": "app",
            "tags": {}, "tags_all": {}, "unique_id": "AIPAEXAMPLE"
        }),
    );
    assert_eq!(v.str("role"), Some("app"));
    assert_eq!(v.str("path"), Some("/"));
}

#[test]
fn iam_policy_unset_force_new_description_is_null() {
    let v = moved_clean(
        "awsecs_iam_policy",
        0,
        json!({
            "arn": "arn:aws:iam::123456789012:policy/s3", "attachment_count": 1,
            "delay_after_policy_creation_in_ms": null, "description": "", "id": "arn:aws:iam::123456789012:policy/s3",
            "name": "s3", "name_prefix": "", "path": "/", "policy": S3_READ,
            "policy_id": "ANPAEXAMPLE", "tags": {}, "tags_all": {}
        }),
    );
    assert_eq!(v.get("description"), &Value::Null);
    assert_eq!(v.i64("attachment_count"), Some(1));
}

#[test]
fn ecr_lifecycle_and_repository_policies() {
    let lifecycle = "{\"rules\":[{\"action\":{\"type\":\"expire\"},\"rulePriority\":1,\"selection\":{\"countNumber\":10,\"countType\":\"imageCountMoreThan\",\"tagStatus\":\"any\"}}]}";
    let v = moved_clean(
        "awsecs_ecr_lifecycle_policy",
        0,
        json!({"id": "app", "policy": lifecycle, "region": "us-east-1",
               "registry_id": "123456789012", "repository": "app"}),
    );
    assert_eq!(v.str("policy"), Some(lifecycle));
    let v = moved_clean(
        "awsecs_ecr_repository_policy",
        0,
        json!({"id": "app", "policy": S3_READ, "region": "us-east-1",
               "registry_id": "123456789012", "repository": "app"}),
    );
    assert_eq!(v.str("repository"), Some("app"));
}

#[test]
fn ecs_cluster_capacity_providers() {
    let v = moved_clean(
        "awsecs_ecs_cluster_capacity_providers",
        0,
        json!({
            "capacity_providers": ["app-cp"], "cluster_name": "app", "id": "app", "region": "us-east-1",
            "default_capacity_provider_strategy": [{"base": 0, "capacity_provider": "app-cp", "weight": 1}]
        }),
    );
    assert_eq!(
        v.get("default_capacity_provider_strategy").elements().len(),
        1
    );
}

#[test]
fn service_discovery_namespaces_and_service() {
    let v = moved_clean(
        "awsecs_service_discovery_private_dns_namespace",
        0,
        json!({
            "arn": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1", "description": "",
            "hosted_zone": "Z123", "id": "ns-1", "name": "app.local", "region": "us-east-1",
            "tags": {}, "tags_all": {}, "vpc": "vpc-0123456789abcdef0"
        }),
    );
    assert_eq!(v.get("description"), &Value::Null);
    let v = moved_clean(
        "awsecs_service_discovery_http_namespace",
        0,
        json!({
            "arn": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-2", "description": "",
            "http_name": "app", "id": "ns-2", "name": "app", "region": "us-east-1",
            "tags": {}, "tags_all": {}
        }),
    );
    assert_eq!(v.str("name"), Some("app"));
    let v = moved_clean(
        "awsecs_service_discovery_service",
        0,
        json!({
            "arn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1", "description": "",
            "dns_config": [{"dns_records": [{"ttl": 10, "type": "A"}], "namespace_id": "ns-1",
                            "routing_policy": "MULTIVALUE"}],
            "force_destroy": false, "health_check_config": [],
            "health_check_custom_config": [{"failure_threshold": 1}],
            "id": "srv-1", "name": "web", "namespace_id": "ns-1", "region": "us-east-1",
            "tags": {}, "tags_all": {}, "type": "DNS_HTTP"
        }),
    );
    assert_eq!(v.get("dns_config").elements().len(), 1);
}
