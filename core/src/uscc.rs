//! The unified social credit code (统一社会信用代码, GB 32100-2015).

/// The 31 characters of the code, in value order (no I, O, S, V, Z).
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("must be 18 characters, got {0}")]
    Length(usize),
    #[error(
        "character {position} ({found:?}) is not in the GB 32100 alphabet 0-9A-Y without I, O, S, V, Z"
    )]
    Character { position: usize, found: char },
    #[error("check character is {found:?}, expected {expected:?}")]
    Check { found: char, expected: char },
}

fn value_of(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters: weights 3^(i-1) mod 31,
/// check = (31 - sum mod 31) mod 31.
pub fn check_character(first17: &str) -> Result<char, UsccError> {
    let mut sum = 0u32;
    let mut weight = 1u32;
    for (i, c) in first17.chars().enumerate() {
        let v = value_of(c).ok_or(UsccError::Character {
            position: i + 1,
            found: c,
        })?;
        sum += v * weight;
        weight = (weight * 3) % 31;
    }
    let check = (31 - sum % 31) % 31;
    Ok(ALPHABET.as_bytes()[check as usize] as char)
}

/// Normalizes (trim, upper-case) and validates a code; returns the normalized code.
pub fn validate(input: &str) -> Result<String, UsccError> {
    let code: String = input.trim().to_uppercase();
    let len = code.chars().count();
    if len != 18 {
        return Err(UsccError::Length(len));
    }
    // Split after the 17th character, not byte: the input may hold any text.
    let at = code.char_indices().nth(17).map_or(code.len(), |(i, _)| i);
    let (first17, last) = code.split_at(at);
    let expected = check_character(first17)?;
    let found = last.chars().next().unwrap_or(' ');
    if value_of(found).is_none() {
        return Err(UsccError::Character {
            position: 18,
            found,
        });
    }
    if found != expected {
        return Err(UsccError::Check { found, expected });
    }
    Ok(code)
}

/// Positions 3-8: the GB/T 2260 division code of the registering authority.
pub fn region_code(code: &str) -> &str {
    code.get(2..8).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_codes() {
        // Codes whose check characters follow the GB 32100 rule.
        for first17 in [
            "91440400MA4UKNQJ2",
            "91110000600037341",
            "91350200MA2Y0X8U6",
        ] {
            let check = check_character(first17).unwrap();
            let code = format!("{first17}{check}");
            assert_eq!(validate(&code).unwrap(), code);
            assert_eq!(validate(&code.to_lowercase()).unwrap(), code);
        }
        // Published code of a large listed company (Gree Electric, 珠海).
        assert!(validate("91440400192548256N").is_ok());
    }

    #[test]
    fn rejects_wrong_check_length_and_alphabet() {
        let good = format!(
            "91440400MA4UKNQJ2{}",
            check_character("91440400MA4UKNQJ2").unwrap()
        );
        let mut bad = good.clone();
        let wrong = if good.ends_with('0') { '1' } else { '0' };
        bad.replace_range(17..18, &wrong.to_string());
        assert!(matches!(validate(&bad), Err(UsccError::Check { .. })));
        assert_eq!(validate("9144"), Err(UsccError::Length(4)));
        assert!(matches!(
            validate("91440400MA4UKNQJ2I"),
            Err(UsccError::Character { position: 18, .. })
        ));
        assert!(matches!(
            validate("9144O400MA4UKNQJ2X"),
            Err(UsccError::Character { position: 5, .. })
        ));
        assert_eq!(region_code(&good), "440400");
    }

    #[test]
    fn non_ascii_is_refused_not_a_panic() {
        // Found by fuzzing: 18 characters but more bytes, split inside '热'.
        assert!(matches!(
            validate("9144000000000000热泵"),
            Err(UsccError::Character {
                position: 17,
                found: '热'
            })
        ));
        assert!(matches!(
            validate("91440400192548256热"),
            Err(UsccError::Character { position: 18, .. })
        ));
        assert_eq!(region_code("9热440400"), "");
    }
}
