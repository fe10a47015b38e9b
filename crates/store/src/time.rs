//! Unix milliseconds as ISO 8601 UTC text (`2026-03-01T12:00:00.250Z`), for HAR and reports.
//! Leaves out time zones and parsing.

pub fn iso8601(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_instants() {
        assert_eq!(super::iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::iso8601(951_782_400_250), "2000-02-29T00:00:00.250Z");
        assert_eq!(super::iso8601(1_772_366_400_000), "2026-03-01T12:00:00.000Z");
    }
}
