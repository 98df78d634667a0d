//! Acceptance-test harness: terraform + the provider binary against moto (default) or a real AWS
//! account (`AWSECS_ACC_REAL_AWS=1`).
//!
//! A test file per AWS service (`tests/acceptance/<service>.rs`, plus a `mod <service>;` line in
//! `main.rs`) uses it like this:
//! ```ignore
//! use crate::support::*;
//!
//! #[test]
//! fn iam_role_basic() {
//!     let name = unique_name("role");
//!     let tf = Workdir::new(&config(&format!(r#"resource "awsecs_iam_role" "r" {{ name = "{name}" ... }}"#)));
//!     tf.apply();
//!     tf.assert_no_mutating_calls(|| tf.assert_no_changes());
//!     let iam = aws_sdk_iam::Client::new(&aws());
//!     block_on(iam.get_role().role_name(&name).send()).expect("role exists");
//!     assert_eq!(tf.state_show("awsecs_iam_role.r")["name"], name);
//!     tf.destroy();
//! }
//! ```
//! Everything panics with a message that includes terraform's output: these are test helpers.
//! Configurations with local modules need [`Workdir::init`]; the provider itself never does.
//! Pin a step to Terraform 0.15 with `tf.cmd(&[...]).terraform(terraform_0_15())` or a whole
//! workdir with `Workdir::new(..).with_terraform(terraform_0_15())`.

pub mod faults;
pub mod lifecycle;
pub mod moto;
pub mod proxy;
pub mod terraform;

pub use faults::{Fault, FaultPlan, FaultRates, FaultStats};
pub use lifecycle::{assert_same_attributes, Lifecycle};
pub use moto::Moto;
pub use proxy::{AwsRequest, RecordingProxy};
pub use terraform::{PlanResult, TfOutput, TfRun, Workdir};

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The `terraform` block plus an empty provider block: prepend to a test's resources with [`config`].
pub const PROVIDER_HEADER: &str = r#"terraform {
  required_providers {
    awsecs = {
      source = "awsecs/awsecs"
    }
  }
}

provider "awsecs" {}
"#;

/// A complete `main.tf`: [`PROVIDER_HEADER`] followed by `body`.
pub fn config(body: &str) -> String {
    format!("{PROVIDER_HEADER}\n{body}\n")
}

/// True when the suite runs against a real AWS account (`AWSECS_ACC_REAL_AWS=1`). Panics when that
/// is combined with `CI` unless `AWSECS_ACC_I_MEAN_IT=1`, so CI can never touch an account by accident.
pub fn real_aws() -> bool {
    static REAL: OnceLock<bool> = OnceLock::new();
    *REAL.get_or_init(|| {
        if !env_is("AWSECS_ACC_REAL_AWS", "1") {
            return false;
        }
        let ci = std::env::var("CI").map(|v| !v.is_empty()).unwrap_or(false);
        if ci && !env_is("AWSECS_ACC_I_MEAN_IT", "1") {
            panic!(
                "refusing to run acceptance tests against a real AWS account in CI: AWSECS_ACC_REAL_AWS=1 \
                 and CI are both set. Unset AWSECS_ACC_REAL_AWS, or also set AWSECS_ACC_I_MEAN_IT=1 if \
                 this really is intended."
            );
        }
        true
    })
}

fn env_is(name: &str, want: &str) -> bool {
    std::env::var(name).map(|v| v == want).unwrap_or(false)
}

/// The moto endpoint (`http://127.0.0.1:PORT`), starting moto on first use; `None` against real AWS.
pub fn endpoint() -> Option<String> {
    if real_aws() {
        None
    } else {
        Some(Moto::get().endpoint().to_string())
    }
}

/// SDK config for verifying results: moto (test credentials, us-east-1) or the real account's
/// environment. Use it only through [`block_on`] (its HTTP client lives on the shared runtime).
pub fn aws() -> aws_config::SdkConfig {
    match endpoint() {
        Some(ep) => aws_at(&ep),
        None => block_on(aws_config::load_defaults(
            aws_config::BehaviorVersion::latest(),
        )),
    }
}

/// SDK config for an explicit endpoint with the moto test credentials (e.g. a [`RecordingProxy`]).
pub fn aws_at(endpoint: &str) -> aws_config::SdkConfig {
    let creds =
        aws_credential_types::Credentials::new("test", "test", None, None, "awsecs-acceptance");
    block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(creds)
            .load(),
    )
}

/// Runs a future on one runtime shared by all tests. SDK clients pool connections on the runtime
/// that first used them, so mixing runtimes (e.g. a fresh one per call) breaks them.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("build the acceptance-test tokio runtime")
    })
    .block_on(fut)
}

/// `tf-acc-<prefix>-<10 random [a-z0-9]>`: unique per call, valid for IAM, ECS, ECR, log groups.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    let mut n = h.finish();
    let mut suffix = String::with_capacity(10);
    for _ in 0..10 {
        suffix.push(char::from(
            b"abcdefghijklmnopqrstuvwxyz0123456789"[(n % 36) as usize],
        ));
        n /= 36;
    }
    format!("tf-acc-{prefix}-{suffix}")
}

/// The checkout root (where `.tools/` lives).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The provider binary for this test run: a private copy of what Cargo built, taken once, so a
/// concurrent `cargo build` in the same target directory cannot swap it mid-suite.
pub fn provider_binary() -> PathBuf {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(|| {
        let built = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-awsecs"));
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("provider-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let copy = dir.join("terraform-provider-awsecs");
        std::fs::copy(&built, &copy)
            .unwrap_or_else(|e| panic!("copy {} to {}: {e}", built.display(), copy.display()));
        copy
    })
    .clone()
}

/// The terraform command: `TF_ACC_TERRAFORM_PATH` if set, else `.tools/bin/terraform`.
pub fn default_terraform() -> PathBuf {
    match std::env::var_os("TF_ACC_TERRAFORM_PATH") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => tool(".tools/bin/terraform"),
    }
}

/// Terraform 0.15.0-rc2 (`.tools/bin/terraform-0.15`), for protocol-compatibility tests. Note: this
/// build always writes TRACE logs to stderr; [`TfOutput::stderr`] has them filtered out.
pub fn terraform_0_15() -> PathBuf {
    tool(".tools/bin/terraform-0.15")
}

/// A file installed by `scripts/setup`; panics with the fix when it is missing.
pub(crate) fn tool(rel: &str) -> PathBuf {
    let p = repo_root().join(rel);
    if !p.exists() {
        panic!("{} is missing: run `bash scripts/setup` first (it installs the local toolchain into .tools/)", p.display());
    }
    p
}
