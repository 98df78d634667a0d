//! `awsecs_ecr_repository`, the twin of `aws_ecr_repository`. ID and import ID: the repository
//! name (`name@region` imports into another region).
//!
//! `image_scanning_configuration` and `encryption_configuration` are optional blocks whose
//! absence means AWS's defaults; hashicorp/aws suppresses the diff when they are left out. Here a
//! read reports them when the state has them or when AWS holds a non-default value, so the
//! defaults never show as drift but a real out-of-band change does.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecr::error::SdkError;
use aws_sdk_ecr::operation::describe_repositories::DescribeRepositoriesError;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    ImageTagMutabilityExclusionFilter, ImageTagMutabilityExclusionFilterType, Repository,
};
use aws_sdk_ecr::Client;

use crate::aws::retry::{self, Poll, WaitPolicy, PROPAGATION_TIMEOUT};
use crate::aws::{errors, plan_region, region_attribute, split_import_region, tags, AwsClients};
use crate::framework::resource::timeout;
use crate::framework::{
    validators, ApplyError, ApplyResult, AttrPath, Attribute, Block, Ctx, Diagnostic, Diagnostics,
    NestedBlock, Plan, PlanRequest, Resource, Schema, Value,
};

pub const TYPE: &str = "awsecs_ecr_repository";
const KIND: &str = "ECR Repository";
const DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);
const MUTABILITY: &[&str] = &[
    "MUTABLE",
    "IMMUTABLE",
    "IMMUTABLE_WITH_EXCLUSION",
    "MUTABLE_WITH_EXCLUSION",
];

pub struct EcrRepository;

pub fn schema() -> Schema {
    let encryption = Block::new()
        .attr(
            Attribute::string("encryption_type")
                .desc("Encryption type: `AES256` or `KMS`.")
                .default("AES256")
                .force_new()
                .validate(validators::one_of(&["AES256", "KMS", "KMS_DSSE"])),
        )
        .attr(
            Attribute::string("kms_key")
                .desc("ARN of the KMS key, when `encryption_type` is `KMS`.")
                .optional_computed()
                .force_new(),
        );
    let scanning = Block::new().attr(
        Attribute::bool("scan_on_push")
            .desc("Whether images are scanned for vulnerabilities after each push.")
            .required(),
    );
    let exclusion = Block::new()
        .attr(
            Attribute::string("filter")
                .desc("Tag pattern the filter matches; `*` is a wildcard.")
                .required()
                .validate(validators::length(1, 128))
                .validate(validators::chars("letters, digits and ._*-", |c| {
                    c.is_ascii_alphanumeric() || "._*-".contains(c)
                })),
        )
        .attr(
            Attribute::string("filter_type")
                .desc("Type of the filter; only `WILDCARD`.")
                .required()
                .validate(validators::one_of(&["WILDCARD"])),
        );
    let [tags, tags_all] = tags::attributes();
    Schema::new(
        Block::new()
            .attr(Attribute::string("arn").desc("ARN of the repository.").computed())
            .attr(Attribute::bool("force_delete").optional().client_side().desc("Delete the repository even if it contains images (read from state at destroy)."))
            .attr(Attribute::string("id").desc("Name of the repository.").optional_computed())
            .attr(Attribute::string("image_tag_mutability").desc("Whether tags can be overwritten: `MUTABLE`, `IMMUTABLE`, or their `_WITH_EXCLUSION` forms.").default("MUTABLE").validate(validators::one_of(MUTABILITY)))
            .attr(Attribute::string("name").desc("Name of the repository.").required().force_new().validate(name_validator()))
            .attr(region_attribute())
            .attr(Attribute::string("registry_id").desc("ID of the registry (account) of the repository.").computed())
            .attr(Attribute::string("repository_url").desc("URL of the repository, `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`.").computed())
            .attr(tags)
            .attr(tags_all)
            .block(NestedBlock::list("encryption_configuration", encryption).desc("Encryption at rest of the repository.").force_new())
            .block(NestedBlock::list("image_scanning_configuration", scanning).desc("Image scanning on push.").max(1))
            .block(NestedBlock::list("image_tag_mutability_exclusion_filter", exclusion).desc("Tags exempt from the repository's tag mutability setting.").max(5))
            .timeouts(&["delete"]),
    ).desc("Manages an ECR repository.")
}

/// ECR repository names: 2-256 characters, lowercase, `/`-separated components of alphanumeric
/// runs joined by single `.`, `_` or `-`.
pub fn check_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if !(2..=256).contains(&n) {
        return Err(format!(
            "must be between 2 and 256 characters long, got {n}"
        ));
    }
    for component in name.split('/') {
        let mut prev_sep = true; // a component must start with [a-z0-9]
        for c in component.chars() {
            match c {
                'a'..='z' | '0'..='9' => prev_sep = false,
                '.' | '_' | '-' if !prev_sep => prev_sep = true,
                _ => {
                    return Err(format!(
                        "{name:?} is not a valid repository name: use lowercase letters and digits, separated by single '.', '_' or '-', in '/'-separated components that start and end with a letter or digit"
                    ))
                }
            }
        }
        if prev_sep {
            return Err(format!("{name:?} is not a valid repository name: every '/'-separated component must be non-empty and end with a lowercase letter or digit"));
        }
    }
    Ok(())
}

fn name_validator() -> crate::framework::schema::Validator {
    Arc::new(|v, path, diags| {
        if let Some(Err(msg)) = v.as_str().map(check_name) {
            diags.invalid(path.clone(), msg);
        }
    })
}

async fn find(
    ecr: &Client,
    name: &str,
    registry_id: Option<&str>,
) -> Result<Option<Repository>, SdkError<DescribeRepositoriesError>> {
    match ecr
        .describe_repositories()
        .repository_names(name)
        .set_registry_id(registry_id.map(str::to_string))
        .send()
        .await
    {
        Ok(out) => Ok(out
            .repositories()
            .iter()
            .find(|r| r.repository_name() == Some(name))
            .cloned()),
        Err(e) if errors::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn exclusion_filters(v: &Value) -> Vec<ImageTagMutabilityExclusionFilter> {
    v.get("image_tag_mutability_exclusion_filter")
        .elements()
        .iter()
        .filter_map(|f| {
            ImageTagMutabilityExclusionFilter::builder()
                .filter(f.str("filter")?)
                .filter_type(ImageTagMutabilityExclusionFilterType::from(
                    f.str("filter_type")?,
                ))
                .build()
                .ok()
        })
        .collect()
}

async fn read_state(
    ecr: &Client,
    repo: &Repository,
    prior: &Value,
    clients: &AwsClients,
    region: &str,
) -> Result<Value, Diagnostic> {
    let name = repo.repository_name().unwrap_or_default();
    let arn = repo.repository_arn().unwrap_or_default();
    let listed = ecr
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| errors::aws_diag(&format!("listing tags for {KIND}"), name, &e))?;
    Ok(repository_state(
        repo,
        &tags::from_ecr(listed.tags()),
        prior,
        clients,
        region,
    ))
}

/// The state from a repository and its tags, as already read (or as just sent, on create).
fn repository_state(
    repo: &Repository,
    all_tags: &tags::Tags,
    prior: &Value,
    clients: &AwsClients,
    region: &str,
) -> Value {
    let name = repo.repository_name().unwrap_or_default();
    let arn = repo.repository_arn().unwrap_or_default();
    let (tags, tags_all) = tags::split_read(all_tags, clients.default_tags(), prior.get("tags"));

    let scan = repo
        .image_scanning_configuration()
        .map(|c| c.scan_on_push())
        .unwrap_or(false);
    let scanning = if !prior
        .get("image_scanning_configuration")
        .elements()
        .is_empty()
        || scan
    {
        Value::List(vec![Value::object([("scan_on_push", Value::Bool(scan))])])
    } else {
        Value::List(vec![])
    };
    let enc = repo.encryption_configuration();
    let enc_type = enc
        .map(|e| e.encryption_type().as_str().to_string())
        .unwrap_or_else(|| "AES256".into());
    let encryption =
        if !prior.get("encryption_configuration").elements().is_empty() || enc_type != "AES256" {
            Value::List(vec![Value::object([
                ("encryption_type", Value::from(enc_type)),
                ("kms_key", Value::opt_string(enc.and_then(|e| e.kms_key()))),
            ])])
        } else {
            Value::List(vec![])
        };
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
    Value::object([
        ("arn", Value::from(arn)),
        ("force_delete", prior.get("force_delete").clone()),
        ("id", Value::from(name)),
        (
            "image_tag_mutability",
            Value::from(
                repo.image_tag_mutability()
                    .map(|m| m.as_str())
                    .unwrap_or("MUTABLE"),
            ),
        ),
        ("name", Value::from(name)),
        ("region", Value::from(region)),
        ("registry_id", Value::opt_string(repo.registry_id())),
        ("repository_url", Value::opt_string(repo.repository_uri())),
        ("tags", tags),
        ("tags_all", tags_all),
        ("encryption_configuration", encryption),
        ("image_scanning_configuration", scanning),
        (
            "image_tag_mutability_exclusion_filter",
            Value::List(filters),
        ),
        ("timeouts", prior.get("timeouts").clone()),
    ])
}

/// Reads the repository right after a write, retrying "not found" briefly.
async fn read_fresh(
    ctx: &Ctx<AwsClients>,
    reference: &Value,
    name: &str,
) -> Result<Value, Diagnostic> {
    let set = ctx.client.regional(reference);
    let ecr = set.ecr();
    let repo = retry::retry_when(
        &ctx.stop,
        "reading the new repository",
        PROPAGATION_TIMEOUT,
        errors::is_not_found,
        || async {
            let out = ecr
                .describe_repositories()
                .repository_names(name)
                .send()
                .await?;
            out.repositories().first().cloned().ok_or_else(|| {
                SdkError::construction_failure("DescribeRepositories returned no repository")
            })
        },
    )
    .await
    .map_err(|e| e.diag(&format!("reading {KIND}"), name))?;
    read_state(ecr, &repo, reference, &ctx.client, set.region()).await
}

#[async_trait]
impl Resource<AwsClients> for EcrRepository {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// hashicorp/aws reads both configuration blocks into state even when unconfigured (and
    /// suppresses the diff). Here a block in state is one the configuration has, so AWS's
    /// defaults (AES256 without a key, no scan on push) are dropped: kept, they would plan a
    /// replacement for a configuration that leaves the blocks out.
    fn adapt_twin_state(&self, _: i64, state: &mut serde_json::Value, _: &mut Diagnostics) {
        let empty = |v: &serde_json::Value| v.is_null() || v == "";
        let Some(m) = state.as_object_mut() else {
            return;
        };
        let only = |m: &serde_json::Map<String, serde_json::Value>, name: &str| {
            m.get(name)
                .and_then(|v| v.as_array())
                .filter(|a| a.len() == 1)
                .map(|a| a[0].clone())
        };
        if only(m, "encryption_configuration")
            .is_some_and(|e| e["encryption_type"] == "AES256" && empty(&e["kms_key"]))
        {
            m.insert("encryption_configuration".into(), serde_json::json!([]));
        }
        if only(m, "image_scanning_configuration").is_some_and(|e| e["scan_on_push"] == false) {
            m.insert("image_scanning_configuration".into(), serde_json::json!([]));
        }
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let mutability = config.get("image_tag_mutability");
        let filters = config.get("image_tag_mutability_exclusion_filter");
        if !mutability.is_known() || !filters.is_known() {
            return;
        }
        let with_exclusion = mutability
            .as_str()
            .is_some_and(|m| m.ends_with("_WITH_EXCLUSION"));
        if !filters.elements().is_empty() && !with_exclusion {
            diags.invalid(
                AttrPath::attr("image_tag_mutability_exclusion_filter"),
                "exclusion filters need image_tag_mutability = \"IMMUTABLE_WITH_EXCLUSION\" or \"MUTABLE_WITH_EXCLUSION\"",
            );
        }
        if with_exclusion && filters.elements().is_empty() {
            diags.invalid(AttrPath::attr("image_tag_mutability"), "a *_WITH_EXCLUSION mutability needs at least one image_tag_mutability_exclusion_filter block");
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx<AwsClients>,
        req: &PlanRequest<'_>,
        plan: &mut Plan,
        _diags: &mut Diagnostics,
    ) {
        plan_region(&ctx.client, req.config, plan);
        tags::plan_tags_all(ctx.client.default_tags(), req.config, plan);
    }

    async fn create(&self, ctx: &Ctx<AwsClients>, planned: &Value) -> ApplyResult {
        let name = planned.str("name").unwrap_or_default().to_string();
        let set = ctx.client.regional(planned);
        let all_tags = tags::from_planned(planned);
        let mut req = set
            .ecr()
            .create_repository()
            .repository_name(&name)
            .set_image_tag_mutability(
                planned
                    .str("image_tag_mutability")
                    .map(ImageTagMutability::from),
            )
            .set_tags((!all_tags.is_empty()).then(|| tags::to_ecr(&all_tags)));
        let filters = exclusion_filters(planned);
        if !filters.is_empty() {
            req = req.set_image_tag_mutability_exclusion_filters(Some(filters));
        }
        if let Some(scan) = planned.block("image_scanning_configuration") {
            req = req.image_scanning_configuration(
                ImageScanningConfiguration::builder()
                    .set_scan_on_push(scan.bool("scan_on_push"))
                    .build(),
            );
        }
        if let Some(enc) = planned.block("encryption_configuration") {
            let built = EncryptionConfiguration::builder()
                .encryption_type(EncryptionType::from(
                    enc.str("encryption_type").unwrap_or("AES256"),
                ))
                .set_kms_key(enc.str("kms_key").map(str::to_string))
                .build();
            match built {
                Ok(c) => req = req.encryption_configuration(c),
                Err(e) => {
                    return Err(Diagnostic::error(
                        format!("creating {KIND} ({name})"),
                        e.to_string(),
                    )
                    .at(AttrPath::attr("encryption_configuration"))
                    .into())
                }
            }
        }
        let unanswered = retry::UnansweredAttempts::new();
        let created = match req.customize().interceptor(unanswered.clone()).send().await {
            Ok(out) => out.repository,
            Err(e) if unanswered.explains(&e, "RepositoryAlreadyExistsException") => None,
            Err(e) => {
                return Err(errors::aws_diag(&format!("creating {KIND}"), &name, &e).into());
            }
        };
        // CreateRepository answers with the repository as stored (ARN, registry, URI, mutability,
        // scanning, encryption, exclusion filters) and tags it with exactly the tags sent, so the
        // answer plus those tags is the state. A lost reply (adopted above) has no answer: read.
        if let Some(repo) = created.filter(|r| r.repository_arn().is_some()) {
            return Ok(repository_state(
                &repo,
                &all_tags,
                planned,
                &ctx.client,
                set.region(),
            ));
        }

        let mut partial = planned.clone();
        partial.set("id", Value::from(name.as_str()));
        read_fresh(ctx, planned, &name)
            .await
            .map_err(|d| ApplyError::with_state(d, partial))
    }

    async fn read(
        &self,
        ctx: &Ctx<AwsClients>,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(name) = state.str("id").or_else(|| state.str("name")) else {
            return Err(Diagnostic::error(
                format!("Invalid {KIND} state"),
                "the state has no repository name (id)",
            )
            .into());
        };
        let set = ctx.client.regional(state);
        let repo = find(set.ecr(), name, state.str("registry_id"))
            .await
            .map_err(|e| errors::aws_diag(&format!("reading {KIND}"), name, &e))?;
        let Some(repo) = repo else {
            log_warn!(
                "ECR Repository not found, removing from state",
                "name" = name
            );
            return Ok(None);
        };
        Ok(Some(
            read_state(set.ecr(), &repo, state, &ctx.client, set.region()).await?,
        ))
    }

    async fn update(&self, ctx: &Ctx<AwsClients>, prior: &Value, planned: &Value) -> ApplyResult {
        let name = prior
            .str("id")
            .or_else(|| prior.str("name"))
            .unwrap_or_default()
            .to_string();
        let set = ctx.client.regional(prior);
        let ecr = set.ecr();
        let registry = prior.str("registry_id").map(str::to_string);
        let changed = |k: &str| !prior.get(k).equivalent(planned.get(k));

        if changed("image_tag_mutability") || changed("image_tag_mutability_exclusion_filter") {
            let filters = exclusion_filters(planned);
            ecr.put_image_tag_mutability()
                .repository_name(&name)
                .set_registry_id(registry.clone())
                .set_image_tag_mutability(
                    planned
                        .str("image_tag_mutability")
                        .map(ImageTagMutability::from),
                )
                .set_image_tag_mutability_exclusion_filters(
                    (!filters.is_empty()).then_some(filters),
                )
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        &format!("updating {KIND} image tag mutability"),
                        &name,
                        &e,
                        AttrPath::attr("image_tag_mutability"),
                    )
                })?;
        }
        if changed("image_scanning_configuration") {
            let scan = planned
                .block("image_scanning_configuration")
                .and_then(|b| b.bool("scan_on_push"))
                .unwrap_or(false);
            ecr.put_image_scanning_configuration()
                .repository_name(&name)
                .set_registry_id(registry.clone())
                .image_scanning_configuration(
                    ImageScanningConfiguration::builder()
                        .scan_on_push(scan)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| {
                    errors::aws_diag_at(
                        &format!("updating {KIND} image scanning configuration"),
                        &name,
                        &e,
                        AttrPath::attr("image_scanning_configuration"),
                    )
                })?;
        }
        if changed("tags_all") {
            let arn = prior.str("arn").unwrap_or_default();
            let diff = tags::diff(
                &prior.string_pairs("tags_all"),
                &tags::from_planned(planned),
            );
            if !diff.remove.is_empty() {
                ecr.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(diff.remove.clone()))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("untagging {KIND}"),
                            &name,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
            if !diff.upsert.is_empty() {
                ecr.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(tags::to_ecr(&diff.upsert)))
                    .send()
                    .await
                    .map_err(|e| {
                        errors::aws_diag_at(
                            &format!("tagging {KIND}"),
                            &name,
                            &e,
                            AttrPath::attr("tags"),
                        )
                    })?;
            }
        }
        Ok(read_fresh(ctx, planned, &name).await?)
    }

    async fn delete(&self, ctx: &Ctx<AwsClients>, prior: &Value) -> Result<(), Diagnostics> {
        let Some(name) = prior.str("id").or_else(|| prior.str("name")) else {
            return Ok(());
        };
        let set = ctx.client.regional(prior);
        let ecr = set.ecr();
        let registry = prior.str("registry_id").map(str::to_string);
        let force = prior.bool("force_delete").unwrap_or(false);
        match ecr.delete_repository().repository_name(name).set_registry_id(registry.clone()).force(force).send().await {
            Ok(_) => {}
            Err(e) if errors::is_not_found(&e) => return Ok(()),
            Err(e) if errors::has_code(&e, "RepositoryNotEmptyException") => {
                return Err(Diagnostic::error(
                    format!("deleting {KIND} ({name})"),
                    format!("{}. The repository still contains images: set force_delete = true and apply it before destroying, or delete the images first.", errors::describe(&e)),
                )
                .at(AttrPath::attr("force_delete"))
                .into())
            }
            Err(e) => return Err(errors::aws_diag(&format!("deleting {KIND}"), name, &e).into()),
        }
        let budget = timeout(prior, "delete", DELETE_TIMEOUT);
        retry::wait_until(
            &ctx.stop,
            "waiting for the repository to be deleted",
            WaitPolicy::new(budget),
            || async {
                Ok::<_, SdkError<DescribeRepositoriesError>>(
                    match find(ecr, name, registry.as_deref()).await? {
                        None => Poll::Ready(()),
                        Some(_) => Poll::Pending("exists".into()),
                    },
                )
            },
        )
        .await
        .map_err(|e| e.diag(&format!("deleting {KIND}"), name).into())
    }

    async fn import(&self, ctx: &Ctx<AwsClients>, id: &str) -> Result<Value, Diagnostics> {
        let (name, region) = split_import_region(id.trim());
        if let Err(msg) = check_name(name) {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected an ECR repository name (optionally name@region): {msg}"),
            )
            .into());
        }
        let region = region.unwrap_or(ctx.client.region());
        Ok(Value::object([
            ("id", Value::from(name)),
            ("name", Value::from(name)),
            ("region", Value::from(region)),
        ]))
    }
}

pub fn resource() -> Arc<dyn Resource<AwsClients>> {
    Arc::new(EcrRepository)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    #[test]
    fn repository_names_follow_ecr_rules() {
        for ok in [
            "ab",
            "my-app",
            "team/app",
            "a.b_c-d/e1",
            "x0/y0/z0",
            &"a".repeat(256),
        ] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "a",
            "My-App",
            "-app",
            "app-",
            "a--b",
            "a_.b",
            "/app",
            "app/",
            "a//b",
            "app name",
            &"a".repeat(257),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn plan_time_validation_names_the_attribute() {
        let b = schema().block;
        let cfg = |pairs: Vec<(&str, Value)>| b.conform(Value::object(pairs));
        let mut d = Diagnostics::new();
        validate_object(
            &b,
            &cfg(vec![("name", "Bad_Name".into())]),
            &AttrPath::root(),
            &mut d,
        );
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path, Some(AttrPath::attr("name")));

        let mut d = Diagnostics::new();
        let filter = Value::List(vec![Value::object([
            ("filter", "latest*".into()),
            ("filter_type", "WILDCARD".into()),
        ])]);
        EcrRepository.validate(
            &cfg(vec![
                ("name", "ok".into()),
                ("image_tag_mutability", "IMMUTABLE".into()),
                ("image_tag_mutability_exclusion_filter", filter.clone()),
            ]),
            &mut d,
        );
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("image_tag_mutability_exclusion_filter")),
            "{d}"
        );
        let mut d = Diagnostics::new();
        EcrRepository.validate(
            &cfg(vec![
                ("name", "ok".into()),
                ("image_tag_mutability", "IMMUTABLE_WITH_EXCLUSION".into()),
                ("image_tag_mutability_exclusion_filter", filter),
            ]),
            &mut d,
        );
        assert!(d.is_empty(), "{d}");
        let mut d = Diagnostics::new();
        validate_object(
            &b,
            &cfg(vec![
                ("name", "ok".into()),
                ("image_tag_mutability", "SOMETIMES".into()),
            ]),
            &AttrPath::root(),
            &mut d,
        );
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("image_tag_mutability")),
            "{d}"
        );
    }

    #[test]
    fn schema_matches_the_twin() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "arn",
                "force_delete",
                "id",
                "image_tag_mutability",
                "name",
                "region",
                "registry_id",
                "repository_url",
                "tags",
                "tags_all"
            ]
        );
        let blocks: Vec<&str> = s.block.blocks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            blocks,
            [
                "encryption_configuration",
                "image_scanning_configuration",
                "image_tag_mutability_exclusion_filter",
                "timeouts"
            ]
        );
        assert!(
            s.block
                .nested("encryption_configuration")
                .unwrap()
                .force_new
        );
        assert!(s.block.attribute("force_delete").unwrap().client_side);
        assert_eq!(
            s.block.attribute("image_tag_mutability").unwrap().default,
            Some(Value::from("MUTABLE"))
        );
    }

    #[tokio::test]
    async fn import_ids_are_names_with_an_optional_region() {
        let ctx = crate::resources::testing::offline_ctx();
        let v = EcrRepository.import(&ctx, "team/app").await.unwrap();
        assert_eq!(
            (v.str("id"), v.str("region")),
            (Some("team/app"), Some("us-east-1"))
        );
        let v = EcrRepository
            .import(&ctx, "team/app@eu-west-1")
            .await
            .unwrap();
        assert_eq!(
            (v.str("name"), v.str("region")),
            (Some("team/app"), Some("eu-west-1"))
        );
        assert!(EcrRepository.import(&ctx, "Team/App").await.is_err());
    }
}
