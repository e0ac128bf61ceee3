//! Hostile input: random bytes spliced with fragments of real credential formats, scanned
//! through the engine. Nothing may panic, every location must lie inside its blob, and a
//! credential planted anywhere must still be found.

use rampart_core::{Accumulator, Blob, Engine, EngineOptions, Origin};
use rampart_secrets::{SecretsOptions, SecretsScanner};

const FRAGMENTS: &[&str] = &[
    "ghp_",
    "AKIA",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END",
    "xoxb-",
    "sk_live_",
    "eyJ",
    "password=",
    "postgres://",
    "==",
    "\n",
    "\r\n",
    "\"",
    "'",
    "=",
    "\u{feff}",
    "é",
    "\u{202e}",
    "Z2hwX",
    "aws_secret_access_key",
    "://",
    "@",
    ":",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn engine() -> Engine {
    let scanner = SecretsScanner::new(&SecretsOptions {
        decode_base64: true,
        ..Default::default()
    })
    .expect("built-in rules compile");
    Engine::new(vec![Box::new(scanner)], EngineOptions::default()).expect("engine")
}

fn hostile(rng: &mut Rng) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..rng.below(200) {
        if rng.below(3) == 0 {
            data.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes());
        } else {
            for _ in 0..rng.below(40) {
                // Mostly printable, sometimes anything (but no NUL, which would make it binary).
                let b = if rng.below(10) == 0 {
                    (rng.below(255) + 1) as u8
                } else {
                    (rng.below(95) + 32) as u8
                };
                data.push(b);
            }
        }
    }
    data
}

#[test]
fn random_hostile_blobs_never_panic_and_locations_stay_in_bounds() {
    let engine = engine();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let origin = Origin::File;
    for _ in 0..3000 {
        let data = hostile(&mut rng);
        let mut acc = Accumulator::default();
        engine.scan_blob(
            &Blob {
                path: "x",
                origin: &origin,
                bytes: &data,
            },
            &mut acc,
        );
        let (findings, _, _) = acc.finish();
        for f in findings {
            for l in &f.locations {
                assert!(l.byte_offset + l.byte_length <= data.len() as u64, "{l:?}");
                assert!(l.line >= 1 && l.column >= 1 && l.end_line >= l.line);
            }
        }
    }
}

#[test]
fn a_planted_credential_is_found_whatever_surrounds_it() {
    let engine = engine();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let token = "ghp_Zx81qLmN4oPw7RtY2uVb6cDe9fGh3JkA5sT0";
    let origin = Origin::File;
    for _ in 0..500 {
        let mut data = hostile(&mut rng);
        // Separate the token from its neighbours the way real code does.
        let at = rng.below(data.len() + 1);
        let planted = format!("\ntoken = \"{token}\"\n");
        data.splice(at..at, planted.bytes());
        let mut acc = Accumulator::default();
        engine.scan_blob(
            &Blob {
                path: "x",
                origin: &origin,
                bytes: &data,
            },
            &mut acc,
        );
        let (findings, _, _) = acc.finish();
        assert!(
            findings
                .iter()
                .any(|f| f.rule_id == "secret.github-pat-classic"),
            "missed in {:?}",
            String::from_utf8_lossy(&data)
        );
    }
}
