use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Formats unix seconds in the site's time zone with a strftime pattern; out-of-range times give "".
pub(crate) fn format(seconds: i64, tz: &TimeZone, pattern: &str) -> String {
    match Timestamp::from_second(seconds) {
        Ok(ts) => ts
            .to_zoned_datetime(tz.clone())
            .strftime(pattern)
            .to_string(),
        Err(_) => String::new(),
    }
}

/// "November 28, 2026".
pub(crate) const DATE: &str = "%B %-d, %Y";
/// "November 28, 2026 at 9:05 am".
pub(crate) const DATETIME: &str = "%B %-d, %Y at %-I:%M %P";
/// RFC 3339, for `<time datetime>` and metadata.
pub(crate) const ISO: &str = "%Y-%m-%dT%H:%M:%S%:z";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_the_site_time_zone() {
        let tz = TimeZone::UTC;
        assert_eq!(
            format(1_795_827_900, &tz, DATETIME),
            "November 28, 2026 at 1:05 am"
        );
        assert_eq!(format(1_795_827_900, &tz, DATE), "November 28, 2026");
        assert_eq!(format(1_795_827_900, &tz, ISO), "2026-11-28T01:05:00+00:00");
        assert_eq!(format(i64::MAX, &tz, DATE), "");
    }
}
