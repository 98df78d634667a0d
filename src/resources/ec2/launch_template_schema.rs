//! The schema of `awsecs_launch_template`, mirroring `aws_launch_template` (hashicorp/aws 6.58)
//! minus the exotic blocks listed in [`OMITTED`].

use std::sync::Arc;

use super::common::nullable_bool;
use crate::aws::{region_attribute, tags};
use crate::framework::schema::Validator;
use crate::framework::{validators, Attribute, Block, NestedBlock, Schema};

/// hashicorp/aws arguments this resource does not offer (rarely used with ECS on EC2).
pub const OMITTED: &[&str] = &[
    "capacity_reservation_specification",
    "cpu_options",
    "elastic_gpu_specifications",
    "elastic_inference_accelerator",
    "enclave_options",
    "hibernation_options",
    "instance_market_options",
    "instance_requirements",
    "license_specification",
    "maintenance_options",
    "network_performance_options",
    "private_dns_name_options",
    "secondary_interfaces",
    "block_device_mappings.ebs.volume_initialization_rate",
    "network_interfaces.{associate_carrier_ip_address, connection_tracking_specification, ena_queue_count, ena_srd_specification, ipv4_prefix_count, ipv4_prefixes, ipv6_prefix_count, ipv6_prefixes, primary_ipv6}",
];

/// Arguments whose change creates a new template version (everything in the launch data, plus
/// the version description).
pub const DATA_KEYS: &[&str] = &[
    "block_device_mappings",
    "credit_specification",
    "description",
    "disable_api_stop",
    "disable_api_termination",
    "ebs_optimized",
    "iam_instance_profile",
    "image_id",
    "instance_initiated_shutdown_behavior",
    "instance_type",
    "kernel_id",
    "key_name",
    "metadata_options",
    "monitoring",
    "network_interfaces",
    "placement",
    "ram_disk_id",
    "security_group_names",
    "tag_specifications",
    "user_data",
    "vpc_security_group_ids",
];

/// Launch template names: 3-128 characters of letters, digits and `().-/_`.
fn name_validator(max: usize) -> Validator {
    Arc::new(move |v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let n = s.chars().count();
        if n < 3 || n > max {
            diags.invalid(
                path.clone(),
                format!("must be between 3 and {max} characters long, got {n}"),
            );
        } else if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "().-/_".contains(*c)))
        {
            diags.invalid(
                path.clone(),
                format!("{s:?} contains {c:?}; only letters, digits and ().-/_ are allowed"),
            );
        }
    })
}

fn ebs_block() -> Block {
    Block::new()
        .attr(nullable_bool("delete_on_termination"))
        .attr(nullable_bool("encrypted"))
        .attr(Attribute::number("iops").optional_computed())
        .attr(Attribute::string("kms_key_id").optional())
        .attr(Attribute::string("snapshot_id").optional())
        .attr(
            Attribute::number("throughput")
                .optional_computed()
                .validate(validators::int_between(125, 2000)),
        )
        .attr(Attribute::number("volume_size").optional_computed())
        .attr(
            Attribute::string("volume_type")
                .optional_computed()
                .validate(validators::one_of(&[
                    "standard", "io1", "io2", "gp2", "sc1", "st1", "gp3",
                ])),
        )
}

fn network_interface_block() -> Block {
    Block::new()
        .attr(nullable_bool("associate_public_ip_address"))
        .attr(nullable_bool("delete_on_termination"))
        .attr(Attribute::string("description").optional())
        .attr(Attribute::number("device_index").optional())
        .attr(
            Attribute::string("interface_type")
                .optional()
                .validate(validators::one_of(&["efa", "efa-only", "interface"])),
        )
        .attr(Attribute::number("ipv4_address_count").optional())
        .attr(Attribute::string_set("ipv4_addresses").optional())
        .attr(Attribute::number("ipv6_address_count").optional())
        .attr(Attribute::string_set("ipv6_addresses").optional())
        .attr(Attribute::number("network_card_index").optional())
        .attr(Attribute::string("network_interface_id").optional())
        .attr(Attribute::string("private_ip_address").optional())
        .attr(Attribute::string_set("security_groups").optional())
        .attr(Attribute::string("subnet_id").optional())
}

fn metadata_block() -> Block {
    let enabled = &["enabled", "disabled"];
    Block::new()
        .attr(
            Attribute::string("http_endpoint")
                .optional_computed()
                .validate(validators::one_of(enabled)),
        )
        .attr(
            Attribute::string("http_protocol_ipv6")
                .optional_computed()
                .validate(validators::one_of(enabled)),
        )
        .attr(
            Attribute::number("http_put_response_hop_limit")
                .optional_computed()
                .validate(validators::int_between(1, 64)),
        )
        .attr(
            Attribute::string("http_tokens")
                .optional_computed()
                .validate(validators::one_of(&["optional", "required"])),
        )
        .attr(
            Attribute::string("instance_metadata_tags")
                .optional_computed()
                .validate(validators::one_of(enabled)),
        )
}

fn placement_block() -> Block {
    Block::new()
        .attr(Attribute::string("affinity").optional())
        .attr(Attribute::string("availability_zone").optional())
        .attr(
            Attribute::string("group_id")
                .optional()
                .conflicts_with(&["group_name"]),
        )
        .attr(
            Attribute::string("group_name")
                .optional()
                .conflicts_with(&["group_id"]),
        )
        .attr(Attribute::string("host_id").optional())
        .attr(
            Attribute::string("host_resource_group_arn")
                .optional()
                .conflicts_with(&["host_id"])
                .validate(validators::arn()),
        )
        .attr(Attribute::number("partition_number").optional())
        .attr(Attribute::string("spread_domain").optional())
        .attr(
            Attribute::string("tenancy")
                .optional()
                .validate(validators::one_of(&["default", "dedicated", "host"])),
        )
}

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    let block =
        Block::new()
            .attr(Attribute::string("arn").computed())
            .attr(
                Attribute::number("default_version")
                    .optional_computed()
                    .conflicts_with(&["update_default_version"])
                    .validate(validators::int_between(1, i64::MAX)),
            )
            .attr(
                Attribute::string("description")
                    .optional()
                    .validate(validators::length(0, 255))
                    .desc("Description of the template version."),
            )
            .attr(Attribute::bool("disable_api_stop").optional())
            .attr(Attribute::bool("disable_api_termination").optional())
            .attr(nullable_bool("ebs_optimized"))
            .attr(Attribute::string("id").optional_computed())
            .attr(Attribute::string("image_id").optional())
            .attr(
                Attribute::string("instance_initiated_shutdown_behavior")
                    .optional()
                    .validate(validators::one_of(&["stop", "terminate"])),
            )
            .attr(Attribute::string("instance_type").optional())
            .attr(Attribute::string("kernel_id").optional())
            .attr(Attribute::string("key_name").optional())
            .attr(Attribute::number("latest_version").computed())
            .attr(
                Attribute::string("name")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name_prefix"])
                    .validate(name_validator(128)),
            )
            .attr(
                Attribute::string("name_prefix")
                    .optional_computed()
                    .force_new()
                    .conflicts_with(&["name"])
                    .validate(name_validator(128 - crate::aws::names::UNIQUE_SUFFIX_LEN)),
            )
            .attr(Attribute::string("ram_disk_id").optional())
            .attr(region_attribute())
            .attr(
                Attribute::string_set("security_group_names")
                    .optional()
                    .conflicts_with(&["vpc_security_group_ids"]),
            )
            .attr(tags)
            .attr(tags_all)
            .attr(
                Attribute::bool("update_default_version")
                    .optional()
                    .client_side()
                    .conflicts_with(&["default_version"])
                    .desc("Make each new version the default version."),
            )
            .attr(
                Attribute::string("user_data").optional().desc(
                    "Base64-encoded user data, sent as given (use base64encode() on a script).",
                ),
            )
            .attr(
                Attribute::string_set("vpc_security_group_ids")
                    .optional()
                    .conflicts_with(&["security_group_names"]),
            )
            .block(NestedBlock::list(
                "block_device_mappings",
                Block::new()
                    .attr(Attribute::string("device_name").optional())
                    .attr(Attribute::string("no_device").optional())
                    .attr(Attribute::string("virtual_name").optional())
                    .block(NestedBlock::list("ebs", ebs_block()).max(1)),
            ))
            .block(
                NestedBlock::list(
                    "credit_specification",
                    Block::new().attr(
                        Attribute::string("cpu_credits")
                            .optional()
                            .validate(validators::one_of(&["standard", "unlimited"])),
                    ),
                )
                .max(1),
            )
            .block(
                NestedBlock::list(
                    "iam_instance_profile",
                    Block::new()
                        .attr(
                            Attribute::string("arn")
                                .optional()
                                .conflicts_with(&["name"])
                                .validate(validators::arn()),
                        )
                        .attr(
                            Attribute::string("name")
                                .optional()
                                .conflicts_with(&["arn"]),
                        ),
                )
                .max(1),
            )
            .block(NestedBlock::list("metadata_options", metadata_block()).max(1))
            .block(
                NestedBlock::list(
                    "monitoring",
                    Block::new().attr(Attribute::bool("enabled").optional()),
                )
                .max(1),
            )
            .block(NestedBlock::list(
                "network_interfaces",
                network_interface_block(),
            ))
            .block(NestedBlock::list("placement", placement_block()).max(1))
            .block(NestedBlock::list(
                "tag_specifications",
                Block::new()
                    .attr(Attribute::string("resource_type").optional().validate(
                        validators::one_of(&[
                            "instance",
                            "volume",
                            "network-interface",
                            "spot-instances-request",
                        ]),
                    ))
                    .attr(Attribute::string_map("tags").optional()),
            ));
    Schema::new(block).version(1)
}
