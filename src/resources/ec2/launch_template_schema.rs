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
        .attr(
            nullable_bool("delete_on_termination")
                .desc("Whether the volume is deleted when the instance terminates."),
        )
        .attr(nullable_bool("encrypted").desc("Whether the volume is encrypted."))
        .attr(
            Attribute::number("iops")
                .desc("Provisioned IOPS of the volume (io1, io2, gp3).")
                .optional_computed(),
        )
        .attr(
            Attribute::string("kms_key_id")
                .desc("ARN of the KMS key that encrypts the volume.")
                .optional(),
        )
        .attr(
            Attribute::string("snapshot_id")
                .desc("ID of the snapshot to create the volume from.")
                .optional(),
        )
        .attr(
            Attribute::number("throughput")
                .desc("Throughput of a gp3 volume in MiB/s.")
                .optional_computed()
                .validate(validators::int_between(125, 2000)),
        )
        .attr(
            Attribute::number("volume_size")
                .desc("Size of the volume in GiB.")
                .optional_computed(),
        )
        .attr(
            Attribute::string("volume_type")
                .desc("Volume type, e.g. `gp3`.")
                .optional_computed()
                .validate(validators::one_of(&[
                    "standard", "io1", "io2", "gp2", "sc1", "st1", "gp3",
                ])),
        )
}

fn network_interface_block() -> Block {
    Block::new()
        .attr(
            nullable_bool("associate_public_ip_address")
                .desc("Whether the interface gets a public IPv4 address."),
        )
        .attr(
            nullable_bool("delete_on_termination")
                .desc("Whether the interface is deleted when the instance terminates."),
        )
        .attr(
            Attribute::string("description")
                .desc("Description of the network interface.")
                .optional(),
        )
        .attr(
            Attribute::number("device_index")
                .desc("Position of the interface in the instance's attachment order.")
                .optional(),
        )
        .attr(
            Attribute::string("interface_type")
                .desc("Interface type, e.g. `efa` or `interface`.")
                .optional()
                .validate(validators::one_of(&["efa", "efa-only", "interface"])),
        )
        .attr(
            Attribute::number("ipv4_address_count")
                .desc("Number of secondary private IPv4 addresses to assign.")
                .optional(),
        )
        .attr(
            Attribute::string_set("ipv4_addresses")
                .desc("Secondary private IPv4 addresses to assign.")
                .optional(),
        )
        .attr(
            Attribute::number("ipv6_address_count")
                .desc("Number of IPv6 addresses to assign.")
                .optional(),
        )
        .attr(
            Attribute::string_set("ipv6_addresses")
                .desc("IPv6 addresses to assign.")
                .optional(),
        )
        .attr(
            Attribute::number("network_card_index")
                .desc("Index of the network card to attach the interface to.")
                .optional(),
        )
        .attr(
            Attribute::string("network_interface_id")
                .desc("ID of an existing network interface to attach.")
                .optional(),
        )
        .attr(
            Attribute::string("private_ip_address")
                .desc("Primary private IPv4 address of the interface.")
                .optional(),
        )
        .attr(
            Attribute::string_set("security_groups")
                .desc("IDs of the security groups of the interface.")
                .optional(),
        )
        .attr(
            Attribute::string("subnet_id")
                .desc("ID of the subnet to launch the interface in.")
                .optional(),
        )
}

fn metadata_block() -> Block {
    let enabled = &["enabled", "disabled"];
    Block::new()
        .attr(
            Attribute::string("http_endpoint").desc("Whether the instance metadata service is reachable: `enabled` or `disabled`.")
                .optional_computed()
                .validate(validators::one_of(enabled)),
        )
        .attr(
            Attribute::string("http_protocol_ipv6").desc("Whether the metadata service has an IPv6 endpoint: `enabled` or `disabled`.")
                .optional_computed()
                .validate(validators::one_of(enabled)),
        )
        .attr(
            Attribute::number("http_put_response_hop_limit").desc("Hop limit of metadata token responses (1 to 64; 2 lets containers reach IMDS).")
                .optional_computed()
                .validate(validators::int_between(1, 64)),
        )
        .attr(
            Attribute::string("http_tokens").desc("Whether IMDSv2 session tokens are `required` or `optional`.")
                .optional_computed()
                .validate(validators::one_of(&["optional", "required"])),
        )
        .attr(
            Attribute::string("instance_metadata_tags").desc("Whether instance tags are readable from the metadata service.")
                .optional_computed()
                .validate(validators::one_of(enabled)),
        )
}

fn placement_block() -> Block {
    Block::new()
        .attr(
            Attribute::string("affinity")
                .desc("Affinity of an instance on a Dedicated Host: `default` or `host`.")
                .optional(),
        )
        .attr(
            Attribute::string("availability_zone")
                .desc("Availability Zone to launch the instance in.")
                .optional(),
        )
        .attr(
            Attribute::string("group_id")
                .desc("ID of the placement group.")
                .optional()
                .conflicts_with(&["group_name"]),
        )
        .attr(
            Attribute::string("group_name")
                .desc("Name of the placement group.")
                .optional()
                .conflicts_with(&["group_id"]),
        )
        .attr(
            Attribute::string("host_id")
                .desc("ID of the Dedicated Host to launch on.")
                .optional(),
        )
        .attr(
            Attribute::string("host_resource_group_arn")
                .desc("ARN of the host resource group to launch in.")
                .optional()
                .conflicts_with(&["host_id"])
                .validate(validators::arn()),
        )
        .attr(
            Attribute::number("partition_number")
                .desc("Partition of a partition placement group.")
                .optional(),
        )
        .attr(
            Attribute::string("spread_domain")
                .desc("Spread domain of the placement group.")
                .optional(),
        )
        .attr(
            Attribute::string("tenancy")
                .desc("Tenancy of the instance: `default`, `dedicated` or `host`.")
                .optional()
                .validate(validators::one_of(&["default", "dedicated", "host"])),
        )
}

pub fn schema() -> Schema {
    let [tags, tags_all] = tags::attributes();
    let block = Block::new()
        .attr(
            Attribute::string("arn")
                .desc("ARN of the launch template.")
                .computed(),
        )
        .attr(
            Attribute::number("default_version")
                .desc("Version to make the default; conflicts with `update_default_version`.")
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
        .attr(
            Attribute::bool("disable_api_stop")
                .desc("Protect instances against being stopped through the API.")
                .optional(),
        )
        .attr(
            Attribute::bool("disable_api_termination")
                .desc("Protect instances against being terminated through the API.")
                .optional(),
        )
        .attr(nullable_bool("ebs_optimized").desc("Whether instances are EBS-optimized."))
        .attr(
            Attribute::string("id")
                .desc("ID of the launch template.")
                .optional_computed(),
        )
        .attr(
            Attribute::string("image_id")
                .desc("ID of the AMI instances start from.")
                .optional(),
        )
        .attr(
            Attribute::string("instance_initiated_shutdown_behavior")
                .desc("What a shutdown from inside the instance does: `stop` or `terminate`.")
                .optional()
                .validate(validators::one_of(&["stop", "terminate"])),
        )
        .attr(
            Attribute::string("instance_type")
                .desc("Instance type, e.g. `t3.small`.")
                .optional(),
        )
        .attr(
            Attribute::string("kernel_id")
                .desc("ID of the kernel.")
                .optional(),
        )
        .attr(
            Attribute::string("key_name")
                .desc("Name of the EC2 key pair for SSH access.")
                .optional(),
        )
        .attr(
            Attribute::number("latest_version")
                .desc("Latest version number of the template.")
                .computed(),
        )
        .attr(
            Attribute::string("name")
                .desc("Name of the template; generated when neither this nor `name_prefix` is set.")
                .optional_computed()
                .force_new()
                .conflicts_with(&["name_prefix"])
                .validate(name_validator(128)),
        )
        .attr(
            Attribute::string("name_prefix")
                .desc("Creates a unique name starting with this prefix.")
                .optional_computed()
                .force_new()
                .conflicts_with(&["name"])
                .validate(name_validator(128 - crate::aws::names::UNIQUE_SUFFIX_LEN)),
        )
        .attr(
            Attribute::string("ram_disk_id")
                .desc("ID of the RAM disk.")
                .optional(),
        )
        .attr(region_attribute())
        .attr(
            Attribute::string_set("security_group_names")
                .desc("Names of security groups (EC2-Classic and default VPC only).")
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
            Attribute::string("user_data")
                .optional()
                .desc("Base64-encoded user data, sent as given (use base64encode() on a script)."),
        )
        .attr(
            Attribute::string_set("vpc_security_group_ids")
                .desc("IDs of the security groups instances get.")
                .optional()
                .conflicts_with(&["security_group_names"]),
        )
        .block(
            NestedBlock::list(
                "block_device_mappings",
                Block::new()
                    .attr(
                        Attribute::string("device_name")
                            .desc("Device name, e.g. `/dev/xvda`.")
                            .optional(),
                    )
                    .attr(
                        Attribute::string("no_device")
                            .desc("Suppresses the device of the AMI's mapping.")
                            .optional(),
                    )
                    .attr(
                        Attribute::string("virtual_name")
                            .desc("Instance store volume name, e.g. `ephemeral0`.")
                            .optional(),
                    )
                    .block(
                        NestedBlock::list("ebs", ebs_block())
                            .desc("The EBS volume of this mapping.")
                            .max(1),
                    ),
            )
            .desc("Volumes attached to instances at launch."),
        )
        .block(
            NestedBlock::list(
                "credit_specification",
                Block::new().attr(
                    Attribute::string("cpu_credits")
                        .desc("Credit option: `standard` or `unlimited`.")
                        .optional()
                        .validate(validators::one_of(&["standard", "unlimited"])),
                ),
            )
            .desc("CPU credit option of burstable instances.")
            .max(1),
        )
        .block(
            NestedBlock::list(
                "iam_instance_profile",
                Block::new()
                    .attr(
                        Attribute::string("arn")
                            .desc("ARN of the instance profile.")
                            .optional()
                            .conflicts_with(&["name"])
                            .validate(validators::arn()),
                    )
                    .attr(
                        Attribute::string("name")
                            .desc("Name of the instance profile.")
                            .optional()
                            .conflicts_with(&["arn"]),
                    ),
            )
            .desc("The IAM instance profile instances get.")
            .max(1),
        )
        .block(
            NestedBlock::list("metadata_options", metadata_block())
                .desc("Instance metadata service (IMDS) options.")
                .max(1),
        )
        .block(
            NestedBlock::list(
                "monitoring",
                Block::new().attr(
                    Attribute::bool("enabled")
                        .desc("Whether detailed monitoring is enabled.")
                        .optional(),
                ),
            )
            .desc("Detailed CloudWatch monitoring of instances.")
            .max(1),
        )
        .block(
            NestedBlock::list("network_interfaces", network_interface_block())
                .desc("Network interfaces attached at launch."),
        )
        .block(
            NestedBlock::list("placement", placement_block())
                .desc("Placement of instances.")
                .max(1),
        )
        .block(
            NestedBlock::list(
                "tag_specifications",
                Block::new()
                    .attr(
                        Attribute::string("resource_type")
                            .desc("Type of resource to tag, e.g. `instance` or `volume`.")
                            .optional()
                            .validate(validators::one_of(&[
                                "instance",
                                "volume",
                                "network-interface",
                                "spot-instances-request",
                            ])),
                    )
                    .attr(
                        Attribute::string_map("tags")
                            .desc("Tags to apply to resources of that type.")
                            .optional(),
                    ),
            )
            .desc("Tags applied at launch to the resources the instance creates."),
        );
    Schema::new(block)
        .desc("Manages an EC2 launch template; each change creates a new version.")
        .version(1)
}
