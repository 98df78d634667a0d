//! Property tests for the wire codec and the JSON normalizers: random values round-trip, and
//! random or mutated bytes never panic. Deterministic seeds; `AWSECS_FUZZ_ITERATIONS` raises the
//! count for a long run (`AWSECS_FUZZ_ITERATIONS=2000000 cargo test --lib props`).

use std::collections::BTreeMap;

use super::codec::{decode_json, decode_msgpack, encode_json, encode_msgpack};
use crate::framework::{Number, Type, Value};

/// xorshift64*: tiny, deterministic, good enough to explore shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

fn iterations(default: usize) -> usize {
    std::env::var("AWSECS_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn random_type(r: &mut Rng, depth: u32) -> Type {
    let leaf = depth >= 3 || r.chance(2);
    match if leaf { r.below(3) } else { 3 + r.below(4) } {
        0 => Type::String,
        1 => Type::Number,
        2 => Type::Bool,
        3 => Type::list(random_type(r, depth + 1)),
        4 => Type::set(random_type(r, depth + 1)),
        5 => Type::map(random_type(r, depth + 1)),
        _ => Type::Object(
            (0..r.below(4))
                .map(|i| (format!("a{i}"), random_type(r, depth + 1)))
                .collect(),
        ),
    }
}

fn random_string(r: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "",
        "a",
        "ü",
        "\"",
        "\\",
        "{",
        "\u{0}",
        "日本",
        "arn:aws:iam::1:role/x",
        " ",
        "\n",
    ];
    (0..r.below(5))
        .map(|_| PIECES[r.below(PIECES.len() as u64) as usize])
        .collect()
}

fn random_value(r: &mut Rng, t: &Type) -> Value {
    if r.chance(8) {
        return Value::Null;
    }
    if r.chance(10) {
        return Value::Unknown;
    }
    match t {
        Type::String => Value::String(random_string(r)),
        Type::Bool => Value::Bool(r.chance(2)),
        Type::Number => match r.below(4) {
            0 => Value::int(r.next() as i64),
            1 => Value::int(r.below(300) as i64 - 150),
            2 => Value::Number(Number::Float((r.below(1_000_000) as f64) / 7.0)),
            _ => Value::int(i64::MIN + r.below(3) as i64),
        },
        Type::List(e) => Value::List((0..r.below(4)).map(|_| random_value(r, e)).collect()),
        Type::Set(e) => Value::Set((0..r.below(4)).map(|_| random_value(r, e)).collect()),
        Type::Map(e) => Value::Map(
            (0..r.below(4))
                .map(|i| (format!("k{i}{}", random_string(r)), random_value(r, e)))
                .collect(),
        ),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, at)| (k.clone(), random_value(r, at)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

#[test]
fn props_msgpack_round_trips_random_values() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..iterations(3_000) {
        let t = random_type(&mut r, 0);
        let v = random_value(&mut r, &t);
        let bytes = encode_msgpack(&v);
        assert_eq!(decode_msgpack(&bytes, &t).as_ref(), Ok(&v), "type {t:?}");
    }
}

#[test]
fn props_json_round_trips_known_values() {
    let mut r = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..iterations(3_000) {
        let t = random_type(&mut r, 0);
        let v = random_value(&mut r, &t);
        if !v.is_wholly_known() {
            continue; // JSON state cannot hold unknowns
        }
        let decoded = decode_json(&encode_json(&v), &t).expect("decode what we encoded");
        assert!(
            decoded.equivalent(&v) || format!("{decoded:?}") == format!("{v:?}"),
            "type {t:?}\n{v:?}\n{decoded:?}"
        );
    }
}

#[test]
fn props_garbage_and_mutated_msgpack_never_panic() {
    let mut r = Rng(0x1234_5678_9ABC_DEF1);
    for _ in 0..iterations(5_000) {
        let t = random_type(&mut r, 0);
        let mut bytes = if r.chance(2) {
            (0..r.below(40))
                .map(|_| r.next() as u8)
                .collect::<Vec<u8>>()
        } else {
            encode_msgpack(&random_value(&mut r, &t))
        };
        for _ in 0..r.below(4) {
            if bytes.is_empty() {
                break;
            }
            let i = r.below(bytes.len() as u64) as usize;
            match r.below(3) {
                0 => bytes[i] = r.next() as u8,
                1 => bytes.truncate(i),
                _ => bytes.insert(i, r.next() as u8),
            }
        }
        let _ = decode_msgpack(&bytes, &t);
    }
}

#[test]
fn props_normalizers_never_panic_on_random_json() {
    let mut r = Rng(0x0BAD_5EED_0BAD_5EED);
    const TOKENS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"name\"",
        "\"image\"",
        "\"Statement\"",
        "\"Action\"",
        "\"Principal\"",
        "\"portMappings\"",
        "\"environment\"",
        "\"essential\"",
        "\"healthCheck\"",
        "\"containerPort\"",
        "\"hostPort\"",
        "\"value\"",
        "\"x\"",
        "1",
        "0",
        "-1",
        "true",
        "null",
        "\"*\"",
        "1e400",
        "\"%7B\"",
    ];
    for _ in 0..iterations(5_000) {
        let doc: String = (0..r.below(30))
            .map(|_| TOKENS[r.below(TOKENS.len() as u64) as usize])
            .collect();
        let _ = crate::aws::container_definitions::canonical(&doc, Some("awsvpc"));
        let mut d = crate::framework::Diagnostics::new();
        let ctx = crate::aws::container_definitions::TaskContext {
            network_mode: Some("bridge"),
            requires_compatibilities: &[],
            task_cpu: None,
            task_memory: None,
        };
        crate::aws::container_definitions::validate(&doc, &ctx, &mut d);
        let _ = crate::aws::policy::equivalent(&doc, "{}");
        let _ = crate::aws::policy::url_decode(&doc);
    }
}
