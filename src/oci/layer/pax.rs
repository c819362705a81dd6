//! PAX extended header records, read as Go's `archive/tar` reads them (what
//! docker and containerd unpack with): each record by its length prefix, so a
//! value may hold newlines; a malformed record refuses the archive; a later
//! record of a key replaces an earlier one.

use std::collections::BTreeMap;

pub type Records = BTreeMap<Vec<u8>, Vec<u8>>;

/// An extended header that Go's reader refuses (and so does unpacking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a malformed PAX record")]
pub struct MalformedPax;

/// One record: its key, its value, and the bytes after it.
struct Record<'a> {
    key: &'a [u8],
    value: &'a [u8],
    rest: &'a [u8],
}

/// The records of one extended header, or why it is not one.
pub fn parse(mut data: &[u8]) -> Result<Records, MalformedPax> {
    let mut records = Records::new();
    while !data.is_empty() {
        let r = record(data)?;
        records.insert(r.key.to_vec(), r.value.to_vec());
        data = r.rest;
    }
    Ok(records)
}

/// `"%d %s=%s\n"`: the length counts the whole record, itself included.
fn record(data: &[u8]) -> Result<Record<'_>, MalformedPax> {
    let bad = || MalformedPax;
    let space = data.iter().position(|b| *b == b' ').ok_or_else(bad)?;
    let digits = &data[..space];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || digits.len() > 9 {
        return Err(bad());
    }
    let length: usize = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(bad)?;
    if length < 5 || length > data.len() || length <= space + 1 {
        return Err(bad());
    }
    let (body, rest) = data[space + 1..].split_at(length - space - 1);
    let body = body.strip_suffix(b"\n").ok_or_else(bad)?;
    let equals = body.iter().position(|b| *b == b'=').ok_or_else(bad)?;
    let (key, value) = (&body[..equals], &body[equals + 1..]);
    let names_a_path = matches!(key, b"path" | b"linkpath" | b"uname" | b"gname");
    if key.is_empty() || (names_a_path && value.contains(&0)) {
        return Err(bad());
    }
    Ok(Record { key, value, rest })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_go_by_their_length_and_values_may_hold_newlines() {
        // The comment's value holds what a line-by-line reader takes for a
        // `size=0` record.
        let data = b"25 comment=one\n9 size=0\n\n13 size=1024\n";
        let records = parse(data).unwrap();
        assert_eq!(records[&b"comment"[..]], b"one\n9 size=0\n".to_vec());
        assert_eq!(records[&b"size"[..]], b"1024".to_vec());
        for bad in [
            &b"5 a=b\n"[..],
            b"x size=1\n",
            b"99 size=1\n",
            b"11 size=12",
            b"8 =abcd\n",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
