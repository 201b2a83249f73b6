//! Vietnamese text: accent-free folding for search, and a collation key for alphabetical order.
//!
//! Folding strips tone marks and letter diacritics ("Đặng" → "dang") so that people can type
//! without accents. The collation key follows the Vietnamese alphabet
//! (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), compares letters first, and
//! breaks ties by tone in dictionary order (ngang, huyền, hỏi, ngã, sắc, nặng), then by case.

use unicode_normalization::UnicodeNormalization;

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const TILDE: char = '\u{303}';
const HOOK: char = '\u{309}';
const DOT_BELOW: char = '\u{323}';
const BREVE: char = '\u{306}';
const CIRCUMFLEX: char = '\u{302}';
const HORN: char = '\u{31b}';

/// Lowercase, without any diacritic, whitespace collapsed: the form searches compare.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if is_combining(c) => continue,
            c => c,
        };
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Tone rank in dictionary order; 0 is level tone (ngang).
fn tone_rank(mark: char) -> Option<u8> {
    match mark {
        GRAVE => Some(1),
        HOOK => Some(2),
        TILDE => Some(3),
        ACUTE => Some(4),
        DOT_BELOW => Some(5),
        _ => None,
    }
}

/// The primary weight of a base letter with its letter diacritic (not its tone).
fn letter_weight(base: char, modifier: Option<char>) -> u32 {
    const ALPHABET: [&str; 29] = [
        "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô",
        "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y",
    ];
    let letter: String = match (base, modifier) {
        ('a', Some(BREVE)) => "ă".into(),
        ('a', Some(CIRCUMFLEX)) => "â".into(),
        ('e', Some(CIRCUMFLEX)) => "ê".into(),
        ('o', Some(CIRCUMFLEX)) => "ô".into(),
        ('o', Some(HORN)) => "ơ".into(),
        ('u', Some(HORN)) => "ư".into(),
        (c, _) => c.to_string(),
    };
    if let Some(i) = ALPHABET.iter().position(|l| *l == letter) {
        // Letters sort after digits and spaces; keep gaps for f, j, w, z (foreign letters).
        return 1000 + i as u32 * 4;
    }
    match base {
        // Foreign letters between their Latin neighbours.
        'f' => 1000 + 8 * 4 + 2,  // after ê, before g
        'j' => 1000 + 11 * 4 + 2, // after i, before k
        'w' => 1000 + 26 * 4 + 2, // after v, before x
        'z' => 1000 + 28 * 4 + 2, // after y
        ' ' => 1,
        c if c.is_ascii_digit() => 10 + (c as u32 - '0' as u32),
        c => 2000 + c as u32,
    }
}

/// A byte string whose byte order is Vietnamese alphabetical order. Stored next to names so
/// that SQLite can sort with an index.
pub fn sort_key(s: &str) -> Vec<u8> {
    let mut primary: Vec<u32> = Vec::new();
    let mut tones: Vec<u8> = Vec::new();
    let mut cases: Vec<u8> = Vec::new();
    let decomposed: Vec<char> = s.trim().nfd().collect();
    let mut i = 0;
    let mut last_space = false;
    while i < decomposed.len() {
        let c = decomposed[i];
        i += 1;
        if is_combining(c) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                primary.push(letter_weight(' ', None));
                tones.push(0);
                cases.push(0);
            }
            last_space = true;
            continue;
        }
        last_space = false;
        let upper = c.is_uppercase();
        let base = c.to_lowercase().next().unwrap_or(c);
        let mut modifier = None;
        let mut tone = 0;
        while i < decomposed.len() && is_combining(decomposed[i]) {
            let m = decomposed[i];
            if let Some(t) = tone_rank(m) {
                tone = t;
            } else {
                modifier = Some(m);
            }
            i += 1;
        }
        primary.push(letter_weight(base, modifier));
        tones.push(tone);
        cases.push(u8::from(upper));
    }
    let mut key = Vec::with_capacity(primary.len() * 3 + tones.len() + cases.len() + 2);
    // Each weight takes 3 bytes whose first is never 0, so the 0 separator after the letters
    // sorts a shorter name before a longer one that starts the same.
    for w in &primary {
        let w = (w + 0x01_0000).min(0xff_ffff);
        key.extend_from_slice(&w.to_be_bytes()[1..]);
    }
    key.push(0);
    key.extend(tones.iter().map(|t| t + 1));
    key.push(0);
    key.extend(cases.iter().map(|c| c + 1));
    key
}

/// Compare two strings in Vietnamese alphabetical order.
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    sort_key(a).cmp(&sort_key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_strips_tones_and_letter_marks() {
        assert_eq!(fold("Nguyễn Văn  A"), "nguyen van a");
        assert_eq!(fold("Đặng Thị Ơn"), "dang thi on");
        assert_eq!(fold("  Trần   Ưng "), "tran ung");
    }

    #[test]
    fn names_sort_in_vietnamese_alphabetical_order() {
        let mut names = vec!["Đào", "Dương", "Ân", "Ăn", "An", "Bình", "Ông", "Ơn", "Oanh", "Ưng", "Uyên", "Giang"];
        names.sort_by(|a, b| compare(a, b));
        assert_eq!(names, vec!["An", "Ăn", "Ân", "Bình", "Dương", "Đào", "Giang", "Oanh", "Ông", "Ơn", "Uyên", "Ưng"]);
    }

    #[test]
    fn tones_break_ties_in_dictionary_order() {
        let mut words = vec!["mạ", "má", "mã", "mả", "mà", "ma"];
        words.sort_by(|a, b| compare(a, b));
        assert_eq!(words, vec!["ma", "mà", "mả", "mã", "má", "mạ"]);
    }

    #[test]
    fn letters_compare_before_tones() {
        // "Bá" < "Ban" because letters decide before tone marks do.
        assert_eq!(compare("Bá", "Ban"), std::cmp::Ordering::Less);
        assert_eq!(compare("Lê Văn", "Lê Văn A"), std::cmp::Ordering::Less);
    }
}
