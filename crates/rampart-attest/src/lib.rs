//! Signed evidence of a run: an in-toto Statement (v1) of what was scanned and what the gate
//! decided, in a DSSE envelope signed with Ed25519.
//!
//! Keys are the standard encodings (RFC 8410), in PEM: the private key as PKCS#8
//! (`-----BEGIN PRIVATE KEY-----`), the public key as SubjectPublicKeyInfo (`-----BEGIN
//! PUBLIC KEY-----`), so OpenSSL and other DSSE tools read them. A signature covers DSSE's
//! pre-authentication encoding of the payload type and the payload, so neither can change
//! without the signature failing.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::Signer;
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://rampart.dev/attestations/scan/v1";
pub const KEY_FILE: &str = "rampart.key";
pub const PUB_FILE: &str = "rampart.pub";

/// The DER prefixes of an Ed25519 PKCS#8 private key and SubjectPublicKeyInfo (RFC 8410):
/// both are followed by the 32 key bytes.
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// The largest envelope or key file read.
const MAX_FILE: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("not a DSSE envelope: {0}")]
    Malformed(String),
    #[error("the signature does not verify with this key: the attestation was changed, or signed with another key")]
    BadSignature,
    #[error("cannot make a key: {0}")]
    Random(String),
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub payload_type: String,
    pub payload: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    #[serde(default)]
    pub keyid: String,
    pub sig: String,
}

/// DSSE's pre-authentication encoding: `DSSEv1 <len> <type> <len> <body>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// A key's id: the SHA-256 of its SubjectPublicKeyInfo, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    format!("{:x}", Sha256::digest(spki_der(key)))
}

fn spki_der(key: &VerifyingKey) -> Vec<u8> {
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(key.as_bytes());
    der
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = B64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn unpem(label: &str, text: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let body: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    B64.decode(body).ok()
}

/// A new key pair from the operating system's random source.
pub fn generate() -> Result<SigningKey, AttestError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| AttestError::Random(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The private key in PEM (PKCS#8).
pub fn private_pem(key: &SigningKey) -> String {
    let mut der = PKCS8_PREFIX.to_vec();
    der.extend_from_slice(&key.to_bytes());
    pem("PRIVATE KEY", &der)
}

/// The public key in PEM (SubjectPublicKeyInfo).
pub fn public_pem(key: &VerifyingKey) -> String {
    pem("PUBLIC KEY", &spki_der(key))
}

fn read_bounded(path: &Path) -> Result<String, AttestError> {
    let file = |message: String| AttestError::File {
        path: path.to_path_buf(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| file(e.to_string()))?
        .len();
    if size > MAX_FILE {
        return Err(file(format!("larger than {MAX_FILE} bytes")));
    }
    std::fs::read_to_string(path).map_err(|e| file(e.to_string()))
}

pub fn read_signing_key(path: &Path) -> Result<SigningKey, AttestError> {
    let text = read_bounded(path)?;
    let der = unpem("PRIVATE KEY", &text)
        .filter(|d| d.len() == 48 && d[..16] == PKCS8_PREFIX)
        .ok_or_else(|| AttestError::File {
            path: path.to_path_buf(),
            message: "not an Ed25519 private key in PEM (PKCS#8), as `rampart key generate` writes"
                .into(),
        })?;
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&der[16..]);
    Ok(SigningKey::from_bytes(&seed))
}

pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, AttestError> {
    let text = read_bounded(path)?;
    let bad = |message: &str| AttestError::File {
        path: path.to_path_buf(),
        message: message.to_string(),
    };
    let der = unpem("PUBLIC KEY", &text)
        .filter(|d| d.len() == 44 && d[..12] == SPKI_PREFIX)
        .ok_or_else(|| bad("not an Ed25519 public key in PEM, as `rampart key generate` writes"))?;
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&der[12..]);
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not a valid Ed25519 public key"))
}

/// Writes `rampart.key` (readable by its owner only) and `rampart.pub` in `dir`, refusing to
/// replace an existing key.
pub fn write_key_pair(dir: &Path) -> Result<(PathBuf, PathBuf), AttestError> {
    let key = generate()?;
    let private = dir.join(KEY_FILE);
    let public = dir.join(PUB_FILE);
    let file = |path: &Path, message: String| AttestError::File {
        path: path.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| file(dir, e.to_string()))?;
    for p in [&private, &public] {
        if p.exists() {
            return Err(file(p, "exists already; a key is never overwritten".into()));
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    options
        .open(&private)
        .and_then(|mut f| f.write_all(private_pem(&key).as_bytes()))
        .map_err(|e| file(&private, e.to_string()))?;
    std::fs::write(&public, public_pem(&key.verifying_key()))
        .map_err(|e| file(&public, e.to_string()))?;
    Ok((private, public))
}

/// An in-toto Statement: what it is about, and what is said of it.
pub fn statement(
    subjects: Vec<serde_json::Value>,
    predicate: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    })
}

/// Signs a statement into a DSSE envelope.
pub fn sign(statement: &serde_json::Value, key: &SigningKey) -> Envelope {
    let payload = statement.to_string().into_bytes();
    let signature = key.sign(&pae(PAYLOAD_TYPE, &payload));
    Envelope {
        payload_type: PAYLOAD_TYPE.to_string(),
        payload: B64.encode(&payload),
        signatures: vec![Signature {
            keyid: key_id(&key.verifying_key()),
            sig: B64.encode(signature.to_bytes()),
        }],
    }
}

/// Checks an envelope's signature with `key` and returns its statement. Any change to the
/// payload type, the payload or the signature makes it fail.
pub fn verify(envelope: &str, key: &VerifyingKey) -> Result<serde_json::Value, AttestError> {
    let malformed = |m: &str| AttestError::Malformed(m.to_string());
    let envelope: Envelope =
        serde_json::from_str(envelope).map_err(|e| AttestError::Malformed(e.to_string()))?;
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(AttestError::Malformed(format!(
            "payload type `{}`, expected `{PAYLOAD_TYPE}`",
            envelope.payload_type
        )));
    }
    let payload = B64
        .decode(envelope.payload.as_bytes())
        .map_err(|_| malformed("the payload is not base64"))?;
    if envelope.signatures.is_empty() {
        return Err(malformed("no signature"));
    }
    let message = pae(&envelope.payload_type, &payload);
    let verified = envelope.signatures.iter().any(|s| {
        B64.decode(s.sig.as_bytes())
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .map(|b| ed25519_dalek::Signature::from_bytes(&b))
            .is_some_and(|sig| key.verify_strict(&message, &sig).is_ok())
    });
    if !verified {
        return Err(AttestError::BadSignature);
    }
    let statement: serde_json::Value = serde_json::from_slice(&payload)
        .map_err(|e| AttestError::Malformed(format!("the payload is not JSON: {e}")))?;
    if statement["_type"] != STATEMENT_TYPE {
        return Err(malformed("the payload is not an in-toto Statement"));
    }
    Ok(statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_dsse_v1() {
        // The example of the DSSE specification.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn keys_round_trip_through_pem() {
        let key = generate().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k"), private_pem(&key)).unwrap();
        std::fs::write(dir.path().join("p"), public_pem(&key.verifying_key())).unwrap();
        let back = read_signing_key(&dir.path().join("k")).unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
        let public = read_verifying_key(&dir.path().join("p")).unwrap();
        assert_eq!(public, key.verifying_key());
        assert!(private_pem(&key).starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
        assert!(public_pem(&public).starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    }
}
