//! Any text as a user's secret rule file: an error with a line, or rules, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = rampart_secrets::load_rule_file(std::path::Path::new("rules.toml"), text) {
            assert!(e.line <= text.lines().count() + 1);
        }
    }
});
