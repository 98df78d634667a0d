//! The `provider "awsecs"` block (the same arguments as hashicorp/aws) and Configure: turn it into
//! an SDK configuration, prove the credentials work (STS GetCallerIdentity) and learn the account.
//!
//! Everything that can be wrong with the configuration is reported here, once, with the attribute
//! it is about, instead of surfacing as a confusing error at the first resource's API call. No
//! network IO happens before Configure.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::meta::region::ProvideRegion;
use aws_config::profile::{ProfileFileCredentialsProvider, ProfileFileRegionProvider};
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::{AppName, BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{
    error::CredentialsError, future, ProvideCredentials, SharedCredentialsProvider,
};
use aws_credential_types::Credentials;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};

use super::clients::{AwsClients, CallerIdentity, Endpoints, SERVICES};
use super::errors;
use super::tags::Tags;
use crate::framework::{
    validators, AttrPath, Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Schema,
    StopToken, Value,
};

/// An environment lookup (the process environment, or a table in tests).
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Send + Sync);

/// hashicorp/aws's default `max_retries`.
pub const DEFAULT_MAX_RETRIES: u32 = 25;
/// Upper bound for `max_retries`: with the SDK's 20s backoff cap, 100 retries is already ~30 min.
pub const MAX_MAX_RETRIES: i64 = 100;
/// The SDK's backoff before retry n (1-based) is a random part of `initial * 2^(n-1)`, capped.
/// Set explicitly so [`worst_case_call_duration`] computes from the values actually used.
pub const RETRY_INITIAL_BACKOFF: Duration = Duration::from_secs(1);
pub const RETRY_MAX_BACKOFF: Duration = Duration::from_secs(20);
/// One attempt that gets no complete answer in this long is abandoned (and retried), so an
/// endpoint that accepts connections but never answers cannot hang a run. Control-plane calls
/// answer in seconds; long operations are polled, never one long call.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// Attempts of the credentials check at Configure: enough to ride out throttling, few enough
/// that a wrong endpoint fails in seconds (never more than the configured attempts).
pub const IDENTITY_CHECK_ATTEMPTS: u32 = 5;

/// The retry policy of every client: standard mode, `max_attempts` in all, the backoff above.
pub fn retry_config(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(RETRY_INITIAL_BACKOFF)
        .with_max_backoff(RETRY_MAX_BACKOFF)
}

/// The timeouts of every client: the SDK's connect timeout plus [`ATTEMPT_TIMEOUT`].
pub fn timeout_config() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(3100))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}

/// One HTTPS client for every SDK client and credential provider of a configured provider.
/// Without it each service client builds its own default client on first use: its own connector
/// pool and its own copy of the system's trusted roots (memory, and a certificate load on the
/// first call to each service). Built as the SDK builds its default: rustls with aws-lc, proxy
/// settings (HTTPS_PROXY, NO_PROXY) from the environment, one connector per timeout setting.
fn shared_https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::{proxy::ProxyConfig, tls, Builder, Connector};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = Connector::builder().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The longest one API call can take before the provider reports its error: every attempt
/// running into [`ATTEMPT_TIMEOUT`], plus the longest backoff before each retry. This is the
/// retry budget: a broken endpoint costs at most this per call, never an endless run.
pub fn worst_case_call_duration(max_attempts: u32) -> Duration {
    let backoff: Duration = (1..max_attempts.max(1))
        .map(|retry| {
            RETRY_INITIAL_BACKOFF
                .saturating_mul(1u32 << (retry - 1).min(20))
                .min(RETRY_MAX_BACKOFF)
        })
        .sum();
    ATTEMPT_TIMEOUT.saturating_mul(max_attempts.max(1)) + backoff
}

pub fn schema() -> Schema {
    let endpoints = SERVICES.iter().fold(Block::new(), |b, s| {
        b.attr(
            Attribute::string(s.key)
                .optional()
                .desc(&format!("Custom endpoint URL for {}.", s.name)),
        )
    });
    let assume_role = Block::new()
        .attr(
            Attribute::string("role_arn")
                .optional()
                .validate(validators::arn())
                .desc("ARN of the IAM role to assume."),
        )
        .attr(
            Attribute::string("session_name")
                .optional()
                .validate(validators::length(2, 64))
                .desc("Session name for the assumed role."),
        )
        .attr(
            Attribute::string("external_id")
                .optional()
                .validate(validators::length(2, 1224))
                .desc("External ID required by the role's trust policy."),
        )
        .attr(
            Attribute::string("duration")
                .optional()
                .validate(validators::duration())
                .desc("Session duration, e.g. \"1h\" (15m to 12h)."),
        );
    let block = Block::new()
        .attr(Attribute::string("region").optional().desc("AWS region; else `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's region."))
        .attr(Attribute::string("profile").optional().desc("Named profile in the shared configuration files."))
        .attr(Attribute::string_list("shared_config_files").optional().desc("Shared config files to use instead of `~/.aws/config`."))
        .attr(Attribute::string_list("shared_credentials_files").optional().desc("Shared credentials files to use instead of `~/.aws/credentials`."))
        .attr(Attribute::string("access_key").optional().sensitive().desc("Static access key ID."))
        .attr(Attribute::string("secret_key").optional().sensitive().desc("Static secret access key."))
        .attr(Attribute::string("token").optional().sensitive().desc("Session token for temporary static credentials."))
        .attr(
            Attribute::number("max_retries")
                .optional()
                .validate(validators::int_between(0, MAX_MAX_RETRIES))
                .desc("How many times a throttled or transiently failing API call is retried (default 25)."),
        )
        .attr(Attribute::bool("skip_credentials_validation").optional().desc("Do not check the credentials with STS `GetCallerIdentity`."))
        .attr(Attribute::bool("skip_requesting_account_id").optional().desc("Do not look up the account ID (ARNs needing it cannot be built)."))
        .block(NestedBlock::list("assume_role", assume_role).desc("Assume this IAM role with the credentials found, and use the role's credentials for every call.").max(1))
        .block(NestedBlock::list("endpoints", endpoints).desc("Custom endpoint URLs per service (e.g. a local emulator); `AWS_ENDPOINT_URL_<SERVICE>` also works.").max(1))
        .block(NestedBlock::list("default_tags", Block::new().attr(Attribute::string_map("tags").optional().desc("Tags added to every taggable resource."))).desc("Tags applied to every resource that supports tags; a resource's own tags win on conflict.").max(1));
    Schema::new(block).desc("Configuration of the awsecs provider.")
}

#[derive(Clone, Debug, PartialEq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
}

/// The provider configuration, checked and typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub assume_role: Option<AssumeRole>,
    /// Explicitly configured endpoints, by service key.
    pub endpoints: BTreeMap<String, String>,
    pub max_retries: Option<u32>,
    /// None when the default tags are not known yet (plan-time provider config with unknowns).
    pub default_tags: Option<Tags>,
    pub skip_credentials_validation: bool,
    pub skip_requesting_account_id: bool,
}

impl Settings {
    pub fn from_config(config: &Value) -> Result<Settings, Diagnostics> {
        let mut d = Diagnostics::new();
        let mut known_str = |v: &Value, path: AttrPath| -> Option<String> {
            if v.is_unknown() {
                d.push(Diagnostic::error("Provider configuration value not known", "This value must be known when the provider is configured; it cannot depend on a resource created in the same run.").at(path));
                return None;
            }
            v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
        };
        let region = known_str(config.get("region"), AttrPath::attr("region"));
        let profile = known_str(config.get("profile"), AttrPath::attr("profile"));
        let access_key = known_str(config.get("access_key"), AttrPath::attr("access_key"));
        let secret_key = known_str(config.get("secret_key"), AttrPath::attr("secret_key"));
        let token = known_str(config.get("token"), AttrPath::attr("token"));
        let assume_role = match config.block("assume_role") {
            Some(ar) => {
                let path = AttrPath::attr("assume_role").index(0);
                let role_arn = known_str(ar.get("role_arn"), path.then("role_arn"));
                let session_name = known_str(ar.get("session_name"), path.then("session_name"));
                let external_id = known_str(ar.get("external_id"), path.then("external_id"));
                let duration = known_str(ar.get("duration"), path.then("duration"))
                    .and_then(|s| validators::parse_duration(&s));
                role_arn.map(|role_arn| AssumeRole {
                    role_arn,
                    session_name,
                    external_id,
                    duration,
                })
            }
            None => None,
        };
        let mut endpoints = BTreeMap::new();
        if let Some(ep) = config.block("endpoints") {
            for s in SERVICES {
                let path = AttrPath::attr("endpoints").index(0).then(s.key);
                if let Some(url) = known_str(ep.get(s.key), path.clone()) {
                    endpoints.insert(s.key.to_string(), url);
                }
            }
        }
        let shared_config_files = config.strings("shared_config_files");
        let shared_credentials_files = config.strings("shared_credentials_files");
        let max_retries = config
            .i64("max_retries")
            .map(|n| n.clamp(0, MAX_MAX_RETRIES) as u32);
        let default_tags = match config.block("default_tags").map(|b| b.get("tags")) {
            None | Some(Value::Null) => Some(Tags::new()),
            Some(t) if !t.is_wholly_known() => None,
            Some(t) => Some(
                t.entries()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect(),
            ),
        };

        match (&access_key, &secret_key) {
            (Some(_), None) => d.invalid(
                AttrPath::attr("secret_key"),
                "secret_key is required when access_key is set",
            ),
            (None, Some(_)) => d.invalid(
                AttrPath::attr("access_key"),
                "access_key is required when secret_key is set",
            ),
            _ => {}
        }
        if token.is_some() && access_key.is_none() {
            d.invalid(
                AttrPath::attr("token"),
                "token is only used together with access_key and secret_key",
            );
        }
        if let Some(ar) = config.block("assume_role") {
            if ar.get("role_arn").is_null() {
                d.invalid(
                    AttrPath::attr("assume_role").index(0).then("role_arn"),
                    "role_arn is required in an assume_role block",
                );
            }
        }
        if let Some(dur) = assume_role.as_ref().and_then(|a| a.duration) {
            if !(Duration::from_secs(900)..=Duration::from_secs(43200)).contains(&dur) {
                d.invalid(
                    AttrPath::attr("assume_role").index(0).then("duration"),
                    "duration must be between 15m and 12h",
                );
            }
        }
        for (key, url) in &endpoints {
            if !is_http_url(url) {
                d.invalid(AttrPath::attr("endpoints").index(0).then(key), format!("{url:?} is not a URL; expected e.g. \"https://iam.example.com\" or \"http://localhost:4566\""));
            }
        }
        if d.has_errors() {
            return Err(d);
        }
        Ok(Settings {
            region,
            profile,
            shared_config_files,
            shared_credentials_files,
            access_key,
            secret_key,
            token,
            assume_role,
            endpoints,
            max_retries,
            default_tags,
            skip_credentials_validation: config
                .bool("skip_credentials_validation")
                .unwrap_or(false),
            skip_requesting_account_id: config.bool("skip_requesting_account_id").unwrap_or(false),
        })
    }

    /// SDK attempts per call: the first try plus `max_retries` (else AWS_MAX_ATTEMPTS, else 25 retries).
    pub fn max_attempts(&self, env: Env<'_>) -> u32 {
        match self.max_retries {
            Some(n) => n + 1,
            None => env("AWS_MAX_ATTEMPTS")
                .and_then(|s| s.trim().parse::<u32>().ok())
                .filter(|n| *n >= 1)
                .map(|n| n.min(MAX_MAX_RETRIES as u32 + 1))
                .unwrap_or(DEFAULT_MAX_RETRIES + 1),
        }
    }

    fn profile_files(&self) -> Option<ProfileFiles> {
        if self.shared_config_files.is_empty() && self.shared_credentials_files.is_empty() {
            return None;
        }
        let mut b = ProfileFiles::builder();
        if !self.shared_config_files.is_empty() {
            b = b.include_default_config_file(false);
        } else {
            b = b.include_default_config_file(true);
        }
        if !self.shared_credentials_files.is_empty() {
            b = b.include_default_credentials_file(false);
        } else {
            b = b.include_default_credentials_file(true);
        }
        for f in &self.shared_config_files {
            b = b.with_file(ProfileFileKind::Config, expand_home(f));
        }
        for f in &self.shared_credentials_files {
            b = b.with_file(ProfileFileKind::Credentials, expand_home(f));
        }
        Some(b.build())
    }
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

fn expand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => p.to_string(),
    }
}

/// The endpoint for a service: explicit `endpoints` wins, then `AWS_ENDPOINT_URL_<SERVICE>`, then
/// `AWS_ENDPOINT_URL` (both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`). None means
/// the SDK's own resolution (shared config `endpoint_url`, then the AWS default).
pub fn resolve_endpoint(
    key: &str,
    env_suffix: &str,
    explicit: &BTreeMap<String, String>,
    env: Env<'_>,
) -> Option<String> {
    if let Some(url) = explicit.get(key) {
        return Some(url.clone());
    }
    let nonempty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if nonempty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return None;
    }
    nonempty(&format!("AWS_ENDPOINT_URL_{env_suffix}")).or_else(|| nonempty("AWS_ENDPOINT_URL"))
}

/// Every service's endpoint, resolved once at Configure.
pub fn resolve_endpoints(settings: &Settings, env: Env<'_>) -> Endpoints {
    SERVICES
        .iter()
        .filter_map(|s| {
            resolve_endpoint(s.key, s.env_suffix, &settings.endpoints, env)
                .map(|u| (s.key.to_string(), u))
        })
        .collect()
}

/// The partition of a region, as used in ARNs.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

fn process_env(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

/// Configure: settings → SDK config → checked credentials → the client set.
pub async fn configure(
    config: &Value,
    terraform_version: &str,
    stop: StopToken,
) -> Result<AwsClients, Diagnostics> {
    let settings = Settings::from_config(config)?;
    let env = process_env;
    let region = resolve_region(&settings, &env).await?;
    let endpoints = resolve_endpoints(&settings, &env);

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.clone()))
        .retry_config(retry_config(settings.max_attempts(&env)))
        .timeout_config(timeout_config())
        .http_client(shared_https_client());
    if let Ok(app) = AppName::new("terraform-provider-awsecs") {
        loader = loader.app_name(app);
    }
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(files) = settings.profile_files() {
        loader = loader.profile_files(files);
    }
    if let (Some(ak), Some(sk)) = (&settings.access_key, &settings.secret_key) {
        loader = loader.credentials_provider(Credentials::new(
            ak,
            sk,
            settings.token.clone(),
            None,
            "provider configuration",
        ));
    } else if let Some(p) = &settings.profile {
        // An explicitly named profile beats AWS_ACCESS_KEY_ID & co. in the environment, as in
        // hashicorp/aws (the SDK's default chain would try the environment first).
        let pc = ProviderConfig::without_region()
            .with_region(Some(Region::new(region.clone())))
            .with_behavior_version(Some(BehaviorVersion::latest()));
        let mut b = ProfileFileCredentialsProvider::builder()
            .configure(&pc)
            .profile_name(p);
        if let Some(files) = settings.profile_files() {
            b = b.profile_files(files);
        }
        loader = loader.credentials_provider(b.build());
    }
    let mut sdk = loader.load().await;
    if let Some(ar) = &settings.assume_role {
        let sts = sts_client(
            &sdk,
            &endpoints,
            IDENTITY_CHECK_ATTEMPTS.min(settings.max_attempts(&env)),
        );
        let provider = AssumeRoleCredentials {
            sts,
            role: ar.clone(),
        };
        sdk = sdk
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
    }
    log_debug!(
        "configuring AWS",
        "region" = region,
        "terraform" = terraform_version
    );

    check_credentials(&settings, &sdk, &stop).await?;

    let mut identity = None;
    if !settings.skip_credentials_validation || !settings.skip_requesting_account_id {
        identity = Some(caller_identity(&settings, &sdk, &endpoints, &stop, &env).await?);
    }
    let partition = identity
        .as_ref()
        .and_then(|i| {
            i.arn
                .split(':')
                .nth(1)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
        })
        .unwrap_or_else(|| partition_of(&region).to_string());
    Ok(AwsClients::new(
        sdk,
        endpoints,
        region,
        partition,
        settings.default_tags.clone(),
        identity,
    ))
}

/// Region: `region`, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's region. Never
/// instance metadata: a missing region should fail fast with a clear message.
async fn resolve_region(settings: &Settings, env: Env<'_>) -> Result<String, Diagnostics> {
    if let Some(r) = &settings.region {
        return Ok(r.clone());
    }
    for k in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(r) = env(k).filter(|r| !r.trim().is_empty()) {
            return Ok(r.trim().to_string());
        }
    }
    let mut b = ProfileFileRegionProvider::builder();
    if let Some(p) = &settings.profile {
        b = b.profile_name(p);
    }
    if let Some(files) = settings.profile_files() {
        b = b.profile_files(files);
    }
    if let Some(r) = b.build().region().await {
        return Ok(r.to_string());
    }
    Err(Diagnostic::error(
        "No AWS region configured",
        "Set `region` in the provider block, the AWS_REGION (or AWS_DEFAULT_REGION) environment variable, or `region` in the shared config profile.",
    )
    .at(AttrPath::attr("region"))
    .into())
}

/// The attribute a credentials problem most likely comes from.
fn credentials_path(settings: &Settings) -> Option<AttrPath> {
    if settings.assume_role.is_some() {
        Some(AttrPath::attr("assume_role").index(0).then("role_arn"))
    } else if settings.access_key.is_some() {
        Some(AttrPath::attr("access_key"))
    } else if settings.profile.is_some() {
        Some(AttrPath::attr("profile"))
    } else {
        None
    }
}

async fn check_credentials(
    settings: &Settings,
    sdk: &SdkConfig,
    stop: &StopToken,
) -> Result<(), Diagnostics> {
    let Some(provider) = sdk.credentials_provider() else {
        return Err(Diagnostic::error(
            "No valid credential sources found",
            "The AWS SDK has no credentials provider configured.",
        )
        .into());
    };
    let result = tokio::select! {
        r = provider.provide_credentials() => r,
        _ = stop.stopped() => return Err(Diagnostic::error("Provider configuration interrupted", "Terraform asked the provider to stop while it was loading AWS credentials.").into()),
    };
    let Err(e) = result else { return Ok(()) };
    let (summary, hint) = if settings.assume_role.is_some() {
        ("Cannot assume IAM role", "Check assume_role.role_arn, the role's trust policy, and the base credentials used to assume it.")
    } else {
        ("No valid credential sources found", "Configure credentials with access_key/secret_key, a profile, the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables, or the shared credentials file.")
    };
    let mut diag = Diagnostic::error(summary, format!("{}. {hint}", errors::chain(&e)));
    if let Some(p) = credentials_path(settings) {
        diag = diag.at(p);
    }
    Err(diag.into())
}

async fn caller_identity(
    settings: &Settings,
    sdk: &SdkConfig,
    endpoints: &Endpoints,
    stop: &StopToken,
    env: Env<'_>,
) -> Result<CallerIdentity, Diagnostics> {
    // Few attempts: a wrong endpoint or bad keys should fail in seconds, not after 25 retries.
    let attempts = IDENTITY_CHECK_ATTEMPTS.min(settings.max_attempts(env));
    let sts = sts_client(sdk, endpoints, attempts);
    let result = tokio::select! {
        r = sts.get_caller_identity().send() => r,
        _ = stop.stopped() => return Err(Diagnostic::error("Provider configuration interrupted", "Terraform asked the provider to stop while it was validating AWS credentials.").into()),
    };
    match result {
        Ok(out) => Ok(CallerIdentity {
            account_id: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        }),
        Err(e) => {
            let what = if settings.skip_credentials_validation {
                "retrieving the AWS account ID"
            } else {
                "validating provider credentials"
            };
            let mut diag = Diagnostic::error(
                "Invalid AWS provider configuration",
                format!(
                    "{what}: calling sts:GetCallerIdentity: {}. Check the credentials, the region and any custom sts endpoint; set skip_credentials_validation and skip_requesting_account_id to skip this call.",
                    errors::describe(&e)
                ),
            );
            // AWS rejected the call: the credentials. No answer at all: the endpoint, if custom.
            let answered = errors::error_code(&e).is_some()
                || matches!(e, aws_sdk_sts::error::SdkError::ServiceError(_));
            let path = if answered {
                credentials_path(settings)
            } else if settings.endpoints.contains_key("sts") {
                Some(AttrPath::attr("endpoints").index(0).then("sts"))
            } else {
                None
            };
            if let Some(p) = path {
                diag = diag.at(p);
            }
            Err(diag.into())
        }
    }
}

fn sts_client(sdk: &SdkConfig, endpoints: &Endpoints, attempts: u32) -> aws_sdk_sts::Client {
    let mut b = aws_sdk_sts::config::Builder::from(sdk)
        .retry_config(retry_config(attempts))
        .interceptor(super::call_log::CallLog);
    if let Some(url) = endpoints.get("sts") {
        b = b.endpoint_url(url);
    }
    aws_sdk_sts::Client::from_conf(b.build())
}

/// Credentials from sts:AssumeRole, refreshed by the SDK's identity cache before they expire. Our
/// own provider (rather than aws-config's) so the `endpoints.sts` override applies to it too.
#[derive(Debug)]
struct AssumeRoleCredentials {
    sts: aws_sdk_sts::Client,
    role: AssumeRole,
}

impl AssumeRoleCredentials {
    async fn assume(&self) -> Result<Credentials, CredentialsError> {
        let session = self.role.session_name.clone().unwrap_or_else(|| {
            let ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default();
            format!("terraform-provider-awsecs-{ms}")
        });
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role.role_arn)
            .role_session_name(session)
            .set_external_id(self.role.external_id.clone())
            .set_duration_seconds(
                self.role
                    .duration
                    .map(|d| d.as_secs().min(i32::MAX as u64) as i32),
            )
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(format!(
                    "sts:AssumeRole {}: {}",
                    self.role.role_arn,
                    errors::describe(&e)
                ))
            })?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::provider_error("sts:AssumeRole returned no credentials")
        })?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "AssumeRole",
        ))
    }
}

impl ProvideCredentials for AssumeRoleCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.assume())
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
