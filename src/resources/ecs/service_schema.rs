//! `awsecs_ecs_service`: the schema (the twin of `aws_ecs_service` 6.58), the equivalences that
//! keep the user's spelling (cluster name/ARN, task definition family/revision/ARN, role
//! name/ARN, placement field `host`/`instanceId`), and the plan → ECS JSON half of the mapping
//! (CreateService/UpdateService members). The ECS JSON → state half is in `service_state`.

use serde_json::{json, Map, Value as J};

use crate::aws::{region_attribute, tags};
use crate::framework::{validators, Attribute, Block, NestedBlock, Schema, Value};

pub const LAUNCH_TYPES: &[&str] = &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];

/// `name` and `arn:...:cluster/name` are the same cluster.
pub fn cluster_name(s: &str) -> &str {
    match s.split_once(":cluster/") {
        Some((_, name)) => name,
        None => s,
    }
}

fn cluster_equivalent(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(x), Some(y)) if cluster_name(x) == cluster_name(y))
}

/// A role name and its ARN (`arn:...:role/path/name`) are the same role.
fn role_equivalent(a: &Value, b: &Value) -> bool {
    let name = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    matches!((a.as_str(), b.as_str()), (Some(x), Some(y)) if name(x) == name(y))
}

/// `family`, `family:rev` or an ARN → (family, revision).
pub fn task_definition_ref(s: &str) -> (&str, Option<&str>) {
    let tail = s
        .split_once(":task-definition/")
        .map(|(_, t)| t)
        .unwrap_or(s);
    match tail.rsplit_once(':') {
        Some((f, r)) if r.bytes().all(|b| b.is_ascii_digit()) && !r.is_empty() => (f, Some(r)),
        _ => (tail, None),
    }
}

/// The service keeps the task definition in the user's format: a family alone means "the latest
/// ACTIVE revision" and matches any revision of it; a revision must match exactly.
fn task_definition_equivalent(a: &Value, b: &Value) -> bool {
    let (Some(x), Some(y)) = (a.as_str(), b.as_str()) else {
        return false;
    };
    let ((fx, rx), (fy, ry)) = (task_definition_ref(x), task_definition_ref(y));
    fx == fy && (rx.is_none() || ry.is_none() || rx == ry)
}

/// Placement strategy fields: case-insensitive, and `host` is `instanceId`.
fn field_equivalent(a: &Value, b: &Value) -> bool {
    let norm = |v: &Value| {
        v.as_str().map(|s| {
            let l = s.to_ascii_lowercase();
            if l == "host" {
                "instanceid".to_string()
            } else {
                l
            }
        })
    };
    norm(a).is_some() && norm(a) == norm(b)
}

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    let strategy = Block::new()
        .attr(
            Attribute::number("base")
                .desc("Tasks placed on this provider before weights apply.")
                .optional()
                .validate(validators::int_between(0, 100000)),
        )
        .attr(
            Attribute::string("capacity_provider")
                .desc("Name of the capacity provider.")
                .required(),
        )
        .attr(
            Attribute::number("weight")
                .desc("Relative share of tasks placed on this provider.")
                .optional()
                .validate(validators::int_between(0, 1000)),
        );
    let alarms = Block::new()
        .attr(
            Attribute::string_set("alarm_names")
                .desc("Names of the CloudWatch alarms that mark a deployment failed.")
                .required(),
        )
        .attr(
            Attribute::bool("enable")
                .desc("Whether the alarms are watched during deployments.")
                .required(),
        )
        .attr(
            Attribute::bool("rollback")
                .desc("Whether a failed deployment rolls back to the last completed one.")
                .required(),
        );
    let breaker = Block::new()
        .attr(
            Attribute::bool("enable")
                .desc("Whether the circuit breaker is enabled.")
                .required(),
        )
        .attr(
            Attribute::bool("rollback")
                .desc("Whether a failed deployment rolls back to the last completed one.")
                .required(),
        );
    let controller = Block::new().attr(
        Attribute::string("type")
            .desc("Deployment controller: `ECS`, `CODE_DEPLOY` or `EXTERNAL`.")
            .default("ECS")
            .validate(validators::one_of(&["ECS", "CODE_DEPLOY", "EXTERNAL"])),
    );
    let lb = Block::new()
        .attr(
            Attribute::string("container_name")
                .desc("Container that receives the traffic.")
                .required(),
        )
        .attr(
            Attribute::number("container_port")
                .desc("Port on the container that receives the traffic.")
                .required()
                .validate(validators::int_between(0, 65536)),
        )
        .attr(
            Attribute::string("elb_name")
                .desc("Name of a Classic Load Balancer.")
                .optional(),
        )
        .attr(
            Attribute::string("target_group_arn")
                .desc("ARN of the target group.")
                .optional()
                .validate(validators::arn()),
        );
    let network = Block::new()
        .attr(
            Attribute::bool("assign_public_ip")
                .desc("Whether tasks get a public IP address (Fargate only).")
                .default(false),
        )
        .attr(
            Attribute::string_set("security_groups")
                .desc("IDs of the security groups of the tasks.")
                .optional(),
        )
        .attr(
            Attribute::string_set("subnets")
                .desc("IDs of the subnets of the tasks.")
                .required(),
        );
    let placement_strategy = Block::new()
        .attr(
            Attribute::string("field").desc("Field the strategy applies to, e.g. `attribute:ecs.availability-zone` or `memory`.")
                .optional()
                .equivalent_when(field_equivalent),
        )
        .attr(
            Attribute::string("type").desc("Strategy: `binpack`, `random` or `spread`.")
                .required()
                .validate(validators::one_of(&["random", "spread", "binpack"])),
        );
    let placement_constraints = Block::new()
        .attr(
            Attribute::string("expression")
                .desc("Cluster query language expression for `memberOf`.")
                .optional(),
        )
        .attr(
            Attribute::string("type")
                .desc("Constraint: `distinctInstance` or `memberOf`.")
                .required()
                .validate(validators::one_of(&["distinctInstance", "memberOf"])),
        );
    let registries = Block::new()
        .attr(
            Attribute::string("container_name")
                .desc("Container whose port is registered.")
                .optional(),
        )
        .attr(
            Attribute::number("container_port")
                .desc("Container port registered in SRV records.")
                .optional()
                .validate(validators::int_between(0, 65536)),
        )
        .attr(
            Attribute::number("port")
                .desc("Port registered in SRV records.")
                .optional()
                .validate(validators::int_between(0, 65536)),
        )
        .attr(
            Attribute::string("registry_arn")
                .desc("ARN of the Cloud Map service to register tasks in.")
                .required()
                .validate(validators::arn()),
        );
    let client_alias = Block::new()
        .attr(
            Attribute::string("dns_name")
                .desc("Name clients use to reach the service; defaults to the discovery name.")
                .optional_computed(),
        )
        .attr(
            Attribute::number("port")
                .desc("Port clients use.")
                .required()
                .validate(validators::int_between(0, 65535)),
        );
    let sc_service = Block::new()
        .attr(
            Attribute::string("discovery_name")
                .desc(
                    "Name of the Cloud Map service created for this port; defaults to `port_name`.",
                )
                .optional_computed(),
        )
        .attr(
            Attribute::number("ingress_port_override")
                .desc("Port the Service Connect proxy listens on.")
                .optional()
                .validate(validators::int_between(0, 65535)),
        )
        .attr(
            Attribute::string("port_name")
                .desc("Name of a port mapping in the task definition.")
                .required(),
        )
        .block(
            NestedBlock::list("client_alias", client_alias)
                .desc("Names and ports clients in the namespace use to reach this service.")
                .max(1),
        );
    let secret_option = Block::new()
        .attr(
            Attribute::string("name")
                .desc("Name of the log driver option.")
                .required(),
        )
        .attr(
            Attribute::string("value_from")
                .desc("ARN of the secret or SSM parameter holding the value.")
                .required(),
        );
    let sc_log = Block::new()
        .attr(
            Attribute::string("log_driver")
                .desc("Log driver of the Service Connect proxy, e.g. `awslogs`.")
                .required()
                .validate(validators::one_of(&[
                    "json-file",
                    "syslog",
                    "journald",
                    "gelf",
                    "fluentd",
                    "awslogs",
                    "splunk",
                    "awsfirelens",
                ])),
        )
        .attr(
            Attribute::string_map("options")
                .desc("Options of the log driver.")
                .optional_computed(),
        )
        .block(
            NestedBlock::list("secret_option", secret_option)
                .desc("Log driver options read from secrets."),
        );
    let service_connect = Block::new()
        .attr(
            Attribute::bool("enabled")
                .desc("Whether Service Connect is enabled for the service.")
                .required(),
        )
        .attr(
            Attribute::string("namespace")
                .desc("Cloud Map namespace (name or ARN); defaults to the cluster's.")
                .optional_computed(),
        )
        .block(
            NestedBlock::list("log_configuration", sc_log)
                .desc("Logging of the Service Connect proxy.")
                .max(1),
        )
        .block(
            NestedBlock::list("service", sc_service)
                .desc("A port of the service offered through Service Connect."),
        );
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the service.").computed())
            .attr(
                Attribute::string("availability_zone_rebalancing").desc("Whether ECS rebalances tasks across Availability Zones: `ENABLED` or `DISABLED`.")
                    .optional_computed()
                    .validate(validators::one_of(&["ENABLED", "DISABLED"])),
            )
            .attr(
                Attribute::string("cluster").desc("ARN or name of the cluster; defaults to the `default` cluster.")
                    .optional_computed()
                    .force_new()
                    .equivalent_when(cluster_equivalent),
            )
            .attr(Attribute::number("deployment_maximum_percent").desc("Upper limit of running tasks during a deployment, in percent of `desired_count`.").default(200))
            .attr(Attribute::number("deployment_minimum_healthy_percent").desc("Lower limit of healthy tasks during a deployment, in percent of `desired_count`.").default(100))
            .attr(Attribute::number("desired_count").desc("Number of tasks to keep running (not for the `DAEMON` strategy).").optional())
            .attr(Attribute::bool("enable_ecs_managed_tags").desc("Whether ECS tags the service's tasks with the cluster and service names.").default(false))
            .attr(Attribute::bool("enable_execute_command").desc("Whether ECS Exec is enabled for the tasks.").default(false))
            .attr(
                Attribute::bool("force_delete")
                    .optional()
                    .client_side()
                    .desc("Delete without scaling to 0 first (read from state at destroy)."),
            )
            .attr(
                Attribute::bool("force_new_deployment").desc("Start a new deployment on every apply that changes the service, even without task changes.")
                    .optional()
                    .client_side(),
            )
            .attr(
                Attribute::number("health_check_grace_period_seconds").desc("Seconds during which load balancer health checks are ignored after a task starts.")
                    .optional()
                    .validate(validators::int_between(0, i32::MAX as i64)),
            )
            .attr(
                Attribute::string("iam_role").desc("ARN of the IAM role ECS uses for a Classic Load Balancer.")
                    .optional_computed()
                    .force_new()
                    .equivalent_when(role_equivalent),
            )
            .attr(Attribute::string("id").desc("ARN of the service.").optional_computed())
            // ForceNew only between two launch types (decided in modify_plan): moving to or from a
            // capacity provider strategy is an in-place update since ECS allows it (June 2025).
            .attr(
                Attribute::string("launch_type").desc("Launch type: `EC2`, `FARGATE` or `EXTERNAL`; conflicts with a capacity provider strategy.")
                    .optional_computed()
                    .validate(validators::one_of(LAUNCH_TYPES)),
            )
            .attr(Attribute::string("name").desc("Name of the service.").required().force_new())
            .attr(Attribute::string("platform_version").desc("Fargate platform version.").optional_computed())
            .attr(
                Attribute::string("propagate_tags").desc("Copy tags to tasks from the `SERVICE` or the `TASK_DEFINITION`.")
                    .optional()
                    .validate(validators::one_of(&["SERVICE", "TASK_DEFINITION", "NONE"])),
            )
            .attr(region_attribute())
            .attr(
                Attribute::string("scheduling_strategy").desc("`REPLICA` (keep `desired_count` tasks) or `DAEMON` (one per instance).")
                    .default("REPLICA")
                    .force_new()
                    .validate(validators::one_of(&["REPLICA", "DAEMON"])),
            )
            .attr(tags)
            .attr(tags_all)
            .attr(
                Attribute::string("task_definition").desc("Family, `family:revision` or ARN of the task definition to run.")
                    .optional()
                    .equivalent_when(task_definition_equivalent),
            )
            .attr(Attribute::string_map("triggers").desc("Arbitrary values; changing any starts a new deployment.").optional_computed())
            .attr(
                Attribute::bool("wait_for_steady_state").desc("Wait for the deployment to reach a steady state on create and update.")
                    .default(false)
                    .client_side(),
            )
            .block(NestedBlock::list("alarms", alarms).desc("CloudWatch alarms that stop deployments.").max(1))
            .block(NestedBlock::set("capacity_provider_strategy", strategy).desc("Capacity providers to place tasks on; changes apply in place."))
            .block(NestedBlock::list("deployment_circuit_breaker", breaker).desc("Stops failing deployments, optionally rolling back.").max(1))
            .block(NestedBlock::list("deployment_controller", controller).desc("Which deployment controller the service uses.").max(1))
            .block(NestedBlock::set("load_balancer", lb).desc("A target group (or Classic Load Balancer) to register tasks with."))
            .block(NestedBlock::list("network_configuration", network).desc("Network settings of tasks using the `awsvpc` network mode.").max(1))
            .block(NestedBlock::list("ordered_placement_strategy", placement_strategy).desc("How tasks are spread over instances, applied in order.").max(5))
            .block(NestedBlock::set("placement_constraints", placement_constraints).desc("Rules restricting which instances tasks run on.").max(10))
            .block(NestedBlock::list("service_connect_configuration", service_connect).desc("ECS Service Connect settings.").max(1))
            .block(NestedBlock::list("service_registries", registries).desc("Cloud Map service discovery registration.").max(1))
            .timeouts(&["create", "update", "delete"]),
    ).desc("Manages an ECS service: keeps a number of tasks of a task definition running.")
}

// ---- Terraform value -> ECS JSON -------------------------------------------------------------

fn put_str(m: &mut Map<String, J>, key: &str, v: &Value) {
    if let Some(s) = v.as_str() {
        m.insert(key.into(), J::from(s));
    }
}
fn put_int(m: &mut Map<String, J>, key: &str, v: &Value) {
    if let Some(i) = v.as_i64() {
        m.insert(key.into(), J::from(i));
    }
}
fn strings(v: &Value) -> J {
    J::Array(
        v.elements()
            .iter()
            .filter_map(|e| e.as_str().map(J::from))
            .collect(),
    )
}

pub fn capacity_provider_strategy_json(v: &Value) -> J {
    J::Array(
        v.get("capacity_provider_strategy")
            .elements()
            .iter()
            .map(|s| {
                let mut m = Map::new();
                put_str(&mut m, "capacityProvider", s.get("capacity_provider"));
                put_int(&mut m, "weight", s.get("weight"));
                put_int(&mut m, "base", s.get("base"));
                J::Object(m)
            })
            .collect(),
    )
}

pub fn deployment_configuration_json(v: &Value) -> J {
    let mut m = Map::new();
    let daemon = v.str("scheduling_strategy") == Some("DAEMON");
    let max = v.i64("deployment_maximum_percent");
    let min = v.i64("deployment_minimum_healthy_percent");
    // DAEMON services reject the REPLICA defaults; send them only when the user changed them.
    if !(daemon && max == Some(200)) {
        put_int(
            &mut m,
            "maximumPercent",
            v.get("deployment_maximum_percent"),
        );
    }
    if !(daemon && min == Some(100)) {
        put_int(
            &mut m,
            "minimumHealthyPercent",
            v.get("deployment_minimum_healthy_percent"),
        );
    }
    if let Some(b) = v.block("deployment_circuit_breaker") {
        m.insert(
            "deploymentCircuitBreaker".into(),
            json!({"enable": b.bool("enable").unwrap_or(false), "rollback": b.bool("rollback").unwrap_or(false)}),
        );
    }
    if let Some(a) = v.block("alarms") {
        m.insert(
            "alarms".into(),
            json!({"alarmNames": strings(a.get("alarm_names")), "enable": a.bool("enable").unwrap_or(false), "rollback": a.bool("rollback").unwrap_or(false)}),
        );
    }
    J::Object(m)
}

pub fn network_configuration_json(v: &Value) -> Option<J> {
    let n = v.block("network_configuration")?;
    let mut a = Map::new();
    a.insert("subnets".into(), strings(n.get("subnets")));
    if !n.get("security_groups").elements().is_empty() {
        a.insert("securityGroups".into(), strings(n.get("security_groups")));
    }
    let public = if n.bool("assign_public_ip").unwrap_or(false) {
        "ENABLED"
    } else {
        "DISABLED"
    };
    a.insert("assignPublicIp".into(), J::from(public));
    Some(json!({ "awsvpcConfiguration": a }))
}

pub fn load_balancers_json(v: &Value) -> J {
    J::Array(
        v.get("load_balancer")
            .elements()
            .iter()
            .map(|l| {
                let mut m = Map::new();
                put_str(&mut m, "targetGroupArn", l.get("target_group_arn"));
                put_str(&mut m, "loadBalancerName", l.get("elb_name"));
                put_str(&mut m, "containerName", l.get("container_name"));
                put_int(&mut m, "containerPort", l.get("container_port"));
                J::Object(m)
            })
            .collect(),
    )
}

pub fn service_registries_json(v: &Value) -> J {
    J::Array(
        v.get("service_registries")
            .elements()
            .iter()
            .map(|r| {
                let mut m = Map::new();
                put_str(&mut m, "registryArn", r.get("registry_arn"));
                put_int(&mut m, "port", r.get("port"));
                put_str(&mut m, "containerName", r.get("container_name"));
                put_int(&mut m, "containerPort", r.get("container_port"));
                J::Object(m)
            })
            .collect(),
    )
}

pub fn placement_strategy_json(v: &Value) -> J {
    J::Array(
        v.get("ordered_placement_strategy")
            .elements()
            .iter()
            .map(|p| {
                let mut m = Map::new();
                put_str(&mut m, "type", p.get("type"));
                if let Some(f) = p.str("field") {
                    let f = if f.eq_ignore_ascii_case("host") {
                        "instanceId"
                    } else {
                        f
                    };
                    m.insert("field".into(), J::from(f));
                }
                J::Object(m)
            })
            .collect(),
    )
}

pub fn placement_constraints_json(v: &Value) -> J {
    J::Array(
        v.get("placement_constraints")
            .elements()
            .iter()
            .map(|p| {
                let mut m = Map::new();
                put_str(&mut m, "type", p.get("type"));
                put_str(&mut m, "expression", p.get("expression"));
                J::Object(m)
            })
            .collect(),
    )
}

pub fn service_connect_json(v: &Value) -> Option<J> {
    let sc = v.block("service_connect_configuration")?;
    let mut m = Map::new();
    m.insert(
        "enabled".into(),
        J::Bool(sc.bool("enabled").unwrap_or(false)),
    );
    put_str(&mut m, "namespace", sc.get("namespace"));
    let services: Vec<J> = sc
        .get("service")
        .elements()
        .iter()
        .map(|s| {
            let mut sm = Map::new();
            put_str(&mut sm, "portName", s.get("port_name"));
            put_str(&mut sm, "discoveryName", s.get("discovery_name"));
            put_int(
                &mut sm,
                "ingressPortOverride",
                s.get("ingress_port_override"),
            );
            let aliases: Vec<J> = s
                .get("client_alias")
                .elements()
                .iter()
                .map(|a| {
                    let mut am = Map::new();
                    put_int(&mut am, "port", a.get("port"));
                    put_str(&mut am, "dnsName", a.get("dns_name"));
                    J::Object(am)
                })
                .collect();
            if !aliases.is_empty() {
                sm.insert("clientAliases".into(), J::Array(aliases));
            }
            J::Object(sm)
        })
        .collect();
    if !services.is_empty() {
        m.insert("services".into(), J::Array(services));
    }
    if let Some(l) = sc.block("log_configuration") {
        let mut lm = Map::new();
        put_str(&mut lm, "logDriver", l.get("log_driver"));
        let opts: Map<String, J> = l
            .get("options")
            .entries()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), J::from(s))))
            .collect();
        if !opts.is_empty() {
            lm.insert("options".into(), J::Object(opts));
        }
        let secrets: Vec<J> = l
            .get("secret_option")
            .elements()
            .iter()
            .map(|s| json!({"name": s.str("name"), "valueFrom": s.str("value_from")}))
            .collect();
        if !secrets.is_empty() {
            lm.insert("secretOptions".into(), J::Array(secrets));
        }
        m.insert("logConfiguration".into(), J::Object(lm));
    }
    Some(J::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ecs::service_state::{
        capacity_provider_strategy_from, network_configuration_from,
    };

    #[test]
    fn references_compare_like_ecs_resolves_them() {
        let v = |s: &str| Value::from(s);
        let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";
        assert!(task_definition_equivalent(&v("web:3"), &v(arn)));
        assert!(
            task_definition_equivalent(&v("web"), &v(arn)),
            "a family means its latest revision"
        );
        assert!(!task_definition_equivalent(&v("web:2"), &v(arn)));
        assert!(!task_definition_equivalent(&v("api"), &v(arn)));
        assert!(cluster_equivalent(
            &v("main"),
            &v("arn:aws:ecs:us-east-1:1:cluster/main")
        ));
        assert!(!cluster_equivalent(
            &v("main"),
            &v("arn:aws:ecs:us-east-1:1:cluster/other")
        ));
        assert!(field_equivalent(&v("host"), &v("instanceId")));
        assert!(field_equivalent(&v("MEMORY"), &v("memory")));
        assert!(!field_equivalent(&v("cpu"), &v("memory")));
    }

    #[test]
    fn schema_matches_the_twin() {
        let b = schema().block;
        let names: Vec<&str> = b.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn",
                "availability_zone_rebalancing",
                "cluster",
                "deployment_maximum_percent",
                "deployment_minimum_healthy_percent",
                "desired_count",
                "enable_ecs_managed_tags",
                "enable_execute_command",
                "force_delete",
                "force_new_deployment",
                "health_check_grace_period_seconds",
                "iam_role",
                "id",
                "launch_type",
                "name",
                "platform_version",
                "propagate_tags",
                "region",
                "scheduling_strategy",
                "tags",
                "tags_all",
                "task_definition",
                "triggers",
                "wait_for_steady_state"
            ]
        );
        let blocks: Vec<&str> = b.blocks.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            blocks,
            [
                "alarms",
                "capacity_provider_strategy",
                "deployment_circuit_breaker",
                "deployment_controller",
                "load_balancer",
                "network_configuration",
                "ordered_placement_strategy",
                "placement_constraints",
                "service_connect_configuration",
                "service_registries",
                "timeouts"
            ]
        );
        let force_new: Vec<&str> = b
            .attributes
            .iter()
            .filter(|a| a.force_new)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            force_new,
            [
                "cluster",
                "iam_role",
                "name",
                "region",
                "scheduling_strategy"
            ],
            "launch_type is decided in modify_plan"
        );
        assert_eq!(
            b.attribute("deployment_maximum_percent").unwrap().default,
            Some(Value::int(200))
        );
        assert_eq!(
            b.attribute("scheduling_strategy").unwrap().default,
            Some(Value::from("REPLICA"))
        );
    }

    #[test]
    fn blocks_round_trip_through_ecs_json() {
        let b = schema().block;
        let planned = b.conform(Value::object([
            ("scheduling_strategy", Value::from("REPLICA")),
            ("deployment_maximum_percent", Value::int(150)),
            ("deployment_minimum_healthy_percent", Value::int(50)),
            (
                "network_configuration",
                Value::List(vec![Value::object([
                    ("subnets", Value::string_set(["subnet-1"])),
                    ("security_groups", Value::string_set(["sg-1"])),
                    ("assign_public_ip", Value::Bool(true)),
                ])]),
            ),
            (
                "ordered_placement_strategy",
                Value::List(vec![Value::object([
                    ("type", Value::from("spread")),
                    ("field", Value::from("host")),
                ])]),
            ),
            (
                "capacity_provider_strategy",
                Value::Set(vec![Value::object([
                    ("capacity_provider", Value::from("cp")),
                    ("weight", Value::int(1)),
                    ("base", Value::Null),
                ])]),
            ),
        ]));
        let dc = deployment_configuration_json(&planned);
        assert_eq!(dc, json!({"maximumPercent":150,"minimumHealthyPercent":50}));
        let nc = network_configuration_json(&planned).unwrap();
        assert_eq!(nc["awsvpcConfiguration"]["assignPublicIp"], "ENABLED");
        assert!(
            network_configuration_from(Some(&nc)).equivalent(planned.get("network_configuration"))
        );
        let ps = placement_strategy_json(&planned);
        assert_eq!(ps, json!([{"type":"spread","field":"instanceId"}]));
        let cps = capacity_provider_strategy_json(&planned);
        assert_eq!(cps, json!([{"capacityProvider":"cp","weight":1}]));
        assert!(capacity_provider_strategy_from(cps.as_array().unwrap())
            .equivalent(planned.get("capacity_provider_strategy")));
        let daemon = b.conform(Value::object([
            ("scheduling_strategy", Value::from("DAEMON")),
            ("deployment_maximum_percent", Value::int(200)),
            ("deployment_minimum_healthy_percent", Value::int(100)),
        ]));
        assert_eq!(deployment_configuration_json(&daemon), json!({}));
    }
}
