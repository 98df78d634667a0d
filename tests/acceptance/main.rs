//! Acceptance tests: the provider binary driven by real terraform against moto (or, with
//! `AWSECS_ACC_REAL_AWS=1`, a real AWS account). One module per AWS service; the harness is in
//! `support`. Run with `bash scripts/test` (or `cargo test --test acceptance` after `scripts/setup`).

// The harness is an API for every service's test file; not every helper is used by every file yet.
#[allow(dead_code, unused_imports)]
mod support;

mod capacity;
mod cloudmap;
mod ec2;
mod ec2_security_groups;
mod ecr;
mod ecr_extra;
mod ecs_workloads;
mod elbv2;
mod harness_smoke;
mod iam;
mod iam_extra;
mod install;
mod logs;
mod protocol;
mod provider_logs;
mod stacks;
