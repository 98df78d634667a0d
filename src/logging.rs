//! Provider logs in hclog's JSON line format on stderr, which go-plugin parses and Terraform routes
//! through TF_LOG / TF_LOG_PROVIDER. Nothing but the handshake line ever goes to stdout.
//!
//! The level comes from TF_LOG_PROVIDER, else TF_LOG (Terraform passes its environment through);
//! unset means errors only, so an ordinary run pays nothing for logging.

use std::io::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Off,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "trace" | "json" => Level::Trace,
            "debug" => Level::Debug,
            "info" => Level::Info,
            "warn" => Level::Warn,
            "error" => Level::Error,
            "off" => Level::Off,
            _ => return None,
        })
    }
}

static LEVEL: OnceLock<Level> = OnceLock::new();

pub fn level() -> Level {
    *LEVEL.get_or_init(|| {
        let from = |k: &str| std::env::var(k).ok().and_then(|v| Level::parse(&v));
        from("TF_LOG_PROVIDER").or_else(|| from("TF_LOG")).unwrap_or(Level::Error)
    })
}

pub fn enabled(l: Level) -> bool {
    l >= level() && l != Level::Off
}

/// Writes one hclog JSON line with extra key/value fields.
pub fn emit(l: Level, message: &str, fields: &[(&str, &dyn std::fmt::Display)]) {
    if !enabled(l) {
        return;
    }
    let mut m = serde_json::Map::new();
    m.insert("@level".into(), l.name().into());
    m.insert("@message".into(), message.into());
    m.insert("@module".into(), "provider.terraform-provider-awsecs".into());
    m.insert("@timestamp".into(), timestamp().into());
    for (k, v) in fields {
        m.insert((*k).to_string(), v.to_string().into());
    }
    let line = serde_json::Value::Object(m).to_string();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

fn timestamp() -> String {
    let now = std::time::SystemTime::now();
    aws_smithy_types::DateTime::from(now)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

#[macro_export]
macro_rules! log_at {
    ($lvl:expr, $msg:expr $(, $k:literal = $v:expr)* $(,)?) => {
        if $crate::logging::enabled($lvl) {
            $crate::logging::emit($lvl, &$msg, &[$(($k, &$v as &dyn std::fmt::Display)),*]);
        }
    };
}
#[macro_export]
macro_rules! log_debug { ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Debug, $($t)*) }; }
#[macro_export]
macro_rules! log_info { ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Info, $($t)*) }; }
#[macro_export]
macro_rules! log_warn { ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Warn, $($t)*) }; }
#[macro_export]
macro_rules! log_error { ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Error, $($t)*) }; }
#[macro_export]
macro_rules! log_trace { ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Trace, $($t)*) }; }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("json"), Some(Level::Trace));
        assert_eq!(Level::parse("nonsense"), None);
        assert!(Level::Error > Level::Debug);
    }
}
