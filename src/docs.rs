//! The provider's registry docs (`docs/`): the framework renders each page from the live schema;
//! this module adds what a schema cannot say — the AWS service a type belongs to, the example
//! configurations and import IDs under `examples/`, and the index page's prose.
//!
//! `cargo test --lib docs` fails when a committed page differs from what the schema renders;
//! `AWSECS_UPDATE_DOCS=1 cargo test --lib docs` (or `bash scripts/docs`) rewrites them.

use std::path::{Path, PathBuf};

use crate::framework::docs::{
    render_index, render_page, ImportDoc, IndexEntry, IndexPage, Page, PageKind,
};
use crate::framework::Schema;

/// The prefix of every type name; registry file names go without it.
pub const TYPE_PREFIX: &str = "awsecs_";
const PROVIDER_BINARY: &str = "terraform-provider-awsecs";

/// The registry subcategory (AWS service, spelled as in hashicorp/aws's docs) of a type.
pub fn subcategory(type_name: &str) -> Option<&'static str> {
    let name = type_name.strip_prefix(TYPE_PREFIX)?;
    Some(match name {
        "caller_identity" => "STS (Security Token)",
        "region" => "Meta Data Sources",
        "ssm_parameter" => "SSM (Systems Manager)",
        "launch_template" => "EC2 (Elastic Compute Cloud)",
        "vpc" | "subnets" | "security_group" => "VPC (Virtual Private Cloud)",
        n if n.starts_with("vpc_security_group_") => "VPC (Virtual Private Cloud)",
        n if n.starts_with("iam_") => "IAM (Identity & Access Management)",
        n if n.starts_with("ecr_") => "ECR (Elastic Container Registry)",
        n if n.starts_with("ecs_") => "ECS (Elastic Container)",
        n if n.starts_with("autoscaling_") => "Auto Scaling",
        n if n.starts_with("service_discovery_") => "Cloud Map",
        n if n.starts_with("lb") => "ELB (Elastic Load Balancing)",
        n if n.starts_with("cloudwatch_log_") => "CloudWatch Logs",
        _ => return None,
    })
}

const INDEX_DESCRIPTION: &str =
    "The awsecs provider manages the AWS resources of container stacks on Amazon ECS with \
EC2 capacity: IAM roles and policies, ECR repositories, launch templates, security groups, Auto \
Scaling groups, ECS clusters, capacity providers, task definitions and services, Cloud Map \
namespaces, load balancers and CloudWatch log groups. Each resource mirrors its hashicorp/aws twin \
(`aws_ecs_service` becomes `awsecs_ecs_service`) with the same arguments, attributes, defaults and \
import IDs, so configurations move over by renaming.";

const INDEX_INTRO: &str = r#"## Authentication and Configuration

The provider finds credentials the way the AWS SDKs and CLI do, first match wins:

1. `access_key` and `secret_key` (and `token`) in the `provider "awsecs"` block.
2. The profile named by `profile` (it wins over credentials in the environment, as in hashicorp/aws).
3. Environment variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
4. The shared configuration and credentials files (`~/.aws/config`, `~/.aws/credentials`, or the
   files named by `shared_config_files` / `shared_credentials_files`), with the profile from
   `AWS_PROFILE`, including SSO and `credential_process` profiles.
5. Web identity, container (ECS task role) and instance (EC2 instance profile) credentials.

The region comes from `region`, else `AWS_REGION` or `AWS_DEFAULT_REGION`, else the profile.
With an `assume_role` block the provider first obtains those credentials, then assumes the role.
At configuration time it checks the credentials once with STS `GetCallerIdentity` (unless
`skip_credentials_validation` is set) and reports a missing region or unusable credentials as one
diagnostic on the provider block.

Custom endpoints (e.g. a local emulator) come from the `endpoints` block or from the
`AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` environment variables.

Never put long-lived secret keys in configuration files; prefer profiles, SSO or roles."#;

/// One page to write: where it goes and what it holds.
pub struct RenderedDoc {
    /// Relative to the repository root, e.g. `docs/resources/iam_role.md`.
    pub path: PathBuf,
    pub contents: String,
}

/// What documents a type besides its schema, read from `examples/`.
struct TypeDocs {
    kind: PageKind,
    type_name: &'static str,
    schema: Schema,
}

fn types() -> Vec<TypeDocs> {
    let mut out: Vec<TypeDocs> = crate::resources::resources()
        .iter()
        .map(|r| TypeDocs {
            kind: PageKind::Resource,
            type_name: r.type_name(),
            schema: r.schema(),
        })
        .collect();
    out.extend(crate::resources::data_sources().iter().map(|d| TypeDocs {
        kind: PageKind::DataSource,
        type_name: d.type_name(),
        schema: d.schema(),
    }));
    out.sort_by_key(|t| (t.kind != PageKind::Resource, t.type_name));
    out
}

fn kind_dirs(kind: PageKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        PageKind::Resource => ("resources", "resources", "resource.tf"),
        PageKind::DataSource => ("data-sources", "data-sources", "data-source.tf"),
    }
}

/// The example HCL of a type: `examples/<kind>/<type>/<resource|data-source>.tf`.
pub fn example_path(root: &Path, kind: PageKind, type_name: &str) -> PathBuf {
    let (_, dir, file) = kind_dirs(kind);
    root.join("examples").join(dir).join(type_name).join(file)
}

/// The import example of a resource: `examples/resources/<type>/import.sh`.
pub fn import_path(root: &Path, type_name: &str) -> PathBuf {
    root.join("examples/resources")
        .join(type_name)
        .join("import.sh")
}

pub fn provider_example_path(root: &Path) -> PathBuf {
    root.join("examples/provider/provider.tf")
}

/// Reads an `import.sh`: `#` comment lines describe the ID, then one
/// `terraform import ADDRESS ID` line.
pub fn parse_import(text: &str) -> Result<ImportDoc, String> {
    let mut prose = Vec::new();
    let mut command = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(c) = line.strip_prefix('#') {
            prose.push(c.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("terraform import ") {
            command = Some(rest.trim().to_string());
        } else if !line.is_empty() {
            return Err(format!("unexpected line {line:?}"));
        }
    }
    let command = command.ok_or("no `terraform import ADDRESS ID` line")?;
    let (address, id) = command
        .split_once(' ')
        .ok_or("the import line needs an address and an ID")?;
    let id = id.trim();
    let id = id
        .strip_prefix('\'')
        .and_then(|i| i.strip_suffix('\''))
        .unwrap_or(id);
    if prose.is_empty() {
        return Err("no `#` lines describing the import ID".into());
    }
    Ok(ImportDoc {
        prose: prose.join("\n"),
        address: address.to_string(),
        id: id.to_string(),
    })
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every page rendered from the live schemas and the files under `root/examples`, plus what is
/// missing for the docs to be complete (a page is still rendered without its example or import).
pub fn render_all(root: &Path) -> (Vec<RenderedDoc>, Vec<String>) {
    let mut docs = Vec::new();
    let mut gaps = Vec::new();
    let types = types();
    for t in &types {
        let subcategory = subcategory(t.type_name).unwrap_or_else(|| {
            gaps.push(format!("{}: no subcategory in src/docs.rs", t.type_name));
            ""
        });
        let example = read(&example_path(root, t.kind, t.type_name))
            .map_err(|e| gaps.push(e))
            .ok();
        let declaration = match t.kind {
            PageKind::Resource => format!("resource \"{}\" ", t.type_name),
            PageKind::DataSource => format!("data \"{}\" ", t.type_name),
        };
        if example.as_ref().is_some_and(|e| !e.contains(&declaration)) {
            gaps.push(format!(
                "{}: the example never declares `{declaration}`",
                t.type_name
            ));
        }
        let import = match t.kind {
            PageKind::DataSource => None,
            PageKind::Resource => read(&import_path(root, t.type_name))
                .and_then(|s| parse_import(&s))
                .and_then(|i| match i.address.split_once('.') {
                    Some((ty, _)) if ty == t.type_name => Ok(i),
                    _ => Err(format!(
                        "the address {} is not a {}",
                        i.address, t.type_name
                    )),
                })
                .map_err(|e| gaps.push(format!("{} import.sh: {e}", t.type_name)))
                .ok(),
        };
        let (docs_dir, _, _) = kind_dirs(t.kind);
        docs.push(RenderedDoc {
            path: PathBuf::from(format!("docs/{docs_dir}/{}.md", file_stem(t.type_name))),
            contents: render_page(&Page {
                kind: t.kind,
                type_name: t.type_name,
                provider_binary: PROVIDER_BINARY,
                subcategory,
                schema: &t.schema,
                example: example.as_deref(),
                import: import.as_ref(),
            }),
        });
    }
    let provider_example = read(&provider_example_path(root)).unwrap_or_else(|e| {
        gaps.push(e);
        String::new()
    });
    let entries: Vec<IndexEntry> = types
        .iter()
        .map(|t| IndexEntry {
            kind: t.kind,
            type_name: t.type_name,
            file_stem: file_stem(t.type_name),
            summary: &t.schema.block.description,
        })
        .collect();
    docs.push(RenderedDoc {
        path: PathBuf::from("docs/index.md"),
        contents: render_index(&IndexPage {
            provider_name: "awsecs",
            description: INDEX_DESCRIPTION,
            intro: INDEX_INTRO,
            example: &provider_example,
            schema: &crate::aws::config::schema(),
            entries: &entries,
        }),
    });
    (docs, gaps)
}

fn file_stem(type_name: &str) -> &str {
    type_name.strip_prefix(TYPE_PREFIX).unwrap_or(type_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::docs::missing_descriptions;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn rendered() -> Vec<RenderedDoc> {
        render_all(&root()).0
    }

    /// The committed pages under docs/ (guides excepted) are exactly what the schema renders.
    #[test]
    fn committed_docs_match_the_schema() {
        let root = root();
        let docs = rendered();
        let update = std::env::var("AWSECS_UPDATE_DOCS").is_ok_and(|v| v == "1");
        let mut stale = Vec::new();
        for d in &docs {
            let path = root.join(&d.path);
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &d.contents).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(&d.contents) {
                stale.push(d.path.display().to_string());
            }
        }
        for dir in ["docs/resources", "docs/data-sources"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                let rel = PathBuf::from(dir).join(e.file_name());
                if !docs.iter().any(|d| d.path == rel) {
                    if update {
                        std::fs::remove_file(e.path()).unwrap();
                    } else {
                        stale.push(format!("{} (no such type)", rel.display()));
                    }
                }
            }
        }
        assert!(
            stale.is_empty(),
            "docs are out of date with the schema: {}\nregenerate with `bash scripts/docs` \
             (or `AWSECS_UPDATE_DOCS=1 cargo test --lib docs`) and commit the result",
            stale.join(", ")
        );
    }

    #[test]
    fn every_attribute_and_block_is_described() {
        let mut missing = Vec::new();
        for t in types() {
            for path in missing_descriptions(&t.schema) {
                missing.push(format!("{} {path}", t.type_name));
            }
        }
        for path in missing_descriptions(&crate::aws::config::schema()) {
            if !path.is_empty() {
                missing.push(format!("provider {path}"));
            }
        }
        assert!(
            missing.is_empty(),
            "{} schema entries have no .desc(\"...\"):\n  {}",
            missing.len(),
            missing.join("\n  ")
        );
    }

    /// Every type has an example, a subcategory and (resources) an import section, so the docs
    /// stay complete as types are added.
    #[test]
    fn every_type_has_an_example_and_every_resource_an_import() {
        let (_, gaps) = render_all(&root());
        assert!(
            gaps.is_empty(),
            "docs are incomplete; add these under examples/ (see src/docs.rs):\n  {}",
            gaps.join("\n  ")
        );
    }

    #[test]
    fn missing_examples_and_imports_are_reported_by_path() {
        let (docs, gaps) = render_all(Path::new("/nonexistent"));
        assert_eq!(docs.len(), types().len() + 1, "pages still render");
        for want in [
            "/nonexistent/examples/resources/awsecs_iam_role/resource.tf",
            "/nonexistent/examples/data-sources/awsecs_vpc/data-source.tf",
            "awsecs_iam_role import.sh",
            "/nonexistent/examples/provider/provider.tf",
        ] {
            assert!(
                gaps.iter().any(|g| g.contains(want)),
                "no gap mentions {want}: {gaps:?}"
            );
        }
    }

    #[test]
    fn every_page_is_small_enough_for_the_registry() {
        for d in rendered() {
            assert!(
                d.contents.len() < 500 * 1024,
                "{} is {} bytes; the registry takes at most 500 KB",
                d.path.display(),
                d.contents.len()
            );
        }
    }

    #[test]
    fn import_examples_parse() {
        let imp = parse_import("# The ID is the name.\nterraform import awsecs_x.example 'a b'\n")
            .unwrap();
        assert_eq!(imp.address, "awsecs_x.example");
        assert_eq!(imp.id, "a b");
        assert!(parse_import("terraform import a.b c\n").is_err());
        assert!(parse_import("# prose only\n").is_err());
    }
}
