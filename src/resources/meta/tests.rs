//! Configure and the meta data sources against a real moto server (and against nothing).

use crate::aws::AwsProvider;
use crate::framework::server::Server;
use crate::framework::{AttrPath, Value};
use crate::resources::testing::{free_port, provider_config, Harness, Moto, ACCOUNT, REGION};

#[tokio::test]
async fn data_sources_describe_the_configured_context() {
    let h = Harness::start(&[]).await;
    let schema = h
        .server
        .data_source_schema("awsecs_caller_identity")
        .unwrap()
        .block
        .clone();
    let me = h
        .server
        .read_data_source(
            "awsecs_caller_identity",
            schema.conform(Value::object::<&str>([])),
        )
        .await
        .unwrap();
    assert_eq!(me.str("account_id"), Some(ACCOUNT));
    assert_eq!(me.str("id"), Some(ACCOUNT));
    assert!(
        me.str("arn")
            .is_some_and(|a| a.starts_with(&format!("arn:aws:sts::{ACCOUNT}:"))),
        "{me:?}"
    );
    assert!(me.str("user_id").is_some_and(|u| !u.is_empty()));

    let schema = h
        .server
        .data_source_schema("awsecs_region")
        .unwrap()
        .block
        .clone();
    let here = h
        .server
        .read_data_source("awsecs_region", schema.conform(Value::object::<&str>([])))
        .await
        .unwrap();
    assert_eq!(here.str("region"), Some(REGION));
    assert_eq!(here.str("name"), Some(REGION));
    assert_eq!(here.str("description"), Some("US East (N. Virginia)"));
    assert_eq!(here.str("endpoint"), Some("ec2.us-east-1.amazonaws.com"));
    let there = h
        .server
        .read_data_source(
            "awsecs_region",
            schema.conform(Value::object([("region", Value::from("eu-west-1"))])),
        )
        .await
        .unwrap();
    assert_eq!(there.str("description"), Some("Europe (Ireland)"));
    let d = h.server.validate_data_source(
        "awsecs_region",
        &schema.conform(Value::object([("name", Value::from("eu-west-1"))])),
    );
    assert!(
        !d.has_errors() && d.0.iter().any(|x| x.summary.contains("deprecated")),
        "name is deprecated: {d}"
    );
}

#[tokio::test]
async fn unreachable_sts_is_one_clear_configure_error() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let server = Server::new(AwsProvider);
    let d = server
        .configure(&provider_config(&url, &[]), "1.15.5")
        .await;
    assert_eq!(d.0.len(), 1, "{d}");
    let e = &d.0[0];
    assert_eq!(
        e.path,
        Some(AttrPath::attr("endpoints").index(0).then("sts")),
        "{e}"
    );
    assert!(
        e.detail.contains("sts:GetCallerIdentity")
            && e.detail.contains("validating provider credentials"),
        "{e}"
    );
    assert!(
        e.detail.to_lowercase().contains("connect") || e.detail.contains("dispatch"),
        "the transport cause is shown: {e}"
    );
}

#[tokio::test]
async fn rejected_credentials_point_at_the_keys() {
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]).await;
    let server = Server::new(AwsProvider);
    let d = server
        .configure(&provider_config(&moto.url, &[]), "1.15.5")
        .await;
    assert_eq!(d.0.len(), 1, "{d}");
    let e = &d.0[0];
    assert_eq!(e.path, Some(AttrPath::attr("access_key")), "{e}");
    // moto wraps STS errors in <Errors>, which the SDK cannot parse: the raw answer is shown.
    assert!(
        e.detail.contains("HTTP 403") && e.detail.contains("InvalidClientTokenId"),
        "the error is shown: {e}"
    );
}

#[tokio::test]
async fn skipping_validation_and_account_id_means_no_network_at_configure() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let schema = crate::aws::config::schema();
    let mut cfg = provider_config(&url, &[]);
    cfg.set("skip_credentials_validation", true.into());
    cfg.set("skip_requesting_account_id", true.into());
    let cfg = schema.block.conform(cfg);
    let server = Server::new(AwsProvider);
    let d = server.configure(&cfg, "1.15.5").await;
    assert!(!d.has_errors(), "{d}");
    // The region data source still works offline; caller identity needs STS and says so.
    let ds = server
        .data_source_schema("awsecs_region")
        .unwrap()
        .block
        .clone();
    let here = server
        .read_data_source("awsecs_region", ds.conform(Value::object::<&str>([])))
        .await
        .unwrap();
    assert_eq!(here.str("region"), Some(REGION));
    let ci = server
        .data_source_schema("awsecs_caller_identity")
        .unwrap()
        .block
        .clone();
    let err = server
        .read_data_source(
            "awsecs_caller_identity",
            ci.conform(Value::object::<&str>([])),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reading caller identity"), "{err}");
}

#[tokio::test]
async fn bad_provider_values_fail_validation_with_paths() {
    let server = Server::new(AwsProvider);
    let mut cfg = provider_config("not a url", &[]);
    cfg.set("secret_key", Value::Null);
    let d = server.configure(&cfg, "1.15.5").await;
    assert!(d.has_errors());
    let paths: Vec<String> =
        d.0.iter()
            .filter_map(|x| x.path.as_ref().map(|p| p.to_string()))
            .collect();
    assert!(paths.contains(&"secret_key".to_string()), "{d}");
    assert!(paths.contains(&"endpoints[0].iam".to_string()), "{d}");
}

#[tokio::test]
async fn assume_role_goes_through_the_configured_sts_endpoint() {
    let moto = Moto::start().await;
    let role = format!("arn:aws:iam::{ACCOUNT}:role/deployer");
    let mut cfg = provider_config(&moto.url, &[]);
    cfg.set(
        "assume_role",
        Value::List(vec![Value::object([
            ("role_arn", Value::from(role.as_str())),
            ("session_name", Value::from("ci-run")),
            ("duration", Value::from("1h")),
        ])]),
    );
    let cfg = crate::aws::config::schema().block.conform(cfg);
    let server = Server::new(AwsProvider);
    let d = server.configure(&cfg, "1.15.5").await;
    assert!(!d.has_errors(), "{d}");
    let ci = server
        .data_source_schema("awsecs_caller_identity")
        .unwrap()
        .block
        .clone();
    let me = server
        .read_data_source(
            "awsecs_caller_identity",
            ci.conform(Value::object::<&str>([])),
        )
        .await
        .unwrap();
    assert_eq!(
        me.str("arn"),
        Some(format!("arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-run").as_str()),
        "{me:?}"
    );
}

#[tokio::test]
async fn named_profiles_come_from_the_configured_files() {
    let moto = Moto::start().await;
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[ci]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n",
    )
    .unwrap();
    let conf = dir.path().join("config");
    std::fs::write(&conf, "[profile ci]\nregion = eu-west-1\n").unwrap();
    let files = |cfg: &mut Value, profile: &str| {
        cfg.set("access_key", Value::Null);
        cfg.set("secret_key", Value::Null);
        cfg.set("region", Value::Null);
        cfg.set("profile", Value::from(profile));
        cfg.set(
            "shared_credentials_files",
            Value::string_list([creds.to_string_lossy().to_string()]),
        );
        cfg.set(
            "shared_config_files",
            Value::string_list([conf.to_string_lossy().to_string()]),
        );
    };
    let mut cfg = provider_config(&moto.url, &[]);
    files(&mut cfg, "ci");
    let server = Server::new(AwsProvider);
    let d = server.configure(&cfg, "1.15.5").await;
    assert!(!d.has_errors(), "{d}");
    let rs = server
        .data_source_schema("awsecs_region")
        .unwrap()
        .block
        .clone();
    let here = server
        .read_data_source("awsecs_region", rs.conform(Value::object::<&str>([])))
        .await
        .unwrap();
    assert_eq!(
        here.str("region"),
        Some("eu-west-1"),
        "the region comes from the profile"
    );

    let mut missing = provider_config(&moto.url, &[]);
    files(&mut missing, "nope");
    missing.set("region", Value::from(REGION));
    let d = Server::new(AwsProvider).configure(&missing, "1.15.5").await;
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].path, Some(AttrPath::attr("profile")), "{d}");
    assert!(d.0[0].detail.contains("nope"), "the profile is named: {d}");
}
