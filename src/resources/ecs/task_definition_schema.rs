//! `awsecs_ecs_task_definition`: the schema (the twin of `aws_ecs_task_definition` 6.58) and the
//! one mapping between its nested blocks and ECS's JSON members, used for both the request
//! (RegisterTaskDefinition) and the read (DescribeTaskDefinition), so the two cannot drift apart.

use std::sync::Arc;

use serde_json::{json, Map, Value as J};

use crate::aws::{container_definitions as cdefs, region_attribute, tags};
use crate::framework::{validators, Attribute, Block, NestedBlock, Schema, Value};

pub const NETWORK_MODES: &[&str] = &["bridge", "host", "awsvpc", "none"];
const COMPATIBILITIES: &[&str] = &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];

fn cdefs_equivalent(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => cdefs::equivalent(x, y, None),
        _ => false,
    }
}
fn cpu_equivalent(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(x), Some(y)) if cdefs::same_cpu(x, y))
}
fn memory_equivalent(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(x), Some(y)) if cdefs::same_memory(x, y))
}

fn family_validator() -> crate::framework::schema::Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let n = s.chars().count();
        if !(1..=255).contains(&n) {
            diags.invalid(
                path.clone(),
                format!("must be between 1 and 255 characters long, got {n}"),
            );
        } else if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            diags.invalid(
                path.clone(),
                format!("{s:?} contains {c:?}; only letters, digits, '_' and '-' are allowed"),
            );
        }
    })
}

fn volume_block() -> Block {
    let docker = Block::new()
        .attr(
            Attribute::bool("autoprovision")
                .desc("Create the Docker volume if it does not exist (`shared` scope only).")
                .default(false)
                .force_new(),
        )
        .attr(
            Attribute::string("driver")
                .desc("Docker volume driver.")
                .optional_computed()
                .force_new(),
        )
        .attr(
            Attribute::string_map("driver_opts")
                .desc("Options passed to the volume driver.")
                .optional()
                .force_new(),
        )
        .attr(
            Attribute::string_map("labels")
                .desc("Labels of the Docker volume.")
                .optional()
                .force_new(),
        )
        .attr(
            Attribute::string("scope")
                .desc("`task` (removed when the task stops) or `shared` (persists).")
                .optional_computed()
                .force_new()
                .validate(validators::one_of(&["task", "shared"])),
        );
    let efs_auth = Block::new()
        .attr(Attribute::string("access_point_id").desc("ID of the EFS access point.").optional().force_new())
        .attr(
            Attribute::string("iam").desc("Whether the task's IAM role is used to mount the file system: `ENABLED` or `DISABLED`.")
                .optional()
                .force_new()
                .validate(validators::one_of(&["ENABLED", "DISABLED"])),
        );
    let efs = Block::new()
        .attr(
            Attribute::string("file_system_id")
                .desc("ID of the EFS file system.")
                .required()
                .force_new(),
        )
        .attr(
            Attribute::string("root_directory")
                .desc("Directory of the file system mounted as the root of the volume.")
                .default("/")
                .force_new(),
        )
        .attr(
            Attribute::string("transit_encryption")
                .desc("Whether traffic to EFS is encrypted: `ENABLED` or `DISABLED`.")
                .optional()
                .force_new()
                .validate(validators::one_of(&["ENABLED", "DISABLED"])),
        )
        .attr(
            Attribute::number("transit_encryption_port")
                .desc("Port used for encrypted traffic to EFS.")
                .default(0)
                .force_new()
                .validate(validators::int_between(0, 65535)),
        )
        .block(
            NestedBlock::list("authorization_config", efs_auth)
                .desc("Access point and IAM authorization of the mount.")
                .max(1)
                .force_new(),
        );
    Block::new()
        .attr(
            Attribute::bool("configure_at_launch")
                .desc("Whether the volume is configured when the task or service starts.")
                .optional_computed()
                .force_new(),
        )
        .attr(
            Attribute::string("host_path")
                .desc("Path on the host mounted into containers.")
                .optional()
                .force_new(),
        )
        .attr(
            Attribute::string("name")
                .desc("Name of the volume, referenced by containers' `mountPoints`.")
                .required()
                .force_new(),
        )
        .block(
            NestedBlock::list("docker_volume_configuration", docker)
                .desc("A Docker volume.")
                .max(1)
                .force_new(),
        )
        .block(
            NestedBlock::list("efs_volume_configuration", efs)
                .desc("An Amazon EFS volume.")
                .max(1)
                .force_new(),
        )
}

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    let placement = Block::new()
        .attr(
            Attribute::string("expression")
                .desc("Cluster query language expression.")
                .optional()
                .force_new(),
        )
        .attr(
            Attribute::string("type")
                .desc("Constraint type; only `memberOf`.")
                .required()
                .force_new()
                .validate(validators::one_of(&["memberOf"])),
        );
    let proxy = Block::new()
        .attr(
            Attribute::string("container_name")
                .desc("Name of the proxy container.")
                .required()
                .force_new(),
        )
        .attr(
            Attribute::string_map("properties")
                .desc("Proxy configuration parameters.")
                .optional()
                .force_new(),
        )
        .attr(
            Attribute::string("type")
                .desc("Proxy type; only `APPMESH`.")
                .default("APPMESH")
                .force_new()
                .validate(validators::one_of(&["APPMESH"])),
        );
    let runtime = Block::new()
        .attr(
            Attribute::string("cpu_architecture")
                .desc("CPU architecture: `X86_64` or `ARM64`.")
                .optional()
                .force_new()
                .validate(validators::one_of(&["X86_64", "ARM64"])),
        )
        .attr(
            Attribute::string("operating_system_family")
                .desc("Operating system, e.g. `LINUX`.")
                .optional()
                .force_new()
                .validate(validators::one_of(&[
                    "WINDOWS_SERVER_2019_FULL",
                    "WINDOWS_SERVER_2019_CORE",
                    "WINDOWS_SERVER_2016_FULL",
                    "WINDOWS_SERVER_2004_CORE",
                    "WINDOWS_SERVER_2022_CORE",
                    "WINDOWS_SERVER_2022_FULL",
                    "WINDOWS_SERVER_2025_CORE",
                    "WINDOWS_SERVER_2025_FULL",
                    "WINDOWS_SERVER_20H2_CORE",
                    "LINUX",
                ])),
        );
    let ephemeral = Block::new().attr(
        Attribute::number("size_in_gib")
            .desc("Ephemeral storage in GiB (21 to 200).")
            .required()
            .force_new()
            .validate(validators::int_between(21, 200)),
    );
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the task definition revision.").computed())
            .attr(Attribute::string("arn_without_revision").desc("ARN of the task definition without the revision.").computed())
            .attr(
                Attribute::string("container_definitions")
                    .required()
                    .force_new()
                    .equivalent_when(cdefs_equivalent)
                    .desc("A JSON array of container definitions, sent to ECS as written (nulls dropped). Reordering, AWS defaults and environment order are not changes."),
            )
            .attr(Attribute::string("cpu").desc("CPU units of the task (e.g. `256`), required on Fargate.").optional().force_new().equivalent_when(cpu_equivalent))
            .attr(Attribute::bool("enable_fault_injection").desc("Whether fault injection is enabled for the tasks.").optional_computed().force_new())
            .attr(Attribute::string("execution_role_arn").desc("ARN of the role ECS uses to pull images and write logs.").optional().force_new().validate(validators::arn()))
            .attr(Attribute::string("family").desc("Family of the task definition.").required().force_new().validate(family_validator()))
            .attr(Attribute::string("id").desc("Family of the task definition.").optional_computed())
            .attr(Attribute::string("ipc_mode").desc("IPC resource namespace: `host`, `task` or `none`.").optional().force_new().validate(validators::one_of(&["host", "task", "none"])))
            .attr(Attribute::string("memory").desc("Memory of the task in MiB (e.g. `512`), required on Fargate.").optional().force_new().equivalent_when(memory_equivalent))
            .attr(Attribute::string("network_mode").desc("Docker network mode: `none`, `bridge`, `awsvpc` or `host`.").optional_computed().force_new().validate(validators::one_of(NETWORK_MODES)))
            .attr(Attribute::string("pid_mode").desc("Process namespace: `host` or `task`.").optional().force_new().validate(validators::one_of(&["host", "task"])))
            .attr(region_attribute())
            .attr(Attribute::string_set("requires_compatibilities").desc("Launch types the task definition must work with, e.g. `EC2`.").optional().force_new().validate(validators::one_of(COMPATIBILITIES)))
            .attr(Attribute::number("revision").desc("Revision number of the task definition.").computed())
            .attr(Attribute::bool("skip_destroy").default(false).client_side().desc("Keep the revision ACTIVE when the resource is destroyed or replaced (read from state at destroy: apply it first)."))
            .attr(tags)
            .attr(tags_all)
            .attr(Attribute::string("task_role_arn").desc("ARN of the role the containers use to call AWS.").optional().force_new().validate(validators::arn()))
            .attr(Attribute::bool("track_latest").default(false).client_side().desc("Read the family's latest ACTIVE revision instead of the one in state."))
            .block(NestedBlock::list("ephemeral_storage", ephemeral).desc("Ephemeral storage of Fargate tasks.").max(1).force_new())
            .block(NestedBlock::set("placement_constraints", placement).desc("Rules restricting which instances tasks run on.").max(10).force_new())
            .block(NestedBlock::list("proxy_configuration", proxy).desc("App Mesh proxy settings.").max(1).force_new())
            .block(NestedBlock::list("runtime_platform", runtime).desc("CPU architecture and operating system the task needs.").max(1).force_new())
            .block(NestedBlock::set("volume", volume_block()).desc("A volume containers can mount.").force_new()),
    ).desc("Manages an ECS task definition; every change registers a new revision.")
}

/// Inserts `key` when `v` is a known, non-null string.
fn put_str(m: &mut Map<String, J>, key: &str, v: &Value) {
    if let Some(s) = v.as_str() {
        m.insert(key.into(), J::from(s));
    }
}

fn string_map_json(v: &Value) -> Option<J> {
    match v {
        Value::Map(m) => Some(J::Object(
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), J::from(s))))
                .collect(),
        )),
        _ => None,
    }
}

fn volume_json(v: &Value) -> J {
    let mut m = Map::new();
    put_str(&mut m, "name", v.get("name"));
    if let Some(p) = v.str("host_path") {
        m.insert("host".into(), json!({ "sourcePath": p }));
    }
    if let Some(b) = v.bool("configure_at_launch") {
        m.insert("configuredAtLaunch".into(), J::Bool(b));
    }
    if let Some(d) = v.block("docker_volume_configuration") {
        let mut dm = Map::new();
        put_str(&mut dm, "scope", d.get("scope"));
        put_str(&mut dm, "driver", d.get("driver"));
        // ECS accepts autoprovision only for shared-scope volumes.
        if d.str("scope") == Some("shared") || d.bool("autoprovision") == Some(true) {
            if let Some(b) = d.bool("autoprovision") {
                dm.insert("autoprovision".into(), J::Bool(b));
            }
        }
        if let Some(o) = string_map_json(d.get("driver_opts")) {
            dm.insert("driverOpts".into(), o);
        }
        if let Some(l) = string_map_json(d.get("labels")) {
            dm.insert("labels".into(), l);
        }
        m.insert("dockerVolumeConfiguration".into(), J::Object(dm));
    }
    if let Some(e) = v.block("efs_volume_configuration") {
        let mut em = Map::new();
        put_str(&mut em, "fileSystemId", e.get("file_system_id"));
        put_str(&mut em, "rootDirectory", e.get("root_directory"));
        put_str(&mut em, "transitEncryption", e.get("transit_encryption"));
        if let Some(p) = e.i64("transit_encryption_port").filter(|p| *p > 0) {
            em.insert("transitEncryptionPort".into(), J::from(p));
        }
        if let Some(a) = e.block("authorization_config") {
            let mut am = Map::new();
            put_str(&mut am, "accessPointId", a.get("access_point_id"));
            put_str(&mut am, "iam", a.get("iam"));
            em.insert("authorizationConfig".into(), J::Object(am));
        }
        m.insert("efsVolumeConfiguration".into(), J::Object(em));
    }
    J::Object(m)
}

/// The nested blocks of a planned task definition as RegisterTaskDefinition members.
pub fn blocks_to_json(planned: &Value) -> Map<String, J> {
    let mut out = Map::new();
    let volumes: Vec<J> = planned
        .get("volume")
        .elements()
        .iter()
        .map(volume_json)
        .collect();
    if !volumes.is_empty() {
        out.insert("volumes".into(), J::Array(volumes));
    }
    let constraints: Vec<J> = planned
        .get("placement_constraints")
        .elements()
        .iter()
        .map(|c| {
            let mut m = Map::new();
            put_str(&mut m, "type", c.get("type"));
            put_str(&mut m, "expression", c.get("expression"));
            J::Object(m)
        })
        .collect();
    if !constraints.is_empty() {
        out.insert("placementConstraints".into(), J::Array(constraints));
    }
    if let Some(p) = planned.block("proxy_configuration") {
        let mut m = Map::new();
        put_str(&mut m, "containerName", p.get("container_name"));
        put_str(&mut m, "type", p.get("type"));
        let props: Vec<J> = p
            .get("properties")
            .entries()
            .filter_map(|(k, v)| v.as_str().map(|s| json!({"name": k, "value": s})))
            .collect();
        if !props.is_empty() {
            m.insert("properties".into(), J::Array(props));
        }
        out.insert("proxyConfiguration".into(), J::Object(m));
    }
    if let Some(r) = planned.block("runtime_platform") {
        let mut m = Map::new();
        put_str(&mut m, "cpuArchitecture", r.get("cpu_architecture"));
        put_str(
            &mut m,
            "operatingSystemFamily",
            r.get("operating_system_family"),
        );
        out.insert("runtimePlatform".into(), J::Object(m));
    }
    if let Some(size) = planned
        .block("ephemeral_storage")
        .and_then(|e| e.i64("size_in_gib"))
    {
        out.insert("ephemeralStorage".into(), json!({ "sizeInGiB": size }));
    }
    out
}

fn s(j: &J, key: &str) -> Value {
    Value::opt_string(j.get(key).and_then(J::as_str))
}

/// A string map from ECS JSON; an absent map reads as the reference's spelling (`{}` or null).
fn map_from(j: Option<&J>, reference: &Value) -> Value {
    match j.and_then(J::as_object) {
        Some(m) if !m.is_empty() => Value::Map(
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), Value::from(s))))
                .collect(),
        ),
        _ if matches!(reference, Value::Map(_)) => Value::Map(Default::default()),
        _ => Value::Null,
    }
}

fn volume_value(v: &J, reference: &Value) -> Value {
    let name = v.get("name").and_then(J::as_str).unwrap_or_default();
    let rv = reference
        .get("volume")
        .elements()
        .iter()
        .find(|e| e.str("name") == Some(name))
        .cloned()
        .unwrap_or(Value::Null);
    let docker = match v.get("dockerVolumeConfiguration") {
        Some(d) => {
            let rd = rv
                .block("docker_volume_configuration")
                .cloned()
                .unwrap_or(Value::Null);
            Value::List(vec![Value::object([
                (
                    "autoprovision",
                    Value::Bool(d.get("autoprovision").and_then(J::as_bool).unwrap_or(false)),
                ),
                ("driver", s(d, "driver")),
                (
                    "driver_opts",
                    map_from(d.get("driverOpts"), rd.get("driver_opts")),
                ),
                ("labels", map_from(d.get("labels"), rd.get("labels"))),
                ("scope", s(d, "scope")),
            ])])
        }
        None => Value::List(vec![]),
    };
    let efs = match v.get("efsVolumeConfiguration") {
        Some(e) => {
            let auth = match e.get("authorizationConfig") {
                Some(a) => Value::List(vec![Value::object([
                    ("access_point_id", s(a, "accessPointId")),
                    ("iam", s(a, "iam")),
                ])]),
                None => Value::List(vec![]),
            };
            Value::List(vec![Value::object([
                ("file_system_id", s(e, "fileSystemId")),
                (
                    "root_directory",
                    Value::from(e.get("rootDirectory").and_then(J::as_str).unwrap_or("/")),
                ),
                ("transit_encryption", s(e, "transitEncryption")),
                (
                    "transit_encryption_port",
                    Value::int(
                        e.get("transitEncryptionPort")
                            .and_then(J::as_i64)
                            .unwrap_or(0),
                    ),
                ),
                ("authorization_config", auth),
            ])])
        }
        None => Value::List(vec![]),
    };
    Value::object([
        (
            "configure_at_launch",
            Value::Bool(
                v.get("configuredAtLaunch")
                    .and_then(J::as_bool)
                    .unwrap_or(false),
            ),
        ),
        (
            "host_path",
            Value::opt_string(
                v.get("host")
                    .and_then(|h| h.get("sourcePath"))
                    .and_then(J::as_str),
            ),
        ),
        ("name", Value::from(name)),
        ("docker_volume_configuration", docker),
        ("efs_volume_configuration", efs),
    ])
}

/// The nested blocks of a described task definition (`taskDefinition` JSON object), with
/// `reference` (prior state or plan) deciding the spelling of empty maps.
pub fn blocks_from_json(td: &J, reference: &Value) -> Vec<(&'static str, Value)> {
    let arr = |k: &str| td.get(k).and_then(J::as_array).cloned().unwrap_or_default();
    let volumes = arr("volumes")
        .iter()
        .map(|v| volume_value(v, reference))
        .collect();
    let constraints = arr("placementConstraints")
        .iter()
        .map(|c| Value::object([("expression", s(c, "expression")), ("type", s(c, "type"))]))
        .collect();
    let proxy = match td.get("proxyConfiguration").filter(|p| !p.is_null()) {
        Some(p) => {
            let props: Vec<(String, Value)> = p
                .get("properties")
                .and_then(J::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    Some((
                        e.get("name")?.as_str()?.to_string(),
                        Value::from(e.get("value")?.as_str()?),
                    ))
                })
                .collect();
            let rp = reference
                .block("proxy_configuration")
                .map(|b| b.get("properties").clone())
                .unwrap_or(Value::Null);
            let properties = if props.is_empty() && !matches!(rp, Value::Map(_)) {
                Value::Null
            } else {
                Value::Map(props.into_iter().collect())
            };
            Value::List(vec![Value::object([
                ("container_name", s(p, "containerName")),
                ("properties", properties),
                (
                    "type",
                    Value::from(p.get("type").and_then(J::as_str).unwrap_or("APPMESH")),
                ),
            ])])
        }
        None => Value::List(vec![]),
    };
    let runtime = match td
        .get("runtimePlatform")
        .filter(|r| r.as_object().is_some_and(|m| !m.is_empty()))
    {
        Some(r) => Value::List(vec![Value::object([
            ("cpu_architecture", s(r, "cpuArchitecture")),
            ("operating_system_family", s(r, "operatingSystemFamily")),
        ])]),
        None => Value::List(vec![]),
    };
    let ephemeral = match td
        .get("ephemeralStorage")
        .and_then(|e| e.get("sizeInGiB"))
        .and_then(J::as_i64)
    {
        Some(n) => Value::List(vec![Value::object([("size_in_gib", Value::int(n))])]),
        None => Value::List(vec![]),
    };
    vec![
        ("volume", Value::Set(volumes)),
        ("placement_constraints", Value::Set(constraints)),
        ("proxy_configuration", proxy),
        ("runtime_platform", runtime),
        ("ephemeral_storage", ephemeral),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_matches_the_twin() {
        let b = schema().block;
        let names: Vec<&str> = b.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn",
                "arn_without_revision",
                "container_definitions",
                "cpu",
                "enable_fault_injection",
                "execution_role_arn",
                "family",
                "id",
                "ipc_mode",
                "memory",
                "network_mode",
                "pid_mode",
                "region",
                "requires_compatibilities",
                "revision",
                "skip_destroy",
                "tags",
                "tags_all",
                "task_role_arn",
                "track_latest"
            ]
        );
        let blocks: Vec<&str> = b.blocks.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            blocks,
            [
                "ephemeral_storage",
                "placement_constraints",
                "proxy_configuration",
                "runtime_platform",
                "volume"
            ]
        );
        // Every API-facing argument registers a new revision; tags and the client-side flags do not.
        for a in &b.attributes {
            let in_place = [
                "arn",
                "arn_without_revision",
                "id",
                "revision",
                "skip_destroy",
                "tags",
                "tags_all",
                "track_latest",
            ];
            assert_eq!(
                a.force_new,
                !in_place.contains(&a.name.as_str()),
                "{}",
                a.name
            );
        }
        assert!(b.blocks.iter().all(|x| x.force_new));
        assert!(
            b.attribute("skip_destroy").unwrap().client_side
                && b.attribute("track_latest").unwrap().client_side
        );
    }

    #[test]
    fn blocks_round_trip_through_ecs_json() {
        let b = schema().block;
        let planned = b.conform(Value::object([
            (
                "volume",
                Value::Set(vec![Value::object([
                    ("name", Value::from("data")),
                    ("host_path", Value::from("/srv/data")),
                    ("configure_at_launch", Value::Bool(false)),
                    (
                        "docker_volume_configuration",
                        Value::List(vec![Value::object([
                            ("scope", Value::from("shared")),
                            ("autoprovision", Value::Bool(true)),
                            ("driver", Value::from("local")),
                            ("driver_opts", Value::string_map([("type", "nfs")])),
                            ("labels", Value::Map(Default::default())),
                        ])]),
                    ),
                ])]),
            ),
            (
                "proxy_configuration",
                Value::List(vec![Value::object([
                    ("container_name", Value::from("envoy")),
                    ("type", Value::from("APPMESH")),
                    ("properties", Value::string_map([("AppPorts", "8080")])),
                ])]),
            ),
            (
                "runtime_platform",
                Value::List(vec![Value::object([
                    ("cpu_architecture", Value::from("ARM64")),
                    ("operating_system_family", Value::from("LINUX")),
                ])]),
            ),
            (
                "ephemeral_storage",
                Value::List(vec![Value::object([("size_in_gib", Value::int(30))])]),
            ),
        ]));
        let j = J::Object(blocks_to_json(&planned));
        assert_eq!(j["volumes"][0]["host"]["sourcePath"], "/srv/data");
        assert_eq!(
            j["volumes"][0]["dockerVolumeConfiguration"]["driverOpts"]["type"],
            "nfs"
        );
        assert_eq!(
            j["proxyConfiguration"]["properties"][0],
            json!({"name":"AppPorts","value":"8080"})
        );
        let mut back = planned.clone();
        for (k, v) in blocks_from_json(&j, &planned) {
            back.set(k, v);
        }
        let back = b.conform(back);
        for k in [
            "volume",
            "proxy_configuration",
            "runtime_platform",
            "ephemeral_storage",
        ] {
            let c = b.nested(k).unwrap().block.clone();
            let _ = c;
            assert!(
                back.get(k).equivalent(planned.get(k)),
                "{k}: {:?} vs {:?}",
                back.get(k),
                planned.get(k)
            );
        }
    }
}
