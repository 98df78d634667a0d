//! What a service's plan-time checks need of its task definition: the network mode and the
//! named ports. A revision never changes, so both are remembered by ARN (`aws::arn_memo`) from
//! RegisterTaskDefinition's answer and from the checks' own DescribeTaskDefinition: when
//! Terraform re-plans a service during apply with the revision this apply just registered, the
//! checks run again without a read.

use serde_json::Value as J;

use crate::aws::arn_memo::ArnMemo;
use crate::aws::container_definitions as cdefs;
use crate::aws::ecs_json::{self, CaptureBody};
use crate::aws::AwsClients;
use crate::framework::{Ctx, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct TaskDefinitionFacts {
    pub network_mode: String,
    pub port_names: Vec<String>,
}

static FACTS: ArnMemo<TaskDefinitionFacts> = ArnMemo::new();

impl TaskDefinitionFacts {
    /// From a RegisterTaskDefinition or DescribeTaskDefinition answer (raw JSON). An omitted
    /// network mode is ECS's default for EC2 tasks, `bridge`.
    fn from_response(raw: &J) -> Self {
        let network_mode = raw
            .get("taskDefinition")
            .and_then(|t| t.get("networkMode"))
            .and_then(J::as_str)
            .unwrap_or("bridge")
            .to_string();
        let defs = ecs_json::raw_container_definitions(raw)
            .unwrap_or(J::Null)
            .to_string();
        TaskDefinitionFacts {
            network_mode,
            port_names: cdefs::port_names(&defs),
        }
    }
}

/// Remembers the revision a RegisterTaskDefinition (or DescribeTaskDefinition) answer holds.
pub fn remember(raw: &J) {
    let arn = raw
        .get("taskDefinition")
        .and_then(|t| t.get("taskDefinitionArn"))
        .and_then(J::as_str)
        .unwrap_or_default();
    FACTS.remember(arn, TaskDefinitionFacts::from_response(raw));
}

/// The facts of `td` (an ARN or `family:revision`): remembered, else read with one
/// DescribeTaskDefinition; None when it cannot be read now (ECS judges at apply).
pub async fn facts(ctx: &Ctx<AwsClients>, config: &Value, td: &str) -> Option<TaskDefinitionFacts> {
    if let Some(known) = FACTS.recall(td) {
        return Some(known);
    }
    let capture = CaptureBody::new();
    ctx.client
        .regional(config)
        .ecs()
        .describe_task_definition()
        .task_definition(td)
        .customize()
        .interceptor(capture.clone())
        .send()
        .await
        .ok()?;
    let raw = capture.json()?;
    remember(&raw);
    Some(TaskDefinitionFacts::from_response(&raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_revision_is_recalled_by_its_arn() {
        let arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/facts-test:4";
        remember(&serde_json::json!({"taskDefinition": {
            "taskDefinitionArn": arn,
            "networkMode": "awsvpc",
            "containerDefinitions": [{"portMappings": [{"name": "http", "containerPort": 80}]}],
        }}));
        let known = FACTS.recall(arn).expect("remembered");
        assert_eq!(known.network_mode, "awsvpc");
        assert_eq!(known.port_names, vec!["http"]);
        assert_eq!(FACTS.recall("facts-test:4"), None, "only the ARN names it");
        let bridge = TaskDefinitionFacts::from_response(&serde_json::json!({"taskDefinition": {}}));
        assert_eq!(bridge.network_mode, "bridge");
    }
}
