//! Versions come from lockfiles and advisories, so from anyone: every comparator must take any
//! two strings without panicking, and agree with itself when the arguments are swapped.

use std::cmp::Ordering;

use rampart_sca::ecosystem::Ecosystem;

const PIECES: &[&str] = &[
    "0",
    "1",
    "01",
    "99999999999999999999999999",
    ".",
    "-",
    "_",
    "+",
    "~",
    "^",
    ":",
    "v",
    "V",
    "a",
    "alpha",
    "beta",
    "rc",
    "pre",
    "post",
    "dev",
    "SNAPSHOT",
    "final",
    "sp",
    "r",
    "-r1",
    "_p",
    "_rc",
    "#",
    "pl",
    "é",
    "\u{0}",
    " ",
    "!",
    "*",
    "x",
    "",
    "1.0",
    "2:",
    "ga",
    "cr",
];

#[test]
fn any_strings_compare_without_panicking_and_antisymmetrically() {
    let mut state: u64 = 0x853C_49E6_748F_EA9B;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut versions = Vec::new();
    for _ in 0..400 {
        let len = next(8);
        versions.push(
            (0..len)
                .map(|_| PIECES[next(PIECES.len())])
                .collect::<String>(),
        );
    }
    for eco in Ecosystem::ALL {
        for pair in versions.chunks(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let ab = eco.compare(a, b);
            let ba = eco.compare(b, a);
            assert_eq!(ab, ba.reverse(), "{eco}: {a:?} vs {b:?}");
            assert_eq!(eco.compare(a, a), Ordering::Equal, "{eco}: {a:?} vs itself");
        }
    }
}
