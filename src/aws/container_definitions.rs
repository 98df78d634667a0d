//! `container_definitions` (a JSON array string on `awsecs_ecs_task_definition`): semantic
//! comparison, the canonical form stored after import, and plan-time validation.
//!
//! Two documents are equivalent when their canonical forms match. The canonical form fills what
//! ECS fills on RegisterTaskDefinition (essential=true, protocol tcp, health-check timings, ...)
//! and removes what carries no meaning (nulls, empty lists/maps, cpu 0, dynamic host port 0,
//! environment entries without a value), then sorts containers by name and environment, secrets,
//! ulimits, ... by name. This is what keeps a reformatted, reordered or default-omitting
//! definition from planning a replacement.

use serde_json::{Map, Value as J};

use crate::framework::{AttrPath, Diagnostics};

/// Lists whose order ECS does not preserve or that carry no order meaning.
const SORT_BY_NAME: &[&str] = &[
    "environment",
    "secrets",
    "ulimits",
    "systemControls",
    "resourceRequirements",
    "environmentFiles",
];

/// The canonical form of a container definitions document, or None if it is not a JSON array.
pub fn canonical(doc: &str, network_mode: Option<&str>) -> Option<J> {
    let parsed: J = serde_json::from_str(doc).ok()?;
    let J::Array(containers) = parsed else {
        return None;
    };
    let host_port_is_container_port = matches!(network_mode, Some("awsvpc") | Some("host"));
    let mut out: Vec<J> = containers
        .into_iter()
        .map(|c| {
            let mut c = strip_empty(c).unwrap_or(J::Object(Map::new()));
            if let J::Object(m) = &mut c {
                canonical_container(m, host_port_is_container_port);
            }
            c
        })
        .collect();
    out.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    Some(J::Array(out))
}

/// True when both documents parse and mean the same task.
pub fn equivalent(a: &str, b: &str, network_mode: Option<&str>) -> bool {
    match (canonical(a, network_mode), canonical(b, network_mode)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Canonical JSON text (compact, sorted keys): what state holds when there is no user spelling.
pub fn canonical_string(doc: &str, network_mode: Option<&str>) -> Option<String> {
    canonical(doc, network_mode).map(|j| j.to_string())
}

fn name_of(c: &J) -> &str {
    c.get("name").and_then(J::as_str).unwrap_or("")
}

/// Drops nulls and empty arrays/objects, recursively. Returns None if nothing is left.
fn strip_empty(v: J) -> Option<J> {
    match v {
        J::Null => None,
        J::Array(a) => {
            let a: Vec<J> = a.into_iter().filter_map(strip_empty).collect();
            (!a.is_empty()).then_some(J::Array(a))
        }
        J::Object(m) => {
            let m: Map<String, J> = m
                .into_iter()
                .filter_map(|(k, v)| strip_empty(v).map(|v| (k, v)))
                .collect();
            (!m.is_empty()).then_some(J::Object(m))
        }
        other => Some(other),
    }
}

fn canonical_container(m: &mut Map<String, J>, host_port_is_container_port: bool) {
    if !m.contains_key("essential") {
        m.insert("essential".into(), J::Bool(true));
    }
    if m.get("cpu").and_then(J::as_i64) == Some(0) {
        m.remove("cpu");
    }
    if m.get("versionConsistency").and_then(J::as_str) == Some("enabled") {
        m.remove("versionConsistency");
    }
    if let Some(J::Array(ports)) = m.get_mut("portMappings") {
        for p in ports.iter_mut() {
            if let J::Object(pm) = p {
                if pm.get("protocol").and_then(J::as_str) == Some("tcp") {
                    pm.remove("protocol");
                }
                let container_port = pm.get("containerPort").cloned();
                if host_port_is_container_port {
                    if let Some(cp) = container_port {
                        pm.insert("hostPort".into(), cp);
                    }
                } else if pm.get("hostPort").and_then(J::as_i64) == Some(0) {
                    pm.remove("hostPort");
                }
            }
        }
    }
    if let Some(J::Object(h)) = m.get_mut("healthCheck") {
        for (k, d) in [("interval", 30), ("timeout", 5), ("retries", 3)] {
            h.entry(k).or_insert(J::from(d));
        }
    }
    // An environment variable without a value is not sent by ECS (hashicorp/aws #39533).
    if let Some(J::Array(env)) = m.get_mut("environment") {
        env.retain(|e| e.get("value").is_some());
        if env.is_empty() {
            m.remove("environment");
        }
    }
    for key in SORT_BY_NAME {
        if let Some(J::Array(items)) = m.get_mut(*key) {
            items.sort_by_key(sort_key);
        }
    }
}

fn sort_key(v: &J) -> String {
    for k in ["name", "type", "namespace", "value"] {
        if let Some(s) = v.get(k).and_then(J::as_str) {
            return s.to_string();
        }
    }
    v.to_string()
}

/// What the task definition around the containers says, for cross-checks.
pub struct TaskContext<'a> {
    pub network_mode: Option<&'a str>,
    pub requires_compatibilities: &'a [String],
    pub task_cpu: Option<&'a str>,
    pub task_memory: Option<&'a str>,
}

/// Plan-time validation. Every diagnostic is at `container_definitions` (or `cpu`/`memory` for
/// the Fargate table) and names the container it is about.
pub fn validate(doc: &str, ctx: &TaskContext, diags: &mut Diagnostics) {
    let path = AttrPath::attr("container_definitions");
    let parsed: J = match serde_json::from_str(doc) {
        Ok(j) => j,
        Err(e) => {
            diags.invalid(
                path,
                format!("must be a JSON array of container definitions: invalid JSON: {e}"),
            );
            return;
        }
    };
    let Some(containers) = parsed.as_array() else {
        diags.invalid(path, "must be a JSON array of container definitions, e.g. [{\"name\": \"web\", \"image\": \"nginx\", \"memory\": 128}]");
        return;
    };
    if containers.is_empty() {
        diags.invalid(path, "must define at least one container");
        return;
    }
    let label = |i: usize, c: &J| match c.get("name").and_then(J::as_str) {
        Some(n) => format!("container {n:?} (index {i})"),
        None => format!("container at index {i}"),
    };
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c.get("name").and_then(J::as_str))
        .collect();
    let on_ec2 = ctx.requires_compatibilities.is_empty()
        || ctx.requires_compatibilities.iter().any(|c| c == "EC2");
    let mut any_essential = false;
    let mut port_names: Vec<String> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let Some(obj) = c.as_object() else {
            diags.invalid(
                path.clone(),
                format!("container at index {i} must be a JSON object"),
            );
            continue;
        };
        let who = label(i, c);
        match obj.get("name").and_then(J::as_str) {
            Some(n) if !n.is_empty() => {
                if names.iter().filter(|x| **x == n).count() > 1
                    && names.iter().position(|x| *x == n) == Some(i)
                {
                    diags.invalid(
                        path.clone(),
                        format!(
                            "container name {n:?} is used more than once; names must be unique"
                        ),
                    );
                }
            }
            _ => diags.invalid(
                path.clone(),
                format!("{who} has no \"name\"; every container needs a unique name"),
            ),
        }
        if obj
            .get("image")
            .and_then(J::as_str)
            .is_none_or(str::is_empty)
        {
            diags.invalid(
                path.clone(),
                format!("{who} has no \"image\"; set the image to run, e.g. \"nginx:1.27\""),
            );
        }
        if obj.get("essential").and_then(J::as_bool).unwrap_or(true) {
            any_essential = true;
        }
        let has_memory = obj.get("memory").is_some_and(|m| !m.is_null())
            || obj.get("memoryReservation").is_some_and(|m| !m.is_null());
        if on_ec2 && !has_memory && ctx.task_memory.is_none() {
            diags.invalid(
                path.clone(),
                format!("{who} sets neither \"memory\" nor \"memoryReservation\" and the task sets no memory: EC2 tasks need one of them (e.g. \"memoryReservation\": 128)"),
            );
        }
        for dep in obj
            .get("dependsOn")
            .and_then(J::as_array)
            .into_iter()
            .flatten()
        {
            match dep.get("containerName").and_then(J::as_str) {
                Some(target) if !names.contains(&target) => diags.invalid(
                    path.clone(),
                    format!("{who} dependsOn {target:?}, which is not a container of this task (containers: {})", names.join(", ")),
                ),
                Some(_) => {}
                None => diags.invalid(path.clone(), format!("{who} has a dependsOn entry without \"containerName\"")),
            }
            if let Some(cond) = dep.get("condition").and_then(J::as_str) {
                if !["START", "COMPLETE", "SUCCESS", "HEALTHY"].contains(&cond) {
                    diags.invalid(path.clone(), format!("{who} dependsOn condition {cond:?}; expected START, COMPLETE, SUCCESS or HEALTHY"));
                }
            }
        }
        for pm in obj
            .get("portMappings")
            .and_then(J::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(n) = pm.get("name").and_then(J::as_str) {
                if port_names.iter().any(|x| x == n) {
                    diags.invalid(path.clone(), format!("port mapping name {n:?} is used more than once in this task; port names must be unique"));
                }
                port_names.push(n.to_string());
            }
            if ctx.network_mode == Some("awsvpc") {
                if let (Some(h), Some(c)) = (
                    pm.get("hostPort").and_then(J::as_i64),
                    pm.get("containerPort").and_then(J::as_i64),
                ) {
                    if h != 0 && h != c {
                        diags.invalid(path.clone(), format!("{who}: with network_mode \"awsvpc\" hostPort must equal containerPort ({c}), got {h}"));
                    }
                }
            }
        }
    }
    if !any_essential {
        diags.invalid(path, "no container is essential: at least one container must have \"essential\": true (the default when omitted)");
    }
    if ctx.requires_compatibilities.iter().any(|c| c == "FARGATE") {
        validate_fargate_size(ctx.task_cpu, ctx.task_memory, diags);
    }
}

/// Port names declared in a container definitions document (for Service Connect checks).
pub fn port_names(doc: &str) -> Vec<String> {
    let parsed: J = serde_json::from_str(doc).unwrap_or(J::Null);
    parsed
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| {
            c.get("portMappings")
                .and_then(J::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(|p| p.get("name").and_then(J::as_str).map(str::to_string))
        .collect()
}

/// Fargate's allowed task sizes (CPU units -> memory MiB).
fn fargate_memory_for(cpu: i64) -> Option<Vec<i64>> {
    let range = |lo: i64, hi: i64, step: i64| (lo..=hi).step_by(step as usize).collect::<Vec<_>>();
    Some(match cpu {
        256 => vec![512, 1024, 2048],
        512 => range(1024, 4096, 1024),
        1024 => range(2048, 8192, 1024),
        2048 => range(4096, 16384, 1024),
        4096 => range(8192, 30720, 1024),
        8192 => range(16384, 61440, 4096),
        16384 => range(32768, 122880, 8192),
        _ => return None,
    })
}

/// Parses "1024", "1 vCPU" / "0.5 vcpu" (CPU units) or "2 GB" / "512" (MiB).
fn parse_size(s: &str, unit_big: &str, factor: f64) -> Option<i64> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(num) = t.strip_suffix(unit_big) {
        return num.trim().parse::<f64>().ok().map(|x| (x * factor) as i64);
    }
    t.parse::<i64>().ok()
}

/// Task-level `cpu` values that mean the same ("1 vCPU" and "1024"); ECS stores the units.
pub fn same_cpu(a: &str, b: &str) -> bool {
    a == b
        || matches!((parse_size(a, "vcpu", 1024.0), parse_size(b, "vcpu", 1024.0)), (Some(x), Some(y)) if x == y)
}

/// Task-level `memory` values that mean the same ("2 GB" and "2048"); ECS stores MiB.
pub fn same_memory(a: &str, b: &str) -> bool {
    a == b
        || matches!((parse_size(a, "gb", 1024.0), parse_size(b, "gb", 1024.0)), (Some(x), Some(y)) if x == y)
}

fn validate_fargate_size(cpu: Option<&str>, memory: Option<&str>, diags: &mut Diagnostics) {
    let (Some(cpu_s), Some(mem_s)) = (cpu, memory) else {
        let missing = if cpu.is_none() { "cpu" } else { "memory" };
        diags.invalid(
            AttrPath::attr(missing),
            "FARGATE tasks must set both task-level cpu and memory",
        );
        return;
    };
    let (Some(c), Some(m)) = (
        parse_size(cpu_s, "vcpu", 1024.0),
        parse_size(mem_s, "gb", 1024.0),
    ) else {
        return;
    };
    match fargate_memory_for(c) {
        None => diags.invalid(AttrPath::attr("cpu"), format!("{cpu_s:?} is not a FARGATE task size; use 256, 512, 1024, 2048, 4096, 8192 or 16384")),
        Some(allowed) if !allowed.contains(&m) => diags.invalid(
            AttrPath::attr("memory"),
            format!("FARGATE cpu {c} allows memory {}..{} MiB (in the steps AWS documents), got {m}", allowed[0], allowed[allowed.len() - 1]),
        ),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reordered_defaulted_and_unsorted_documents_are_equivalent() {
        let user = r#"[{"image":"redis:7","name":"redis","memory":128,
            "environment":[{"name":"B","value":"2"},{"name":"A","value":"1"}],
            "portMappings":[{"containerPort":6379}]}]"#;
        let api = r#"[{"name":"redis","image":"redis:7","cpu":0,"memory":128,"essential":true,
            "portMappings":[{"containerPort":6379,"hostPort":0,"protocol":"tcp"}],
            "environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
            "mountPoints":[],"volumesFrom":[],"systemControls":[],"versionConsistency":"enabled"}]"#;
        assert!(equivalent(user, api, Some("bridge")));
    }

    #[test]
    fn awsvpc_host_port_follows_container_port() {
        let user = r#"[{"name":"db","image":"postgres","memory":512,"portMappings":[{"containerPort":5432}]}]"#;
        let api = r#"[{"name":"db","image":"postgres","memory":512,"portMappings":[{"containerPort":5432,"hostPort":5432,"protocol":"tcp"}]}]"#;
        assert!(equivalent(user, api, Some("awsvpc")));
        assert!(
            !equivalent(user, api, Some("bridge")),
            "in bridge mode a fixed host port is a real difference"
        );
    }

    #[test]
    fn containers_sort_by_name_and_health_check_defaults_fill() {
        let a = r#"[{"name":"b","image":"x","memory":1},{"name":"a","image":"y","memory":1,"healthCheck":{"command":["CMD","true"]}}]"#;
        let b = r#"[{"name":"a","image":"y","memory":1,"healthCheck":{"command":["CMD","true"],"interval":30,"timeout":5,"retries":3}},{"name":"b","image":"x","memory":1}]"#;
        assert!(equivalent(a, b, None));
    }

    #[test]
    fn null_environment_values_and_empty_lists_mean_nothing() {
        let a = r#"[{"name":"a","image":"x","memory":1,"environment":[{"name":"X","value":null}],"command":[]}]"#;
        let b = r#"[{"name":"a","image":"x","memory":1}]"#;
        assert!(equivalent(a, b, None));
    }

    #[test]
    fn real_changes_are_not_equivalent() {
        let a = r#"[{"name":"a","image":"x:1","memory":1}]"#;
        assert!(!equivalent(
            a,
            r#"[{"name":"a","image":"x:2","memory":1}]"#,
            None
        ));
        assert!(!equivalent(
            a,
            r#"[{"name":"a","image":"x:1","memory":1,"essential":false}]"#,
            None
        ));
        assert!(!equivalent(a, "not json", None));
    }

    fn check(doc: &str, compat: &[&str], cpu: Option<&str>, mem: Option<&str>) -> Diagnostics {
        let compat: Vec<String> = compat.iter().map(|s| s.to_string()).collect();
        let mut d = Diagnostics::new();
        validate(
            doc,
            &TaskContext {
                network_mode: Some("bridge"),
                requires_compatibilities: &compat,
                task_cpu: cpu,
                task_memory: mem,
            },
            &mut d,
        );
        d
    }

    fn details(d: &Diagnostics) -> String {
        d.0.iter()
            .map(|x| x.detail.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    }

    #[test]
    fn validation_catches_each_mistake_with_the_container_named() {
        let cases: &[(&str, &str)] = &[
            ("[", "invalid JSON"),
            ("{}", "JSON array"),
            (r#"[{"image":"x","memory":1}]"#, "no \"name\""),
            (
                r#"[{"name":"web","memory":1}]"#,
                "container \"web\" (index 0) has no \"image\"",
            ),
            (
                r#"[{"name":"a","image":"x","memory":1,"essential":false}]"#,
                "no container is essential",
            ),
            (
                r#"[{"name":"a","image":"x"}]"#,
                "neither \"memory\" nor \"memoryReservation\"",
            ),
            (
                r#"[{"name":"a","image":"x","memory":1,"dependsOn":[{"containerName":"db","condition":"HEALTHY"}]}]"#,
                "dependsOn \"db\"",
            ),
            (
                r#"[{"name":"a","image":"x","memory":1,"portMappings":[{"containerPort":1,"name":"p"}]},{"name":"b","image":"x","memory":1,"portMappings":[{"containerPort":2,"name":"p"}]}]"#,
                "\"p\" is used more than once",
            ),
        ];
        for (doc, expect) in cases {
            let d = check(doc, &["EC2"], None, None);
            assert!(d.has_errors(), "{doc} should fail");
            assert!(details(&d).contains(expect), "{doc}: {}", details(&d));
            assert!(d
                .0
                .iter()
                .all(|x| x.path == Some(AttrPath::attr("container_definitions"))));
        }
        assert!(!check(
            r#"[{"name":"a","image":"x","memoryReservation":64}]"#,
            &["EC2"],
            None,
            None
        )
        .has_errors());
        assert!(
            !check(r#"[{"name":"a","image":"x"}]"#, &["EC2"], None, Some("512")).has_errors(),
            "task memory suffices"
        );
    }

    #[test]
    fn fargate_sizes_follow_the_table() {
        let ok = r#"[{"name":"a","image":"x"}]"#;
        assert!(!check(ok, &["FARGATE"], Some("256"), Some("512")).has_errors());
        assert!(!check(ok, &["FARGATE"], Some("1 vCPU"), Some("2 GB")).has_errors());
        let d = check(ok, &["FARGATE"], Some("256"), Some("4096"));
        assert_eq!(d.0[0].path, Some(AttrPath::attr("memory")));
        assert_eq!(
            check(ok, &["FARGATE"], Some("300"), Some("512")).0[0].path,
            Some(AttrPath::attr("cpu"))
        );
        assert!(check(ok, &["FARGATE"], None, Some("512")).has_errors());
    }

    #[test]
    fn task_sizes_compare_in_units() {
        assert!(same_cpu("1 vCPU", "1024") && same_cpu("0.5 vcpu", "512"));
        assert!(!same_cpu("1 vCPU", "512"));
        assert!(same_memory("2 GB", "2048") && !same_memory("2GB", "1024"));
    }

    #[test]
    fn port_names_are_listed() {
        assert_eq!(
            port_names(
                r#"[{"portMappings":[{"name":"http","containerPort":80},{"containerPort":81}]}]"#
            ),
            vec!["http"]
        );
    }
}
