//! Acceptance tests: the provider binary driven by real terraform against moto (or, with
//! `AWSECS_ACC_REAL_AWS=1`, a real AWS account). One module per AWS service; the harness is in
//! `support`. Run with `bash scripts/test` (or `cargo test --test acceptance` after `scripts/setup`).

// The harness is an API for every service's test file; not every helper is used by every file yet.
#[allow(dead_code, unused_imports)]
mod support;

mod ecr;
mod harness_smoke;
mod iam;
mod protocol;
mod stacks;
