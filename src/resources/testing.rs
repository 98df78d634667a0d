//! Test support: a real moto server per test and a driver that walks a resource through the
//! operations Terraform performs (validate, plan, apply, refresh, re-plan, import, destroy) on
//! `framework::server::Server` directly — no gRPC, no terraform binary.
//!
//! moto is found at `$MOTO_SERVER_BIN` or `<repo>/.tools/bin/moto-server` (moto with tests/support/moto_compat.py); when neither
//! exists the test fails and says to run `scripts/setup`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::aws::{clients::Endpoints, AwsClients, AwsProvider, CallerIdentity};
use crate::framework::server::{PlanOutcome, Server};
use crate::framework::{Block, Ctx, Nesting, Schema, StopToken, Value};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// A moto server on a free local port, killed when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
}

fn moto_bin() -> PathBuf {
    if let Ok(p) = std::env::var("MOTO_SERVER_BIN") {
        let p = PathBuf::from(p);
        assert!(p.exists(), "MOTO_SERVER_BIN={} does not exist: run scripts/setup (or point MOTO_SERVER_BIN at moto_server)", p.display());
        return p;
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/moto-server");
    assert!(
        p.exists(),
        "moto_server not found at {}: run scripts/setup (or set MOTO_SERVER_BIN)",
        p.display()
    );
    p
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free local port")
}

impl Moto {
    pub async fn start() -> Moto {
        Self::start_with(&[]).await
    }

    /// Starts moto with extra environment (e.g. `INITIAL_NO_AUTH_ACTION_COUNT=0` to make it
    /// check credentials like AWS does).
    pub async fn start_with(env: &[(&str, &str)]) -> Moto {
        let bin = moto_bin();
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}: run scripts/setup", bin.display()));
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        // Ready once it answers HTTP; bounded so a broken install fails instead of hanging.
        for _ in 0..600 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto_server did not start listening on port {port}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The provider block for moto: static test credentials, every endpoint pointed at moto.
pub fn provider_config(url: &str, default_tags: &[(&str, &str)]) -> Value {
    let schema = crate::aws::config::schema();
    let endpoints = Value::object(
        crate::aws::clients::SERVICES
            .iter()
            .map(|s| (s.key, Value::from(url))),
    );
    let mut pairs = vec![
        ("region", Value::from(REGION)),
        ("access_key", Value::from("testing")),
        ("secret_key", Value::from("testing")),
        ("max_retries", Value::int(2)),
        ("endpoints", Value::List(vec![endpoints])),
    ];
    if !default_tags.is_empty() {
        pairs.push((
            "default_tags",
            Value::List(vec![Value::object([(
                "tags",
                Value::string_map(default_tags.iter().copied()),
            )])]),
        ));
    }
    schema.block.conform(Value::object(pairs))
}

/// An AWS SDK config pointed at moto, for checks that bypass the provider.
pub fn sdk_config(url: &str) -> SdkConfig {
    SdkConfig::builder()
        .region(Region::new(REGION))
        .endpoint_url(url)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("testing", "testing", None, None, "tests"),
            ),
        )
        .behavior_version(BehaviorVersion::latest())
        .build()
}

/// A context whose clients never touch the network (for import-ID parsing and the like).
pub fn offline_ctx() -> Ctx<AwsClients> {
    let identity = CallerIdentity {
        account_id: ACCOUNT.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/test"),
        user_id: "AIDATEST".into(),
    };
    let clients = AwsClients::new(
        sdk_config("http://127.0.0.1:9"),
        Endpoints::new(),
        REGION.into(),
        "aws".into(),
        Some(Default::default()),
        Some(identity),
    );
    Ctx {
        client: Arc::new(clients),
        stop: StopToken::never(),
    }
}

/// Terraform's ProposedNew: configured values, with prior values for computed attributes the
/// configuration leaves null (nested blocks matched by index, set elements by configured values).
pub fn proposed_new(block: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() || config.is_unknown() {
        return config.clone();
    }
    let mut out = config.clone();
    for a in &block.attributes {
        let c = config.get(&a.name);
        if a.computed && c.is_null() {
            out.set(&a.name, prior.get(&a.name).clone());
        }
    }
    for b in &block.blocks {
        let (p, c) = (prior.get(&b.name), config.get(&b.name));
        let v = match (b.nesting, c) {
            (Nesting::Single | Nesting::Group, _) => proposed_new(&b.block, p, c),
            (Nesting::List, Value::List(items)) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        proposed_new(&b.block, p.elements().get(i).unwrap_or(&Value::Null), e)
                    })
                    .collect(),
            ),
            (Nesting::Set, Value::Set(items)) => Value::Set(
                items
                    .iter()
                    .map(|e| {
                        let same = |pe: &&Value| {
                            b.block
                                .attributes
                                .iter()
                                .filter(|a| !a.computed)
                                .all(|a| pe.get(&a.name).equivalent(e.get(&a.name)))
                        };
                        proposed_new(
                            &b.block,
                            p.elements().iter().find(same).unwrap_or(&Value::Null),
                            e,
                        )
                    })
                    .collect(),
            ),
            _ => c.clone(),
        };
        out.set(&b.name, v);
    }
    out
}

/// A configured provider server on a fresh moto.
pub struct Harness {
    pub moto: Moto,
    pub server: Server<AwsProvider>,
}

impl Harness {
    pub async fn start(default_tags: &[(&str, &str)]) -> Harness {
        let moto = Moto::start().await;
        let server = Server::new(AwsProvider);
        let d = server
            .configure(&provider_config(&moto.url, default_tags), "1.15.5")
            .await;
        assert!(!d.has_errors(), "configure: {d}");
        Harness { moto, server }
    }

    pub fn sdk(&self) -> SdkConfig {
        sdk_config(&self.moto.url)
    }

    pub fn schema(&self, ty: &str) -> Schema {
        self.server
            .resource_schema(ty)
            .expect("registered resource")
            .clone()
    }

    /// A configuration object for `ty` from the given attributes (the rest null/empty).
    pub fn config(&self, ty: &str, pairs: Vec<(&str, Value)>) -> Value {
        self.schema(ty).block.conform(Value::object(pairs))
    }

    pub async fn plan(&self, ty: &str, prior: &Value, config: &Value) -> PlanOutcome {
        let d = self.server.validate_resource(ty, config);
        assert!(!d.has_errors(), "validate {ty}: {d}");
        let proposed = proposed_new(&self.schema(ty).block, prior, config);
        let out = self
            .server
            .plan(ty, prior.clone(), proposed, config.clone(), Vec::new())
            .await;
        assert!(!out.diags.has_errors(), "plan {ty}: {}", out.diags);
        out
    }

    pub async fn apply(&self, ty: &str, prior: &Value, planned: &Value) -> Value {
        let out = self
            .server
            .apply(ty, prior.clone(), planned.clone(), Vec::new())
            .await;
        assert!(!out.diags.has_errors(), "apply {ty}: {}", out.diags);
        out.new_state
    }

    pub async fn create(&self, ty: &str, config: &Value) -> Value {
        let plan = self.plan(ty, &Value::Null, config).await;
        let state = self.apply(ty, &Value::Null, &plan.planned).await;
        assert_consistent(&plan.planned, &state);
        state
    }

    /// Null when the object is gone.
    pub async fn read(&self, ty: &str, state: &Value) -> Value {
        let (v, _, d) = self.server.read(ty, state.clone(), Vec::new()).await;
        assert!(!d.has_errors(), "read {ty}: {d}");
        v
    }

    pub async fn destroy(&self, ty: &str, state: &Value) {
        let after = self.apply(ty, state, &Value::Null).await;
        assert_eq!(after, Value::Null, "destroy must return a null state");
    }

    pub async fn import(&self, ty: &str, id: &str) -> Value {
        let stub = self
            .server
            .import(ty, id)
            .await
            .unwrap_or_else(|d| panic!("import {ty} {id}: {d}"));
        let v = self.read(ty, &stub).await;
        assert!(!v.is_null(), "import {ty} {id}: the object was not found");
        v
    }

    /// The whole Terraform life of one object; returns the applied state (still existing).
    /// Checks: apply matches the plan, refresh shows no drift, re-plan is a no-op, import reads
    /// back the same state except for `ignore` and client-side attributes.
    pub async fn lifecycle(
        &self,
        ty: &str,
        config: &Value,
        import_id: impl Fn(&Value) -> String,
        ignore: &[&str],
    ) -> Value {
        let state = self.create(ty, config).await;
        let refreshed = self.read(ty, &state).await;
        assert_eq!(
            refreshed, state,
            "{ty}: refresh right after apply must show no drift"
        );
        let again = self.plan(ty, &refreshed, config).await;
        assert_eq!(
            again.planned, refreshed,
            "{ty}: re-plan with the same configuration must be a no-op"
        );
        assert!(
            again.requires_replace.is_empty(),
            "{ty}: {:?}",
            again.requires_replace
        );
        let imported = self.import(ty, &import_id(&refreshed)).await;
        let schema = self.schema(ty);
        let strip = |v: &Value| {
            let mut v = v.clone();
            for a in schema
                .block
                .attributes
                .iter()
                .filter(|a| a.client_side || ignore.contains(&a.name.as_str()))
            {
                v.set(&a.name, Value::Null);
            }
            for b in schema
                .block
                .blocks
                .iter()
                .filter(|b| b.client_side || ignore.contains(&b.name.as_str()))
            {
                v.set(&b.name, Value::Null);
            }
            v
        };
        assert_eq!(
            strip(&imported),
            strip(&refreshed),
            "{ty}: import must read back the applied state"
        );
        refreshed
    }
}

/// Every value known in the plan is identical after apply (Terraform's consistency rule).
pub fn assert_consistent(planned: &Value, applied: &Value) {
    fn walk(p: &Value, a: &Value, path: &str) {
        match (p, a) {
            (Value::Unknown, _) => assert!(a.is_wholly_known(), "{path}: unknown left after apply"),
            (Value::Object(pm), Value::Object(am)) | (Value::Map(pm), Value::Map(am)) => {
                assert_eq!(pm.len(), am.len(), "{path}: keys differ: {p:?} vs {a:?}");
                for (k, pv) in pm {
                    walk(
                        pv,
                        am.get(k).unwrap_or(&Value::Null),
                        &format!("{path}.{k}"),
                    );
                }
            }
            (Value::List(pl), Value::List(al)) | (Value::Set(pl), Value::Set(al))
                if pl.len() == al.len() && !p.is_wholly_known() =>
            {
                for (i, (pv, av)) in pl.iter().zip(al).enumerate() {
                    walk(pv, av, &format!("{path}[{i}]"));
                }
            }
            _ => assert!(p.equivalent(a), "{path}: planned {p:?}, applied {a:?}"),
        }
    }
    walk(planned, applied, "");
}
