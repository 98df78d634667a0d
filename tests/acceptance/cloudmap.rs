//! Cloud Map namespaces, services and the DNS namespace data source through terraform, verified
//! through the Cloud Map API.

use serde_json::Value;

use crate::support::*;

fn sd() -> aws_sdk_servicediscovery::Client {
    aws_sdk_servicediscovery::Client::new(&aws())
}

/// The region's default VPC (moto creates one; real accounts usually have one).
fn default_vpc() -> String {
    let ec2 = aws_sdk_ec2::Client::new(&aws());
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("isDefault")
        .values("true")
        .build();
    let out = block_on(ec2.describe_vpcs().filters(filter).send()).expect("DescribeVpcs");
    out.vpcs()
        .first()
        .and_then(|v| v.vpc_id())
        .expect("the region has a default VPC")
        .to_string()
}

fn namespace_exists(id: &str) -> bool {
    block_on(sd().get_namespace().id(id).send()).is_ok()
}

fn service_exists(id: &str) -> bool {
    block_on(sd().get_service().id(id).send()).is_ok()
}

fn namespace_name(prefix: &str) -> String {
    format!("{}.local", unique_name(prefix))
}

/// Terraform wraps long diagnostics: compare with the whitespace collapsed.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn destroy_fails(tf: &Workdir) -> String {
    flat(
        &tf.cmd(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .failure()
            .stderr,
    )
}

fn register_instance(service_id: &str, instance_id: &str) {
    block_on(
        sd().register_instance()
            .service_id(service_id)
            .instance_id(instance_id)
            .attributes("AWS_INSTANCE_IPV4", "10.0.0.10")
            .send(),
    )
    .expect("RegisterInstance");
}

fn private_namespace_config(name: &str, vpc: &str, description: &str) -> String {
    config(&format!(
        r#"
resource "awsecs_service_discovery_private_dns_namespace" "ns" {{
  name        = "{name}"
  vpc         = "{vpc}"
  description = "{description}"
  tags        = {{ app = "dks" }}
}}
"#
    ))
}

#[test]
fn private_dns_namespace_lifecycle() {
    let vpc = default_vpc();
    let name = namespace_name("pns");
    let tf = Lifecycle {
        config: private_namespace_config(&name, &vpc, "first"),
        address: "awsecs_service_discovery_private_dns_namespace.ns",
        import_id: &|s: &Value| {
            format!(
                "{}:{}",
                s["id"].as_str().unwrap(),
                s["vpc"].as_str().unwrap()
            )
        },
        exists: &|s: &Value| namespace_exists(s["id"].as_str().unwrap()),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(sd().delete_namespace().id(s["id"].as_str().unwrap()).send())
                .expect("DeleteNamespace");
        }),
        import_ignore: &[],
    }
    .run();
    drop(tf);
}

#[test]
fn private_dns_namespace_description_updates_in_place() {
    let vpc = default_vpc();
    let name = namespace_name("pnsupd");
    let tf = Workdir::new(&private_namespace_config(&name, &vpc, "first"));
    tf.apply();
    let before = tf.state_show("awsecs_service_discovery_private_dns_namespace.ns");
    assert!(before["arn"]
        .as_str()
        .is_some_and(|a| a.contains(":namespace/")));
    assert!(before["hosted_zone"]
        .as_str()
        .is_some_and(|z| !z.is_empty()));

    tf.set_config(&private_namespace_config(&name, &vpc, "second"));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
    tf.apply();
    let after = tf.state_show("awsecs_service_discovery_private_dns_namespace.ns");
    assert_eq!(
        after["id"], before["id"],
        "the namespace must not be replaced"
    );
    let id = after["id"].as_str().unwrap();
    let ns = block_on(sd().get_namespace().id(id).send()).expect("GetNamespace");
    assert_eq!(ns.namespace().and_then(|n| n.description()), Some("second"));
    tf.assert_no_changes();
    tf.destroy();
    assert!(!namespace_exists(id));
}

#[test]
fn http_namespace_lifecycle() {
    let name = unique_name("hns");
    Lifecycle {
        config: config(&format!(
            r#"
resource "awsecs_service_discovery_http_namespace" "ns" {{
  name        = "{name}"
  description = "http namespace"
  tags        = {{ app = "dks" }}
}}
"#
        )),
        address: "awsecs_service_discovery_http_namespace.ns",
        import_id: &|s: &Value| s["id"].as_str().unwrap().to_string(),
        exists: &|s: &Value| {
            assert_eq!(s["http_name"], s["name"], "http_name defaults to the name");
            namespace_exists(s["id"].as_str().unwrap())
        },
        delete_out_of_band: Some(&|s: &Value| {
            block_on(sd().delete_namespace().id(s["id"].as_str().unwrap()).send())
                .expect("DeleteNamespace");
        }),
        import_ignore: &[],
    }
    .run();
}

fn service_config(ns_name: &str, vpc: &str, svc: &str, ttl: u32, extra: &str) -> String {
    config(&format!(
        r#"
resource "awsecs_service_discovery_private_dns_namespace" "ns" {{
  name = "{ns_name}"
  vpc  = "{vpc}"
}}
resource "awsecs_service_discovery_service" "s" {{
  name        = "{svc}"
  description = "api"
  dns_config {{
    namespace_id = awsecs_service_discovery_private_dns_namespace.ns.id
    dns_records {{
      ttl  = {ttl}
      type = "A"
    }}
    dns_records {{
      ttl  = {ttl}
      type = "SRV"
    }}
  }}
  {extra}
  tags = {{ app = "dks" }}
}}
"#
    ))
}

#[test]
fn service_discovery_service_lifecycle() {
    let vpc = default_vpc();
    let ns = namespace_name("svcns");
    let svc = unique_name("svc");
    let tf = Lifecycle {
        config: service_config(&ns, &vpc, &svc, 10, "health_check_custom_config {}"),
        address: "awsecs_service_discovery_service.s",
        import_id: &|s: &Value| s["id"].as_str().unwrap().to_string(),
        exists: &|s: &Value| service_exists(s["id"].as_str().unwrap()),
        delete_out_of_band: Some(&|s: &Value| {
            block_on(sd().delete_service().id(s["id"].as_str().unwrap()).send())
                .expect("DeleteService");
        }),
        import_ignore: &[],
    }
    .run();
    drop(tf);
}

#[test]
fn service_dns_ttl_updates_in_place() {
    let vpc = default_vpc();
    let ns = namespace_name("ttlns");
    let svc = unique_name("ttl");
    let tf = Workdir::new(&service_config(&ns, &vpc, &svc, 10, ""));
    tf.apply();
    let before = tf.state_show("awsecs_service_discovery_service.s");
    assert_eq!(
        before["namespace_id"],
        before["dns_config"][0]["namespace_id"]
    );
    assert_eq!(before["dns_config"][0]["routing_policy"], "MULTIVALUE");

    tf.set_config(&service_config(&ns, &vpc, &svc, 60, ""));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
    tf.apply();
    let after = tf.state_show("awsecs_service_discovery_service.s");
    assert_eq!(after["id"], before["id"]);
    let id = after["id"].as_str().unwrap();
    let got = block_on(sd().get_service().id(id).send()).expect("GetService");
    let ttls: Vec<i64> = got
        .service()
        .and_then(|s| s.dns_config())
        .map(|d| d.dns_records().iter().map(|r| r.ttl()).collect())
        .unwrap_or_default();
    assert_eq!(ttls, [60, 60]);
    tf.assert_no_changes();

    // A new record type is not an in-place change.
    tf.set_config(&service_config(&ns, &vpc, &svc, 60, "").replace("\"SRV\"", "\"AAAA\""));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    tf.destroy();
}

#[test]
fn custom_health_threshold_is_state_only_but_the_block_replaces() {
    let vpc = default_vpc();
    let ns = namespace_name("custom");
    let svc = unique_name("custom");
    let with = |n: u32| {
        service_config(
            &ns,
            &vpc,
            &svc,
            10,
            &format!("health_check_custom_config {{\n    failure_threshold = {n}\n  }}"),
        )
    };
    let tf = Workdir::new(&with(1));
    let applied = tf.apply();
    assert!(
        applied.stdout.contains("deprecated") || applied.stderr.contains("deprecated"),
        "the deprecated argument warns:\n{applied}"
    );
    let id = tf.state_show("awsecs_service_discovery_service.s")["id"].clone();
    tf.assert_no_changes();

    // AWS ignores the value (always 1): changing it touches only the state.
    tf.set_config(&with(3));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("updated in-place"), "{plan}");
    tf.assert_no_mutating_calls(|| tf.apply());
    let s = tf.state_show("awsecs_service_discovery_service.s");
    assert_eq!(s["health_check_custom_config"][0]["failure_threshold"], 3);
    assert_eq!(s["id"], id);
    tf.assert_no_changes();

    // Dropping custom health checking needs a new service.
    tf.set_config(&service_config(&ns, &vpc, &svc, 10, ""));
    let plan = tf.assert_changes();
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    tf.destroy();
}

#[test]
fn service_force_destroy_deregisters_instances() {
    let vpc = default_vpc();
    let ns = namespace_name("fdns");
    let svc = unique_name("fd");
    let tf = Workdir::new(&service_config(&ns, &vpc, &svc, 10, "force_destroy = true"));
    tf.apply();
    let id = tf.state_show("awsecs_service_discovery_service.s")["id"]
        .as_str()
        .unwrap()
        .to_string();
    register_instance(&id, "i-0123456789");
    let (_, calls) = tf.record(|| tf.destroy());
    assert!(!service_exists(&id), "the service must be gone");
    let instance = sd()
        .get_instance()
        .service_id(&id)
        .instance_id("i-0123456789")
        .send();
    assert!(block_on(instance).is_err(), "the instance must be gone");
    if tf.requests().is_some() {
        let ops: Vec<String> = calls.iter().map(|c| c.operation()).collect();
        let dereg = ops.iter().position(|o| o == "DeregisterInstance");
        let delete = ops.iter().position(|o| o == "DeleteService");
        assert!(
            dereg.is_some() && dereg < delete,
            "force_destroy deregisters the instance before deleting the service: {ops:?}"
        );
    }
}

#[test]
fn service_delete_with_instances_names_them_and_suggests_force_destroy() {
    let vpc = default_vpc();
    let ns = namespace_name("inuse");
    let svc = unique_name("inuse");
    let tf = Workdir::new(&service_config(&ns, &vpc, &svc, 10, ""));
    tf.apply();
    let id = tf.state_show("awsecs_service_discovery_service.s")["id"]
        .as_str()
        .unwrap()
        .to_string();
    register_instance(&id, "i-stays");
    let err = destroy_fails(&tf);
    assert!(err.contains("1 registered instance(s)"), "{err}");
    assert!(err.contains("i-stays"), "{err}");
    assert!(err.contains("force_destroy = true"), "{err}");
    assert!(service_exists(&id), "a failed destroy leaves the service");
    block_on(
        sd().deregister_instance()
            .service_id(&id)
            .instance_id("i-stays")
            .send(),
    )
    .expect("DeregisterInstance");
    tf.destroy();
    assert!(!service_exists(&id));
}

#[test]
fn namespace_delete_names_the_services_still_in_it() {
    let vpc = default_vpc();
    let name = namespace_name("busy");
    let tf = Workdir::new(&private_namespace_config(&name, &vpc, "busy"));
    tf.apply();
    let ns_id = tf.state_show("awsecs_service_discovery_private_dns_namespace.ns")["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A service created outside Terraform (as ECS Service Connect or a person would).
    let orphan = unique_name("orphan");
    let created = block_on(
        sd().create_service()
            .name(&orphan)
            .namespace_id(&ns_id)
            .dns_config(
                aws_sdk_servicediscovery::types::DnsConfig::builder()
                    .dns_records(
                        aws_sdk_servicediscovery::types::DnsRecord::builder()
                            .r#type(aws_sdk_servicediscovery::types::RecordType::A)
                            .ttl(10)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .expect("CreateService");
    let srv = created.service().and_then(|s| s.id()).unwrap().to_string();

    let err = destroy_fails(&tf);
    assert!(
        err.contains(&format!("{orphan} ({srv})")),
        "the error must name the blocking service:\n{err}"
    );
    assert!(err.contains("1 service(s)"), "{err}");
    assert!(namespace_exists(&ns_id));

    block_on(sd().delete_service().id(&srv).send()).expect("DeleteService");
    tf.destroy();
    assert!(!namespace_exists(&ns_id));
}

#[test]
fn namespace_operation_failure_shows_aws_error_code_and_message() {
    if real_aws() {
        // The conflicting namespace would take minutes to create and delete for real.
        return;
    }
    let vpc = default_vpc();
    let name = namespace_name("dup");
    let first = block_on(
        sd().create_private_dns_namespace()
            .name(&name)
            .vpc(&vpc)
            .send(),
    )
    .expect("CreatePrivateDnsNamespace");
    let op = block_on(
        sd().get_operation()
            .operation_id(first.operation_id().unwrap())
            .send(),
    )
    .expect("GetOperation");
    let existing = op
        .operation()
        .and_then(|o| o.targets())
        .and_then(|t| t.get(&aws_sdk_servicediscovery::types::OperationTargetType::Namespace))
        .cloned()
        .unwrap();

    let tf = Workdir::new(&private_namespace_config(&name, &vpc, "dup"));
    let err = flat(&tf.fail_apply());
    assert!(err.contains("CANNOT_CREATE_HOSTED_ZONE"), "{err}");
    assert!(err.contains("ConflictingDomainExists"), "{err}");
    assert!(
        tf.state_addresses().is_empty(),
        "a failed create tracks nothing"
    );
    block_on(sd().delete_namespace().id(&existing).send()).expect("DeleteNamespace");
}

#[test]
fn dns_namespace_data_source_finds_the_namespace() {
    let vpc = default_vpc();
    let name = namespace_name("data");
    let first = config(&format!(
        r#"
resource "awsecs_service_discovery_private_dns_namespace" "ns" {{
  name        = "{name}"
  vpc         = "{vpc}"
  description = "looked up"
  tags        = {{ team = "core" }}
}}
data "awsecs_service_discovery_dns_namespace" "d" {{
  name = awsecs_service_discovery_private_dns_namespace.ns.name
  type = "DNS_PRIVATE"
}}
output "d" {{
  value = data.awsecs_service_discovery_dns_namespace.d
}}
output "ns" {{
  value = awsecs_service_discovery_private_dns_namespace.ns
}}
"#
    ));
    let tf = Workdir::new(&first);
    tf.apply();
    let out = tf.outputs();
    let (d, ns) = (&out["d"], &out["ns"]);
    for k in ["id", "arn", "hosted_zone", "description", "name"] {
        assert_eq!(d[k], ns[k], "{k}");
    }
    assert_eq!(d["tags"]["team"], "core");
    tf.assert_no_changes();

    // The public kind with the same name does not exist: a clear error naming the attribute.
    tf.set_config(&config(&format!(
        r#"
data "awsecs_service_discovery_dns_namespace" "d" {{
  name = "{name}"
  type = "DNS_PUBLIC"
}}
resource "awsecs_service_discovery_private_dns_namespace" "ns" {{
  name = "{name}"
  vpc  = "{vpc}"
  description = "looked up"
  tags        = {{ team = "core" }}
}}
"#
    )));
    let err = flat(&tf.fail_plan());
    assert!(err.contains("no DNS_PUBLIC namespace named"), "{err}");
    assert!(
        err.contains(&format!("name = \"{name}\"")),
        "the path/line: {err}"
    );
    tf.set_config(&first);
    tf.destroy();
    assert!(!namespace_exists(ns["id"].as_str().unwrap()));
}

#[test]
fn invalid_cloud_map_arguments_fail_at_plan_with_the_path() {
    let tf = Workdir::new(&config(
        r#"
resource "awsecs_service_discovery_private_dns_namespace" "ns" {
  name = "not a/valid name"
  vpc  = "vpc-12345678"
}
resource "awsecs_service_discovery_service" "s" {
  name = "svc"
  dns_config {
    namespace_id   = "ns-123"
    routing_policy = "ROUND_ROBIN"
    dns_records {
      ttl  = 10
      type = "MX"
    }
  }
  health_check_config {
    resource_path = "/health"
  }
}
"#,
    ));
    let err = flat(&tf.assert_no_mutating_calls(|| tf.fail_plan()));
    for want in [
        // name: the offending character and what is allowed
        "only letters, digits, '.', '_' and '-' are allowed in a namespace name",
        "routing_policy",
        "\"ROUND_ROBIN\"",
        "\"MX\"",
        "requires the health check type",
    ] {
        assert!(err.contains(want), "missing {want:?}:\n{err}");
    }
    assert!(
        err.contains("name = \"not a/valid name\""),
        "the path/line: {err}"
    );
}
