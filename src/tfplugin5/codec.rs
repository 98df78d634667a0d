//! Wire encodings of values: msgpack DynamicValues (type-directed, with unknowns) and the JSON
//! used by stored state. Decoding is lenient about missing object attributes (they become null)
//! so that state written by an older schema still loads; encoding always writes every attribute.

use std::collections::BTreeMap;

use crate::framework::{Number, Type, Value};

/// A decoding failure with the path where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    path: Vec<String>,
}

impl<'a> Reader<'a> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, DecodeError> {
        Err(DecodeError {
            path: self.path.join(""),
            message: message.into(),
        })
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() - self.pos < n {
            return self.err("truncated msgpack data");
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | *b as u64))
    }
    fn peek(&self) -> Result<u8, DecodeError> {
        match self.buf.get(self.pos) {
            Some(b) => Ok(*b),
            None => self.err("truncated msgpack data"),
        }
    }

    fn str_len(&mut self, m: u8) -> Result<Option<usize>, DecodeError> {
        Ok(Some(match m {
            0xa0..=0xbf => (m & 0x1f) as usize,
            0xd9 => self.be(1)? as usize,
            0xda => self.be(2)? as usize,
            0xdb => self.be(4)? as usize,
            _ => return Ok(None),
        }))
    }

    fn string_body(&mut self, len: usize) -> Result<String, DecodeError> {
        let bytes = self.take(len)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => self.err("string is not valid UTF-8"),
        }
    }

    /// Reads one value of type `ty`. Any msgpack extension is an unknown (refinements ignored).
    fn value(&mut self, ty: &Type) -> Result<Value, DecodeError> {
        let m = self.peek()?;
        match m {
            0xc0 => {
                self.pos += 1;
                return Ok(Value::Null);
            }
            0xd4..=0xd8 | 0xc7..=0xc9 => {
                self.pos += 1;
                let len = match m {
                    0xd4 => 1,
                    0xd5 => 2,
                    0xd6 => 4,
                    0xd7 => 8,
                    0xd8 => 16,
                    0xc7 => self.be(1)? as usize,
                    0xc8 => self.be(2)? as usize,
                    _ => self.be(4)? as usize,
                };
                self.take(1 + len)?; // ext type byte + payload
                return Ok(Value::Unknown);
            }
            _ => {}
        }
        match ty {
            Type::String => {
                self.pos += 1;
                match self.str_len(m)? {
                    Some(n) => Ok(Value::String(self.string_body(n)?)),
                    None => self.err(format!("expected a string, found msgpack marker 0x{m:02x}")),
                }
            }
            Type::Bool => {
                self.pos += 1;
                match m {
                    0xc2 => Ok(Value::Bool(false)),
                    0xc3 => Ok(Value::Bool(true)),
                    _ => self.err(format!("expected a bool, found msgpack marker 0x{m:02x}")),
                }
            }
            Type::Number => self.number(),
            Type::List(t) | Type::Set(t) => {
                let n = self.array_len()?;
                let mut items = Vec::with_capacity(n.min(1024));
                for i in 0..n {
                    self.path.push(format!("[{i}]"));
                    items.push(self.value(t)?);
                    self.path.pop();
                }
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(items)
                } else {
                    Value::Set(items)
                })
            }
            Type::Map(t) => {
                let n = self.map_len()?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    self.path.push(format!("[{k:?}]"));
                    let v = self.value(t)?;
                    self.path.pop();
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let n = self.map_len()?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    match attrs.get(&k) {
                        Some(t) => {
                            self.path.push(format!(".{k}"));
                            let v = self.value(t)?;
                            self.path.pop();
                            out.insert(k, v);
                        }
                        None => return self.err(format!("unsupported attribute {k:?}")),
                    }
                }
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
        }
    }

    fn key(&mut self) -> Result<String, DecodeError> {
        let m = self.u8()?;
        match self.str_len(m)? {
            Some(n) => self.string_body(n),
            None => self.err("expected a string map key"),
        }
    }

    fn array_len(&mut self) -> Result<usize, DecodeError> {
        let m = self.u8()?;
        Ok(match m {
            0x90..=0x9f => (m & 0x0f) as usize,
            0xdc => self.be(2)? as usize,
            0xdd => self.be(4)? as usize,
            _ => return self.err(format!("expected an array, found msgpack marker 0x{m:02x}")),
        })
    }

    fn map_len(&mut self) -> Result<usize, DecodeError> {
        let m = self.u8()?;
        Ok(match m {
            0x80..=0x8f => (m & 0x0f) as usize,
            0xde => self.be(2)? as usize,
            0xdf => self.be(4)? as usize,
            _ => return self.err(format!("expected a map, found msgpack marker 0x{m:02x}")),
        })
    }

    fn number(&mut self) -> Result<Value, DecodeError> {
        let m = self.u8()?;
        let n = match m {
            0x00..=0x7f => Number::Int(m as i64),
            0xe0..=0xff => Number::Int(m as i8 as i64),
            0xcc => Number::Int(self.be(1)? as i64),
            0xcd => Number::Int(self.be(2)? as i64),
            0xce => Number::Int(self.be(4)? as i64),
            0xcf => {
                let u = self.be(8)?;
                if u > i64::MAX as u64 {
                    Number::Float(u as f64)
                } else {
                    Number::Int(u as i64)
                }
            }
            0xd0 => Number::Int(self.be(1)? as u8 as i8 as i64),
            0xd1 => Number::Int(self.be(2)? as u16 as i16 as i64),
            0xd2 => Number::Int(self.be(4)? as u32 as i32 as i64),
            0xd3 => Number::Int(self.be(8)? as i64),
            0xca => Number::Float(f32::from_bits(self.be(4)? as u32) as f64),
            0xcb => Number::Float(f64::from_bits(self.be(8)?)),
            _ => match self.str_len(m)? {
                Some(len) => {
                    let s = self.string_body(len)?;
                    match Number::parse(&s) {
                        Some(n) => n,
                        None => return self.err(format!("{s:?} is not a number")),
                    }
                }
                None => {
                    return self.err(format!("expected a number, found msgpack marker 0x{m:02x}"))
                }
            },
        };
        Ok(Value::Number(n))
    }
}

/// Decodes a msgpack DynamicValue of type `ty`. Empty input is null.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut r = Reader {
        buf: bytes,
        pos: 0,
        path: Vec::new(),
    };
    let v = r.value(ty)?;
    if r.pos != bytes.len() {
        return r.err("trailing bytes after msgpack value");
    }
    Ok(v)
}

/// Encodes a value; objects are written with all their attributes (conform them first).
pub fn encode_msgpack(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    // Writes to a Vec cannot fail.
    match v {
        Value::Null => {
            let _ = rmp::encode::write_nil(out);
        }
        Value::Unknown => out.extend_from_slice(&[0xd4, 0x00, 0x00]),
        Value::Bool(b) => {
            let _ = rmp::encode::write_bool(out, *b);
        }
        Value::Number(Number::Int(i)) => {
            let _ = rmp::encode::write_sint(out, *i);
        }
        Value::Number(Number::Float(f)) => match Number::Float(*f).as_i64() {
            Some(i) if f.is_finite() => {
                let _ = rmp::encode::write_sint(out, i);
            }
            _ => {
                let _ = rmp::encode::write_f64(out, *f);
            }
        },
        Value::String(s) => {
            let _ = rmp::encode::write_str(out, s);
        }
        Value::List(items) | Value::Set(items) => {
            let _ = rmp::encode::write_array_len(out, items.len() as u32);
            items.iter().for_each(|i| write_value(out, i));
        }
        Value::Map(m) | Value::Object(m) => {
            let _ = rmp::encode::write_map_len(out, m.len() as u32);
            for (k, v) in m {
                let _ = rmp::encode::write_str(out, k);
                write_value(out, v);
            }
        }
    }
}

/// Decodes stored-state JSON of type `ty` (missing attributes become null, extra ones are dropped:
/// state may come from an older schema).
pub fn decode_json(j: &serde_json::Value, ty: &Type) -> Result<Value, DecodeError> {
    decode_json_at(j, ty, &mut Vec::new())
}

fn decode_json_at(
    j: &serde_json::Value,
    ty: &Type,
    path: &mut Vec<String>,
) -> Result<Value, DecodeError> {
    use serde_json::Value as J;
    let fail = |path: &Vec<String>, what: &str| {
        Err(DecodeError {
            path: path.join(""),
            message: format!("expected {what}, found {j}"),
        })
    };
    if j.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => match j {
            J::String(s) => Ok(Value::String(s.clone())),
            // Older state or hand-written JSON may carry scalars where a string is expected.
            J::Number(n) => Ok(Value::String(n.to_string())),
            J::Bool(b) => Ok(Value::String(b.to_string())),
            _ => fail(path, "a string"),
        },
        Type::Bool => match j {
            J::Bool(b) => Ok(Value::Bool(*b)),
            J::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => fail(path, "a bool"),
        },
        Type::Number => match j {
            J::Number(n) => Ok(Value::Number(match n.as_i64() {
                Some(i) => Number::Int(i),
                None => Number::Float(n.as_f64().unwrap_or(0.0)),
            })),
            J::String(s) => match Number::parse(s) {
                Some(n) => Ok(Value::Number(n)),
                None => fail(path, "a number"),
            },
            _ => fail(path, "a number"),
        },
        Type::List(t) | Type::Set(t) => match j {
            J::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    out.push(decode_json_at(item, t, path)?);
                    path.pop();
                }
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(out)
                } else {
                    Value::Set(out)
                })
            }
            _ => fail(path, "an array"),
        },
        Type::Map(t) => match j {
            J::Object(m) => {
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    path.push(format!("[{k:?}]"));
                    out.insert(k.clone(), decode_json_at(v, t, path)?);
                    path.pop();
                }
                Ok(Value::Map(out))
            }
            _ => fail(path, "an object"),
        },
        Type::Object(attrs) => match j {
            J::Object(m) => {
                let mut out = BTreeMap::new();
                for (name, t) in attrs {
                    path.push(format!(".{name}"));
                    let v = match m.get(name) {
                        Some(v) => decode_json_at(v, t, path)?,
                        None => Value::Null,
                    };
                    path.pop();
                    out.insert(name.clone(), v);
                }
                Ok(Value::Object(out))
            }
            _ => fail(path, "an object"),
        },
    }
}

/// Encodes a wholly-known value as JSON (for tests and tools; Terraform is always answered in msgpack).
pub fn encode_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null | Value::Unknown => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(Number::Int(i)) => J::from(*i),
        Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or(J::Null),
        Value::String(s) => J::String(s.clone()),
        Value::List(items) | Value::Set(items) => J::Array(items.iter().map(encode_json).collect()),
        Value::Map(m) | Value::Object(m) => {
            J::Object(m.iter().map(|(k, v)| (k.clone(), encode_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_type() -> Type {
        Type::Object(
            [
                ("name".to_string(), Type::String),
                ("count".to_string(), Type::Number),
                ("on".to_string(), Type::Bool),
                ("tags".to_string(), Type::map(Type::String)),
                ("ids".to_string(), Type::set(Type::String)),
                (
                    "rules".to_string(),
                    Type::list(Type::Object([("n".to_string(), Type::Number)].into())),
                ),
            ]
            .into(),
        )
    }

    fn sample() -> Value {
        Value::object([
            ("name", Value::from("x")),
            ("count", Value::int(-70000)),
            ("on", Value::Unknown),
            ("tags", Value::string_map([("a", "b")])),
            ("ids", Value::string_set(["1", "2"])),
            (
                "rules",
                Value::List(vec![Value::object([(
                    "n",
                    Value::Number(Number::Float(1.5)),
                )])]),
            ),
        ])
    }

    #[test]
    fn msgpack_round_trips_every_kind() {
        let v = sample();
        assert_eq!(decode_msgpack(&encode_msgpack(&v), &obj_type()).unwrap(), v);
    }

    #[test]
    fn unknown_is_fixext1_zero_and_any_extension_decodes_as_unknown() {
        assert_eq!(encode_msgpack(&Value::Unknown), vec![0xd4, 0, 0]);
        // A refined unknown (ext 12 with a map payload) is still just unknown to us.
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(
            decode_msgpack(&refined, &Type::String).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn numbers_accept_int_float_and_decimal_string() {
        assert_eq!(
            decode_msgpack(&[0x2a], &Type::Number).unwrap(),
            Value::int(42)
        );
        assert_eq!(
            decode_msgpack(&[0xd0, 0xff], &Type::Number).unwrap(),
            Value::int(-1)
        );
        let mut f = vec![0xcb];
        f.extend_from_slice(&2.5f64.to_bits().to_be_bytes());
        assert_eq!(
            decode_msgpack(&f, &Type::Number).unwrap(),
            Value::Number(Number::Float(2.5))
        );
        let s = encode_msgpack(&Value::from("18446744073709551616"));
        assert!(matches!(
            decode_msgpack(&s, &Type::Number).unwrap(),
            Value::Number(Number::Float(_))
        ));
        // Whole floats go out as integers, as go-cty writes them.
        assert_eq!(
            encode_msgpack(&Value::Number(Number::Float(3.0))),
            vec![0x03]
        );
    }

    #[test]
    fn object_missing_attributes_become_null_and_strangers_fail() {
        let t = Type::Object(
            [
                ("a".to_string(), Type::String),
                ("b".to_string(), Type::String),
            ]
            .into(),
        );
        let partial = encode_msgpack(&Value::object([("a", Value::from("x"))]));
        assert_eq!(decode_msgpack(&partial, &t).unwrap().get("b"), &Value::Null);
        let stranger = encode_msgpack(&Value::object([("zzz", Value::from("x"))]));
        let e = decode_msgpack(&stranger, &t).unwrap_err();
        assert!(e.message.contains("zzz"), "{e}");
    }

    #[test]
    fn errors_name_the_path_and_never_panic_on_garbage() {
        let bad = encode_msgpack(&Value::object([(
            "rules",
            Value::List(vec![Value::object([("n", Value::from("nope"))])]),
        )]));
        let e = decode_msgpack(&bad, &obj_type()).unwrap_err();
        assert_eq!(e.path, ".rules[0].n");
        for garbage in [
            &[0xdf, 0xff, 0xff, 0xff, 0xff][..],
            &[0x92, 0xa1],
            &[0xd9],
            &[0xc1],
            &[0xa1, 0xff],
        ] {
            assert!(decode_msgpack(garbage, &obj_type()).is_err());
        }
        assert!(
            decode_msgpack(&[0x01, 0x02], &Type::Number).is_err(),
            "trailing bytes"
        );
    }

    #[test]
    fn json_state_decodes_leniently() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"name":"x","count":"3","removed_attr":1,"rules":[{"n":2}]}"#)
                .unwrap();
        let v = decode_json(&j, &obj_type()).unwrap();
        assert_eq!(v.str("name"), Some("x"));
        assert_eq!(v.i64("count"), Some(3));
        assert_eq!(v.get("on"), &Value::Null);
        assert_eq!(v.get("rules").elements()[0].i64("n"), Some(2));
        assert_eq!(encode_json(&v)["rules"][0]["n"], 2);
    }
}
