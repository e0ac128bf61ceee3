use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A finding's identity across runs, used by baselines, exceptions and SARIF
/// `partialFingerprints`. It never includes a line number, so findings keep their identity when
/// code moves:
/// - a finding with a secret is the rule plus the secret: the same credential is one finding
///   wherever it appears, and stays known to a baseline if it moves to another file;
/// - any other finding is the rule, the path and the matched content with white space folded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(pub String);

impl Fingerprint {
    pub fn for_secret(rule_id: &str, secret: &str) -> Self {
        Self::hash(&[b"secret", rule_id.as_bytes(), secret.as_bytes()])
    }

    pub fn for_content(rule_id: &str, path: &str, content: &[u8]) -> Self {
        let mut folded = Vec::with_capacity(content.len());
        for word in content
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
        {
            if !folded.is_empty() {
                folded.push(b' ');
            }
            folded.extend_from_slice(word);
        }
        Self::hash(&[b"content", rule_id.as_bytes(), path.as_bytes(), &folded])
    }

    fn hash(parts: &[&[u8]]) -> Self {
        let mut h = Sha256::new();
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        let digest = h.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(32);
        for b in &digest[..16] {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 15)]));
        }
        Fingerprint(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A UUID (version 5 and RFC 4122 variant bits, so validators accept it) from the SHA-256 of
/// `content`: unique per content, identical for identical content.
pub fn content_uuid(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_fingerprint_ignores_white_space_but_not_path() {
        let a = Fingerprint::for_content("r", "a.tf", b"  acl =   \"public\"\n");
        let b = Fingerprint::for_content("r", "a.tf", b"acl = \"public\"");
        let c = Fingerprint::for_content("r", "b.tf", b"acl = \"public\"");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str().len(), 32);
    }

    #[test]
    fn secret_fingerprint_is_independent_of_place_but_not_of_rule() {
        let a = Fingerprint::for_secret("secret.x", "abc");
        assert_eq!(a, Fingerprint::for_secret("secret.x", "abc"));
        assert_ne!(a, Fingerprint::for_secret("secret.y", "abc"));
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        assert_ne!(
            Fingerprint::for_secret("ab", "c"),
            Fingerprint::for_secret("a", "bc")
        );
    }
}
