//! Unit tests for the provider configuration (settings, endpoints, region resolution).

use super::*;
use crate::framework::plan::validate_object;

fn cfg(pairs: Vec<(&str, Value)>) -> Value {
    schema().block.conform(Value::object(pairs))
}

fn endpoints_block(pairs: &[(&str, &str)]) -> Value {
    Value::List(vec![Value::object(
        pairs.iter().map(|(k, v)| (*k, Value::from(*v))),
    )])
}

#[test]
fn endpoint_precedence() {
    let explicit: BTreeMap<String, String> =
        [("iam".to_string(), "http://explicit:1".to_string())].into();
    let env_all = |k: &str| match k {
        "AWS_ENDPOINT_URL_IAM" => Some("http://iam-env:2".to_string()),
        "AWS_ENDPOINT_URL_AUTO_SCALING" => Some("http://asg-env:3".to_string()),
        "AWS_ENDPOINT_URL" => Some("http://global-env:4".to_string()),
        _ => None,
    };
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a BTreeMap<String, String>,
        Option<&'a str>,
    );
    let cases: &[Case] = &[
        ("iam", "IAM", &explicit, Some("http://explicit:1")),
        ("iam", "IAM", &BTreeMap::new(), Some("http://iam-env:2")),
        (
            "autoscaling",
            "AUTO_SCALING",
            &explicit,
            Some("http://asg-env:3"),
        ),
        ("ecr", "ECR", &explicit, Some("http://global-env:4")),
    ];
    for (key, suffix, ex, want) in cases {
        assert_eq!(
            resolve_endpoint(key, suffix, ex, &env_all).as_deref(),
            *want,
            "{key}"
        );
    }
    let none = |_: &str| None;
    assert_eq!(
        resolve_endpoint("ecr", "ECR", &BTreeMap::new(), &none),
        None
    );
    let ignore = |k: &str| match k {
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" => Some("true".to_string()),
        "AWS_ENDPOINT_URL" => Some("http://global-env:4".to_string()),
        _ => None,
    };
    assert_eq!(
        resolve_endpoint("ecr", "ECR", &BTreeMap::new(), &ignore),
        None
    );
    assert_eq!(
        resolve_endpoint("iam", "IAM", &explicit, &ignore).as_deref(),
        Some("http://explicit:1"),
        "explicit still wins"
    );
}

#[test]
fn every_service_has_an_endpoint_attribute_and_env_name() {
    let s = schema();
    let ep = &s.block.nested("endpoints").unwrap().block;
    for svc in SERVICES {
        assert!(ep.attribute(svc.key).is_some(), "{}", svc.key);
        assert!(
            !svc.env_suffix.is_empty()
                && svc
                    .env_suffix
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        );
    }
    for key in [
        "iam",
        "ecr",
        "ecs",
        "ec2",
        "autoscaling",
        "servicediscovery",
        "ssm",
        "sts",
        "elbv2",
        "cloudwatchlogs",
    ] {
        assert!(ep.attribute(key).is_some(), "{key}");
    }
}

#[test]
fn settings_parse_and_check() {
    let s = Settings::from_config(&cfg(vec![
        ("region", "eu-west-1".into()),
        ("access_key", "AK".into()),
        ("secret_key", "SK".into()),
        ("max_retries", Value::int(3)),
        (
            "endpoints",
            endpoints_block(&[("iam", "http://localhost:5000")]),
        ),
        (
            "default_tags",
            Value::List(vec![Value::object([(
                "tags",
                Value::string_map([("env", "test")]),
            )])]),
        ),
        (
            "assume_role",
            Value::List(vec![Value::object([
                ("role_arn", "arn:aws:iam::123456789012:role/x".into()),
                ("duration", "1h".into()),
            ])]),
        ),
    ]))
    .unwrap();
    assert_eq!(s.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        s.endpoints.get("iam").map(String::as_str),
        Some("http://localhost:5000")
    );
    assert_eq!(s.max_attempts(&|_| None), 4);
    assert_eq!(
        s.default_tags,
        Some([("env".to_string(), "test".to_string())].into())
    );
    assert_eq!(
        s.assume_role.as_ref().unwrap().duration,
        Some(Duration::from_secs(3600))
    );

    let none = Settings::from_config(&cfg(vec![])).unwrap();
    assert_eq!(none.max_attempts(&|_| None), DEFAULT_MAX_RETRIES + 1);
    assert_eq!(
        none.max_attempts(&|k| (k == "AWS_MAX_ATTEMPTS").then(|| "5".to_string())),
        5
    );
    assert_eq!(none.default_tags, Some(Tags::new()));
    let unknown_tags = Settings::from_config(&cfg(vec![(
        "default_tags",
        Value::List(vec![Value::object([("tags", Value::Unknown)])]),
    )]))
    .unwrap();
    assert_eq!(unknown_tags.default_tags, None);
}

#[test]
fn settings_errors_name_the_attribute() {
    let cases: Vec<(Vec<(&str, Value)>, AttrPath)> = vec![
        (
            vec![("access_key", "AK".into())],
            AttrPath::attr("secret_key"),
        ),
        (
            vec![("secret_key", "SK".into())],
            AttrPath::attr("access_key"),
        ),
        (vec![("region", Value::Unknown)], AttrPath::attr("region")),
        (
            vec![("endpoints", endpoints_block(&[("ecr", "localhost:4566")]))],
            AttrPath::attr("endpoints").index(0).then("ecr"),
        ),
        (
            vec![(
                "assume_role",
                Value::List(vec![Value::object([
                    ("role_arn", "arn:aws:iam::1:role/x".into()),
                    ("duration", "5m".into()),
                ])]),
            )],
            AttrPath::attr("assume_role").index(0).then("duration"),
        ),
    ];
    for (pairs, path) in cases {
        let err = Settings::from_config(&cfg(pairs)).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        assert_eq!(err.0[0].path.as_ref(), Some(&path), "{err}");
    }
}

#[test]
fn schema_validators_catch_bad_values() {
    let mut d = Diagnostics::new();
    let c = cfg(vec![
        ("max_retries", Value::int(1000)),
        (
            "assume_role",
            Value::List(vec![Value::object([("role_arn", "not-an-arn".into())])]),
        ),
    ]);
    validate_object(&schema().block, &c, &AttrPath::root(), &mut d);
    let paths: Vec<String> =
        d.0.iter()
            .filter_map(|x| x.path.as_ref().map(|p| p.to_string()))
            .collect();
    assert!(paths.contains(&"max_retries".to_string()), "{d}");
    assert!(
        paths.contains(&"assume_role[0].role_arn".to_string()),
        "{d}"
    );
}

#[test]
fn partitions_follow_region_prefixes() {
    assert_eq!(partition_of("us-east-1"), "aws");
    assert_eq!(partition_of("cn-north-1"), "aws-cn");
    assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    assert_eq!(partition_of("us-isob-east-1"), "aws-iso-b");
    assert_eq!(partition_of("us-iso-east-1"), "aws-iso");
}

#[test]
fn urls_are_checked() {
    assert!(is_http_url("http://127.0.0.1:5000"));
    assert!(is_http_url("https://iam.amazonaws.com/"));
    assert!(!is_http_url("127.0.0.1:5000"));
    assert!(!is_http_url("http://"));
    assert!(!is_http_url("http:// x"));
}

#[tokio::test]
async fn region_comes_from_config_env_or_profile_else_one_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let with_region = dir.path().join("with-region");
    std::fs::write(&with_region, "[profile p]\nregion = ap-south-1\n").unwrap();
    let without = dir.path().join("without");
    std::fs::write(&without, "[profile p]\noutput = json\n").unwrap();
    let settings = |file: &std::path::Path, region: Option<&str>| {
        let mut pairs = vec![
            ("profile", Value::from("p")),
            (
                "shared_config_files",
                Value::string_list([file.to_string_lossy().to_string()]),
            ),
        ];
        if let Some(r) = region {
            pairs.push(("region", r.into()));
        }
        Settings::from_config(&cfg(pairs)).unwrap()
    };
    let no_env = |_: &str| None;
    let env = |k: &str| (k == "AWS_DEFAULT_REGION").then(|| "eu-north-1".to_string());
    assert_eq!(
        resolve_region(&settings(&with_region, Some("us-west-2")), &env)
            .await
            .unwrap(),
        "us-west-2"
    );
    assert_eq!(
        resolve_region(&settings(&with_region, None), &env)
            .await
            .unwrap(),
        "eu-north-1"
    );
    assert_eq!(
        resolve_region(&settings(&with_region, None), &no_env)
            .await
            .unwrap(),
        "ap-south-1"
    );
    let err = resolve_region(&settings(&without, None), &no_env)
        .await
        .unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!(err.0[0].path, Some(AttrPath::attr("region")));
    assert!(err.0[0].detail.contains("AWS_REGION"), "{err}");
}

#[test]
fn one_call_has_a_bounded_retry_budget_computed_from_the_configuration() {
    // max_retries = 2: three attempts of at most 60s, and 1s + 2s of backoff between them.
    let two = Settings::from_config(&cfg(vec![("max_retries", Value::int(2))])).unwrap();
    let attempts = two.max_attempts(&|_| None);
    assert_eq!(attempts, 3);
    assert_eq!(worst_case_call_duration(attempts), Duration::from_secs(183));
    // The default (25 retries): 26 attempt timeouts plus 1+2+4+8+16 s and 20 x 20s of backoff.
    assert_eq!(
        worst_case_call_duration(DEFAULT_MAX_RETRIES + 1),
        Duration::from_secs(26 * 60 + 431)
    );
    // No configuration exceeds the clamp of max_retries (and AWS_MAX_ATTEMPTS) at 100.
    let huge = Settings::from_config(&cfg(vec![("max_retries", Value::int(1_000_000))])).unwrap();
    let from_env = Settings::from_config(&cfg(vec![]))
        .unwrap()
        .max_attempts(&|k| (k == "AWS_MAX_ATTEMPTS").then(|| "99999".to_string()));
    for attempts in [huge.max_attempts(&|_| None), from_env] {
        assert_eq!(attempts, MAX_MAX_RETRIES as u32 + 1);
        assert_eq!(
            worst_case_call_duration(attempts),
            Duration::from_secs(101 * 60 + 31 + 95 * 20)
        );
    }
}
