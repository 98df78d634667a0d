//! IAM resources against a real moto server, driven through the framework server.

use aws_sdk_iam::Client;

use super::role::TYPE as ROLE;
use super::role_policy_attachment::TYPE as ATTACHMENT;
use crate::aws::errors;
use crate::framework::Value;
use crate::resources::testing::{Harness, ACCOUNT};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_REFORMATTED: &str = "{\n  \"Statement\": {\n    \"Action\": [\"sts:AssumeRole\"],\n    \"Principal\": {\"Service\": [\"ec2.amazonaws.com\"]},\n    \"Effect\": \"Allow\"\n  },\n  \"Version\": \"2012-10-17\"\n}";
const ECS_INSTANCE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";
const READ_ONLY_POLICY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const INLINE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}"#;

fn iam(h: &Harness) -> Client {
    Client::new(&h.sdk())
}

async fn role_exists(h: &Harness, name: &str) -> bool {
    match iam(h).get_role().role_name(name).send().await {
        Ok(_) => true,
        Err(e) if errors::is_not_found(&e) => false,
        Err(e) => panic!("GetRole: {}", errors::describe(&e)),
    }
}

#[tokio::test]
async fn role_full_lifecycle_update_and_destroy() {
    let h = Harness::start(&[("env", "test")]).await;
    let cfg = h.config(
        ROLE,
        vec![
            ("name", "app-role".into()),
            ("assume_role_policy", TRUST.into()),
            ("description", "test role".into()),
            ("tags", Value::string_map([("app", "x")])),
        ],
    );
    let state = h
        .lifecycle(ROLE, &cfg, |s| s.str("id").unwrap().to_string(), &[])
        .await;
    assert_eq!(
        state.str("arn"),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/app-role").as_str())
    );
    assert_eq!(state.str("id"), Some("app-role"));
    assert_eq!(state.str("path"), Some("/"));
    assert_eq!(state.i64("max_session_duration"), Some(3600));
    assert_eq!(state.bool("force_detach_policies"), Some(false));
    assert_eq!(state.get("name_prefix"), &Value::Null);
    assert!(state.str("unique_id").is_some_and(|u| !u.is_empty()));
    assert!(
        state
            .str("create_date")
            .is_some_and(|d| d.ends_with('Z') && d.len() == 20),
        "{:?}",
        state.get("create_date")
    );
    assert_eq!(
        state.str("assume_role_policy"),
        Some(TRUST),
        "the configured spelling is kept"
    );
    assert_eq!(state.get("tags"), &Value::string_map([("app", "x")]));
    assert_eq!(
        state.get("tags_all"),
        &Value::string_map([("app", "x"), ("env", "test")])
    );
    assert_eq!(state.get("managed_policy_arns"), &Value::Set(vec![]));

    // An equivalent but reformatted trust policy is not a change.
    let mut reformatted = cfg.clone();
    reformatted.set("assume_role_policy", TRUST_REFORMATTED.into());
    let p = h.plan(ROLE, &state, &reformatted).await;
    assert_eq!(p.planned, state, "an equivalent policy must plan no change");

    // In-place update of everything updatable.
    let new_trust = TRUST.replace("ec2.amazonaws.com", "ecs-tasks.amazonaws.com");
    let mut changed = cfg.clone();
    changed.set("assume_role_policy", new_trust.as_str().into());
    changed.set("description", "changed".into());
    changed.set("max_session_duration", Value::int(7200));
    changed.set("tags", Value::string_map([("app", "y"), ("tier", "web")]));
    let p = h.plan(ROLE, &state, &changed).await;
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
    assert_eq!(
        p.planned.get("tags_all"),
        &Value::string_map([("app", "y"), ("env", "test"), ("tier", "web")])
    );
    let updated = h.apply(ROLE, &state, &p.planned).await;
    crate::resources::testing::assert_consistent(&p.planned, &updated);
    let role = iam(&h)
        .get_role()
        .role_name("app-role")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(role.description(), Some("changed"));
    assert_eq!(role.max_session_duration(), Some(7200));
    assert!(crate::aws::policy::equivalent(
        &crate::aws::policy::from_api(role.assume_role_policy_document().unwrap()),
        &new_trust
    ));
    let tags = crate::aws::tags::from_iam(role.tags());
    assert_eq!(tags.get("app").map(String::as_str), Some("y"));
    assert_eq!(tags.get("tier").map(String::as_str), Some("web"));
    assert_eq!(tags.get("env").map(String::as_str), Some("test"));
    assert_eq!(
        h.read(ROLE, &updated).await,
        updated,
        "no drift after update"
    );

    // A renamed role is a replacement.
    let mut renamed = changed.clone();
    renamed.set("name", "other-role".into());
    let p = h.plan(ROLE, &updated, &renamed).await;
    assert_eq!(
        p.requires_replace,
        vec![crate::framework::AttrPath::attr("name")]
    );

    h.destroy(ROLE, &updated).await;
    assert!(
        !role_exists(&h, "app-role").await,
        "the role must be gone in IAM"
    );
    assert_eq!(
        h.read(ROLE, &updated).await,
        Value::Null,
        "read after delete reports the role gone"
    );
}

#[tokio::test]
async fn role_names_are_generated_from_prefix_or_default() {
    let h = Harness::start(&[]).await;
    let cfg = h.config(
        ROLE,
        vec![
            ("name_prefix", "svc-".into()),
            ("assume_role_policy", TRUST.into()),
        ],
    );
    let state = h
        .lifecycle(ROLE, &cfg, |s| s.str("id").unwrap().to_string(), &[])
        .await;
    let name = state.str("name").unwrap().to_string();
    assert!(
        name.starts_with("svc-") && name.len() == 4 + crate::aws::names::UNIQUE_SUFFIX_LEN,
        "{name}"
    );
    assert_eq!(state.str("name_prefix"), Some("svc-"));
    assert_eq!(state.get("tags"), &Value::Null);
    assert_eq!(state.get("tags_all"), &Value::Map(Default::default()));
    assert!(role_exists(&h, &name).await);

    let plain = h
        .create(
            ROLE,
            &h.config(ROLE, vec![("assume_role_policy", TRUST.into())]),
        )
        .await;
    assert!(
        plain.str("name").unwrap().starts_with("terraform-"),
        "{:?}",
        plain.get("name")
    );
    h.destroy(ROLE, &state).await;
    h.destroy(ROLE, &plain).await;
}

#[tokio::test]
async fn out_of_band_delete_reads_as_gone() {
    let h = Harness::start(&[]).await;
    let state = h
        .create(
            ROLE,
            &h.config(
                ROLE,
                vec![
                    ("name", "doomed".into()),
                    ("assume_role_policy", TRUST.into()),
                ],
            ),
        )
        .await;
    iam(&h)
        .delete_role()
        .role_name("doomed")
        .send()
        .await
        .unwrap();
    assert_eq!(h.read(ROLE, &state).await, Value::Null);
    // Destroying what is already gone succeeds.
    h.destroy(ROLE, &state).await;
}

#[tokio::test]
async fn delete_cleans_up_instance_profiles_and_forced_policies() {
    let h = Harness::start(&[]).await;
    let cfg = h.config(
        ROLE,
        vec![
            ("name", "busy".into()),
            ("assume_role_policy", TRUST.into()),
            ("force_detach_policies", true.into()),
        ],
    );
    let state = h.create(ROLE, &cfg).await;
    let c = iam(&h);
    c.create_instance_profile()
        .instance_profile_name("busy-profile")
        .send()
        .await
        .unwrap();
    c.add_role_to_instance_profile()
        .instance_profile_name("busy-profile")
        .role_name("busy")
        .send()
        .await
        .unwrap();
    c.attach_role_policy()
        .role_name("busy")
        .policy_arn(ECS_INSTANCE_POLICY)
        .send()
        .await
        .unwrap();
    c.put_role_policy()
        .role_name("busy")
        .policy_name("extra")
        .policy_document(INLINE)
        .send()
        .await
        .unwrap();
    let state = h.read(ROLE, &state).await;
    assert_eq!(
        state.get("managed_policy_arns"),
        &Value::string_set([ECS_INSTANCE_POLICY]),
        "attachments made elsewhere are reported"
    );
    assert_eq!(
        state.bool("force_detach_policies"),
        Some(true),
        "client-side value survives refresh"
    );

    h.destroy(ROLE, &state).await;
    assert!(!role_exists(&h, "busy").await);
    let profile = c
        .get_instance_profile()
        .instance_profile_name("busy-profile")
        .send()
        .await
        .unwrap();
    assert!(
        profile.instance_profile.unwrap().roles().is_empty(),
        "the role was removed from the profile"
    );
}

#[tokio::test]
async fn deprecated_inline_and_managed_policies_are_managed_exclusively() {
    let h = Harness::start(&[]).await;
    let inline = |name: &str, doc: &str| {
        Value::Set(vec![Value::object([
            ("name", Value::from(name)),
            ("policy", Value::from(doc)),
        ])])
    };
    let cfg = h.config(
        ROLE,
        vec![
            ("name", "legacy".into()),
            ("assume_role_policy", TRUST.into()),
            ("inline_policy", inline("pull", INLINE)),
            (
                "managed_policy_arns",
                Value::string_set([ECS_INSTANCE_POLICY]),
            ),
        ],
    );
    let state = h
        .lifecycle(
            ROLE,
            &cfg,
            |s| s.str("id").unwrap().to_string(),
            &["inline_policy"],
        )
        .await;
    let c = iam(&h);
    let names = c
        .list_role_policies()
        .role_name("legacy")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["pull".to_string()]);
    assert_eq!(
        super::attached_policy_arns(&c, "legacy").await.unwrap(),
        vec![ECS_INSTANCE_POLICY.to_string()]
    );

    // Reformatting the inline policy is no change; replacing both sets updates in place.
    let mut same = cfg.clone();
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(INLINE).unwrap())
            .unwrap();
    same.set("inline_policy", inline("pull", &pretty));
    assert_eq!(h.plan(ROLE, &state, &same).await.planned, state);
    let mut changed = cfg.clone();
    changed.set("inline_policy", inline("push", INLINE));
    changed.set("managed_policy_arns", Value::string_set([READ_ONLY_POLICY]));
    let p = h.plan(ROLE, &state, &changed).await;
    assert!(p.requires_replace.is_empty());
    let updated = h.apply(ROLE, &state, &p.planned).await;
    let names = c
        .list_role_policies()
        .role_name("legacy")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["push".to_string()]);
    assert_eq!(
        super::attached_policy_arns(&c, "legacy").await.unwrap(),
        vec![READ_ONLY_POLICY.to_string()]
    );
    assert_eq!(h.read(ROLE, &updated).await, updated);

    // Managed exclusively means deleting detaches and removes them without force_detach_policies.
    h.destroy(ROLE, &updated).await;
    assert!(!role_exists(&h, "legacy").await);
}

#[tokio::test]
async fn role_policy_attachment_lifecycle() {
    let h = Harness::start(&[]).await;
    let role = h
        .create(
            ROLE,
            &h.config(
                ROLE,
                vec![
                    ("name", "ecs-instance".into()),
                    ("assume_role_policy", TRUST.into()),
                ],
            ),
        )
        .await;
    let cfg = h.config(
        ATTACHMENT,
        vec![
            ("role", "ecs-instance".into()),
            ("policy_arn", ECS_INSTANCE_POLICY.into()),
        ],
    );
    let att = h
        .lifecycle(ATTACHMENT, &cfg, |s| s.str("id").unwrap().to_string(), &[])
        .await;
    assert_eq!(
        att.str("id"),
        Some(format!("ecs-instance/{ECS_INSTANCE_POLICY}").as_str())
    );
    let c = iam(&h);
    assert_eq!(
        super::attached_policy_arns(&c, "ecs-instance")
            .await
            .unwrap(),
        vec![ECS_INSTANCE_POLICY.to_string()]
    );

    // The role sees the attachment but does not plan to remove it (managed_policy_arns unset).
    let role = h.read(ROLE, &role).await;
    assert_eq!(
        role.get("managed_policy_arns"),
        &Value::string_set([ECS_INSTANCE_POLICY])
    );
    let role_cfg = h.config(
        ROLE,
        vec![
            ("name", "ecs-instance".into()),
            ("assume_role_policy", TRUST.into()),
        ],
    );
    assert_eq!(h.plan(ROLE, &role, &role_cfg).await.planned, role);

    // Changing the policy replaces the attachment.
    let mut other = cfg.clone();
    other.set("policy_arn", READ_ONLY_POLICY.into());
    assert_eq!(
        h.plan(ATTACHMENT, &att, &other).await.requires_replace,
        vec![crate::framework::AttrPath::attr("policy_arn")]
    );

    h.destroy(ATTACHMENT, &att).await;
    assert!(super::attached_policy_arns(&c, "ecs-instance")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(h.read(ATTACHMENT, &att).await, Value::Null);

    // Detached out of band: gone too; and a bad import ID is a clear error.
    let att = h.create(ATTACHMENT, &cfg).await;
    c.detach_role_policy()
        .role_name("ecs-instance")
        .policy_arn(ECS_INSTANCE_POLICY)
        .send()
        .await
        .unwrap();
    assert_eq!(h.read(ATTACHMENT, &att).await, Value::Null);
    let err = h
        .server
        .import(ATTACHMENT, "ecs-instance")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("<role-name>/<policy_arn>"),
        "{err}"
    );
    h.destroy(ROLE, &role).await;
}

#[tokio::test]
async fn attaching_to_a_missing_role_names_the_attribute() {
    let h = Harness::start(&[]).await;
    let cfg = h.config(
        ATTACHMENT,
        vec![
            ("role", "nobody".into()),
            ("policy_arn", ECS_INSTANCE_POLICY.into()),
        ],
    );
    let plan = h.plan(ATTACHMENT, &Value::Null, &cfg).await;
    let out = h
        .server
        .apply(ATTACHMENT, Value::Null, plan.planned, Vec::new())
        .await;
    assert!(out.diags.has_errors());
    let d = &out.diags.0[0];
    assert!(
        d.summary.contains("creating IAM Role Policy Attachment"),
        "{d}"
    );
    assert!(d.detail.contains("NoSuchEntity"), "{d}");
}

#[test]
fn only_a_delete_conflict_makes_a_delete_read_and_repair() {
    use super::{after_first_delete, FirstDelete};
    assert_eq!(
        after_first_delete(Some("DeleteConflict")),
        FirstDelete::Repair
    );
    assert_eq!(after_first_delete(Some("NoSuchEntity")), FirstDelete::Gone);
    for other in [Some("AccessDenied"), Some("ServiceFailure"), None] {
        assert_eq!(after_first_delete(other), FirstDelete::Fail, "{other:?}");
    }
}
