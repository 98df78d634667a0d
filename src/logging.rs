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

/// When the process started serving code (the first `mark_start`): the zero of the start-up
/// timing lines, which tell where the time between exec and the schema served goes.
static STARTED: OnceLock<std::time::Instant> = OnceLock::new();

/// Starts the start-up clock; call as early as possible. Later calls keep the first instant.
pub fn mark_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// Milliseconds since `mark_start` (since the first call of this, if never marked), as a
/// start-up timing field.
pub fn since_start_ms() -> String {
    ms(STARTED.get_or_init(std::time::Instant::now).elapsed())
}

/// A duration as milliseconds with one decimal, the form of every `*_ms` log field.
pub fn ms(d: std::time::Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

pub fn level() -> Level {
    *LEVEL.get_or_init(|| {
        let from = |k: &str| std::env::var(k).ok().and_then(|v| Level::parse(&v));
        from("TF_LOG_PROVIDER")
            .or_else(|| from("TF_LOG"))
            .unwrap_or(Level::Error)
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
    m.insert(
        "@module".into(),
        "provider.terraform-provider-awsecs".into(),
    );
    m.insert("@timestamp".into(), timestamp().into());
    for (k, v) in fields {
        m.insert((*k).to_string(), v.to_string().into());
    }
    let line = serde_json::Value::Object(m).to_string();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// RFC 3339 in UTC with exactly six fractional digits: go-plugin parses `@timestamp` with the
/// fixed layout `2006-01-02T15:04:05.000000Z07:00` and shows the raw line when that fails.
fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format_timestamp(now.as_secs() as i64, now.subsec_micros())
}

fn format_timestamp(unix_secs: i64, micros: u32) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
    fn start_up_clock_only_moves_forward() {
        mark_start();
        let first: f64 = since_start_ms().parse().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        mark_start(); // a later mark keeps the first instant
        let second: f64 = since_start_ms().parse().unwrap();
        assert!(second > first, "{first} then {second}");
        assert_eq!(ms(std::time::Duration::from_micros(1260)), "1.3");
    }

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("json"), Some(Level::Trace));
        assert_eq!(Level::parse("nonsense"), None);
        assert!(Level::Error > Level::Debug);
    }

    #[test]
    fn timestamps_have_the_layout_go_plugin_parses() {
        assert_eq!(format_timestamp(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_timestamp(1_795_320_000, 920_330),
            "2026-11-22T04:00:00.920330Z"
        );
        assert_eq!(
            format_timestamp(951_782_400, 5),
            "2000-02-29T00:00:00.000005Z"
        );
    }
}
