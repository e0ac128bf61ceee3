//! Seconds since the Unix epoch to RFC 3339 in UTC, without a date-time dependency.

/// 0000-01-01T00:00:00Z: RFC 3339 has four-digit years only.
const MIN_SECONDS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z.
const MAX_SECONDS: i64 = 253_402_300_799;

/// Formats `seconds` since the Unix epoch as RFC 3339 in UTC, e.g. `2024-05-01T12:00:00Z`.
///
/// Git stores the instant in UTC and the author's offset only for display, so the offset never
/// enters the conversion. Timestamps outside the years 0000 to 9999 (only a forged commit has
/// them) are clamped so the result is still valid RFC 3339.
pub fn rfc3339_utc(seconds: i64) -> String {
    let seconds = seconds.clamp(MIN_SECONDS, MAX_SECONDS);
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The proleptic Gregorian date of a day count from 1970-01-01, after Howard Hinnant's
/// `civil_from_days`: shifting the year to start in March puts the leap day last, so every
/// month but February has a fixed place and a 400-year era repeats exactly.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_month + 2) / 5 + 1;
    let month = if march_month < 10 {
        march_month + 3
    } else {
        march_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::rfc3339_utc;

    #[test]
    fn known_timestamps() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (-1, "1969-12-31T23:59:59Z"),
            (-31_536_000, "1969-01-01T00:00:00Z"),
            (68_169_600, "1972-02-29T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_582_934_400, "2020-02-29T00:00:00Z"),
            (1_709_251_199, "2024-02-29T23:59:59Z"),
            (1_709_251_200, "2024-03-01T00:00:00Z"),
            (1_714_564_800, "2024-05-01T12:00:00Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
            (-2_203_891_200, "1900-03-01T00:00:00Z"),
            (-62_167_219_200, "0000-01-01T00:00:00Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(rfc3339_utc(seconds), expected, "{seconds}");
        }
    }

    #[test]
    fn the_offset_is_not_part_of_the_instant() {
        // 2024-02-29T22:30:00-05:00 is stored by git as these seconds with offset -0500.
        let seconds = 1_709_263_800;
        assert_eq!(rfc3339_utc(seconds), "2024-03-01T03:30:00Z");
    }

    #[test]
    fn out_of_range_years_are_clamped() {
        assert_eq!(rfc3339_utc(i64::MIN), "0000-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(i64::MAX), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let days_in_month = |y: i64, m: i64| match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let mut seconds: i64 = -2_208_988_800; // 1900-01-01
        for year in 1900..2300 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    let expected = format!("{year:04}-{month:02}-{day:02}T00:00:00Z");
                    assert_eq!(rfc3339_utc(seconds), expected);
                    seconds += 86_400;
                }
            }
        }
    }
}
