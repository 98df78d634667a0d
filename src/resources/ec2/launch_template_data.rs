//! Launch template data ↔ configuration: what CreateLaunchTemplate(Version) is sent, and how a
//! version's data reads back into state (keeping the prior state's kind of "empty" where EC2
//! omits unset fields, see [`super::common`]).

use aws_sdk_ec2::types::{
    CreditSpecificationRequest, InstanceIpv6AddressRequest, InstanceType,
    LaunchTemplateBlockDeviceMapping, LaunchTemplateBlockDeviceMappingRequest,
    LaunchTemplateEbsBlockDeviceRequest, LaunchTemplateHttpTokensState,
    LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMetadataEndpointState, LaunchTemplateInstanceMetadataOptionsRequest,
    LaunchTemplateInstanceMetadataProtocolIpv6, LaunchTemplateInstanceMetadataTagsState,
    LaunchTemplateInstanceNetworkInterfaceSpecification,
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest, LaunchTemplatePlacementRequest,
    LaunchTemplateTagSpecificationRequest, LaunchTemplatesMonitoringRequest,
    PrivateIpAddressSpecification, RequestLaunchTemplateData, ResourceType,
    ResponseLaunchTemplateData, ShutdownBehavior, Tenancy, VolumeType,
};

use super::common::{
    nullable_bool_value, read_bool, read_int, read_nullable_bool, read_str, read_string_set,
};
use crate::aws::ec2_tags;
use crate::framework::Value;

fn s(v: &Value, k: &str) -> Option<String> {
    v.str(k).map(str::to_string)
}
fn i32_of(v: &Value, k: &str) -> Option<i32> {
    v.i64(k).and_then(|n| i32::try_from(n).ok())
}
fn strings(v: &Value, k: &str) -> Option<Vec<String>> {
    let items = v.strings(k);
    (!items.is_empty()).then_some(items)
}

/// The launch data for a planned state.
pub fn expand(p: &Value) -> RequestLaunchTemplateData {
    let mut d = RequestLaunchTemplateData::builder()
        .set_image_id(s(p, "image_id"))
        .set_instance_type(p.str("instance_type").map(InstanceType::from))
        .set_kernel_id(s(p, "kernel_id"))
        .set_key_name(s(p, "key_name"))
        .set_ram_disk_id(s(p, "ram_disk_id"))
        // Always at least one field (as hashicorp/aws does): EC2 rejects empty launch data.
        .user_data(p.str("user_data").unwrap_or(""))
        .set_ebs_optimized(nullable_bool_value(p.get("ebs_optimized")))
        .set_instance_initiated_shutdown_behavior(
            p.str("instance_initiated_shutdown_behavior")
                .map(ShutdownBehavior::from),
        )
        .set_security_group_ids(strings(p, "vpc_security_group_ids"))
        .set_security_groups(strings(p, "security_group_names"));
    // hashicorp/aws sends these only when true; false is AWS's default.
    if p.bool("disable_api_stop") == Some(true) {
        d = d.disable_api_stop(true);
    }
    if p.bool("disable_api_termination") == Some(true) {
        d = d.disable_api_termination(true);
    }
    if let Some(b) = p.block("iam_instance_profile") {
        d = d.iam_instance_profile(
            LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                .set_arn(s(b, "arn").filter(|x| !x.is_empty()))
                .set_name(s(b, "name").filter(|x| !x.is_empty()))
                .build(),
        );
    }
    if let Some(b) = p.block("credit_specification") {
        d = d.credit_specification(
            CreditSpecificationRequest::builder()
                .set_cpu_credits(s(b, "cpu_credits"))
                .build(),
        );
    }
    if let Some(b) = p.block("monitoring") {
        d = d.monitoring(
            LaunchTemplatesMonitoringRequest::builder()
                .set_enabled(Some(b.bool("enabled").unwrap_or(false)))
                .build(),
        );
    }
    if let Some(b) = p.block("metadata_options") {
        d = d.metadata_options(
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .set_http_endpoint(
                    b.str("http_endpoint")
                        .map(LaunchTemplateInstanceMetadataEndpointState::from),
                )
                .set_http_tokens(
                    b.str("http_tokens")
                        .map(LaunchTemplateHttpTokensState::from),
                )
                .set_http_put_response_hop_limit(i32_of(b, "http_put_response_hop_limit"))
                .set_http_protocol_ipv6(
                    b.str("http_protocol_ipv6")
                        .map(LaunchTemplateInstanceMetadataProtocolIpv6::from),
                )
                .set_instance_metadata_tags(
                    b.str("instance_metadata_tags")
                        .map(LaunchTemplateInstanceMetadataTagsState::from),
                )
                .build(),
        );
    }
    if let Some(b) = p.block("placement") {
        d = d.placement(
            LaunchTemplatePlacementRequest::builder()
                .set_affinity(s(b, "affinity"))
                .set_availability_zone(s(b, "availability_zone"))
                .set_group_id(s(b, "group_id"))
                .set_group_name(s(b, "group_name"))
                .set_host_id(s(b, "host_id"))
                .set_host_resource_group_arn(s(b, "host_resource_group_arn"))
                .set_partition_number(i32_of(b, "partition_number"))
                .set_spread_domain(s(b, "spread_domain"))
                .set_tenancy(b.str("tenancy").map(Tenancy::from))
                .build(),
        );
    }
    for m in p.get("block_device_mappings").elements() {
        let ebs = m.block("ebs").map(|e| {
            LaunchTemplateEbsBlockDeviceRequest::builder()
                .set_delete_on_termination(nullable_bool_value(e.get("delete_on_termination")))
                .set_encrypted(nullable_bool_value(e.get("encrypted")))
                .set_iops(i32_of(e, "iops").filter(|n| *n != 0))
                .set_kms_key_id(s(e, "kms_key_id").filter(|x| !x.is_empty()))
                .set_snapshot_id(s(e, "snapshot_id").filter(|x| !x.is_empty()))
                .set_throughput(i32_of(e, "throughput").filter(|n| *n != 0))
                .set_volume_size(i32_of(e, "volume_size").filter(|n| *n != 0))
                .set_volume_type(
                    e.str("volume_type")
                        .filter(|x| !x.is_empty())
                        .map(VolumeType::from),
                )
                .build()
        });
        d = d.block_device_mappings(
            LaunchTemplateBlockDeviceMappingRequest::builder()
                .set_device_name(s(m, "device_name").filter(|x| !x.is_empty()))
                .set_no_device(s(m, "no_device").filter(|x| !x.is_empty()))
                .set_virtual_name(s(m, "virtual_name").filter(|x| !x.is_empty()))
                .set_ebs(ebs)
                .build(),
        );
    }
    for n in p.get("network_interfaces").elements() {
        d = d.network_interfaces(network_interface(n));
    }
    for t in p.get("tag_specifications").elements() {
        let tags = t.string_pairs("tags");
        d = d.tag_specifications(
            LaunchTemplateTagSpecificationRequest::builder()
                .set_resource_type(t.str("resource_type").map(ResourceType::from))
                .set_tags((!tags.is_empty()).then(|| ec2_tags::to_ec2(&tags)))
                .build(),
        );
    }
    d.build()
}

fn network_interface(n: &Value) -> LaunchTemplateInstanceNetworkInterfaceSpecificationRequest {
    let ipv4: Vec<PrivateIpAddressSpecification> = n
        .strings("ipv4_addresses")
        .into_iter()
        .map(|a| {
            PrivateIpAddressSpecification::builder()
                .private_ip_address(a)
                .primary(false)
                .build()
        })
        .collect();
    let ipv6: Vec<InstanceIpv6AddressRequest> = n
        .strings("ipv6_addresses")
        .into_iter()
        .map(|a| {
            InstanceIpv6AddressRequest::builder()
                .ipv6_address(a)
                .build()
        })
        .collect();
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
        .set_associate_public_ip_address(nullable_bool_value(n.get("associate_public_ip_address")))
        .set_delete_on_termination(nullable_bool_value(n.get("delete_on_termination")))
        .set_description(s(n, "description"))
        .set_device_index(i32_of(n, "device_index"))
        .set_interface_type(s(n, "interface_type"))
        .set_secondary_private_ip_address_count(i32_of(n, "ipv4_address_count"))
        .set_private_ip_addresses((!ipv4.is_empty()).then_some(ipv4))
        .set_ipv6_address_count(i32_of(n, "ipv6_address_count"))
        .set_ipv6_addresses((!ipv6.is_empty()).then_some(ipv6))
        .set_network_card_index(i32_of(n, "network_card_index"))
        .set_network_interface_id(s(n, "network_interface_id"))
        .set_private_ip_address(s(n, "private_ip_address"))
        .set_groups(strings(n, "security_groups"))
        .set_subnet_id(s(n, "subnet_id"))
        .build()
}

fn int(v: Option<i32>) -> Option<i64> {
    v.map(i64::from)
}

/// The data arguments of a version's launch data, read against the prior state.
pub fn flatten(d: &ResponseLaunchTemplateData, prior: &Value) -> Vec<(&'static str, Value)> {
    let pr = |k: &str| prior.get(k);
    let block = |k: &str| prior.block(k).cloned().unwrap_or(Value::Null);
    let mut out = vec![
        ("image_id", read_str(d.image_id(), pr("image_id"))),
        (
            "instance_type",
            read_str(d.instance_type().map(|t| t.as_str()), pr("instance_type")),
        ),
        ("kernel_id", read_str(d.kernel_id(), pr("kernel_id"))),
        ("key_name", read_str(d.key_name(), pr("key_name"))),
        ("ram_disk_id", read_str(d.ram_disk_id(), pr("ram_disk_id"))),
        ("user_data", read_str(d.user_data(), pr("user_data"))),
        (
            "ebs_optimized",
            read_nullable_bool(d.ebs_optimized(), pr("ebs_optimized")),
        ),
        (
            "instance_initiated_shutdown_behavior",
            read_str(
                d.instance_initiated_shutdown_behavior().map(|b| b.as_str()),
                pr("instance_initiated_shutdown_behavior"),
            ),
        ),
        (
            "disable_api_stop",
            read_bool(d.disable_api_stop(), pr("disable_api_stop")),
        ),
        (
            "disable_api_termination",
            read_bool(d.disable_api_termination(), pr("disable_api_termination")),
        ),
        (
            "vpc_security_group_ids",
            read_string_set(d.security_group_ids(), pr("vpc_security_group_ids")),
        ),
        (
            "security_group_names",
            read_string_set(d.security_groups(), pr("security_group_names")),
        ),
    ];
    let one = |v: Option<Value>| Value::List(v.into_iter().collect());
    out.push((
        "iam_instance_profile",
        one(d.iam_instance_profile().map(|p| {
            let b = block("iam_instance_profile");
            Value::object([
                ("arn", read_str(p.arn(), b.get("arn"))),
                ("name", read_str(p.name(), b.get("name"))),
            ])
        })),
    ));
    out.push((
        "credit_specification",
        one(d.credit_specification().map(|c| {
            let b = block("credit_specification");
            Value::object([(
                "cpu_credits",
                read_str(c.cpu_credits(), b.get("cpu_credits")),
            )])
        })),
    ));
    out.push((
        "monitoring",
        one(d.monitoring().map(|m| {
            let b = block("monitoring");
            Value::object([("enabled", read_bool(m.enabled(), b.get("enabled")))])
        })),
    ));
    out.push((
        "metadata_options",
        one(d.metadata_options().map(|m| {
            Value::object([
                (
                    "http_endpoint",
                    Value::opt_string(m.http_endpoint().map(|x| x.as_str())),
                ),
                (
                    "http_protocol_ipv6",
                    Value::opt_string(m.http_protocol_ipv6().map(|x| x.as_str())),
                ),
                (
                    "http_put_response_hop_limit",
                    Value::opt_int(int(m.http_put_response_hop_limit())),
                ),
                (
                    "http_tokens",
                    Value::opt_string(m.http_tokens().map(|x| x.as_str())),
                ),
                (
                    "instance_metadata_tags",
                    Value::opt_string(m.instance_metadata_tags().map(|x| x.as_str())),
                ),
            ])
        })),
    ));
    out.push((
        "placement",
        one(d.placement().map(|p| {
            let b = block("placement");
            Value::object([
                ("affinity", read_str(p.affinity(), b.get("affinity"))),
                (
                    "availability_zone",
                    read_str(p.availability_zone(), b.get("availability_zone")),
                ),
                ("group_id", read_str(p.group_id(), b.get("group_id"))),
                ("group_name", read_str(p.group_name(), b.get("group_name"))),
                ("host_id", read_str(p.host_id(), b.get("host_id"))),
                (
                    "host_resource_group_arn",
                    read_str(
                        p.host_resource_group_arn(),
                        b.get("host_resource_group_arn"),
                    ),
                ),
                (
                    "partition_number",
                    read_int(int(p.partition_number()), b.get("partition_number")),
                ),
                (
                    "spread_domain",
                    read_str(p.spread_domain(), b.get("spread_domain")),
                ),
                (
                    "tenancy",
                    read_str(p.tenancy().map(|t| t.as_str()), b.get("tenancy")),
                ),
            ])
        })),
    ));
    let prior_bdm = pr("block_device_mappings").elements();
    out.push((
        "block_device_mappings",
        Value::List(
            d.block_device_mappings()
                .iter()
                .enumerate()
                .map(|(i, m)| block_device(m, prior_bdm.get(i).unwrap_or(&Value::Null)))
                .collect(),
        ),
    ));
    let prior_ni = pr("network_interfaces").elements();
    out.push((
        "network_interfaces",
        Value::List(
            d.network_interfaces()
                .iter()
                .enumerate()
                .map(|(i, n)| read_network_interface(n, prior_ni.get(i).unwrap_or(&Value::Null)))
                .collect(),
        ),
    ));
    out.push((
        "tag_specifications",
        Value::List(
            d.tag_specifications()
                .iter()
                .map(|t| {
                    let tags = ec2_tags::from_ec2(t.tags());
                    Value::object([
                        (
                            "resource_type",
                            Value::opt_string(t.resource_type().map(|r| r.as_str())),
                        ),
                        (
                            "tags",
                            if tags.is_empty() {
                                Value::Null
                            } else {
                                Value::string_map(tags)
                            },
                        ),
                    ])
                })
                .collect(),
        ),
    ));
    out
}

fn block_device(m: &LaunchTemplateBlockDeviceMapping, prior: &Value) -> Value {
    let pe = prior.block("ebs").cloned().unwrap_or(Value::Null);
    let ebs = m.ebs().map(|e| {
        Value::object([
            (
                "delete_on_termination",
                read_nullable_bool(e.delete_on_termination(), pe.get("delete_on_termination")),
            ),
            (
                "encrypted",
                read_nullable_bool(e.encrypted(), pe.get("encrypted")),
            ),
            ("iops", Value::opt_int(int(e.iops()))),
            ("kms_key_id", read_str(e.kms_key_id(), pe.get("kms_key_id"))),
            (
                "snapshot_id",
                read_str(e.snapshot_id(), pe.get("snapshot_id")),
            ),
            ("throughput", Value::opt_int(int(e.throughput()))),
            ("volume_size", Value::opt_int(int(e.volume_size()))),
            (
                "volume_type",
                Value::opt_string(e.volume_type().map(|t| t.as_str())),
            ),
        ])
    });
    Value::object([
        (
            "device_name",
            read_str(m.device_name(), prior.get("device_name")),
        ),
        ("no_device", read_str(m.no_device(), prior.get("no_device"))),
        (
            "virtual_name",
            read_str(m.virtual_name(), prior.get("virtual_name")),
        ),
        ("ebs", Value::List(ebs.into_iter().collect())),
    ])
}

fn read_network_interface(
    n: &LaunchTemplateInstanceNetworkInterfaceSpecification,
    prior: &Value,
) -> Value {
    let pr = |k: &str| prior.get(k);
    let ipv4: Vec<String> = n
        .private_ip_addresses()
        .iter()
        .filter_map(|a| a.private_ip_address().map(str::to_string))
        .collect();
    let ipv6: Vec<String> = n
        .ipv6_addresses()
        .iter()
        .filter_map(|a| a.ipv6_address().map(str::to_string))
        .collect();
    Value::object([
        (
            "associate_public_ip_address",
            read_nullable_bool(
                n.associate_public_ip_address(),
                pr("associate_public_ip_address"),
            ),
        ),
        (
            "delete_on_termination",
            read_nullable_bool(n.delete_on_termination(), pr("delete_on_termination")),
        ),
        ("description", read_str(n.description(), pr("description"))),
        (
            "device_index",
            read_int(int(n.device_index()), pr("device_index")),
        ),
        (
            "interface_type",
            read_str(n.interface_type(), pr("interface_type")),
        ),
        (
            "ipv4_address_count",
            read_int(
                int(n.secondary_private_ip_address_count()),
                pr("ipv4_address_count"),
            ),
        ),
        (
            "ipv4_addresses",
            read_string_set(&ipv4, pr("ipv4_addresses")),
        ),
        (
            "ipv6_address_count",
            read_int(int(n.ipv6_address_count()), pr("ipv6_address_count")),
        ),
        (
            "ipv6_addresses",
            read_string_set(&ipv6, pr("ipv6_addresses")),
        ),
        (
            "network_card_index",
            read_int(int(n.network_card_index()), pr("network_card_index")),
        ),
        (
            "network_interface_id",
            read_str(n.network_interface_id(), pr("network_interface_id")),
        ),
        (
            "private_ip_address",
            read_str(n.private_ip_address(), pr("private_ip_address")),
        ),
        (
            "security_groups",
            read_string_set(n.groups(), pr("security_groups")),
        ),
        ("subnet_id", read_str(n.subnet_id(), pr("subnet_id"))),
    ])
}
