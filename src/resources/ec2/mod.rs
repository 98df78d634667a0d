//! EC2 resources and lookups (regional): launch templates, security groups and their rules, and
//! the VPC / subnet / security group / SSM parameter data sources an ECS-on-EC2 stack starts from.

pub mod common;
pub mod data_sources;
pub mod launch_template;
pub mod launch_template_data;
pub mod launch_template_schema;
pub mod security_group;
pub mod security_group_rule;
pub mod sg_delete;
pub mod sg_rule_sets;
pub mod ssm_parameter;
