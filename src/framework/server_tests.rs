//! The server's plan/apply/read/import flow against an in-memory resource: the protocol rules
//! every real resource relies on.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::diag::{AttrPath, Diagnostics};
use super::resource::{ApplyError, ApplyResult, Ctx, DataSource, Provider, Resource};
use super::schema::{Attribute, Block, Schema};
use super::server::Server;
use super::stop::StopToken;
use super::value::Value;

/// A fake cloud: objects by name.
#[derive(Default)]
struct Cloud {
    objects: Mutex<BTreeMap<String, (String, String)>>, // name -> (doc, id)
    fail_after_create: Mutex<bool>,
}

struct Thing;

fn json_eq(a: &Value, b: &Value) -> bool {
    let p = |v: &Value| {
        v.as_str()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
    };
    p(a).is_some() && p(a) == p(b)
}

#[async_trait]
impl Resource<Cloud> for Thing {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attr(Attribute::string("id").computed())
                .attr(Attribute::string("name").required().force_new())
                .attr(Attribute::string("doc").required().equivalent_when(json_eq))
                .attr(Attribute::bool("force").default(false).client_side()),
        )
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.str("name") == Some("bad") {
            diags.invalid(AttrPath::attr("name"), "\"bad\" is not allowed");
        }
    }
    async fn create(&self, ctx: &Ctx<Cloud>, planned: &Value) -> ApplyResult {
        let name = planned.str("name").unwrap_or_default().to_string();
        let doc = planned.str("doc").unwrap_or_default();
        // The "API" normalises the document, as AWS does.
        let normal = serde_json::from_str::<serde_json::Value>(doc)
            .map(|j| j.to_string())
            .unwrap_or_default();
        ctx.client
            .objects
            .lock()
            .unwrap()
            .insert(name.clone(), (normal, format!("id-{name}")));
        let state = self.read(ctx, planned).await?.unwrap_or(Value::Null);
        if *ctx.client.fail_after_create.lock().unwrap() {
            let mut d = Diagnostics::new();
            d.error("tagging failed", "after create");
            return Err(ApplyError::with_state(d, state));
        }
        Ok(state)
    }
    async fn read(&self, ctx: &Ctx<Cloud>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let name = state.str("name").unwrap_or_default();
        Ok(ctx
            .client
            .objects
            .lock()
            .unwrap()
            .get(name)
            .map(|(doc, id)| {
                Value::object([
                    ("id", Value::from(id.as_str())),
                    ("name", name.into()),
                    ("doc", doc.as_str().into()),
                ])
            }))
    }
    async fn update(&self, ctx: &Ctx<Cloud>, _prior: &Value, planned: &Value) -> ApplyResult {
        self.create(ctx, planned).await
    }
    async fn delete(&self, ctx: &Ctx<Cloud>, prior: &Value) -> Result<(), Diagnostics> {
        ctx.client
            .objects
            .lock()
            .unwrap()
            .remove(prior.str("name").unwrap_or_default());
        Ok(())
    }
    async fn import(&self, _ctx: &Ctx<Cloud>, id: &str) -> Result<Value, Diagnostics> {
        Ok(Value::object([("name", id.into())]))
    }
}

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    type Client = Cloud;
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _: &Value, _: &str, _: StopToken) -> Result<Cloud, Diagnostics> {
        Ok(Cloud::default())
    }
    fn resources(&self) -> Vec<Arc<dyn Resource<Cloud>>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Cloud>>> {
        vec![]
    }
}

async fn server() -> Server<TestProvider> {
    let s = Server::new(TestProvider);
    assert!(s
        .configure(&Value::object::<&str>([]), "1.15.5")
        .await
        .is_empty());
    s
}

fn config(name: &str, doc: &str) -> Value {
    Server::<TestProvider>::new(TestProvider)
        .resource_schema("test_thing")
        .unwrap()
        .block
        .conform(Value::object([("name", name.into()), ("doc", doc.into())]))
}

/// Terraform's ProposedNew for this flat schema: config, with prior computed values carried over.
fn proposed(prior: &Value, config: &Value) -> Value {
    let mut p = config.clone();
    for k in ["id", "force"] {
        if config.get(k).is_null() {
            p.set(k, prior.get(k).clone());
        }
    }
    p
}

async fn create(s: &Server<TestProvider>, name: &str, doc: &str) -> Value {
    let cfg = config(name, doc);
    let plan = s
        .plan("test_thing", Value::Null, cfg.clone(), cfg, vec![])
        .await;
    assert!(!plan.diags.has_errors(), "{}", plan.diags);
    assert_eq!(plan.planned.get("id"), &Value::Unknown);
    assert_eq!(plan.planned.bool("force"), Some(false));
    let out = s
        .apply("test_thing", Value::Null, plan.planned, plan.private)
        .await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    out.new_state
}

#[tokio::test]
async fn create_keeps_the_users_spelling_and_fills_computed() {
    let s = server().await;
    let state = create(&s, "a", r#"{ "k": 1 }"#).await;
    assert_eq!(state.str("doc"), Some(r#"{ "k": 1 }"#));
    assert_eq!(state.str("id"), Some("id-a"));
    assert_eq!(state.bool("force"), Some(false));
    // Refresh: the API's normalised spelling is equivalent, so state keeps the user's.
    let (read, _, d) = s.read("test_thing", state.clone(), vec![]).await;
    assert!(d.is_empty());
    assert_eq!(read, state);
}

#[tokio::test]
async fn equivalent_config_plans_no_change_and_real_change_updates() {
    let s = server().await;
    let state = create(&s, "a", r#"{"k":1,"j":2}"#).await;
    let cfg = config("a", r#"{ "j": 2, "k": 1 }"#);
    let plan = s
        .plan(
            "test_thing",
            state.clone(),
            proposed(&state, &cfg),
            cfg,
            vec![],
        )
        .await;
    assert_eq!(plan.planned, state, "reordered JSON must be a no-op");
    assert!(plan.requires_replace.is_empty());

    let cfg = config("a", r#"{"k":2}"#);
    let plan = s
        .plan(
            "test_thing",
            state.clone(),
            proposed(&state, &cfg),
            cfg,
            vec![],
        )
        .await;
    assert_ne!(plan.planned, state);
    assert!(
        plan.requires_replace.is_empty(),
        "doc is updatable in place"
    );
}

#[tokio::test]
async fn force_new_change_requires_replace_and_destroy_plans_null() {
    let s = server().await;
    let state = create(&s, "a", "{}").await;
    let cfg = config("b", "{}");
    let plan = s
        .plan(
            "test_thing",
            state.clone(),
            proposed(&state, &cfg),
            cfg,
            vec![],
        )
        .await;
    assert_eq!(plan.requires_replace, vec![AttrPath::attr("name")]);

    let destroy = s
        .plan(
            "test_thing",
            state.clone(),
            Value::Null,
            Value::Null,
            b"p".to_vec(),
        )
        .await;
    assert_eq!(destroy.planned, Value::Null);
    assert_eq!(destroy.private, b"p".to_vec(), "private data round-trips");
    let out = s.apply("test_thing", state, Value::Null, vec![]).await;
    assert_eq!(out.new_state, Value::Null);
}

#[tokio::test]
async fn out_of_band_delete_reads_as_gone() {
    let s = server().await;
    let state = create(&s, "a", "{}").await;
    s.apply("test_thing", state.clone(), Value::Null, vec![])
        .await;
    let (read, _, d) = s.read("test_thing", state, vec![]).await;
    assert!(d.is_empty());
    assert_eq!(read, Value::Null);
}

#[tokio::test]
async fn import_fills_defaults_so_the_next_plan_is_empty() {
    let s = server().await;
    let created = create(&s, "a", r#"{"k":1}"#).await;
    let stub = s.import("test_thing", "a").await.unwrap();
    assert_eq!(stub.bool("force"), Some(false));
    let (imported, _, _) = s.read("test_thing", stub, vec![]).await;
    assert_eq!(imported.str("id"), created.str("id"));
    let cfg = config("a", r#"{"k":1}"#);
    let plan = s
        .plan(
            "test_thing",
            imported.clone(),
            proposed(&imported, &cfg),
            cfg,
            vec![],
        )
        .await;
    assert_eq!(plan.planned, imported);
}

#[tokio::test]
async fn a_failure_after_create_still_saves_the_object() {
    let s = server().await;
    let cfg = config("a", "{}");
    let plan = s
        .plan("test_thing", Value::Null, cfg.clone(), cfg, vec![])
        .await;
    // Flip the fake API into failing after the object exists.
    *s.client_for_tests().await.fail_after_create.lock().unwrap() = true;
    let out = s
        .apply("test_thing", Value::Null, plan.planned, vec![])
        .await;
    assert!(out.diags.has_errors());
    assert_eq!(
        out.new_state.str("id"),
        Some("id-a"),
        "the created object must stay in state"
    );
}

#[tokio::test]
async fn validation_and_unknown_types_are_diagnostics() {
    let s = server().await;
    let d = s.validate_resource("test_thing", &config("bad", "{}"));
    assert_eq!(d.0[0].path, Some(AttrPath::attr("name")));
    assert!(s.validate_resource("nope", &Value::Null).has_errors());
    let plan = s
        .plan(
            "nope",
            Value::Null,
            Value::object::<&str>([]),
            Value::Null,
            vec![],
        )
        .await;
    assert!(plan.diags.has_errors());
}

#[tokio::test]
async fn operations_before_configure_fail_cleanly() {
    let s = Server::new(TestProvider);
    let cfg = config("a", "{}");
    let plan = s
        .plan("test_thing", Value::Null, cfg.clone(), cfg, vec![])
        .await;
    assert!(plan.diags.has_errors());
}
