//! Small text helpers shared by the formats.

use rampart_core::{Commit, Severity};

/// The first sentence of a rule's prose, on one line, at most `max` characters: enough for a
/// one-line "fix:" hint; the full text is in `rampart rules explain`.
pub fn first_sentence(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = sentence_end(&one_line).unwrap_or(one_line.len());
    let sentence = &one_line[..end];
    if sentence.chars().count() <= max {
        return sentence.to_string();
    }
    let mut cut: String = sentence.chars().take(max.saturating_sub(1)).collect();
    let trimmed_len = cut.trim_end().len();
    cut.truncate(trimmed_len);
    cut.push('…');
    cut
}

/// Byte index just past the first sentence's full stop, if there is a later sentence.
fn sentence_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    bytes.iter().enumerate().find_map(|(i, b)| {
        let ends = matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1) == Some(&b' ')
            && bytes.get(i + 2).is_some_and(|c| c.is_ascii_uppercase());
        ends.then_some(i + 1)
    })
}

/// The abbreviated commit id, as `git log --oneline` shows it.
pub fn short_commit(id: &str) -> &str {
    match id.char_indices().nth(7) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// The calendar date of an RFC 3339 timestamp, or the whole string when it is not one.
pub fn date_part(date: &str) -> &str {
    match date.get(..10) {
        Some(day) if date.as_bytes().get(10) == Some(&b'T') => day,
        _ => date,
    }
}

/// "commit 1a2b3c4 by Jane Doe on 2024-03-01"
pub fn describe_commit(commit: &Commit) -> String {
    format!(
        "commit {} by {} on {}",
        short_commit(&commit.id),
        commit.author,
        date_part(&commit.date)
    )
}

/// "1 place", "3 places"
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// Capitalised severity for prose and headings.
pub fn severity_title(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_stops_at_the_first_full_stop_before_a_capital() {
        assert_eq!(
            first_sentence("Rotate the key. Then remove it from history.", 200),
            "Rotate the key."
        );
        assert_eq!(
            first_sentence("Use e.g. a vault.\nNever commit it.", 200),
            "Use e.g. a vault."
        );
        assert_eq!(first_sentence("  One line only  ", 200), "One line only");
    }

    #[test]
    fn first_sentence_is_capped_on_a_character_boundary() {
        let long = "é".repeat(300);
        let got = first_sentence(&long, 10);
        assert_eq!(got.chars().count(), 10);
        assert!(got.ends_with('…'));
    }

    #[test]
    fn commit_ids_and_dates_are_shortened_safely() {
        assert_eq!(short_commit("0123456789abcdef"), "0123456");
        assert_eq!(short_commit("abc"), "abc");
        assert_eq!(short_commit("ééééééééé"), "ééééééé");
        assert_eq!(date_part("2024-03-01T10:00:00Z"), "2024-03-01");
        assert_eq!(date_part("yesterday"), "yesterday");
        assert_eq!(date_part("2024-03-01"), "2024-03-01");
    }
}
