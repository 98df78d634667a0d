//! Listener and rule actions (`default_action` of a listener, `action` of a rule): the schema,
//! plan-time checks, and conversion to and from the ELBv2 API.
//!
//! Supported types are the terminal ones: `forward`, `redirect` and `fixed-response`. The
//! authenticate-* types (which need Cognito/OIDC blocks) are rejected at plan with a message;
//! since AWS allows exactly one terminal action per rule, a list therefore holds one action.
//!
//! A simple forward can be written as `target_group_arn` or as a `forward` block; AWS reports
//! both forms for every forward action, so a read keeps the form the state uses (and, on import,
//! picks `target_group_arn` when the action has a single target group without stickiness).

use std::sync::Arc;

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig, RedirectActionConfig,
    RedirectActionStatusCodeEnum, TargetGroupStickinessConfig, TargetGroupTuple,
};

use crate::framework::schema::Validator;
use crate::framework::{validators, AttrPath, Attribute, Block, Diagnostics, NestedBlock, Value};

pub const TYPES: &[&str] = &["forward", "redirect", "fixed-response"];
const AUTH_TYPES: &[&str] = &["authenticate-cognito", "authenticate-oidc"];
pub const CONTENT_TYPES: &[&str] = &[
    "text/plain",
    "text/css",
    "text/html",
    "application/javascript",
    "application/json",
];
const BLOCK_FOR_TYPE: &[(&str, &str)] = &[
    ("forward", "forward"),
    ("redirect", "redirect"),
    ("fixed-response", "fixed_response"),
];

/// The schema of one action element.
pub fn block() -> Block {
    let target_group = Block::new()
        .attr(
            Attribute::string("arn")
                .desc("ARN of the target group.")
                .required()
                .validate(validators::arn()),
        )
        .attr(
            Attribute::number("weight")
                .desc("Weight of the target group in the forward.")
                .default(1)
                .validate(validators::int_between(0, 999)),
        );
    let stickiness = Block::new()
        .attr(
            Attribute::number("duration")
                .desc("Seconds requests stay with the same target group (1 to 604800).")
                .required()
                .validate(validators::int_between(1, 604_800)),
        )
        .attr(
            Attribute::bool("enabled")
                .desc("Whether target group stickiness is enabled.")
                .default(false),
        );
    let forward = Block::new()
        .block(
            NestedBlock::set("target_group", target_group)
                .desc("A target group to forward to.")
                .min(1)
                .max(5),
        )
        .block(
            NestedBlock::list("stickiness", stickiness)
                .desc("Target group stickiness of the forward.")
                .max(1),
        );
    let fixed = Block::new()
        .attr(
            Attribute::string("content_type")
                .desc("Content type of the response, e.g. `text/plain`.")
                .required()
                .validate(validators::one_of(CONTENT_TYPES)),
        )
        .attr(
            Attribute::string("message_body")
                .desc("Body of the response.")
                .optional()
                .validate(validators::length(0, 1024)),
        )
        .attr(
            Attribute::string("status_code")
                .desc("HTTP status code of the response (2XX, 4XX or 5XX).")
                .optional_computed()
                .validate(status_code("a 2XX, 4XX or 5XX HTTP status code", "245")),
        );
    let redirect = Block::new()
        .attr(
            Attribute::string("host")
                .desc("Host of the redirect target.")
                .default("#{host}")
                .validate(validators::length(1, 128)),
        )
        .attr(
            Attribute::string("path")
                .desc("Path of the redirect target.")
                .default("/#{path}")
                .validate(validators::length(1, 128)),
        )
        .attr(
            Attribute::string("port")
                .desc("Port of the redirect target.")
                .default("#{port}")
                .validate(redirect_port()),
        )
        .attr(
            Attribute::string("protocol")
                .desc("Protocol of the redirect target: `HTTP`, `HTTPS` or `#{protocol}`.")
                .default("#{protocol}")
                .validate(validators::one_of(&["#{protocol}", "HTTP", "HTTPS"])),
        )
        .attr(
            Attribute::string("query")
                .desc("Query string of the redirect target.")
                .default("#{query}")
                .validate(validators::length(0, 128)),
        )
        .attr(
            Attribute::string("status_code")
                .desc("`HTTP_301` (permanent) or `HTTP_302` (temporary).")
                .required()
                .validate(validators::one_of(&["HTTP_301", "HTTP_302"])),
        );
    Block::new()
        .attr(
            Attribute::number("order")
                .desc("Order of the action; lower runs first.")
                .optional_computed()
                .validate(validators::int_between(1, 50_000)),
        )
        .attr(
            Attribute::string("target_group_arn")
                .desc("ARN of the target group to forward to (simple forward).")
                .optional()
                .validate(validators::arn()),
        )
        .attr(
            Attribute::string("type")
                .desc("Action type: `forward`, `redirect` or `fixed-response`.")
                .required()
                .validate(type_validator()),
        )
        .block(
            NestedBlock::list("fixed_response", fixed)
                .desc("Return a fixed response.")
                .max(1),
        )
        .block(
            NestedBlock::list("forward", forward)
                .desc("Forward to one or more weighted target groups.")
                .max(1),
        )
        .block(
            NestedBlock::list("redirect", redirect)
                .desc("Redirect the request.")
                .max(1),
        )
}

fn type_validator() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if AUTH_TYPES.contains(&s) {
            diags.invalid(
                path.clone(),
                format!("{s:?} actions are not supported by this provider; use \"forward\", \"redirect\" or \"fixed-response\""),
            );
        } else if !TYPES.contains(&s) {
            diags.invalid(
                path.clone(),
                format!("expected one of \"forward\", \"redirect\", \"fixed-response\", got {s:?}"),
            );
        }
    })
}

/// A three-digit status code whose first digit is in `first`.
fn status_code(what: &'static str, first: &'static str) -> Validator {
    Arc::new(move |v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let b = s.as_bytes();
        let ok = b.len() == 3
            && first.as_bytes().contains(&b[0])
            && b[1..].iter().all(u8::is_ascii_digit);
        if !ok {
            diags.invalid(path.clone(), format!("must be {what}, got {s:?}"));
        }
    })
}

fn redirect_port() -> Validator {
    Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        if s != "#{port}" && !s.parse::<u16>().is_ok_and(|p| p >= 1) {
            diags.invalid(
                path.clone(),
                format!("must be \"#{{port}}\" or a port number between 1 and 65535, got {s:?}"),
            );
        }
    })
}

/// Cross-field checks of an action list at `path` (`default_action` or `action`).
pub fn validate(actions: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    let items = actions.elements();
    if items.len() > 1 {
        diags.invalid(
            path.index(1),
            "an action list holds exactly one forward, redirect or fixed-response action (it must be the last one; the authenticate-* actions that could precede it are not supported)",
        );
    }
    for (i, a) in items.iter().enumerate() {
        let at = path.index(i);
        let Some(ty) = a.get("type").as_str() else {
            continue;
        };
        for (t, block) in BLOCK_FOR_TYPE {
            let v = a.get(block);
            if v.is_unknown() {
                continue;
            }
            let present = !v.elements().is_empty();
            let satisfied = present || (ty == "forward" && !a.get("target_group_arn").is_null());
            if *t == ty && !satisfied {
                let need = if ty == "forward" {
                    "a forward action needs target_group_arn or a forward block".to_string()
                } else {
                    format!("a {ty} action needs a {block} block")
                };
                diags.invalid(at.clone(), need);
            }
            if *t != ty && present {
                diags.invalid(
                    at.then(block),
                    format!("the {block} block only applies to type = \"{t}\", this action has type = {ty:?}"),
                );
            }
        }
        let tga = a.get("target_group_arn");
        if !tga.is_null() && ty != "forward" {
            diags.invalid(
                at.then("target_group_arn"),
                format!("target_group_arn only applies to type = \"forward\", this action has type = {ty:?}"),
            );
        }
        if ty == "forward" && !tga.is_null() && !a.get("forward").elements().is_empty() {
            diags.invalid(
                at.then("target_group_arn"),
                "set target_group_arn or a forward block, not both (a forward block with one target_group is the same as target_group_arn)",
            );
        }
    }
}

/// Plans `order` where the configuration leaves it out: the action's position (1-based), which
/// is what create sends, so the value is known at plan time.
pub fn plan_orders(planned: &mut Value, config: &Value) {
    let Value::List(items) = planned else { return };
    for (i, a) in items.iter_mut().enumerate() {
        let cfg = config.elements().get(i).unwrap_or(&Value::Null);
        if cfg.get("order").is_null() && a.is_known() && !a.is_null() {
            a.set("order", Value::int(i as i64 + 1));
        }
    }
}

/// The planned actions as API actions.
pub fn expand(actions: &Value) -> Vec<Action> {
    actions
        .elements()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let order = a.i64("order").unwrap_or(i as i64 + 1) as i32;
            let ty = a.str("type").unwrap_or("forward");
            let mut b = Action::builder()
                .r#type(ActionTypeEnum::from(ty))
                .order(order);
            match ty {
                "forward" => {
                    if let Some(arn) = a.str("target_group_arn") {
                        b = b.target_group_arn(arn);
                    } else if let Some(f) = a.block("forward") {
                        b = b.forward_config(expand_forward(f));
                    }
                }
                "fixed-response" => {
                    if let Some(f) = a.block("fixed_response") {
                        b = b.fixed_response_config(
                            FixedResponseActionConfig::builder()
                                .set_content_type(f.str("content_type").map(str::to_string))
                                .set_message_body(f.str("message_body").map(str::to_string))
                                .set_status_code(f.str("status_code").map(str::to_string))
                                .build(),
                        );
                    }
                }
                "redirect" => {
                    if let Some(r) = a.block("redirect") {
                        let s = |k: &str| r.str(k).map(str::to_string);
                        b = b.redirect_config(
                            RedirectActionConfig::builder()
                                .set_host(s("host"))
                                .set_path(s("path"))
                                .set_port(s("port"))
                                .set_protocol(s("protocol"))
                                .set_query(s("query"))
                                .set_status_code(
                                    r.str("status_code").map(RedirectActionStatusCodeEnum::from),
                                )
                                .build(),
                        );
                    }
                }
                _ => {}
            }
            b.build()
        })
        .collect()
}

fn expand_forward(f: &Value) -> ForwardActionConfig {
    let groups = f
        .get("target_group")
        .elements()
        .iter()
        .map(|tg| {
            TargetGroupTuple::builder()
                .set_target_group_arn(tg.str("arn").map(str::to_string))
                .weight(tg.i64("weight").unwrap_or(1) as i32)
                .build()
        })
        .collect();
    let mut b = ForwardActionConfig::builder().set_target_groups(Some(groups));
    if let Some(s) = f.block("stickiness") {
        b = b.target_group_stickiness_config(
            TargetGroupStickinessConfig::builder()
                .enabled(s.bool("enabled").unwrap_or(false))
                .set_duration_seconds(s.i64("duration").map(|d| d as i32))
                .build(),
        );
    }
    b.build()
}

/// Target group ARNs the actions forward to (what the association waiter checks).
pub fn target_group_arns(actions: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in actions.elements() {
        if a.str("type") != Some("forward") {
            continue;
        }
        let mut push = |s: &str| {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string())
            }
        };
        if let Some(arn) = a.str("target_group_arn") {
            push(arn);
        }
        for f in a.get("forward").elements() {
            for tg in f.get("target_group").elements() {
                if let Some(arn) = tg.str("arn") {
                    push(arn);
                }
            }
        }
    }
    out
}

/// API actions → state, in `order`, keeping the prior state's form where AWS reports two.
pub fn flatten(api: &[Action], prior: &Value) -> Value {
    let mut sorted: Vec<&Action> = api.iter().collect();
    sorted.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
    Value::List(
        sorted
            .iter()
            .enumerate()
            .map(|(i, a)| flatten_one(a, prior.elements().get(i).unwrap_or(&Value::Null)))
            .collect(),
    )
}

fn flatten_one(a: &Action, prior: &Value) -> Value {
    let ty = a.r#type().map(|t| t.as_str()).unwrap_or("");
    let mut tga = Value::Null;
    let mut forward = Value::List(vec![]);
    let mut fixed = Value::List(vec![]);
    let mut redirect = Value::List(vec![]);
    match ty {
        "forward" => {
            let cfg = a.forward_config();
            let groups = cfg.map(|c| c.target_groups()).unwrap_or_default();
            let sticky_on = cfg
                .and_then(|c| c.target_group_stickiness_config())
                .and_then(|s| s.enabled())
                .unwrap_or(false);
            let single = match (a.target_group_arn(), groups) {
                (Some(arn), _) => Some(arn),
                (None, [only]) => only.target_group_arn(),
                _ => None,
            };
            let prior_forward = prior.get("forward");
            let wants_block = !prior_forward.elements().is_empty()
                || single.is_none()
                || groups.len() > 1
                || sticky_on;
            if wants_block && cfg.is_some() {
                forward = Value::List(vec![flatten_forward(
                    cfg.unwrap_or(&ForwardActionConfig::builder().build()),
                    prior_forward.elements().first().unwrap_or(&Value::Null),
                )]);
            } else {
                tga = Value::opt_string(single);
            }
        }
        "fixed-response" => {
            if let Some(c) = a.fixed_response_config() {
                fixed = Value::List(vec![Value::object([
                    ("content_type", Value::opt_string(c.content_type())),
                    ("message_body", Value::opt_string(c.message_body())),
                    ("status_code", Value::opt_string(c.status_code())),
                ])]);
            }
        }
        "redirect" => {
            if let Some(c) = a.redirect_config() {
                redirect = Value::List(vec![Value::object([
                    ("host", Value::opt_string(c.host())),
                    ("path", Value::opt_string(c.path())),
                    ("port", Value::opt_string(c.port())),
                    ("protocol", Value::opt_string(c.protocol())),
                    ("query", Value::opt_string(c.query())),
                    (
                        "status_code",
                        Value::opt_string(c.status_code().map(|s| s.as_str())),
                    ),
                ])]);
            }
        }
        _ => {}
    }
    Value::object([
        ("order", super::int_or(a.order(), prior.get("order"))),
        ("target_group_arn", tga),
        ("type", Value::from(ty)),
        ("fixed_response", fixed),
        ("forward", forward),
        ("redirect", redirect),
    ])
}

fn flatten_forward(cfg: &ForwardActionConfig, prior: &Value) -> Value {
    let groups = cfg
        .target_groups()
        .iter()
        .map(|tg| {
            Value::object([
                ("arn", Value::opt_string(tg.target_group_arn())),
                ("weight", Value::int(tg.weight().unwrap_or(1) as i64)),
            ])
        })
        .collect();
    let sticky = cfg.target_group_stickiness_config();
    let enabled = sticky.and_then(|s| s.enabled()).unwrap_or(false);
    let prior_sticky = prior.get("stickiness").elements().first();
    let stickiness = if prior_sticky.is_some() || enabled {
        let prior_duration = prior_sticky
            .map(|p| p.get("duration"))
            .unwrap_or(&Value::Null);
        vec![Value::object([
            (
                "duration",
                super::int_or(sticky.and_then(|s| s.duration_seconds()), prior_duration),
            ),
            ("enabled", Value::Bool(enabled)),
        ])]
    } else {
        vec![]
    };
    Value::object([
        ("target_group", Value::Set(groups)),
        ("stickiness", Value::List(stickiness)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::plan::validate_object;

    const TG: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

    fn action(pairs: Vec<(&str, Value)>) -> Value {
        block().conform(Value::object(pairs))
    }

    fn errors_of(actions: Vec<Value>) -> Diagnostics {
        let mut d = Diagnostics::new();
        let list = Value::List(actions);
        for (i, a) in list.elements().iter().enumerate() {
            validate_object(
                &block(),
                a,
                &AttrPath::attr("default_action").index(i),
                &mut d,
            );
        }
        validate(&list, &AttrPath::attr("default_action"), &mut d);
        d
    }

    #[test]
    fn each_type_needs_its_block() {
        let d = errors_of(vec![action(vec![("type", "fixed-response".into())])]);
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path, Some(AttrPath::attr("default_action").index(0)));
        assert!(d.0[0].detail.contains("fixed_response block"), "{d}");
        let d = errors_of(vec![action(vec![("type", "forward".into())])]);
        assert!(
            d.0[0]
                .detail
                .contains("target_group_arn or a forward block"),
            "{d}"
        );
        let ok = errors_of(vec![action(vec![
            ("type", "forward".into()),
            ("target_group_arn", TG.into()),
        ])]);
        assert!(ok.is_empty(), "{ok}");
    }

    #[test]
    fn wrong_blocks_and_unsupported_types_are_named() {
        let redirect = Value::List(vec![Value::object([("status_code", "HTTP_301".into())])]);
        let d = errors_of(vec![action(vec![
            ("type", "forward".into()),
            ("target_group_arn", TG.into()),
            ("redirect", redirect),
        ])]);
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::attr("default_action").index(0).then("redirect")),
            "{d}"
        );
        let d = errors_of(vec![action(vec![("type", "authenticate-oidc".into())])]);
        assert!(
            d.0.iter().any(|x| x.detail.contains("not supported")),
            "{d}"
        );
        let two = action(vec![
            ("type", "forward".into()),
            ("target_group_arn", TG.into()),
        ]);
        let d = errors_of(vec![two.clone(), two]);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("default_action").index(1)));
    }

    #[test]
    fn round_trips_through_the_api_shape() {
        let fixed = Value::List(vec![Value::object([
            ("content_type", "text/plain".into()),
            ("message_body", "nope".into()),
            ("status_code", "404".into()),
        ])]);
        let planned = Value::List(vec![action(vec![
            ("type", "fixed-response".into()),
            ("order", Value::int(1)),
            ("fixed_response", fixed),
        ])]);
        let back = flatten(&expand(&planned), &planned);
        assert!(back.equivalent(&planned), "{back:?}\n{planned:?}");

        let fwd = Value::List(vec![action(vec![
            ("type", "forward".into()),
            ("order", Value::int(1)),
            ("target_group_arn", TG.into()),
        ])]);
        let back = flatten(&expand(&fwd), &fwd);
        assert!(back.equivalent(&fwd), "{back:?}");
        assert_eq!(target_group_arns(&fwd), vec![TG.to_string()]);
    }

    #[test]
    fn import_picks_the_simple_form_for_one_target_group() {
        // AWS reports a plain forward with both TargetGroupArn and a one-group ForwardConfig.
        let api = Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .order(1)
            .target_group_arn(TG)
            .forward_config(
                ForwardActionConfig::builder()
                    .target_groups(
                        TargetGroupTuple::builder()
                            .target_group_arn(TG)
                            .weight(1)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let v = flatten(std::slice::from_ref(&api), &Value::Null);
        let a = &v.elements()[0];
        assert_eq!(a.str("target_group_arn"), Some(TG));
        assert!(a.get("forward").elements().is_empty());
        // A state written with a forward block keeps the block.
        let prior = Value::List(vec![action(vec![
            ("type", "forward".into()),
            (
                "forward",
                Value::List(vec![Value::object([("x", Value::Null)])]),
            ),
        ])]);
        let v = flatten(&[api], &prior);
        assert!(v.elements()[0].get("target_group_arn").is_null());
        assert_eq!(v.elements()[0].get("forward").elements().len(), 1);
    }

    #[test]
    fn orders_are_planned_from_positions() {
        let mut planned = Value::List(vec![action(vec![
            ("type", "forward".into()),
            ("order", Value::Unknown),
        ])]);
        let config = Value::List(vec![action(vec![("type", "forward".into())])]);
        plan_orders(&mut planned, &config);
        assert_eq!(planned.elements()[0].i64("order"), Some(1));
    }
}
