//! ECR repository against a real moto server, driven through the framework server.

use aws_sdk_ecr::Client;

use super::repository::TYPE as REPO;
use crate::aws::errors;
use crate::framework::{AttrPath, Value};
use crate::resources::testing::{assert_consistent, Harness, ACCOUNT, REGION};

fn ecr(h: &Harness) -> Client {
    Client::new(&h.sdk())
}

async fn exists(h: &Harness, name: &str) -> bool {
    match ecr(h)
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
    {
        Ok(out) => !out.repositories().is_empty(),
        Err(e) if errors::is_not_found(&e) => false,
        Err(e) => panic!("DescribeRepositories: {}", errors::describe(&e)),
    }
}

fn scanning(on: bool) -> Value {
    Value::List(vec![Value::object([("scan_on_push", Value::Bool(on))])])
}

#[tokio::test]
async fn repository_full_lifecycle_and_update() {
    let h = Harness::start(&[("env", "test")]).await;
    let cfg = h.config(
        REPO,
        vec![
            ("name", "team/app".into()),
            ("image_tag_mutability", "IMMUTABLE".into()),
            ("image_scanning_configuration", scanning(true)),
            ("tags", Value::string_map([("app", "x")])),
        ],
    );
    let state = h
        .lifecycle(REPO, &cfg, |s| s.str("id").unwrap().to_string(), &[])
        .await;
    assert_eq!(
        state.str("arn"),
        Some(format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/app").as_str())
    );
    assert_eq!(state.str("registry_id"), Some(ACCOUNT));
    assert_eq!(
        state.str("repository_url"),
        Some(format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/app").as_str())
    );
    assert_eq!(state.str("region"), Some(REGION));
    assert_eq!(
        state.get("tags_all"),
        &Value::string_map([("app", "x"), ("env", "test")])
    );
    assert_eq!(
        state.get("encryption_configuration"),
        &Value::List(vec![]),
        "AWS's default encryption is not drift"
    );

    // Update in place: mutability (removed: back to its default) and tags. (Turning scanning
    // off is not exercised: the SDK omits `scanOnPush: false`, which AWS reads as false and moto
    // ignores.)
    let mut changed = h.config(
        REPO,
        vec![
            ("name", "team/app".into()),
            ("image_scanning_configuration", scanning(true)),
            ("tags", Value::string_map([("app", "y")])),
        ],
    );
    changed.set("force_delete", true.into());
    let p = h.plan(REPO, &state, &changed).await;
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
    assert_eq!(
        p.planned.str("image_tag_mutability"),
        Some("MUTABLE"),
        "removed attribute plans its default"
    );
    let updated = h.apply(REPO, &state, &p.planned).await;
    assert_consistent(&p.planned, &updated);
    let repo = ecr(&h)
        .describe_repositories()
        .repository_names("team/app")
        .send()
        .await
        .unwrap();
    let repo = &repo.repositories()[0];
    assert_eq!(
        repo.image_tag_mutability().map(|m| m.as_str()),
        Some("MUTABLE")
    );
    assert_eq!(
        repo.image_scanning_configuration()
            .map(|c| c.scan_on_push()),
        Some(true)
    );
    let tags = ecr(&h)
        .list_tags_for_resource()
        .resource_arn(state.str("arn").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::aws::tags::from_ecr(tags.tags()),
        [
            ("app".to_string(), "y".to_string()),
            ("env".to_string(), "test".to_string())
        ]
        .into()
    );
    assert_eq!(
        h.read(REPO, &updated).await,
        updated,
        "no drift after update"
    );
    assert_eq!(h.plan(REPO, &updated, &changed).await.planned, updated);

    // Renaming replaces.
    let mut renamed = changed.clone();
    renamed.set("name", "team/other".into());
    assert_eq!(
        h.plan(REPO, &updated, &renamed).await.requires_replace,
        vec![AttrPath::attr("name")]
    );

    h.destroy(REPO, &updated).await;
    assert!(!exists(&h, "team/app").await);
    assert_eq!(h.read(REPO, &updated).await, Value::Null);
}

#[tokio::test]
async fn force_delete_is_read_from_state_at_destroy() {
    let h = Harness::start(&[]).await;
    let cfg = h.config(REPO, vec![("name", "with-images".into())]);
    let state = h
        .lifecycle(REPO, &cfg, |s| s.str("id").unwrap().to_string(), &[])
        .await;
    assert_eq!(
        state.get("image_scanning_configuration"),
        &Value::List(vec![])
    );
    assert_eq!(state.get("force_delete"), &Value::Null);

    // Turning scanning on is an in-place update.
    let mut scan = cfg.clone();
    scan.set("image_scanning_configuration", scanning(true));
    let p = h.plan(REPO, &state, &scan).await;
    assert!(p.requires_replace.is_empty());
    let state = h.apply(REPO, &state, &p.planned).await;
    let repo = ecr(&h)
        .describe_repositories()
        .repository_names("with-images")
        .send()
        .await
        .unwrap();
    assert_eq!(
        repo.repositories()[0]
            .image_scanning_configuration()
            .map(|c| c.scan_on_push()),
        Some(true)
    );
    let cfg = scan;
    let manifest = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#;
    ecr(&h)
        .put_image()
        .repository_name("with-images")
        .image_manifest(manifest)
        .image_tag("v1")
        .send()
        .await
        .unwrap();

    let out = h
        .server
        .apply(REPO, state.clone(), Value::Null, Vec::new())
        .await;
    assert!(
        out.diags.has_errors(),
        "a repository with images needs force_delete"
    );
    let d = &out.diags.0[0];
    assert_eq!(d.path, Some(AttrPath::attr("force_delete")), "{d}");
    assert!(d.detail.contains("force_delete = true"), "{d}");
    assert_eq!(out.new_state, state, "a failed destroy keeps the state");

    let mut forced = cfg.clone();
    forced.set("force_delete", true.into());
    let p = h.plan(REPO, &state, &forced).await;
    let state = h.apply(REPO, &state, &p.planned).await;
    assert_eq!(state.bool("force_delete"), Some(true));
    assert_eq!(
        h.read(REPO, &state).await.bool("force_delete"),
        Some(true),
        "client-side value survives refresh"
    );
    h.destroy(REPO, &state).await;
    assert!(!exists(&h, "with-images").await);
}

#[tokio::test]
async fn kms_encryption_is_reported_and_imported() {
    let h = Harness::start(&[]).await;
    let enc = Value::List(vec![Value::object([("encryption_type", "KMS".into())])]);
    let cfg = h.config(
        REPO,
        vec![("name", "secure".into()), ("encryption_configuration", enc)],
    );
    let state = h
        .lifecycle(REPO, &cfg, |s| s.str("id").unwrap().to_string(), &[])
        .await;
    let e = &state.get("encryption_configuration").elements()[0];
    assert_eq!(e.str("encryption_type"), Some("KMS"));
    let mut aes = cfg.clone();
    aes.set(
        "encryption_configuration",
        Value::List(vec![Value::object([("encryption_type", "AES256".into())])]),
    );
    let p = h.plan(REPO, &state, &aes).await;
    assert_eq!(
        p.requires_replace,
        vec![AttrPath::attr("encryption_configuration")],
        "encryption cannot change in place"
    );
    h.destroy(REPO, &state).await;
}

#[tokio::test]
async fn out_of_band_delete_and_bad_names() {
    let h = Harness::start(&[]).await;
    let state = h
        .create(REPO, &h.config(REPO, vec![("name", "gone-soon".into())]))
        .await;
    ecr(&h)
        .delete_repository()
        .repository_name("gone-soon")
        .send()
        .await
        .unwrap();
    assert_eq!(h.read(REPO, &state).await, Value::Null);
    h.destroy(REPO, &state).await;

    let bad = h.config(REPO, vec![("name", "Not_Valid".into())]);
    let d = h.server.validate_resource(REPO, &bad);
    assert!(d.has_errors());
    assert_eq!(d.0[0].path, Some(AttrPath::attr("name")), "{d}");

    let err = h.server.import(REPO, "UPPER").await.unwrap_err();
    assert!(err.to_string().contains("Invalid import ID"), "{err}");
    let (v, _, d) = h
        .server
        .read(
            REPO,
            h.server.import(REPO, "never-created").await.unwrap(),
            Vec::new(),
        )
        .await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(
        v,
        Value::Null,
        "importing a missing repository reads as gone"
    );
}
