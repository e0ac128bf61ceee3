//! Any bytes, as any file: the secrets scanner and the engine must not panic, and every location
//! must lie inside the blob.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_core::{Accumulator, Blob, Engine, EngineOptions, Origin};
use rampart_secrets::{SecretsOptions, SecretsScanner};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let options = SecretsOptions { decode_base64: true, ..Default::default() };
        let scanner = SecretsScanner::new(&options).expect("built-in rules");
        Engine::new(vec![Box::new(scanner)], EngineOptions::default()).expect("engine")
    })
}

fuzz_target!(|data: &[u8]| {
    let mut acc = Accumulator::default();
    let origin = Origin::File;
    engine().scan_blob(&Blob { path: "fuzz", origin: &origin, bytes: data }, &mut acc);
    let (findings, _, _) = acc.finish();
    for f in findings {
        for l in f.locations {
            assert!(l.byte_offset + l.byte_length <= data.len() as u64);
            assert!(l.line >= 1 && l.column >= 1);
        }
    }
});
