//! Identicons: a symmetric 5×5 pattern in one colour, drawn from the bytes of a per-site keyed hash
//! of the commenter's email. The hash is keyed with a secret, so the picture cannot be matched to an
//! address by anyone without the key; no third-party avatar service is ever asked.

use std::fmt::Write;

/// Draws the identicon for a hex hash (at least 8 bytes, i.e. 16 hex digits) as SVG, or `None`
/// when `hex_hash` is not such a hash.
pub fn svg(hex_hash: &str) -> Option<String> {
    if hex_hash.len() < 16 || hex_hash.len() > 128 {
        return None;
    }
    let bytes = hex::decode(hex_hash).ok()?;
    let hue = u32::from(u16::from_be_bytes([bytes[0], bytes[1]])) % 360;
    let saturation = 45 + u32::from(bytes[2]) % 25;
    let lightness = 40 + u32::from(bytes[3]) % 20;
    // 15 cells decide the pattern: columns 0..3 of 5 rows; columns 3 and 4 mirror 1 and 0.
    let bits = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let mut out = String::with_capacity(900);
    out.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-1 -1 7 7" width="64" height="64" role="img" aria-hidden="true">"#);
    out.push_str(r##"<rect x="-1" y="-1" width="7" height="7" fill="#f0f0f0"/>"##);
    let _ = write!(out, r#"<g fill="hsl({hue} {saturation}% {lightness}%)">"#);
    for row in 0..5u32 {
        for column in 0..3u32 {
            if bits >> (row * 3 + column) & 1 == 1 {
                let _ = write!(
                    out,
                    r#"<rect x="{column}" y="{row}" width="1" height="1"/>"#
                );
                if column < 2 {
                    let mirrored = 4 - column;
                    let _ = write!(
                        out,
                        r#"<rect x="{mirrored}" y="{row}" width="1" height="1"/>"#
                    );
                }
            }
        }
    }
    out.push_str("</g></svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_hash_draws_the_same_picture_and_others_differ() {
        let a = svg("00112233445566778899aabbccddeeff").expect("svg");
        assert_eq!(Some(a.clone()), svg("00112233445566778899aabbccddeeff"));
        assert_ne!(Some(a.clone()), svg("ffeeddccbbaa99887766554433221100"));
        assert!(a.starts_with("<svg"));
        assert!(a.ends_with("</svg>"));
    }

    #[test]
    fn the_pattern_is_mirrored() {
        // All 15 pattern bits set: every cell of the 5×5 grid is filled.
        let full = svg("0000000000007fffffff").expect("svg");
        assert_eq!(full.matches(r#"width="1""#).count(), 25);
    }

    #[test]
    fn anything_but_a_hex_hash_is_refused() {
        assert_eq!(svg("short"), None);
        assert_eq!(svg("zz112233445566778899aabbccddeeff"), None);
        assert_eq!(svg(&"a".repeat(200)), None);
    }
}
