//! The typed API resources and data sources implement. Generic over the configured provider
//! client `C`, so this layer never names AWS.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::diag::{AttrPath, Diagnostics};
use super::moving::{TwinProvider, TwinState};
use super::schema::Schema;
use super::stop::StopToken;
use super::value::Value;

/// What every operation gets: the configured client and the Stop signal.
pub struct Ctx<C> {
    pub client: Arc<C>,
    pub stop: StopToken,
}

impl<C> Clone for Ctx<C> {
    fn clone(&self) -> Self {
        Ctx {
            client: self.client.clone(),
            stop: self.stop.clone(),
        }
    }
}

/// A failed apply. `partial_state` carries what was created before the failure, so Terraform keeps
/// tracking it (as tainted, for a create) instead of orphaning it.
#[derive(Debug)]
pub struct ApplyError {
    pub diags: Diagnostics,
    pub partial_state: Option<Value>,
}

impl ApplyError {
    pub fn with_state(diags: impl Into<Diagnostics>, state: Value) -> Self {
        ApplyError {
            diags: diags.into(),
            partial_state: Some(state),
        }
    }
}

impl From<Diagnostics> for ApplyError {
    fn from(diags: Diagnostics) -> Self {
        ApplyError {
            diags,
            partial_state: None,
        }
    }
}

impl From<super::diag::Diagnostic> for ApplyError {
    fn from(d: super::diag::Diagnostic) -> Self {
        ApplyError {
            diags: d.into(),
            partial_state: None,
        }
    }
}

pub type ApplyResult = Result<Value, ApplyError>;

/// The inputs of a plan, already passed through the schema rules.
pub struct PlanRequest<'a> {
    pub prior: &'a Value,
    pub config: &'a Value,
}

impl PlanRequest<'_> {
    pub fn is_create(&self) -> bool {
        self.prior.is_null()
    }
}

/// A plan under construction: the planned state and any extra replacement paths.
pub struct Plan {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

#[async_trait]
pub trait Resource<C: Send + Sync + 'static>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    /// Cross-attribute checks beyond what the schema declares. Values may be unknown.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Resource-specific planning after the schema rules (e.g. tags_all, values that a change
    /// recomputes). Also the place for checks that need the configured provider.
    async fn modify_plan(
        &self,
        _ctx: &Ctx<C>,
        _req: &PlanRequest<'_>,
        _plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
    }

    async fn create(&self, ctx: &Ctx<C>, planned: &Value) -> ApplyResult;
    /// Ok(None) when the object no longer exists (Terraform then plans to create it again).
    async fn read(&self, ctx: &Ctx<C>, state: &Value) -> Result<Option<Value>, Diagnostics>;
    async fn update(&self, ctx: &Ctx<C>, prior: &Value, planned: &Value) -> ApplyResult;
    async fn delete(&self, ctx: &Ctx<C>, prior: &Value) -> Result<(), Diagnostics>;

    /// Turns an import ID into a stub state that `read` can complete.
    async fn import(&self, _ctx: &Ctx<C>, _id: &str) -> Result<Value, Diagnostics> {
        let mut d = Diagnostics::new();
        d.error(
            "Import not supported",
            format!("{} does not support import", self.type_name()),
        );
        Err(d)
    }

    /// Rewrites raw JSON state written by an older schema version into the current one.
    fn upgrade_state(
        &self,
        _from_version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Ok(state)
    }

    /// How this resource takes state moved from its twin type (see [`Provider::twin_provider`]).
    fn twin_state(&self) -> TwinState {
        TwinState::default()
    }

    /// Resource-specific rewrites of a twin's raw state before the generic mapping, for values
    /// the twin stores in another shape or form than our read produces.
    fn adapt_twin_state(
        &self,
        _from_version: i64,
        _state: &mut serde_json::Value,
        _diags: &mut Diagnostics,
    ) {
    }
}

#[async_trait]
pub trait DataSource<C: Send + Sync + 'static>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Returns the whole object: configured arguments plus everything computed.
    async fn read(&self, ctx: &Ctx<C>, config: &Value) -> Result<Value, Diagnostics>;
}

/// The provider itself: its configuration schema and how a configuration becomes a client.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    type Client: Send + Sync + 'static;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
        stop: StopToken,
    ) -> Result<Self::Client, Diagnostics>;
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Client>>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Client>>>;
    /// The provider whose resource types are twins of ours, for cross-provider `moved` blocks.
    fn twin_provider(&self) -> Option<TwinProvider> {
        None
    }
}

/// Reads a `timeouts` block entry, falling back to `default`.
pub fn timeout(state: &Value, op: &str, default: Duration) -> Duration {
    state
        .get("timeouts")
        .str(op)
        .and_then(super::validators::parse_duration)
        .unwrap_or(default)
}
