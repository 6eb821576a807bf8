//! Reference codes people keep to follow their feedback: 60 random bits in Crockford's
//! base32 (no I, L, O, U), written `XXXX-XXXX-XXXX`, read back forgivingly.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHARS: usize = 12;

/// A reference code. Made from 60 random bits supplied by the caller (the core has no
/// random source of its own).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferenceCode(String);

impl ReferenceCode {
    pub fn from_random(random: u64) -> ReferenceCode {
        let mut out = String::with_capacity(CHARS + 2);
        for i in 0..CHARS {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            let shift = 5 * (CHARS - 1 - i);
            out.push(ALPHABET[((random >> shift) & 31) as usize] as char);
        }
        ReferenceCode(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReferenceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Read a code as a person may type it back: any case, with or without dashes or spaces,
/// O for 0 and I or L for 1. `None` when it cannot be a code.
pub fn parse_reference(typed: &str) -> Option<ReferenceCode> {
    let mut value: u64 = 0;
    let mut count = 0;
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        let digit = ALPHABET.iter().position(|&a| a as char == c)?;
        value = (value << 5) | digit as u64;
        count += 1;
        if count > CHARS {
            return None;
        }
    }
    (count == CHARS).then(|| ReferenceCode::from_random(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn written_in_three_groups() {
        let code = ReferenceCode::from_random(0x0FFF_FFFF_FFFF_FFFF);
        assert_eq!(code.as_str(), "ZZZZ-ZZZZ-ZZZZ");
        assert_eq!(ReferenceCode::from_random(0).as_str(), "0000-0000-0000");
    }

    #[test]
    fn typed_back_forgivingly() {
        let code = ReferenceCode::from_random(0x0123_4567_89AB_CDEF);
        let typed = code.as_str().to_lowercase().replace('-', " ").replace('1', "l").replace('0', "o");
        assert_eq!(parse_reference(&typed), Some(code));
        assert_eq!(parse_reference("ABCD-EFGH-JKM"), None);
        assert_eq!(parse_reference("ABCD-EFGH-JKMNP"), None);
        assert_eq!(parse_reference("ABCD-EFGH-JKMU"), None);
    }

    proptest! {
        #[test]
        fn sixty_bits_round_trip(bits in 0u64..(1 << 60)) {
            let code = ReferenceCode::from_random(bits);
            prop_assert_eq!(parse_reference(code.as_str()), Some(code.clone()));
            prop_assert_eq!(code.as_str().len(), 14);
        }
    }
}
