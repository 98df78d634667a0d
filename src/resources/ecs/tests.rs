//! ECS deletes against a real moto server, driven through the framework server.

use aws_sdk_ecs::types::ContainerDefinition;
use aws_sdk_ecs::Client;

use super::service::TYPE as SERVICE;
use crate::framework::Value;
use crate::resources::testing::Harness;

/// A destroy whose state predates an earlier, interrupted destroy (the service already deleted,
/// DRAINING or INACTIVE) must resume rather than fail: without a describe first, UpdateService
/// answers ServiceNotActiveException and the delete goes on to the drain wait.
#[tokio::test]
async fn destroying_an_already_deleted_service_resumes_and_succeeds() {
    let h = Harness::start(&[]).await;
    let ecs = Client::new(&h.sdk());
    ecs.create_cluster()
        .cluster_name("c")
        .send()
        .await
        .expect("CreateCluster");
    let td = ecs
        .register_task_definition()
        .family("web")
        .container_definitions(
            ContainerDefinition::builder()
                .name("web")
                .image("nginx")
                .memory(64)
                .build(),
        )
        .send()
        .await
        .expect("RegisterTaskDefinition");
    let td_arn = td
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("revision ARN")
        .to_string();
    let cfg = h.config(
        SERVICE,
        vec![
            ("name", "web".into()),
            ("cluster", "c".into()),
            ("task_definition", td_arn.into()),
            ("desired_count", Value::from(1)),
        ],
    );
    let state = h.create(SERVICE, &cfg).await;
    // The earlier destroy: scaled to 0 and deleted, then stopped before it could record it.
    ecs.update_service()
        .cluster("c")
        .service("web")
        .desired_count(0)
        .send()
        .await
        .expect("UpdateService");
    ecs.delete_service()
        .cluster("c")
        .service("web")
        .send()
        .await
        .expect("DeleteService");
    // The moto the tests run answers UpdateService on it as AWS does.
    let again = ecs
        .update_service()
        .cluster("c")
        .service("web")
        .desired_count(0)
        .send()
        .await;
    assert_eq!(
        again
            .err()
            .and_then(|e| e.into_service_error().meta().code().map(str::to_string)),
        Some("ServiceNotActiveException".to_string())
    );
    h.destroy(SERVICE, &state).await;
}
