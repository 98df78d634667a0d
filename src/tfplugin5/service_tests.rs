//! The MoveResourceState RPC against a minimal provider: the raw JSON goes through the
//! framework's twin mapping and comes back as msgpack of our schema, with its warnings; refused
//! and undecodable sources come back as error diagnostics, never as a state.

use std::sync::Arc;

use async_trait::async_trait;
use tonic::Request;

use crate::framework::server::Server;
use crate::framework::{
    ApplyResult, Attribute, Block, Ctx, DataSource, Diagnostics, Provider, Resource, Schema,
    StopToken, TwinProvider, Value,
};

use super::convert::decode;
use super::proto;
use super::proto::provider_server::Provider as Rpc;
use super::service::ProviderService;

struct Thing;

#[async_trait]
impl Resource<()> for Thing {
    fn type_name(&self) -> &'static str {
        "mine_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attr(Attribute::string("id").computed())
                .attr(Attribute::string("name").required())
                .attr(Attribute::string("path").default("/")),
        )
    }
    async fn create(&self, _: &Ctx<()>, planned: &Value) -> ApplyResult {
        Ok(planned.clone())
    }
    async fn read(&self, _: &Ctx<()>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        Ok(Some(state.clone()))
    }
    async fn update(&self, _: &Ctx<()>, _: &Value, planned: &Value) -> ApplyResult {
        Ok(planned.clone())
    }
    async fn delete(&self, _: &Ctx<()>, _: &Value) -> Result<(), Diagnostics> {
        Ok(())
    }
}

struct Mine;

#[async_trait]
impl Provider for Mine {
    type Client = ();
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _: &Value, _: &str, _: StopToken) -> Result<(), Diagnostics> {
        Ok(())
    }
    fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        vec![]
    }
    fn twin_provider(&self) -> Option<TwinProvider> {
        Some(TwinProvider {
            addresses: vec!["registry.terraform.io/acme/cloud"],
            twin_prefix: "cloud_",
            own_prefix: "mine_",
        })
    }
}

fn request(address: &str, json: &str) -> proto::move_resource_state::Request {
    proto::move_resource_state::Request {
        source_provider_address: address.into(),
        source_type_name: "cloud_thing".into(),
        source_schema_version: 0,
        source_state: Some(proto::RawState {
            json: json.as_bytes().to_vec(),
            ..Default::default()
        }),
        target_type_name: "mine_thing".into(),
        ..Default::default()
    }
}

async fn call(req: proto::move_resource_state::Request) -> proto::move_resource_state::Response {
    let svc = ProviderService::new(Arc::new(Server::new(Mine)));
    svc.move_resource_state(Request::new(req))
        .await
        .expect("the RPC answers with diagnostics, not a status")
        .into_inner()
}

#[tokio::test]
async fn a_twin_state_comes_back_in_our_schema_with_defaults_and_warnings() {
    let resp = call(request(
        "registry.terraform.io/acme/cloud",
        r#"{"id": "t1", "name": "t1", "path": null, "colour": "red"}"#,
    ))
    .await;
    let ty = Thing.schema().block.object_type();
    let state = decode(resp.target_state.as_ref(), &ty, "moved state").unwrap();
    assert_eq!(state.str("name"), Some("t1"));
    assert_eq!(state.str("path"), Some("/"), "defaults are filled");
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    assert_eq!(resp.diagnostics[0].severity, 2, "a warning");
    assert!(resp.diagnostics[0].detail.contains("cloud_thing.colour"));
}

#[tokio::test]
async fn refused_or_unreadable_sources_return_errors_and_no_state() {
    let other = call(request(
        "registry.terraform.io/acme/other",
        r#"{"name": "t"}"#,
    ))
    .await;
    let flatmap = call(proto::move_resource_state::Request {
        source_state: Some(proto::RawState {
            flatmap: [("name".to_string(), "t".to_string())].into(),
            ..Default::default()
        }),
        ..request("registry.terraform.io/acme/cloud", "")
    })
    .await;
    let not_json = call(request("registry.terraform.io/acme/cloud", "{")).await;
    let wrong_shape = call(request(
        "registry.terraform.io/acme/cloud",
        r#"{"name": ["a"]}"#,
    ))
    .await;
    for (resp, want) in [
        (other, "can only be moved from cloud_thing"),
        (flatmap, "flatmap"),
        (not_json, "not valid JSON"),
        (
            wrong_shape,
            "mine_thing cannot hold the state of cloud_thing",
        ),
    ] {
        assert!(resp.target_state.is_none(), "{want}");
        assert_eq!(resp.diagnostics.len(), 1, "{want}: {:?}", resp.diagnostics);
        assert_eq!(resp.diagnostics[0].severity, 1, "an error");
        assert!(
            resp.diagnostics[0].detail.contains(want),
            "{want}: {:?}",
            resp.diagnostics[0]
        );
    }
}
