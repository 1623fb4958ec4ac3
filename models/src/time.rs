//! Calendar helpers: RFC 3339 timestamps and the current year (humantime
//! does the calendar arithmetic).

use std::time::SystemTime;

/// `t` as RFC 3339 in UTC, whole seconds: `2025-03-01T08:15:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// The current UTC year.
pub fn current_year() -> i32 {
    rfc3339(SystemTime::now())
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(1970)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_735_689_599)),
            "2024-12-31T23:59:59Z"
        );
        assert!(current_year() >= 2024);
    }
}
