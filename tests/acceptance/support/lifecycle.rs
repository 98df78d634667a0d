//! The standard acceptance cycle every resource goes through (what terraform-plugin-testing does
//! for hashicorp/aws): apply and verify through the API, re-plan empty without mutating calls,
//! import into a fresh state and re-plan empty, compare the imported state, delete out of band and
//! expect a planned create, converge, destroy and verify gone.

use serde_json::Value;

use super::Workdir;

/// What a resource's test supplies. Closures get the resource's attributes from state.
pub struct Lifecycle<'a> {
    /// The whole `main.tf` (use [`super::config`]).
    pub config: String,
    /// The resource under test, e.g. `awsecs_iam_role.r`.
    pub address: &'a str,
    /// The import ID built from state (e.g. the name, `cluster/service`, an ARN).
    pub import_id: &'a dyn Fn(&Value) -> String,
    /// Whether the object exists, asked of the API (never of terraform).
    pub exists: &'a dyn Fn(&Value) -> bool,
    /// Deletes the object behind terraform's back. `None` skips that step (say why in the test).
    pub delete_out_of_band: Option<&'a dyn Fn(&Value)>,
    /// Attributes the API never returns (client-side, e.g. `force_delete`) that the import check ignores.
    pub import_ignore: &'a [&'a str],
}

impl Lifecycle<'_> {
    /// Runs every step; returns the workdir (destroyed) for extra assertions.
    #[track_caller]
    pub fn run(self) -> Workdir {
        let tf = Workdir::new(&self.config);
        tf.apply();
        let created = tf.state_show(self.address);
        assert!(
            (self.exists)(&created),
            "{} was applied but the API does not show it",
            self.address
        );

        // A refresh + plan right after apply: nothing to do, and no write to AWS.
        tf.assert_no_mutating_calls(|| tf.assert_no_changes());

        // Import into a fresh state: same attributes, and still nothing to do.
        let id = (self.import_id)(&created);
        tf.cmd(&["state", "rm", self.address]).success();
        tf.assert_no_mutating_calls(|| tf.import(self.address, &id));
        let imported = tf.state_show(self.address);
        assert_same_attributes(&created, &imported, self.import_ignore, self.address);
        let changed = tf.planned_attribute_changes();
        let unexpected: Vec<&String> = changed
            .iter()
            .filter(|c| {
                !self
                    .import_ignore
                    .iter()
                    .any(|i| c.ends_with(&format!(".{i}")))
            })
            .collect();
        assert!(
            unexpected.is_empty(),
            "{}: after import the plan changes {unexpected:?} (only client-side {:?} may differ)",
            self.address,
            self.import_ignore
        );
        // Client-side attributes that differ after import are restored by one apply (no API write).
        if !changed.is_empty() {
            tf.apply();
        }

        // Deleted behind terraform's back: the next plan creates it again, and apply converges.
        if let Some(delete) = self.delete_out_of_band {
            delete(&created);
            assert!(
                !(self.exists)(&created),
                "out-of-band delete of {} did not take",
                self.address
            );
            let plan = tf.assert_changes();
            let shown = format!("{}{}", plan.stdout, plan.stderr);
            assert!(
                shown.contains(&format!("{} will be created", self.address)),
                "expected a planned create of {}:\n{plan}",
                self.address
            );
            tf.apply();
            tf.assert_no_changes();
        }

        let last = tf.state_show(self.address);
        tf.destroy();
        assert!(
            !(self.exists)(&last),
            "{} still exists after destroy",
            self.address
        );
        tf
    }
}

/// Imported state must match created state, except for the ignored (client-side) attributes.
#[track_caller]
pub fn assert_same_attributes(created: &Value, imported: &Value, ignore: &[&str], address: &str) {
    let (Some(a), Some(b)) = (created.as_object(), imported.as_object()) else {
        panic!("{address}: state is not an object");
    };
    let mut diffs = Vec::new();
    for (k, v) in a {
        if ignore.contains(&k.as_str()) || k == "timeouts" {
            continue;
        }
        if b.get(k) != Some(v) {
            diffs.push(format!(
                "  {k}: created {v} / imported {}",
                b.get(k).unwrap_or(&Value::Null)
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{address}: imported state differs from created state:\n{}",
        diffs.join("\n")
    );
}
