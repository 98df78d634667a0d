//! Argument rules shared by the IAM resources added after the role: names and name prefixes,
//! IAM paths and policy-document attributes, each checked at plan time with the attribute path.

use std::sync::Arc;

use crate::aws::{names, policy};
use crate::framework::schema::Validator;
use crate::framework::Attribute;

/// IAM entity names (policies, instance profiles, inline policies): letters, digits, `+=,.@_-`.
pub fn iam_name(max: usize) -> Validator {
    names::validator(max, "letters, digits and +=,.@_-", names::iam_name_char)
}

/// `name` and `name_prefix` as hashicorp/aws declares them for IAM objects: both optional +
/// computed, replacing the object when changed, mutually exclusive; the prefix leaves room for
/// the 26-character unique suffix.
pub fn name_attributes(max: usize) -> [Attribute; 2] {
    [
        Attribute::string("name")
            .optional_computed()
            .force_new()
            .conflicts_with(&["name_prefix"])
            .validate(iam_name(max))
            .desc("Name; generated from name_prefix (or \"terraform-\") when unset."),
        Attribute::string("name_prefix")
            .optional_computed()
            .force_new()
            .conflicts_with(&["name"])
            .validate(iam_name(max - names::UNIQUE_SUFFIX_LEN))
            .desc("Creates a unique name beginning with this prefix."),
    ]
}

/// An IAM path: `/`, or `/`-delimited like `/division/team/`, 1 to 512 printable ASCII
/// characters (AWS's pattern `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`).
pub fn iam_path() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let problem = if s.is_empty() || s.len() > 512 {
            Some(format!(
                "must be between 1 and 512 characters long, got {}",
                s.chars().count()
            ))
        } else if !s.starts_with('/') || !s.ends_with('/') {
            Some(format!(
                "{s:?} must begin and end with '/', e.g. \"/\" or \"/ecs/\""
            ))
        } else {
            s.chars()
                .find(|c| !('\u{21}'..='\u{7e}').contains(c))
                .map(|c| format!("{s:?} contains {c:?}; only printable ASCII characters other than space are allowed"))
        };
        if let Some(p) = problem {
            diags.invalid(path.clone(), p);
        }
    })
}

/// An attribute holding an IAM policy document: validated as JSON object at plan time, compared
/// semantically (a reformatted or re-ordered policy is not a change).
pub fn policy_document(name: &str) -> Attribute {
    let mut a = Attribute::string(name).equivalent_when(policy::equivalent_values);
    for v in policy::validators() {
        a = a.validate(v);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{validators, AttrPath, Diagnostics, Value};

    fn run(v: &Validator, s: &str) -> Diagnostics {
        let mut d = Diagnostics::new();
        validators::check(v, &Value::from(s), AttrPath::attr("path"), &mut d);
        d
    }

    #[test]
    fn iam_paths() {
        for ok in ["/", "/ecs/", "/a/b-c_d/", "/~!/"] {
            assert!(run(&iam_path(), ok).is_empty(), "{ok}");
        }
        for (bad, why) in [
            ("", "between 1 and 512"),
            ("ecs/", "begin and end"),
            ("/ecs", "begin and end"),
            ("/a b/", "' '"),
            ("/é/", "printable ASCII"),
            (&format!("/{}/", "a".repeat(511)), "512"),
        ] {
            let d = run(&iam_path(), bad);
            assert!(d.has_errors() && d.0[0].detail.contains(why), "{bad}: {d}");
            assert_eq!(d.0[0].path, Some(AttrPath::attr("path")));
        }
    }

    #[test]
    fn prefix_leaves_room_for_the_suffix() {
        let [name, prefix] = name_attributes(128);
        let long = |n: usize| "a".repeat(n);
        assert!(run(&name.validators[0], &long(128)).is_empty());
        assert!(run(&name.validators[0], &long(129)).has_errors());
        assert!(run(&prefix.validators[0], &long(102)).is_empty());
        assert!(run(&prefix.validators[0], &long(103)).has_errors());
        assert!(name.force_new && prefix.force_new && name.computed && prefix.optional);
    }
}
