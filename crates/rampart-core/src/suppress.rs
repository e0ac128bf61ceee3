//! Inline suppression comments. A finding is suppressed when its line, or the line above it,
//! carries one of:
//! - `rampart:ignore RULE-ID[,RULE-ID...] [reason]` (ids may end in `*`);
//! - `gitleaks:allow` or `pragma: allowlist secret` (the forms gitleaks and detect-secrets
//!   users already have in their code), which apply to secret rules only.

use crate::rule::id_matches;

const RAMPART: &[u8] = b"rampart:ignore";
const SECRET_ALLOW: [&[u8]; 2] = [b"gitleaks:allow", b"pragma: allowlist secret"];

/// Whether a comment on `line` or `line_above` suppresses `rule_id`.
pub fn is_suppressed(rule_id: &str, line: &[u8], line_above: &[u8]) -> bool {
    suppresses(rule_id, line) || suppresses(rule_id, line_above)
}

fn suppresses(rule_id: &str, line: &[u8]) -> bool {
    if rule_id.starts_with("secret.") && SECRET_ALLOW.iter().any(|m| find(line, m).is_some()) {
        return true;
    }
    let mut rest = line;
    while let Some(at) = find(rest, RAMPART) {
        rest = &rest[at + RAMPART.len()..];
        let ids = rest
            .iter()
            .skip_while(|b| **b == b' ' || **b == b'\t' || **b == b'=' || **b == b':')
            .take_while(|b| !b.is_ascii_whitespace())
            .copied()
            .collect::<Vec<u8>>();
        let ids = String::from_utf8_lossy(&ids);
        if ids
            .split(',')
            .filter(|p| !p.is_empty())
            .any(|p| id_matches(p, rule_id))
        {
            return true;
        }
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rampart_ignore_needs_a_matching_rule_id() {
        let id = "secret.aws-access-key-id";
        assert!(is_suppressed(
            id,
            b"key = 'x' # rampart:ignore secret.aws-access-key-id test key",
            b""
        ));
        assert!(is_suppressed(
            id,
            b"key = 'x'",
            b"// rampart:ignore secret.aws-* fixture"
        ));
        assert!(is_suppressed(
            id,
            b"x # rampart:ignore secret.slack-token,secret.aws-access-key-id",
            b""
        ));
        assert!(!is_suppressed(
            id,
            b"key = 'x' # rampart:ignore secret.slack-token",
            b""
        ));
        assert!(!is_suppressed(id, b"key = 'x' # rampart:ignore", b""));
    }

    #[test]
    fn peer_markers_apply_to_secrets_only() {
        assert!(is_suppressed("secret.x", b"k = 'v' # gitleaks:allow", b""));
        assert!(is_suppressed(
            "secret.x",
            b"k = 'v'  # pragma: allowlist secret",
            b""
        ));
        assert!(!is_suppressed("iac.x", b"k = 'v' # gitleaks:allow", b""));
    }
}
