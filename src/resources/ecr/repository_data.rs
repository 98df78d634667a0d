//! `data "awsecs_ecr_repository"`, the twin of the `aws_ecr_repository` data source: an existing
//! repository's URL and settings, and the tags of its most recently pushed image.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ecr::types::{ImageDetail, Repository};

use super::lifecycle_policy::repository_attribute;
use crate::aws::{errors, region_attribute, tags, AwsClients};
use crate::framework::{
    AttrPath, Attribute, Block, Ctx, DataSource, Diagnostic, Diagnostics, Schema, Type, Value,
};

pub const TYPE: &str = "awsecs_ecr_repository";
const KIND: &str = "ECR Repository";

pub struct RepositoryData;

fn object_list(name: &str, fields: &[(&str, Type)]) -> Attribute {
    let fields: BTreeMap<String, Type> = fields
        .iter()
        .map(|(k, t)| (k.to_string(), t.clone()))
        .collect();
    Attribute::new(name, Type::list(Type::Object(fields))).computed()
}

pub fn schema() -> Schema {
    // A name validated like the repository resource's, under the twin's attribute name.
    let mut name = repository_attribute();
    name.name = "name".into();
    name.force_new = false;
    name.description = "Name of the repository.".into();
    Schema::new(
        Block::new()
            .attr(
                Attribute::string("arn")
                    .desc("ARN of the repository.")
                    .computed(),
            )
            .attr(
                object_list(
                    "encryption_configuration",
                    &[("encryption_type", Type::String), ("kms_key", Type::String)],
                )
                .desc("Encryption at rest: `encryption_type` and `kms_key`."),
            )
            .attr(
                Attribute::string("id")
                    .desc("Name of the repository.")
                    .optional_computed(),
            )
            .attr(
                object_list(
                    "image_scanning_configuration",
                    &[("scan_on_push", Type::Bool)],
                )
                .desc("Image scanning: `scan_on_push`."),
            )
            .attr(
                Attribute::string("image_tag_mutability")
                    .desc("Whether tags can be overwritten.")
                    .computed(),
            )
            .attr(
                object_list(
                    "image_tag_mutability_exclusion_filter",
                    &[("filter", Type::String), ("filter_type", Type::String)],
                )
                .desc("Tags exempt from the tag mutability setting: `filter` and `filter_type`."),
            )
            .attr(
                Attribute::string_list("most_recent_image_tags")
                    .computed()
                    .desc("Tags of the most recently pushed image (empty when there is none)."),
            )
            .attr(name)
            .attr(region_attribute())
            .attr(
                Attribute::string("registry_id")
                    .optional_computed()
                    .desc("AWS account ID of the registry; defaults to the caller's."),
            )
            .attr(
                Attribute::string("repository_url")
                    .desc("URL of the repository.")
                    .computed(),
            )
            .attr(
                Attribute::string_map("tags")
                    .desc("Tags of the repository.")
                    .optional_computed(),
            ),
    )
    .desc("Reads an ECR repository.")
}

/// The image pushed last (ties: the first listed).
pub fn most_recent(images: &[ImageDetail]) -> Option<&ImageDetail> {
    images.iter().reduce(|best, i| {
        let key = |d: &ImageDetail| d.image_pushed_at().map(|t| (t.secs(), t.subsec_nanos()));
        if key(i) > key(best) {
            i
        } else {
            best
        }
    })
}

fn settings(repo: &Repository) -> [(&'static str, Value); 3] {
    let encryption = repo
        .encryption_configuration()
        .map(|e| {
            vec![Value::object([
                ("encryption_type", Value::from(e.encryption_type().as_str())),
                ("kms_key", Value::opt_string(e.kms_key())),
            ])]
        })
        .unwrap_or_default();
    let scanning = repo
        .image_scanning_configuration()
        .map(|c| {
            vec![Value::object([(
                "scan_on_push",
                Value::Bool(c.scan_on_push()),
            )])]
        })
        .unwrap_or_default();
    let filters = repo
        .image_tag_mutability_exclusion_filters()
        .iter()
        .map(|f| {
            Value::object([
                ("filter", Value::from(f.filter())),
                ("filter_type", Value::from(f.filter_type().as_str())),
            ])
        })
        .collect();
    [
        ("encryption_configuration", Value::List(encryption)),
        ("image_scanning_configuration", Value::List(scanning)),
        (
            "image_tag_mutability_exclusion_filter",
            Value::List(filters),
        ),
    ]
}

#[async_trait]
impl DataSource<AwsClients> for RepositoryData {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx<AwsClients>, config: &Value) -> Result<Value, Diagnostics> {
        let name = config.str("name").unwrap_or_default();
        let registry = config.str("registry_id").map(str::to_string);
        let set = ctx.client.regional(config);
        let ecr = set.ecr();
        let found = ecr
            .describe_repositories()
            .repository_names(name)
            .set_registry_id(registry.clone())
            .send()
            .await;
        let repo = match found {
            Ok(out) => out
                .repositories()
                .iter()
                .find(|r| r.repository_name() == Some(name))
                .cloned(),
            Err(e) if errors::is_not_found(&e) => None,
            Err(e) => return Err(errors::aws_diag(&format!("reading {KIND}"), name, &e).into()),
        };
        let Some(repo) = repo else {
            return Err(Diagnostic::error(
                errors::summary(&format!("reading {KIND}"), name),
                format!(
                    "no repository named {name:?} in registry {} of region {}",
                    registry.as_deref().unwrap_or("(the caller's account)"),
                    set.region()
                ),
            )
            .at(AttrPath::attr("name"))
            .into());
        };
        let images: Vec<ImageDetail> = ecr
            .describe_images()
            .repository_name(name)
            .set_registry_id(repo.registry_id().map(str::to_string))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| errors::aws_diag(&format!("reading images of {KIND}"), name, &e))?;
        let latest_tags = most_recent(&images)
            .map(|i| i.image_tags().to_vec())
            .unwrap_or_default();
        let arn = repo.repository_arn().unwrap_or_default();
        let listed = ecr
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| errors::aws_diag(&format!("listing tags for {KIND}"), name, &e))?;
        let mut out = Value::object([
            ("arn", Value::from(arn)),
            ("id", Value::from(name)),
            (
                "image_tag_mutability",
                Value::opt_string(repo.image_tag_mutability().map(|m| m.as_str())),
            ),
            ("most_recent_image_tags", Value::string_list(latest_tags)),
            ("name", Value::from(name)),
            ("region", Value::from(set.region())),
            ("registry_id", Value::opt_string(repo.registry_id())),
            ("repository_url", Value::opt_string(repo.repository_uri())),
            ("tags", Value::string_map(tags::from_ecr(listed.tags()))),
        ]);
        for (k, v) in settings(&repo) {
            out.set(k, v);
        }
        Ok(out)
    }
}

pub fn data_source() -> Arc<dyn DataSource<AwsClients>> {
    Arc::new(RepositoryData)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::DateTime;

    fn image(tags: &[&str], pushed: Option<i64>) -> ImageDetail {
        let mut b = ImageDetail::builder();
        for t in tags {
            b = b.image_tags(*t);
        }
        b.set_image_pushed_at(pushed.map(DateTime::from_secs))
            .build()
    }

    #[test]
    fn most_recent_image_is_the_last_pushed() {
        let images = vec![
            image(&["v1"], Some(10)),
            image(&["v3", "latest"], Some(30)),
            image(&["v2"], Some(20)),
            image(&["unknown"], None),
        ];
        assert_eq!(most_recent(&images).unwrap().image_tags(), ["v3", "latest"]);
        assert!(most_recent(&[]).is_none());
    }

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn",
                "encryption_configuration",
                "id",
                "image_scanning_configuration",
                "image_tag_mutability",
                "image_tag_mutability_exclusion_filter",
                "most_recent_image_tags",
                "name",
                "region",
                "registry_id",
                "repository_url",
                "tags"
            ]
        );
        let n = s.block.attribute("name").unwrap();
        assert!(n.required && !n.force_new && !n.validators.is_empty());
        assert_eq!(
            s.block
                .attribute("encryption_configuration")
                .unwrap()
                .ty
                .to_json()
                .to_string(),
            r#"["list",["object",{"encryption_type":"string","kms_key":"string"}]]"#
        );
    }
}
