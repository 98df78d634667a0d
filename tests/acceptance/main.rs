//! Acceptance tests: the provider binary driven by real terraform against moto (or, with
//! `AWSECS_ACC_REAL_AWS=1`, a real AWS account). One module per AWS service; the harness is in
//! `support`. Run with `bash scripts/test` (or `cargo test --test acceptance` after `scripts/setup`).

// The harness is an API for every service's test file; not every helper is used by every file yet.
#[allow(dead_code, unused_imports)]
mod support;

mod alb_services;
mod bad_input;
mod capacity;
mod cloudmap;
mod docs_examples;
mod ec2;
mod ec2_security_groups;
mod ecr;
mod ecr_extra;
mod ecs_workloads;
mod elbv2;
mod faults;
mod harness_smoke;
mod iam;
mod iam_extra;
mod install;
mod interrupts;
mod logs;
mod migration;
mod out_of_band;
mod protocol;
mod provider_logs;
mod stacks;
