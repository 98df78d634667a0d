//! `awsecs_ecs_service` state ↔ ECS: the state for a DescribeServices entry, and the
//! CreateService / UpdateService members for a plan. Kept apart from the CRUD in `service.rs`.
//!
//! When an answer omits an optional structure (deployment configuration, placement, execute
//! command, grace period, Service Connect, ...), the reference value (prior state or plan) is
//! kept: absence is not a change.

use serde_json::{Map, Value as J};

use super::service_schema::{self as m, schema};
use crate::aws::{ecs_json, tags, AwsClients};
use crate::framework::Value;

fn keep_or<T>(present: Option<T>, make: impl FnOnce(T) -> Value, reference: &Value) -> Value {
    match present {
        Some(x) => make(x),
        None => known(reference),
    }
}

/// The state for a DescribeServices `services[]` entry; `reference` is the prior state or plan.
pub fn state_from(svc: &J, reference: &Value, clients: &AwsClients, region: &str) -> Value {
    let r = |k: &str| reference.get(k);
    let arn = svc
        .get("serviceArn")
        .and_then(J::as_str)
        .unwrap_or_default();
    let arr = |k: &str| svc.get(k).and_then(J::as_array).filter(|a| !a.is_empty());
    let dc = svc.get("deploymentConfiguration").filter(|d| d.is_object());
    let block_ref = |k: &str| known(r(k));
    let breaker = match dc.and_then(|d| d.get("deploymentCircuitBreaker")) {
        Some(b) => {
            let (en, rb) = (
                b.get("enable").and_then(J::as_bool).unwrap_or(false),
                b.get("rollback").and_then(J::as_bool).unwrap_or(false),
            );
            // ECS reports a disabled breaker for every service; absent in config means that.
            if en || rb || !r("deployment_circuit_breaker").elements().is_empty() {
                Value::List(vec![Value::object([
                    ("enable", Value::Bool(en)),
                    ("rollback", Value::Bool(rb)),
                ])])
            } else {
                Value::List(vec![])
            }
        }
        None => block_ref("deployment_circuit_breaker"),
    };
    let alarms = match dc.and_then(|d| d.get("alarms")) {
        Some(a) => {
            let names: Vec<&str> = a
                .get("alarmNames")
                .and_then(J::as_array)
                .into_iter()
                .flatten()
                .filter_map(J::as_str)
                .collect();
            let (en, rb) = (
                a.get("enable").and_then(J::as_bool).unwrap_or(false),
                a.get("rollback").and_then(J::as_bool).unwrap_or(false),
            );
            if !names.is_empty() || en || rb || !r("alarms").elements().is_empty() {
                Value::List(vec![Value::object([
                    ("alarm_names", Value::string_set(names)),
                    ("enable", Value::Bool(en)),
                    ("rollback", Value::Bool(rb)),
                ])])
            } else {
                Value::List(vec![])
            }
        }
        None => block_ref("alarms"),
    };
    let controller = match svc
        .get("deploymentController")
        .and_then(|c| c.get("type"))
        .and_then(J::as_str)
    {
        Some(t) if t != "ECS" || !r("deployment_controller").elements().is_empty() => {
            Value::List(vec![Value::object([("type", Value::from(t))])])
        }
        Some(_) => Value::List(vec![]),
        None => block_ref("deployment_controller"),
    };
    let scheduling = svc
        .get("schedulingStrategy")
        .and_then(J::as_str)
        .unwrap_or("REPLICA");
    let desired = match svc.get("desiredCount").and_then(J::as_i64) {
        _ if scheduling == "DAEMON" => known(r("desired_count")),
        Some(0) if r("desired_count").is_null() || r("desired_count").is_unknown() => Value::Null,
        n => Value::opt_int(n),
    };
    let propagate = match svc.get("propagateTags").and_then(J::as_str) {
        Some("NONE") if !matches!(r("propagate_tags").as_str(), Some("NONE")) => Value::Null,
        p => Value::opt_string(p),
    };
    // Service Connect is reported on the deployments (the PRIMARY one is current).
    let primary = svc.get("deployments").and_then(J::as_array).and_then(|d| {
        d.iter()
            .find(|x| x.get("status").and_then(J::as_str) == Some("PRIMARY"))
    });
    let service_connect = match primary
        .and_then(|p| p.get("serviceConnectConfiguration"))
        .filter(|c| c.is_object())
    {
        Some(sc) => service_connect_from(sc, reference),
        None => block_ref("service_connect_configuration"),
    };
    let all_tags = ecs_json::tags_from_json(svc.get("tags"));
    let (tags_v, tags_all) = tags::split_read(&all_tags, clients.default_tags(), r("tags"));
    let nc = svc
        .get("networkConfiguration")
        .filter(|n| n.get("awsvpcConfiguration").is_some());
    let cps = match arr("capacityProviderStrategy") {
        Some(a) => capacity_provider_strategy_from(a),
        None => block_ref("capacity_provider_strategy"),
    };
    Value::object([
        ("arn", Value::from(arn)),
        (
            "availability_zone_rebalancing",
            keep_or(
                svc.get("availabilityZoneRebalancing").and_then(J::as_str),
                Value::from,
                r("availability_zone_rebalancing"),
            ),
        ),
        (
            "cluster",
            Value::opt_string(svc.get("clusterArn").and_then(J::as_str)),
        ),
        (
            "deployment_maximum_percent",
            keep_or(
                dc.and_then(|d| d.get("maximumPercent")).and_then(J::as_i64),
                Value::int,
                r("deployment_maximum_percent"),
            ),
        ),
        (
            "deployment_minimum_healthy_percent",
            keep_or(
                dc.and_then(|d| d.get("minimumHealthyPercent"))
                    .and_then(J::as_i64),
                Value::int,
                r("deployment_minimum_healthy_percent"),
            ),
        ),
        ("desired_count", desired),
        (
            "enable_ecs_managed_tags",
            keep_or(
                svc.get("enableECSManagedTags").and_then(J::as_bool),
                Value::Bool,
                r("enable_ecs_managed_tags"),
            ),
        ),
        (
            "enable_execute_command",
            keep_or(
                svc.get("enableExecuteCommand").and_then(J::as_bool),
                Value::Bool,
                r("enable_execute_command"),
            ),
        ),
        ("force_delete", r("force_delete").clone()),
        ("force_new_deployment", r("force_new_deployment").clone()),
        (
            "health_check_grace_period_seconds",
            keep_or(
                svc.get("healthCheckGracePeriodSeconds").and_then(J::as_i64),
                Value::int,
                r("health_check_grace_period_seconds"),
            ),
        ),
        (
            "iam_role",
            keep_or(
                svc.get("roleArn").and_then(J::as_str),
                Value::from,
                r("iam_role"),
            ),
        ),
        ("id", Value::from(arn)),
        (
            "launch_type",
            keep_or(
                svc.get("launchType").and_then(J::as_str),
                Value::from,
                r("launch_type"),
            ),
        ),
        (
            "name",
            Value::opt_string(svc.get("serviceName").and_then(J::as_str)),
        ),
        (
            "platform_version",
            keep_or(
                svc.get("platformVersion").and_then(J::as_str),
                Value::from,
                r("platform_version"),
            ),
        ),
        ("propagate_tags", propagate),
        ("region", Value::from(region)),
        ("scheduling_strategy", Value::from(scheduling)),
        ("tags", tags_v),
        ("tags_all", tags_all),
        (
            "task_definition",
            Value::opt_string(svc.get("taskDefinition").and_then(J::as_str)),
        ),
        ("triggers", known(r("triggers"))),
        ("wait_for_steady_state", r("wait_for_steady_state").clone()),
        ("alarms", alarms),
        ("capacity_provider_strategy", cps),
        ("deployment_circuit_breaker", breaker),
        ("deployment_controller", controller),
        (
            "load_balancer",
            match arr("loadBalancers") {
                Some(a) => load_balancers_from(a),
                None => Value::Set(vec![]),
            },
        ),
        ("network_configuration", network_configuration_from(nc)),
        (
            "ordered_placement_strategy",
            match svc.get("placementStrategy").and_then(J::as_array) {
                Some(a) => placement_strategy_from(a),
                None => block_ref("ordered_placement_strategy"),
            },
        ),
        (
            "placement_constraints",
            match svc.get("placementConstraints").and_then(J::as_array) {
                Some(a) => placement_constraints_from(a),
                None => block_ref("placement_constraints"),
            },
        ),
        ("service_connect_configuration", service_connect),
        (
            "service_registries",
            match arr("serviceRegistries") {
                Some(a) => service_registries_from(a),
                None => Value::List(vec![]),
            },
        ),
        ("timeouts", r("timeouts").clone()),
    ])
}

/// CreateService members (besides serviceName and cluster, which the SDK sets).
pub fn create_members(p: &Value) -> Map<String, J> {
    let mut out = Map::new();
    let mut put = |k: &str, v: Option<J>| {
        if let Some(v) = v {
            out.insert(k.to_string(), v);
        }
    };
    let js = |k: &str| p.str(k).map(J::from);
    let nonempty = |j: J| j.as_array().is_some_and(|a| !a.is_empty()).then_some(j);
    put("taskDefinition", js("task_definition"));
    if p.str("scheduling_strategy") != Some("DAEMON") {
        put(
            "desiredCount",
            Some(J::from(p.i64("desired_count").unwrap_or(0))),
        );
    }
    put("launchType", js("launch_type"));
    put(
        "capacityProviderStrategy",
        nonempty(m::capacity_provider_strategy_json(p)),
    );
    put("schedulingStrategy", js("scheduling_strategy"));
    put(
        "deploymentConfiguration",
        Some(m::deployment_configuration_json(p)),
    );
    put(
        "deploymentController",
        p.block("deployment_controller")
            .and_then(|c| c.str("type"))
            .map(|t| serde_json::json!({ "type": t })),
    );
    put("networkConfiguration", m::network_configuration_json(p));
    put("loadBalancers", nonempty(m::load_balancers_json(p)));
    put("serviceRegistries", nonempty(m::service_registries_json(p)));
    put("placementStrategy", nonempty(m::placement_strategy_json(p)));
    put(
        "placementConstraints",
        nonempty(m::placement_constraints_json(p)),
    );
    put(
        "healthCheckGracePeriodSeconds",
        p.i64("health_check_grace_period_seconds").map(J::from),
    );
    put(
        "enableExecuteCommand",
        p.bool("enable_execute_command").map(J::Bool),
    );
    put(
        "enableECSManagedTags",
        p.bool("enable_ecs_managed_tags").map(J::Bool),
    );
    put("propagateTags", js("propagate_tags"));
    put("platformVersion", js("platform_version"));
    put("role", js("iam_role"));
    put(
        "availabilityZoneRebalancing",
        js("availability_zone_rebalancing"),
    );
    put("serviceConnectConfiguration", m::service_connect_json(p));
    let all = tags::from_planned(p);
    if !all.is_empty() {
        put(
            "tags",
            Some(J::Array(
                all.iter()
                    .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                    .collect(),
            )),
        );
    }
    out
}

/// UpdateService members for what changed between `prior` and `planned` (empty: nothing to send).
pub fn update_members(prior: &Value, planned: &Value) -> Map<String, J> {
    let block = schema().block;
    let changed = |k: &str| match block.attribute(k) {
        Some(a) => {
            let both_null = prior.get(k).is_null() && planned.get(k).is_null();
            !(both_null || a.values_equivalent(prior.get(k), planned.get(k)))
        }
        None => !prior.get(k).equivalent(planned.get(k)),
    };
    let mut out = Map::new();
    let daemon = planned.str("scheduling_strategy") == Some("DAEMON");
    if changed("desired_count") && !daemon {
        out.insert(
            "desiredCount".into(),
            J::from(planned.i64("desired_count").unwrap_or(0)),
        );
    }
    if changed("task_definition") {
        if let Some(t) = planned.str("task_definition") {
            out.insert("taskDefinition".into(), J::from(t));
        }
    }
    if changed("capacity_provider_strategy") {
        // An empty list moves the service back to its launch type; ECS does not redeploy for a
        // strategy change alone, so the new capacity is used by a forced deployment.
        out.insert(
            "capacityProviderStrategy".into(),
            m::capacity_provider_strategy_json(planned),
        );
        out.insert("forceNewDeployment".into(), J::Bool(true));
    }
    if [
        "deployment_maximum_percent",
        "deployment_minimum_healthy_percent",
        "deployment_circuit_breaker",
        "alarms",
    ]
    .iter()
    .any(|k| changed(k))
    {
        out.insert(
            "deploymentConfiguration".into(),
            m::deployment_configuration_json(planned),
        );
    }
    if changed("deployment_controller") {
        let t = planned
            .block("deployment_controller")
            .and_then(|c| c.str("type"))
            .unwrap_or("ECS");
        out.insert(
            "deploymentController".into(),
            serde_json::json!({ "type": t }),
        );
    }
    if changed("network_configuration") {
        if let Some(n) = m::network_configuration_json(planned) {
            out.insert("networkConfiguration".into(), n);
        }
    }
    type ToJson = fn(&Value) -> J;
    let lists: [(&str, &str, ToJson); 4] = [
        ("load_balancer", "loadBalancers", m::load_balancers_json),
        (
            "service_registries",
            "serviceRegistries",
            m::service_registries_json,
        ),
        (
            "ordered_placement_strategy",
            "placementStrategy",
            m::placement_strategy_json,
        ),
        (
            "placement_constraints",
            "placementConstraints",
            m::placement_constraints_json,
        ),
    ];
    for (attr, member, f) in lists {
        if changed(attr) {
            out.insert(member.into(), f(planned));
        }
    }
    if changed("health_check_grace_period_seconds") {
        out.insert(
            "healthCheckGracePeriodSeconds".into(),
            J::from(
                planned
                    .i64("health_check_grace_period_seconds")
                    .unwrap_or(0),
            ),
        );
    }
    for (attr, member) in [
        ("enable_execute_command", "enableExecuteCommand"),
        ("enable_ecs_managed_tags", "enableECSManagedTags"),
    ] {
        if changed(attr) {
            out.insert(member.into(), J::Bool(planned.bool(attr).unwrap_or(false)));
        }
    }
    for (attr, member) in [
        ("propagate_tags", "propagateTags"),
        ("platform_version", "platformVersion"),
        (
            "availability_zone_rebalancing",
            "availabilityZoneRebalancing",
        ),
    ] {
        if changed(attr) {
            let v = planned
                .str(attr)
                .unwrap_or(if attr == "propagate_tags" { "NONE" } else { "" });
            if !v.is_empty() {
                out.insert(member.into(), J::from(v));
            }
        }
    }
    if changed("service_connect_configuration") {
        let sc =
            m::service_connect_json(planned).unwrap_or(serde_json::json!({ "enabled": false }));
        out.insert("serviceConnectConfiguration".into(), sc);
    }
    let force = planned.bool("force_new_deployment") == Some(true);
    if force && (!out.is_empty() || changed("triggers")) {
        out.insert("forceNewDeployment".into(), J::Bool(true));
    }
    out
}

// ---- ECS JSON -> Terraform value -------------------------------------------------------------

pub fn s(j: &J, key: &str) -> Value {
    Value::opt_string(j.get(key).and_then(J::as_str))
}
pub fn i(j: &J, key: &str) -> Value {
    Value::opt_int(j.get(key).and_then(J::as_i64))
}
fn arr<'a>(j: &'a J, key: &str) -> &'a [J] {
    j.get(key)
        .and_then(J::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}
fn str_set(j: &J, key: &str) -> Value {
    Value::string_set(arr(j, key).iter().filter_map(J::as_str))
}
/// A reference value without unknowns, at any depth (an unknown reads as null: nothing is known
/// of it). Kept-from-the-plan blocks carry computed parts that were unknown at plan time.
pub fn known(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.iter().map(known).collect()),
        Value::Set(items) => Value::Set(items.iter().map(known).collect()),
        Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), known(v))).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), known(v))).collect()),
        other => other.clone(),
    }
}

pub fn capacity_provider_strategy_from(j: &[J]) -> Value {
    Value::Set(
        j.iter()
            .map(|c| {
                Value::object([
                    ("base", i(c, "base")),
                    ("capacity_provider", s(c, "capacityProvider")),
                    ("weight", i(c, "weight")),
                ])
            })
            .collect(),
    )
}

pub fn network_configuration_from(j: Option<&J>) -> Value {
    match j.and_then(|n| n.get("awsvpcConfiguration")) {
        Some(a) => {
            let sgs = arr(a, "securityGroups");
            Value::List(vec![Value::object([
                (
                    "assign_public_ip",
                    Value::Bool(a.get("assignPublicIp").and_then(J::as_str) == Some("ENABLED")),
                ),
                (
                    "security_groups",
                    if sgs.is_empty() {
                        Value::Null
                    } else {
                        str_set(a, "securityGroups")
                    },
                ),
                ("subnets", str_set(a, "subnets")),
            ])])
        }
        None => Value::List(vec![]),
    }
}

pub fn load_balancers_from(j: &[J]) -> Value {
    Value::Set(
        j.iter()
            .map(|l| {
                Value::object([
                    ("container_name", s(l, "containerName")),
                    ("container_port", i(l, "containerPort")),
                    ("elb_name", s(l, "loadBalancerName")),
                    ("target_group_arn", s(l, "targetGroupArn")),
                ])
            })
            .collect(),
    )
}

pub fn service_registries_from(j: &[J]) -> Value {
    Value::List(
        j.iter()
            .map(|r| {
                Value::object([
                    ("container_name", s(r, "containerName")),
                    ("container_port", i(r, "containerPort")),
                    ("port", i(r, "port")),
                    ("registry_arn", s(r, "registryArn")),
                ])
            })
            .collect(),
    )
}

pub fn placement_strategy_from(j: &[J]) -> Value {
    Value::List(
        j.iter()
            .map(|p| Value::object([("field", s(p, "field")), ("type", s(p, "type"))]))
            .collect(),
    )
}

pub fn placement_constraints_from(j: &[J]) -> Value {
    Value::Set(
        j.iter()
            .map(|p| Value::object([("expression", s(p, "expression")), ("type", s(p, "type"))]))
            .collect(),
    )
}

pub fn service_connect_from(sc: &J, reference: &Value) -> Value {
    let services = arr(sc, "services")
        .iter()
        .map(|sv| {
            let aliases = arr(sv, "clientAliases")
                .iter()
                .map(|a| Value::object([("dns_name", s(a, "dnsName")), ("port", i(a, "port"))]))
                .collect();
            Value::object([
                ("discovery_name", s(sv, "discoveryName")),
                ("ingress_port_override", i(sv, "ingressPortOverride")),
                ("port_name", s(sv, "portName")),
                ("client_alias", Value::List(aliases)),
            ])
        })
        .collect();
    let log = match sc.get("logConfiguration") {
        Some(l) => {
            let opts = l.get("options").and_then(J::as_object);
            let ref_opts = reference
                .block("service_connect_configuration")
                .and_then(|c| c.block("log_configuration"))
                .map(|l| known(l.get("options")));
            let options = match opts {
                Some(o) if !o.is_empty() => Value::Map(
                    o.iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), Value::from(s))))
                        .collect(),
                ),
                _ => ref_opts
                    .filter(|r| matches!(r, Value::Map(_)))
                    .unwrap_or(Value::Null),
            };
            let secrets = arr(l, "secretOptions")
                .iter()
                .map(|x| Value::object([("name", s(x, "name")), ("value_from", s(x, "valueFrom"))]))
                .collect();
            Value::List(vec![Value::object([
                ("log_driver", s(l, "logDriver")),
                ("options", options),
                ("secret_option", Value::List(secrets)),
            ])])
        }
        None => Value::List(vec![]),
    };
    Value::List(vec![Value::object([
        (
            "enabled",
            Value::Bool(sc.get("enabled").and_then(J::as_bool).unwrap_or(false)),
        ),
        ("namespace", s(sc, "namespace")),
        ("log_configuration", log),
        ("service", Value::List(services)),
    ])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ecs::service::cluster_of;

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        let b = schema().block;
        let mut v = b.conform(Value::object(pairs));
        b.fill_defaults(&mut v);
        v
    }

    #[test]
    fn updates_send_only_what_changed_and_redeploy_on_strategy_changes() {
        let cp = |n: &str| {
            Value::Set(vec![Value::object([
                ("capacity_provider", Value::from(n)),
                ("weight", Value::int(1)),
                ("base", Value::Null),
            ])])
        };
        let prior = obj(vec![
            ("name", "s".into()),
            (
                "task_definition",
                "arn:aws:ecs:us-east-1:1:task-definition/web:3".into(),
            ),
            ("desired_count", Value::int(1)),
            ("capacity_provider_strategy", cp("a")),
        ]);
        let same = obj(vec![
            ("name", "s".into()),
            ("task_definition", "web:3".into()),
            ("desired_count", Value::int(1)),
            ("capacity_provider_strategy", cp("a")),
        ]);
        assert!(
            update_members(&prior, &same).is_empty(),
            "{:?}",
            update_members(&prior, &same)
        );
        let mut moved = same.clone();
        moved.set("capacity_provider_strategy", cp("b"));
        let u = update_members(&prior, &moved);
        assert_eq!(u["forceNewDeployment"], J::Bool(true));
        assert_eq!(u["capacityProviderStrategy"][0]["capacityProvider"], "b");
        let mut back = same.clone();
        back.set("capacity_provider_strategy", Value::Set(vec![]));
        back.set("launch_type", "EC2".into());
        assert_eq!(
            update_members(&prior, &back)["capacityProviderStrategy"],
            serde_json::json!([])
        );
        let mut image = same.clone();
        image.set(
            "task_definition",
            "arn:aws:ecs:us-east-1:1:task-definition/web:4".into(),
        );
        let u = update_members(&prior, &image);
        assert_eq!(u.keys().collect::<Vec<_>>(), vec!["taskDefinition"]);
    }

    #[test]
    fn kept_blocks_lose_their_unknown_parts() {
        let clients = crate::resources::testing::offline_ctx().client;
        // Planned at create: Service Connect's computed discovery_name is unknown.
        let planned = obj(vec![
            ("name", "s".into()),
            (
                "service_connect_configuration",
                Value::List(vec![Value::object([
                    ("enabled", Value::Bool(true)),
                    ("namespace", Value::from("ns")),
                    (
                        "service",
                        Value::List(vec![Value::object([
                            ("port_name", Value::from("http")),
                            ("discovery_name", Value::Unknown),
                        ])]),
                    ),
                ])]),
            ),
        ]);
        let svc = serde_json::json!({"serviceArn": "arn:aws:ecs:us-east-1:1:service/c/s", "serviceName": "s", "status": "ACTIVE"});
        let s = state_from(&svc, &planned, &clients, "us-east-1");
        assert!(s.is_wholly_known(), "{s:?}");
        let svc_block = &s.get("service_connect_configuration").elements()[0];
        assert_eq!(
            svc_block.get("service").elements()[0].str("port_name"),
            Some("http")
        );
    }

    #[test]
    fn omitted_structures_keep_the_prior_value() {
        let clients = crate::resources::testing::offline_ctx().client;
        let prior = obj(vec![
            ("name", "s".into()),
            ("deployment_maximum_percent", Value::int(150)),
            ("enable_execute_command", Value::Bool(true)),
            ("health_check_grace_period_seconds", Value::int(30)),
            (
                "ordered_placement_strategy",
                Value::List(vec![Value::object([
                    ("type", "spread".into()),
                    ("field", "host".into()),
                ])]),
            ),
        ]);
        let svc = serde_json::json!({"serviceArn": "arn:aws:ecs:us-east-1:1:service/c/s", "serviceName": "s", "clusterArn": "arn:aws:ecs:us-east-1:1:cluster/c",
            "status": "ACTIVE", "desiredCount": 0, "launchType": "EC2", "schedulingStrategy": "REPLICA", "propagateTags": "NONE", "networkConfiguration": {},
            "deploymentController": {"type": "ECS"}});
        let s = state_from(&svc, &prior, &clients, "us-east-1");
        assert_eq!(s.i64("deployment_maximum_percent"), Some(150));
        assert_eq!(s.bool("enable_execute_command"), Some(true));
        assert_eq!(s.i64("health_check_grace_period_seconds"), Some(30));
        assert_eq!(
            s.get("ordered_placement_strategy"),
            prior.get("ordered_placement_strategy")
        );
        assert_eq!(
            s.get("desired_count"),
            &Value::Null,
            "0 from ECS is an unset desired_count"
        );
        assert_eq!(
            s.get("propagate_tags"),
            &Value::Null,
            "NONE is the unset default"
        );
        assert!(s.get("deployment_controller").elements().is_empty());
        assert!(s.get("network_configuration").elements().is_empty());
        assert_eq!(
            cluster_of(&Value::object([(
                "arn",
                Value::from("arn:aws:ecs:us-east-1:1:service/c/s")
            )])),
            Some("c".into())
        );
    }
}
