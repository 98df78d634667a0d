//! EC2 tags: the SDK's tag lists ↔ [`Tags`] maps, tag specifications for create calls (so an
//! object is never visible untagged), and the CreateTags/DeleteTags pair an update needs.

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use aws_sdk_ec2::Client;

use super::errors;
use super::tags::{self, Tags};
use crate::framework::{AttrPath, Diagnostic};

pub fn to_ec2(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

pub fn from_ec2(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// A tag specification for a create call, or None when there is nothing to tag.
pub fn specification(resource_type: ResourceType, tags: &Tags) -> Option<TagSpecification> {
    (!tags.is_empty()).then(|| {
        TagSpecification::builder()
            .resource_type(resource_type)
            .set_tags(Some(to_ec2(tags)))
            .build()
    })
}

/// Brings the tags of `resource_id` from `old` to `new`: removed keys first, then new or changed
/// values. `kind` names the object in errors ("EC2 Launch Template").
pub async fn update(
    ec2: &Client,
    kind: &str,
    resource_id: &str,
    old: &Tags,
    new: &Tags,
) -> Result<(), Diagnostic> {
    let diff = tags::diff(old, new);
    if !diff.remove.is_empty() {
        let keys = diff
            .remove
            .iter()
            .map(|k| Tag::builder().key(k).build())
            .collect();
        ec2.delete_tags()
            .resources(resource_id)
            .set_tags(Some(keys))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(
                    &format!("untagging {kind}"),
                    resource_id,
                    &e,
                    AttrPath::attr("tags"),
                )
            })?;
    }
    if !diff.upsert.is_empty() {
        ec2.create_tags()
            .resources(resource_id)
            .set_tags(Some(to_ec2(&diff.upsert)))
            .send()
            .await
            .map_err(|e| {
                errors::aws_diag_at(
                    &format!("tagging {kind}"),
                    resource_id,
                    &e,
                    AttrPath::attr("tags"),
                )
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists_round_trip_and_empty_needs_no_specification() {
        let t: Tags = [("a".to_string(), "1".to_string()), ("b".into(), "".into())].into();
        assert_eq!(from_ec2(&to_ec2(&t)), t);
        assert!(specification(ResourceType::SecurityGroup, &Tags::new()).is_none());
        let spec = specification(ResourceType::SecurityGroup, &t).unwrap();
        assert_eq!(spec.resource_type(), Some(&ResourceType::SecurityGroup));
        assert_eq!(spec.tags().len(), 2);
    }
}
