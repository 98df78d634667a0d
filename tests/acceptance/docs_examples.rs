//! The registry docs' examples (`examples/provider`, `examples/resources/*/resource.tf`,
//! `examples/data-sources/*/data-source.tf`) are valid configurations: `terraform validate`
//! accepts each against the provider's real schema. No AWS calls are made.

use std::path::{Path, PathBuf};

use crate::support::*;

/// Every example file, with the provider header it needs (the provider example has its own).
fn examples() -> Vec<(PathBuf, String)> {
    let root = repo_root().join("examples");
    let mut out = vec![(
        root.join("provider/provider.tf"),
        read(&root.join("provider/provider.tf")),
    )];
    for (dir, file) in [
        ("resources", "resource.tf"),
        ("data-sources", "data-source.tf"),
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("read examples/{dir}: {e}"))
            .flatten()
            .map(|e| e.path().join(file))
            .collect();
        entries.sort();
        for path in entries {
            let body = read(&path);
            out.push((path, config(&body)));
        }
    }
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn every_docs_example_passes_terraform_validate() {
    let examples = examples();
    assert!(
        examples.len() > 30,
        "only {} examples found",
        examples.len()
    );
    let mut failures = Vec::new();
    for (path, main_tf) in &examples {
        let tf = Workdir::new(main_tf);
        let out = tf.cmd(&["validate", "-no-color"]).run();
        if out.code != 0 {
            failures.push(format!("{}:\n{out}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples are invalid:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

/// The check above can fail: a misspelt argument is rejected by validate.
#[test]
fn terraform_validate_rejects_an_unknown_argument() {
    let tf = Workdir::new(&config(
        r#"resource "awsecs_ecr_repository" "example" { nam = "app" }"#,
    ));
    let out = tf.cmd(&["validate", "-no-color"]).failure();
    assert!(out.stderr.contains("Unsupported argument"), "{out}");
}
