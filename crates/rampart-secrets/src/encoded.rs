//! Secrets hidden in base64 (Kubernetes `Secret` data, basic-auth headers, encoded config):
//! runs of the base64 alphabet long enough to hide a credential are decoded once, and the text
//! inside is scanned with the same rules.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// Shorter runs rarely hide a whole credential and are mostly identifiers.
const MIN_RUN: usize = 24;
/// Longer runs are embedded files (images, fonts), not credentials.
const MAX_RUN: usize = 16 * 1024;

/// The bytes of the standard and URL-safe base64 alphabets, with padding.
static ALPHABET: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_' | b'=');
        b += 1;
    }
    t
};

/// Byte ranges of candidate base64 runs in `bytes`.
///
/// Most of a text file is runs far shorter than [`MIN_RUN`], so the search probes the byte
/// `MIN_RUN - 1` ahead: when that byte is outside the alphabet no long-enough run can start
/// before it, and the whole stretch is skipped unread.
pub fn runs(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let n = bytes.len();
    let in_alphabet = |i: usize| ALPHABET[bytes[i] as usize];
    // Invariant: `i` is 0 or the byte before it is outside the alphabet.
    let mut i = 0;
    while i + MIN_RUN <= n {
        let probe = i + MIN_RUN - 1;
        if !in_alphabet(probe) {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && in_alphabet(start - 1) {
            start -= 1;
        }
        let mut end = probe + 1;
        while end < n && in_alphabet(end) {
            end += 1;
        }
        if (MIN_RUN..=MAX_RUN).contains(&(end - start)) {
            push_run(bytes, start, end, &mut out);
        }
        i = end + 1;
    }
    out
}

fn push_run(bytes: &[u8], start: usize, end: usize, out: &mut Vec<std::ops::Range<usize>>) {
    // `=` only pads the end; a run like `key=value` is two words, not base64.
    let run = &bytes[start..end];
    let body_end = run.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
    if run[..body_end].contains(&b'=') {
        return;
    }
    // Plain words and identifiers are not base64: real encodings mix cases and digits.
    let has_upper = run.iter().any(u8::is_ascii_uppercase);
    let has_lower = run.iter().any(u8::is_ascii_lowercase);
    if has_upper && has_lower {
        out.push(start..end);
    }
}

/// The decoded text of a run, when it decodes and reads as text.
pub fn decode(run: &[u8]) -> Option<Vec<u8>> {
    let decoded = STANDARD
        .decode(run)
        .or_else(|_| STANDARD_NO_PAD.decode(run))
        .or_else(|_| URL_SAFE.decode(run))
        .or_else(|_| URL_SAFE_NO_PAD.decode(run))
        .ok()?;
    if decoded.len() < 8 {
        return None;
    }
    let printable = decoded
        .iter()
        .filter(|&&b| b.is_ascii_graphic() || b == b' ' || b == b'\n' || b == b'\r' || b == b'\t')
        .count();
    (printable * 100 >= decoded.len() * 95).then_some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_decodes_encoded_text() {
        let text = b"data:\n  token: Z2hwX3Rlc3R0b2tlbnRlc3R0b2tlbnRlc3R0b2tlbg==\n  name: plainwordsonlyherethatarelong\n";
        let found = runs(text);
        assert_eq!(found.len(), 1);
        let decoded = decode(&text[found[0].clone()]).unwrap();
        assert_eq!(decoded, b"ghp_testtokentesttokentesttoken");
    }

    #[test]
    fn runs_are_found_at_any_offset_and_length() {
        let token = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=";
        for prefix in ["", " ", "a b ", "short words here: "] {
            for suffix in ["", "\n", " tail"] {
                let text = format!("{prefix}{token}{suffix}");
                let found = runs(text.as_bytes());
                assert_eq!(
                    found,
                    vec![prefix.len()..prefix.len() + token.len()],
                    "{text:?}"
                );
            }
        }
        let short = format!("{}A b", "a".repeat(MIN_RUN - 2));
        assert!(runs(short.as_bytes()).is_empty(), "one byte short");
        let exact = format!("{}A b", "a".repeat(MIN_RUN - 1));
        assert_eq!(runs(exact.as_bytes()), vec![0..MIN_RUN], "exactly MIN_RUN");
        assert_eq!(
            runs(b"aBcDeFgHiJkLmNoPqRsTuVwXyZ aBcDeFgHiJkLmNoPqRsTuVwXyZ").len(),
            2
        );
    }

    #[test]
    fn binary_and_assignments_are_not_candidates() {
        assert!(runs(b"password=SuperSecretValue123456789abc")
            .iter()
            .all(|r| r.start > 0));
        // Random bytes encoded: decodes, but not to text.
        assert!(decode(b"/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT").is_none());
    }
}
