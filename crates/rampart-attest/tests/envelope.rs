//! Signing and verifying attestations, and every way of tampering with one.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rampart_attest::{generate, sign, statement, verify, AttestError, Envelope};

fn signed() -> (String, ed25519_dalek::SigningKey) {
    let key = generate().expect("key");
    let st = statement(
        vec![
            serde_json::json!({"name": "repo", "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"}}),
        ],
        serde_json::json!({"decision": {"passed": true}, "counts": {"high": 0}}),
    );
    (serde_json::to_string(&sign(&st, &key)).expect("json"), key)
}

#[test]
fn a_signed_statement_verifies_and_reads_back() {
    let (envelope, key) = signed();
    let st = verify(&envelope, &key.verifying_key()).expect("verifies");
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicate"]["decision"]["passed"], true);
}

#[test]
fn any_change_to_the_payload_or_signature_fails() {
    let (envelope, key) = signed();
    let public = key.verifying_key();
    let parsed: Envelope = serde_json::from_str(&envelope).expect("envelope");

    // The decision flipped in the payload.
    let payload = String::from_utf8(B64.decode(&parsed.payload).expect("b64")).expect("utf8");
    let mut flipped = parsed.clone();
    flipped.payload = B64.encode(payload.replace("\"passed\":true", "\"passed\":false"));
    assert_ne!(flipped.payload, parsed.payload);
    let err = verify(&serde_json::to_string(&flipped).expect("json"), &public).unwrap_err();
    assert!(matches!(err, AttestError::BadSignature), "{err}");

    // Every single byte of the signature.
    let sig = B64.decode(&parsed.signatures[0].sig).expect("b64");
    for i in 0..sig.len() {
        let mut bad = sig.clone();
        bad[i] ^= 0x01;
        let mut e = parsed.clone();
        e.signatures[0].sig = B64.encode(&bad);
        assert!(verify(&serde_json::to_string(&e).expect("json"), &public).is_err());
    }

    // The payload type (covered by the signature too).
    let mut typed = parsed.clone();
    typed.payload_type = "application/json".into();
    assert!(verify(&serde_json::to_string(&typed).expect("json"), &public).is_err());

    // Another key.
    let other = generate().expect("key").verifying_key();
    assert!(matches!(
        verify(&envelope, &other).unwrap_err(),
        AttestError::BadSignature
    ));
}

#[test]
fn truncated_or_hostile_envelopes_are_errors_not_panics() {
    let (envelope, key) = signed();
    let public = key.verifying_key();
    for cut in [
        0,
        1,
        envelope.len() / 3,
        envelope.len() / 2,
        envelope.len() - 1,
    ] {
        assert!(verify(&envelope[..cut], &public).is_err());
    }
    for hostile in [
        "{}",
        "[]",
        "null",
        r#"{"payloadType":"application/vnd.in-toto+json","payload":"%%%","signatures":[{"sig":"AA=="}]}"#,
        r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}"#,
        r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"not base64"}]}"#,
    ] {
        assert!(verify(hostile, &public).is_err(), "{hostile}");
    }
}
