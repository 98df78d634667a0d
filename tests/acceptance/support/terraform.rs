//! A per-test terraform working directory and the commands run in it.
//!
//! Terraform finds the provider through a generated CLI config with `dev_overrides` pointing at the
//! directory of the Cargo-built provider binary, so no `terraform init` (and no registry) is needed
//! for configurations that use only `awsecs`. In moto mode terraform's AWS traffic goes through a
//! [`RecordingProxy`] owned by the workdir; see [`Workdir::assert_no_mutating_calls`].

use super::proxy::{AwsRequest, RecordingProxy};
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Safety net against a hung provider: a command running longer is killed and the test fails.
/// `AWSECS_ACC_TF_TIMEOUT` (seconds) overrides it.
const DEFAULT_TIMEOUT_SECS: u64 = 900;

/// The result of one terraform command.
#[derive(Clone, Debug)]
pub struct TfOutput {
    pub args: Vec<String>,
    /// Exit code; -1 when killed by a signal (e.g. the timeout).
    pub code: i32,
    pub stdout: String,
    /// stderr with Terraform's internal log lines removed (the 0.15 binary always logs at TRACE).
    pub stderr: String,
    pub stderr_raw: String,
}

impl fmt::Display for TfOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "terraform {} (exit {})\n--- stdout ---\n{}\n--- stderr ---\n{}\n--------------",
            self.args.join(" "),
            self.code,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}

/// `terraform plan -detailed-exitcode`: 0 = no changes, 2 = changes (1 = error panics instead).
#[derive(Clone, Debug)]
pub struct PlanResult {
    pub code: i32,
    pub output: TfOutput,
}

impl PlanResult {
    pub fn has_changes(&self) -> bool {
        self.code == 2
    }
}

/// A temp dir holding `main.tf`, the CLI config and the state of one test.
///
/// Kept on disk (path printed) when the test panics or `AWSECS_ACC_KEEP=1`. Against a real account
/// a workdir whose state still holds resources is destroyed on drop, best effort.
pub struct Workdir {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
    cli_config: PathBuf,
    terraform: PathBuf,
    proxy: Option<RecordingProxy>,
}

impl Workdir {
    /// A new workdir with `main_tf` as its `main.tf` (see [`super::config`] for the usual header).
    pub fn new(main_tf: &str) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("tf-acc-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("create a temp dir for the terraform workdir");
        let path = dir.path().to_path_buf();
        let provider_dir = super::provider_binary()
            .parent()
            .expect("provider binary has a parent dir")
            .to_path_buf();
        let cli_config = path.join("cli.tfrc");
        let cli = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/awsecs/awsecs\" = {}\n  }}\n  direct {{}}\n}}\n",
            hcl_string(&provider_dir.to_string_lossy())
        );
        std::fs::write(&cli_config, cli).expect("write the terraform CLI config");
        let proxy = super::endpoint().map(|_| {
            RecordingProxy::start(super::Moto::get().addr())
                .expect("start the recording proxy in front of moto")
        });
        let wd = Workdir {
            dir: Some(dir),
            path,
            cli_config,
            terraform: super::default_terraform(),
            proxy,
        };
        wd.set_config(main_tf);
        wd
    }

    /// Uses another terraform command for every later run (e.g. [`super::terraform_0_15`]).
    /// A workdir holding a copy of `examples/terraform/<stack>` and the shared
    /// `examples/terraform/modules`, with terraform running in the stack's directory (so the
    /// stack's `../modules/...` sources resolve). Run [`Workdir::init`] first: modules need it.
    pub fn from_example(stack: &str) -> Workdir {
        let mut wd = Workdir::new("");
        std::fs::remove_file(wd.path.join("main.tf")).ok();
        let examples = super::repo_root().join("examples/terraform");
        for dir in [stack, "modules"] {
            copy_tree(&examples.join(dir), &wd.path.join(dir));
        }
        wd.path = wd.path.join(stack);
        wd
    }

    pub fn with_terraform(mut self, terraform: impl Into<PathBuf>) -> Workdir {
        self.terraform = terraform.into();
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces `main.tf` (for update steps).
    pub fn set_config(&self, main_tf: &str) {
        self.write_file("main.tf", main_tf);
    }

    /// Writes any extra file (another `.tf`, a policy JSON, ...) into the workdir.
    /// `name` may contain directories (`modules/x/main.tf`); they are created.
    pub fn write_file(&self, name: &str, contents: &str) {
        let p = self.path.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
        }
        std::fs::write(&p, contents).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    }

    /// The AWS endpoint terraform uses: the recording proxy in moto mode, `None` against real AWS.
    pub fn endpoint(&self) -> Option<&str> {
        self.proxy.as_ref().map(RecordingProxy::endpoint)
    }

    /// The workdir's recording proxy (`None` against real AWS), e.g. to [`RecordingProxy::set_faults`].
    pub fn proxy(&self) -> Option<&RecordingProxy> {
        self.proxy.as_ref()
    }

    /// A terraform command in this workdir, to customise before running.
    pub fn cmd(&self, args: &[&str]) -> TfRun<'_> {
        TfRun {
            wd: self,
            args: args.iter().map(|s| s.to_string()).collect(),
            terraform: self.terraform.clone(),
            env: Vec::new(),
        }
    }

    /// `init`: only needed for configurations with local modules (dev_overrides cover the provider).
    #[track_caller]
    pub fn init(&self) -> TfOutput {
        self.cmd(&["init", "-input=false", "-no-color"]).success()
    }

    /// `apply -auto-approve`; panics unless it succeeds.
    #[track_caller]
    pub fn apply(&self) -> TfOutput {
        self.cmd(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success()
    }

    /// `apply -auto-approve` that must fail; returns its stderr (the diagnostics).
    #[track_caller]
    pub fn fail_apply(&self) -> String {
        self.cmd(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .failure()
            .stderr
    }

    /// `plan -detailed-exitcode`; panics on an error (exit 1).
    #[track_caller]
    pub fn plan_detailed(&self) -> PlanResult {
        let output = self
            .cmd(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
            .run();
        if output.code != 0 && output.code != 2 {
            panic!("plan failed\n{output}");
        }
        PlanResult {
            code: output.code,
            output,
        }
    }

    /// The plan is empty (the usual check right after apply or import).
    #[track_caller]
    pub fn assert_no_changes(&self) -> TfOutput {
        let plan = self.plan_detailed();
        if plan.has_changes() {
            panic!("expected an empty plan, got changes\n{}", plan.output);
        }
        plan.output
    }

    /// The plan has changes; returns it so the test can check what changes.
    #[track_caller]
    pub fn assert_changes(&self) -> TfOutput {
        let plan = self.plan_detailed();
        if !plan.has_changes() {
            panic!("expected a plan with changes, got none\n{}", plan.output);
        }
        plan.output
    }

    /// `plan` that must fail; returns its stderr (the diagnostics) for negative tests.
    #[track_caller]
    pub fn fail_plan(&self) -> String {
        self.cmd(&["plan", "-input=false", "-no-color"])
            .failure()
            .stderr
    }

    /// `import ADDR ID`; panics unless it succeeds.
    #[track_caller]
    pub fn import(&self, addr: &str, id: &str) -> TfOutput {
        self.cmd(&["import", "-input=false", "-no-color", addr, id])
            .success()
    }

    /// Plans into a file and lists `ADDRESS.attribute` for every top-level attribute a planned
    /// (non no-op) change would alter.
    #[track_caller]
    pub fn planned_attribute_changes(&self) -> Vec<String> {
        self.cmd(&["plan", "-input=false", "-no-color", "-out=acc.tfplan"])
            .success();
        let out = self
            .cmd(&["show", "-json", "-no-color", "acc.tfplan"])
            .success();
        let plan: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("show -json plan: {e}\n{out}"));
        let mut changed = Vec::new();
        for rc in plan["resource_changes"].as_array().into_iter().flatten() {
            if rc["change"]["actions"] == serde_json::json!(["no-op"])
                || rc["change"]["actions"] == serde_json::json!(["read"])
            {
                continue;
            }
            let addr = rc["address"].as_str().unwrap_or("?");
            let (before, after) = (&rc["change"]["before"], &rc["change"]["after"]);
            let keys: std::collections::BTreeSet<&String> = before
                .as_object()
                .into_iter()
                .chain(after.as_object())
                .flat_map(|m| m.keys())
                .collect();
            for k in keys {
                if before[k] != after[k] || rc["change"]["after_unknown"][k] == true {
                    changed.push(format!("{addr}.{k}"));
                }
            }
            if before.is_null() || after.is_null() {
                changed.push(format!("{addr} ({:?})", rc["change"]["actions"]));
            }
        }
        changed
    }

    /// `destroy -auto-approve`; panics unless it succeeds.
    #[track_caller]
    pub fn destroy(&self) -> TfOutput {
        self.cmd(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success()
    }

    /// `show -json` parsed: the whole state document.
    #[track_caller]
    pub fn state_json(&self) -> Value {
        let out = self.cmd(&["show", "-json", "-no-color"]).success();
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("show -json is not JSON: {e}\n{out}"))
    }

    /// Addresses of all resources in state (including modules' resources).
    pub fn state_addresses(&self) -> Vec<String> {
        let mut all = Vec::new();
        collect_resources(&self.state_json()["values"]["root_module"], &mut all);
        all.into_iter()
            .filter_map(|r| r["address"].as_str().map(str::to_string))
            .collect()
    }

    /// The attribute values of one resource in state (e.g. `awsecs_iam_role.r`), or `None`.
    pub fn state_resource(&self, addr: &str) -> Option<Value> {
        let mut all = Vec::new();
        collect_resources(&self.state_json()["values"]["root_module"], &mut all);
        all.into_iter()
            .find(|r| r["address"] == addr)
            .map(|r| r["values"].clone())
    }

    /// Like [`Workdir::state_resource`], panicking (listing what is in state) when absent.
    #[track_caller]
    pub fn state_show(&self, addr: &str) -> Value {
        self.state_resource(addr).unwrap_or_else(|| {
            panic!(
                "{addr} is not in state; state has {:?}",
                self.state_addresses()
            )
        })
    }

    /// `output -json`: `{ name: value }` (the values only).
    #[track_caller]
    pub fn outputs(&self) -> Value {
        let out = self.cmd(&["output", "-json", "-no-color"]).success();
        let v: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("output -json is not JSON: {e}\n{out}"));
        let map = v.as_object().map(|m| {
            m.iter()
                .map(|(k, o)| (k.clone(), o["value"].clone()))
                .collect()
        });
        Value::Object(map.unwrap_or_default())
    }

    /// Requests terraform sent to AWS so far (`None` against real AWS: nothing is recorded there).
    pub fn requests(&self) -> Option<Vec<AwsRequest>> {
        self.proxy.as_ref().map(RecordingProxy::requests)
    }

    /// Runs `step` and returns what it sent to AWS (empty against real AWS).
    pub fn record<T>(&self, step: impl FnOnce() -> T) -> (T, Vec<AwsRequest>) {
        let mark = self.proxy.as_ref().map(RecordingProxy::len);
        let result = step();
        let calls = match (&self.proxy, mark) {
            (Some(p), Some(m)) => p.requests_since(m),
            _ => Vec::new(),
        };
        (result, calls)
    }

    /// Runs `step` and panics if terraform made any mutating AWS call during it (see
    /// [`AwsRequest::is_mutating`]). Against real AWS nothing is recorded, so this only runs `step`.
    #[track_caller]
    pub fn assert_no_mutating_calls<T>(&self, step: impl FnOnce() -> T) -> T {
        let (result, calls) = self.record(step);
        let mutating: Vec<String> = calls
            .iter()
            .filter(|c| c.is_mutating())
            .map(|c| c.to_string())
            .collect();
        if !mutating.is_empty() {
            let all: Vec<String> = calls.iter().map(|c| c.to_string()).collect();
            panic!("expected no mutating AWS calls, got {mutating:?} (all calls: {all:?})");
        }
        if self.proxy.is_none() {
            eprintln!("note: real AWS mode, AWS calls are not recorded; assert_no_mutating_calls checks nothing");
        }
        result
    }

    fn keep_requested() -> bool {
        std::env::var("AWSECS_ACC_KEEP")
            .map(|v| v == "1")
            .unwrap_or(false)
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        // Never leave real resources behind; never panic here.
        if self.proxy.is_none() && super::real_aws() && self.path.join("terraform.tfstate").exists()
        {
            let state =
                std::fs::read_to_string(self.path.join("terraform.tfstate")).unwrap_or_default();
            let has_resources = serde_json::from_str::<Value>(&state)
                .ok()
                .and_then(|v| v["resources"].as_array().map(|r| !r.is_empty()))
                .unwrap_or(false);
            if has_resources {
                let out = self
                    .cmd(&["destroy", "-auto-approve", "-input=false", "-no-color"])
                    .run();
                if out.code != 0 {
                    eprintln!(
                        "WARNING: cleanup destroy failed in {}; resources may be left\n{out}",
                        self.path.display()
                    );
                }
            }
        }
        if std::thread::panicking() || Self::keep_requested() {
            if let Some(dir) = self.dir.take() {
                eprintln!("terraform workdir kept: {}", dir.keep().display());
            }
        }
    }
}

/// One terraform command about to run (from [`Workdir::cmd`]).
pub struct TfRun<'a> {
    wd: &'a Workdir,
    args: Vec<String>,
    terraform: PathBuf,
    env: Vec<(String, String)>,
}

impl TfRun<'_> {
    /// Runs this one command with another terraform (e.g. [`super::terraform_0_15`]).
    pub fn terraform(mut self, path: impl Into<PathBuf>) -> Self {
        self.terraform = path.into();
        self
    }

    /// Extra environment variable (after the harness's own, so it can override them).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Runs and returns the output whatever the exit code.
    #[track_caller]
    pub fn run(self) -> TfOutput {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(&self.args)
            .current_dir(&self.wd.path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.apply_env(&mut cmd);
        run_with_timeout(cmd, self.args, &self.terraform, None)
    }

    /// Runs, and once `when` returns sends one SIGINT to terraform's process group, as Ctrl-C in
    /// a terminal does (terraform then asks its providers to Stop). Returns the output whatever
    /// the exit code; if terraform finished before `when` returned, no signal is sent.
    #[track_caller]
    pub fn run_interrupted(self, when: impl FnOnce() + Send + 'static) -> TfOutput {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(&self.args)
            .current_dir(&self.wd.path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.apply_env(&mut cmd);
        run_with_timeout(cmd, self.args, &self.terraform, Some(Box::new(when)))
    }

    /// Runs; panics unless the exit code is 0.
    #[track_caller]
    pub fn success(self) -> TfOutput {
        let out = self.run();
        if out.code != 0 {
            panic!("terraform command failed\n{out}");
        }
        out
    }

    /// Runs; panics if the exit code is 0 (for negative tests).
    #[track_caller]
    pub fn failure(self) -> TfOutput {
        let out = self.run();
        if out.code == 0 {
            panic!("terraform command was expected to fail but succeeded\n{out}");
        }
        out
    }

    fn apply_env(&self, cmd: &mut Command) {
        cmd.env("TF_CLI_CONFIG_FILE", &self.wd.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0");
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if k.starts_with("TF_CLI_ARGS") || k == "TF_DATA_DIR" || k == "TF_WORKSPACE" {
                cmd.env_remove(&*k);
            }
        }
        if let Some(endpoint) = self.wd.endpoint() {
            // Moto mode: nothing from the developer's AWS setup may leak in.
            for (k, _) in std::env::vars_os() {
                let k = k.to_string_lossy();
                if k.starts_with("AWS_")
                    || k.eq_ignore_ascii_case("http_proxy")
                    || k.eq_ignore_ascii_case("https_proxy")
                {
                    cmd.env_remove(&*k);
                }
            }
            cmd.env("AWS_ENDPOINT_URL", endpoint)
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_REGION", "us-east-1")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("AWS_CONFIG_FILE", self.wd.path.join("no-aws-config"))
                .env(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    self.wd.path.join("no-aws-credentials"),
                )
                .env("NO_PROXY", "127.0.0.1,localhost")
                .env("no_proxy", "127.0.0.1,localhost");
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
    }
}

#[track_caller]
fn run_with_timeout(
    mut cmd: Command,
    args: Vec<String>,
    terraform: &Path,
    interrupt: Option<Box<dyn FnOnce() + Send>>,
) -> TfOutput {
    use std::os::unix::process::CommandExt;
    if !terraform.exists() {
        panic!(
            "terraform command {} not found: run `bash scripts/setup`, or set TF_ACC_TERRAFORM_PATH",
            terraform.display()
        );
    }
    // Own process group, so a timeout kill also reaches the provider processes terraform started.
    cmd.process_group(0);
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", terraform.display()));
    let pgid = child.id() as libc::pid_t;
    let secs = std::env::var("AWSECS_ACC_TF_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) =
            done_rx.recv_timeout(Duration::from_secs(secs))
        {
            // SAFETY: kill(2) on the process group we created.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            return true;
        }
        false
    });
    let finished = std::sync::Arc::new(std::sync::Mutex::new(false));
    if let Some(when) = interrupt {
        let finished = finished.clone();
        std::thread::spawn(move || {
            when();
            // Skipped once terraform has exited (the group id could be reused by then).
            let finished = finished.lock().unwrap_or_else(|e| e.into_inner());
            if !*finished {
                // SAFETY: kill(2) on the process group we created, which is still running.
                unsafe { libc::kill(-pgid, libc::SIGINT) };
            }
        });
    }
    let result = child.wait_with_output();
    *finished.lock().unwrap_or_else(|e| e.into_inner()) = true;
    drop(done_tx);
    let timed_out = watchdog.join().unwrap_or(false);
    let output = result.unwrap_or_else(|e| panic!("waiting for {}: {e}", terraform.display()));
    let stderr_raw = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut out = TfOutput {
        args,
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: strip_log_lines(&stderr_raw),
        stderr_raw,
    };
    if timed_out {
        out.stderr.push_str(&format!(
            "\n[acceptance harness: killed after {secs}s, set AWSECS_ACC_TF_TIMEOUT to change]"
        ));
        panic!("terraform timed out\n{out}");
    }
    out
}

/// Drops Terraform's internal log lines (`[TRACE] ...`, `2026-01-01T00:00:00.000Z [DEBUG] ...`) and
/// their continuation lines; user-facing diagnostics start after a blank line, which ends a log run.
fn strip_log_lines(stderr: &str) -> String {
    const LEVELS: [&str; 6] = ["[TRACE]", "[DEBUG]", "[INFO]", "[WARN]", "[ERROR]", "[ERR]"];
    let is_log = |line: &str| {
        let rest = match line.split_once(' ') {
            Some((ts, rest)) if ts.len() >= 20 && ts.as_bytes()[4] == b'-' && ts.contains('T') => {
                rest
            }
            _ => line,
        };
        LEVELS.iter().any(|l| rest.starts_with(l))
    };
    let mut kept = Vec::new();
    let mut in_log = false;
    for line in stderr.lines() {
        if is_log(line) {
            in_log = true;
        } else if line.trim().is_empty() {
            in_log = false;
            kept.push(line);
        } else if !in_log {
            kept.push(line);
        }
    }
    kept.join("\n")
}

fn collect_resources(module: &Value, out: &mut Vec<Value>) {
    if let Some(rs) = module["resources"].as_array() {
        out.extend(rs.iter().cloned());
    }
    if let Some(children) = module["child_modules"].as_array() {
        for c in children {
            collect_resources(c, out);
        }
    }
}

/// An HCL string literal (escapes `\`, `"` and `${`).
fn hcl_string(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace("${", "$${")
    )
}

/// Copies a directory tree (regular files and directories only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries.flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else if src.extension().is_none_or(|e| e != "tfstate")
            && !entry
                .file_name()
                .to_string_lossy()
                .starts_with(".terraform")
        {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_log_lines_keeps_diagnostics() {
        let raw = "[INFO] Terraform version: 0.15.0\n[TRACE] graph:\n  output.x - node\n  ------\n\nError: Unsupported block type\n\n  on main.tf line 2:\n2026-01-01T00:00:00.000Z [DEBUG] provider: exited\n";
        assert_eq!(
            strip_log_lines(raw),
            "\nError: Unsupported block type\n\n  on main.tf line 2:"
        );
    }

    #[test]
    fn hcl_string_escapes() {
        assert_eq!(hcl_string(r#"a\b"c${d}"#), r#""a\\b\"c$${d}""#);
    }
}
