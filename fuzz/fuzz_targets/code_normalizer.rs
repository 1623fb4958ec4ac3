//! The standard-code normalizer (`stdnav_core::code`) on arbitrary text.
//!
//! Properties, for every input:
//! - nothing panics (parse, normalize, number_key, variant_of, level, nature);
//! - `normalize` agrees with `StdCode::parse(..).canonical()`;
//! - the canonical spelling is a fixed point: it parses back to the same
//!   code, so `normalize(normalize(x)) == normalize(x)`;
//! - the edition id and the base (code without year) parse back to the same
//!   prefix and number, so the index keys built from them are reachable;
//! - the number key is the same from the input and from its canonical spelling.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stdnav_core::code::{self, StdCode};

fuzz_target!(|data: &[u8]| {
    // Codes reach the service as protobuf strings: always UTF-8.
    let input = String::from_utf8_lossy(data);
    let input = input.as_ref();
    let _ = code::variant_of(input);
    let key = code::number_key(input);
    let parsed = StdCode::parse(input);
    assert_eq!(
        code::normalize(input),
        parsed
            .as_ref()
            .map(StdCode::canonical)
            .map_err(Clone::clone),
        "normalize disagrees with parse for {input:?}"
    );
    let Ok(code) = parsed else {
        return;
    };
    let _ = (code.level(), code.nature(), code.family());

    let canonical = code.canonical();
    let again = StdCode::parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical {canonical:?} of {input:?} does not parse: {e}"));
    assert_eq!(again, code, "{input:?} → {canonical:?} parses differently");
    assert_eq!(
        code::normalize(&canonical).as_deref(),
        Ok(canonical.as_str()),
        "normalize is not idempotent on {input:?}"
    );
    assert_eq!(
        code::number_key(&canonical),
        key,
        "number key of {input:?} differs from that of {canonical:?}"
    );

    let edition = code.edition_id();
    let from_edition = StdCode::parse(&edition)
        .unwrap_or_else(|e| panic!("edition id {edition:?} of {input:?} does not parse: {e}"));
    assert_eq!(
        from_edition.edition_id(),
        edition,
        "edition id of {input:?}"
    );

    let base = code.base();
    let from_base = StdCode::parse(&base)
        .unwrap_or_else(|e| panic!("base {base:?} of {input:?} does not parse: {e}"));
    assert_eq!(
        from_base.prefix, code.prefix,
        "prefix of the base of {input:?}"
    );
    // Documented ambiguity (core/src/code/mod.rs, "Year or part?"): outside
    // Chinese codes a last group of four digits in 1900–2099 after `-` reads
    // as a year, so the base of `EN 60335-2011:2012` is read back as
    // `EN 60335:2011`. No real ISO/IEC part number is in that range.
    if !ends_with_year_like_part(&code.number) {
        assert_eq!(from_base.base(), base, "base of {input:?}");
    }
});

fn ends_with_year_like_part(number: &str) -> bool {
    number
        .rsplit_once(['-', '/', ' '])
        .is_some_and(|(_, last)| {
            last.len() == 4
                && last
                    .parse::<u16>()
                    .is_ok_and(|y| (1900..=2099).contains(&y))
        })
}
