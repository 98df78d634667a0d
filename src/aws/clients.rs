//! The configured client set handed to every resource: who we are (account, partition), where
//! (region), the provider's default tags, and SDK clients built on first use — a plan touching
//! only IAM never pays for constructing the others.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use aws_config::{Region, SdkConfig};

use super::call_log::CallLog;
use super::tags::Tags;
use crate::framework::Value;

/// Resolved endpoint URL per service key (`iam`, `ecr`, ...).
pub type Endpoints = BTreeMap<String, String>;

/// A service the `endpoints` block can redirect: its key there, its name, and the suffix of its
/// `AWS_ENDPOINT_URL_<SUFFIX>` variable (the SDK's service ID, upper-cased, `_` for spaces).
#[derive(Clone, Copy, Debug)]
pub struct Service {
    pub key: &'static str,
    pub name: &'static str,
    pub env_suffix: &'static str,
}

pub const SERVICES: &[Service] = &[
    Service {
        key: "autoscaling",
        name: "Auto Scaling",
        env_suffix: "AUTO_SCALING",
    },
    Service {
        key: "cloudwatchlogs",
        name: "CloudWatch Logs",
        env_suffix: "CLOUDWATCH_LOGS",
    },
    Service {
        key: "ec2",
        name: "EC2",
        env_suffix: "EC2",
    },
    Service {
        key: "ecr",
        name: "ECR",
        env_suffix: "ECR",
    },
    Service {
        key: "ecs",
        name: "ECS",
        env_suffix: "ECS",
    },
    Service {
        key: "elbv2",
        name: "Elastic Load Balancing v2",
        env_suffix: "ELASTIC_LOAD_BALANCING_V2",
    },
    Service {
        key: "iam",
        name: "IAM",
        env_suffix: "IAM",
    },
    Service {
        key: "servicediscovery",
        name: "Cloud Map (ServiceDiscovery)",
        env_suffix: "SERVICEDISCOVERY",
    },
    Service {
        key: "ssm",
        name: "SSM",
        env_suffix: "SSM",
    },
    Service {
        key: "sts",
        name: "STS",
        env_suffix: "STS",
    },
];

/// What STS GetCallerIdentity said at Configure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
}

/// A client for one service, built from the SDK config on first use, honouring the resolved
/// endpoint, logging each call ([`CallLog`]). To add a service: a `OnceLock` field in [`ClientSet`] and one line here.
macro_rules! lazy_client {
    ($(#[$doc:meta])* $field:ident, $krate:ident, $key:literal) => {
        $(#[$doc])*
        pub fn $field(&self) -> &$krate::Client {
            self.$field.get_or_init(|| {
                let mut b = $krate::config::Builder::from(&self.sdk).interceptor(CallLog);
                if let Some(url) = self.endpoints.get($key) {
                    b = b.endpoint_url(url);
                }
                $krate::Client::from_conf(b.build())
            })
        }
    };
}

/// The SDK clients of one region.
pub struct ClientSet {
    region: String,
    sdk: SdkConfig,
    endpoints: Arc<Endpoints>,
    iam: OnceLock<aws_sdk_iam::Client>,
    ecr: OnceLock<aws_sdk_ecr::Client>,
    sts: OnceLock<aws_sdk_sts::Client>,
    ec2: OnceLock<aws_sdk_ec2::Client>,
    autoscaling: OnceLock<aws_sdk_autoscaling::Client>,
    ecs: OnceLock<aws_sdk_ecs::Client>,
    servicediscovery: OnceLock<aws_sdk_servicediscovery::Client>,
    ssm: OnceLock<aws_sdk_ssm::Client>,
    elbv2: OnceLock<aws_sdk_elasticloadbalancingv2::Client>,
    logs: OnceLock<aws_sdk_cloudwatchlogs::Client>,
}

impl ClientSet {
    fn new(region: String, sdk: SdkConfig, endpoints: Arc<Endpoints>) -> Self {
        ClientSet {
            region,
            sdk,
            endpoints,
            iam: OnceLock::new(),
            ecr: OnceLock::new(),
            sts: OnceLock::new(),
            ec2: OnceLock::new(),
            autoscaling: OnceLock::new(),
            ecs: OnceLock::new(),
            servicediscovery: OnceLock::new(),
            ssm: OnceLock::new(),
            elbv2: OnceLock::new(),
            logs: OnceLock::new(),
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    lazy_client!(iam, aws_sdk_iam, "iam");
    lazy_client!(ecr, aws_sdk_ecr, "ecr");
    lazy_client!(sts, aws_sdk_sts, "sts");
    lazy_client!(ec2, aws_sdk_ec2, "ec2");
    lazy_client!(autoscaling, aws_sdk_autoscaling, "autoscaling");
    lazy_client!(ecs, aws_sdk_ecs, "ecs");
    lazy_client!(
        servicediscovery,
        aws_sdk_servicediscovery,
        "servicediscovery"
    );
    lazy_client!(ssm, aws_sdk_ssm, "ssm");
    lazy_client!(elbv2, aws_sdk_elasticloadbalancingv2, "elbv2");
    lazy_client!(logs, aws_sdk_cloudwatchlogs, "cloudwatchlogs");
}

/// The configured provider: identity, default tags and per-region client sets.
pub struct AwsClients {
    account_id: String,
    partition: String,
    default_tags: Option<Tags>,
    identity: Option<CallerIdentity>,
    home: Arc<ClientSet>,
    /// Client sets for resources whose `region` argument names another region.
    others: Mutex<BTreeMap<String, Arc<ClientSet>>>,
}

impl AwsClients {
    pub fn new(
        sdk: SdkConfig,
        endpoints: Endpoints,
        region: String,
        partition: String,
        default_tags: Option<Tags>,
        identity: Option<CallerIdentity>,
    ) -> Self {
        AwsClients {
            account_id: identity
                .as_ref()
                .map(|i| i.account_id.clone())
                .unwrap_or_default(),
            partition,
            default_tags,
            identity,
            home: Arc::new(ClientSet::new(region, sdk, Arc::new(endpoints))),
            others: Mutex::new(BTreeMap::new()),
        }
    }

    /// The provider's region.
    pub fn region(&self) -> &str {
        self.home.region()
    }
    /// The account ID; empty when `skip_requesting_account_id` (and validation) were set.
    #[allow(dead_code)] // for resources that build ARNs (ECS, Cloud Map)
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    #[allow(dead_code)] // for resources that build ARNs (ECS, Cloud Map)
    pub fn partition(&self) -> &str {
        &self.partition
    }
    /// The provider's `default_tags`; None while they are unknown (plan with unknown config).
    pub fn default_tags(&self) -> Option<&Tags> {
        self.default_tags.as_ref()
    }
    /// The identity checked at Configure, if it was.
    pub fn caller_identity(&self) -> Option<&CallerIdentity> {
        self.identity.as_ref()
    }

    pub fn iam(&self) -> &aws_sdk_iam::Client {
        self.home.iam()
    }
    #[allow(dead_code)] // regional resources use `regional(..).ecr()`; for data sources
    pub fn ecr(&self) -> &aws_sdk_ecr::Client {
        self.home.ecr()
    }
    pub fn sts(&self) -> &aws_sdk_sts::Client {
        self.home.sts()
    }

    /// The client set for `region` (the provider's own when None or equal), created on first use.
    pub fn in_region(&self, region: Option<&str>) -> Arc<ClientSet> {
        let region = match region {
            Some(r) if !r.is_empty() && r != self.region() => r,
            _ => return self.home.clone(),
        };
        let mut others = self.others.lock().unwrap_or_else(|e| e.into_inner());
        others
            .entry(region.to_string())
            .or_insert_with(|| {
                let sdk = self
                    .home
                    .sdk
                    .to_builder()
                    .region(Region::new(region.to_string()))
                    .build();
                Arc::new(ClientSet::new(
                    region.to_string(),
                    sdk,
                    self.home.endpoints.clone(),
                ))
            })
            .clone()
    }

    /// The client set for a regional resource's state or plan (its `region` attribute).
    pub fn regional(&self, obj: &Value) -> Arc<ClientSet> {
        self.in_region(obj.str("region"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::BehaviorVersion;

    fn clients() -> AwsClients {
        let sdk = SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .behavior_version(BehaviorVersion::latest())
            .build();
        let identity = CallerIdentity {
            account_id: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/x".into(),
            user_id: "AID".into(),
        };
        AwsClients::new(
            sdk,
            Endpoints::new(),
            "us-east-1".into(),
            "aws".into(),
            Some(Tags::new()),
            Some(identity),
        )
    }

    #[test]
    fn clients_are_built_lazily_and_once() {
        let c = clients();
        assert!(
            c.home.iam.get().is_none() && c.home.ecr.get().is_none(),
            "nothing is built up front"
        );
        let a = c.iam() as *const _;
        let b = c.iam() as *const _;
        assert_eq!(a, b, "the same client is reused");
        assert!(
            c.home.ecr.get().is_none(),
            "building IAM does not build ECR"
        );
        assert_eq!(c.account_id(), "123456789012");
    }

    #[test]
    fn other_regions_get_their_own_cached_client_set() {
        let c = clients();
        assert!(Arc::ptr_eq(&c.in_region(None), &c.home));
        assert!(Arc::ptr_eq(&c.in_region(Some("us-east-1")), &c.home));
        let w = c.in_region(Some("us-west-2"));
        assert_eq!(w.region(), "us-west-2");
        assert!(Arc::ptr_eq(&w, &c.in_region(Some("us-west-2"))));
        assert_eq!(
            c.regional(&Value::object([("region", Value::from("eu-west-1"))]))
                .region(),
            "eu-west-1"
        );
    }
}
