//! The protocol-independent provider server: routes each operation to its resource, applies the
//! schema's plan rules, reconciles results, and keeps Stop and configuration state. The tfplugin5
//! layer only translates wire messages to and from these calls.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::RwLock;

use super::diag::{AttrPath, Diagnostic, Diagnostics};
use super::moving::{dropped_warnings, map_twin_state};
use super::plan::{plan_object, reconcile, replace_paths, validate_object};
use super::resource::{ApplyError, Ctx, DataSource, Plan, PlanRequest, Provider, Resource};
use super::schema::Schema;
use super::stop::{InFlight, StopSource};
use super::value::Value;

pub struct PlanOutcome {
    pub planned: Value,
    pub requires_replace: Vec<AttrPath>,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

pub struct ApplyOutcome {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

pub struct Server<P: Provider> {
    provider: P,
    resources: BTreeMap<&'static str, Arc<dyn Resource<P::Client>>>,
    data_sources: BTreeMap<&'static str, Arc<dyn DataSource<P::Client>>>,
    schemas: BTreeMap<&'static str, Schema>,
    data_schemas: BTreeMap<&'static str, Schema>,
    client: RwLock<Option<Arc<P::Client>>>,
    stop: StopSource,
}

/// How long Stop waits for running operations to notice and return.
const STOP_GRACE: Duration = Duration::from_secs(20);

impl<P: Provider> Server<P> {
    pub fn new(provider: P) -> Self {
        let resources: BTreeMap<_, _> = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name(), r))
            .collect();
        let data_sources: BTreeMap<_, _> = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), d))
            .collect();
        let schemas = resources.iter().map(|(k, r)| (*k, r.schema())).collect();
        let data_schemas = data_sources.iter().map(|(k, d)| (*k, d.schema())).collect();
        Server {
            provider,
            resources,
            data_sources,
            schemas,
            data_schemas,
            client: RwLock::new(None),
            stop: StopSource::new(),
        }
    }

    pub fn provider_schema(&self) -> Schema {
        self.provider.schema()
    }
    pub fn resource_schemas(&self) -> &BTreeMap<&'static str, Schema> {
        &self.schemas
    }
    pub fn data_source_schemas(&self) -> &BTreeMap<&'static str, Schema> {
        &self.data_schemas
    }
    pub fn resource_schema(&self, type_name: &str) -> Result<&Schema, Diagnostics> {
        self.schemas
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }
    pub fn data_source_schema(&self, type_name: &str) -> Result<&Schema, Diagnostics> {
        self.data_schemas
            .get(type_name)
            .ok_or_else(|| unknown_type("data source", type_name))
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn Resource<P::Client>>, Diagnostics> {
        self.resources
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }

    /// Marks an operation in flight (for Stop) and returns the configured context.
    async fn ctx(&self) -> Result<(Ctx<P::Client>, InFlight), Diagnostics> {
        let guard = self.stop.enter();
        match self.client.read().await.clone() {
            Some(client) => Ok((
                Ctx {
                    client,
                    stop: self.stop.token(),
                },
                guard,
            )),
            None => {
                let mut d = Diagnostics::new();
                d.error("Provider not configured", "Terraform called the provider before configuring it; this is a bug in the caller.");
                Err(d)
            }
        }
    }

    pub fn validate_provider(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate_object(
            &self.provider.schema().block,
            config,
            &AttrPath::root(),
            &mut d,
        );
        self.provider.validate(config, &mut d);
        d
    }

    pub async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics {
        let _guard = self.stop.enter();
        let mut d = self.validate_provider(config);
        if d.has_errors() {
            return d;
        }
        match self
            .provider
            .configure(config, terraform_version, self.stop.token())
            .await
        {
            Ok(client) => *self.client.write().await = Some(Arc::new(client)),
            Err(e) => d.extend(e),
        }
        d
    }

    pub fn validate_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        let (r, schema) = match self
            .resource(type_name)
            .and_then(|r| Ok((r, self.resource_schema(type_name)?)))
        {
            Ok(x) => x,
            Err(d) => return d,
        };
        let mut d = Diagnostics::new();
        validate_object(&schema.block, config, &AttrPath::root(), &mut d);
        r.validate(config, &mut d);
        d
    }

    pub fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        let Some(ds) = self.data_sources.get(type_name) else {
            return unknown_type("data source", type_name);
        };
        let mut d = Diagnostics::new();
        validate_object(&ds.schema().block, config, &AttrPath::root(), &mut d);
        ds.validate(config, &mut d);
        d
    }

    /// Upgrades raw JSON state (already decoded leniently by the codec) to the current schema.
    pub fn upgrade_state(
        &self,
        type_name: &str,
        version: i64,
        raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        let r = self.resource(type_name)?;
        let schema = self.resource_schema(type_name)?;
        if version > schema.version {
            let mut d = Diagnostics::new();
            d.error(
                "Resource state from a newer provider",
                format!("{type_name} state has schema version {version}, this provider knows up to {}; upgrade the provider.", schema.version),
            );
            return Err(d);
        }
        if version < schema.version {
            return r.upgrade_state(version, raw);
        }
        Ok(raw)
    }

    /// MoveResourceState: turns the raw JSON state of `source_type` (a twin type of another
    /// provider) into our current schema's JSON. Warnings name dropped attributes that were set.
    pub fn move_state(
        &self,
        source_address: &str,
        source_type: &str,
        source_version: i64,
        raw: serde_json::Value,
        target_type: &str,
    ) -> Result<(serde_json::Value, Diagnostics), Diagnostics> {
        let r = self.resource(target_type)?;
        let schema = self.resource_schema(target_type)?;
        let Some(twins) = self.provider.twin_provider() else {
            return Err(move_refused(format!(
                "{target_type} cannot be moved from another resource type; import the object instead."
            )));
        };
        let expected = twins.twin_type(target_type).unwrap_or_default();
        if !twins.accepts_address(source_address) || source_type != expected {
            return Err(move_refused(format!(
                "{target_type} can only be moved from {expected} of {} (got {source_type} of {source_address}). \
                 For anything else, remove the old resource from state and import the object.",
                twins.addresses.join(" or "),
            )));
        }
        let info = r.twin_state();
        let mut diags = Diagnostics::new();
        if source_version > info.schema_version {
            return Err(move_refused(format!(
                "{source_type} state has schema version {source_version}, newer than version {} that {target_type} maps; \
                 a newer release of this provider may support it, or import the object instead.",
                info.schema_version
            )));
        }
        if source_version < info.schema_version {
            diags.warn(
                "Moved state is from an older schema",
                format!("{source_type} state has schema version {source_version}; {target_type} maps version {}. Check the plan before applying.", info.schema_version),
            );
        }
        let mut raw = raw;
        r.adapt_twin_state(source_version, &mut raw, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        let (mapped, dropped) = map_twin_state(&schema.block, &raw, &info);
        diags.extend(dropped_warnings(source_type, target_type, &dropped));
        let upgraded = self.upgrade_state(target_type, schema.version, mapped)?;
        Ok((upgraded, diags))
    }

    pub async fn read(
        &self,
        type_name: &str,
        current: Value,
        private: Vec<u8>,
    ) -> (Value, Vec<u8>, Diagnostics) {
        let (r, schema) = match self
            .resource(type_name)
            .and_then(|r| Ok((r.clone(), self.resource_schema(type_name)?.clone())))
        {
            Ok(x) => x,
            Err(d) => return (current, private, d),
        };
        let (ctx, _guard) = match self.ctx().await {
            Ok(x) => x,
            Err(d) => return (current, private, d),
        };
        match r.read(&ctx, &current).await {
            Ok(Some(new)) => {
                let mut out = reconcile(&schema.block, &current, new);
                schema.block.fill_defaults(&mut out);
                (out, private, Diagnostics::new())
            }
            Ok(None) => (Value::Null, Vec::new(), Diagnostics::new()),
            Err(d) => (current, private, d),
        }
    }

    pub async fn plan(
        &self,
        type_name: &str,
        prior: Value,
        proposed: Value,
        config: Value,
        prior_private: Vec<u8>,
    ) -> PlanOutcome {
        let mut out = PlanOutcome {
            planned: Value::Null,
            requires_replace: Vec::new(),
            private: prior_private,
            diags: Diagnostics::new(),
        };
        if proposed.is_null() {
            return out; // destroy: planned state is null
        }
        let (r, schema) = match self
            .resource(type_name)
            .and_then(|r| Ok((r.clone(), self.resource_schema(type_name)?.clone())))
        {
            Ok(x) => x,
            Err(d) => {
                out.diags = d;
                return out;
            }
        };
        let (ctx, _guard) = match self.ctx().await {
            Ok(x) => x,
            Err(d) => {
                out.diags = d;
                return out;
            }
        };
        let planned = plan_object(&schema.block, &prior, &proposed, &config);
        let mut plan = Plan {
            state: planned,
            requires_replace: Vec::new(),
        };
        r.modify_plan(
            &ctx,
            &PlanRequest {
                prior: &prior,
                config: &config,
            },
            &mut plan,
            &mut out.diags,
        )
        .await;
        let mut replace = replace_paths(&schema.block, &prior, &plan.state);
        for p in plan.requires_replace {
            if !replace.contains(&p) {
                replace.push(p);
            }
        }
        out.planned = schema.block.conform(plan.state);
        out.requires_replace = if prior.is_null() { Vec::new() } else { replace };
        out
    }

    pub async fn apply(
        &self,
        type_name: &str,
        prior: Value,
        planned: Value,
        private: Vec<u8>,
    ) -> ApplyOutcome {
        let mut out = ApplyOutcome {
            new_state: prior.clone(),
            private: private.clone(),
            diags: Diagnostics::new(),
        };
        let (r, schema) = match self
            .resource(type_name)
            .and_then(|r| Ok((r.clone(), self.resource_schema(type_name)?.clone())))
        {
            Ok(x) => x,
            Err(d) => {
                out.diags = d;
                return out;
            }
        };
        let (ctx, _guard) = match self.ctx().await {
            Ok(x) => x,
            Err(d) => {
                out.diags = d;
                return out;
            }
        };
        if planned.is_null() {
            match r.delete(&ctx, &prior).await {
                Ok(()) => out.new_state = Value::Null,
                Err(d) => out.diags = d,
            }
            return out;
        }
        let result = if prior.is_null() {
            r.create(&ctx, &planned).await
        } else {
            r.update(&ctx, &prior, &planned).await
        };
        match result {
            Ok(new) => {
                let new = reconcile(&schema.block, &planned, new);
                if !new.is_wholly_known() {
                    out.diags.push(Diagnostic::error(
                        "Provider left a value unknown after apply",
                        format!("{type_name}: an attribute planned as \"known after apply\" was not set. This is a provider bug; please report it."),
                    ));
                    out.new_state = strip_unknowns(new);
                } else {
                    out.new_state = new;
                }
            }
            Err(ApplyError {
                diags,
                partial_state,
            }) => {
                out.diags = diags;
                // Keep what exists: a partial state (tainted on create), else the prior state.
                out.new_state = match partial_state {
                    Some(s) => strip_unknowns(reconcile(&schema.block, &planned, s)),
                    None => prior,
                };
            }
        }
        out
    }

    pub async fn import(&self, type_name: &str, id: &str) -> Result<Value, Diagnostics> {
        let r = self.resource(type_name)?.clone();
        let schema = self.resource_schema(type_name)?.clone();
        let (ctx, _guard) = self.ctx().await?;
        let stub = r.import(&ctx, id).await?;
        let mut stub = schema.block.conform(stub);
        schema.block.fill_defaults(&mut stub);
        Ok(strip_unknowns(stub))
    }

    pub async fn read_data_source(
        &self,
        type_name: &str,
        config: Value,
    ) -> Result<Value, Diagnostics> {
        let Some(ds) = self.data_sources.get(type_name).cloned() else {
            return Err(unknown_type("data source", type_name));
        };
        let schema = self.data_source_schema(type_name)?.clone();
        let (ctx, _guard) = self.ctx().await?;
        let v = ds.read(&ctx, &config).await?;
        let mut v = schema.block.conform(v);
        schema.block.fill_defaults(&mut v);
        if !v.is_wholly_known() {
            let mut d = Diagnostics::new();
            d.error(
                "Provider left a value unknown",
                format!("{type_name} returned an unknown value; this is a provider bug."),
            );
            return Err(d);
        }
        Ok(v)
    }

    #[cfg(test)]
    pub async fn client_for_tests(&self) -> Arc<P::Client> {
        self.client.read().await.clone().expect("configured")
    }

    /// Stop: cancel waits and retries, then give running operations a moment to return.
    pub async fn stop(&self) {
        self.stop.stop(STOP_GRACE).await;
    }
}

fn move_refused(detail: String) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error("Unsupported move", detail);
    d
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(
        format!("Unknown {kind} type"),
        format!("This provider has no {kind} type {name:?}."),
    );
    d
}

/// Replaces unknowns with null; used only on error paths so a state can still be saved.
fn strip_unknowns(v: Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(strip_unknowns).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(strip_unknowns).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, strip_unknowns(v))).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, strip_unknowns(v))).collect())
        }
        other => other,
    }
}
