//! Offline checks of the Cloud Map resources: schemas against the hashicorp/aws twins, import
//! IDs, name validation and the messages that name blocking services.

use aws_sdk_servicediscovery::types::{NamespaceSummary, NamespaceType, ServiceSummary};

use super::*;
use crate::framework::plan::validate_object;
use crate::framework::{Resource, Schema};

fn names(s: &Schema) -> (Vec<&str>, Vec<&str>) {
    (
        s.block.attributes.iter().map(|a| a.name.as_str()).collect(),
        s.block.blocks.iter().map(|b| b.name.as_str()).collect(),
    )
}

#[test]
fn private_dns_namespace_schema_matches_the_twin() {
    let s = private_dns_namespace::schema();
    let (attrs, blocks) = names(&s);
    assert_eq!(
        attrs,
        [
            "arn",
            "description",
            "hosted_zone",
            "id",
            "name",
            "region",
            "tags",
            "tags_all",
            "vpc"
        ]
    );
    assert!(blocks.is_empty(), "no timeouts block in the twin");
    let a = |n| s.block.attribute(n).unwrap();
    assert!(a("name").required && a("name").force_new);
    assert!(a("vpc").required && a("vpc").force_new);
    assert!(a("description").optional && !a("description").force_new);
    assert!(a("hosted_zone").computed && !a("hosted_zone").optional);
}

#[test]
fn http_namespace_schema_matches_the_twin() {
    let s = http_namespace::schema();
    let (attrs, _) = names(&s);
    assert_eq!(
        attrs,
        [
            "arn",
            "description",
            "http_name",
            "id",
            "name",
            "region",
            "tags",
            "tags_all"
        ]
    );
    assert!(s.block.attribute("description").unwrap().force_new);
}

#[test]
fn service_schema_matches_the_twin() {
    let s = service::schema();
    let (attrs, blocks) = names(&s);
    assert_eq!(
        attrs,
        [
            "arn",
            "description",
            "force_destroy",
            "id",
            "name",
            "namespace_id",
            "region",
            "tags",
            "tags_all",
            "type"
        ]
    );
    assert_eq!(
        blocks,
        [
            "dns_config",
            "health_check_config",
            "health_check_custom_config"
        ]
    );
    let a = |n| s.block.attribute(n).unwrap();
    assert!(a("force_destroy").client_side);
    assert_eq!(a("force_destroy").default, Some(Value::Bool(false)));
    for n in ["namespace_id", "type"] {
        assert!(a(n).optional && a(n).computed && a(n).force_new, "{n}");
    }
    let dns = s.block.nested("dns_config").unwrap();
    assert_eq!(dns.max_items, 1);
    let dns_attr = |n| dns.block.attribute(n).unwrap();
    assert!(dns_attr("namespace_id").required && dns_attr("namespace_id").force_new);
    assert_eq!(
        dns_attr("routing_policy").default,
        Some(Value::from("MULTIVALUE"))
    );
    let records = dns.block.nested("dns_records").unwrap();
    assert_eq!(records.min_items, 1);
    assert!(records.block.attribute("type").unwrap().force_new);
    assert!(!records.block.attribute("ttl").unwrap().force_new);
    let custom = s.block.nested("health_check_custom_config").unwrap();
    assert!(custom
        .block
        .attribute("failure_threshold")
        .unwrap()
        .deprecation
        .is_some());
}

#[test]
fn dns_namespace_data_source_schema_matches_the_twin() {
    let s = dns_namespace_data::schema();
    let (attrs, _) = names(&s);
    assert_eq!(
        attrs,
        [
            "arn",
            "description",
            "hosted_zone",
            "id",
            "name",
            "region",
            "tags",
            "type"
        ]
    );
}

#[test]
fn namespace_names_follow_cloud_map_rules() {
    for ok in ["internal", "svc.local", "a_b-c.d", "X1"] {
        assert_eq!(check_namespace_name(ok), Ok(()), "{ok}");
    }
    for bad in ["", "has space", "a/b", "ünï", &"a".repeat(1025)] {
        assert!(check_namespace_name(bad).is_err(), "{bad}");
    }
    let b = private_dns_namespace::schema().block;
    let mut d = Diagnostics::new();
    let cfg = b.conform(Value::object([
        ("name", Value::from("bad name")),
        ("vpc", Value::from("vpc-1")),
    ]));
    validate_object(&b, &cfg, &AttrPath::root(), &mut d);
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].path, Some(AttrPath::attr("name")));
    assert!(d.0[0].detail.contains("' '"), "{d}");
}

#[tokio::test]
async fn import_ids() {
    let ctx = crate::resources::testing::offline_ctx();
    let p = private_dns_namespace::PrivateDnsNamespace;
    let v = p.import(&ctx, "ns-abc:vpc-123").await.unwrap();
    assert_eq!(
        (v.str("id"), v.str("vpc"), v.str("region")),
        (Some("ns-abc"), Some("vpc-123"), Some("us-east-1"))
    );
    let v = p.import(&ctx, "ns-abc:vpc-123@eu-west-1").await.unwrap();
    assert_eq!(v.str("region"), Some("eu-west-1"));
    for bad in ["ns-abc", "ns-abc:", ":vpc-1", "a:b:c"] {
        let e = p.import(&ctx, bad).await.unwrap_err();
        assert!(e.to_string().contains("NAMESPACE_ID:VPC_ID"), "{bad}: {e}");
    }
    let v = service::DiscoveryService
        .import(&ctx, "srv-123")
        .await
        .unwrap();
    assert_eq!(v.str("id"), Some("srv-123"));
    assert!(service::DiscoveryService.import(&ctx, "").await.is_err());
    let v = http_namespace::HttpNamespace
        .import(&ctx, "ns-9@us-west-2")
        .await
        .unwrap();
    assert_eq!(
        (v.str("id"), v.str("region")),
        (Some("ns-9"), Some("us-west-2"))
    );
}

#[test]
fn blocking_services_are_named() {
    let svc = |n: &str, id: &str| ServiceSummary::builder().name(n).id(id).build();
    let list: Vec<ServiceSummary> = (0..12)
        .map(|i| svc(&format!("s{i}"), &format!("srv-{i}")))
        .collect();
    assert_eq!(name_services(&list[..2], 10), "s0 (srv-0), s1 (srv-1)");
    assert!(name_services(&list, 10).ends_with("s9 (srv-9), and 2 more"));
}

#[test]
fn data_source_picks_exactly_one_namespace() {
    let ns = |id: &str, name: &str| {
        NamespaceSummary::builder()
            .id(id)
            .name(name)
            .r#type(NamespaceType::DnsPrivate)
            .build()
    };
    let listed = vec![
        ns("ns-1", "a.local"),
        ns("ns-2", "b.local"),
        ns("ns-3", "b.local"),
    ];
    assert_eq!(
        dns_namespace_data::pick(&listed, "a.local", "DNS_PRIVATE")
            .unwrap()
            .id(),
        Some("ns-1")
    );
    let none = dns_namespace_data::pick(&listed, "c.local", "DNS_PRIVATE").unwrap_err();
    assert!(
        none.detail
            .contains("no DNS_PRIVATE namespace named \"c.local\""),
        "{none}"
    );
    let two = dns_namespace_data::pick(&listed, "b.local", "DNS_PRIVATE").unwrap_err();
    assert!(two.detail.contains("ns-2, ns-3"), "{two}");
    assert!(dns_namespace_data::pick(&listed, "a.local", "DNS_PUBLIC").is_err());
}

#[test]
fn a_created_http_namespace_has_the_documented_arn_and_its_name_as_http_name() {
    use crate::resources::testing::{offline_ctx, ACCOUNT, REGION};
    let ctx = offline_ctx();
    let planned = super::http_namespace::schema()
        .block
        .conform(Value::object([
            ("name", Value::from("dks")),
            ("tags", Value::string_map([("app", "dks")])),
            ("tags_all", Value::string_map([("app", "dks")])),
        ]));
    let v = super::http_namespace::created_state(&ctx, &planned, "ns-1", "dks", REGION).unwrap();
    assert_eq!(
        v.str("arn"),
        Some(format!("arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/ns-1").as_str())
    );
    assert_eq!(v.str("http_name"), Some("dks"));
    assert_eq!(v.get("description"), &Value::Null);
    assert_eq!(v.get("tags_all"), &Value::string_map([("app", "dks")]));
}
