//! Framework types ↔ tfplugin5 messages: schemas, diagnostics, attribute paths, dynamic values.

use crate::framework::diag::{AttrPath, Diagnostic, Diagnostics, PathStep, Severity};
use crate::framework::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::framework::{Type, Value};

use super::codec::{decode_json, decode_msgpack, encode_msgpack};
use super::proto;

pub fn schema(s: &Schema) -> proto::Schema {
    proto::Schema {
        version: s.version,
        block: Some(block(&s.block)),
    }
}

fn block(b: &Block) -> proto::schema::Block {
    proto::schema::Block {
        version: 0,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(nested).collect(),
        description: b.description.clone(),
        description_kind: proto::StringKind::Markdown as i32,
        deprecated: b.deprecation.is_some(),
        deprecation_message: b.deprecation.clone().unwrap_or_default(),
    }
}

fn attribute(a: &Attribute) -> proto::schema::Attribute {
    proto::schema::Attribute {
        name: a.name.clone(),
        r#type: a.ty.to_json().to_string().into_bytes(),
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: proto::StringKind::Markdown as i32,
        deprecated: a.deprecation.is_some(),
        write_only: false,
        deprecation_message: a.deprecation.clone().unwrap_or_default(),
    }
}

fn nested(n: &NestedBlock) -> proto::schema::NestedBlock {
    use proto::schema::nested_block::NestingMode;
    let nesting = match n.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::Group => NestingMode::Group,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    proto::schema::NestedBlock {
        type_name: n.name.clone(),
        block: Some(block(&n.block)),
        nesting: nesting as i32,
        min_items: n.min_items,
        max_items: n.max_items,
    }
}

pub fn path(p: &AttrPath) -> proto::AttributePath {
    use proto::attribute_path::step::Selector;
    proto::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| proto::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub fn diagnostics(d: &Diagnostics) -> Vec<proto::Diagnostic> {
    d.0.iter().map(diagnostic).collect()
}

fn diagnostic(d: &Diagnostic) -> proto::Diagnostic {
    proto::Diagnostic {
        severity: match d.severity {
            Severity::Error => proto::diagnostic::Severity::Error as i32,
            Severity::Warning => proto::diagnostic::Severity::Warning as i32,
        },
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.path.as_ref().filter(|p| !p.is_root()).map(path),
    }
}

/// Decodes a DynamicValue: msgpack when present, else JSON, else null.
pub fn decode(
    dv: Option<&proto::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let result = if !dv.msgpack.is_empty() {
        decode_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        match serde_json::from_slice::<serde_json::Value>(&dv.json) {
            Ok(j) => decode_json(&j, ty),
            Err(e) => Err(super::codec::DecodeError {
                path: String::new(),
                message: e.to_string(),
            }),
        }
    } else {
        Ok(Value::Null)
    };
    result.map_err(|e| {
        let mut d = Diagnostics::new();
        d.error(
            format!("Invalid {what}"),
            format!("The provider could not decode the {what} sent by Terraform: {e}"),
        );
        d
    })
}

pub fn encode(v: &Value) -> Option<proto::DynamicValue> {
    Some(proto::DynamicValue {
        msgpack: encode_msgpack(v),
        json: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Attribute, Block, NestedBlock};

    #[test]
    fn schema_carries_types_flags_and_nesting() {
        let s = Schema::new(
            Block::new()
                .attr(Attribute::string("name").required())
                .attr(Attribute::string("old").optional().deprecated("use name"))
                .block(
                    NestedBlock::list("rule", Block::new().attr(Attribute::number("n").optional()))
                        .max(1),
                ),
        );
        let p = schema(&s);
        let b = p.block.unwrap();
        assert_eq!(b.attributes[0].r#type, b"\"string\"");
        assert!(b.attributes[0].required);
        assert!(b.attributes[1].deprecated);
        assert_eq!(b.block_types[0].max_items, 1);
        assert_eq!(
            b.block_types[0].nesting,
            proto::schema::nested_block::NestingMode::List as i32
        );
    }

    #[test]
    fn diagnostics_keep_paths() {
        let mut d = Diagnostics::new();
        d.invalid(AttrPath::attr("statement").index(2).then("sid"), "bad");
        let p = diagnostics(&d);
        assert_eq!(p[0].attribute.as_ref().unwrap().steps.len(), 3);
        assert_eq!(p[0].severity, proto::diagnostic::Severity::Error as i32);
    }

    #[test]
    fn empty_dynamic_value_is_null_and_bad_bytes_are_a_diagnostic() {
        let dv = proto::DynamicValue::default();
        assert_eq!(
            decode(Some(&dv), &Type::String, "config").unwrap(),
            Value::Null
        );
        let bad = proto::DynamicValue {
            msgpack: vec![0xc3],
            json: vec![],
        };
        assert!(decode(Some(&bad), &Type::String, "config")
            .unwrap_err()
            .has_errors());
    }
}
