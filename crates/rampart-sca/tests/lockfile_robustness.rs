//! Lockfiles are hostile input: every fixture, truncated at every few bytes and with bytes
//! flipped, goes through the parser its name selects. Nothing may panic; what parses must
//! still hold sane packages.

use std::path::{Path, PathBuf};

use rampart_sca::lockfile::{format_for, Input, FORMATS};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if format_for(&p).is_some() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_format_has_fixtures() {
    let found = fixtures();
    for format in FORMATS {
        assert!(
            found
                .iter()
                .any(|p| format_for(p).map(|f| f.name) == Some(format.name)),
            "no fixture for {}",
            format.name
        );
    }
}

#[test]
fn truncated_and_corrupted_lockfiles_never_panic() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut runs = 0;
    for path in fixtures() {
        let format = format_for(&path).expect("claimed");
        let text = std::fs::read_to_string(&path).expect("fixture is text");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let step = (text.len() / 40).max(1);
        let mut variants: Vec<String> = (0..text.len())
            .step_by(step)
            .filter(|i| text.is_char_boundary(*i))
            .map(|i| text[..i].to_string())
            .collect();
        for _ in 0..20 {
            let mut bytes = text.clone().into_bytes();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if !bytes.is_empty() {
                    let i = (state % bytes.len() as u64) as usize;
                    bytes[i] = b"{}[]:,\"'\n =-@#/\\"[(state >> 32) as usize % 16];
                }
            }
            variants.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        for v in variants {
            runs += 1;
            if let Ok(packages) = (format.parse)(&Input::alone(&name, &v)) {
                for p in packages {
                    assert!(
                        p.line >= 1 && p.line as usize <= v.lines().count().max(1),
                        "{name}: {p:?}"
                    );
                    assert!(!p.name.is_empty(), "{name}: {p:?}");
                }
            }
        }
    }
    assert!(runs > 500, "only {runs} variants");
}
