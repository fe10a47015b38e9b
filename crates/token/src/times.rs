//! NumericDate arithmetic (RFC 7519 §2) that cannot overflow whatever the claim's size, human
//! phrasing of spans ("expires in 4 min", "expired 3 h ago"), UTC dates and HTTP dates (RFC 9110
//! §5.6.7, IMF-fixdate only). Leaves out time zones and calendars other than proleptic Gregorian.

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde_json::Value;

/// A JSON number read as a date: integers exactly, anything else as f64 (never NaN from JSON).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumericDate {
    Int(i128),
    Float(f64),
}

impl NumericDate {
    pub fn from_value(v: &Value) -> Option<NumericDate> {
        let n = v.as_number()?;
        if let Some(i) = n.as_i64() {
            Some(NumericDate::Int(i as i128))
        } else if let Some(u) = n.as_u64() {
            Some(NumericDate::Int(u as i128))
        } else {
            n.as_f64().filter(|f| !f.is_nan()).map(NumericDate::Float)
        }
    }

    /// `self` compared with a whole number of seconds `t`.
    pub fn cmp_secs(self, t: i128) -> Ordering {
        match self {
            NumericDate::Int(i) => i.cmp(&t),
            NumericDate::Float(f) => f.partial_cmp(&(t as f64)).unwrap_or(Ordering::Equal),
        }
    }

    /// Seconds from `now` to this date (positive: in the future), as f64 (may be ±huge, never NaN).
    pub fn secs_from(self, now: i64) -> f64 {
        match self {
            NumericDate::Int(i) => (i - now as i128) as f64,
            NumericDate::Float(f) => f - now as f64,
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            NumericDate::Int(i) => i as f64,
            NumericDate::Float(f) => f,
        }
    }
}

/// "4 min", "3 h", "2 days": a span of `secs` seconds (sign ignored), rounded down.
pub fn span(secs: f64) -> String {
    let mut out = String::new();
    write_span(&mut out, secs);
    out
}

fn write_span(out: &mut String, secs: f64) {
    let s = secs.abs();
    if !s.is_finite() || s >= 10_000.0 * 365.25 * 86_400.0 {
        out.push_str("more than 10000 years");
        return;
    }
    let s = s as u64;
    let _ = match s {
        0..=59 => write!(out, "{s} s"),
        60..=3_599 => write!(out, "{} min", s / 60),
        3_600..=172_799 => write!(out, "{} h", s / 3_600),
        172_800..=63_071_999 => write!(out, "{} days", s / 86_400),
        _ => write!(out, "{} years", s / 31_557_600),
    };
}

/// "in 4 min" / "3 h ago" / "now".
pub fn relative(secs_from_now: f64) -> String {
    let mut out = String::new();
    write_relative(&mut out, secs_from_now);
    out
}

fn write_relative(out: &mut String, secs_from_now: f64) {
    if secs_from_now.abs() < 1.0 {
        out.push_str("now");
    } else if secs_from_now > 0.0 {
        out.push_str("in ");
        write_span(out, secs_from_now);
    } else {
        write_span(out, secs_from_now);
        out.push_str(" ago");
    }
}

/// The phrase a time claim gets in reports: "2023-11-14 22:23:20 UTC, expires in 10 min".
/// Written into one buffer: reports build several per token.
pub fn describe(claim: &str, date: NumericDate, now: i64) -> String {
    let d = date.secs_from(now);
    let mut out = String::with_capacity(56);
    if write_utc(&mut out, date.as_f64()) {
        out.push_str(", ");
    }
    let (before, after) = match claim {
        "exp" if d >= 0.0 => ("expires ", ""),
        "exp" => ("expired ", ""),
        "nbf" if d > 0.0 => ("valid ", ""),
        "nbf" => ("valid since ", ""),
        "iat" if d > 0.0 => ("issued ", " (in the future)"),
        "iat" => ("issued ", ""),
        _ => ("", ""),
    };
    out.push_str(before);
    write_relative(&mut out, d);
    out.push_str(after);
    out
}

/// "2024-05-01 12:00:00 UTC" for years 1..=9999, else `None`.
pub fn utc(secs: f64) -> Option<String> {
    let mut out = String::new();
    write_utc(&mut out, secs).then_some(out)
}

fn write_utc(out: &mut String, secs: f64) -> bool {
    if !(-62_135_596_800.0..=253_402_300_799.0).contains(&secs) {
        return false;
    }
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs.floor() as i64) else { return false };
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    let _ = write!(out, "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", t.hour(), t.minute(), t.second());
    true
}

/// Parses an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT` to Unix seconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let rest = s.split_once(',').map(|(_, r)| r).unwrap_or(s);
    let parts: Vec<&str> = rest.split_whitespace().collect();
    if parts.len() < 4 {
        return None;
    }
    let day: u32 = parts[0].parse().ok()?;
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let month = MONTHS.iter().position(|m| parts[1].eq_ignore_ascii_case(m))? as u32 + 1;
    let year: i64 = parts[2].parse().ok()?;
    let hms: Vec<&str> = parts[3].split(':').collect();
    if hms.len() != 3 || !(1..=31).contains(&day) {
        return None;
    }
    let (h, mi, se): (i64, i64, i64) = (hms[0].parse().ok()?, hms[1].parse().ok()?, hms[2].parse().ok()?);
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let month = time::Month::try_from(month as u8).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(year).ok()?, month, day as u8).ok()?;
    // A leap second (:60) counts as the second before it.
    let at = date.with_hms(h as u8, mi as u8, se.min(59) as u8).ok()?;
    Some(at.assume_utc().unix_timestamp())
}

/// The system clock in Unix seconds (0 if the clock is before 1970).
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn huge_and_odd_numbers_compare_without_panicking() {
        for v in [json!(1e300), json!(-1e300), json!(u64::MAX), json!(i64::MIN), json!(f64::MAX), json!(0.5)] {
            let d = NumericDate::from_value(&v).unwrap();
            let _ = d.cmp_secs(i64::MAX as i128 + 60);
            let _ = describe("exp", d, i64::MAX);
            let _ = describe("exp", d, i64::MIN);
        }
        assert_eq!(NumericDate::from_value(&json!(u64::MAX)).unwrap().cmp_secs(i64::MAX as i128), Ordering::Greater);
        assert_eq!(NumericDate::from_value(&json!(1e300)).unwrap().cmp_secs(1_700_000_000), Ordering::Greater);
        assert_eq!(NumericDate::from_value(&json!(1_699_999_999.5)).unwrap().cmp_secs(1_700_000_000), Ordering::Less);
        assert!(NumericDate::from_value(&json!("123")).is_none());
    }

    #[test]
    fn human_spans() {
        let now = 1_700_000_000;
        assert!(describe("exp", NumericDate::Int(now as i128 + 250), now).ends_with("expires in 4 min"));
        assert!(describe("exp", NumericDate::Int(now as i128 - 3 * 3600 - 5), now).ends_with("expired 3 h ago"));
        assert_eq!(span(1e30), "more than 10000 years");
        assert_eq!(utc(0.0).as_deref(), Some("1970-01-01 00:00:00 UTC"));
        assert_eq!(utc(1e20), None);
    }

    #[test]
    fn http_dates_round_trip_with_utc() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(utc(t as f64).as_deref(), Some("1994-11-06 08:49:37 UTC"));
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
