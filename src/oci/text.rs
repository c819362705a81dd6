//! Making untrusted text safe for a terminal.

/// Removes control characters and escape sequences (CSI, OSC, other ESC forms),
/// keeping printable text. Newlines and tabs become spaces.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' => skip_osc(&mut chars),
            '\n' | '\t' | '\r' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// `sanitize`, then cut to at most `max` characters (with `…` when cut).
pub fn sanitize_line(input: &str, max: usize) -> String {
    let clean = sanitize(input);
    if clean.chars().count() <= max {
        return clean;
    }
    let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Bidirectional and other invisible format controls that can reorder or hide text.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200b}'..='\u{200f}'
            | '\u{061c}'
            | '\u{feff}'
    )
}

/// Whether `c` must not reach a terminal as is (C0, DEL, C1, bidi/format).
pub fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// JSON text made inert on a terminal: DEL, C1 and bidi/format characters
/// (which JSON allows raw inside strings) become `\uXXXX` escapes. serde_json
/// already escapes C0; these characters only ever occur inside strings.
pub fn escape_json_for_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_unsafe_for_terminal(c) && !matches!(c, '\n' | '\t' | '\r') {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            chars.next();
            skip_osc(chars);
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

fn skip_csi(chars: &mut Chars) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS strings end with BEL or ESC \.
fn skip_osc(chars: &mut Chars) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_controls() {
        assert_eq!(sanitize("plain-tag_1.0"), "plain-tag_1.0");
        assert_eq!(sanitize("\x1b[31mred\x1b[0m"), "red");
        assert_eq!(sanitize("a\x1b]0;title\x07b"), "ab");
        assert_eq!(sanitize("a\x1b]52;c;ZXZpbA==\x1b\\b"), "ab");
        assert_eq!(sanitize("x\u{9b}2Jy"), "xy");
        assert_eq!(sanitize("bell\x07\x00\x08"), "bell");
        assert_eq!(sanitize("line\nbreak"), "line break");
        assert_eq!(sanitize("\u{202e}evil"), "evil");
        assert_eq!(sanitize("a\u{200e}b\u{200f}c\u{061c}d"), "abcd");
        assert_eq!(sanitize("x\u{85}y\u{7f}z"), "xyz");
        assert_eq!(
            escape_json_for_terminal("{\"a\":\"x\u{9b}y\u{202e}\"}"),
            "{\"a\":\"x\\u009by\\u202e\"}"
        );
        assert_eq!(sanitize("日本語 ✓"), "日本語 ✓");
    }

    #[test]
    fn truncates() {
        assert_eq!(sanitize_line("abcdef", 4), "abc…");
        assert_eq!(sanitize_line("abc", 4), "abc");
    }
}
