//! Schemas: what Terraform is told (types, required/optional/computed) plus the behaviour the
//! framework enforces from them (defaults, replacement, validation, semantic equality).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::diag::{AttrPath, Diagnostics};
use super::value::{Type, Value};

/// Checks a known, non-null value; pushes diagnostics at `path`.
pub type Validator = Arc<dyn Fn(&Value, &AttrPath, &mut Diagnostics) + Send + Sync>;
/// Decides whether two known values mean the same thing (e.g. two spellings of one JSON policy).
pub type Equivalence = fn(&Value, &Value) -> bool;

#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub description: String,
    pub deprecation: Option<String>,
    /// Planned when the configuration leaves the attribute unset (implies optional + computed).
    pub default: Option<Value>,
    /// A change to this attribute replaces the resource.
    pub force_new: bool,
    /// The value lives only in Terraform state (the API never reports it): reads keep the prior
    /// value, applies keep the planned one.
    pub client_side: bool,
    pub validators: Vec<Validator>,
    pub equivalence: Option<Equivalence>,
    pub conflicts_with: Vec<&'static str>,
}

impl Attribute {
    pub fn new(name: &str, ty: Type) -> Self {
        Attribute {
            name: name.to_string(),
            ty,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            description: String::new(),
            deprecation: None,
            default: None,
            force_new: false,
            client_side: false,
            validators: Vec::new(),
            equivalence: None,
            conflicts_with: Vec::new(),
        }
    }
    pub fn string(name: &str) -> Self {
        Self::new(name, Type::String)
    }
    pub fn number(name: &str) -> Self {
        Self::new(name, Type::Number)
    }
    pub fn bool(name: &str) -> Self {
        Self::new(name, Type::Bool)
    }
    pub fn string_set(name: &str) -> Self {
        Self::new(name, Type::set(Type::String))
    }
    pub fn string_list(name: &str) -> Self {
        Self::new(name, Type::list(Type::String))
    }
    pub fn string_map(name: &str) -> Self {
        Self::new(name, Type::map(Type::String))
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub fn optional_computed(self) -> Self {
        self.optional().computed()
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn desc(mut self, d: &str) -> Self {
        self.description = d.to_string();
        self
    }
    pub fn deprecated(mut self, message: &str) -> Self {
        self.deprecation = Some(message.to_string());
        self
    }
    pub fn default(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self.optional = true;
        self.computed = true;
        self
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub fn client_side(mut self) -> Self {
        self.client_side = true;
        self
    }
    pub fn validate(mut self, v: Validator) -> Self {
        self.validators.push(v);
        self
    }
    pub fn equivalent_when(mut self, f: Equivalence) -> Self {
        self.equivalence = Some(f);
        self
    }
    pub fn conflicts_with(mut self, names: &[&'static str]) -> Self {
        self.conflicts_with.extend_from_slice(names);
        self
    }

    /// Whether two known values of this attribute mean the same thing.
    pub fn values_equivalent(&self, a: &Value, b: &Value) -> bool {
        if a.is_unknown() || b.is_unknown() {
            return false;
        }
        if a.equivalent(b) {
            return true;
        }
        match self.equivalence {
            Some(f) if !a.is_null() && !b.is_null() => f(a, b),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    Group,
    List,
    Set,
    Map,
}

#[derive(Clone)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
    /// Any change inside this block replaces the resource.
    pub force_new: bool,
    /// The block lives only in Terraform state (e.g. `timeouts`).
    pub client_side: bool,
}

impl NestedBlock {
    pub fn new(name: &str, nesting: Nesting, block: Block) -> Self {
        NestedBlock {
            name: name.to_string(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
            force_new: false,
            client_side: false,
        }
    }
    pub fn list(name: &str, block: Block) -> Self {
        Self::new(name, Nesting::List, block)
    }
    pub fn set(name: &str, block: Block) -> Self {
        Self::new(name, Nesting::Set, block)
    }
    pub fn single(name: &str, block: Block) -> Self {
        Self::new(name, Nesting::Single, block)
    }
    pub fn min(mut self, n: i64) -> Self {
        self.min_items = n;
        self
    }
    pub fn max(mut self, n: i64) -> Self {
        self.max_items = n;
        self
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub fn client_side(mut self) -> Self {
        self.client_side = true;
        self
    }
    /// Describes the block (sets its inner block's description).
    pub fn desc(mut self, d: &str) -> Self {
        self.block.description = d.to_string();
        self
    }

    /// The empty value of this block when absent from config or state.
    pub fn absent(&self) -> Value {
        match self.nesting {
            Nesting::Single => Value::Null,
            Nesting::Group => self.block.conform(Value::Null),
            Nesting::List => Value::List(Vec::new()),
            Nesting::Set => Value::Set(Vec::new()),
            Nesting::Map => Value::Map(BTreeMap::new()),
        }
    }
}

#[derive(Clone, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub deprecation: Option<String>,
}

impl Block {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn attr(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    pub fn block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }
    pub fn desc(mut self, d: &str) -> Self {
        self.description = d.to_string();
        self
    }
    /// The `timeouts { create = "20m" ... }` block, as in hashicorp/aws.
    pub fn timeouts(self, ops: &[&str]) -> Self {
        let mut b = Block::new();
        for op in ops {
            b = b.attr(
                Attribute::string(op)
                    .optional()
                    .validate(super::validators::duration())
                    .desc(&format!("How long the {op} operation may take.")),
            );
        }
        self.block(NestedBlock::single("timeouts", b.desc("Operation timeouts.")).client_side())
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn nested(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The object type of this block.
    pub fn object_type(&self) -> Type {
        let mut m: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for b in &self.blocks {
            let t = b.block.object_type();
            let t = match b.nesting {
                Nesting::Single | Nesting::Group => t,
                Nesting::List => Type::list(t),
                Nesting::Set => Type::set(t),
                Nesting::Map => Type::map(t),
            };
            m.insert(b.name.clone(), t);
        }
        Type::Object(m)
    }

    /// Makes an object carry exactly this block's attributes: missing attributes become null,
    /// missing nested blocks their empty form, unknown keys are dropped. Null and unknown pass.
    pub fn conform(&self, v: Value) -> Value {
        let mut m = match v {
            Value::Object(m) => m,
            Value::Null => return Value::Null,
            other => return other,
        };
        let mut out = BTreeMap::new();
        for a in &self.attributes {
            out.insert(a.name.clone(), m.remove(&a.name).unwrap_or(Value::Null));
        }
        for b in &self.blocks {
            let v = match m.remove(&b.name) {
                None | Some(Value::Null) => b.absent(),
                Some(Value::Unknown) => Value::Unknown,
                Some(v) => match b.nesting {
                    Nesting::Single | Nesting::Group => b.block.conform(v),
                    Nesting::List => Value::List(
                        v.elements()
                            .iter()
                            .cloned()
                            .map(|e| b.block.conform(e))
                            .collect(),
                    ),
                    Nesting::Set => Value::Set(
                        v.elements()
                            .iter()
                            .cloned()
                            .map(|e| b.block.conform(e))
                            .collect(),
                    ),
                    Nesting::Map => Value::Map(
                        v.entries()
                            .map(|(k, e)| (k.clone(), b.block.conform(e.clone())))
                            .collect(),
                    ),
                },
            };
            out.insert(b.name.clone(), v);
        }
        Value::Object(out)
    }

    /// Fills defaulted attributes that are null (after import or in a stub state).
    pub fn fill_defaults(&self, v: &mut Value) {
        if let Value::Object(m) = v {
            for a in &self.attributes {
                if let (Some(d), Some(slot)) = (&a.default, m.get_mut(&a.name)) {
                    if slot.is_null() {
                        *slot = d.clone();
                    }
                }
            }
            for b in &self.blocks {
                if let Some(slot) = m.get_mut(&b.name) {
                    match slot {
                        Value::List(items) | Value::Set(items) => {
                            items.iter_mut().for_each(|e| b.block.fill_defaults(e))
                        }
                        Value::Object(_) => b.block.fill_defaults(slot),
                        _ => {}
                    }
                }
            }
        }
    }
}

/// A versioned schema for a resource, data source or the provider.
#[derive(Clone)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Schema { version: 0, block }
    }
    pub fn version(mut self, v: i64) -> Self {
        self.version = v;
        self
    }
    /// The one-line summary of the resource or data source.
    pub fn desc(mut self, d: &str) -> Self {
        self.block.description = d.to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> Block {
        Block::new()
            .attr(Attribute::string("name").required())
            .attr(Attribute::string("path").default("/"))
            .block(NestedBlock::list(
                "rule",
                Block::new().attr(Attribute::number("n").optional()),
            ))
            .timeouts(&["delete"])
    }

    #[test]
    fn conform_fills_every_attribute_and_drops_strangers() {
        let v = block().conform(Value::object([
            ("name", Value::from("a")),
            ("stray", Value::from(1)),
        ]));
        assert_eq!(v.get("path"), &Value::Null);
        assert_eq!(v.get("rule"), &Value::List(vec![]));
        assert_eq!(v.get("timeouts"), &Value::Null);
        assert_eq!(v.get("stray"), &Value::Null);
        if let Value::Object(m) = &v {
            assert_eq!(m.len(), 4);
        }
    }

    #[test]
    fn defaults_fill_only_nulls() {
        let mut v = block().conform(Value::object([("name", Value::from("a"))]));
        block().fill_defaults(&mut v);
        assert_eq!(v.str("path"), Some("/"));
        let mut w = block().conform(Value::object([("path", Value::from("/x/"))]));
        block().fill_defaults(&mut w);
        assert_eq!(w.str("path"), Some("/x/"));
    }

    #[test]
    fn object_type_nests_blocks() {
        let t = block().object_type().to_json().to_string();
        assert!(
            t.contains(r#""rule":["list",["object",{"n":"number"}]]"#),
            "{t}"
        );
        assert!(
            t.contains(r#""timeouts":["object",{"delete":"string"}]"#),
            "{t}"
        );
    }
}
