//! Terraform values as the provider sees them: cty-like, typed by the schema, with null and unknown.
//!
//! The codec (tfplugin5) turns wire bytes into these; resources read and build them through the
//! accessors here and never see msgpack.

use std::collections::BTreeMap;
use std::fmt;

/// A cty type constraint, as used by schema attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// The cty JSON form sent in `Schema.Attribute.type`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, serde_json::Value> =
                    attrs.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
                json!(["object", m])
            }
        }
    }
}

/// A number as cty carries it: exact integers stay integers, everything else is a float.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            Number::Float(_) => None,
        }
    }
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
    /// Parses cty's decimal-string form of a number (used for values beyond int64/float64).
    pub fn parse(s: &str) -> Option<Number> {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Number::Int(i));
        }
        s.parse::<f64>().ok().map(Number::Float)
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A value of some schema type. Objects always carry every attribute of their type once they have
/// passed through [`crate::framework::schema::Block::conform`].
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
    /// A string, or null when absent: the usual shape of an optional API field.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
    }
    pub fn opt_int(i: Option<i64>) -> Value {
        i.map(Value::int).unwrap_or(Value::Null)
    }
    pub fn opt_bool(b: Option<bool>) -> Value {
        b.map(Value::Bool).unwrap_or(Value::Null)
    }
    pub fn string_map<K: Into<String>, V: Into<String>>(it: impl IntoIterator<Item = (K, V)>) -> Value {
        Value::Map(it.into_iter().map(|(k, v)| (k.into(), Value::String(v.into()))).collect())
    }
    pub fn string_set<S: Into<String>>(it: impl IntoIterator<Item = S>) -> Value {
        Value::Set(it.into_iter().map(|s| Value::String(s.into())).collect())
    }
    pub fn string_list<S: Into<String>>(it: impl IntoIterator<Item = S>) -> Value {
        Value::List(it.into_iter().map(|s| Value::String(s.into())).collect())
    }
    pub fn object<K: Into<String>>(it: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(it.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }
    /// True when no unknown appears anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) => v.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// An object attribute (null when absent or when self is not a known object).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }
    /// Sets an object attribute; no-op on non-objects.
    pub fn set(&mut self, name: &str, v: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), v);
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }
    /// Elements of a list or set (empty for null/unknown).
    pub fn elements(&self) -> &[Value] {
        match self {
            Value::List(v) | Value::Set(v) => v,
            _ => &[],
        }
    }
    /// Entries of a map (empty for null/unknown).
    pub fn entries(&self) -> impl Iterator<Item = (&String, &Value)> {
        let m = match self {
            Value::Map(m) => Some(m),
            _ => None,
        };
        m.into_iter().flat_map(|m| m.iter())
    }

    /// Attribute shortcuts for resource code: `v.str("name")`.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).as_str()
    }
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).as_bool()
    }
    pub fn i64(&self, name: &str) -> Option<i64> {
        self.get(name).as_i64()
    }
    /// String elements of a list/set attribute, skipping nulls and unknowns.
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.get(name).elements().iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
    }
    /// A map(string) attribute as pairs, skipping non-string values.
    pub fn string_pairs(&self, name: &str) -> BTreeMap<String, String> {
        self.get(name).entries().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()
    }
    /// The single element of a max_items=1 list block, if present.
    pub fn block(&self, name: &str) -> Option<&Value> {
        self.get(name).elements().first()
    }

    /// Semantic equality where sets compare regardless of element order.
    pub fn equivalent(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.equivalent(y)))
            }
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equivalent(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.equivalent(w)))
            }
            _ => self == other,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::int(i as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_across_representations() {
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_ne!(Number::Int(3), Number::Float(3.5));
        assert_eq!(Number::parse("12345678901234567").unwrap(), Number::Int(12345678901234567));
        assert_eq!(Number::Float(2.0).as_i64(), Some(2));
        assert_eq!(Number::Float(2.5).as_i64(), None);
    }

    #[test]
    fn sets_are_equivalent_in_any_order() {
        let a = Value::string_set(["a", "b"]);
        let b = Value::string_set(["b", "a"]);
        assert!(a.equivalent(&b));
        assert_ne!(a, b);
        assert!(!a.equivalent(&Value::string_set(["a"])));
    }

    #[test]
    fn wholly_known_looks_inside() {
        let v = Value::object([("a", Value::List(vec![Value::Unknown]))]);
        assert!(!v.is_wholly_known());
        assert!(Value::object([("a", Value::Null)]).is_wholly_known());
    }

    #[test]
    fn type_json_matches_cty() {
        let t = Type::Object([("x".to_string(), Type::set(Type::String))].into());
        assert_eq!(t.to_json().to_string(), r#"["object",{"x":["set","string"]}]"#);
    }
}
