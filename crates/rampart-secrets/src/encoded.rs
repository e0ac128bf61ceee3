//! Secrets hidden in base64 (Kubernetes `Secret` data, basic-auth headers, encoded config):
//! runs of the base64 alphabet long enough to hide a credential are decoded once, and the text
//! inside is scanned with the same rules.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// Shorter runs rarely hide a whole credential and are mostly identifiers.
const MIN_RUN: usize = 24;
/// Longer runs are embedded files (images, fonts), not credentials.
const MAX_RUN: usize = 16 * 1024;

/// Byte ranges of candidate base64 runs in `bytes`.
pub fn runs(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        let in_alphabet =
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=');
        match (in_alphabet, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push_run(bytes, s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_run(bytes, s, bytes.len(), &mut out);
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
    let len = end - start;
    if !(MIN_RUN..=MAX_RUN).contains(&len) {
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
    fn binary_and_assignments_are_not_candidates() {
        assert!(runs(b"password=SuperSecretValue123456789abc")
            .iter()
            .all(|r| r.start > 0));
        // Random bytes encoded: decodes, but not to text.
        assert!(decode(b"/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT").is_none());
    }
}
