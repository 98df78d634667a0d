//! The tfplugin5 `Provider` gRPC service: each RPC decodes its values with the schema's type,
//! calls the framework server, and encodes the answer. No provider logic lives here.

use std::sync::{Arc, OnceLock};

use tonic::{Request, Response, Status};

use crate::framework::resource::Provider;
use crate::framework::server::Server;
use crate::framework::{Diagnostics, Type};

use super::convert::{decode, diagnostics, encode, path, schema};
use super::proto;
use super::proto::provider_server::Provider as Rpc;

pub struct ProviderService<P: Provider> {
    server: Arc<Server<P>>,
    schema_response: OnceLock<proto::get_provider_schema::Response>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(server: Arc<Server<P>>) -> Self {
        ProviderService {
            server,
            schema_response: OnceLock::new(),
        }
    }

    fn resource_type(&self, name: &str) -> Result<Type, Diagnostics> {
        Ok(self.server.resource_schema(name)?.block.object_type())
    }
    fn data_source_type(&self, name: &str) -> Result<Type, Diagnostics> {
        Ok(self.server.data_source_schema(name)?.block.object_type())
    }
    fn provider_type(&self) -> Type {
        self.server.provider_schema().block.object_type()
    }
}

fn capabilities() -> proto::ServerCapabilities {
    proto::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: false,
    }
}

fn ok<T>(t: T) -> Result<Response<T>, Status> {
    Ok(Response::new(t))
}

#[tonic::async_trait]
impl<P: Provider> Rpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<proto::get_metadata::Request>,
    ) -> Result<Response<proto::get_metadata::Response>, Status> {
        use proto::get_metadata as m;
        ok(m::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .server
                .resource_schemas()
                .keys()
                .map(|k| m::ResourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            data_sources: self
                .server
                .data_source_schemas()
                .keys()
                .map(|k| m::DataSourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            ..Default::default()
        })
    }

    async fn get_schema(
        &self,
        _: Request<proto::get_provider_schema::Request>,
    ) -> Result<Response<proto::get_provider_schema::Response>, Status> {
        // Schemas are static: build the message once per process.
        let received_ms = crate::logging::since_start_ms();
        let started = std::time::Instant::now();
        let resp = self
            .schema_response
            .get_or_init(|| proto::get_provider_schema::Response {
                provider: Some(schema(&self.server.provider_schema())),
                resource_schemas: self
                    .server
                    .resource_schemas()
                    .iter()
                    .map(|(k, s)| (k.to_string(), schema(s)))
                    .collect(),
                data_source_schemas: self
                    .server
                    .data_source_schemas()
                    .iter()
                    .map(|(k, s)| (k.to_string(), schema(s)))
                    .collect(),
                server_capabilities: Some(capabilities()),
                ..Default::default()
            });
        let resp = resp.clone();
        log_trace!(
            "GetProviderSchema answered",
            "received_ms" = received_ms,
            "build_ms" = crate::logging::ms(started.elapsed()),
            "encoded_bytes" = prost::Message::encoded_len(&resp),
            "since_start_ms" = crate::logging::since_start_ms()
        );
        ok(resp)
    }

    async fn prepare_provider_config(
        &self,
        req: Request<proto::prepare_provider_config::Request>,
    ) -> Result<Response<proto::prepare_provider_config::Response>, Status> {
        let req = req.into_inner();
        let d = match decode(
            req.config.as_ref(),
            &self.provider_type(),
            "provider configuration",
        ) {
            Ok(config) => self.server.validate_provider(&config),
            Err(d) => d,
        };
        ok(proto::prepare_provider_config::Response {
            prepared_config: req.config,
            diagnostics: diagnostics(&d),
        })
    }

    async fn validate_resource_type_config(
        &self,
        req: Request<proto::validate_resource_type_config::Request>,
    ) -> Result<Response<proto::validate_resource_type_config::Response>, Status> {
        let req = req.into_inner();
        let d = self
            .resource_type(&req.type_name)
            .and_then(|t| decode(req.config.as_ref(), &t, "resource configuration"))
            .map(|config| self.server.validate_resource(&req.type_name, &config))
            .unwrap_or_else(|d| d);
        ok(proto::validate_resource_type_config::Response {
            diagnostics: diagnostics(&d),
        })
    }

    async fn validate_data_source_config(
        &self,
        req: Request<proto::validate_data_source_config::Request>,
    ) -> Result<Response<proto::validate_data_source_config::Response>, Status> {
        let req = req.into_inner();
        let d = self
            .data_source_type(&req.type_name)
            .and_then(|t| decode(req.config.as_ref(), &t, "data source configuration"))
            .map(|config| self.server.validate_data_source(&req.type_name, &config))
            .unwrap_or_else(|d| d);
        ok(proto::validate_data_source_config::Response {
            diagnostics: diagnostics(&d),
        })
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<proto::upgrade_resource_state::Request>,
    ) -> Result<Response<proto::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let result = (|| {
            let ty = self.resource_type(&req.type_name)?;
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() {
                let mut d = Diagnostics::new();
                d.error("Unsupported state format", "This state was written by Terraform before 0.12 (flatmap); refresh it with a current Terraform first.");
                return Err(d);
            }
            let json: serde_json::Value = serde_json::from_slice(&raw.json).map_err(|e| {
                let mut d = Diagnostics::new();
                d.error(
                    "Invalid stored state",
                    format!("{}: the state is not valid JSON: {e}", req.type_name),
                );
                d
            })?;
            let upgraded = self
                .server
                .upgrade_state(&req.type_name, req.version, json)?;
            let value = super::codec::decode_json(&upgraded, &ty).map_err(|e| {
                let mut d = Diagnostics::new();
                d.error("Invalid stored state", format!("{}: {e}", req.type_name));
                d
            })?;
            Ok(self
                .server
                .resource_schema(&req.type_name)?
                .block
                .conform(value))
        })();
        match result {
            Ok(v) => ok(proto::upgrade_resource_state::Response {
                upgraded_state: encode(&v),
                diagnostics: vec![],
            }),
            Err(d) => ok(proto::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: diagnostics(&d),
            }),
        }
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<proto::get_resource_identity_schemas::Request>,
    ) -> Result<Response<proto::get_resource_identity_schemas::Response>, Status> {
        ok(proto::get_resource_identity_schemas::Response::default())
    }

    async fn upgrade_resource_identity(
        &self,
        _: Request<proto::upgrade_resource_identity::Request>,
    ) -> Result<Response<proto::upgrade_resource_identity::Response>, Status> {
        Err(Status::unimplemented(
            "this provider declares no resource identities",
        ))
    }

    async fn configure(
        &self,
        req: Request<proto::configure::Request>,
    ) -> Result<Response<proto::configure::Response>, Status> {
        let req = req.into_inner();
        let d = match decode(
            req.config.as_ref(),
            &self.provider_type(),
            "provider configuration",
        ) {
            Ok(config) => self.server.configure(&config, &req.terraform_version).await,
            Err(d) => d,
        };
        ok(proto::configure::Response {
            diagnostics: diagnostics(&d),
        })
    }

    async fn read_resource(
        &self,
        req: Request<proto::read_resource::Request>,
    ) -> Result<Response<proto::read_resource::Response>, Status> {
        let req = req.into_inner();
        let current = match self
            .resource_type(&req.type_name)
            .and_then(|t| decode(req.current_state.as_ref(), &t, "current state"))
        {
            Ok(v) => v,
            Err(d) => {
                return ok(proto::read_resource::Response {
                    new_state: req.current_state,
                    private: req.private,
                    diagnostics: diagnostics(&d),
                    ..Default::default()
                })
            }
        };
        let (new_state, private, d) = self.server.read(&req.type_name, current, req.private).await;
        ok(proto::read_resource::Response {
            new_state: encode(&new_state),
            private,
            diagnostics: diagnostics(&d),
            ..Default::default()
        })
    }

    async fn plan_resource_change(
        &self,
        req: Request<proto::plan_resource_change::Request>,
    ) -> Result<Response<proto::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let decoded = self.resource_type(&req.type_name).and_then(|t| {
            Ok((
                decode(req.prior_state.as_ref(), &t, "prior state")?,
                decode(req.proposed_new_state.as_ref(), &t, "proposed new state")?,
                decode(req.config.as_ref(), &t, "configuration")?,
            ))
        });
        let (prior, proposed, config) = match decoded {
            Ok(x) => x,
            Err(d) => {
                return ok(proto::plan_resource_change::Response {
                    diagnostics: diagnostics(&d),
                    ..Default::default()
                })
            }
        };
        let out = self
            .server
            .plan(&req.type_name, prior, proposed, config, req.prior_private)
            .await;
        ok(proto::plan_resource_change::Response {
            planned_state: encode(&out.planned),
            requires_replace: out.requires_replace.iter().map(path).collect(),
            planned_private: out.private,
            diagnostics: diagnostics(&out.diags),
            ..Default::default()
        })
    }

    async fn apply_resource_change(
        &self,
        req: Request<proto::apply_resource_change::Request>,
    ) -> Result<Response<proto::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let decoded = self.resource_type(&req.type_name).and_then(|t| {
            Ok((
                decode(req.prior_state.as_ref(), &t, "prior state")?,
                decode(req.planned_state.as_ref(), &t, "planned state")?,
            ))
        });
        let (prior, planned) = match decoded {
            Ok(x) => x,
            Err(d) => {
                return ok(proto::apply_resource_change::Response {
                    new_state: req.prior_state,
                    diagnostics: diagnostics(&d),
                    ..Default::default()
                })
            }
        };
        let out = self
            .server
            .apply(&req.type_name, prior, planned, req.planned_private)
            .await;
        ok(proto::apply_resource_change::Response {
            new_state: encode(&out.new_state),
            private: out.private,
            diagnostics: diagnostics(&out.diags),
            ..Default::default()
        })
    }

    async fn import_resource_state(
        &self,
        req: Request<proto::import_resource_state::Request>,
    ) -> Result<Response<proto::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        match self.server.import(&req.type_name, &req.id).await {
            Ok(state) => ok(proto::import_resource_state::Response {
                imported_resources: vec![proto::import_resource_state::ImportedResource {
                    type_name: req.type_name,
                    state: encode(&state),
                    private: vec![],
                    identity: None,
                }],
                ..Default::default()
            }),
            Err(d) => ok(proto::import_resource_state::Response {
                diagnostics: diagnostics(&d),
                ..Default::default()
            }),
        }
    }

    async fn move_resource_state(
        &self,
        req: Request<proto::move_resource_state::Request>,
    ) -> Result<Response<proto::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        let result = (|| {
            let ty = self.resource_type(&req.target_type_name)?;
            let raw = req.source_state.unwrap_or_default();
            let invalid = |detail: String| {
                let mut d = Diagnostics::new();
                d.error("Invalid moved state", detail);
                d
            };
            if raw.json.is_empty() {
                return Err(invalid(format!(
                    "{}: the source state has no JSON attributes (flatmap state from before Terraform 0.12); refresh it with the original provider first.",
                    req.source_type_name
                )));
            }
            let json: serde_json::Value = serde_json::from_slice(&raw.json).map_err(|e| {
                invalid(format!(
                    "{}: the source state is not valid JSON: {e}",
                    req.source_type_name
                ))
            })?;
            let (mapped, warnings) = self.server.move_state(
                &req.source_provider_address,
                &req.source_type_name,
                req.source_schema_version,
                json,
                &req.target_type_name,
            )?;
            let value = super::codec::decode_json(&mapped, &ty).map_err(|e| {
                invalid(format!(
                    "{} cannot hold the state of {}: {e}",
                    req.target_type_name, req.source_type_name
                ))
            })?;
            let block = &self.server.resource_schema(&req.target_type_name)?.block;
            let mut value = block.conform(value);
            block.fill_defaults(&mut value);
            Ok((value, warnings))
        })();
        match result {
            Ok((v, warnings)) => ok(proto::move_resource_state::Response {
                target_state: encode(&v),
                diagnostics: diagnostics(&warnings),
                ..Default::default()
            }),
            Err(d) => ok(proto::move_resource_state::Response {
                diagnostics: diagnostics(&d),
                ..Default::default()
            }),
        }
    }

    async fn read_data_source(
        &self,
        req: Request<proto::read_data_source::Request>,
    ) -> Result<Response<proto::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let result = match self
            .data_source_type(&req.type_name)
            .and_then(|t| decode(req.config.as_ref(), &t, "data source configuration"))
        {
            Ok(config) => self.server.read_data_source(&req.type_name, config).await,
            Err(d) => Err(d),
        };
        match result {
            Ok(v) => ok(proto::read_data_source::Response {
                state: encode(&v),
                ..Default::default()
            }),
            Err(d) => ok(proto::read_data_source::Response {
                diagnostics: diagnostics(&d),
                ..Default::default()
            }),
        }
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<proto::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<proto::validate_ephemeral_resource_config::Response>, Status> {
        let mut d = Diagnostics::new();
        d.error(
            "Unknown ephemeral resource type",
            format!(
                "This provider has no ephemeral resource type {:?}.",
                req.into_inner().type_name
            ),
        );
        ok(proto::validate_ephemeral_resource_config::Response {
            diagnostics: diagnostics(&d),
        })
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<proto::open_ephemeral_resource::Request>,
    ) -> Result<Response<proto::open_ephemeral_resource::Response>, Status> {
        Err(Status::unimplemented(
            "this provider has no ephemeral resources",
        ))
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<proto::renew_ephemeral_resource::Request>,
    ) -> Result<Response<proto::renew_ephemeral_resource::Response>, Status> {
        Err(Status::unimplemented(
            "this provider has no ephemeral resources",
        ))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<proto::close_ephemeral_resource::Request>,
    ) -> Result<Response<proto::close_ephemeral_resource::Response>, Status> {
        Err(Status::unimplemented(
            "this provider has no ephemeral resources",
        ))
    }

    async fn get_functions(
        &self,
        _: Request<proto::get_functions::Request>,
    ) -> Result<Response<proto::get_functions::Response>, Status> {
        ok(proto::get_functions::Response::default())
    }

    async fn call_function(
        &self,
        req: Request<proto::call_function::Request>,
    ) -> Result<Response<proto::call_function::Response>, Status> {
        let name = req.into_inner().name;
        ok(proto::call_function::Response {
            result: None,
            error: Some(proto::FunctionError {
                text: format!("this provider has no function {name:?}"),
                function_argument: None,
            }),
        })
    }

    async fn stop(
        &self,
        _: Request<proto::stop::Request>,
    ) -> Result<Response<proto::stop::Response>, Status> {
        log_info!("stop requested: cancelling waits and retries");
        self.server.stop().await;
        ok(proto::stop::Response {
            error: String::new(),
        })
    }
}
