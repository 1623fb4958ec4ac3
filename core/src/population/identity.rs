//! Names and USCCs: unique within the population, with real check
//! characters.

use std::collections::HashSet;

use crate::uscc;

use super::City;
use super::rng::Rng;

/// Characters for trade names (字号): common, neutral ones.
const TRADE_NAME_CHARS: &[char] = &[
    '华', '信', '瑞', '德', '恒', '通', '泰', '丰', '源', '润', '宏', '远', '新', '越', '康', '和',
    '嘉', '鑫', '诚', '达', '博', '利', '盛', '安', '景', '明', '昌', '兴', '振', '海', '邦', '创',
    '益', '汇', '立', '正', '森', '启', '航', '晟',
];

const MAX_ATTEMPTS: u32 = 10_000;

/// `青岛示例瑞丰冰箱制造有限公司`: the 示例 marks it as made up. Collisions
/// get a longer trade name, then a serial number.
pub(super) fn unique_name(
    rng: &mut Rng,
    taken: &mut HashSet<String>,
    city: &City,
    stem: &str,
) -> Option<String> {
    (0..MAX_ATTEMPTS).find_map(|attempt| {
        let trade = trade_name(rng, if attempt < 8 { 2 } else { 3 });
        let serial = if attempt < 32 {
            String::new()
        } else {
            attempt.to_string()
        };
        let name = format!("{}示例{trade}{stem}{serial}有限公司", city.name);
        taken.insert(name.clone()).then_some(name)
    })
}

fn trade_name(rng: &mut Rng, len: usize) -> String {
    let mut out: Vec<char> = Vec::with_capacity(len);
    while out.len() < len.min(TRADE_NAME_CHARS.len()) {
        if let Some(c) = rng.pick(TRADE_NAME_CHARS)
            && !out.contains(c)
        {
            out.push(*c);
        }
    }
    out.into_iter().collect()
}

/// `91` (an enterprise registered with market regulation) + region +
/// organization code + GB 32100 check character.
pub(super) fn unique_uscc(
    rng: &mut Rng,
    taken: &mut HashSet<String>,
    region: &str,
) -> Option<String> {
    (0..MAX_ATTEMPTS).find_map(|_| {
        let first17 = format!("91{region}{}", organization_code(rng));
        let code = format!("{first17}{}", uscc::check_character(&first17).ok()?);
        taken.insert(code.clone()).then_some(code)
    })
}

/// Positions 9-17: an organization code (GB 11714), eight characters and its
/// own check character; codes issued since 2015 start with `MA`.
pub(super) fn organization_code(rng: &mut Rng) -> String {
    let alphabet = uscc::ALPHABET.as_bytes();
    let mut body = String::with_capacity(9);
    if rng.chance(0.6) {
        body.push_str("MA");
        while body.len() < 8 {
            if let Some(b) = rng.pick(alphabet) {
                body.push(char::from(*b));
            }
        }
    } else {
        while body.len() < 8 {
            body.push(char::from(b'0' + rng.below(10) as u8));
        }
    }
    body.push(gb11714_check(&body));
    body
}

/// GB 11714 check: weights 3,7,9,10,5,8,4,2; letters count A=10 … Z=35.
pub(super) fn gb11714_check(body: &str) -> char {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    }
}
