//! ECS container definitions as raw JSON on the wire, both ways.
//!
//! The Rust SDK's `ContainerDefinition` has no serde, and a hand-written converter from the
//! user's JSON to SDK types is lossy and always behind the newest ECS fields. So:
//!
//! - **Writes**: RegisterTaskDefinition is built with the SDK as usual (every other field typed),
//!   then [`replace_members`] swaps the serialized body's `containerDefinitions` for the user's
//!   array (nulls stripped) in `customize().mutate_request(..)`, which runs before signing on
//!   every attempt, and fixes `Content-Length`.
//! - **Reads**: [`CaptureBody`] is an interceptor that keeps the raw response body, so
//!   DescribeTaskDefinition's `containerDefinitions` come back exactly as ECS sent them.
//!
//! ECS speaks `awsJson1_1`, so the body is one JSON object whose members are the API's own names.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{Map, Value as J};

/// Drops object members whose value is null, recursively (ECS rejects or ignores them; the SDK
/// path never sends them either). Nulls inside arrays are dropped too.
pub fn strip_nulls(v: J) -> J {
    match v {
        J::Object(m) => J::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        J::Array(a) => J::Array(
            a.into_iter()
                .filter(|v| !v.is_null())
                .map(strip_nulls)
                .collect(),
        ),
        other => other,
    }
}

/// The user's `container_definitions` document as the array to send, or why it cannot be sent.
pub fn container_definitions_for_request(doc: &str) -> Result<J, String> {
    match serde_json::from_str::<J>(doc) {
        Ok(J::Array(a)) => Ok(strip_nulls(J::Array(a))),
        Ok(_) => Err("container_definitions must be a JSON array".into()),
        Err(e) => Err(format!("container_definitions is not valid JSON: {e}")),
    }
}

/// Sets the given members of a JSON request body. The body must be a JSON object (or empty, for
/// an input with no members serialized).
pub fn with_members(body: &[u8], members: &Map<String, J>) -> Result<Vec<u8>, String> {
    let mut obj: Map<String, J> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<J>(body) {
            Ok(J::Object(m)) => m,
            Ok(_) => return Err("request body is not a JSON object".into()),
            Err(e) => return Err(format!("request body is not JSON: {e}")),
        }
    };
    for (k, v) in members {
        obj.insert(k.clone(), v.clone());
    }
    serde_json::to_vec(&J::Object(obj)).map_err(|e| e.to_string())
}

/// A `mutate_request` hook that sets `members` in the JSON body and keeps `Content-Length`
/// right. A body it cannot rewrite is left alone, so the SDK's own serialization reaches ECS and
/// fails loudly there rather than silently sending something else.
pub fn replace_members(
    members: Map<String, J>,
) -> impl Fn(&mut HttpRequest) + Send + Sync + 'static {
    move |req: &mut HttpRequest| {
        let Some(bytes) = req.body().bytes() else {
            log_warn!("request body is streaming; cannot set JSON members");
            return;
        };
        match with_members(bytes, &members) {
            Ok(new) => {
                let len = new.len();
                *req.body_mut() = SdkBody::from(new);
                req.headers_mut().insert("Content-Length", len.to_string());
            }
            Err(e) => log_warn!("cannot set request JSON members", "error" = e),
        }
    }
}

/// An interceptor that keeps the last response body it saw (after deserialization, when the
/// body is in memory). Clone it before handing it to `customize().interceptor(..)`.
#[derive(Clone, Debug, Default)]
pub struct CaptureBody(Arc<Mutex<Option<Vec<u8>>>>);

impl CaptureBody {
    pub fn new() -> Self {
        Self::default()
    }
    /// The captured body parsed as JSON, if any.
    pub fn json(&self) -> Option<J> {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .as_deref()
            .and_then(|b| serde_json::from_slice::<J>(b).ok())
    }
}

impl Intercept for CaptureBody {
    fn name(&self) -> &'static str {
        "CaptureBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(bytes) = context.response().body().bytes() {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
        }
        Ok(())
    }
}

/// `containerDefinitions` of a DescribeTaskDefinition / RegisterTaskDefinition response body.
pub fn raw_container_definitions(response: &J) -> Option<J> {
    response
        .get("taskDefinition")
        .and_then(|t| t.get("containerDefinitions"))
        .cloned()
}

/// ECS tags as a map, from a raw response's `[{"key": .., "value": ..}]` list.
pub fn tags_from_json(v: Option<&J>) -> crate::aws::tags::Tags {
    v.and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t.get("key")?.as_str()?.to_string(),
                t.get("value").and_then(J::as_str).unwrap_or("").to_string(),
            ))
        })
        .collect()
}

/// ECS's SDK tag list for a map.
pub fn to_ecs_tags(tags: &crate::aws::tags::Tags) -> Vec<aws_sdk_ecs::types::Tag> {
    tags.iter()
        .map(|(k, v)| aws_sdk_ecs::types::Tag::builder().key(k).value(v).build())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn nulls_are_stripped_everywhere() {
        let v = json!([{"name":"a","image":null,"environment":[{"name":"X","value":null}],"x":[null,1]}]);
        assert_eq!(
            strip_nulls(v),
            json!([{"name":"a","environment":[{"name":"X"}],"x":[1]}])
        );
    }

    #[test]
    fn member_replacement_keeps_other_members() {
        let body = br#"{"family":"f","containerDefinitions":[{"name":"placeholder"}],"cpu":"256"}"#;
        let members = json!({"containerDefinitions": [{"name":"web"}]});
        let out = with_members(body, members.as_object().unwrap()).unwrap();
        let v: J = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            json!({"family":"f","containerDefinitions":[{"name":"web"}],"cpu":"256"})
        );
        assert_eq!(
            serde_json::from_slice::<J>(
                &with_members(b"", json!({"a":1}).as_object().unwrap()).unwrap()
            )
            .unwrap(),
            json!({"a":1})
        );
        assert!(with_members(b"[1]", &Map::new()).is_err());
        assert!(container_definitions_for_request("{}").is_err());
        assert!(container_definitions_for_request("[").is_err());
    }

    /// A one-shot HTTP server: returns the request it received (head + body) and answers `reply`.
    async fn one_shot(reply: &'static str) -> (String, tokio::task::JoinHandle<(String, Vec<u8>)>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let n = s.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
                if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..pos]).to_string();
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < pos + 4 + len {
                        let n = s.read(&mut chunk).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    break (head, buf[pos + 4..].to_vec());
                }
                if n == 0 {
                    break (String::from_utf8_lossy(&buf).to_string(), Vec::new());
                }
            };
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
            s.write_all(resp.as_bytes()).await.unwrap();
            (head, body)
        });
        (url, handle)
    }

    fn client(url: &str) -> aws_sdk_ecs::Client {
        let conf = aws_sdk_ecs::Config::builder()
            .behavior_version(aws_sdk_ecs::config::BehaviorVersion::latest())
            .region(aws_sdk_ecs::config::Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKID", "secret", None, None, "test",
            ))
            .endpoint_url(url)
            .build();
        aws_sdk_ecs::Client::from_conf(conf)
    }

    const REPLY: &str = r#"{"taskDefinition":{"family":"f","revision":3,"containerDefinitions":[{"name":"web","image":"nginx","futureField":{"x":1}}]}}"#;

    #[tokio::test]
    async fn the_user_json_is_what_ecs_receives_and_the_raw_answer_is_kept() {
        let (url, server) = one_shot(REPLY).await;
        let user = container_definitions_for_request(
            r#"[{"name":"web","image":"nginx","brandNewEcsField":{"on":true},"cpu":null}]"#,
        )
        .unwrap();
        let capture = CaptureBody::new();
        let out = client(&url)
            .register_task_definition()
            .family("f")
            .customize()
            .mutate_request(replace_members(
                [("containerDefinitions".to_string(), user.clone())]
                    .into_iter()
                    .collect(),
            ))
            .interceptor(capture.clone())
            .send()
            .await
            .expect("register");
        assert_eq!(out.task_definition().map(|t| t.revision()), Some(3));
        let (head, body) = server.await.unwrap();
        let sent: J = serde_json::from_slice(&body).expect("JSON body");
        assert_eq!(sent["family"], "f");
        assert_eq!(
            sent["containerDefinitions"],
            json!([{"name":"web","image":"nginx","brandNewEcsField":{"on":true}}]),
            "the unknown-to-the-SDK field reaches ECS, the null does not"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert!(
            head.to_ascii_lowercase().contains(
                "x-amz-target: amazonec2containerservicev20141113.registertaskdefinition"
            ),
            "{head}"
        );
        let raw = capture.json().expect("captured");
        assert_eq!(
            raw_container_definitions(&raw).unwrap()[0]["futureField"],
            json!({"x":1}),
            "fields the SDK drops survive in the captured body"
        );
    }
}
